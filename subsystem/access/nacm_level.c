/*
 * The rules a walk carries into a node with many children (a big list)
 * are indexed by the value of their next step's first key predicate:
 * each child's key is then read once and looked up, instead of being
 * compared with every rule.  20 rules naming entries of a 50,000-entry
 * list cost 50,000 lookups, not a million comparisons.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nacm_int.h"

#define LEVEL_MIN	4	/* fewer entries: testing each is as cheap */

/* The entries whose step's first predicate is one key leaf. */
struct group {
	const char	*ns;
	const char	*name;
	size_t		*head;		/* per hash slot: first entry + 1, 0: none */
	size_t		 cap;		/* slots, a power of two */
	size_t		*all;		/* every entry of the group, ascending */
	size_t		 nall;
};

struct nacm_level {
	const struct nacm_oplist *L;
	size_t		 depth;
	const char	*user;
	struct group	*g;
	size_t		 ng;
	size_t		*other;		/* entries not indexed, ascending */
	size_t		 nother;
	size_t		*next;		/* chain per entry index (+1, 0: end) */
	size_t		*tail;		/* per group slot: last entry + 1 */
};

static size_t
hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL & SIZE_MAX;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * (1099511628211ULL & SIZE_MAX);
	return h;
}

/* The value entry e's step is indexed by (its first key's), NULL: not indexed. */
static const char *
key_value(const struct nacm_level *lv, size_t e, const struct nacm_pred **pr)
{
	const struct nacm_step *st = &lv->L->e[e].path->step[lv->depth];

	if (st->npred == 0 || st->pred[0].name == NULL)
		return NULL;
	*pr = &st->pred[0];
	return st->pred[0].value != NULL ? st->pred[0].value : lv->user;
}

static struct group *
group_of(struct nacm_level *lv, const struct nacm_pred *pr, size_t n)
{
	struct group *g;

	for (size_t i = 0; i < lv->ng; i++)
		if (strcmp(lv->g[i].name, pr->name) == 0 && strcmp(lv->g[i].ns, pr->ns) == 0)
			return &lv->g[i];
	g = &lv->g[lv->ng++];
	g->ns = pr->ns;
	g->name = pr->name;
	for (g->cap = 16; g->cap < 2 * n; g->cap *= 2)
		;
	g->head = calloc(g->cap, sizeof(*g->head));
	g->all = calloc(n, sizeof(*g->all));
	return g->head != NULL && g->all != NULL ? g : NULL;
}

void
nacm_level_free(struct nacm_level *lv)
{
	if (lv == NULL)
		return;
	for (size_t i = 0; i < lv->ng; i++) {
		free(lv->g[i].head);
		free(lv->g[i].all);
	}
	free(lv->g);
	free(lv->other);
	free(lv->next);
	free(lv->tail);
	free(lv);
}

struct nacm_level *
nacm_level_new(const struct nacm_session *s, const struct nacm_oplist *L,
    const struct nacm_state *parent, size_t depth)
{
	struct nacm_level *lv;
	size_t n = parent->npart;

	if (n < LEVEL_MIN || (lv = calloc(1, sizeof(*lv))) == NULL)
		return NULL;
	lv->L = L;
	lv->depth = depth;
	lv->user = s->user;
	if ((lv->g = calloc(n, sizeof(*lv->g))) == NULL ||
	    (lv->other = calloc(n, sizeof(*lv->other))) == NULL ||
	    (lv->next = calloc(L->n, sizeof(*lv->next))) == NULL ||
	    (lv->tail = calloc(L->n, sizeof(*lv->tail))) == NULL)
		goto fail;
	for (size_t k = 0; k < n; k++) {
		size_t e = parent->part[k], h;
		const struct nacm_pred *pr;
		const char *v = key_value(lv, e, &pr);
		struct group *g;

		if (v == NULL) {
			lv->other[lv->nother++] = e;
			continue;
		}
		if ((g = group_of(lv, pr, n)) == NULL)
			goto fail;
		g->all[g->nall++] = e;
		h = hash_str(v) & (g->cap - 1);
		/* chains keep ascending order: append; a slot may mix values */
		if (g->head[h] == 0)
			g->head[h] = e + 1;
		else
			lv->next[lv->tail[g->head[h] - 1] - 1] = e + 1;
		lv->tail[g->head[h] - 1] = e + 1;
	}
	return lv;
fail:
	nacm_level_free(lv);
	return NULL;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

int
nacm_level_candidates(const struct nacm_level *lv, const xmlNode *c,
    struct nacm_vcache *vc, size_t *cand, size_t *ncand)
{
	size_t n = 0;

	memcpy(cand, lv->other, lv->nother * sizeof(*cand));
	n = lv->nother;
	for (size_t i = 0; i < lv->ng; i++) {
		const struct group *g = &lv->g[i];
		size_t slot;

		if (nacm_vcache_value(vc, c, g->ns, g->name, &slot) == -1)
			return -1;
		if (slot == NACM_VCACHE || vc->v[slot].many) {
			/* no one value to look up: every entry of the group */
			memcpy(cand + n, g->all, g->nall * sizeof(*cand));
			n += g->nall;
			continue;
		}
		if (vc->v[slot].value == NULL)
			continue;
		for (size_t e = g->head[hash_str(vc->v[slot].value) & (g->cap - 1)]; e != 0;
		    e = lv->next[e - 1])
			cand[n++] = e - 1;	/* same slot, maybe another value: step_match decides */
	}
	if (n > 1)
		qsort(cand, n, sizeof(*cand), cmp_size);
	*ncand = n;
	return 0;
}
