/*
 * Which datastore node an edit node addresses, and the per-parent hash
 * index that makes finding it cheap in big lists (for edit.c).
 *
 * The match of an edit node E, among the children of the datastore node
 * matched by E's parent, with the same local name and namespace as E:
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
 *      E can only name a list entry (names_entry(): below the top level,
 *      and E brings more than L or its operation is create, replace,
 *      delete or remove) and some node of that name has L first too: no
 *      match (a merge adds the entry, a delete is data-missing).  Else
 *      the only node of that name if there is exactly one and E has no
 *      sibling of its name in the edit (a container whose first leaf
 *      changes, or top-level data).
 *   4. Otherwise (a container): the first node of that name.
 * Without a schema an edit therefore never changes, replaces or deletes
 * a list entry that it names by another first-leaf value; what is left
 * to the old guess is a merge of L alone (or top-level data).  Give the
 * schema keys for exact list semantics.
 *
 * Speed: a datastore node with many children gets a hash index of them
 * (in its _private field) keyed by the match rules above, kept up to date
 * by index_link_child and index_unlink_child, through which every change
 * of the tree goes (edit.c's add_child and remove_child).  A one-leaf
 * edit of a 50,000-entry list is then a few hash look-ups.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "xmalloc.h"
#include "tree_int.h"

#define NMA_NS		"urn:ietf:params:xml:ns:netmod:dsdl-annotations:1"
#define NCHOME_SCHEMA_NS "urn:nchome:schema:1"
#define RNG_NS		"http://relaxng.org/ns/structure/1.0"
#define INDEX_MIN	32	/* children before a parent gets an index */

/* A parent's index: key string -> child; "N" keys count names. */
struct index {
	xmlHashTablePtr	 h;
	int		 dups;	/* two children had one key: removals rebuild */
	/* the parent's schema node, so children's keys come from the model */
	struct schema	*schema;	/* NULL: no schema */
	const struct lysc_node *psn;
	int		 known;		/* psn is the parent's (NULL: top level) */
};

#define MAX_KEYS	16	/* key leaves read per list */

/* How the entries of one element name are told apart. */
enum ks_kind {
	KS_NONE,	/* no schema: rules 2 to 4 */
	KS_KEYS,	/* list keys (RELAX NG or YANG): names[] */
	KS_LEAFLIST,	/* YANG leaf-list: by value */
	KS_SINGLE	/* YANG leaf, container, anydata: one instance */
};
struct keyset {
	enum ks_kind	 kind;
	unsigned	 n;
	const char	*names[MAX_KEYS];
};
struct sbuf {
	char	*p;
	size_t	 len, cap;
};
static void
sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 2)
			cap *= 2;
		b->p = xreallocarray(b->p, 1, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len++] = '\x1f';
	b->p[b->len] = '\0';
}

static const char *
ns_of(const xmlNode *n)
{
	return n->ns != NULL && n->ns->href != NULL ? (const char *)n->ns->href : "";
}

/*
 * The helpers below take const nodes but unpack a packed one (packed.c):
 * its children are the same data either way.
 */
xmlNodePtr
node_first_elem(const xmlNode *n)
{
	packed_unpack((xmlNodePtr)n);
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

int
node_is_leaf(const xmlNode *n)
{
	if (packed_is(n))
		return 0;	/* a packed node always holds an element */
	return node_first_elem(n) == NULL;
}

/* Text of a leaf; caller frees. */
char *
node_leaf_text(const xmlNode *n)
{
	xmlChar *t;

	packed_unpack((xmlNodePtr)n);
	t = xmlNodeGetContent(n);

	return t != NULL ? (char *)t : xstrdup("");
}

int
node_same_name(const xmlNode *a, const xmlNode *b)
{
	return a->type == XML_ELEMENT_NODE && b->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)a->name, (const char *)b->name) == 0 &&
	    strcmp(ns_of(a), ns_of(b)) == 0;
}

