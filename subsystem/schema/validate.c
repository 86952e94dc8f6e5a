/*
 * Data validation with libyang (RFC 7950 8: mandatory, min/max-elements,
 * unique, must, when, leafref; the types again) and what the tree layer
 * needs to know to hand libyang only part of a datastore.
 *
 * schema_validate_xml() parses an XML text of top-level data (what
 * tree/validate.c builds: the touched part of a datastore) and validates
 * it with LYD_VALIDATE_PRESENT: a module's constraints hold once it has
 * data, so a datastore without data of ietf-system stays valid.  The
 * first error is mapped to NETCONF: RFC 7950 15 (unique, min/max-
 * elements, must: operation-failed with their app-tags; leafref and
 * mandatory choice: data-missing) and RFC 6241 (a mandatory leaf
 * missing: data-missing; a bad value: invalid-value); error-path with
 * the modules' XML prefixes, error-message and error-app-tag the
 * model's when it has them.
 *
 * Splitting a list.  A 50,000-entry list takes libyang about 0.7 s, so
 * an edit of one entry validates that entry (and what it refers to)
 * alone when nothing can tell the other entries apart from it:
 * schema_split() says so for an outermost list (only containers above
 * it) when
 *   - min-elements is at most 1 (the caller keeps one entry),
 *   - every must/when inside an entry stays inside it: its atoms are in
 *     the list's subtree and its text has no absolute path, deref() or
 *     more "../" than the depth it is written at,
 *   - every leafref inside an entry names the single key of an
 *     outermost list (schema_keyref(): the caller adds that entry) or
 *     data outside the list,
 *   - no expression outside the list, in the same top-level node, looks
 *     into it (one in another top-level node is schema_related()'s:
 *     that node is then validated whole).
 * unique and max-elements of a split list are the caller's (it sees all
 * entries; on a clash it validates the whole list, so the error is
 * libyang's).  SPLIT_NOREMOVE: entries refer to each other's keys; a
 * removal then validates the whole list.
 */
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

#define MAX_DEPS	4096
#define MAX_SPLITS	64

/* An expression of the context: where it is written, what it reads. */
struct dep {
	const struct lysc_node	*at;	/* the node carrying it */
	const struct lysc_node	*ctx;	/* its context node (NULL: root) */
	const char		*text;
	int			 leafref;
	struct ly_set		*atoms;
};

struct vstate {
	int			 built;
	struct dep		*deps;
	size_t			 ndeps;
	struct {
		const struct lysc_node	*list;
		int			 split;
	}			 splits[MAX_SPLITS];
	size_t			 nsplits;
};

/* The top-level data node of sn (NULL for NULL). */
static const struct lysc_node *
top_of(const struct lysc_node *sn)
{
	while (sn != NULL && sn->parent != NULL)
		sn = sn->parent;
	return sn;
}

/* 1 when sn is anc or below it. */
static int
below(const struct lysc_node *sn, const struct lysc_node *anc)
{
	for (; sn != NULL; sn = sn->parent)
		if (sn == anc)
			return 1;
	return 0;
}

/* 1 when only containers, choices and cases are above list sn. */
static int
outermost(const struct lysc_node *sn)
{
	for (sn = sn->parent; sn != NULL; sn = sn->parent)
		if (!(sn->nodetype & (LYS_CONTAINER | LYS_CHOICE | LYS_CASE)))
			return 0;
	return 1;
}

static void
add_dep(struct vstate *v, const struct lysc_node *at, const struct lysc_node *ctx,
    const struct lys_module *mod, const struct lyxp_expr *e, const struct lysc_prefix *pf,
    int leafref)
{
	struct ly_set *set = NULL;

	if (v->ndeps == MAX_DEPS || e == NULL)
		return;
	if (lys_find_expr_atoms(ctx, mod, e, pf, 0, &set) != LY_SUCCESS)
		set = NULL;
	v->deps[v->ndeps++] = (struct dep){ at, ctx, lyxp_get_expr(e), leafref, set };
}

static void
type_deps(struct vstate *v, const struct lysc_node *sn, const struct lysc_type *t, int depth)
{
	if (t == NULL || depth > 16)
		return;
	if (t->basetype == LY_TYPE_LEAFREF) {
		const struct lysc_type_leafref *lr = (const struct lysc_type_leafref *)t;

		add_dep(v, sn, sn, sn->module, lr->path, lr->prefixes, 1);
	} else if (t->basetype == LY_TYPE_UNION) {
		const struct lysc_type_union *u = (const struct lysc_type_union *)t;

		for (LY_ARRAY_COUNT_TYPE i = 0; i < LY_ARRAY_COUNT(u->types); i++)
			type_deps(v, sn, u->types[i], depth + 1);
	}
}

