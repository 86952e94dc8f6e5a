/*
 * YANG validation of a datastore after a change: mandatory, min/max-
 * elements, unique, must, when, leafref and the types, by libyang
 * (schema_validate_xml), on what the change touched.
 *
 * What libyang gets: a copy of every top-level node the change touched
 * (and of the top-level nodes related to it by must/when/leafref,
 * schema_related()), each whole except the lists schema_split() allows
 * to split: of those, only the touched entries, the entries their
 * leafrefs name (schema_keyref()) and, for min-elements 1, one entry.
 * What that copy cannot show is checked on the whole list: the count
 * against min-/max-elements (validate_copy.c, which builds the copy),
 * and a touched entry's unique values against every other entry (an
 * entry added, or a leaf named by a unique statement written).  When
 * one fails, or a split list lost an entry others may refer to
 * (SPLIT_NOREMOVE), the top-level node is validated whole, so the error
 * is libyang's.
 *
 * What was touched: for an edit, its undo log (edit_ctx); for a commit,
 * the difference between the candidate and running (validate_diff.c) or
 * the overlay's edits (validate_edits.c); for <validate> and
 * copy-config, everything.  Data no module covers is not validated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

#define MAX_RELATED	16
#define CHUNK		2048

static const char *
ns_of(const xmlNode *n)
{
	return n->ns != NULL ? (const char *)n->ns->href : NULL;
}

/* Every top-level node of the module of removed (a top-level node), whole. */
static void
module_whole(struct vscope *v, xmlNodePtr removed)
{
	const struct lysc_node *rsn = schema_child(v->s, NULL, ns_of(removed),
	    (const char *)removed->name), *sn;

	if (rsn == NULL)
		return;
	for (xmlNodePtr c = v->root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    (sn = schema_child(v->s, NULL, ns_of(c), (const char *)c->name)) != NULL &&
		    sn->module == rsn->module)
			vs_add_top(v, c, sn, 1);
}

/* Element n changed (added: a new subtree or an unpacked one; else its value). */
static void
touched(struct vscope *v, xmlNodePtr n, int added)
{
	const struct lysc_node *tsn = NULL, *sn = NULL;
	const struct schema_info *in;
	xmlNodePtr top, entry;
	int uniq;

	if (vs_locate(v, n, &top, &tsn, &entry, &sn) == -1)
		return;
	if (entry == NULL || n == top) {
		vs_add_top(v, top, tsn, 1);
		return;
	}
	vs_add_top(v, top, tsn, 0);
	uniq = added && (n == entry || !node_is_leaf(n));
	if (!uniq && sn != NULL && (in = schema_info(v->s, sn)) != NULL &&
	    (in->flags & SCHEMA_UNIQUE))
		uniq = 1;
	vs_push(&v->units, &v->nunits, &v->capunits, entry);
	if (uniq)
		vs_push(&v->uniq, &v->nuniq, &v->capuniq, entry);
}

/* Node removed was taken from parent. */
static void
removed_from(struct vscope *v, xmlNodePtr parent, xmlNodePtr removed)
{
	const struct lysc_node *tsn = NULL, *sn = NULL, *rsn;
	xmlNodePtr top, entry;

	if (removed->type != XML_ELEMENT_NODE) {
		touched(v, parent, 0);
		return;
	}
	vs_push(&v->gone, &v->ngone, &v->capgone, removed);
	if (parent == v->root) {
		module_whole(v, removed);
		return;
	}
	if (vs_locate(v, parent, &top, &tsn, &entry, &sn) == -1)
		return;
	if (entry != NULL) {
		vs_push(&v->units, &v->nunits, &v->capunits, entry);
		vs_push(&v->uniq, &v->nuniq, &v->capuniq, entry);	/* a unique leaf may be gone */
		vs_add_top(v, top, tsn, 0);
		return;
	}
	rsn = sn != NULL ? schema_child(v->s, sn, ns_of(removed), (const char *)removed->name) :
	    NULL;
	vs_add_top(v, top, tsn, rsn == NULL || rsn->nodetype != LYS_LIST ||
	    schema_split(v->s, rsn) != SPLIT_YES);
}

#define MAX_PICK	(2 * 8 + 3)

/*
 * The entries of like's list (schema node sn, a unique clash) that give
 * libyang's error on the whole list (validate_clash.c), and the list's
 * first three (libyang checks two entries another way than more), into
 * pick; 0 when not found so (the list is validated whole).
 */
static size_t
clash_pick(xmlNodePtr like, const struct lysc_node *sn, xmlNodePtr pick[MAX_PICK])
{
	size_t n = vd_clash_entries(like, sn, pick, MAX_PICK - 3), first = 0;

	if (n == 0)
		return 0;
	for (xmlNodePtr o = like->parent->children; o != NULL && first < 3; o = o->next)
		if (node_same_name(o, like)) {
			pick[n++] = o;
			first++;
		}
	return n;
}

/*
 * A unique clash in the list of entry like (schema node sn), every
 * chunk valid: libyang's error on the whole list, from clash_pick's
 * entries.  -1 with the error; 1 when not found so: the tops are
 * validated whole.
 */