int
is_nc_operation(const xmlAttr *a)
{
	return a->ns != NULL && a->ns->href != NULL &&
	    strcmp((const char *)a->ns->href, NC_NS_BASE) == 0 &&
	    strcmp((const char *)a->name, "operation") == 0;
}

static xmlNodePtr
child_named(const xmlNode *parent, const char *name, const char *ns)
{
	packed_unpack((xmlNodePtr)parent);
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0 &&
		    strcmp(ns_of(c), ns) == 0)
			return c;
	return NULL;
}

/* ---- keys ---- */

/*
 * How n, an element whose schema node is sn (NULL: none known), is
 * identified: from the YANG node when there is one, else from the
 * RELAX NG keys, else by the schema-less rules.
 */
static void
key_set(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *n,
    struct keyset *ks)
{
	char **k;

	ks->kind = KS_NONE;
	ks->n = 0;
	if (sn != NULL) {
		if (sn->nodetype == LYS_LEAFLIST)
			ks->kind = KS_LEAFLIST;
		else if (sn->nodetype != LYS_LIST)
			ks->kind = KS_SINGLE;
		else {
			const struct lysc_node *kn[MAX_KEYS];
			unsigned nk = schema_keys(sn, kn, MAX_KEYS);

			if (nk == 0 || nk > MAX_KEYS)
				return;	/* keyless (refused in edits) */
			ks->kind = KS_KEYS;
			for (ks->n = 0; ks->n < nk; ks->n++)
				ks->names[ks->n] = kn[ks->n]->name;
		}
		return;
	}
	if (keys == NULL || (k = xmlHashLookup(keys, n->name)) == NULL)
		return;
	ks->kind = KS_KEYS;
	for (; *k != NULL && ks->n < MAX_KEYS; k++)
		ks->names[ks->n++] = *k;
}

/*
 * The first child element f (a leaf) serves as a list key (rule 3)
 * unless it carries an nc:operation (an edit of the leaf itself) or the
 * next element is of its name (a leaf-list, not a key).
 */
static int
first_is_key(const xmlNode *f)
{
	for (const xmlAttr *a = f->properties; a != NULL; a = a->next)
		if (is_nc_operation(a))
			return 0;
	for (const xmlNode *x = f->next; x != NULL; x = x->next)
		if (x->type == XML_ELEMENT_NODE)
			return !node_same_name(x, f);
	return 1;
}

/* first_is_key for packed n whose first child is named cname. */
static int
packed_first_is_key(const xmlNode *n, const char *cname)
{
	const char *pos = NULL, *name, *text;

	/* packed nodes come from the datastore: they carry no operations */
	if (packed_next_child(n, &pos, &name, &text) == 0 ||
	    packed_next_child(n, &pos, &name, &text) == 0)
		return 1;
	return strcmp(name, cname) != 0;
}

/*
 * node_key of packed n, read from its packed children without unpacking
 * them (an index of 50,000 packed entries is built this way); NULL when
 * a key leaf is not one plain text.
 */
static char *
packed_key(const struct keyset *ks, const xmlNode *n)
{
	struct sbuf b = { 0 };
	const char *cname, *text;
	int rc;

	if (ks->kind == KS_LEAFLIST)
		return NULL;	/* a leaf-list entry with children: read unpacked */
	sb_add(&b, ks->kind == KS_KEYS ? "K" : "F");
	sb_add(&b, (const char *)n->name);
	sb_add(&b, ns_of(n));
	if (ks->kind == KS_KEYS) {
		for (unsigned i = 0; i < ks->n; i++) {
			if ((rc = packed_child(n, ks->names[i], &cname, &text)) == -1 ||
			    (rc == 1 && text == NULL))
				goto unpack;
			sb_add(&b, rc == 1 ? text : "\x1e");
		}
		return b.p;
	}
	if (packed_child(n, NULL, &cname, &text) != 1)
		goto unpack;
	if (text == NULL || !packed_first_is_key(n, cname)) {
		/* the first child is no leaf: a container ("C") */
		b.len = 0;
		sb_add(&b, "C");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, ns_of(n));
		return b.p;
	}
	sb_add(&b, cname);
	sb_add(&b, ns_of(n));	/* packed children share n's namespace */
	sb_add(&b, text);
	return b.p;
