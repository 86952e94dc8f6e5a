/*
 * unique (RFC 7950 7.8.3) of a list that validate.c validates entry by
 * entry: a touched entry's values against every other entry's.
 *
 * Reading the values of 50,000 packed entries takes about 10 ms, twice
 * a one-leaf edit's budget, so after an edit of running the values are
 * kept: per list and unique statement, values -> the entries holding
 * them, and entry -> its values, hung off the parent's list index
 * (index_ext(): freed with it).  The cache is brought up to date from
 * the edit's log (entries removed, entries whose unique values may have
 * changed) and is trusted only when no other edit came between
 * (edit_generation: edit_apply and edit_undo count, so an undone edit,
 * another session's journal replayed or a candidate edit all make it
 * read again).  Without a list index (a short list), or for a commit,
 * the other entries are read one by one, after a quick search of their
 * packed bytes for the first value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

#define MAX_LEVELS	64
#define MAX_LEAVES	8
#define MAX_STMTS	8

/* One unique statement's leaves, as names below the entry. */
struct ustmt {
	unsigned	 nl;
	const char	*names[MAX_LEAVES][MAX_LEVELS];
	size_t		 nn[MAX_LEAVES];
};

/* The cache of one list under one parent. */
struct ucache {
	unsigned long		 gen;		/* edit_generation it is valid for */
	const struct lysc_node	*list;
	unsigned		 nstmt;
	xmlHashTablePtr		 byval[MAX_STMTS];	/* values -> xmlNodePtr[] */
	xmlHashTablePtr		 byent[MAX_STMTS];	/* "%p" -> values (char *) */
};

/* Entries holding one set of values. */
struct uents {
	size_t		 n;
	xmlNodePtr	 e[];
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

static void
ents_free(void *payload, const xmlChar *name)
{
	(void)name;
	free(payload);
}

static void
cache_free(void *arg)
{
	struct ucache *c = arg;

	if (c == NULL)
		return;
	for (unsigned i = 0; i < c->nstmt; i++) {
		xmlHashFree(c->byval[i], ents_free);
		xmlHashFree(c->byent[i], ents_free);
	}
	free(c);
}

static void
ptr_key(char *buf, size_t len, const void *p)
{
	snprintf(buf, len, "%p", p);
}

/* Takes e out of statement i's cache (listed under the values it had). */
static void
cache_del(struct ucache *c, unsigned i, xmlNodePtr e)
{
	char pk[32], *old;
	struct uents *es;

	ptr_key(pk, sizeof(pk), e);
	if ((old = xmlHashLookup(c->byent[i], BAD_CAST pk)) == NULL)
		return;
	if ((es = xmlHashLookup(c->byval[i], BAD_CAST old)) != NULL) {
		for (size_t k = 0; k < es->n; k++)
			if (es->e[k] == e) {
				es->e[k] = es->e[--es->n];
				break;
			}
		if (es->n == 0)
			xmlHashRemoveEntry(c->byval[i], BAD_CAST old, ents_free);
	}
	xmlHashRemoveEntry(c->byent[i], BAD_CAST pk, ents_free);
}

/* Lists e under its values (vals, taken over; NULL: not listed). */
static void
cache_add(struct ucache *c, unsigned i, xmlNodePtr e, char *vals)
{
	char pk[32];
	struct uents *es, *ne;

	cache_del(c, i, e);
	if (vals == NULL)
		return;
	es = xmlHashLookup(c->byval[i], BAD_CAST vals);
	ne = xreallocarray(NULL, 1, sizeof(*ne) + ((es ? es->n : 0) + 1) * sizeof(xmlNodePtr));
	ne->n = 0;
	for (size_t k = 0; es != NULL && k < es->n; k++)
		ne->e[ne->n++] = es->e[k];
	ne->e[ne->n++] = e;
	xmlHashUpdateEntry(c->byval[i], BAD_CAST vals, ne, ents_free);
	ptr_key(pk, sizeof(pk), e);
	xmlHashUpdateEntry(c->byent[i], BAD_CAST pk, vals, ents_free);
}

static struct ucache *
cache_build(xmlNodePtr parent, xmlNodePtr like, const struct lysc_node *sn,
    const struct ustmt *st, unsigned nst)
{
	struct ucache *c = xcalloc(1, sizeof(*c));
	int size = 1024;

	/*
	 * As many buckets as entries: xmlHashUpdateEntry never grows a
	 * table, and 50,000 entries in 1024 buckets made each lookup walk a
	 * chain of 50 (a rebuild took a second).
	 */
	for (xmlNodePtr o = parent->children; o != NULL && size < (1 << 22); o = o->next)
		if (o->type == XML_ELEMENT_NODE)
			size++;
	c->list = sn;
	c->nstmt = nst;
	for (unsigned i = 0; i < nst; i++)
		if ((c->byval[i] = xmlHashCreate(size)) == NULL ||
		    (c->byent[i] = xmlHashCreate(size)) == NULL)
			xoom();
	for (xmlNodePtr o = parent->children; o != NULL; o = o->next)
		if (node_same_name(o, like))
			for (unsigned i = 0; i < nst; i++)
				cache_add(c, i, o, values_of(o, &st[i]));
	return c;
}

/*
 * The cache of entry's list, up to date with the edit that removed
 * gone[] and whose touched entries are being checked (each updated as
 * it is); NULL when there is none to use.
 */
static struct ucache *
cache_of(xmlNodePtr entry, const struct lysc_node *sn, const struct ustmt *st,
    unsigned nst, xmlNodePtr *gone, size_t ngone)
{
	void **slot = index_ext(entry->parent, cache_free);
	struct ucache *c;

	if (slot == NULL)
		return NULL;
	c = *slot;
	if (c != NULL && c->list == sn && c->gen == edit_generation)
		return c;	/* already brought up to date for this edit */
	if (c != NULL && c->list == sn && c->gen + 1 == edit_generation) {
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
    size_t ngone, int cached)
{
	struct ustmt st[MAX_STMTS];
	unsigned nst = stmts_of(sn, st);
	struct ucache *c;
	int clash = 0;

	if (nst == 0 || entry->parent == NULL)
		return 0;
	c = cached ? cache_of(entry, sn, st, nst, gone, ngone) : NULL;
	for (unsigned i = 0; i < nst && !clash; i++) {
		char *vals = values_of(entry, &st[i]);

		if (c != NULL) {
			struct uents *es = vals != NULL ?
			    xmlHashLookup(c->byval[i], BAD_CAST vals) : NULL;

			for (size_t k = 0; es != NULL && k < es->n && !clash; k++)
				clash = holds(es->e[k], entry, &st[i], vals);
			cache_add(c, i, entry, vals);	/* takes vals */
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
