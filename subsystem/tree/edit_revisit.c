/*
 * Whether an edit-config may enter one datastore node twice: two sibling
 * edit nodes (at any depth) that may address the same node by
 * edit_index.c's rules.  The write check of NACM as the edit goes
 * (edit_ctx.check_inside) forgets a packed entry's changes once they
 * pass; an entry entered again later could make them denied after all
 * (a leaf a rule's predicate reads, a child under a node created
 * before), which the check after the whole edit would see.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "schema/schema.h"
#include "xmalloc.h"
#include "tree_int.h"

/*
 * The keys of one parent's edit nodes, each as a 64-bit hash whose two
 * low bits say what was hashed: KEY_ENTRY a node's key (node_key), and
 * for its "N" name key the kinds of key its nodes of that name had:
 * KIND_SINGLE a "C" key (the first node of its name), KIND_KEYED
 * another (one entry).  Sorted when the parent is done: a key twice, or
 * a name with both kinds (a "C" key takes the first node of its name:
 * maybe a keyed one) may enter one node twice.  Hashes, not the key
 * strings, and a sorted array, not a table: an account's rewrite of
 * 50,000 entries held 5 MB of strings in a hash table.  Two keys of one
 * hash count as one: that only turns the check as the edit goes off,
 * which is always safe.
 */
#define KEY_ENTRY	0
#define KIND_SINGLE	1
#define KIND_KEYED	2
#define TAG_BITS	3

struct keys_seen {
	uint64_t	*h;
	size_t		 n, cap;
	size_t		 last_name;	/* the last name item, to merge runs of one name */
};

static uint64_t
key_hash(const char *key)
{
	return fnv1a64(hash_seed(), key, strlen(key)) & ~(uint64_t)TAG_BITS;
}

static void
seen_add(struct keys_seen *t, uint64_t item)
{
	if (t->n == t->cap) {
		t->cap = t->cap != 0 ? t->cap * 2 : 16;
		t->h = xreallocarray(t->h, t->cap, sizeof(*t->h));
	}
	t->h[t->n++] = item;
}

/* Records e's key and name key (kind: KIND_*). */
static void
seen_node(struct keys_seen *t, const char *key, const char *name_key, unsigned kind)
{
	uint64_t nh = key_hash(name_key);

	seen_add(t, key_hash(key) | KEY_ENTRY);
	/* siblings of one name mostly follow each other: one item a run */
	if (t->n > 1 && t->last_name < t->n && (t->h[t->last_name] & ~(uint64_t)TAG_BITS) == nh) {
		t->h[t->last_name] |= kind;
		return;
	}
	t->last_name = t->n;
	seen_add(t, nh | kind);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* 1 when two of t's items say that one node may be entered twice. */
static int
seen_clash(struct keys_seen *t)
{
	if (t->n < 2)
		return 0;	/* (and no qsort of a NULL array) */
	qsort(t->h, t->n, sizeof(*t->h), cmp_u64);
	for (size_t i = 0; i < t->n; ) {
		uint64_t h = t->h[i] & ~(uint64_t)TAG_BITS;
		unsigned entries = 0, kinds = 0;

		for (; i < t->n && (t->h[i] & ~(uint64_t)TAG_BITS) == h; i++) {
			unsigned tag = (unsigned)(t->h[i] & TAG_BITS);

			if (tag == KEY_ENTRY)
				entries++;
			kinds |= tag;
		}
		/* a key twice; a name of both kinds; a key and a name of one hash */
		if (entries > 1 || kinds == (KIND_SINGLE | KIND_KEYED) ||
		    (entries > 0 && kinds != 0))
			return 1;
	}
	return 0;
}

static int revisit_children(const struct edit_ctx *c, xmlNodePtr eparent,
    const struct lysc_node *psn, int known);

/* 1 when element e has element children (a packed node has). */
static int
has_elements(const xmlNode *e)
{
	if (packed_is(e))
		return 1;
	for (const xmlNode *k = e->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* Records edit node e's keys among its siblings' (sn: its schema node, or NULL). */
static void
record(const struct edit_ctx *c, struct keys_seen *seen, xmlNodePtr e,
    const struct lysc_node *sn)
{
	char *k = node_key(c->keys, sn, e), *nk = node_name_key(e);

	/* leaves are not counted: they are changed where their parent's edit is checked */
	seen_node(seen, k, nk, k[0] == 'C' ? KIND_SINGLE : KIND_KEYED);
	free(k);
	free(nk);
}

/* e's own children, packed or not (a packed one is read unpacked, then packed again). */
static int
revisit_inside(const struct edit_ctx *c, xmlNodePtr e, const struct lysc_node *sn, int known)
{
	int e_packed = packed_unpack(e);
	int rc = revisit_children(c, e, sn, known);

	if (e_packed)
		packed_pack_tree(e);
	return rc;
}

static int
revisit_children(const struct edit_ctx *c, xmlNodePtr eparent,
    const struct lysc_node *psn, int known)
{
	struct keys_seen seen = { NULL, 0, 0, 0 };
	int rc = 0;

	for (xmlNodePtr e = eparent->children; e != NULL && rc == 0; e = e->next) {
		const struct lysc_node *sn = NULL;

		if (e->type != XML_ELEMENT_NODE || !has_elements(e))
			continue;
		if (known && c->schema != NULL)
			sn = schema_child(c->schema, psn, node_ns(e), (const char *)e->name);
		record(c, &seen, e, sn);
		rc = revisit_inside(c, e, sn, sn != NULL &&
		    (sn->nodetype & (LYS_CONTAINER | LYS_LIST)) != 0);
	}
	if (rc == 0)
		rc = seen_clash(&seen);
	free(seen.h);
	return rc;
}

int
edit_may_revisit(const struct edit_ctx *c, xmlNodePtr config)
{
	return revisit_children(c, config, NULL, 1);
}
