/*
 * The scope of a commit from the difference between the candidate and
 * running (tree_validate_diff), when the candidate is not running with
 * an overlay's edits (validate_edits.c reads those): running was valid,
 * so only what differs can break it.  A top-level container is compared
 * child by child: an entry of a split list (schema_split) that changed
 * in place is checked as tree_validate_edit checks a touched entry, with
 * its unique values when they differ; anything else that differs (an
 * entry added, removed or moved, a leaf, a packed container) makes the
 * top-level node validated whole.  A top-level node gone takes its
 * module's others whole.  validate.c builds and runs the copy.
 */
#include <stdlib.h>
#include <string.h>

#include "tree_int.h"

/* The scope being built and the top-level node being compared. */
struct dscope {
	struct schema		*s;
	struct vscope		*v;
	xmlNodePtr		 top;
	const struct lysc_node	*tsn;
};

static const char *
ns_of(const xmlNode *n)
{
	return n->ns != NULL ? (const char *)n->ns->href : NULL;
}

static int same_tree(xmlNodePtr a, xmlNodePtr b);

/* Node a equals node b, children included; its siblings are not looked at. */
static int
same_node(xmlNodePtr a, xmlNodePtr b)
{
	if (a->type != b->type || packed_is(a) != packed_is(b))
		return 0;
	if (a->type == XML_TEXT_NODE)
		return xmlStrEqual(a->content, b->content);
	if (a->type != XML_ELEMENT_NODE)
		return 1;
	if (!xmlStrEqual(a->name, b->name) || !xmlStrEqual(BAD_CAST node_ns(a),
	    BAD_CAST node_ns(b)) || a->properties != NULL || b->properties != NULL)
		return 0;
	if (packed_is(a)) {
		size_t la, lb;
		const char *pa = packed_bytes(a, &la), *pb = packed_bytes(b, &lb);

		return la == lb && memcmp(pa, pb, la) == 0;
	}
	return same_tree(a->children, b->children);
}

/* Sibling lists a and b are equal. */
static int
same_tree(xmlNodePtr a, xmlNodePtr b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (!same_node(a, b))
			return 0;
	return a == NULL && b == NULL;
}

/*
 * Container a (new) against b (old), schema node sn, inside d's top-level
 * node; 0, or -1: validate the top whole.
 */
static int
diff_container(struct dscope *d, xmlNodePtr a, xmlNodePtr b, const struct lysc_node *sn)
{
	xmlNodePtr o;

	if (packed_is(a) || packed_is(b))
		return same_node(a, b) ? 0 : -1;
	o = b->children;
	for (xmlNodePtr c = a->children; c != NULL; c = c->next, o = o != NULL ? o->next : NULL) {
		const struct lysc_node *csn;

		if (o == NULL || c->type != o->type)
			return -1;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!node_same_name(c, o))
			return -1;
		if (c->properties == NULL && o->properties == NULL && same_node(c, o))
			continue;
		if ((csn = schema_child(d->s, sn, ns_of(c), (const char *)c->name)) == NULL)
			return -1;
		if (csn->nodetype == LYS_CONTAINER) {
			if (diff_container(d, c, o, csn) == -1)
				return -1;
			continue;
		}
		if (csn->nodetype != LYS_LIST || schema_split(d->s, csn) == SPLIT_NO ||
		    (lysc_node_child(csn) != NULL && !(lysc_node_child(csn)->flags & LYS_KEY)))
			return -1;
		/* the same entry (same first key) changed */
		const char *kn[1] = { lysc_node_child(csn)->name };
		char *x = vu_value_at(c, kn, 1), *y = vu_value_at(o, kn, 1);
		int same = x != NULL && y != NULL && strcmp(x, y) == 0;

		free(x);
		free(y);
		if (!same)
			return -1;
		vs_entry(d->v, d->top, d->tsn, c, vu_unique_changed(c, o, csn));
	}
	return o == NULL ? 0 : -1;
}

int
tree_validate_diff(struct schema *s, struct rpc *r, xmlNodePtr root, xmlNodePtr before)
{
	struct dscope d = { .s = s };

	if (s == NULL || root == NULL)
		return 0;
	if (before == NULL)
		return tree_validate_all(s, r, root);
	d.v = vs_new(s, root, VU_SCAN);
	for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
		const struct lysc_node *sn;
		xmlNodePtr o;

		if (c->type != XML_ELEMENT_NODE ||
		    (sn = schema_child(s, NULL, ns_of(c), (const char *)c->name)) == NULL)
			continue;
		for (o = before->children; o != NULL; o = o->next)
			if (o->type == XML_ELEMENT_NODE && node_same_name(o, c))
				break;
		if (o == NULL || c->properties != NULL || sn->nodetype != LYS_CONTAINER) {
			if (o == NULL || !(packed_is(c) ? same_node(c, o) :
			    same_tree(c->children, o->children)))
				vs_top(d.v, c, sn, 1);
			continue;
		}
		/* entries that changed add c cut to them; -1 makes it whole */
		d.top = c;
		d.tsn = sn;
		if (diff_container(&d, c, o, sn) == -1)
			vs_top(d.v, c, sn, 1);
	}
	/* a top-level node of a module gone: that module's others whole */
	for (xmlNodePtr o = before->children; o != NULL; o = o->next) {
		xmlNodePtr c;

		if (o->type != XML_ELEMENT_NODE)
			continue;
		for (c = root->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE && node_same_name(o, c))
				break;
		if (c == NULL)
			vs_module_whole(d.v, o);
	}
	return vs_run_free(d.v, r);
}
