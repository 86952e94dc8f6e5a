/*
 * unique (RFC 7950 7.8.3) of a list that validate.c validates entry by
 * entry: a touched entry's values against every other entry's.
 *
 * Reading the values of 50,000 packed entries takes about 10 ms, twice
 * a one-leaf edit's budget, so the values are kept: per list and unique
 * statement, values -> the entries holding them, and entry -> its
 * values, hung off the parent's list index (index_ext(): freed with
 * it).  A cache is valid for the tree as of one edit_generation
 * (edit_apply and edit_undo count).  Every kept edit, of running or of
 * the candidate, and every journal record replayed, is folded into the
 * caches it touches from its log (tree_unique_follow: entries removed
 * dropped, entries touched read again), and an undone edit that no
 * check touched leaves them valid (tree_unique_undone), so a cache
 * lasts across edits and commits.  A check during an edit (mode
 * VU_EDIT) may use a cache one edit behind: that edit's removed
 * entries are taken out first and its touched entries are updated as
 * they are checked.  A commit (VU_CURRENT) changes no tree: it uses a
 * cache only when valid for the tree as it is, and builds one
 * otherwise.  A cache that missed an edit (no fold: a refused edit
 * after its check, a big edit) is rebuilt when next used.  Without a
 * list index (a short list), or without a mode, the other entries are
 * read one by one, after a quick search of their packed bytes for the
 * first value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "memcap.h"
#include "xmalloc.h"
#include "tree_int.h"

#define MAX_LEVELS	64
#define MAX_LEAVES	8
#define MAX_STMTS	8
#define FOLLOW_MAX	4096	/* log records an edit may have to be folded */

/* One unique statement's leaves, as names below the entry. */
struct ustmt {
	unsigned	 nl;
	const char	*names[MAX_LEAVES][MAX_LEVELS];
	size_t		 nn[MAX_LEAVES];
};

/*
 * Entries under a hash: the hash of their values (byval: placed by it)
 * or of the entry's address (byent: its values' hash looked up by
 * entry).  Open addressing, linear probing, a power of two of slots,
 * at most 3/4 used (removed slots count until the next resize).  Two
 * words an entry in each table, about 4 MB for 50,000 entries: xmlHash
 * tables of the values' strings and of "%p" keys, each with allocations
 * of its own, held 14 MB, and a one-entry edit in a new session peaked
 * over the goal (41.7 MB, bench_memory one_entry).  Entries of equal
 * hashes are told apart by reading their values (holds()), so a hash
 * collision costs a read, never a wrong answer.
 */
struct uslot {
	xmlNodePtr	 e;	/* NULL: empty; GONE: removed */
	uint64_t	 h;	/* the hash of the entry's values */
};

struct utab {
	struct uslot	*s;
	size_t		 cap, used;	/* used: live and removed slots */
};

static char gone_mark;
#define GONE	((xmlNodePtr)(void *)&gone_mark)

/* The cache of one list under one parent. */
struct ucache {
	struct ucache		*prev, *next;	/* every live cache: live */
	unsigned long		 gen;		/* edit_generation it is valid for */
	int			 missed;	/* an edit was not folded: invalid */
	const struct lysc_node	*list;
	char			*name, *ns;	/* the entries' element name */
	unsigned		 nstmt;
	struct ustmt		*st;		/* [nstmt] */
	struct utab		 byval[MAX_STMTS];	/* placed by values' hash */
	struct utab		 byent[MAX_STMTS];	/* placed by entry */
};

static size_t
names_of(const struct lysc_node *leaf, const struct lysc_node *list, const char **names,
    size_t max)
{
	size_t n = 0;

	for (const struct lysc_node *x = leaf; x != NULL && x != list; x = x->parent)
		if (!(x->nodetype & (LYS_CHOICE | LYS_CASE))) {
			if (n == max)
				return 0;
			names[n++] = x->name;
		}
	for (size_t i = 0; i < n / 2; i++) {
		const char *t = names[i];

		names[i] = names[n - 1 - i];
		names[n - 1 - i] = t;
	}
	return n;
}

char *
vu_value_at(xmlNodePtr e, const char *const *names, size_t n)
{
	const char *t;

	if (packed_is(e)) {
		switch (packed_path_text(e, names, n, &t)) {
		case 1:
			return xstrdup(t);
		case 0:
			return NULL;
		}
		packed_unpack(e);
	}
	for (size_t i = 0; i < n && e != NULL; i++) {
		xmlNodePtr c;

		packed_unpack(e);
		for (c = e->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, names[i]) == 0)
				break;
		e = c;
	}
	return e != NULL ? node_leaf_text(e) : NULL;
}

