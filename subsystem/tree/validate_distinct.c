/*
 * unique (RFC 7950 7.8.3) over a whole list at once, for validate.c's
 * big edits: every entry's values of each unique statement hashed, a
 * repeat is a clash.  One pass over 50,000 entries, where a
 * check of each touched entry against the others (validate_unique.c)
 * would need the list's cache, or be quadratic without one.
 *
 * The hashes (16 bytes an entry, sorted) are kept with the list's index
 * (index_ext(), freed with it), valid for the tree as of one
 * edit_generation, as validate_unique.c's values are.  The next edit's
 * check (VU_EDIT, one generation later) drops the records of the
 * entries it removed or touched and hashes only the touched ones again:
 * population in batches of 1,000 no longer reads and sorts the whole
 * list for every batch.  Anything else (another edit between, an undo,
 * a commit's check of another tree) hashes the whole list again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "xmalloc.h"
#include "tree_int.h"

size_t
vd_leaf_path(const struct lysc_node *leaf, const struct lysc_node *list, const char **names)
{
	const char *up[VD_MAX_LEVELS];
	size_t n = 0;

	for (const struct lysc_node *x = leaf; x != NULL && x != list; x = x->parent)
		if (!(x->nodetype & (LYS_CHOICE | LYS_CASE))) {
			if (n == VD_MAX_LEVELS)
				return 0;
			up[n++] = x->name;
		}
	for (size_t i = 0; i < n; i++)
		names[i] = up[n - 1 - i];
	return n;
}

int
vd_leaf_value(xmlNodePtr e, const char *const *names, size_t n, const char **t, char **own)
{
	int rc = packed_is(e) ? packed_path_text(e, names, n, t) : -1;

	*own = NULL;
	if (rc == 0)
		return 0;
	if (rc != 1 && (*t = *own = vu_value_at(e, names, n)) == NULL)
		return 0;
	return 1;
}

int
vd_values_hash(xmlNodePtr e, const char *names[][VD_MAX_LEVELS], const size_t *nn, unsigned nl,
    uint64_t *h)
{
	*h = FNV1A64_BASIS;
	for (unsigned k = 0; k < nl; k++) {
		const char *t;
		char *own;

		if (!vd_leaf_value(e, names[k], nn[k], &t, &own))
			return 0;
		/* with its NUL: it separates one leaf's value from the next */
		*h = fnv1a64(*h, t, strlen(t) + 1);
		free(own);
	}
	return 1;
}


struct vd_rec {
	uint64_t	 h;
	xmlNodePtr	 e;
};

/* The hashes of one list under one parent. */
struct vd_kept {
	unsigned long		 gen;		/* edit_generation they are valid for */
	const struct lysc_node	*list;
	char			*name, *ns;	/* the entries' element name */
	unsigned		 nstmt;
	size_t			 n[VD_MAX_STMTS];
	struct vd_rec		*r[VD_MAX_STMTS];	/* sorted by h */
};

static void
kept_free(void *arg)
{
	struct vd_kept *k = arg;

	if (k == NULL)
		return;
	for (unsigned i = 0; i < k->nstmt; i++)
		free(k->r[i]);
	free(k->name);
	free(k->ns);
	free(k);
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct vd_rec *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(xmlNodePtr const *)a, y = (uintptr_t)*(xmlNodePtr const *)b;

	return x < y ? -1 : x > y;
}

static int
listed(xmlNodePtr const *a, size_t n, xmlNodePtr e)
{
	return n > 0 && bsearch(&e, a, n, sizeof(*a), ptr_cmp) != NULL;
}

/* Statement i's names below the entry; 0 when beyond what is read here. */
static unsigned
stmt_names(const struct lysc_node *sn, unsigned i, const char *names[][VD_MAX_LEVELS],
    size_t *nn, int *beyond)
{
	const struct lysc_node *leaves[VD_MAX_LEAVES];
	unsigned nl = schema_unique(sn, i, leaves, VD_MAX_LEAVES);

	if (nl > VD_MAX_LEAVES || i >= VD_MAX_STMTS) {
		*beyond = 1;
		return 0;
	}
	for (unsigned k = 0; k < nl; k++)
		if ((nn[k] = vd_leaf_path(leaves[k], sn, names[k])) == 0)
			*beyond = 1;
	return *beyond ? 0 : nl;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Statement i over the whole list, 8 bytes an entry, nothing kept; 1 on a repeat. */
static int
hash_once(xmlNodePtr like, const char *names[][VD_MAX_LEVELS], const size_t *nn, unsigned nl,
    size_t cap)
{
	uint64_t *hs = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof(*hs));
	size_t n = 0;
	int clash = 0;

	for (xmlNodePtr o = like->parent->children; o != NULL; o = o->next)
		if (node_same_name(o, like) && vd_values_hash(o, names, nn, nl, &hs[n]))
			n++;
	qsort(hs, n, sizeof(*hs), u64_cmp);
	for (size_t k = 1; k < n && !clash; k++)
		clash = hs[k] == hs[k - 1];
	free(hs);
	return clash;
}

