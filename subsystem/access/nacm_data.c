/*
 * Data node access (RFC 8341 3.4.5): the decision for one node, the
 * walk state that carries path matches from a node to its children, and
 * the write check of an edit's changes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nacm_int.h"
#include "tree/tree.h"

int
nacm_decide(const struct nacm_oplist *L, const struct nacm_state *st,
    const xmlChar *ns, const struct nacm_entry **why)
{
	size_t i = 0, j = 0;

	while (i < L->nmod || j < st->nact) {
		size_t k;
		const struct nacm_entry *e;

		if (j == st->nact || (i < L->nmod && L->mod[i] < st->act[j]))
			k = L->mod[i++];
		else
			k = st->act[j++];
		e = &L->e[k];
		if (e->ns == NULL || (ns != NULL && strcmp(e->ns, (const char *)ns) == 0)) {
			if (why != NULL)
				*why = e;
			return e->permit;
		}
	}
	if (why != NULL)
		*why = NULL;
	return L->dflt_permit;
}

int
nacm_state_top(const struct nacm_oplist *L, struct nacm_state *out)
{
	memset(out, 0, sizeof(*out));
	if (L->npth == 0)
		return 0;
	if ((out->part = calloc(L->npth, sizeof(*out->part))) == NULL)
		return -1;
	memcpy(out->part, L->pth, L->npth * sizeof(*out->part));
	out->npart = L->npth;
	return 0;
}

void
nacm_state_free(struct nacm_state *st)
{
	free(st->part);
	free(st->act);
	free(st->scratch);
	memset(st, 0, sizeof(*st));
}

int
nacm_state_alloc(const struct nacm_state *parent, struct nacm_state *out)
{
	memset(out, 0, sizeof(*out));
	if (parent->npart > 0 &&
	    ((out->part = calloc(parent->npart, sizeof(*out->part))) == NULL ||
	    (out->scratch = calloc(parent->npart, sizeof(*out->scratch))) == NULL)) {
		free(out->part);
		return -1;
	}
	if (parent->npart + parent->nact > 0 && (out->act =
	    calloc(parent->npart + parent->nact, sizeof(*out->act))) == NULL) {
		free(out->part);
		free(out->scratch);
		return -1;
	}
	return 0;
}

/* A packed node's children are in its namespace: is there one named like st? */
static int
packed_may_hold(const xmlNode *c, const struct nacm_step *st)
{
	const char *cname, *text;

	if (c->ns == NULL || strcmp((const char *)c->ns->href, st->ns) != 0)
		return 0;
	return packed_child(c, st->name, &cname, &text) != 0;
}

int
nacm_state_child(const struct nacm_session *s, const struct nacm_oplist *L,
    const struct nacm_state *parent, size_t depth, const xmlNode *c,
    const struct nacm_level *lv, struct nacm_state *out)
{
	struct nacm_vcache vc;
	size_t nnew = 0, i = 0, j = 0, k, ncand = parent->npart;
	const size_t *cand = parent->part;
	int r = 0;

	/*
	 * Entries going on below c fill out->part from the front, those
	 * ending at c (fresh) from the back: together at most parent->npart.
	 */
	out->npart = out->nact = 0;
	nacm_vcache_init(&vc, c);
	if (lv != NULL) {
		if (nacm_level_candidates(lv, c, &vc, out->scratch, &ncand) == -1)
			r = -1;
		cand = out->scratch;
	}
	for (k = 0; k < ncand && r != -1; k++) {
		size_t e = cand[k];
		const struct nacm_path *p = L->e[e].path;

		if ((r = nacm_step_match(&p->step[depth], c, s->user, &vc)) == -1)
			break;
		if (r == 0)
			continue;
		if (depth + 1 == p->nstep)
			out->part[parent->npart - 1 - nnew++] = e;
		else if (!packed_is(c) || packed_may_hold(c, &p->step[depth + 1]))
			out->part[out->npart++] = e;
	}
	nacm_vcache_clear(&vc);
	if (r == -1)
		return -1;
	/* act: parent's act merged with the fresh ones, both ascending */
	while (i < parent->nact || j < nnew) {
		size_t f = j < nnew ? out->part[parent->npart - 1 - j] : 0;

		if (j == nnew || (i < parent->nact && parent->act[i] < f))
			out->act[out->nact++] = parent->act[i++];
		else {
			out->act[out->nact++] = f;
			j++;
		}
	}
	return 0;
}

