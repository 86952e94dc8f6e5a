/*
 * The identity of list entries (for edit_index.c and edit.c): the key
 * string of an element by the rules in edit_index.c's top comment, from
 * the YANG schema node, the RELAX NG keys (RFC 6110 nma:key, read here)
 * or the schema-less rules; and the small node helpers they share.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "xmalloc.h"
#include "tree_int.h"

#define NMA_NS		"urn:ietf:params:xml:ns:netmod:dsdl-annotations:1"
#define NCHOME_SCHEMA_NS "urn:nchome:schema:1"
#define RNG_NS		"http://relaxng.org/ns/structure/1.0"


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

const char *
node_ns(const xmlNode *n)
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
	    strcmp(node_ns(a), node_ns(b)) == 0;
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
		    strcmp(node_ns(c), ns) == 0)
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
	sb_add(&b, node_ns(n));
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
		sb_add(&b, node_ns(n));
		return b.p;
	}
	sb_add(&b, cname);
	sb_add(&b, node_ns(n));	/* packed children share n's namespace */
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
char *
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
		sb_add(&b, node_ns(n));
		return b.p;
	}
	if (packed_is(n) && (t = packed_key(&ks, n)) != NULL)
		return t;
	if (ks.kind == KS_KEYS) {
		sb_add(&b, "K");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, node_ns(n));
		for (unsigned i = 0; i < ks.n; i++) {
			xmlNodePtr kc = child_named(n, ks.names[i], node_ns(n));
			t = kc != NULL ? node_leaf_text(kc) : xstrdup("\x1e");
			sb_add(&b, t);
			free(t);
		}
	} else if ((f = node_first_elem(n)) == NULL) {
		sb_add(&b, "L");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, node_ns(n));
		t = node_leaf_text(n);
		sb_add(&b, t);
		free(t);
	} else if (ks.kind == KS_NONE && node_is_leaf(f) && first_is_key(f)) {
		sb_add(&b, "F");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, node_ns(n));
		sb_add(&b, (const char *)f->name);
		sb_add(&b, node_ns(f));
		t = node_leaf_text(f);
		sb_add(&b, t);
		free(t);
	} else {
		sb_add(&b, "C");
		sb_add(&b, (const char *)n->name);
		sb_add(&b, node_ns(n));
	}
	return b.p;
}

char *
node_name_key(const xmlNode *n)
{
	struct sbuf b = { 0 };

	sb_add(&b, "N");
	sb_add(&b, (const char *)n->name);
	sb_add(&b, node_ns(n));
	return b.p;
}

/*
 * The "P" key of an "F" key: name, namespace and first leaf without its
 * value (counted in an index: entries keyed by that first leaf); NULL
 * for other keys.  Caller frees.
 */
char *
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
/* 1 when child of entry (schema node sn) is one its key depends on. */
int
key_child_of(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *entry,
    const xmlNode *child)
{
	struct keyset ks;

	if (child->type != XML_ELEMENT_NODE)
		return 0;
	key_set(keys, sn, entry, &ks);
	if (ks.kind == KS_SINGLE)
		return 0;
	if (ks.kind != KS_KEYS) {
		/* the first leaf, or another of its name (key_regular counts them) */
		xmlNodePtr f = node_first_elem(entry);
		return f == child || (f != NULL &&
		    strcmp((const char *)f->name, (const char *)child->name) == 0);
	}
	for (unsigned i = 0; i < ks.n; i++)
		if (strcmp(ks.names[i], (const char *)child->name) == 0)
			return 1;
	return 0;
}

/* 1 when entry n (schema node sn) is keyed by leaves or its name, not its value. */
int
key_by_name(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *n)
{
	struct keyset ks;

	key_set(keys, sn, n, &ks);
	return ks.kind == KS_KEYS || ks.kind == KS_SINGLE;
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
		if (n->ns != NULL && strcmp(node_ns(n), RNG_NS) == 0 &&
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

/* ---- keys for lookups by value (filters: edit_index.c's index_lookup) ---- */

/* 1 when text is a key value as a filter compares it: no white space around. */
static int
plain_value(const char *t)
{
	size_t n = strlen(t);

	return n == 0 || (!isspace((unsigned char)t[0]) && !isspace((unsigned char)t[n - 1]));
}

/*
 * 1 when child elements of n (any namespace) named name are exactly one,
 * in n's namespace, a leaf whose text has no white space around it.
 */
static int
one_plain_leaf(const xmlNode *n, const char *name)
{
	const char *pos = NULL, *cname, *text;
	int kind, found = 0;

	if (packed_is(n)) {
		while ((kind = packed_next_child(n, &pos, &cname, &text)) != 0)
			if (strcmp(cname, name) == 0 &&
			    (found++ > 0 || kind != PACKED_LEAF || !plain_value(text)))
				return 0;
		return found == 1;
	}
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		char *t;
		int ok;

		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, name) != 0)
			continue;
		if (found++ > 0 || strcmp(node_ns(c), node_ns(n)) != 0 || node_first_elem(c) != NULL)
			return 0;
		t = node_leaf_text(c);
		ok = plain_value(t);
		free(t);
		if (!ok)
			return 0;
	}
	return found == 1;
}

int
key_regular(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *n)
{
	struct keyset ks;
	const char *cname, *text;
	xmlNodePtr f;

	key_set(keys, sn, n, &ks);
	if (ks.kind == KS_KEYS) {
		for (unsigned i = 0; i < ks.n; i++)
			if (!one_plain_leaf(n, ks.names[i]))
				return 0;
		return 1;
	}
	if (ks.kind != KS_NONE)
		return 1;
	if (packed_is(n))
		return packed_child(n, NULL, &cname, &text) != 1 || text == NULL ||
		    one_plain_leaf(n, cname);
	if ((f = node_first_elem(n)) == NULL || !node_is_leaf(f))
		return 1;	/* an "L" or "C" key: never looked up by value */
	return one_plain_leaf(n, (const char *)f->name);
}

int
key_for_values(xmlHashTablePtr keys, const struct lysc_node *sn, const char *name,
    const char *ns, int n, const char *const *names, const char *const *vals, char **k)
{
	struct sbuf b = { 0 };
	struct keyset ks;
	xmlNode fake = { 0 };

	*k = NULL;
	fake.type = XML_ELEMENT_NODE;
	fake.name = BAD_CAST name;
	key_set(keys, sn, &fake, &ks);
	if (ks.kind == KS_NONE)
		return 0;
	if (ks.kind != KS_KEYS)
		return -1;
	sb_add(&b, "K");
	sb_add(&b, name);
	sb_add(&b, ns);
	for (unsigned i = 0; i < ks.n; i++) {
		int j = 0;

		while (j < n && strcmp(names[j], ks.names[i]) != 0)
			j++;
		if (j == n) {
			free(b.p);
			return -1;	/* a key leaf the filter does not give */
		}
		sb_add(&b, vals[j]);
	}
	*k = b.p;
	return 1;
}

char *
key_first_leaf(const char *name, const char *ns, const char *leaf, const char *val)
{
	struct sbuf b = { 0 };

	sb_add(&b, val != NULL ? "F" : "P");
	sb_add(&b, name);
	sb_add(&b, ns);
	sb_add(&b, leaf);
	sb_add(&b, ns);
	if (val != NULL)
		sb_add(&b, val);
	return b.p;
}