/* Every entry's records of statement i into k (whole list); 1 on a repeat. */
static int
hash_all(struct vd_kept *k, unsigned i, xmlNodePtr like, const char *names[][VD_MAX_LEVELS],
    const size_t *nn, unsigned nl, size_t cap)
{
	struct vd_rec *r = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof(*r));
	size_t n = 0;
	int clash = 0;

	for (xmlNodePtr o = like->parent->children; o != NULL; o = o->next)
		if (node_same_name(o, like) && vd_values_hash(o, names, nn, nl, &r[n].h))
			r[n++].e = o;
	qsort(r, n, sizeof(*r), rec_cmp);
	for (size_t j = 1; j < n && !clash; j++)
		clash = r[j].h == r[j - 1].h;
	k->r[i] = r;
	k->n[i] = n;
	return clash;
}

/*
 * Statement i's records brought one edit on: the removed and touched
 * entries' dropped, the touched entries still in the list hashed again
 * and compared with every other record; 1 on a repeat.
 */
static int
hash_touched(struct vd_kept *k, unsigned i, xmlNodePtr like, const char *names[][VD_MAX_LEVELS],
    const size_t *nn, unsigned nl, xmlNodePtr const *touched, size_t ntouched,
    xmlNodePtr const *gone, size_t ngone)
{
	struct vd_rec *old = k->r[i], *t, *r;
	size_t m = 0, nt = 0, a = 0, b = 0, n = 0;
	int clash = 0;

	for (size_t j = 0; j < k->n[i]; j++)
		if (!listed(touched, ntouched, old[j].e) && !listed(gone, ngone, old[j].e))
			old[m++] = old[j];
	t = xreallocarray(NULL, ntouched > 0 ? ntouched : 1, sizeof(*t));
	for (size_t j = 0; j < ntouched; j++) {
		xmlNodePtr e = touched[j];

		if (e->parent == like->parent && node_same_name(e, like) &&
		    vd_values_hash(e, names, nn, nl, &t[nt].h))
			t[nt++].e = e;
	}
	qsort(t, nt, sizeof(*t), rec_cmp);
	for (size_t j = 1; j < nt && !clash; j++)
		clash = t[j].h == t[j - 1].h;
	/* merged in order; a touched hash equal to a kept one is a clash */
	r = xreallocarray(NULL, m + nt > 0 ? m + nt : 1, sizeof(*r));
	while (a < m || b < nt) {
		if (b < nt && a < m && t[b].h == old[a].h)
			clash = 1;
		if (b >= nt || (a < m && old[a].h < t[b].h))
			r[n++] = old[a++];
		else
			r[n++] = t[b++];
	}
	free(t);
	free(old);
	k->r[i] = r;
	k->n[i] = n;
	return clash;
}

/*
 * A hash of each entry's values, sorted: equal neighbours are a clash,
 * or (rarely) two values with one hash, which validating the list whole
 * then tells apart.  16 bytes an entry, no copy of the values.
 */
int
vd_list_clash(xmlNodePtr like, const struct lysc_node *sn, xmlNodePtr const *touched,
    size_t ntouched, xmlNodePtr const *gone, size_t ngone, enum vu_mode mode)
{
	const char *names[VD_MAX_LEAVES][VD_MAX_LEVELS];
	size_t nn[VD_MAX_LEAVES], cap = 0;
	xmlNodePtr *sgone = NULL;
	struct vd_kept *k;
	void **slot;
	unsigned nl;
	int clash = 0, beyond = 0, follow, keep;

	if (like->parent == NULL)
		return 0;
	for (xmlNodePtr o = like->parent->children; o != NULL; o = o->next)
		cap++;
	slot = mode != VU_SCAN ? index_ext(like->parent, IX_EXT_HASHES, kept_free) : NULL;
	k = slot != NULL ? *slot : NULL;
	follow = k != NULL && mode == VU_EDIT && k->gen + 1 == edit_generation &&
	    k->list == sn && strcmp(k->name, (const char *)like->name) == 0 &&
	    strcmp(k->ns, node_ns(like)) == 0;
	/*
	 * Kept where the next edit is likely to touch a small part of the
	 * list (a batch into a big list).  An edit of every entry (a rewrite)
	 * hashes 8 bytes an entry and keeps nothing: its peak is not raised.
	 */
	keep = slot != NULL && (follow || ntouched * 4 < cap);
	if (!follow) {
		kept_free(k);
		k = xcalloc(1, sizeof(*k));
		k->list = sn;
		k->name = xstrdup((const char *)like->name);
		k->ns = xstrdup(node_ns(like));
	} else if (ngone > 0) {
		sgone = xreallocarray(NULL, ngone, sizeof(*sgone));
		memcpy(sgone, gone, ngone * sizeof(*sgone));
		qsort(sgone, ngone, sizeof(*sgone), ptr_cmp);
	}
	for (unsigned i = 0; !clash && (nl = stmt_names(sn, i, names, nn, &beyond)) > 0; i++) {
		if (follow)
			clash = hash_touched(k, i, like, names, nn, nl, touched, ntouched, sgone,
			    ngone);
		else if (keep)
			clash = hash_all(k, i, like, names, nn, nl, cap);
		else
			clash = hash_once(like, names, nn, nl, cap);
		if (!follow)
			k->nstmt = keep ? i + 1 : 0;
	}
	free(sgone);
	k->gen = edit_generation;
	if (clash || beyond || !keep) {
		/* not kept: the edit may be refused, or the list is not read here */
		kept_free(k);
		k = NULL;
	}
	if (slot != NULL)
		*slot = k;
	return clash || beyond;
}
