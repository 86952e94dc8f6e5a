/*
 * The units of validate.c's scope besides the touched entries: the entry
 * of a split list a touched entry's leafref names (schema_keyref()),
 * found by its key, and every entry of a whole top-level container whose
 * split lists are too long to check apart; and the scope's primitives
 * validate.c builds it with (a top-level node added, a unit pushed,
 * where an element is).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

#define MAX_PATH	64	/* element levels searched for an entry */

static const char *
ns_of(const xmlNode *n)
{
	return n->ns != NULL ? (const char *)n->ns->href : NULL;
}

struct vtop *
vs_add_top(struct vscope *v, xmlNodePtr top, const struct lysc_node *sn, int whole)
{
	for (size_t i = 0; i < v->ntops; i++)
		if (v->tops[i].top == top) {
			v->tops[i].whole |= whole;
			return &v->tops[i];
		}
	v->tops = xreallocarray(v->tops, v->ntops + 1, sizeof(*v->tops));
	v->tops[v->ntops] = (struct vtop){ top, sn, whole };
	return &v->tops[v->ntops++];
}

void
vs_push(xmlNodePtr **a, size_t *n, size_t *cap, xmlNodePtr e)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*a = xreallocarray(*a, *cap, sizeof(**a));
	}
	(*a)[(*n)++] = e;
}

/*
 * Where element n is: its top-level node (*top, schema *tsn), the entry
 * of a split list it is in (*entry, NULL: none) and its own schema node
 * (*sn).  0, or -1 when n is off the tree or no module covers it.
 */
int
vs_locate(struct vscope *v, xmlNodePtr n, xmlNodePtr *top, const struct lysc_node **tsn,
    xmlNodePtr *entry, const struct lysc_node **sn)
{
	xmlNodePtr path[MAX_PATH];
	const struct lysc_node *cur = NULL;
	int depth = 0;

	*entry = NULL;
	*top = NULL;
	for (; n != NULL && n != v->root; n = n->parent) {
		if (n->type != XML_ELEMENT_NODE || depth == MAX_PATH)
			return -1;
		path[depth++] = n;
	}
	if (n == NULL || depth == 0)
		return -1;
	*top = path[depth - 1];
	*tsn = NULL;
	*sn = NULL;
	for (int i = depth - 1; i >= 0; i--) {
		if ((cur = schema_child(v->s, cur, ns_of(path[i]), (const char *)path[i]->name)) ==
		    NULL)
			return i == depth - 1 ? -1 : 0;	/* below: anydata or such */
		if (i == depth - 1)
			*tsn = cur;
		if (cur->nodetype == LYS_LIST && *entry == NULL) {
			if (schema_split(v->s, cur) == SPLIT_NO)
				return 0;	/* inside an unsplit list: the top is whole */
			*entry = path[i];
		}
		if (i == 0)
			*sn = cur;
	}
	return 0;
}

/* The entry of list (outermost) whose key is value, or NULL. */
static xmlNodePtr
find_entry(struct vscope *v, const struct lysc_node *list, const char *value)
{
	const struct lysc_node *chain[MAX_PATH], *key = lysc_node_child(list);
	xmlNodePtr p = v->root;
	int n = 0;

	for (const struct lysc_node *x = list->parent; x != NULL; x = x->parent)
		if (x->nodetype == LYS_CONTAINER && n < MAX_PATH)
			chain[n++] = x;
	while (p != NULL && n-- > 0) {
		xmlNodePtr c;

		packed_unpack(p);
		for (c = p->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
			    strcmp((const char *)c->name, chain[n]->name) == 0 &&
			    strcmp(ns_of(c), chain[n]->module->ns) == 0)
				break;
		p = c;
	}
	if (p == NULL)
		return NULL;
	packed_unpack(p);
	for (xmlNodePtr c = p->children; c != NULL; c = c->next) {
		const char *names[1] = { key->name };
		char *t;
		int same;

		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, list->name) != 0 ||
		    c->ns == NULL || strcmp(ns_of(c), list->module->ns) != 0)
			continue;
		t = vu_value_at(c, names, 1);
		same = t != NULL && strcmp(t, value) == 0;
		free(t);
		if (same)
			return c;
	}
	return NULL;
}