int
nacm_uniform(const struct nacm_oplist *L, const struct nacm_state *st, const xmlNode *c)
{
	int leafy = 1;

	if (st->npart > 0)
		return 0;
	if (packed_is(c))
		return 1;	/* one namespace below it */
	for (const xmlNode *k = c->children; k != NULL && leafy; k = k->next)
		leafy = k->type != XML_ELEMENT_NODE;
	if (leafy)
		return 1;
	if (L->mod_ns)
		return 0;
	for (size_t i = 0; i < st->nact; i++)
		if (L->e[st->act[i]].ns != NULL)
			return 0;
	return 1;
}

int
nacm_state_of(const struct nacm_session *s, const struct nacm_oplist *L,
    const xmlNode *node, struct nacm_state *out)
{
	const xmlNode **anc;
	size_t depth;
	struct nacm_state cur, next;

	if ((anc = nacm_ancestry(node, &depth)) == NULL)
		return -1;
	if (nacm_state_top(L, &cur) == -1) {
		free(anc);
		return -1;
	}
	for (size_t d = 0; d < depth; d++) {
		if (nacm_state_alloc(&cur, &next) == -1 ||
		    nacm_state_child(s, L, &cur, d, anc[d], NULL, &next) == -1) {
			nacm_state_free(&next);
			nacm_state_free(&cur);
			free(anc);
			return -1;
		}
		nacm_state_free(&cur);
		cur = next;
	}
	free(anc);
	*out = cur;
	return 0;
}

/* 1 permit, 0 deny, -1 out of memory; *why the deciding entry. */
static int
node_decision(const struct nacm_session *s, const struct nacm_oplist *L,
    const xmlNode *node, const struct nacm_entry **why)
{
	struct nacm_state st;
	int r;

	*why = NULL;
	if (L->constant != -1 && L->nmod + L->npth == 0)
		return L->constant;
	if (nacm_state_of(s, L, node, &st) == -1)
		return -1;
	r = nacm_decide(L, &st, node->ns != NULL ? node->ns->href : NULL, why);
	nacm_state_free(&st);
	return r;
}

int
nacm_data_allowed(const struct nacm_session *s, const xmlNode *node, int op)
{
	const struct nacm_entry *why;
	int i = nacm_opidx(op);

	if (s->bypass)
		return 1;
	if (i < 0)
		return 0;
	if (s->op[i].constant != -1)
		return s->op[i].constant;
	return node_decision(s, &s->op[i], node, &why) == 1;
}

int
nacm_read_all(const struct nacm_session *s)
{
	return s->bypass || s->op[NACM_OPIDX_READ].constant == 1;
}

/* ---- write check ---- */

struct wc {
	const struct nacm_session *s;
	const struct nacm_oplist *L;
	xmlNodePtr	 found;
	const struct nacm_entry *why;
};

/* The first denied node below n (n's state st), document order: 1, 0, -1. */
static int
find_deny(struct wc *w, xmlNodePtr n, size_t depth, const struct nacm_state *st)
{
	struct nacm_state cs;
	struct nacm_level *lv;
	int r = 0;

	if (nacm_state_alloc(st, &cs) == -1)
		return -1;
	lv = nacm_level_new(w->s, w->L, st, depth);
	for (xmlNodePtr c = n->children; c != NULL && r == 0; c = c->next) {
		const struct nacm_entry *why;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (nacm_state_child(w->s, w->L, st, depth, c, lv, &cs) == -1) {
			r = -1;
			break;
		}
		if (!nacm_decide(w->L, &cs, c->ns != NULL ? c->ns->href : NULL, &why)) {
			w->found = c;
			w->why = why;
			r = 1;
		} else if (!nacm_uniform(w->L, &cs, c)) {
			packed_unpack(c);	/* a rule looks inside it */
			r = find_deny(w, c, depth + 1, &cs);
		}
	}
	nacm_level_free(lv);
	nacm_state_free(&cs);
	return r;
}