/* The leaves of list sn's unique statements; their count. */
static unsigned
stmts_of(const struct lysc_node *sn, struct ustmt *st)
{
	const struct lysc_node *leaves[MAX_LEAVES];
	unsigned n = 0, nl;

	for (; n < MAX_STMTS && (nl = schema_unique(sn, n, leaves, MAX_LEAVES)) > 0; n++) {
		st[n].nl = nl < MAX_LEAVES ? nl : MAX_LEAVES;
		for (unsigned k = 0; k < st[n].nl; k++)
			if ((st[n].nn[k] = names_of(leaves[k], sn, st[n].names[k], MAX_LEVELS)) == 0)
				st[n].nl = 0;	/* too deep: not checked */
	}
	return n;
}

/* Entry e's values of statement st, joined; NULL when one is missing. */
static char *
values_of(xmlNodePtr e, const struct ustmt *st)
{
	char *out = NULL;
	size_t len = 0;

	if (st->nl == 0)
		return NULL;
	for (unsigned k = 0; k < st->nl; k++) {
		char *v = vu_value_at(e, st->names[k], st->nn[k]);
		size_t vl;

		if (v == NULL) {
			free(out);
			return NULL;
		}
		vl = strlen(v);
		out = xreallocarray(out, len + vl + 2, 1);
		memcpy(out + len, v, vl);
		len += vl;
		out[len++] = '\x1f';	/* unit separator: between values */
		out[len] = '\0';
		free(v);
	}
	return out;
}

/* Every cache alive, so that an edit that did not touch one keeps it valid. */
static struct ucache *live;

static uint64_t
vals_hash(const char *vals)
{
	return fnv1a64(hash_seed(), vals, strlen(vals));
}