static int
clash_alone(struct vscope *v, struct rpc *r, xmlNodePtr like, const struct lysc_node *sn)
{
	xmlNodePtr pick[MAX_PICK];
	struct vscope c = *v;
	size_t n = clash_pick(like, sn, pick);
	int rc;

	if (n == 0)
		return 1;
	c.nunits = c.capunits = n;
	c.units = xreallocarray(NULL, n, sizeof(*c.units));
	memcpy(c.units, pick, n * sizeof(*c.units));
	add_unit_targets(&c, 0, SIZE_MAX);
	vc_sort_unique(c.units, &c.nunits);
	c.nsorted = c.nunits;
	rc = vc_validate(&c, r, 1, 1);
	free(c.units);
	return rc == -1 ? -1 : 1;
}

/*
 * A big edit's entries, CHUNK at a time with their leafrefs' targets
 * (libyang's tree of a whole 50,000-entry list was several times the
 * store).  0 when all is valid; -1 with the error of a unique clash
 * when every chunk is valid (clash_alone); 1 when the tops are to be
 * validated whole instead: a count, an invalid chunk, so an error is
 * libyang's on the whole list as it was before chunks.
 */
static int
run_chunks(struct vscope *v, struct rpc *r)
{
	const struct lysc_node *clash_sn = NULL;
	xmlNodePtr clash = NULL;
	int one_list;

	vc_sort_unique(v->units, &v->nunits);
	vc_sort_unique(v->uniq, &v->nuniq);
	for (size_t i = 0; i < v->nuniq && clash == NULL; i++) {
		const struct lysc_node *tsn = NULL, *sn;
		xmlNodePtr top, entry, prev = i > 0 ? v->uniq[i - 1] : NULL;

		if (vs_locate(v, v->uniq[i], &top, &tsn, &entry, &sn) != 0 || sn == NULL ||
		    sn->nodetype != LYS_LIST)
			continue;
		/* many: each list once, whole; few: each entry against the others */
		if (v->nuniq <= MAX_UNITS) {
			if (vu_unique_clash(v->uniq[i], sn, v->gone, v->ngone, v->umode))
				return 1;
		} else if ((prev == NULL || prev->parent != v->uniq[i]->parent ||
		    !node_same_name(prev, v->uniq[i])) &&
		    vd_list_clash(v->uniq[i], sn, v->uniq, v->nuniq, v->gone, v->ngone, v->umode)) {
			clash = v->uniq[i];
			clash_sn = sn;
		}
	}
	one_list = clash != NULL;
	/*
	 * A chunk of that list's entries alone refused for a unique clash
	 * passed all that libyang checks before unique (types, leafrefs,
	 * when, the entries' musts): the next chunk is checked.
	 */
	for (size_t i = 0; one_list && i < v->nunits; i++)
		one_list = v->units[i]->parent == clash->parent &&
		    node_same_name(v->units[i], clash);
	for (size_t at = 0; at < v->nunits; at += CHUNK) {
		struct vscope c = *v;
		int rc;

		c.nunits = c.capunits = c.nsorted = v->nunits - at < CHUNK ? v->nunits - at : CHUNK;
		c.units = xreallocarray(NULL, c.nunits, sizeof(*c.units));
		memcpy(c.units, v->units + at, c.nunits * sizeof(*c.units));
		add_unit_targets(&c, 0, SIZE_MAX);
		vc_sort_unique(c.units, &c.nunits);
		c.nsorted = c.nunits;
		rc = vc_validate(&c, r, at == 0, 0);
		free(c.units);
		if (rc != 0 && !(rc == -1 && one_list && c.unique_failed))
			return 1;
	}
	return clash != NULL ? clash_alone(v, r, clash, clash_sn) : 0;
}

/* 1 when entry e is of the list of one of done[0..n). */
static int
same_list(xmlNodePtr const *done, size_t n, xmlNodePtr e)
{
	for (size_t i = 0; i < n; i++)
		if (done[i]->parent == e->parent && node_same_name(done[i], e))
			return 1;
	return 0;
}

