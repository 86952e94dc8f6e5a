/*
 * Which datastore node an edit node addresses, and the per-parent hash
 * index that makes finding it cheap in big lists (for edit.c).
 *
 * The match of an edit node E, among the children of the datastore node
 * matched by E's parent, with the same local name and namespace as E:
 *   0. With a YANG module for E (edit_schema.c finds its schema node): a
 *      list entry by its keys, a leaf-list entry by its value, a leaf,
 *      container or anydata is the one node of its name.  Nothing else
 *      below applies.
 *   1. Schema keys: when the RELAX NG schema annotates E's element with
 *      nma:key="k1 k2" (RFC 6110; or nchome:key), the entry whose key
 *      leaves have the same values as E's.
 *   2. A leaf (E has no element children): the node with the same text
 *      (a leaf-list value).  Failing that, the only node of that name if
 *      there is exactly one and E has no sibling of its name in the edit
 *      (a leaf whose value changes).
 *   3. An element whose first child element is a leaf L (RFC 7950 7.8.5
 *      encodes list keys first) that carries no nc:operation and is not
 *      followed by an element of its name (a leaf-list): the node whose
 *      first child element is L with the same value.  Failing that, when
 *      some node of that name has L first too: no match, whatever E's
 *      operation, depth or other children (a merge, replace or create
 *      adds a new entry, a delete is data-missing, a remove does
 *      nothing).  Else the only node of that name if there is exactly
 *      one and E has no sibling of its name in the edit.
 *   4. Otherwise (a container): the first node of that name.
 * Without a schema an edit therefore never changes, replaces or deletes
 * a list entry that it names by another first-leaf value, at any depth,
 * top level included: never "the only node of that name" (issue 16).
 * The price: a container whose first child is a leaf cannot have that
 * leaf changed by a plain merge (it names a second container); an
 * operation on the leaf (it is then no key), a replace of the
 * container's parent (default-operation replace at the top level), a
 * delete of the container by its name alone and a merge of the new one,
 * or a YANG module (or schema keys) for exact semantics does it.
 *
 * The key strings are edit_keys.c's.
 *
 * Speed: a datastore node with many children gets a hash index of them
 * (in its _private field) keyed by the match rules above, kept up to date
 * by index_link_child and index_unlink_child, through which every change
 * of the tree goes (edit_log.c's edit_add_child and edit_remove_child).
 * A one-leaf edit of a 50,000-entry list is then a few hash look-ups.
 * The index holds each child's pointer and the 32-bit hash of its key,
 * not the key (index_slots.c): a look-up computes the key again of the
 * children whose hash is the asked key's (one, as a rule).
 * An index changes how fast, never which node: rule 4's first node of
 * that name is the first whatever its key, with or without one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "xmalloc.h"
#include "tree_int.h"

#define INDEX_MIN	32	/* children before a parent gets an index */

/* A parent's index: key -> child; "N" and "P" keys count names. */
struct index {
	struct islots	 slots;		/* children by key */
	xmlHashTablePtr	 counts;	/* "N" and "P" key -> count */
	int		 dups;	/* two children had one key: removals rebuild */
	/* the parent's schema node, so children's keys come from the model */
	struct schema	*schema;	/* NULL: no schema */
	const struct lysc_node *psn;
	int		 known;		/* psn is the parent's (NULL: top level) */
	xmlHashTablePtr	 keys;		/* the RELAX NG keys it was built with */
	int		 irregular;	/* an entry's key leaves are not as
					   index_lookup needs them (key_regular) */
	/* index_ext(): validate_unique.c's values, validate_distinct.c's hashes */
	void		*ext[IX_EXTS];
	void		(*ext_free[IX_EXTS])(void *);
};

static void
count_key(xmlHashTablePtr h, const char *k, int delta)
{
	intptr_t cnt = (intptr_t)xmlHashLookup(h, BAD_CAST k) + delta;

	if (cnt > 0)
		xmlHashUpdateEntry(h, BAD_CAST k, (void *)cnt, NULL);
	else
		xmlHashRemoveEntry(h, BAD_CAST k, NULL);
}

/* ---- the children by key (index_slots.c) ---- */

static const struct lysc_node *ix_sn(const struct index *ix, const xmlNode *c);

struct key_is {
	const struct index	*ix;
	const char		*k;
};

/* 1 when child n of the index's parent has key k. */
static int
key_is(const void *arg, xmlNodePtr n)
{
	const struct key_is *w = arg;
	char *nk = node_key(w->ix->keys, ix_sn(w->ix, n), n);
	int eq = strcmp(nk, w->k) == 0;

	free(nk);
	return eq;
}