unpack:
	free(b.p);
	return NULL;
}

/*
 * The identity key of element n (datastore or edit node) per the rules in
 * the top comment: "K" schema keys, "L" leaf value, "F" first leaf, "C"
 * container.  Caller frees.
 */
static char *
node_key(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *n)
{
	struct sbuf b = { 0 };
	struct keyset ks;
	xmlNodePtr f;
	char *t;

	key_set(keys, sn, n, &ks);
	if (ks.kind == KS_SINGLE) {
		sb_add(&b, "C");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, ns_of(n));
		return b.p;
	}
	if (packed_is(n) && (t = packed_key(&ks, n)) != NULL)
		return t;
	if (ks.kind == KS_KEYS) {
		sb_add(&b, "K");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, ns_of(n));
		for (unsigned i = 0; i < ks.n; i++) {
			xmlNodePtr kc = child_named(n, ks.names[i], ns_of(n));
			t = kc != NULL ? node_leaf_text(kc) : xstrdup("\x1e");
			sb_add(&b, t);
			free(t);
		}
	} else if ((f = node_first_elem(n)) == NULL) {
		sb_add(&b, "L");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, ns_of(n));
		t = node_leaf_text(n);
		sb_add(&b, t);
		free(t);
	} else if (ks.kind == KS_NONE && node_is_leaf(f) && first_is_key(f)) {
		sb_add(&b, "F");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, ns_of(n));
		sb_add(&b, (const char *)f->name);
		sb_add(&b, ns_of(f));
		t = node_leaf_text(f);
		sb_add(&b, t);
		free(t);
	} else {
		sb_add(&b, "C");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, ns_of(n));
	}
	return b.p;
}

char *
node_name_key(const xmlNode *n)
{
	struct sbuf b = { 0 };

	sb_add(&b, "N");
	sb_add(&b, (const char *)n->name);
	sb_add(&b, ns_of(n));
	return b.p;
}

/*
 * The "P" key of an "F" key: name, namespace and first leaf without its
 * value (counted in an index: entries keyed by that first leaf); NULL
 * for other keys.  Caller frees.
 */
static char *
first_leaf_key(const char *k)
{
	const char *p = k;
	char *pk;

	if (k[0] != 'F')
		return NULL;
	for (int i = 0; i < 5 && p != NULL; i++)
		if ((p = strchr(p, '\x1f')) != NULL)
			p++;
	if (p == NULL)
		return NULL;
	pk = xstrndup(k, (size_t)(p - k));
	pk[0] = 'P';
	return pk;
}

static void
count_key(xmlHashTablePtr h, const char *k, int delta)
{
	intptr_t cnt = (intptr_t)xmlHashLookup(h, BAD_CAST k) + delta;

	if (cnt > 0)
		xmlHashUpdateEntry(h, BAD_CAST k, (void *)cnt, NULL);
	else
		xmlHashRemoveEntry(h, BAD_CAST k, NULL);
}

/* ---- the per-parent index ---- */

static void
index_drop(xmlNodePtr parent)
{
	struct index *ix = parent->_private;

	if (ix == NULL)
		return;
	xmlHashFree(ix->h, NULL);
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
	k = node_key(keys, ix_sn(ix, c), c);
	if (xmlHashAddEntry(ix->h, BAD_CAST k, c) != 0)
		ix->dups = 1;
	if ((pk = first_leaf_key(k)) != NULL)
		count_key(ix->h, pk, 1);
	free(pk);
	free(k);
	nk = node_name_key(c);
	count_key(ix->h, nk, 1);
	free(nk);
}

