/*
 * Read access (RFC 8341 3.4.5 for "read"): which nodes a reply leaves
 * out.  The walk is top-down (nacm_data.c's state); a subtree whose
 * answer cannot change below its root is decided there, so the cost is
 * the nodes the rules name, plus one look at each child of a node a
 * rule's path goes through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nacm_int.h"
#include "tree/tree.h"

struct nacm_mask {
	const xmlNode	**slot;		/* open addressing, NULL: empty */
	size_t		  cap;		/* a power of two */
	size_t		  n;
};

struct rw {
	const struct nacm_session *s;
	const struct nacm_oplist *L;
	xmlNodePtr	*v;		/* masked nodes, in document order */
	size_t		 n, cap;
	int		 oom;
};

static void
push(struct rw *w, xmlNodePtr n)
{
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 64;
		xmlNodePtr *nv = realloc(w->v, nc * sizeof(*nv));

		if (nv == NULL) {
			w->oom = 1;
			return;
		}
		w->v = nv;
		w->cap = nc;
	}
	w->v[w->n++] = n;
}

/*
 * c is denied but kept for a readable descendant: its list keys stay
 * too (the entry must stay identifiable).  Masked children of c are at
 * w->v[from..]; keys among them are taken out.
 */
static void
keep_keys(struct rw *w, const xmlNode *c, size_t from)
{
	const struct nacm_schema *sc = w->s->schema;
	size_t k = from;

	if (sc == NULL || sc->is_key == NULL)
		return;
	for (size_t i = from; i < w->n; i++)
		if (w->v[i]->parent != c || !sc->is_key(sc->arg, c, (const char *)w->v[i]->name))
			w->v[k++] = w->v[i];
	w->n = k;
}

/*
 * Masks what may not be read below n (at depth-1; its children are at
 * depth) in state st.  1 if some child stays, 0 if none, -1 out of memory.
 */
static int
read_children(struct rw *w, xmlNodePtr n, size_t depth, const struct nacm_state *st)
{
	struct nacm_state cs;
	struct nacm_level *lv;
	int any = 0;

	if (nacm_state_alloc(st, &cs) == -1)
		return -1;
	lv = nacm_level_new(w->s, w->L, st, depth);
	for (xmlNodePtr c = n->children; c != NULL && !w->oom; c = c->next) {
		size_t mark;
		int dec, kept;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (nacm_state_child(w->s, w->L, st, depth, c, lv, &cs) == -1) {
			w->oom = 1;
			break;
		}
		dec = nacm_decide(w->L, &cs, c->ns != NULL ? c->ns->href : NULL, NULL);
		if (nacm_uniform(w->L, &cs, c)) {
			if (dec)
				any = 1;
			else
				push(w, c);
			continue;
		}
		packed_unpack(c);	/* a rule's path goes on inside it */
		mark = w->n;
		if ((kept = read_children(w, c, depth + 1, &cs)) == -1) {
			w->oom = 1;
			break;
		}
		if (dec)
			any = 1;
		else if (kept) {
			any = 1;
			keep_keys(w, c, mark);
		} else {
			w->n = mark;	/* all of it goes: one mask for c */
			push(w, c);
		}
	}
	nacm_level_free(lv);
	nacm_state_free(&cs);
	return w->oom ? -1 : any;
}

static size_t
hash_ptr(const void *p)
{
	uintptr_t x = (uintptr_t)p;

	x ^= x >> 17;
	x *= (uintptr_t)0x9e3779b97f4a7c15ULL;
	return (size_t)(x ^ (x >> 29));
}

static struct nacm_mask *
mask_of(xmlNodePtr *v, size_t n)
{
	struct nacm_mask *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->cap = 16;
	while (m->cap < n * 2)
		m->cap *= 2;
	if ((m->slot = calloc(m->cap, sizeof(*m->slot))) == NULL) {
		free(m);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t h = hash_ptr(v[i]) & (m->cap - 1);

		while (m->slot[h] != NULL && m->slot[h] != v[i])
			h = (h + 1) & (m->cap - 1);
		if (m->slot[h] == NULL) {
			m->slot[h] = v[i];
			m->n++;
		}
	}
	return m;
}

int
nacm_mask_has(const struct nacm_mask *m, const xmlNode *node)
{
	size_t h;

	if (m == NULL)
		return 0;
	for (h = hash_ptr(node) & (m->cap - 1); m->slot[h] != NULL; h = (h + 1) & (m->cap - 1))
		if (m->slot[h] == node)
			return 1;
	return 0;
}

size_t
nacm_mask_count(const struct nacm_mask *m)
{
	return m != NULL ? m->n : 0;
}

void
nacm_mask_free(struct nacm_mask *m)
{
	if (m == NULL)
		return;
	free(m->slot);
	free(m);
}

/* The masked nodes under root in w->v; 0 or -1. */
static int
masked(const struct nacm_session *s, xmlNodePtr root, struct rw *w)
{
	const struct nacm_oplist *L = &s->op[NACM_OPIDX_READ];
	struct nacm_state top;
	int r;

	memset(w, 0, sizeof(*w));
	w->s = s;
	w->L = L;
	if (s->bypass || L->constant == 1)
		return 0;
	if (L->constant == 0) {		/* nothing readable */
		for (xmlNodePtr c = root->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				push(w, c);
		return w->oom ? -1 : 0;
	}
	if (nacm_state_top(L, &top) == -1)
		return -1;
	r = read_children(w, root, 0, &top);
	nacm_state_free(&top);
	return r == -1 ? -1 : 0;
}

int
nacm_read_mask(const struct nacm_session *s, xmlNodePtr root, struct nacm_mask **mask)
{
	struct rw w;

	*mask = NULL;
	if (masked(s, root, &w) == -1) {
		free(w.v);
		return -1;
	}
	if (w.n > 0 && (*mask = mask_of(w.v, w.n)) == NULL) {
		free(w.v);
		return -1;
	}
	free(w.v);
	return 0;
}

int
nacm_read_prune(const struct nacm_session *s, xmlNodePtr root)
{
	struct rw w;

	if (masked(s, root, &w) == -1) {
		free(w.v);
		return -1;
	}
	for (size_t i = 0; i < w.n; i++) {
		xmlUnlinkNode(w.v[i]);
		xmlFreeNode(w.v[i]);
	}
	free(w.v);
	return (int)w.n;
}