/* The child of key k in ix; NULL: none. */
static xmlNodePtr
ent_find(const struct index *ix, const char *k)
{
	struct key_is w = { ix, k };

	return islots_find(&ix->slots, islots_hash(k), key_is, &w);
}

/* ---- the per-parent index ---- */

static void
index_drop(xmlNodePtr parent)
{
	struct index *ix = parent->_private;

	if (ix == NULL)
		return;
	for (int i = 0; i < IX_EXTS; i++)
		if (ix->ext_free[i] != NULL)
			ix->ext_free[i](ix->ext[i]);
	xmlHashFree(ix->counts, NULL);
	islots_free(&ix->slots);
	free(ix);
	parent->_private = NULL;
}

/* The schema node of c, a child of the node ix indexes; NULL: none known. */
static const struct lysc_node *
ix_sn(const struct index *ix, const xmlNode *c)
{
	if (ix == NULL || ix->schema == NULL || !ix->known || c->ns == NULL)
		return NULL;
	return schema_child(ix->schema, ix->psn, (const char *)c->ns->href,
	    (const char *)c->name);
}

static void
index_add(struct index *ix, xmlHashTablePtr keys, xmlNodePtr c)
{
	char *k, *nk, *pk;

	if (c->type != XML_ELEMENT_NODE)
		return;
	if (!ix->irregular && !key_regular(keys, ix_sn(ix, c), c))
		ix->irregular = 1;
	k = node_key(keys, ix_sn(ix, c), c);
	if (ent_find(ix, k) != NULL)
		ix->dups = 1;
	else
		islots_add(&ix->slots, c, islots_hash(k));
	if ((pk = first_leaf_key(k)) != NULL)
		count_key(ix->counts, pk, 1);
	free(pk);
	free(k);
	nk = node_name_key(c);
	count_key(ix->counts, nk, 1);
	free(nk);
}

/*
 * parent's index, built when it has INDEX_MIN children or more (else
 * NULL).  same: an index built by other rules (keys, schema, psn,
 * known: a filter's, a journal replay's) is built again by these, so
 * that an edit looks up keys as they were made; else it serves as is.
 */
static struct index *
index_get(xmlNodePtr parent, xmlHashTablePtr keys, struct schema *schema,
    const struct lysc_node *psn, int known, int same)
{
	struct index *ix = parent->_private;
	int n = 0;

	if (ix != NULL && same && (ix->keys != keys || ix->schema != schema ||
	    (schema != NULL && (ix->psn != psn || ix->known != known))))
		index_drop(parent);
	else if (ix != NULL)
		return ix;
	for (xmlNodePtr c = parent->children; c != NULL && n < INDEX_MIN; c = c->next)
		n++;
	if (n < INDEX_MIN)
		return NULL;
	ix = xcalloc(1, sizeof(*ix));
	ix->schema = schema;
	ix->psn = psn;
	ix->known = known;
	ix->keys = keys;
	packed_on_free(index_drop);	/* the index goes when libxml2 frees parent */
	if ((ix->counts = xmlHashCreate(16)) == NULL)
		xoom();
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
		index_add(ix, keys, c);
	parent->_private = ix;
	return ix;
}

void **
index_ext(xmlNodePtr parent, int which, void (*free_fn)(void *))
{
	struct index *ix = parent->_private;

	if (ix == NULL || which < 0 || which >= IX_EXTS)
		return NULL;
	ix->ext_free[which] = free_fn;
	return &ix->ext[which];
}

/*
 * child (linked under n) is being added or removed: drop the index of n's
 * parent when n's key may change by it.
 */
static void
index_touch(xmlNodePtr n, xmlHashTablePtr keys, xmlNodePtr child)
{
	xmlNodePtr e;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return;
	/* n is an entry of an indexed parent and gains or loses a key child */
	if (n->parent != NULL && n->parent->_private != NULL &&
	    key_child_of(keys, ix_sn(n->parent->_private, n), n, child))
		index_drop(n->parent);
	/* n is a leaf entry ("L" key: its value) of an indexed parent: its value changes */
	else if (n->parent != NULL && n->parent->_private != NULL &&
	    child->type != XML_ELEMENT_NODE && !key_by_name(keys, ix_sn(n->parent->_private, n), n) &&
	    node_first_elem(n) == NULL)
		index_drop(n->parent);
	/* n is a key leaf of an entry of an indexed parent: its value changes */
	e = n->parent;
	if (e != NULL && e->type == XML_ELEMENT_NODE && e->parent != NULL &&
	    e->parent->_private != NULL && child->type != XML_ELEMENT_NODE &&
	    key_child_of(keys, ix_sn(e->parent->_private, e), e, n))
		index_drop(e->parent);
}

void
index_text_changing(xmlHashTablePtr keys, xmlNodePtr leaf, xmlNodePtr text)
{
	index_touch(leaf, keys, text);
}

