/*
 * A datastore change summed up as RFC 6470 netconf-config-change <edit>
 * entries (tree.h): from an edit's undo log (edit_report) or node by
 * node (cfg_edits_add, a diff's changes).
 *
 * A target is an instance-identifier built from the data: with a YANG
 * module, the module's prefix and a list entry's keys (a leaf-list
 * entry's value); without one, the RELAX NG keys, else the schema-less
 * rule of edit_index.c: an element with a sibling of its name is named
 * by its first child leaf (a leaf by its value).  Prefixes are the
 * module's, else the data's, else made from the namespace's last word.
 *
 * Only the topmost change is kept: a create, replace or delete covers
 * what changes below it.  One target added and removed in one edit (a
 * replace, a moved entry, default-operation replace) is a replace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

#define DEPTH_MAX	64
#define UNLINKED_SCAN	256	/* siblings looked at for an unlinked node */

struct tbuf {
	char	 *s;
	size_t	  len;
	size_t	  extra;	/* the declarations' bytes, bounded with it */
	int	  bad;		/* too long, or a value no literal can hold */
	struct cfg_edit *e;	/* its declarations */
};

static void
put(struct tbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->bad || b->len + b->extra + n >= CFG_TARGET_MAX) {
		b->bad = 1;
		return;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* An XPath literal of v; a value holding both quotes cannot be one here. */
static void
put_literal(struct tbuf *b, const char *v)
{
	const char *q = strchr(v, '\'') == NULL ? "'" : "\"";

	if (strchr(v, '\'') != NULL && strchr(v, '"') != NULL)
		b->bad = 1;
	put(b, q);
	put(b, v);
	put(b, q);
}

/* A prefix for ns in b's target: want when free or bound to ns, else want2, want3... */
static const char *
prefix_for(struct tbuf *b, const char *want, const char *ns)
{
	char p[64];
	struct cfg_edit *e = b->e;

	snprintf(p, sizeof(p), "%s", want);
	for (int n = 2;; n++) {
		size_t i;

		for (i = 0; i < e->ndecl; i++)
			if (strcmp(e->decl[2 * i], p) == 0)
				break;
		if (i < e->ndecl && strcmp(e->decl[2 * i + 1], ns) == 0)
			return e->decl[2 * i];
		if (i == e->ndecl) {
			/* declarations count against the target's bound too */
			b->extra += strlen(p) + strlen(ns) + 16;
			if (b->len + b->extra >= CFG_TARGET_MAX)
				b->bad = 1;
			e->decl = xreallocarray(e->decl, 2 * (e->ndecl + 1), sizeof(char *));
			e->decl[2 * e->ndecl] = xstrdup(p);
			e->decl[2 * e->ndecl + 1] = xstrdup(ns);
			return e->decl[2 * e->ndecl++];
		}
		snprintf(p, sizeof(p), "%.40s%d", want, n);
	}
}

/* A prefix made from namespace ns: its last word, as an XML name. */
static const char *
made_prefix(struct tbuf *b, const xmlNs *ns)
{
	const char *h = (const char *)ns->href, *w = h;
	char p[32];
	size_t n = 0;

	if (ns->prefix != NULL)
		return prefix_for(b, (const char *)ns->prefix, h);
	for (const char *c = h; *c != '\0'; c++)
		if ((*c == ':' || *c == '/') && c[1] != '\0')
			w = c + 1;
	for (; *w != '\0' && n < sizeof(p) - 1; w++)
		if ((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') || *w == '_' ||
		    (n > 0 && ((*w >= '0' && *w <= '9') || *w == '-' || *w == '.')))
			p[n++] = *w;
	p[n] = '\0';
	return prefix_for(b, n > 0 && strncmp(p, "xml", 3) != 0 ? p : "ns", h);
}

/* The text of e's child leaf name (e may be packed); NULL when none. */
static char *
child_text(const xmlNode *e, const char *name)
{
	const char *t;

	if (packed_is(e))
		return packed_path_text(e, &name, 1, &t) == 1 ? xstrdup(t) : NULL;
	for (const xmlNode *c = e->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return node_is_leaf(c) ? node_leaf_text(c) : NULL;
	return NULL;
}

/* 1 when e (under parent) has a sibling element of its name. */
static int
has_twin(const xmlNode *parent, const xmlNode *e)
{
	const xmlNode *s;
	int n = 0;

	if (e->parent != NULL) {
		for (s = e->prev; s != NULL && s->type != XML_ELEMENT_NODE; s = s->prev)
			;
		if (s != NULL && node_same_name(s, e))
			return 1;
		for (s = e->next; s != NULL && s->type != XML_ELEMENT_NODE; s = s->next)
			;
		return s != NULL && node_same_name(s, e);
	}
	for (s = parent->children; s != NULL && n < UNLINKED_SCAN; s = s->next, n++)
		if (node_same_name(s, e))
			return 1;
	return n == UNLINKED_SCAN;
}

static void
put_pred(struct tbuf *b, const char *pfx, const char *name, const char *v)
{
	put(b, "[");
	if (pfx != NULL) {
		put(b, pfx);
		put(b, ":");
	}
	put(b, name);
	put(b, "=");
	put_literal(b, v);
	put(b, "]");
}

/* The predicates of a step no module covers (e under parent). */
static void
put_schemaless_keys(struct tbuf *b, struct cfg_edits *l, const xmlNode *parent,
    const xmlNode *e, const char *pfx)
{
	char **names = l->keys != NULL ? xmlHashLookup(l->keys, e->name) : NULL;
	const char *cname = NULL, *text = NULL;
	char *v;

	if (names != NULL) {
		for (; *names != NULL; names++)
			if ((v = child_text(e, *names)) != NULL) {
				put_pred(b, pfx, *names, v);
				free(v);
			}
		return;
	}
	if (parent == NULL || !has_twin(parent, e))
		return;
	if (node_is_leaf(e)) {
		v = node_leaf_text(e);
		put_pred(b, NULL, ".", v);
		free(v);
		return;
	}
	if (packed_is(e)) {
		if (packed_child(e, NULL, &cname, &text) == 1 && text != NULL)
			put_pred(b, pfx, cname, text);
		return;
	}
	for (const xmlNode *c = e->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			if (node_is_leaf(c)) {
				v = node_leaf_text(c);
				put_pred(b, c->ns != NULL ? made_prefix(b, c->ns) : NULL,
				    (const char *)c->name, v);
				free(v);
			}
			return;
		}
}

/* One step: /pfx:name and its predicates (e under parent; sn its schema node or NULL). */
static void
put_step(struct tbuf *b, struct cfg_edits *l, const xmlNode *parent, const xmlNode *e,
    const struct lysc_node *sn)
{
	const char *pfx = NULL;
	char *v;

	put(b, "/");
	if (sn != NULL)
		pfx = prefix_for(b, sn->module->prefix, sn->module->ns);
	else if (e->ns != NULL)
		pfx = made_prefix(b, e->ns);
	if (pfx != NULL) {
		put(b, pfx);
		put(b, ":");
	}
	put(b, (const char *)e->name);
	if (sn == NULL) {
		put_schemaless_keys(b, l, parent, e, pfx);
		return;
	}
	if (sn->nodetype == LYS_LEAFLIST) {
		v = node_leaf_text(e);
		put_pred(b, NULL, ".", v);
		free(v);
	} else if (sn->nodetype == LYS_LIST) {
		for (const struct lysc_node *k = lysc_node_child(sn); k != NULL &&
		    lysc_is_key(k); k = k->next)
			if ((v = child_text(e, k->name)) != NULL) {
				put_pred(b, prefix_for(b, k->module->prefix, k->module->ns),
				    k->name, v);
				free(v);
			}
	}
}

static void
edit_clear(struct cfg_edit *e)
{
	for (size_t i = 0; i < 2 * e->ndecl; i++)
		free(e->decl[i]);
	free(e->decl);
	free(e->target);
	memset(e, 0, sizeof(*e));
}

/*
 * node's target into e (parent: where node was, when unlinked).  0, or
 * -1 when node is not in a datastore document any more (inside a removed
 * subtree: that removal covers it) or too deep.
 */
static int
target_of(struct cfg_edits *l, xmlNodePtr parent, xmlNodePtr node, struct cfg_edit *e,
    int *bad)
{
	const xmlNode *steps[DEPTH_MAX], *up[DEPTH_MAX], *cur;
	const struct lysc_node *sn = NULL;
	struct tbuf b = { NULL, 0, 0, 0, e };
	int n = 0, known = l->schema != NULL;

	steps[n] = node;
	up[n++] = parent != NULL ? parent : node->parent;
	for (cur = up[0]; cur != NULL && cur->type == XML_ELEMENT_NODE && cur->parent != NULL &&
	    cur->parent->type == XML_ELEMENT_NODE; cur = cur->parent) {
		if (n == DEPTH_MAX)
			return -1;
		steps[n] = cur;
		up[n++] = cur->parent;
	}
	if (cur == NULL || cur->type != XML_ELEMENT_NODE || cur->parent == NULL ||
	    cur->parent->type != XML_DOCUMENT_NODE)
		return -1;
	b.s = xmalloc(CFG_TARGET_MAX);
	b.s[0] = '\0';
	while (n-- > 0) {
		if (known)
			sn = steps[n]->ns != NULL ? schema_child(l->schema, sn,
			    (const char *)steps[n]->ns->href, (const char *)steps[n]->name) : NULL;
		known = sn != NULL;
		put_step(&b, l, up[n], steps[n], known ? sn : NULL);
	}
	e->target = b.s;
	*bad = b.bad;
	return 0;
}

const char *
cfg_op_name(enum cfg_op op)
{
	static const char *const names[] = { "create", "delete", "merge", "replace" };

	return names[op];
}

void
cfg_edits_init(struct cfg_edits *l, struct schema *schema, xmlHashTablePtr keys)
{
	memset(l, 0, sizeof(*l));
	l->schema = schema;
	l->keys = keys;
}

void
cfg_edits_free(struct cfg_edits *l)
{
	for (size_t i = 0; i < l->n; i++)
		edit_clear(&l->e[i]);
	l->n = 0;
}

/* 1 when target t is below target a. */
static int
below(const char *t, const char *a)
{
	size_t n = strlen(a);

	return strncmp(t, a, n) == 0 && t[n] == '/';
}

static void
too_many(struct cfg_edits *l)
{
	cfg_edits_free(l);
	l->over = 1;
}

void
cfg_edits_add(struct cfg_edits *l, xmlNodePtr parent, xmlNodePtr node, enum cfg_op op)
{
	struct cfg_edit e = { 0 };
	size_t i, j;
	int bad = 0;

	if (l->over || node == NULL || node->type != XML_ELEMENT_NODE)
		return;
	if (target_of(l, parent, node, &e, &bad) == -1) {
		edit_clear(&e);
		return;
	}
	if (bad) {
		edit_clear(&e);
		too_many(l);
		return;
	}
	e.op = op;
	for (i = 0; i < l->n; i++) {
		struct cfg_edit *x = &l->e[i];

		if (strcmp(x->target, e.target) == 0) {
			/* added and removed in one edit: replaced */
			if ((x->op == CFG_CREATE && op == CFG_DELETE) ||
			    (x->op == CFG_DELETE && op == CFG_CREATE) || op == CFG_REPLACE)
				x->op = CFG_REPLACE;
			else if (x->op == CFG_MERGE)
				x->op = op;
			edit_clear(&e);
			return;
		}
		if (x->op != CFG_MERGE && below(e.target, x->target)) {
			edit_clear(&e);
			return;	/* covered by the change above it */
		}
	}
	/* a create, replace or delete covers what was reported below it */
	if (op != CFG_MERGE)
		for (i = j = 0; i < l->n; i++) {
			if (below(l->e[i].target, e.target))
				edit_clear(&l->e[i]);
			else
				l->e[j++] = l->e[i];
		}
	else
		j = l->n;
	l->n = j;
	if (l->n == CFG_EDITS_MAX) {
		edit_clear(&e);
		too_many(l);
		return;
	}
	l->e[l->n++] = e;
}

void
edit_report(struct edit_ctx *c, size_t from, size_t to)
{
	struct cfg_edits *l = c->report;

	for (size_t i = from; l != NULL && !l->over && i < to; i++) {
		const struct edit_change *ch = &c->log[i];

		switch (ch->kind) {
		case EC_UNPACKED:
			break;	/* the same data held differently */
		case EC_TEXT:
			cfg_edits_add(l, NULL, ch->node->parent, CFG_MERGE);
			break;
		case EC_ADDED:
			if (ch->node->type == XML_ELEMENT_NODE)
				cfg_edits_add(l, NULL, ch->node, CFG_CREATE);
			else
				cfg_edits_add(l, NULL, ch->parent, CFG_MERGE);
			break;
		case EC_REMOVED:
			if (ch->node->type == XML_ELEMENT_NODE)
				cfg_edits_add(l, ch->parent, ch->node, CFG_DELETE);
			else
				cfg_edits_add(l, NULL, ch->parent, CFG_MERGE);
			break;
		}
	}
}
