/*
 * edit-config (RFC 6241 7.2) applied to an in-memory datastore tree.
 *
 * Operations merge, replace, create, delete, remove, and none (the
 * default-operation), at any depth through the nc:operation attribute in
 * the base namespace; an operation holds for the subtree below it until a
 * descendant names another.  create of an existing node -> data-exists;
 * delete of a missing node -> data-missing; none (or the default "none")
 * reaching a node missing from the datastore -> data-missing, as RFC 6241
 * says, so "none" never creates parents.  Inside a created or replaced
 * subtree, descendants marked delete/remove are left out.
 *
 * Which datastore node an edit node addresses (its "match"), and the
 * rules for it, are in edit_index.c.  Errors stop the edit at the first
 * one unless error-option is continue-on-error; the caller then undoes
 * the whole edit (stop-on-error is atomic here, like rollback-on-error).
 *
 * Every change of the tree goes through edit_add_child and
 * edit_remove_child (edit_log.c), which keep the list indexes
 * (edit_index.c) and log the change for edit_undo.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "xmalloc.h"
#include "memcap.h"
#include "tree_int.h"

enum eop { OP_MERGE, OP_REPLACE, OP_CREATE, OP_DELETE, OP_REMOVE, OP_NONE };

/* ---- building new nodes from the edit ---- */

static int
parse_op(const xmlNode *e, enum eop *op)
{
	static const char *const names[] = {
		"merge", "replace", "create", "delete", "remove", "none"
	};

	for (xmlAttrPtr a = e->properties; a != NULL; a = a->next) {
		if (!is_nc_operation(a))
			continue;
		xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
		int found = 0;
		for (size_t i = 0; i < 5 && v != NULL; i++)
			if (strcmp((const char *)v, names[i]) == 0) {
				*op = (enum eop)i;
				found = 1;
			}
		xmlFree(v);
		return found ? 1 : -1;
	}
	return 0;
}

/* Removes nc:operation attributes and delete/remove-marked children. */
static void
strip_ops(xmlNodePtr n)
{
	xmlAttrPtr a, an;
	xmlNodePtr c, cn;
	enum eop op;

	for (a = n->properties; a != NULL; a = an) {
		an = a->next;
		if (is_nc_operation(a) || is_yang_insert_attr(a))
			xmlRemoveProp(a);
	}
	for (c = n->children; c != NULL; c = cn) {
		cn = c->next;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (parse_op(c, &op) == 1 && (op == OP_DELETE || op == OP_REMOVE)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
			continue;
		}
		strip_ops(c);
	}
}

/*
 * Edit node e made ready to go under datastore node p: moved out of the
 * request when c->move (the request is discarded after the RPC, and a
 * copy of a 10 MB edit would be a second tree), else copied.  Moving
 * re-homes e's names in p's document and declares on e the namespaces
 * it used from the request's ancestors (edit_add_child then drops those p
 * already has in scope).  Leaves of an entry built off the tree are
 * copied: its key leaves must stay in the request, where a later error
 * in the entry takes its error-path's key predicates from.
 */
static xmlNodePtr
copy_for(struct edit_ctx *c, xmlNodePtr p, xmlNodePtr e)
{
	xmlNodePtr n;

	ns_carry_values(e);	/* prefixes its values use, declared on <config> (nsvalue.c) */
	if (c->move && !(c->detached && node_is_leaf(e))) {
		strip_ops(e);
		if (xmlDOMWrapAdoptNode(NULL, e->doc, e, p->doc, p, 0) != 0)
			xoom();	/* only on allocation failure */
		return e;
	}
	n = packed_copy_node(e, p->doc);
	strip_ops(n);
	return n;
}

/* ---- errors ---- */

/*
 * data-exists and data-missing would tell whether a node the session may
 * not read is there: such a node is answered access-denied (RFC 8341 3.4.5).
 * With modules loaded the error-path is the model's (/pfx:name[pfx:key='v']).
 */
static void
edit_error(struct edit_ctx *c, xmlNodePtr e, const char *tag, const char *msg)
{
	if ((strcmp(tag, TAG_DATA_EXISTS) == 0 || strcmp(tag, TAG_DATA_MISSING) == 0) &&
	    c->may_read != NULL && c->may_read(c->may_read_arg, e) != 1) {
		tag = TAG_ACCESS_DENIED;
		msg = "access denied";
	}
	if (c->schema != NULL) {
		edit_schema_refuse(c, e, tag, NULL, msg, NULL, NULL);
		return;
	}
	c->nerrors++;
	if (c->r != NULL) {
		xmlChar *path = xmlGetNodePath(e);
		rpc_error(c->r, ERR_APPLICATION, tag, (const char *)path, "%s", msg);
		xmlFree(path);
	}
}

/* ---- the walk ---- */