/* One change: 1 with w->found set if denied, 0, -1. */
static int
check_change(struct wc *w, const struct nacm_change *ch)
{
	struct nacm_state st;
	size_t depth = 0;
	int r;

	if (w->L->constant == 1)
		return 0;
	if (nacm_state_of(w->s, w->L, ch->node, &st) == -1)
		return -1;
	if (!nacm_decide(w->L, &st, ch->node->ns != NULL ? ch->node->ns->href : NULL,
	    &w->why)) {
		w->found = ch->node;
		nacm_state_free(&st);
		return 1;
	}
	r = 0;
	if (ch->op != NACM_UPDATE && !nacm_uniform(w->L, &st, ch->node)) {
		for (const xmlNode *p = ch->node; !nacm_is_data_root(p); p = p->parent)
			depth++;
		packed_unpack(ch->node);
		r = find_deny(w, ch->node, depth, &st);
	}
	nacm_state_free(&st);
	return r;
}

void
nacm_denial_clear(struct nacm_denial *d)
{
	free(d->path);
	for (size_t i = 0; i < d->nns; i++) {
		free(d->ns[i].prefix);
		free(d->ns[i].ns);
	}
	free(d->ns);
	memset(d, 0, sizeof(*d));
}

/* The changes in order till one is denied: 1 (*k past it), 0, -1. */
static int
check_changes(struct wc *w, const struct nacm_change *changes, size_t nchanges, size_t *k)
{
	int i, r = 0;

	for (*k = 0; *k < nchanges && r == 0; (*k)++) {
		if ((i = nacm_opidx(changes[*k].op)) < 0 || i == NACM_OPIDX_READ)
			continue;	/* not a write */
		w->L = &w->s->op[i];
		r = check_change(w, &changes[*k]);
	}
	return r;
}

int
nacm_writes_allowed(const struct nacm_session *s, const struct nacm_change *changes,
    size_t nchanges)
{
	struct wc w = { s, NULL, NULL, NULL };
	size_t k;
	int r;

	if (s->bypass)
		return 1;
	r = check_changes(&w, changes, nchanges, &k);
	return r == -1 ? -1 : r == 0;
}

size_t
nacm_write_pred_step(const struct nacm_session *s)
{
	static const int write_ops[] = { NACM_OPIDX_CREATE, NACM_OPIDX_UPDATE, NACM_OPIDX_DELETE };
	size_t least = SIZE_MAX;

	for (size_t i = 0; i < sizeof(write_ops) / sizeof(write_ops[0]); i++) {
		const struct nacm_oplist *L = &s->op[write_ops[i]];

		for (size_t k = 0; k < L->npth; k++) {
			const struct nacm_path *p = L->e[L->pth[k]].path;

			for (size_t j = 0; j < p->nstep && j < least; j++)
				if (p->step[j].npred > 0)
					least = j;
		}
	}
	return least;
}

int
nacm_write_check(const struct nacm_session *s, const struct nacm_change *changes,
    size_t nchanges, struct nacm_denial *d)
{
	struct wc w = { s, NULL, NULL, NULL };
	const xmlNode *named;
	int r;
	size_t k;

	memset(d, 0, sizeof(*d));
	if (s->bypass)
		return 0;
	if ((r = check_changes(&w, changes, nchanges, &k)) != 1)
		return r;
	k--;
	d->node = w.found;
	d->op = changes[k].op;
	d->rule = w.why != NULL ? w.why->rule : NULL;
	/* name what the request named, unless the denied node is readable */
	named = w.found == changes[k].node || nacm_data_allowed(s, w.found, NACM_READ) ?
	    w.found : changes[k].node;
	if (nacm_node_path(s, named, d) == -1) {
		nacm_denial_clear(d);
		return -1;
	}
	nacm_counts.denied_data_writes++;
	return 1;
}