static struct index *
index_get(xmlNodePtr parent, xmlHashTablePtr keys, struct schema *schema,
    const struct lysc_node *psn, int known)
{
	struct index *ix = parent->_private;
	int n = 0;

	if (ix != NULL)
		return ix;
	for (xmlNodePtr c = parent->children; c != NULL && n < INDEX_MIN; c = c->next)
		n++;
	if (n < INDEX_MIN)
		return NULL;
	ix = xcalloc(1, sizeof(*ix));
	ix->schema = schema;
	ix->psn = psn;
	ix->known = known;
	if ((ix->h = xmlHashCreate(1024)) == NULL)
		xoom();
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
		index_add(ix, keys, c);
	parent->_private = ix;
	return ix;
}

/*
 * child (linked under n) is being added or removed: drop the index of n's
 * parent when n's key may change by it.
 */
static int
is_key_child(xmlHashTablePtr keys, xmlNodePtr entry, xmlNodePtr child)
{
	struct keyset ks;

	if (child->type != XML_ELEMENT_NODE)
		return 0;
	key_set(keys, ix_sn(entry->parent->_private, entry), entry, &ks);
	if (ks.kind == KS_SINGLE)
		return 0;
	if (ks.kind != KS_KEYS)
		return node_first_elem(entry) == child;
	for (unsigned i = 0; i < ks.n; i++)
		if (strcmp(ks.names[i], (const char *)child->name) == 0)
			return 1;
	return 0;
}

/* 1 when entry n (child of an indexed parent) has RELAX NG or YANG keys. */
static int
has_keys(xmlHashTablePtr keys, xmlNodePtr n)
{
	struct keyset ks;

	key_set(keys, ix_sn(n->parent->_private, n), n, &ks);
	return ks.kind == KS_KEYS || ks.kind == KS_SINGLE;
}

static void
index_touch(xmlNodePtr n, xmlHashTablePtr keys, xmlNodePtr child)
{
	xmlNodePtr e;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return;
	/* n is an entry of an indexed parent and gains or loses a key child */
	if (n->parent != NULL && n->parent->_private != NULL &&
	    is_key_child(keys, n, child))
		index_drop(n->parent);
	/* n is a leaf entry ("L" key: its value) of an indexed parent: its value changes */
	else if (n->parent != NULL && n->parent->_private != NULL &&
	    child->type != XML_ELEMENT_NODE && !has_keys(keys, n) &&
	    node_first_elem(n) == NULL)
		index_drop(n->parent);
	/* n is a key leaf of an entry of an indexed parent: its value changes */
	e = n->parent;
	if (e != NULL && e->type == XML_ELEMENT_NODE && e->parent != NULL &&
	    e->parent->_private != NULL && child->type != XML_ELEMENT_NODE &&
	    is_key_child(keys, e, n))
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
	if ((ix = parent->_private) != NULL)
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
		if (ix->dups)
			index_drop(parent);
		else {
			char *k = node_key(keys, ix_sn(ix, child), child);
			char *nk = node_name_key(child);
			char *pk = first_leaf_key(k);
			if (xmlHashLookup(ix->h, BAD_CAST k) == child)
				xmlHashRemoveEntry(ix->h, BAD_CAST k, NULL);
			count_key(ix->h, nk, -1);
			if (pk != NULL)
				count_key(ix->h, pk, -1);
			free(pk);
			free(k);
			free(nk);
		}
	}
	xmlUnlinkNode(child);
}

/* ---- matching ---- */

/*
 * The datastore child of p addressed by edit node e (see the top comment);
 * lonely: e has no sibling of its name in the edit.
 */
/*
 * 1 when edit node e (whose first child is a leaf L) can only mean a
 * list entry named by L (rule 3): it is below the top level, and it
 * brings more than L, or its operation (create, replace, delete,
 * remove) is about the entry as a whole.  Otherwise (top-level data, or
 * a merge of L alone: a container whose first leaf changes) the only
 * node of that name may be meant.
 */