static int apply_children(struct edit_ctx *c, xmlNodePtr d, xmlNodePtr eparent,
    enum eop inherited, const struct lysc_node *psn, int known);

/*
 * Sets leaf d's text to e's.  A leaf holding one text node keeps it and
 * gets new content (the old is logged for edit_undo): re-merging 50,000
 * entries then costs no new nodes (it peaked at 194 MB with a new node
 * per leaf).  Otherwise a new text node, not e's moved in: moved text
 * nodes of a big merge stay scattered through the freed request's heap
 * and keep it resident (measured: 154 MB against 109 MB).
 */
static xmlNodePtr
set_leaf(struct edit_ctx *c, xmlNodePtr d, xmlNodePtr e)
{
	char *want, *have;
	xmlNodePtr t;

	packed_unpack(d);	/* a container that becomes a leaf */
	if (ns_leaf_rebinds(d, e)) {
		/*
		 * e's text means its prefixes as e's scope binds them, and d
		 * binds one otherwise or not at all: d is replaced by its copy
		 * (attributes kept, as a merge keeps them) declaring them as e
		 * does, so that the undo log (a remove and an add) can put d
		 * back.  Declared on d in place, a declaration alone was lost.
		 */
		xmlNodePtr n = xmlDocCopyNode(d, d->doc, 2);

		want = node_leaf_text(e);
		if (n == NULL || (t = xmlNewDocText(d->doc, BAD_CAST want)) == NULL)
			xoom();
		free(want);
		ns_rebind_leaf(n, e);
		xmlAddChild(n, t);
		edit_add_child(c, d->parent, n, d);
		edit_remove_child(c, d);
		return n;
	}
	ns_carry_leaf(d, e);	/* the prefixes e's value uses (nsvalue.c) */
	want = node_leaf_text(e);
	have = node_leaf_text(d);
	t = d->children;

	if (strcmp(want, have) != 0 && c->detached == 0 && t != NULL &&
	    t->next == NULL && t->type == XML_TEXT_NODE) {
		xmlChar *old = t->content, *nt = xmlStrdup(BAD_CAST want);
		/* inline (XML_PARSE_COMPACT) or dictionary text is not the node's to free */
		int owned = old != NULL && old != (xmlChar *)&t->properties &&
		    !(t->doc != NULL && t->doc->dict != NULL && xmlDictOwns(t->doc->dict, old));

		if (nt == NULL)
			xoom();
		index_text_changing(c->keys, d, t);
		t->content = nt;
		edit_log_change(c, EC_TEXT, t, NULL, NULL);
		c->log[c->nlog - 1].old_text = old;
		c->log[c->nlog - 1].old_owned = owned;
	} else if (strcmp(want, have) != 0 || node_first_elem(d) != NULL) {
		while (d->children != NULL)
			edit_remove_child(c, d->children);
		if ((t = xmlNewDocText(d->doc, BAD_CAST want)) == NULL)
			xoom();
		edit_add_child(c, d, t, NULL);
	}
	free(want);
	free(have);
	return d;
}

/*
 * 1 when a subtree being created holds operations that must be checked
 * node by node (delete/none report data-missing; a bad value, bad-attribute).
 */
static int
needs_walk(xmlNodePtr n)
{
	enum eop op;
	int rc;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->properties != NULL && (rc = parse_op(n, &op)) != 0 &&
		    (rc == -1 || op == OP_DELETE || op == OP_NONE))
			return 1;
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
			if (is_yang_insert_attr(a))
				return 1;	/* an ordered-by user entry placed */
		if (needs_walk(n->children))
			return 1;
	}
	return 0;
}

/*
 * One edit node e under datastore node p (schema node psn, known: see
 * edit_schema_node); returns -1 to stop the edit.  First what the
 * change is (the model's checks, the node it addresses), then the
 * change.
 */
/*
 * New node n goes under p before next (at: a place was asked for,
 * edit_order.c; else at the end).  A node of another case of the same
 * choice goes (RFC 7950 7.9.6).
 */
static void
add_new(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn,
    const struct lysc_node *sn, xmlNodePtr n, int at, xmlNodePtr next)
{
	xmlNodePtr x;

	while ((x = edit_schema_other_case(c, p, psn, sn)) != NULL) {
		if (x == next)
			next = next->next;
		edit_remove_child(c, x);
	}
	edit_add_child(c, p, n, at ? next : NULL);
}

/*
 * Existing entry d moves before next (NULL: the end): a copy goes
 * there and d goes, so the undo log needs no kind of its own.
 */
static void
move_entry(struct edit_ctx *c, xmlNodePtr p, xmlNodePtr d, xmlNodePtr next)
{
	if (next == d || next == d->next)
		return;
	edit_add_child(c, p, packed_copy_node(d, p->doc), next);
	edit_remove_child(c, d);
}

