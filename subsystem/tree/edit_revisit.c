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

/* A sibling edit node's key kind, per name (an "N" key): bits. */
#define SEEN_SINGLE	1	/* a "C" key: the first (or only) node of its name */
#define SEEN_KEYED	2	/* another key: one entry */

/* Past this many slots probed, a key counts as seen (crafted collisions). */
#define SEEN_PROBE_MAX	64

/*
 * The keys seen among one parent's edit nodes, as hashes with a value
 * (keys: 1; "N" name keys: SEEN_* bits).  Hashes, not the key strings:
 * an account's rewrite of 50,000 entries held 9 MB of them.  Two keys
 * of one hash count as one, as does a key whose probe runs past
 * SEEN_PROBE_MAX: either only turns the check as the edit goes off,
 * which is always safe.  Open addressing, at most half full.
 */
struct seen_slot {
	uint64_t	 h;	/* 0: empty */
	intptr_t	 v;
};

struct seen {
	struct seen_slot	*s;
	size_t			 cap, n;
	int			 lost;	/* a key did not fit: every key counts as seen */
};

static uint64_t
seen_hash(const char *key)
{
	uint64_t h = fnv1a64(hash_seed(), key, strlen(key));

	return h != 0 ? h : 1;
}

/* The slot of h in t (empty if h is not there); NULL: probed too far. */
static struct seen_slot *
seen_slot(const struct seen *t, uint64_t h)
{
	size_t at = (size_t)h & (t->cap - 1);

	for (int i = 0; i < SEEN_PROBE_MAX; i++, at = (at + 1) & (t->cap - 1))
		if (t->s[at].h == 0 || t->s[at].h == h)
			return &t->s[at];
	return NULL;
}

static void
seen_grow(struct seen *t)
{
	struct seen nt = { NULL, t->cap != 0 ? t->cap * 2 : 64, 0, 0 };

	nt.s = xcalloc(nt.cap, sizeof(*nt.s));
	for (size_t i = 0; i < t->cap; i++) {
		struct seen_slot *d;

		if (t->s[i].h == 0)
			continue;
		if ((d = seen_slot(&nt, t->s[i].h)) == NULL) {
			nt.lost = 1;
			break;
		}
		*d = t->s[i];
		nt.n++;
	}
	free(t->s);
	*t = nt;
}

/*
 * key's value in t, which becomes its old value ORed with v; the old
 * value (0: not seen), or -1 when key counts as seen already.
 */
static intptr_t
seen_put(struct seen *t, const char *key, intptr_t v)
{
	uint64_t h = seen_hash(key);
	struct seen_slot *sl;
	intptr_t old;

	if (!t->lost && (t->n + 1) * 2 > t->cap)
		seen_grow(t);
	if (t->lost || (sl = seen_slot(t, h)) == NULL)
		return -1;
	if (sl->h == 0) {
		sl->h = h;
		t->n++;
	}
	old = sl->v;
	sl->v |= v;
	return old;
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

/*
 * Edit node e's key among its siblings' (seen: key -> 1, "N" name key
 * -> SEEN_* bits): 1 when one of them may address e's node.  Leaves are
 * not counted: they are changed where their parent's edit is checked.
 */
static int
clashes(const struct edit_ctx *c, struct seen *seen, xmlNodePtr e,
    const struct lysc_node *sn)
{
	char *k = node_key(c->keys, sn, e), *nk = node_name_key(e);
	intptr_t kind = k[0] == 'C' ? SEEN_SINGLE : SEEN_KEYED;
	intptr_t bits = seen_put(seen, nk, kind);
	int clash = seen_put(seen, k, 1) != 0;

	/* a "C" key takes the first node of its name: maybe a keyed one */
	clash = clash || bits == -1 || (bits | kind) == (SEEN_SINGLE | SEEN_KEYED);
	free(k);
	free(nk);
	return clash;
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
	struct seen seen = { NULL, 0, 0, 0 };
	int rc = 0;

	for (xmlNodePtr e = eparent->children; e != NULL && rc == 0; e = e->next) {
		const struct lysc_node *sn = NULL;

		if (e->type != XML_ELEMENT_NODE || !has_elements(e))
			continue;
		if (known && c->schema != NULL)
			sn = schema_child(c->schema, psn, node_ns(e), (const char *)e->name);
		rc = clashes(c, &seen, e, sn) ||
		    revisit_inside(c, e, sn, sn != NULL &&
		    (sn->nodetype & (LYS_CONTAINER | LYS_LIST)) != 0);
	}
	free(seen.s);
	return rc;
}

int
edit_may_revisit(const struct edit_ctx *c, xmlNodePtr config)
{
	return revisit_children(c, config, NULL, 1);
}
