/*
 * For the whole-datastore diff (nacm_diff.c): two subtrees compared node
 * by node, and the element children of an old and a new parent paired.
 *
 * Neither holds a copy of what it compares.  A 50,000-entry datastore
 * copied onto an equal startup had both documents flattened into byte
 * strings (2 x 32 MB) and every sibling's identity as a string in hash
 * tables: copy-config's peak was 86 MB for a 10 MB store (bench_memory
 * copy_config_equal).  Now the comparison walks both trees at once
 * (packed entries by their strings), and the pairing holds one 16-byte
 * record per sibling, sorted in place (heapsort) by a hash of its
 * identity.
 *
 * Identity, as before: namespace and name, and for a node with child
 * elements the name and text of its first child leaf (a list entry's
 * first key: RFC 7950 7.8.5 encodes keys first).  Records of the same
 * hash are compared by their real identities, so a collision never
 * pairs two different identities; the hash is seeded per process.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "ops_int.h"
#include "tree/tree.h"

/* Beyond this many same-identity siblings, they are not paired by equality. */
#define EQ_PAIR_MAX	64

static int
str_same(const xmlChar *a, const xmlChar *b)
{
	return strcmp(a != NULL ? (const char *)a : "", b != NULL ? (const char *)b : "") == 0;
}

static const xmlChar *
ns_of(const xmlNode *n)
{
	return n->ns != NULL ? n->ns->href : NULL;
}

/* The nodes the comparison sees: elements and texts (comments, PIs are no data). */
static const xmlNode *
data_node(const xmlNode *n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE && n->type != XML_TEXT_NODE)
		n = n->next;
	return n;
}

/*
 * 1 when a's and b's attributes are the same, in order: name, namespace
 * and value (its text nodes one by one: a value split otherwise is
 * called different, which only costs a write or asks for a right).
 */
int
ops_attrs_same(const xmlNode *a, const xmlNode *b)
{
	const xmlAttr *x, *y;
	const xmlNode *tx, *ty;

	for (x = a->properties, y = b->properties; x != NULL && y != NULL; x = x->next, y = y->next) {
		if (!xmlStrEqual(x->name, y->name) ||
		    !str_same(x->ns != NULL ? x->ns->href : NULL, y->ns != NULL ? y->ns->href : NULL))
			return 0;
		for (tx = x->children, ty = y->children; tx != NULL && ty != NULL;
		    tx = tx->next, ty = ty->next)
			if (tx->type != ty->type || !str_same(tx->content, ty->content))
				return 0;
		if (tx != NULL || ty != NULL)
			return 0;
	}
	return x == NULL && y == NULL;
}

/*
 * 1 when a and b declare the same prefixes with the same URIs, in order.
 * A text may use any of them (a QName value: tree/nsvalue.c), and the
 * store keeps them as sent: another URI for a prefix is another value.
 */
int
ops_nsdefs_same(const xmlNode *a, const xmlNode *b)
{
	const xmlNs *da, *db;

	for (da = a->nsDef, db = b->nsDef; da != NULL && db != NULL; da = da->next, db = db->next)
		if (!str_same(da->prefix, db->prefix) || !str_same(da->href, db->href))
			return 0;
	return da == NULL && db == NULL;
}

/*
 * The walk of ops_tree_same and ops_tree_equal: with unpack, a packed
 * node met beside an unpacked one is unpacked (packed_repack packs it
 * again after the RPC) and the walk goes on inside it.
 */
static int
tree_same(const xmlNode *a, const xmlNode *b, int depth, int unpack)
{
	const xmlNode *ca, *cb;

	if (a->type != b->type)
		return 0;
	if (a->type == XML_TEXT_NODE)
		return str_same(a->content, b->content);
	if (a->type != XML_ELEMENT_NODE)
		return 1;
	if (!xmlStrEqual(a->name, b->name) || !str_same(ns_of(a), ns_of(b)))
		return 0;
	if (!ops_nsdefs_same(a, b))
		return 0;
	/*
	 * Attributes are stored (data no module covers keeps them): a copy
	 * changing only one changes running, and the NACM diff must not
	 * call such nodes the same (it asks for the update right then).
	 */
	if (!ops_attrs_same(a, b))
		return 0;
	if (packed_is(a) && packed_is(b)) {
		size_t la, lb;
		const char *pa = packed_bytes(a, &la), *pb = packed_bytes(b, &lb);

		return la == lb && memcmp(pa, pb, la) == 0;
	}
	if (packed_is(a) || packed_is(b)) {
		/* one packed, one not: different here, the diff looks inside */
		if (!unpack)
			return 0;
		packed_unpack((xmlNodePtr)(packed_is(a) ? a : b));
	}
	if (depth >= 256)
		return 0;	/* deeper than libxml2 parses: different, to be safe */
	for (ca = data_node(a->children), cb = data_node(b->children); ca != NULL && cb != NULL;
	    ca = data_node(ca->next), cb = data_node(cb->next))
		if (!tree_same(ca, cb, depth + 1, unpack))
			return 0;
	return ca == NULL && cb == NULL;
}

