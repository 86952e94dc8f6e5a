/*
 * The scope of a commit whose candidate is running with edits applied
 * (an overlay's journal, store_overlay_edits): what each edit's <config>
 * names, found in the candidate, so a one-leaf edit of a 50,000-entry
 * list validates one entry, not the difference of two whole documents
 * (which also needs running's document, a parse of its whole file).
 *
 * Running was valid, so only what the edits reached can break it:
 * an entry of a split list (schema_split) an edit names, found in the
 * candidate by its keys, is checked as tree_validate_edit checks a
 * touched entry (whole, the entries its leafrefs name, the list's count
 * by validate.c, and its unique values against every other entry's when
 * the edit may have changed them: it names a leaf a unique statement
 * names, or carries an operation, so the entry may be new).  Anything
 * less plain makes its top-level node validated whole: an entry no
 * longer there (removed: who referred to it, min-elements), an
 * operation attribute outside an entry, a leaf outside an entry, an
 * unknown element, a packed container.  A top-level node gone takes
 * its module's others whole; default-operation replace, everything.
 */
#include <stdlib.h>
#include <string.h>

#include "tree_int.h"

#define MAX_KEYS	8

struct escope {
	struct schema	*s;
	struct vscope	*v;
	xmlNodePtr	 root;
};

static const char *
ns_of(const xmlNode *n)
{
	return n->ns != NULL ? (const char *)n->ns->href : NULL;
}

static xmlNodePtr
child_like(xmlNodePtr d, xmlNodePtr e)
{
	for (xmlNodePtr c = d->children; c != NULL; c = c->next)
		if (node_same_name(c, e))
			return c;
	return NULL;
}

/* The child of d like x whose leaves names[i] are vals[i], read one by one. */
static xmlNodePtr
walk_entries(xmlNodePtr d, xmlNodePtr x, int n, const char *const *names,
    const char *const *vals)
{
	for (xmlNodePtr c = d->children; c != NULL; c = c->next) {
		int same = node_same_name(c, x);

		for (int i = 0; same && i < n; i++) {
			char *t = vu_value_at(c, &names[i], 1);

			same = t != NULL && strcmp(t, vals[i]) == 0;
			free(t);
		}
		if (same)
			return c;
	}
	return NULL;
}

/* Entry x of an edit (list sn, below psn) as found below d; NULL: not there. */
static xmlNodePtr
find_entry(struct escope *es, xmlNodePtr d, const struct lysc_node *psn,
    const struct lysc_node *sn, xmlNodePtr x)
{
	const char *names[MAX_KEYS], *vals[MAX_KEYS];
	char *owned[MAX_KEYS];
	struct index_rules ru = { NULL, es->s, psn, 1 };
	xmlNodePtr found = NULL;
	int n = 0, ok = 1;

	for (const struct lysc_node *k = lysc_node_child(sn);
	    k != NULL && (k->flags & LYS_KEY); k = k->next) {
		xmlNodePtr kc;

		if (n == MAX_KEYS) {
			ok = 0;
			break;
		}
		for (kc = x->children; kc != NULL; kc = kc->next)
			if (kc->type == XML_ELEMENT_NODE &&
			    strcmp((const char *)kc->name, k->name) == 0)
				break;
		names[n] = k->name;
		owned[n] = kc != NULL ? node_leaf_text(kc) : NULL;
		vals[n] = owned[n];
		if (owned[n++] == NULL)
			ok = 0;
	}
	if (ok && n > 0 && !index_lookup(d, &ru, ns_of(x), (const char *)x->name, n, names,
	    vals, &found))
		found = walk_entries(d, x, n, names, vals);
	for (int i = 0; i < n; i++)
		free(owned[i]);
	return found;
}

/*
 * 1 when edit node x (schema node sn) may change a value a unique
 * statement names: it names such a leaf, carries an operation or
 * insert attribute (a new or replaced entry), or holds what the
 * schema does not know.
 */
static int
may_change_unique(struct escope *es, xmlNodePtr x, const struct lysc_node *sn)
{
	const struct schema_info *in;

	if (x->properties != NULL)
		return 1;
	for (xmlNodePtr c = x->children; c != NULL; c = c->next) {
		const struct lysc_node *csn;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if ((csn = schema_child(es->s, sn, ns_of(c), (const char *)c->name)) == NULL ||
		    (in = schema_info(es->s, csn)) == NULL || (in->flags & SCHEMA_UNIQUE) ||
		    may_change_unique(es, c, csn))
			return 1;
	}
	return 0;
}

/*
 * The edit's children of e (schema node sn) against the datastore's
 * children of d (top-level node top, tsn); 0, or -1: top is to be
 * validated whole.
 */
static int
walk(struct escope *es, xmlNodePtr e, xmlNodePtr d, const struct lysc_node *sn,
    xmlNodePtr top, const struct lysc_node *tsn)
{
	if (packed_is(d))
		return -1;
	for (xmlNodePtr x = e->children; x != NULL; x = x->next) {
		const struct lysc_node *xsn;
		xmlNodePtr dx;

		if (x->type != XML_ELEMENT_NODE)
			continue;
		if ((xsn = schema_child(es->s, sn, ns_of(x), (const char *)x->name)) == NULL)
			return -1;
		if (xsn->nodetype == LYS_CONTAINER) {
			if (x->properties != NULL || (dx = child_like(d, x)) == NULL ||
			    walk(es, x, dx, xsn, top, tsn) == -1)
				return -1;
			continue;
		}
		if (xsn->nodetype != LYS_LIST || schema_split(es->s, xsn) == SPLIT_NO ||
		    (dx = find_entry(es, d, sn, xsn, x)) == NULL)
			return -1;	/* a leaf, a list checked whole, an entry gone */
		vs_entry(es->v, top, tsn, dx, may_change_unique(es, x, xsn));
	}
	return 0;
}

int
tree_validate_edits(struct schema *s, struct rpc *r, xmlNodePtr root,
    xmlNodePtr const *configs, const enum edit_defop *defops, size_t n)
{
	struct escope es = { s, NULL, root };

	if (s == NULL || root == NULL)
		return 0;
	/* the candidate's kept unique values: its edits were folded into them */
	es.v = vs_new(s, root, VU_CURRENT);
	for (size_t i = 0; i < n; i++) {
		if (defops[i] == DEFOP_REPLACE) {
			vs_all(es.v);
			break;
		}
		for (xmlNodePtr e = configs[i]->children; e != NULL; e = e->next) {
			const struct lysc_node *tsn;
			xmlNodePtr top;

			if (e->type != XML_ELEMENT_NODE ||
			    (tsn = schema_child(s, NULL, ns_of(e), (const char *)e->name)) == NULL)
				continue;	/* no module covers it: not validated */
			if ((top = child_like(root, e)) == NULL) {
				vs_module_whole(es.v, e);	/* gone */
				continue;
			}
			if (tsn->nodetype != LYS_CONTAINER) {
				/* a top-level list or leaf: every node of that name */
				for (xmlNodePtr c = root->children; c != NULL; c = c->next)
					if (node_same_name(c, e))
						vs_top(es.v, c, tsn, 1);
				continue;
			}
			if (e->properties != NULL || walk(&es, e, top, tsn, top, tsn) == -1)
				vs_top(es.v, top, tsn, 1);
		}
	}
	return vs_run_free(es.v, r);
}