/* Builds the copy, validates it; 0 or -1 with the error. */
static int
run(struct vscope *v, struct rpc *r)
{
	const struct lysc_node *rel[MAX_RELATED];
	xmlNodePtr done[MAX_RELATED];	/* an entry of each list whose clash is picked */
	size_t ndone;

	if (v->all)
		for (xmlNodePtr c = v->root->children; c != NULL; c = c->next) {
			const struct lysc_node *sn;

			if (c->type == XML_ELEMENT_NODE &&
			    (sn = schema_child(v->s, NULL, ns_of(c), (const char *)c->name)) != NULL)
				vs_add_top(v, c, sn, 1);
		}
	for (size_t i = 0, n = v->ntops; i < n; i++) {
		size_t nr = schema_related(v->s, v->tops[i].sn, rel, MAX_RELATED);

		for (xmlNodePtr c = v->root->children; nr > 0 && c != NULL; c = c->next)
			for (size_t k = 0; k < nr; k++)
				if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
				    strcmp((const char *)c->name, rel[k]->name) == 0 &&
				    strcmp(ns_of(c), rel[k]->module->ns) == 0)
					vs_add_top(v, c, rel[k], 1);
	}
	if (v->ntops == 0)
		return 0;
	if (v->umode == VU_EDIT)
		for (size_t i = 0; i < v->ntops; i++)
			split_whole(v, &v->tops[i]);
	if (v->nunits > MAX_UNITS) {
		int rc = run_chunks(v, r);

		if (rc <= 0)
			return rc;
		for (size_t i = 0; i < v->ntops; i++)	/* as before chunks: whole */
			v->tops[i].whole = 1;
		return vc_validate(v, r, 1, 1);
	}
	/* the entries leafrefs name, then the unique values */
	/* targets are appended: their own leafrefs' targets come too */
	add_unit_targets(v, 0, MAX_UNITS);
	ndone = 0;
	/*
	 * A clash: the entries libyang's error names join the units
	 * (clash_pick; the other entries were valid and are still), rather
	 * than the list whole (a one-entry edit of a 50,000-entry list
	 * peaked at 122 MB), with the entries their leafrefs name.
	 */
	for (size_t i = 0, n, from; v->nunits <= MAX_UNITS && i < v->nuniq; i++) {
		const struct lysc_node *tsn = NULL, *sn;
		xmlNodePtr top, entry, pick[MAX_PICK];

		if (same_list(done, ndone, v->uniq[i]))
			continue;	/* its list's clash is in already */
		if (vs_locate(v, v->uniq[i], &top, &tsn, &entry, &sn) != 0 || sn == NULL ||
		    sn->nodetype != LYS_LIST ||
		    !vu_unique_clash(v->uniq[i], sn, v->gone, v->ngone, v->umode))
			continue;
		if (ndone == MAX_RELATED || (n = clash_pick(v->uniq[i], sn, pick)) == 0) {
			vs_add_top(v, top, tsn, 1);
			continue;
		}
		done[ndone++] = v->uniq[i];
		from = v->nunits;
		for (size_t k = 0; k < n; k++)
			vs_push(&v->units, &v->nunits, &v->capunits, pick[k]);
		add_unit_targets(v, from, MAX_UNITS);
	}
	if (v->nunits > MAX_UNITS)	/* a big edit: the touched top-level nodes whole */
		for (size_t i = 0; i < v->ntops; i++)
			v->tops[i].whole = 1;
	return vc_validate(v, r, 1, 1);
}

static void
scope_free(struct vscope *v)
{
	free(v->tops);
	free(v->units);
	free(v->uniq);
	free(v->gone);
}

int
tree_validate_all(struct schema *s, struct rpc *r, xmlNodePtr root)
{
	struct vscope v = { .s = s, .root = root, .all = 1 };
	int rc;

	if (s == NULL || root == NULL)
		return 0;
	rc = run(&v, r);
	scope_free(&v);
	return rc;
}

int
tree_validate_edit(struct schema *s, struct rpc *r, xmlNodePtr root, const struct edit_ctx *c)
{
	struct vscope v = { .s = s, .root = root, .umode = VU_EDIT };
	int rc;

	if (s == NULL || root == NULL)
		return 0;
	for (size_t i = 0; i < c->nlog; i++) {
		const struct edit_change *ch = &c->log[i];

		switch (ch->kind) {
		case EC_ADDED:
			if (ch->node->type == XML_ELEMENT_NODE)
				touched(&v, ch->node, 1);
			else if (ch->node->parent != NULL)
				touched(&v, ch->node->parent, 0);
			break;
		case EC_TEXT:
			if (ch->node->parent != NULL)
				touched(&v, ch->node->parent, 0);
			break;
		case EC_UNPACKED:
			/* what changed inside is not logged: its unique values may have */
			touched(&v, ch->node, 1);
			break;
		case EC_REMOVED:
			removed_from(&v, ch->parent, ch->node);
			break;
		}
	}
	rc = run(&v, r);
	scope_free(&v);
	return rc;
}

/* ---- for validate_edits.c and validate_diff.c: a scope built from outside ---- */

struct vscope *
vs_new(struct schema *s, xmlNodePtr root, enum vu_mode umode)
{
	struct vscope *v = xcalloc(1, sizeof(*v));

	v->s = s;
	v->root = root;
	v->umode = umode;
	return v;
}

void
vs_top(struct vscope *v, xmlNodePtr top, const struct lysc_node *tsn, int whole)
{
	(void)vs_add_top(v, top, tsn, whole);
}

void
vs_entry(struct vscope *v, xmlNodePtr top, const struct lysc_node *tsn, xmlNodePtr entry,
    int uniq)
{
	vs_add_top(v, top, tsn, 0);
	vs_push(&v->units, &v->nunits, &v->capunits, entry);
	if (uniq)
		vs_push(&v->uniq, &v->nuniq, &v->capuniq, entry);
}

void
vs_all(struct vscope *v)
{
	v->all = 1;
}

void
vs_module_whole(struct vscope *v, xmlNodePtr gone)
{
	module_whole(v, gone);
}

int
vs_run_free(struct vscope *v, struct rpc *r)
{
	int rc = run(v, r);

	scope_free(v);
	free(v);
	return rc;
}
