/*
 * A small edit of a big packed container of leaves (packed_grow.c packs
 * one of 200,000 leaves whole): unpacking all of it for a one-leaf edit
 * costs ~7x its size, and the list index the edit then builds on it
 * keeps it unpacked.  Only the leaves the edit may match are unpacked:
 * per edit leaf, the first two of its name (what the edit matches when
 * the name is a container's or keyed, and whether the leaf is the only
 * one of its name) and every one of its value (a leaf-list entry); and
 * the container's first leaf, its key when it is a list entry (a
 * report without a module names the entry by it, edit_report.c).  The
 * edit runs on them as on the whole container (edit.c), then they go
 * back into the string between the bytes left packed, each where it
 * was, a new one before the next old one that follows it in the edited
 * children or at the end: the bytes a whole unpack, edit and repack
 * would give.  Only merge and none reach here, which change leaves and
 * add new ones at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

#define SPARSE_EDITS	64	/* edit leaves at most */
#define SPARSE_NODES	256	/* leaves unpacked at most */

struct sparse {
	struct pk	*old;		/* d's string (the undo log owns it) */
	size_t		 leaves;	/* in old */
	size_t		 n;
	struct {
		xmlNodePtr	 node;
		const char	*start, *end;	/* its bytes in old */
	} o[SPARSE_NODES];		/* in the string's order */
};

/* Bytes of the 'E' or 'T' token at p, its NUL included. */
static size_t
tok_len(const char *p)
{
	return strlen(p + 1) + 2;
}

/* 1 when the texts from p (a leaf's 'T' tokens) are s. */
static int
text_is(const char *p, const char *s)
{
	for (size_t n; *p == 'T'; p += n + 2) {
		n = strlen(p + 1);
		if (strncmp(p + 1, s, n) != 0)
			return 0;
		s += n;
	}
	return *s == '\0';
}

/* 1 when e is a leaf d's string could hold, with no attribute (no operation). */
static int
plain_leaf(const xmlNode *d, const xmlNode *e)
{
	if (e->properties != NULL || e->nsDef != NULL || e->ns == NULL ||
	    strcmp((const char *)e->ns->href, (const char *)d->ns->href) != 0)
		return 0;
	for (const xmlNode *t = e->children; t != NULL; t = t->next)
		if (t->type != XML_TEXT_NODE)
			return 0;
	return 1;
}

/* Which leaves of d's string the edit leaves may match (see the top); 0 if too many. */
static int
pick(struct sparse *s, xmlNodePtr d, const char **names, char **texts, size_t ne)
{
	size_t len, cnt[SPARSE_EDITS] = { 0 };
	const char *p = packed_bytes(d, &len), *end = p + len;

	s->n = s->leaves = 0;
	while (p < end) {
		const char *start = p, *name = p + 1, *q;
		int want;

		if (*p == 'T') {
			p += tok_len(p);
			continue;
		}
		for (q = name + strlen(name) + 1; *q == 'T'; q += tok_len(q))
			;
		if (*q != 'X')
			return 0;	/* not a leaf */
		p = q + 1;
		want = s->leaves++ == 0;	/* d's schema-less key: its report targets */
		for (size_t i = 0; i < ne; i++)
			if (strcmp(name, names[i]) == 0 &&
			    (++cnt[i] <= 2 || text_is(name + strlen(name) + 1, texts[i])))
				want = 1;
		if (!want)
			continue;
		if (s->n == SPARSE_NODES)
			return 0;
		s->o[s->n].start = start;
		s->o[s->n++].end = p;
	}
	return 1;
}

struct sparse *
edit_sparse_open(struct edit_ctx *c, xmlNodePtr d, xmlNodePtr eparent, int merge_or_none,
    int known)
{
	const char *names[SPARSE_EDITS];
	char *texts[SPARSE_EDITS];
	size_t ne = 0;
	struct sparse *s = NULL;
	int fits = 1;

	/*
	 * Not when the module knows d's children (ordered-by user, choices,
	 * defaults work on all of them), nor when d's parent has an index
	 * (d's key there may be its first leaf), nor when keys are named for
	 * d (they could be any of its leaves).
	 */
	if (!merge_or_none || c->detached || c->log_inside || !packed_is(d) ||
	    d->ns == NULL || (c->schema != NULL && known) ||
	    (c->keys != NULL && xmlHashLookup(c->keys, d->name) != NULL) ||
	    (d->parent != NULL && d->parent->_private != NULL))
		return NULL;
	for (xmlNodePtr e = eparent->children; e != NULL && fits; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		if (ne == SPARSE_EDITS || !plain_leaf(d, e)) {
			fits = 0;
			break;
		}
		names[ne] = (const char *)e->name;
		texts[ne++] = node_leaf_text(e);
	}
	if (fits && ne > 0) {
		s = xcalloc(1, sizeof(*s));
		if (!pick(s, d, names, texts, ne)) {
			free(s);
			s = NULL;
		}
	}
	for (size_t i = 0; i < ne; i++)
		free(texts[i]);
	if (s == NULL)
		return NULL;
	s->old = (struct pk *)d->content;
	d->content = NULL;
	for (size_t i = 0; i < s->n; i++) {
		packed_append_range(d, s->o[i].start, s->o[i].end);
		s->o[i].node = d->last;
	}
	edit_log_taken(c, d, s->old);
	return s;
}