/*
 * One edit node e under datastore node p (schema node psn, known: see
 * edit_schema_node); returns -1 to stop the edit.  First what the
 * change is (the model's checks, the node it addresses, where an
 * ordered-by user entry goes), then the change.  hint: what e's
 * previous sibling matched (index_match); *kept: the node e matched
 * when it stays where it was (merge, none), for e's next sibling.
 */
static int
apply_node(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn, int known,
    xmlNodePtr e, enum eop op, int lonely, xmlNodePtr hint, xmlNodePtr *kept)
{
	const struct lysc_node *sn = NULL;
	int writes, whole, ckn, at = 0;
	xmlNodePtr d, n, next = NULL;
	int rc;

	if (memcap_over()) {	/* the caller answers resource-denied and undoes the edit */
		c->nerrors++;
		return -1;
	}
	if ((rc = parse_op(e, &op)) == -1) {
		edit_error(c, e, TAG_BAD_ATTRIBUTE, "bad operation attribute");
		return c->erropt == ERROPT_CONTINUE ? 0 : -1;
	}
	writes = op == OP_MERGE || op == OP_REPLACE || op == OP_CREATE;
	if (c->schema != NULL && edit_schema_node(c, e, psn, known, writes, &sn) != 0)
		return c->erropt == ERROPT_CONTINUE ? 0 : -1;
	ckn = edit_schema_known(sn);
	d = index_match(c, p, psn, known, e, sn, lonely, hint);
	if (writes && c->schema != NULL && order_place(c, p, psn, known, e, sn, &at, &next))
		return c->erropt == ERROPT_CONTINUE ? 0 : -1;
	/* a subtree copied whole: its descendants are checked now */
	whole = op == OP_REPLACE || op == OP_CREATE ||
	    (op == OP_MERGE && d == NULL && (node_is_leaf(e) || !needs_walk(e->children)));
	if (whole && sn != NULL && edit_schema_subtree(c, e, sn) != 0)
		return c->erropt == ERROPT_CONTINUE ? 0 : -1;
	switch (op) {
	case OP_MERGE:
		if (d == NULL) {
			if (node_is_leaf(e) || !needs_walk(e->children)) {
				/* a new subtree with nothing inside to check: one copy */
				add_new(c, p, psn, sn, copy_for(c, p, e), at, next);
				return 0;
			}
			/*
			 * The element, then its children one by one (they may
			 * carry operations), built off the tree so it is indexed
			 * under its final key.
			 */
			if ((n = xmlDocCopyNode(e, p->doc, 2)) == NULL)
				xoom();
			strip_ops(n);
			c->detached++;
			rc = apply_children(c, n, e, op, sn, ckn);
			c->detached--;
			if (rc == -1) {
				tree_free(n);
				return -1;
			}
			add_new(c, p, psn, sn, n, at, next);
			return 0;
		}
		if (node_is_leaf(e))
			d = set_leaf(c, d, e);
		else if (apply_children(c, d, e, op, sn, ckn) == -1)
			return -1;
		if (at)
			move_entry(c, p, d, next);
		else
			*kept = d;
		return 0;
	case OP_NONE:
		if (d == NULL) {
			edit_error(c, e, TAG_DATA_MISSING, "no such node in the datastore");
			return c->erropt == ERROPT_CONTINUE ? 0 : -1;
		}
		*kept = d;
		return node_is_leaf(e) ? 0 : apply_children(c, d, e, op, sn, ckn);
	case OP_REPLACE:
		n = copy_for(c, p, e);
		if (d == NULL)
			add_new(c, p, psn, sn, n, at, next);
		else {
			edit_add_child(c, p, n, at ? next : d);
			edit_remove_child(c, d);
		}
		return 0;
	case OP_CREATE:
		if (d != NULL) {
			edit_error(c, e, TAG_DATA_EXISTS, "node exists already");
			return c->erropt == ERROPT_CONTINUE ? 0 : -1;
		}
		add_new(c, p, psn, sn, copy_for(c, p, e), at, next);
		return 0;
	case OP_DELETE:
		if (d == NULL) {
			edit_error(c, e, TAG_DATA_MISSING, "node to delete does not exist");
			return c->erropt == ERROPT_CONTINUE ? 0 : -1;
		}
		edit_remove_child(c, d);
		return 0;
	case OP_REMOVE:
		if (d != NULL)
			edit_remove_child(c, d);
		return 0;
	}
	return 0;
}

static int apply_children_unpacked(struct edit_ctx *c, xmlNodePtr d,
    xmlNodePtr eparent, enum eop inherited, const struct lysc_node *psn, int known);

