/*
 * The list index's children by key (edit_index.c): each child's pointer
 * and the 32-bit hash of its key, not the key.  Open addressing, linear
 * probing, a power of two of slots at most 3/4 used; the caller tells
 * the children of one hash apart by their keys (is()), so a collision
 * costs a key computed again, never a wrong child.  Keeping the key
 * strings in a libxml2 hash took 6.6 MB at 50,000 entries, this 1.5 MB
 * (issue 15).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "xmalloc.h"
#include "tree_int.h"

uint32_t index_hash_mask = UINT32_MAX;

/*
 * Keys come from the client: the process's random basis (hash_seed), so
 * that keys of one probe run cannot be prepared in advance.
 */
uint32_t
islots_hash(const char *k)
{
	uint64_t h = fnv1a64(hash_seed(), k, strlen(k));

	return (uint32_t)(h ^ (h >> 32)) & index_hash_mask;
}

xmlNodePtr
islots_find(const struct islots *t, uint32_t h, int (*is)(const void *arg, xmlNodePtr n),
    const void *arg)
{
	if (t->cap == 0)
		return NULL;
	for (size_t i = h & (t->cap - 1); t->node[i] != NULL; i = (i + 1) & (t->cap - 1))
		if (t->hash[i] == h && is(arg, t->node[i]))
			return t->node[i];
	return NULL;
}

static void
put(struct islots *t, xmlNodePtr n, uint32_t h)
{
	size_t i = h & (t->cap - 1);

	while (t->node[i] != NULL)
		i = (i + 1) & (t->cap - 1);
	t->node[i] = n;
	t->hash[i] = h;
	t->n++;
}

void
islots_add(struct islots *t, xmlNodePtr n, uint32_t h)
{
	if (4 * (t->n + 1) > 3 * t->cap) {
		xmlNodePtr *onode = t->node;
		uint32_t *ohash = t->hash;
		size_t ocap = t->cap;

		t->cap = ocap > 0 ? 2 * ocap : 64;
		t->node = xcalloc(t->cap, sizeof(*t->node));
		t->hash = xcalloc(t->cap, sizeof(*t->hash));
		t->n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (onode[i] != NULL)
				put(t, onode[i], ohash[i]);
		free(onode);
		free(ohash);
	}
	put(t, n, h);
}

void
islots_del(struct islots *t, uint32_t h, xmlNodePtr n)
{
	size_t mask = t->cap - 1, i, j, home;

	if (t->cap == 0)
		return;
	for (i = h & mask; t->node[i] != n; i = (i + 1) & mask)
		if (t->node[i] == NULL)
			return;
	t->node[i] = NULL;
	t->n--;
	/* no hole in a probe sequence: the slots after i move back */
	for (j = i;;) {
		j = (j + 1) & mask;
		if (t->node[j] == NULL)
			return;
		home = t->hash[j] & mask;
		/* node[j] stays when its home lies cyclically in (i, j] */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->node[i] = t->node[j];
		t->hash[i] = t->hash[j];
		t->node[j] = NULL;
		i = j;
	}
}

void
islots_free(struct islots *t)
{
	free(t->node);
	free(t->hash);
	t->node = NULL;
	t->hash = NULL;
	t->cap = t->n = 0;
}