static void
free_indexes(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		index_drop(n);
		free_indexes(n->children);
	}
}

void
index_drop_subtree(xmlNodePtr n)
{
	index_drop(n);
	free_indexes(n->children);
}

void
tree_free(xmlNodePtr n)
{
	if (n == NULL)
		return;
	xmlUnlinkNode(n);
	if (n->type == XML_ELEMENT_NODE)
		index_drop_subtree(n);
	xmlFreeNode(n);
}

void
doc_free(xmlDocPtr doc)
{
	if (doc == NULL)
		return;
	free_indexes(doc->children);
	xmlFreeDoc(doc);
}

/* Inserts child under parent before next (NULL: last). */
void
index_link_child(xmlHashTablePtr keys, xmlNodePtr parent, xmlNodePtr child, xmlNodePtr next)
{
	struct index *ix;

	if (next != NULL)
		xmlAddPrevSibling(next, child);
	else
		xmlAddChild(parent, child);
	index_touch(parent, keys, child);
	/* the index finds a child by its key computed again by its own rules */
	if ((ix = parent->_private) != NULL && ix->keys != keys)
		index_drop(parent);
	else if (ix != NULL)
		index_add(ix, keys, child);
}

void
index_unlink_child(xmlHashTablePtr keys, xmlNodePtr child)
{
	xmlNodePtr parent = child->parent;
	struct index *ix;

	if (parent == NULL)
		return;
	index_touch(parent, keys, child);
	if ((ix = parent->_private) != NULL && child->type == XML_ELEMENT_NODE) {
		/* by other rules, child's key is not the one it was hashed by */
		if (ix->dups || ix->keys != keys)
			index_drop(parent);
		else {
			char *k = node_key(keys, ix_sn(ix, child), child);
			char *nk = node_name_key(child);
			char *pk = first_leaf_key(k);
			islots_del(&ix->slots, islots_hash(k), child);
			count_key(ix->counts, nk, -1);
			if (pk != NULL)
				count_key(ix->counts, pk, -1);
			free(pk);
			free(k);
			free(nk);
		}
	}
	xmlUnlinkNode(child);
}

/* ---- matching ---- */

/*
 * Keyed entry e (key k, "K") looked for where an edit in the store's
 * order finds it: right after hint, the entry e's previous sibling in
 * the edit matched, or first.  An edit of every entry of a big list in
 * order then builds no index of p (1.5 MB at 50,000 entries, issue 15).
 * It is the entry the index would give as long as keys are unique, as
 * validation keeps them.  NULL: not there, look it up.
 */
static xmlNodePtr
next_in_order(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn, int known,
    xmlNodePtr e, const char *k, xmlNodePtr hint)
{
	xmlNodePtr g = hint != NULL && hint->parent == p ? hint->next : p->children;
	const struct lysc_node *gsn = NULL;
	char *gk;
	int same;

	while (g != NULL && g->type != XML_ELEMENT_NODE)
		g = g->next;
	if (k[0] != 'K' || g == NULL || !node_same_name(g, e))
		return NULL;
	/* g's schema node as index_add's ix_sn() finds it */
	if (c->schema != NULL && known && g->ns != NULL)
		gsn = schema_child(c->schema, psn, (const char *)g->ns->href,
		    (const char *)g->name);
	gk = node_key(c->keys, gsn, g);
	same = strcmp(gk, k) == 0;
	free(gk);
	return same ? g : NULL;
}

/*
 * Rule 4 in an indexed parent p: the first child of e's name, whatever
 * its own key, as the walk below finds it whether or not p has an
 * index.  The index holds one "C" entry per name (d, NULL: none), not
 * the entries keyed by their first leaf ("F"), which such an edit (an
 * nc:operation on its first leaf) names too; when d is the only node
 * of that name it is the first, else the children are walked to the
 * first of that name (a list's first entry: near the start).
 */
static xmlNodePtr
first_of_name(struct index *ix, xmlNodePtr p, xmlNodePtr e, xmlNodePtr d)
{
	char *nk = node_name_key(e);
	intptr_t count = (intptr_t)xmlHashLookup(ix->counts, BAD_CAST nk);

	free(nk);
	if (count == 0)
		return NULL;
	if (count == 1 && d != NULL)
		return d;
	for (xmlNodePtr x = p->children; x != NULL; x = x->next)
		if (node_same_name(x, e))
			return x;
	return NULL;
}

/*
 * The datastore child of p addressed by edit node e (see the top comment);
 * lonely: e has no sibling of its name in the edit.  pk (rule 3): e's
 * first leaf without its value; when some node of e's name starts with
 * that leaf and none with e's value, e names a new entry, whatever its
 * operation, depth or size: never "the only node of that name".
 */