/* ---- back into the string ---- */

struct out {
	xmlNodePtr	 d;
	struct pk	*pk;	/* NULL: back into nodes */
};

static void
put_bytes(struct out *w, const char *a, const char *b)
{
	if (a >= b)
		return;
	if (w->pk == NULL) {
		packed_append_range(w->d, a, b);
		return;
	}
	memcpy(w->pk->data + w->pk->len, a, (size_t)(b - a));
	w->pk->len += (uint32_t)(b - a);
}

static void
put_tok(struct pk *pk, char tok, const xmlChar *str)
{
	size_t n = str != NULL ? strlen((const char *)str) : 0;

	pk->data[pk->len++] = tok;
	memcpy(pk->data + pk->len, str, n);
	pk->data[pk->len + n] = '\0';
	pk->len += (uint32_t)(n + 1);
}

static void
put_node(struct out *w, xmlNodePtr f)
{
	if (w->pk == NULL) {
		f->parent = w->d;
		f->prev = w->d->last;
		f->next = NULL;
		if (w->d->last != NULL)
			w->d->last->next = f;
		else
			w->d->children = f;
		w->d->last = f;
		return;
	}
	put_tok(w->pk, 'E', f->name);
	for (xmlNodePtr t = f->children; t != NULL; t = t->next)
		put_tok(w->pk, 'T', t->content);
	w->pk->data[w->pk->len++] = 'X';
	/* in the string now: the log's entries about it are forgotten unread */
	xmlFreeNode(f);
}

/* Bytes of f in a string; 0 when f cannot be packed in d. */
static size_t
packed_size(xmlNodePtr d, xmlNodePtr f)
{
	size_t n = 3 + strlen((const char *)f->name);

	if (!packed_leaf_of(d, f))
		return 0;
	for (xmlNodePtr t = f->children; t != NULL; t = t->next)
		n += 2 + (t->content != NULL ? strlen((const char *)t->content) : 0);
	return n;
}

static int
in_sparse(const struct sparse *s, const xmlNode *f)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->o[i].node == f)
			return 1;
	return 0;
}

void
edit_sparse_close(struct edit_ctx *c, xmlNodePtr d, size_t at, struct sparse *s)
{
	const char *cur = s->old->data, *end = s->old->data + s->old->len;
	size_t len = s->old->len, elems = s->leaves - s->n;
	struct out w = { d, NULL };
	xmlNodePtr f, next;
	int packable = 1;

	edit_report(c, at + 1, c->nlog);	/* before the nodes go */
	index_drop_subtree(d);
	for (size_t i = 0; i < s->n; i++)
		len -= (size_t)(s->o[i].end - s->o[i].start);
	for (f = d->children; f != NULL && packable; f = f->next) {
		size_t n = f->type == XML_ELEMENT_NODE ? packed_size(d, f) : 0;

		packable = n != 0;
		len += n;
		elems++;
	}
	/* as pack_one: leaves only, one element at least, 32-bit length */
	if (packable && elems > 0 && len <= PK_BIG_MAX) {
		w.pk = packed_alloc(sizeof(*w.pk) + len);
		w.pk->magic = PK_MAGIC;
		w.pk->depth = 1;
		w.pk->len = 0;
	}
	f = d->children;
	d->children = d->last = NULL;
	for (size_t i = 0; i < s->n; i++) {
		put_bytes(&w, cur, s->o[i].start);
		cur = s->o[i].end;
		if (s->o[i].node->parent != d)
			continue;	/* removed */
		for (; f != NULL; f = next) {
			next = f->next;
			if (f != s->o[i].node && in_sparse(s, f))
				break;	/* moved: it comes later */
			put_node(&w, f);
			if (f == s->o[i].node) {
				f = next;
				break;
			}
		}
	}
	put_bytes(&w, cur, end);
	for (; f != NULL; f = next) {
		next = f->next;
		put_node(&w, f);
	}
	if (w.pk != NULL)
		d->content = (xmlChar *)w.pk;
	else
		packed_note(d);
	edit_log_keep(c, at);
	free(s);
}