static int
names_entry(const xmlNode *p, xmlNodePtr e)
{
	xmlNodePtr f;

	if (p->parent == NULL || p->parent->type == XML_DOCUMENT_NODE)
		return 0;
	for (const xmlAttr *a = e->properties; a != NULL; a = a->next)
		if (is_nc_operation(a)) {
			xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
			int whole = v != NULL && strcmp((char *)v, "merge") != 0 &&
			    strcmp((char *)v, "none") != 0;
			xmlFree(v);
			if (whole)
				return 1;
		}
	if ((f = node_first_elem(e)) == NULL)
		return 0;
	for (f = f->next; f != NULL; f = f->next)
		if (f->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

xmlNodePtr
index_match(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn, int known,
    xmlNodePtr e, const struct lysc_node *sn, int lonely)
{
	struct index *ix = index_get(p, c->keys, c->schema, psn, known);
	char *k = node_key(c->keys, sn, e), *pk = first_leaf_key(k);
	xmlNodePtr d = NULL, only = NULL;
	int count = 0, same_first = 0;
	if (pk != NULL && !names_entry(p, e)) {
		free(pk);
		pk = NULL;
	}

	if (ix != NULL) {
		d = xmlHashLookup(ix->h, BAD_CAST k);
		if (d == NULL && (k[0] == 'L' || k[0] == 'F') && lonely && sn == NULL &&
		    (pk == NULL || xmlHashLookup(ix->h, BAD_CAST pk) == NULL)) {
			char *nk = node_name_key(e);
			count = (int)(intptr_t)xmlHashLookup(ix->h, BAD_CAST nk);
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

/* ---- schema keys ---- */

static void
free_keylist(void *payload, const xmlChar *name)
{
	(void)name;
	char **k = payload;
	for (size_t i = 0; k[i] != NULL; i++)
		free(k[i]);
	free(k);
}

static void
collect_keys(xmlNodePtr n, xmlHashTablePtr keys)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns != NULL && strcmp(ns_of(n), RNG_NS) == 0 &&
		    strcmp((const char *)n->name, "element") == 0) {
			xmlChar *name = xmlGetProp(n, BAD_CAST "name");
			xmlChar *k = xmlGetNsProp(n, BAD_CAST "key", BAD_CAST NMA_NS);
			if (k == NULL)
				k = xmlGetNsProp(n, BAD_CAST "key", BAD_CAST NCHOME_SCHEMA_NS);
			if (name != NULL && k != NULL) {
				char **list = xcalloc(strlen((char *)k) + 2, sizeof(char *));
				size_t nk = 0;
				char *save = NULL, *tok;
				const char *local = strchr((char *)name, ':');
				for (tok = strtok_r((char *)k, " \t\n", &save); tok != NULL;
				    tok = strtok_r(NULL, " \t\n", &save)) {
					char *colon = strchr(tok, ':');
					list[nk++] = xstrdup(colon != NULL ? colon + 1 : tok);
				}
				local = local != NULL ? local + 1 : (char *)name;
				if (xmlHashAddEntry(keys, BAD_CAST local, list) != 0)
					free_keylist(list, NULL);
			}
			xmlFree(name);
			xmlFree(k);
		}
		collect_keys(n->children, keys);
	}
}

xmlHashTablePtr
keys_from_schema(const char *rng_path)
{
	xmlDocPtr doc;
	xmlHashTablePtr keys;

	if (rng_path == NULL || *rng_path == '\0')
		return NULL;
	if ((doc = xmlReadFile(rng_path, NULL, NC_XML_PARSE_OPTS)) == NULL)
		return NULL;
	if ((keys = xmlHashCreate(16)) == NULL)
		xoom();
	collect_keys(doc->children, keys);
	xmlFreeDoc(doc);
	if (xmlHashSize(keys) == 0) {
		xmlHashFree(keys, NULL);
		return NULL;
	}
	return keys;
}

void
keys_free(xmlHashTablePtr keys)
{
	if (keys != NULL)
		xmlHashFree(keys, free_keylist);
}
