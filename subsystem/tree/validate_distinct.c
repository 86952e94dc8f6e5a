/*
 * unique (RFC 7950 7.8.3) over a whole list at once, for validate.c's
 * big edits: every entry's values of each unique statement into one hash
 * table, a repeat is a clash.  One pass over 50,000 entries, where a
 * check of each touched entry against the others (validate_unique.c)
 * would need the list's cache, or be quadratic without one.
 */
#include <stdlib.h>
#include <string.h>

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

/* Entry e's values of the leaves, joined; NULL when one is missing (not checked). */
static char *
joined(xmlNodePtr e, const char *names[][MAX_LEVELS], const size_t *nn, unsigned nl)
{
	char *out = NULL;
	size_t len = 0;

	for (unsigned k = 0; k < nl; k++) {
		char *v = vu_value_at(e, names[k], nn[k]);
		size_t vl;

		if (v == NULL) {
			free(out);
			return NULL;
		}
		vl = strlen(v);
		out = xreallocarray(out, len + vl + 2, 1);
		memcpy(out + len, v, vl);
		len += vl;
		out[len++] = '\x1f';
		out[len] = '\0';
		free(v);
	}
	return out;
}

int
vd_list_clash(xmlNodePtr like, const struct lysc_node *sn)
{
	const struct lysc_node *leaves[MAX_LEAVES];
	const char *names[MAX_LEAVES][MAX_LEVELS];
	size_t nn[MAX_LEAVES];
	unsigned nl;
	int clash = 0, size = 1024;

	if (like->parent == NULL)
		return 0;
	for (xmlNodePtr o = like->parent->children; o != NULL && size < (1 << 22); o = o->next)
		size++;
	for (unsigned i = 0; !clash && (nl = schema_unique(sn, i, leaves, MAX_LEAVES)) > 0; i++) {
		xmlHashTablePtr seen;

		if (nl > MAX_LEAVES)
			return 1;	/* cannot tell here: validated whole */
		for (unsigned k = 0; k < nl; k++)
			if ((nn[k] = path_of(leaves[k], sn, names[k])) == 0)
				return 1;
		if ((seen = xmlHashCreate(size)) == NULL)
			xoom();
		for (xmlNodePtr o = like->parent->children; o != NULL && !clash; o = o->next) {
			char *v;

			if (!node_same_name(o, like) || (v = joined(o, names, nn, nl)) == NULL)
				continue;
			clash = xmlHashAddEntry(seen, BAD_CAST v, o) != 0;
			free(v);
		}
		xmlHashFree(seen, NULL);
	}
	return clash;
}
