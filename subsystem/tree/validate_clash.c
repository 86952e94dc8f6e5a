/*
 * The entries of a big list that libyang's check of the whole list
 * would name in its unique error (validate.c, an edit of every entry
 * refused for a clash): validating those few gives the same error as
 * the whole list did, without libyang's tree of 50,000 entries (65 MB
 * of a refused rewrite's 106 MB peak, bench_memory).
 *
 * libyang reports, for a clashing statement, the first entry (document
 * order) whose values an earlier one holds, with that earlier one.
 * Those two for every clashing statement: among them, a statement's
 * first clash is still the first (an earlier one there would be one in
 * the list), and so is the first of all, however libyang orders
 * statements and entries.  The values are compared as text, which is
 * libyang's comparison only for strings without a default: any other
 * leaf, and the list is validated whole as before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "xmalloc.h"
#include "tree_int.h"

struct crec {
	uint64_t	 h;
	size_t		 at;	/* place among the entries */
	xmlNodePtr	 e;
};

static int
crec_cmp(const void *a, const void *b)
{
	const struct crec *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* 1 when a and b hold the same values of the leaves. */
static int
same_values(xmlNodePtr a, xmlNodePtr b, const char *names[][VD_MAX_LEVELS], const size_t *nn,
    unsigned nl)
{
	int same = 1;

	for (unsigned k = 0; k < nl && same; k++) {
		const char *ta, *tb;
		char *oa, *ob;

		if (!vd_leaf_value(a, names[k], nn[k], &ta, &oa))
			return 0;
		if (!vd_leaf_value(b, names[k], nn[k], &tb, &ob)) {
			free(oa);
			return 0;
		}
		same = strcmp(ta, tb) == 0;
		free(oa);
		free(ob);
	}
	return same;
}

/* Statement i's names; 0 when none, -1 when not compared here. */
static int
stmt_names(const struct lysc_node *sn, unsigned i, const char *names[][VD_MAX_LEVELS], size_t *nn)
{
	const struct lysc_node *leaves[VD_MAX_LEAVES];
	unsigned nl = schema_unique(sn, i, leaves, VD_MAX_LEAVES);

	if (nl == 0)
		return 0;
	if (nl > VD_MAX_LEAVES || i >= VD_MAX_STMTS)
		return -1;
	for (unsigned k = 0; k < nl; k++) {
		const struct lysc_node_leaf *l = (const struct lysc_node_leaf *)leaves[k];

		if (leaves[k]->nodetype != LYS_LEAF || l->type->basetype != LY_TYPE_STRING ||
		    l->dflt != NULL || (nn[k] = vd_leaf_path(leaves[k], sn, names[k])) == 0)
			return -1;
	}
	return (int)nl;
}

/* Statement i's first clash into pick[*n], two entries; -1 when not compared. */
static int
first_clash(xmlNodePtr like, const struct lysc_node *sn, unsigned i, xmlNodePtr *pick,
    size_t *n)
{
	const char *names[VD_MAX_LEAVES][VD_MAX_LEVELS];
	size_t nn[VD_MAX_LEAVES], cap = 0, nr = 0, best = SIZE_MAX;
	xmlNodePtr second = NULL, first = NULL;
	struct crec *r;
	int nl;

	if ((nl = stmt_names(sn, i, names, nn)) <= 0)
		return nl;
	for (xmlNodePtr o = like->parent->children; o != NULL; o = o->next)
		cap++;
	r = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof(*r));
	cap = 0;
	for (xmlNodePtr o = like->parent->children; o != NULL; o = o->next, cap++)
		if (node_same_name(o, like) && vd_values_hash(o, names, nn, (unsigned)nl, &r[nr].h)) {
			r[nr].at = cap;
			r[nr++].e = o;
		}
	qsort(r, nr, sizeof(*r), crec_cmp);
	/* equal hashes are neighbours, in document order: the first real repeat of each */
	for (size_t a = 0; a < nr; a++)
		for (size_t b = a + 1; b < nr && r[b].h == r[a].h && r[b].at < best; b++)
			if (same_values(r[a].e, r[b].e, names, nn, (unsigned)nl)) {
				best = r[b].at;
				second = r[b].e;
				first = r[a].e;
				break;
			}
	free(r);
	if (second != NULL) {
		pick[(*n)++] = first;
		pick[(*n)++] = second;
	}
	return 1;
}

size_t
vd_clash_entries(xmlNodePtr like, const struct lysc_node *sn, xmlNodePtr *pick, size_t max)
{
	size_t n = 0;

	if (like->parent == NULL || max < 2 * VD_MAX_STMTS)
		return 0;
	for (unsigned i = 0;; i++) {
		int rc = first_clash(like, sn, i, pick, &n);

		if (rc == -1)
			return 0;
		if (rc == 0)
			return n;
	}
}
