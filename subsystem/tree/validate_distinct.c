/*
 * unique (RFC 7950 7.8.3) over a whole list at once, for validate.c's
 * big edits: every entry's values of each unique statement hashed, a
 * repeat is a clash.  One pass over 50,000 entries, where a
 * check of each touched entry against the others (validate_unique.c)
 * would need the list's cache, or be quadratic without one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "xmalloc.h"
#include "tree_int.h"

#define MAX_LEAVES	8
#define MAX_LEVELS	64

/* Names from the list's entry down to leaf (choice and case are not data). */
static size_t
path_of(const struct lysc_node *leaf, const struct lysc_node *list, const char **names)
{
	const char *up[MAX_LEVELS];
	size_t n = 0;

	for (const struct lysc_node *x = leaf; x != NULL && x != list; x = x->parent)
		if (!(x->nodetype & (LYS_CHOICE | LYS_CASE))) {
			if (n == MAX_LEVELS)
				return 0;
			up[n++] = x->name;
		}
	for (size_t i = 0; i < n; i++)
		names[i] = up[n - 1 - i];
	return n;
}

/* Entry e's values of the leaves, hashed into *h; 0 when one is missing (not checked). */
static int
hash_of(xmlNodePtr e, const char *names[][MAX_LEVELS], const size_t *nn, unsigned nl,
    uint64_t *h)
{
	*h = FNV1A64_BASIS;
	for (unsigned k = 0; k < nl; k++) {
		const char *t;
		char *own = NULL;
		int rc = packed_is(e) ? packed_path_text(e, names[k], nn[k], &t) : -1;

		if (rc == 0)
			return 0;
		if (rc != 1 && (t = own = vu_value_at(e, names[k], nn[k])) == NULL)
			return 0;
		/* with its NUL: it separates one leaf's value from the next */
		*h = fnv1a64(*h, t, strlen(t) + 1);
		free(own);
	}
	return 1;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A hash of each entry's values, sorted: equal neighbours are a clash,
 * or (rarely) two values with one hash, which validating the list whole
 * then tells apart.  8 bytes an entry, no copy of the values.
 */
int
vd_list_clash(xmlNodePtr like, const struct lysc_node *sn)
{
	const struct lysc_node *leaves[MAX_LEAVES];
	const char *names[MAX_LEAVES][MAX_LEVELS];
	size_t nn[MAX_LEAVES], n, cap = 0;
	uint64_t *hs = NULL;
	unsigned nl;
	int clash = 0;

	if (like->parent == NULL)
		return 0;
	for (xmlNodePtr o = like->parent->children; o != NULL; o = o->next)
		cap++;
	for (unsigned i = 0; !clash && (nl = schema_unique(sn, i, leaves, MAX_LEAVES)) > 0; i++) {
		if (nl > MAX_LEAVES) {
			clash = 1;	/* cannot tell here: validated whole */
			break;
		}
		for (unsigned k = 0; k < nl; k++)
			if ((nn[k] = path_of(leaves[k], sn, names[k])) == 0)
				clash = 1;
		if (hs == NULL)
			hs = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof(*hs));
		n = 0;
		for (xmlNodePtr o = like->parent->children; o != NULL && !clash; o = o->next)
			if (node_same_name(o, like) && hash_of(o, names, nn, nl, &hs[n]))
				n++;
		qsort(hs, n, sizeof(*hs), u64_cmp);
		for (size_t k = 1; k < n && !clash; k++)
			clash = hs[k] == hs[k - 1];
	}
	free(hs);
	return clash;
}
