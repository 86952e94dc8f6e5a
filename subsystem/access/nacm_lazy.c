/*
 * Read decisions made as a reply asks for them (RFC 8341 3.4.5 for
 * "read"): the writer and the subtree filter ask, node by node, whether
 * the reply leaves a node out, and only the nodes they touch are
 * decided.  The answer is the one nacm_read_mask (nacm_prune.c) gives on
 * the same data, without its walk over all of it: a filter picking one
 * entry of a 50,000-entry list decides that entry and its ancestors.
 *
 * The reader keeps the walk state (nacm_data.c) of the ancestry of the
 * last node asked, one frame per level: a reply asks in document order,
 * so the siblings of a big list share their parent's frame and its
 * index of rules by key value (nacm_level.c), each entry costing one
 * look-up.  A frame whose subtree has one decision (nacm_uniform: no
 * path entry goes on below it) answers for every node below it without
 * looking at them.  Frames hold node pointers across calls: libxml2
 * tells the reader when a node dies (packed_watch_frees; a filter packs
 * an entry again after reading it), and the frames from there down go.
 *
 * What the mask leaves out, and so what this leaves out: a denied node
 * with its subtree, unless a descendant is readable (then it stays,
 * bare, with its readable descendants and its list keys).  Anything the
 * reader cannot decide (a node not under the reply's root, a node below
 * one left out) is left out.  Out of memory ends the session (xmalloc.h):
 * a half-written reply cannot become an error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nacm_int.h"
#include "tree/tree.h"
#include "xmalloc.h"

/* The walk state of one node of the last ancestry asked about. */
struct frame {
	const xmlNode	*node;		/* NULL: not computed */
	struct nacm_state st;		/* arrays owned; sized cap_part, cap_act */
	size_t		 cap_part, cap_act;
	int		 dec;		/* its own decision */
	int		 uni;		/* nacm_uniform: its subtree has dec */
	int		 kept;		/* -1 unknown, else a descendant is readable */
	struct nacm_level *lv;		/* st's rules by key, for its children */
	int		 lv_done;
};

enum reader_mode { RD_ALL, RD_NONE, RD_WALK };

struct nacm_reader {
	const struct nacm_session *s;
	const struct nacm_oplist *L;
	const xmlNode	*root;
	enum reader_mode mode;
	struct nacm_state top;		/* root's state */
	struct nacm_level *toplv;
	int		 toplv_done;
	struct frame	*f;		/* top-level node first */
	size_t		 nf, capf;
	const xmlNode	**anc;
	size_t		 capanc;
	int		 watching;	/* frames survive between calls */
};

static void
reader_freed(void *arg, const xmlNode *n)
{
	struct nacm_reader *r = arg;

	for (size_t i = 0; i < r->nf; i++)
		if (r->f[i].node == n) {
			r->nf = i;	/* it and what lies below it are gone */
			break;
		}
}

struct nacm_reader *
nacm_reader_new(const struct nacm_session *s, xmlNodePtr root)
{
	struct nacm_reader *r = xcalloc(1, sizeof(*r));

	r->s = s;
	r->L = &s->op[NACM_OPIDX_READ];
	r->root = root;
	if (s->bypass || r->L->constant == 1)
		r->mode = RD_ALL;
	else if (r->L->constant == 0)
		r->mode = RD_NONE;	/* nothing readable: every top-level node goes */
	else {
		r->mode = RD_WALK;
		if (nacm_state_top(r->L, &r->top) == -1)
			xoom();
		r->watching = packed_watch_frees(reader_freed, r) == 0;
	}
	return r;
}

void
nacm_reader_free(struct nacm_reader *r)
{
	if (r == NULL)
		return;
	if (r->watching)
		(void)packed_watch_frees(NULL, NULL);
	for (size_t i = 0; i < r->capf; i++) {
		nacm_state_free(&r->f[i].st);
		nacm_level_free(r->f[i].lv);
	}
	free(r->f);
	free(r->anc);
	nacm_level_free(r->toplv);
	nacm_state_free(&r->top);
	free(r);
}

size_t
nacm_reader_frames(const struct nacm_reader *r)
{
	return r->nf;
}

/* The index of p's rules for its children at depth (NULL: test them all). */
static struct nacm_level *
level_of(struct nacm_reader *r, size_t depth)
{
	if (depth == 0) {
		if (!r->toplv_done) {
			r->toplv = nacm_level_new(r->s, r->L, &r->top, 0);
			r->toplv_done = 1;
		}
		return r->toplv;
	}
	if (!r->f[depth - 1].lv_done) {
		r->f[depth - 1].lv = nacm_level_new(r->s, r->L, &r->f[depth - 1].st, depth);
		r->f[depth - 1].lv_done = 1;
	}
	return r->f[depth - 1].lv;
}