int
ops_tree_same(const xmlNode *a, const xmlNode *b, int depth)
{
	return tree_same(a, b, depth, 0);
}

int
ops_tree_equal(xmlNodePtr a, xmlNodePtr b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return tree_same(a, b, 0, 1);
}

/* A sibling's identity, pointing into the tree (owned: what to xmlFree). */
struct ident {
	const char	*ns, *name, *cname, *text;
	xmlChar		*owned;
};

int
ops_has_elements(const xmlNode *n)
{
	if (packed_is(n))
		return 1;	/* only elements get packed */
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

static void
ident_get(const xmlNode *n, struct ident *id)
{
	id->ns = n->ns != NULL ? (const char *)n->ns->href : "";
	id->name = (const char *)n->name;
	id->cname = id->text = "";
	id->owned = NULL;
	if (packed_is(n)) {
		if (packed_child(n, NULL, &id->cname, &id->text) != 1 || id->text == NULL)
			id->cname = id->text = "";
		return;
	}
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!ops_has_elements(c)) {
			const xmlNode *t = c->children;

			id->cname = (const char *)c->name;
			if (t == NULL)
				id->text = "";
			else if (t->type == XML_TEXT_NODE && t->next == NULL)
				id->text = t->content != NULL ? (const char *)t->content : "";
			else	/* several pieces: their whole text (xmlNodeGetContent) */
				id->text = (id->owned = xmlNodeGetContent(c)) != NULL ?
				    (const char *)id->owned : "";
		}
		break;
	}
}

static uint32_t
ident_hash(const struct ident *id, uint64_t seed)
{
	const char *parts[4] = { id->ns, id->name, id->cname, id->text };
	uint64_t h = seed;

	for (int i = 0; i < 4; i++)
		h = fnv1a64(h, parts[i], strlen(parts[i]) + 1);	/* with the NUL: no two alike */
	return (uint32_t)(h ^ (h >> 32));
}

static int
ident_same(const xmlNode *a, const xmlNode *b)
{
	struct ident x, y;
	int r;

	ident_get(a, &x);
	ident_get(b, &y);
	r = strcmp(x.ns, y.ns) == 0 && strcmp(x.name, y.name) == 0 &&
	    strcmp(x.cname, y.cname) == 0 && strcmp(x.text, y.text) == 0;
	xmlFree(x.owned);
	xmlFree(y.owned);
	return r;
}

/* Record order while pairing: by key, then by place. */
static int
before_by_key(const struct pair_rec *a, const struct pair_rec *b)
{
	return a->key != b->key ? a->key < b->key : a->at < b->at;
}

/* Record order once paired: by place (document order). */
static int
before_by_at(const struct pair_rec *a, const struct pair_rec *b)
{
	return a->at < b->at;
}

/*
 * Heapsort, in place: qsort() (glibc's merge sort) takes a copy of the
 * array, 800 kB more at the peak of a 50,000-entry copy-config.
 */
static void
sort_recs(struct pair_rec *r, size_t n, int (*before)(const struct pair_rec *, const struct pair_rec *))
{
	struct pair_rec tmp;

	for (size_t end = n, start = n / 2; end > 1;) {
		size_t root, child;

		if (start > 0)
			start--;	/* building the heap */
		else {		/* the largest to the end */
			end--;
			tmp = r[0];
			r[0] = r[end];
			r[end] = tmp;
		}
		for (root = start; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && before(&r[child], &r[child + 1]))
				child++;
			if (!before(&r[root], &r[child]))
				break;
			tmp = r[root];
			r[root] = r[child];
			r[child] = tmp;
		}
	}
}

/* parent's element children as records keyed by identity hash, sorted; -1 out of memory. */
static int
fill(struct pair_rec **out, size_t *nout, xmlNodePtr parent, uint64_t seed)
{
	size_t n = 0;
	struct pair_rec *r;

	*out = NULL;
	*nout = 0;
	for (xmlNodePtr c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next)
		n += c->type == XML_ELEMENT_NODE;
	if (n == 0)
		return 0;
	if (n >= UINT32_MAX || (r = calloc(n, sizeof(*r))) == NULL)
		return -1;
	n = 0;
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next) {
		struct ident id;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		ident_get(c, &id);
		r[n].node = c;
		r[n].key = ident_hash(&id, seed);
		r[n].at = (uint32_t)n;
		n++;
		xmlFree(id.owned);
	}
	sort_recs(r, n, before_by_key);
	*out = r;
	*nout = n;
	return 0;
}

/*
 * The records of one hash: old[o0..o1) and new[n0..n1), their keys
 * cleared to hold partners (the partner's at + 1).  done: NULL when they
 * all have one identity, else which records a class took already.
 */
struct group {
	struct pair_rec	*old, *new;
	size_t		 o0, o1, n0, n1;
	char		*odone, *ndone;
};