static int
apply_children(struct edit_ctx *c, xmlNodePtr d, xmlNodePtr eparent, enum eop inherited,
    const struct lysc_node *psn, int known)
{
	size_t at = c->nlog;
	int e_packed = packed_unpack(eparent);
	/* a few leaves of a big container of leaves: only those unpacked */
	struct sparse *sparse = edit_sparse_open(c, d, eparent,
	    inherited == OP_MERGE || inherited == OP_NONE, known);
	int d_packed = sparse == NULL && edit_unpack(c, d);
	int rc = apply_children_unpacked(c, d, eparent, inherited, psn, known);

	if (sparse != NULL)
		edit_sparse_close(c, d, at, sparse);
	else if (d_packed && !c->log_inside)
		edit_repack(c, d, at);
	else if (d_packed)
		edit_repack_checked(c, d, at);
	/* what is left of the request's node (not moved into d) is read no more */
	if (e_packed)
		packed_pack_tree(eparent);
	return rc;
}

/*
 * Applies edit node e (a child of eparent, lonely: no sibling of its
 * name) to d's children.  Applied: what stayed of a consumed request is
 * freed now, not after the RPC.  Leaves stay: they may be keys, which a
 * later sibling's error-path names.
 */
static int
apply_one(struct edit_ctx *c, xmlNodePtr d, xmlNodePtr eparent, xmlNodePtr e,
    enum eop inherited, const struct lysc_node *psn, int known, int lonely, xmlNodePtr *kept)
{
	xmlNodePtr hint = *kept;
	int rc;

	*kept = NULL;
	rc = apply_node(c, d, psn, known, e, inherited, lonely, hint, kept);
	if (rc == 0 && c->move && e->parent == eparent && !node_is_leaf(e))
		tree_free(e);
	return rc;
}

static int
apply_children_unpacked(struct edit_ctx *c, xmlNodePtr d, xmlNodePtr eparent,
    enum eop inherited, const struct lysc_node *psn, int known)
{
	struct { xmlNodePtr e; int lonely; } el[8];
	xmlHashTablePtr names;
	xmlNodePtr kept = NULL;	/* a child of d the previous edit node matched */
	size_t nel = 0, i = 0;
	int rc = 0;

	for (xmlNodePtr e = eparent->children; e != NULL; e = e->next)
		if (e->type == XML_ELEMENT_NODE)
			nel++;
	if (nel <= 8) {
		/*
		 * The edit nodes and their "lonely" flags are taken before any
		 * is applied: applying may move a node out of eparent (c->move).
		 */
		for (xmlNodePtr e = eparent->children; e != NULL; e = e->next) {
			int lonely = 1;
			if (e->type != XML_ELEMENT_NODE)
				continue;
			for (xmlNodePtr o = eparent->children; o != NULL; o = o->next)
				if (o != e && node_same_name(o, e))
					lonely = 0;
			el[i].e = e;
			el[i++].lonely = lonely;
		}
		for (i = 0; i < nel && rc == 0; i++)
			rc = apply_one(c, d, eparent, el[i].e, inherited, psn, known, el[i].lonely,
			    &kept);
		return rc;
	}
	/*
	 * Many: names counted once so "lonely" is not a quadratic scan, and
	 * no array of them (50,000 entries: 800 kB at an edit's peak, when
	 * the request and the datastore are both whole).  Applying e moves
	 * or frees e alone, so its next sibling is taken before.
	 */
	if ((names = xmlHashCreate(64)) == NULL)
		xoom();
	for (xmlNodePtr e = eparent->children; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		char *nk = node_name_key(e);
		intptr_t cnt = (intptr_t)xmlHashLookup(names, BAD_CAST nk);
		xmlHashUpdateEntry(names, BAD_CAST nk, (void *)(cnt + 1), NULL);
		free(nk);
	}
	for (xmlNodePtr e = eparent->children, next; e != NULL && rc == 0; e = next) {
		char *nk;
		int lonely;

		next = e->next;
		if (e->type != XML_ELEMENT_NODE)
			continue;
		nk = node_name_key(e);
		lonely = (intptr_t)xmlHashLookup(names, BAD_CAST nk) == 1;
		free(nk);
		rc = apply_one(c, d, eparent, e, inherited, psn, known, lonely, &kept);
	}
	xmlHashFree(names, NULL);
	return rc;
}

int
edit_apply(struct edit_ctx *c, xmlNodePtr root, xmlNodePtr config)
{
	enum eop op = c->defop == DEFOP_REPLACE ? OP_REPLACE :
	    c->defop == DEFOP_NONE ? OP_NONE : OP_MERGE;

	edit_generation++;
	c->nerrors = 0;
	c->config = config;
	if (c->defop == DEFOP_REPLACE) {
		/* default-operation replace: the config replaces the whole datastore */
		while (root->children != NULL)
			edit_remove_child(c, root->children);
		op = OP_MERGE;
	}
	apply_children(c, root, config, op, NULL, 1);
	return c->nerrors;
}