/* Frame depth for node c, its parent's frame (or the top) current. */
static void
frame_set(struct nacm_reader *r, size_t depth, const xmlNode *c)
{
	const struct nacm_state *p = depth == 0 ? &r->top : &r->f[depth - 1].st;
	struct nacm_level *lv = level_of(r, depth);
	struct frame *f;

	if (depth >= r->capf) {
		size_t nc = r->capf ? r->capf * 2 : 8;

		r->f = xreallocarray(r->f, nc, sizeof(*r->f));
		memset(r->f + r->capf, 0, (nc - r->capf) * sizeof(*r->f));
		r->capf = nc;
	}
	f = &r->f[depth];
	/* nacm_state_child's room: p's entries going on, ending, or carried */
	if (f->cap_part < p->npart) {
		free(f->st.part);
		free(f->st.scratch);
		f->st.part = xcalloc(p->npart, sizeof(*f->st.part));
		f->st.scratch = xcalloc(p->npart, sizeof(*f->st.scratch));
		f->cap_part = p->npart;
	}
	if (f->cap_act < p->npart + p->nact) {
		free(f->st.act);
		f->st.act = xcalloc(p->npart + p->nact, sizeof(*f->st.act));
		f->cap_act = p->npart + p->nact;
	}
	if (nacm_state_child(r->s, r->L, p, depth, c, lv, &f->st) == -1)
		xoom();
	f->node = c;
	f->dec = nacm_decide(r->L, &f->st, c->ns != NULL ? c->ns->href : NULL, NULL);
	f->uni = nacm_uniform(r->L, &f->st, c);
	f->kept = -1;
	nacm_level_free(f->lv);
	f->lv = NULL;
	f->lv_done = 0;
}

/* 1 when a node below n (n's state st, its children at depth) is readable. */
static int
any_readable(struct nacm_reader *r, xmlNodePtr n, size_t depth, const struct nacm_state *st)
{
	struct nacm_state cs;
	struct nacm_level *lv;
	int found = 0;

	packed_unpack(n);	/* a rule's path goes on inside it */
	if (nacm_state_alloc(st, &cs) == -1)
		xoom();
	lv = nacm_level_new(r->s, r->L, st, depth);
	for (xmlNodePtr c = n->children; c != NULL && !found; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (nacm_state_child(r->s, r->L, st, depth, c, lv, &cs) == -1)
			xoom();
		if (nacm_decide(r->L, &cs, c->ns != NULL ? c->ns->href : NULL, NULL))
			found = 1;
		else if (!nacm_uniform(r->L, &cs, c))
			found = any_readable(r, c, depth + 1, &cs);
	}
	nacm_level_free(lv);
	nacm_state_free(&cs);
	return found;
}

/* Frame depth's kept: a denied node without a readable descendant goes whole. */
static int
kept_of(struct nacm_reader *r, size_t depth)
{
	struct frame *f = &r->f[depth];

	if (f->kept == -1)
		f->kept = any_readable(r, (xmlNodePtr)(uintptr_t)f->node, depth + 1, &f->st);
	return f->kept;
}

/* 1 when n is a list key of its parent p (kept for a readable descendant). */
static int
is_key_of(const struct nacm_reader *r, const xmlNode *p, const xmlNode *n)
{
	const struct nacm_schema *sc = r->s->schema;

	return sc != NULL && sc->is_key != NULL && sc->is_key(sc->arg, p, (const char *)n->name);
}

int
nacm_reader_hides(struct nacm_reader *r, const xmlNode *n)
{
	const xmlNode *p;
	size_t depth = 0, i;
	struct frame *f;

	if (r->mode == RD_ALL)
		return 0;
	if (n->type != XML_ELEMENT_NODE)	/* text and such: as its element */
		return n->parent != NULL && n->parent != r->root ?
		    nacm_reader_hides(r, n->parent) : 0;
	for (p = n; p != NULL && p != r->root; p = p->parent)
		depth++;
	if (p == NULL || depth == 0)
		return 1;	/* not the reply's data: fail closed */
	if (r->mode == RD_NONE)
		return 1;
	if (depth > r->capanc) {
		r->capanc = depth * 2;
		r->anc = xreallocarray(r->anc, r->capanc, sizeof(*r->anc));
	}
	i = depth;
	for (p = n; i > 0; p = p->parent)
		r->anc[--i] = p;
	if (!r->watching)
		r->nf = 0;	/* nothing tells it of freed nodes: no frame is trusted */
	for (i = 0; i < depth; i++) {
		if (i >= r->nf || r->f[i].node != r->anc[i]) {
			r->nf = i;
			frame_set(r, i, r->anc[i]);
			r->nf = i + 1;
		}
		f = &r->f[i];
		if (i + 1 == depth)
			break;
		/* an ancestor decided for its whole subtree decides n */
		if (f->uni)
			return !f->dec;
		/* one denied with nothing readable below it goes whole */
		if (!f->dec && !kept_of(r, i))
			return 1;
	}
	f = &r->f[depth - 1];
	if (!f->dec) {
		/* a denied parent kept for a descendant keeps its keys */
		if (depth >= 2 && !r->f[depth - 2].dec && is_key_of(r, n->parent, n))
			return 0;
		if (f->uni || !kept_of(r, depth - 1))
			return 1;
	}
	/* n stays; a rule going on inside it decides its children one by one */
	if (!f->uni)
		packed_unpack((xmlNodePtr)(uintptr_t)n);
	return 0;
}