xmlNodePtr
index_match(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn, int known,
    xmlNodePtr e, const struct lysc_node *sn, int lonely, xmlNodePtr hint)
{
	char *k = node_key(c->keys, sn, e), *pk;
	xmlNodePtr d = NULL, only = NULL;
	struct index *ix;
	int count = 0, same_first = 0;

	if (p->_private == NULL && (d = next_in_order(c, p, psn, known, e, k, hint)) != NULL) {
		free(k);
		return d;
	}
	ix = c->no_index && p->_private == NULL ? NULL :
	    index_get(p, c->keys, c->schema, psn, known, 1);
	pk = first_leaf_key(k);
	if (ix != NULL) {
		d = ent_find(ix, k);
		if (k[0] == 'C' && sn == NULL)
			d = first_of_name(ix, p, e, d);
		else if (d == NULL && (k[0] == 'L' || k[0] == 'F') && lonely && sn == NULL &&
		    (pk == NULL || xmlHashLookup(ix->counts, BAD_CAST pk) == NULL)) {
			char *nk = node_name_key(e);
			count = (int)(intptr_t)xmlHashLookup(ix->counts, BAD_CAST nk);
			free(nk);
			if (count == 1)
				for (xmlNodePtr x = p->children; x != NULL; x = x->next)
					if (node_same_name(x, e)) {
						d = x;
						break;
					}
		}
		free(pk);
		free(k);
		return d;
	}
	for (xmlNodePtr x = p->children; x != NULL; x = x->next) {
		if (!node_same_name(x, e))
			continue;
		count++;
		only = x;
		if (k[0] == 'C') {
			d = x;
			break;
		}
		char *xk = node_key(c->keys, sn, x);
		int eq = strcmp(xk, k) == 0;
		if (pk != NULL && !eq && strncmp(xk + 1, pk + 1, strlen(pk + 1)) == 0 &&
		    xk[0] == 'F')
			same_first = 1;
		free(xk);
		if (eq) {
			d = x;
			break;
		}
	}
	if (d == NULL && k[0] != 'K' && lonely && count == 1 && !same_first && sn == NULL)
		d = only;
	free(pk);
	free(k);
	return d;
}

/* ---- lookups by key value (filter_subtree.c, xpath_keyed.c) ---- */

int filter_index_on = 1;
unsigned long filter_index_answers;

int
index_worth(const xmlNode *p)
{
	int n = 0;

	if (p->_private != NULL)
		return 1;
	for (xmlNodePtr c = p->children; c != NULL && n < INDEX_MIN; c = c->next)
		n++;
	return n >= INDEX_MIN;
}

static intptr_t
count_of(const struct index *ix, const char *k)
{
	return (intptr_t)xmlHashLookup(ix->counts, BAD_CAST k);
}

int
index_lookup(xmlNodePtr parent, const struct index_rules *ru, const char *ns,
    const char *name, int n, const char *const *names, const char *const *vals,
    xmlNodePtr *found)
{
	struct index *ix;
	const struct lysc_node *sn = NULL;
	xmlNode fake = { 0 };
	xmlNs fakens = { 0 };
	char *k;
	intptr_t entries;
	int rc;

	*found = NULL;
	if (!filter_index_on || parent->type != XML_ELEMENT_NODE || packed_is(parent) ||
	    (ix = index_get(parent, ru->keys, ru->schema, ru->psn, ru->known, 0)) == NULL ||
	    ix->dups || ix->irregular)
		return 0;
	if (ix->schema != NULL && ix->known)
		sn = schema_child(ix->schema, ix->psn, ns, name);
	if ((rc = key_for_values(ix->keys, sn, name, ns, n, names, vals, &k)) == -1)
		return 0;
	if (rc == 1) {
		*found = ent_find(ix, k);
		free(k);
		filter_index_answers++;
		return 1;
	}
	/* schema-less: entries keyed by their first leaf, if all of them are */
	fakens.href = BAD_CAST ns;
	fake.type = XML_ELEMENT_NODE;
	fake.name = BAD_CAST name;
	fake.ns = &fakens;
	k = node_name_key(&fake);
	entries = count_of(ix, k);
	free(k);
	if (entries == 0) {
		filter_index_answers++;
		return 1;	/* none of that name */
	}
	for (int i = 0; i < n; i++) {
		char *pk = key_first_leaf(name, ns, names[i], NULL);
		intptr_t keyed = count_of(ix, pk);

		free(pk);
		if (keyed != entries)
			continue;
		k = key_first_leaf(name, ns, names[i], vals[i]);
		*found = ent_find(ix, k);
		free(k);
		filter_index_answers++;
		return 1;
	}
	return 0;
}