static LY_ERR
collect(struct lysc_node *sn, void *arg, ly_bool *skip)
{
	struct vstate *v = arg;
	struct lysc_must *musts = lysc_node_musts(sn);
	struct lysc_when **whens = lysc_node_when(sn);

	(void)skip;
	if (sn->nodetype & (LYS_RPC | LYS_ACTION | LYS_NOTIF | LYS_INPUT | LYS_OUTPUT)) {
		*skip = 1;
		return LY_SUCCESS;
	}
	for (LY_ARRAY_COUNT_TYPE i = 0; i < LY_ARRAY_COUNT(musts); i++)
		add_dep(v, sn, sn, sn->module, musts[i].cond, musts[i].prefixes, 0);
	for (LY_ARRAY_COUNT_TYPE i = 0; i < LY_ARRAY_COUNT(whens); i++)
		add_dep(v, sn, whens[i]->context, sn->module, whens[i]->cond,
		    whens[i]->prefixes, 0);
	if (sn->nodetype & (LYS_LEAF | LYS_LEAFLIST))
		type_deps(v, sn, ((struct lysc_node_leaf *)sn)->type, 0);
	return LY_SUCCESS;
}

static void validate_state_free(struct schema *s);

static struct vstate *
vstate(struct schema *s)
{
	struct vstate *v = s->vstate;
	uint32_t idx = 0;
	const struct lys_module *mod;

	if (v != NULL && v->built)
		return v;
	if (v == NULL) {
		if ((v = s->vstate = calloc(1, sizeof(*v))) == NULL)
			return NULL;
		s->vstate_free = validate_state_free;
	}
	if (schema_context(s) == NULL)
		return NULL;
	if (v->deps == NULL && (v->deps = calloc(MAX_DEPS, sizeof(*v->deps))) == NULL)
		return NULL;
	while ((mod = ly_ctx_get_module_iter(s->ctx, &idx)) != NULL)
		if (mod->implemented && mod->compiled != NULL)
			(void)lysc_module_dfs_full(mod, collect, v);
	v->built = 1;
	return v;
}

static void
validate_state_free(struct schema *s)
{
	struct vstate *v = s->vstate;

	if (v == NULL)
		return;
	for (size_t i = 0; i < v->ndeps; i++)
		ly_set_free(v->deps[i].atoms, NULL);
	free(v->deps);
	free(v);
	s->vstate = NULL;
}

/* The data levels from list down to n (the entry itself: 0). */
static int
depth_in(const struct lysc_node *n, const struct lysc_node *list)
{
	int d = 0;

	for (; n != NULL && n != list; n = n->parent)
		if (!(n->nodetype & (LYS_CHOICE | LYS_CASE)))
			d++;
	return d;
}

/*
 * 1 when expression text, evaluated at depth levels below an entry,
 * reads only that entry: no absolute path, no deref(), at most depth
 * "../" at the start of a path.
 */
static int
stays_local(const char *e, int depth)
{
	char q = 0, prev = 0;

	if (e == NULL || strstr(e, "deref(") != NULL || strstr(e, "//") != NULL)
		return 0;
	for (const char *p = e; *p != '\0'; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			q = *p;
			prev = *p;
			continue;
		}
		if (*p == ' ')
			continue;
		if (*p == '/' && !(prev == '.' || prev == ')' || prev == ']' || prev == '*' ||
		    prev == '_' || prev == '-' || (prev >= 'a' && prev <= 'z') ||
		    (prev >= 'A' && prev <= 'Z') || (prev >= '0' && prev <= '9')))
			return 0;	/* an absolute path */
		if (p[0] == '.' && p[1] == '.' && prev != '.' && prev != '/') {
			int n = 0;

			while (p[0] == '.' && p[1] == '.') {
				n++;
				p += 2;
				if (*p != '/')
					break;
				p++;
			}
			if (n > depth)
				return 0;
			p--;
		}
		prev = *p;
	}
	return 1;
}