/* Whether old (or new) record i is of class's identity and not done: then marked done. */
static int
member(const struct group *g, int old, size_t i, const xmlNode *class)
{
	char *done = old ? g->odone : g->ndone;
	size_t at = i - (old ? g->o0 : g->n0);

	if (done == NULL)
		return 1;
	if (done[at] || !ident_same((old ? g->old : g->new)[i].node, class))
		return 0;
	done[at] = 1;
	return 1;
}

/* Whether old (or new) record i is of class's identity (done marks are set already). */
static int
in_class(const struct group *g, int old, size_t i, const xmlNode *class)
{
	if ((old ? g->odone : g->ndone) == NULL)
		return 1;
	return ident_same((old ? g->old : g->new)[i].node, class);
}

static void
mate(struct pair_rec *o, struct pair_rec *n)
{
	o->key = n->at + 1;
	n->key = o->at + 1;
}

/*
 * class's identity paired: unique on both sides at once, else (up to
 * EQ_PAIR_MAX a side) each new node with the first unpaired equal old
 * one, in document order; otherwise not at all.
 */
static void
pair_class(struct group *g, const xmlNode *class)
{
	size_t co = 0, cn = 0, lo = 0, ln = 0;

	for (size_t i = g->o0; i < g->o1; i++)
		if (member(g, 1, i, class))
			co++, lo = i;
	for (size_t i = g->n0; i < g->n1; i++)
		if (member(g, 0, i, class))
			cn++, ln = i;
	if (co == 0 || cn == 0)
		return;
	if (co == 1 && cn == 1) {
		mate(&g->old[lo], &g->new[ln]);
		return;
	}
	if (co > EQ_PAIR_MAX || cn > EQ_PAIR_MAX)
		return;
	for (size_t j = g->n0; j < g->n1; j++) {
		if (g->new[j].key != 0 || !in_class(g, 0, j, class))
			continue;
		for (size_t i = g->o0; i < g->o1; i++)
			if (g->old[i].key == 0 && in_class(g, 1, i, class) &&
			    ops_tree_same(g->old[i].node, g->new[j].node, 0)) {
				mate(&g->old[i], &g->new[j]);
				break;
			}
	}
}

/* The records of one hash paired, identity by identity; -1 out of memory. */
static int
pair_hash(struct group *g)
{
	const xmlNode *first = g->o1 > g->o0 ? g->old[g->o0].node : g->new[g->n0].node;
	size_t no = g->o1 - g->o0, n = no + (g->n1 - g->n0);
	int one = 1;

	for (size_t i = g->o0; i < g->o1; i++)
		g->old[i].key = 0;
	for (size_t i = g->n0; i < g->n1; i++)
		g->new[i].key = 0;
	for (size_t i = g->o0; i < g->o1 && one; i++)
		one = g->old[i].node == first || ident_same(g->old[i].node, first);
	for (size_t i = g->n0; i < g->n1 && one; i++)
		one = ident_same(g->new[i].node, first);
	g->odone = g->ndone = NULL;
	if (one) {
		pair_class(g, first);
		return 0;
	}
	/* a collision of two identities' hashes: class by class */
	if ((g->odone = calloc(n, 1)) == NULL)
		return -1;
	g->ndone = g->odone + no;
	for (size_t i = g->o0; i < g->o1; i++)
		if (!g->odone[i - g->o0])
			pair_class(g, g->old[i].node);
	for (size_t i = g->n0; i < g->n1; i++)
		if (!g->ndone[i - g->n0])
			pair_class(g, g->new[i].node);
	free(g->odone);
	g->odone = g->ndone = NULL;
	return 0;
}

void
ops_pairing_free(struct pairing *p)
{
	free(p->old);
	free(p->new);
	memset(p, 0, sizeof(*p));
}

int
ops_pair_children(xmlNodePtr oldp, xmlNodePtr newp, struct pairing *p)
{
	uint64_t seed = hash_seed();
	struct group g;
	size_t i = 0, j = 0;

	memset(p, 0, sizeof(*p));
	if (fill(&p->old, &p->nold, oldp, seed) == -1 || fill(&p->new, &p->nnew, newp, seed) == -1) {
		ops_pairing_free(p);
		return -1;
	}
	g.old = p->old;
	g.new = p->new;
	while (i < p->nold || j < p->nnew) {
		uint32_t h;

		if (i == p->nold)
			h = p->new[j].key;
		else if (j == p->nnew || p->old[i].key <= p->new[j].key)
			h = p->old[i].key;
		else
			h = p->new[j].key;
		for (g.o0 = i; i < p->nold && p->old[i].key == h; i++)
			;
		for (g.n0 = j; j < p->nnew && p->new[j].key == h; j++)
			;
		g.o1 = i;
		g.n1 = j;
		if (pair_hash(&g) == -1) {
			ops_pairing_free(p);
			return -1;
		}
	}
	/* back in document order: record i is the i-th element child */
	sort_recs(p->old, p->nold, before_by_at);
	sort_recs(p->new, p->nnew, before_by_at);
	return 0;
}