static uint64_t
ent_hash(const void *e)
{
	uint64_t x = (uint64_t)(uintptr_t)e;

	x ^= x >> 33;	/* addresses differ in their middle bits: mix them down */
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

static void
tab_free(struct utab *t)
{
	if (t->s != NULL) {
		memcap_uncount(t->s);
		free(t->s);
	}
	memset(t, 0, sizeof(*t));
}

/* t with room for n live slots, its live slots placed again (byent: by entry). */
static void
tab_resize(struct utab *t, size_t n, int byent)
{
	struct utab nt = { 0 };
	size_t cap = 16;

	while (cap / 4 * 3 < n + 1)
		cap *= 2;
	nt.cap = cap;
	nt.s = xcalloc(cap, sizeof(*nt.s));
	memcap_count(nt.s);
	for (size_t i = 0; i < t->cap; i++) {
		struct uslot *o = &t->s[i];
		size_t at;

		if (o->e == NULL || o->e == GONE)
			continue;
		at = (size_t)(byent ? ent_hash(o->e) : o->h) & (cap - 1);
		while (nt.s[at].e != NULL)
			at = (at + 1) & (cap - 1);
		nt.s[at] = *o;
		nt.used++;
	}
	tab_free(t);
	*t = nt;
}

/* Lists e under h in t, placed by h (byent: by e). */
static void
tab_put(struct utab *t, int byent, xmlNodePtr e, uint64_t h)
{
	size_t at;

	if ((t->used + 1) > t->cap / 4 * 3) {
		size_t live_n = 0;

		for (size_t i = 0; i < t->cap; i++)
			live_n += t->s[i].e != NULL && t->s[i].e != GONE;
		/* removed slots only: the same size; else twice the room */
		tab_resize(t, live_n + live_n / 2 + 16, byent);
	}
	at = (size_t)(byent ? ent_hash(e) : h) & (t->cap - 1);
	while (t->s[at].e != NULL && t->s[at].e != GONE)
		at = (at + 1) & (t->cap - 1);
	if (t->s[at].e == NULL)
		t->used++;
	t->s[at].e = e;
	t->s[at].h = h;
}

/* The slot of t placed by h (byent: by e) that lists e; NULL: none. */
static struct uslot *
tab_find(const struct utab *t, int byent, xmlNodePtr e, uint64_t h)
{
	size_t at;

	if (t->cap == 0)
		return NULL;
	at = (size_t)(byent ? ent_hash(e) : h) & (t->cap - 1);
	for (; t->s[at].e != NULL; at = (at + 1) & (t->cap - 1))
		if (t->s[at].e == e)
			return &t->s[at];
	return NULL;
}

static void
cache_free(void *arg)
{
	struct ucache *c = arg;

	if (c == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		live = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	for (unsigned i = 0; i < c->nstmt; i++) {
		tab_free(&c->byval[i]);
		tab_free(&c->byent[i]);
	}
	free(c->st);
	free(c->name);
	free(c->ns);
	free(c);
}

/* Takes e out of statement i's cache (listed under the values it had). */
static void
cache_del(struct ucache *c, unsigned i, xmlNodePtr e)
{
	struct uslot *s = tab_find(&c->byent[i], 1, e, 0), *v;

	if (s == NULL)
		return;
	if ((v = tab_find(&c->byval[i], 0, e, s->h)) != NULL)
		v->e = GONE;
	s->e = GONE;
}

/* Lists e under its values (vals, freed; NULL: not listed). */
static void
cache_add(struct ucache *c, unsigned i, xmlNodePtr e, char *vals)
{
	uint64_t h;

	cache_del(c, i, e);
	if (vals == NULL)
		return;
	h = vals_hash(vals);
	free(vals);
	tab_put(&c->byval[i], 0, e, h);
	tab_put(&c->byent[i], 1, e, h);
}

static struct ucache *
cache_build(xmlNodePtr parent, xmlNodePtr like, const struct lysc_node *sn,
    const struct ustmt *st, unsigned nst)
{
	struct ucache *c = xcalloc(1, sizeof(*c));
	size_t n = 0;

	/* sized once for the entries there are: no resize while built */
	for (xmlNodePtr o = parent->children; o != NULL; o = o->next)
		if (o->type == XML_ELEMENT_NODE)
			n++;
	c->list = sn;
	c->name = xstrdup((const char *)like->name);
	c->ns = xstrdup(node_ns(like));
	c->nstmt = nst;
	c->st = xcalloc(nst, sizeof(*c->st));
	memcpy(c->st, st, nst * sizeof(*st));
	if ((c->next = live) != NULL)
		live->prev = c;
	live = c;
	for (unsigned i = 0; i < nst; i++) {
		tab_resize(&c->byval[i], n, 0);
		tab_resize(&c->byent[i], n, 1);
	}
	for (xmlNodePtr o = parent->children; o != NULL; o = o->next)
		if (node_same_name(o, like))
			for (unsigned i = 0; i < nst; i++)
				cache_add(c, i, o, values_of(o, &st[i]));
	return c;
}

/*
 * The cache of entry's list, NULL when there is none to use.  VU_EDIT:
 * up to date with the edit that removed gone[] and whose touched
 * entries are being checked (each updated as it is); VU_CURRENT: with
 * the tree as it is.
 */
static struct ucache *
cache_of(xmlNodePtr entry, const struct lysc_node *sn, const struct ustmt *st,
    unsigned nst, xmlNodePtr *gone, size_t ngone, enum vu_mode mode)
{
	void **slot = index_ext(entry->parent, IX_EXT_UNIQUE, cache_free);
	struct ucache *c;
	int usable;

	if (slot == NULL)
		return NULL;
	c = *slot;
	usable = c != NULL && c->list == sn && !c->missed;
	if (usable && c->gen == edit_generation)
		return c;	/* valid for the tree as it is */
	if (usable && mode == VU_EDIT && c->gen + 1 == edit_generation) {
		for (size_t g = 0; g < ngone; g++)
			for (unsigned i = 0; i < nst; i++)
				cache_del(c, i, gone[g]);
	} else {
		cache_free(c);
		c = *slot = cache_build(entry->parent, entry, sn, st, nst);
	}
	c->gen = edit_generation;
	return c;
}

/* 1 when o (not entry) holds vals of statement st, by reading it. */
static int
holds(xmlNodePtr o, xmlNodePtr entry, const struct ustmt *st, const char *vals)
{
	char *ov;
	int same;

	if (o == entry || o->parent != entry->parent)
		return 0;
	ov = values_of(o, st);
	same = ov != NULL && strcmp(ov, vals) == 0;
	free(ov);
	return same;
}

/* The scan without a cache: every sibling, after a search of its packed bytes. */
static int
scan_clash(xmlNodePtr entry, const struct ustmt *st, const char *vals)
{
	size_t flen = strcspn(vals, "\x1f");

	for (xmlNodePtr o = entry->parent->children; o != NULL; o = o->next) {
		if (o == entry || !node_same_name(o, entry))
			continue;
		if (packed_is(o) && flen > 0) {
			size_t blen;
			const char *b = packed_bytes(o, &blen);

			if (memmem(b, blen, vals, flen) == NULL)
				continue;
		}
		if (holds(o, entry, st, vals))
			return 1;
	}
	return 0;
}

int
vu_unique_clash(xmlNodePtr entry, const struct lysc_node *sn, xmlNodePtr *gone,
    size_t ngone, enum vu_mode mode)
{
	struct ustmt st[MAX_STMTS];
	unsigned nst = stmts_of(sn, st);
	struct ucache *c;
	int clash = 0;

	if (nst == 0 || entry->parent == NULL)
		return 0;
	c = mode != VU_SCAN ? cache_of(entry, sn, st, nst, gone, ngone, mode) : NULL;
	for (unsigned i = 0; i < nst && !clash; i++) {
		char *vals = values_of(entry, &st[i]);

		if (c != NULL) {
			const struct utab *t = &c->byval[i];
			uint64_t h = vals != NULL ? vals_hash(vals) : 0;

			/* every entry listed under h, up to the first empty slot */
			for (size_t at = h & (t->cap - 1); vals != NULL && !clash &&
			    t->s[at].e != NULL; at = (at + 1) & (t->cap - 1))
				if (t->s[at].e != GONE && t->s[at].h == h)
					clash = holds(t->s[at].e, entry, &st[i], vals);
			cache_add(c, i, entry, vals);	/* frees vals */
		} else {
			clash = vals != NULL && scan_clash(entry, &st[i], vals);
			free(vals);
		}
	}
	return clash;
}

int
vu_unique_changed(xmlNodePtr a, xmlNodePtr b, const struct lysc_node *sn)
{
	struct ustmt st[MAX_STMTS];
	unsigned nst = stmts_of(sn, st);
	int changed = 0;

	for (unsigned i = 0; i < nst && !changed; i++) {
		char *x = values_of(a, &st[i]), *y = values_of(b, &st[i]);

		changed = (x == NULL) != (y == NULL) || (x != NULL && strcmp(x, y) != 0);
		free(x);
		free(y);
	}
	return changed;
}

/* ---- keeping the caches valid across edits ---- */

/*
 * The cache of the list whose entry n is, a child (or, removed, a former
 * child) of parent, when it was valid before the edit being folded (or
 * already brought up to date for it); NULL: none.
 */
static struct ucache *
followed(xmlNodePtr parent, xmlNodePtr n)
{
	struct ucache *c;
	void **slot;

	if (parent == NULL || parent->type != XML_ELEMENT_NODE || n->type != XML_ELEMENT_NODE ||
	    (slot = index_ext(parent, IX_EXT_UNIQUE, cache_free)) == NULL || (c = *slot) == NULL)
		return NULL;
	if (c->missed || (c->gen != edit_generation && c->gen + 1 != edit_generation))
		return NULL;	/* missed an edit: rebuilt when next used */
	if (strcmp((const char *)n->name, c->name) != 0 || strcmp(node_ns(n), c->ns) != 0)
		return NULL;	/* another child of that parent */
	return c;
}

/* Where change ch may have changed an entry's values: the node to walk up from. */
static xmlNodePtr
changed_at(const struct edit_change *ch)
{
	switch (ch->kind) {
	case EC_REMOVED:
		return ch->parent;
	case EC_TEXT:
		return ch->node->parent;
	case EC_ADDED:
	case EC_UNPACKED:
		break;
	}
	return ch->node->type == XML_ELEMENT_NODE ? ch->node : ch->node->parent;
}

void
tree_unique_follow(const struct edit_ctx *ec)
{
	if (ec->nlog > FOLLOW_MAX) {
		/* a big edit: reading every entry again costs the same */
		for (struct ucache *c = live; c != NULL; c = c->next)
			c->missed = 1;
		return;
	}
	/* removed entries first: they are off the tree, so never read again below */
	for (size_t i = 0; i < ec->nlog; i++) {
		const struct edit_change *ch = &ec->log[i];
		struct ucache *c;

		if (ch->kind == EC_REMOVED && (c = followed(ch->parent, ch->node)) != NULL)
			for (unsigned k = 0; k < c->nstmt; k++)
				cache_del(c, k, ch->node);
	}
	/* every entry (of every cached list, at any level) a change is in, read again */
	for (size_t i = 0; i < ec->nlog; i++)
		for (xmlNodePtr n = changed_at(&ec->log[i]);
		    n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent) {
			struct ucache *c = followed(n->parent, n);

			for (unsigned k = 0; c != NULL && k < c->nstmt; k++)
				cache_add(c, k, n, values_of(n, &c->st[k]));
		}
	/* the edit is in every cache valid before it: the ones it touched and the rest */
	for (struct ucache *c = live; c != NULL; c = c->next)
		if (c->gen + 1 == edit_generation)
			c->gen = edit_generation;
}

void
tree_unique_undone(void)
{
	/*
	 * The tree is as before the edit that was undone (the same nodes,
	 * the same values): a cache valid then, and not touched since (a
	 * check sets gen), is valid again.
	 */
	for (struct ucache *c = live; c != NULL; c = c->next)
		if (!c->missed && c->gen + 2 == edit_generation)
			c->gen = edit_generation;
}