const struct lysc_node *
schema_keyref(struct schema *s, const struct lysc_node *leaf)
{
	struct vstate *v = vstate(s);
	const struct lysc_node *key = NULL, *list;

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < v->ndeps; i++) {
		const struct dep *d = &v->deps[i];

		if (d->at != leaf || !d->leafref)
			continue;
		if (d->atoms == NULL || key != NULL)
			return NULL;	/* unknown, or two leafrefs (a union) */
		for (uint32_t j = 0; j < d->atoms->count; j++) {
			const struct lysc_node *a = d->atoms->snodes[j];

			if (a == leaf || (a->nodetype & (LYS_CONTAINER | LYS_LIST)))
				continue;
			if (key != NULL || !(a->flags & LYS_KEY))
				return NULL;
			key = a;
		}
	}
	if (key == NULL || (list = key->parent) == NULL || !outermost(list) ||
	    ((const struct lysc_node_list *)list)->child != key ||
	    (key->next != NULL && (key->next->flags & LYS_KEY)))
		return NULL;
	/* the other atoms: the list and what is above it, or above the leaf */
	for (size_t i = 0; i < v->ndeps; i++) {
		const struct dep *d = &v->deps[i];

		if (d->at != leaf || !d->leafref)
			continue;
		for (uint32_t j = 0; j < d->atoms->count; j++) {
			const struct lysc_node *a = d->atoms->snodes[j];

			if (a != key && a != leaf && !below(list, a) && !below(leaf, a))
				return NULL;
		}
	}
	return list;
}

/* The split level of list (SPLIT_*), computed from the dependencies. */
static int
split_of(struct schema *s, struct vstate *v, const struct lysc_node *list)
{
	const struct lysc_node *top = top_of(list);
	int level = SPLIT_YES;

	if (!outermost(list) || ((const struct lysc_node_list *)list)->min > 1)
		return SPLIT_NO;
	if (lysc_node_musts(list) != NULL || lysc_node_when(list) != NULL)
		return SPLIT_NO;	/* read at the list's parent too */
	for (size_t i = 0; i < v->ndeps; i++) {
		const struct dep *d = &v->deps[i];
		int inside = below(d->at, list);

		if (d->atoms == NULL)
			return SPLIT_NO;
		if (inside && d->leafref) {
			const struct lysc_node *t = schema_keyref(s, d->at);

			if (t == list)
				level = SPLIT_NOREMOVE;
			else if (t == NULL) {
				for (uint32_t j = 0; j < d->atoms->count; j++)
					if (top_of(d->atoms->snodes[j]) == top &&
					    !below(d->atoms->snodes[j], list) &&
					    !below(list, d->atoms->snodes[j]))
						return SPLIT_NO;
			}
			continue;
		}
		if (inside) {
			if (!stays_local(d->text, depth_in(d->ctx, list)))
				return SPLIT_NO;
			for (uint32_t j = 0; j < d->atoms->count; j++)
				if (!below(d->atoms->snodes[j], list) &&
				    !below(list, d->atoms->snodes[j]))
					return SPLIT_NO;
			continue;
		}
		/* outside the list: looks into it from the same top-level node? */
		if (top_of(d->at) != top)
			continue;
		for (uint32_t j = 0; j < d->atoms->count; j++)
			if (below(d->atoms->snodes[j], list) && d->atoms->snodes[j] != list)
				return SPLIT_NO;
	}
	return level;
}

int
schema_split(struct schema *s, const struct lysc_node *list)
{
	struct vstate *v = vstate(s);
	int level;

	if (v == NULL || list == NULL || list->nodetype != LYS_LIST)
		return SPLIT_NO;
	for (size_t i = 0; i < v->nsplits; i++)
		if (v->splits[i].list == list)
			return v->splits[i].split;
	level = split_of(s, v, list);
	if (v->nsplits < MAX_SPLITS) {
		v->splits[v->nsplits].list = list;
		v->splits[v->nsplits++].split = level;
	}
	return level;
}

size_t
schema_related(struct schema *s, const struct lysc_node *top,
    const struct lysc_node **out, size_t max)
{
	struct vstate *v = vstate(s);
	size_t n = 0;

	if (v == NULL)
		return 0;
	for (size_t i = 0; i < v->ndeps; i++) {
		const struct dep *d = &v->deps[i];
		const struct lysc_node *from = top_of(d->at);

		for (uint32_t j = 0; d->atoms != NULL && j < d->atoms->count; j++) {
			const struct lysc_node *to = top_of(d->atoms->snodes[j]), *other;

			if (from == to || (from != top && to != top))
				continue;
			other = from == top ? to : from;
			size_t k;
			for (k = 0; k < n && out[k] != other; k++)
				;
			if (k == n && n < max)
				out[n++] = other;
		}
	}
	return n;
}