/* Adds the entries the leafrefs in copy (of an entry, schema node sn) name. */
static void
add_targets(struct vscope *v, xmlNodePtr copy, const struct lysc_node *sn)
{
	const struct schema_info *in;

	for (xmlNodePtr c = copy->children; c != NULL; c = c->next) {
		const struct lysc_node *csn, *list;

		if (c->type != XML_ELEMENT_NODE ||
		    (csn = schema_child(v->s, sn, ns_of(c), (const char *)c->name)) == NULL)
			continue;
		if ((csn->nodetype & (LYS_CONTAINER | LYS_LIST))) {
			add_targets(v, c, csn);
			continue;
		}
		if ((in = schema_info(v->s, csn)) == NULL || !(in->flags & SCHEMA_LEAFREF) ||
		    (list = schema_keyref(v->s, csn)) == NULL) {
			continue;
		}
		char *val = node_leaf_text(c);
		xmlNodePtr t = val != NULL ? find_entry(v, list, val) : NULL;
		const struct lysc_node *tsn = NULL, *dummy;
		xmlNodePtr top, entry;

		free(val);
		if (t != NULL && !vc_is_unit(v, t) &&
		    vs_locate(v, t, &top, &tsn, &entry, &dummy) == 0 && entry == t) {
			vs_push(&v->units, &v->nunits, &v->capunits, t);
			vs_add_top(v, top, tsn, 0);
		}
	}
}

/*
 * Adds the entries the leafrefs of units[from..] name (appended: theirs
 * come too), up to max.
 */
void
add_unit_targets(struct vscope *v, size_t from, size_t max)
{
	for (size_t i = from; v->nunits <= max && i < v->nunits; i++) {
		xmlNodePtr copy = packed_copy_node(v->units[i], NULL);
		const struct lysc_node *tsn = NULL, *sn;
		xmlNodePtr top, entry;

		packed_unpack_tree(copy);
		if (vs_locate(v, v->units[i], &top, &tsn, &entry, &sn) == 0 && sn != NULL)
			add_targets(v, copy, sn);
		tree_free(copy);
	}
}

/* Every entry of the split lists in container n (schema node sn) as a unit. */
static void
all_entries(struct vscope *v, xmlNodePtr n, const struct lysc_node *sn)
{
	const xmlChar *lname = NULL;
	const struct lysc_node *csn = NULL;

	if (packed_is(n))
		return;		/* a small container: no list of many */
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (c->name != lname) {
			csn = schema_child(v->s, sn, ns_of(c), (const char *)c->name);
			lname = c->name;
		}
		if (csn == NULL)
			continue;
		if (csn->nodetype == LYS_LIST && schema_split(v->s, csn) != SPLIT_NO) {
			vs_push(&v->units, &v->nunits, &v->capunits, c);
			vs_push(&v->uniq, &v->nuniq, &v->capuniq, c);
		} else if (csn->nodetype == LYS_CONTAINER)
			all_entries(v, c, csn);
	}
}

/*
 * A whole top-level container (a bulk edit created it) whose split lists
 * hold more than MAX_UNITS entries: every entry a unit, for chunks.
 */
void
split_whole(struct vscope *v, struct vtop *t)
{
	size_t nu = v->nunits, nq = v->nuniq;

	if (!t->whole || t->sn->nodetype != LYS_CONTAINER)
		return;
	all_entries(v, t->top, t->sn);
	if (v->nunits - nu > MAX_UNITS)
		t->whole = 0;
	else {
		v->nunits = nu;
		v->nuniq = nq;
	}
}
