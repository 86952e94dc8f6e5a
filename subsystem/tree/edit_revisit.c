/*
 * Whether an edit-config may enter one datastore node twice: two sibling
 * edit nodes (at any depth) that may address the same node by
 * edit_index.c's rules.  The write check of NACM as the edit goes
 * (edit_ctx.check_inside) forgets a packed entry's changes once they
 * pass; an entry entered again later could make them denied after all
 * (a leaf a rule's predicate reads, a child under a node created
 * before), which the check after the whole edit would see.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/schema.h"
#include "xmalloc.h"
#include "tree_int.h"

/* A sibling edit node's key kind, per name (an "N" key): bits. */
#define SEEN_SINGLE	1	/* a "C" key: the first (or only) node of its name */
#define SEEN_KEYED	2	/* another key: one entry */

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
clashes(const struct edit_ctx *c, xmlHashTablePtr seen, xmlNodePtr e,
    const struct lysc_node *sn)
{
	char *k = node_key(c->keys, sn, e), *nk = node_name_key(e);
	intptr_t bits = (intptr_t)xmlHashLookup(seen, BAD_CAST nk);
	int clash = xmlHashLookup(seen, BAD_CAST k) != NULL;

	bits |= k[0] == 'C' ? SEEN_SINGLE : SEEN_KEYED;
	/* a "C" key takes the first node of its name: maybe a keyed one */
	clash = clash || bits == (SEEN_SINGLE | SEEN_KEYED);
	if (xmlHashUpdateEntry(seen, BAD_CAST k, (void *)1, NULL) == -1 ||
	    xmlHashUpdateEntry(seen, BAD_CAST nk, (void *)bits, NULL) == -1)
		xoom();
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
	xmlHashTablePtr seen = NULL;
	int rc = 0;

	for (xmlNodePtr e = eparent->children; e != NULL && rc == 0; e = e->next) {
		const struct lysc_node *sn = NULL;

		if (e->type != XML_ELEMENT_NODE || !has_elements(e))
			continue;
		if (known && c->schema != NULL)
			sn = schema_child(c->schema, psn, node_ns(e), (const char *)e->name);
		if (seen == NULL && (seen = xmlHashCreate(16)) == NULL)
			xoom();
		rc = clashes(c, seen, e, sn) ||
		    revisit_inside(c, e, sn, sn != NULL &&
		    (sn->nodetype & (LYS_CONTAINER | LYS_LIST)) != 0);
	}
	xmlHashFree(seen, NULL);
	return rc;
}

int
edit_may_revisit(const struct edit_ctx *c, xmlNodePtr config)
{
	return revisit_children(c, config, NULL, 1);
}
