/*
 * The write check of an edit-config (RFC 8341 3.4.5) from its undo log:
 * after the edit (ops_nacm_write), and as it goes, the changes inside
 * each packed entry once its edit is done (edit_ctx.check_inside), so
 * that an account's edit of every entry of a big list holds one entry
 * unpacked, not all of them (issue 15).  Whether an edit touches the
 * nacm container, for the check of the config it makes.
 */
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "ops_int.h"

/* 1 when n's ancestry (->parent) reaches root. */
static int
under(const xmlNode *n, const xmlNode *root)
{
	for (; n != NULL; n = n->parent)
		if (n == root)
			return 1;
	return 0;
}

/* 1 when n is running's nacm container or inside it. */
static int
in_nacm(const xmlNode *n)
{
	for (; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent)
		if (n->ns != NULL && xmlStrEqual(n->name, BAD_CAST "nacm") &&
		    xmlStrEqual(n->ns->href, BAD_CAST NACM_NS) &&
		    (n->parent == NULL || n->parent->type != XML_ELEMENT_NODE ||
		    n->parent->parent == NULL || n->parent->parent->type != XML_ELEMENT_NODE))
			return 1;
	return 0;
}

/*
 * A packed entry's EC_UNPACKED counts: once its edit is done it is packed
 * again (edit_repack, check_inside below), its changes gone from the log.
 */
int
ops_nacm_edit_touches(const struct edit_ctx *c)
{
	for (size_t i = 0; i < c->nlog; i++) {
		const struct edit_change *e = &c->log[i];

		if (in_nacm(e->node) || (e->kind == EC_REMOVED && in_nacm(e->parent)))
			return 1;
	}
	return 0;
}

/*
 * The write check of c's log entries from index from on (root: the
 * datastore's root element): 0 allowed, 1 denied (*d set; d NULL: not
 * named nor counted, a check before the final one), -1 out of memory.
 */
static int
check_log(struct nacm_session *v, struct edit_ctx *c, size_t from, xmlNodePtr root,
    struct nacm_denial *d)
{
	size_t nlog = c->nlog - from;
	struct edit_change *log = c->log + from;
	struct nacm_change *ch;
	xmlNodePtr *saved;
	size_t n = 0;
	int res;

	ch = calloc(nlog, sizeof(*ch));
	saved = calloc(nlog, sizeof(*saved));
	if (ch == NULL || saved == NULL) {
		free(ch);
		free(saved);
		return -1;
	}
	/*
	 * A removed node is checked where it was: its parent, for the check
	 * only (saved[i] marks it), unless it is linked again (moved).
	 */
	for (size_t i = 0; i < nlog; i++)
		if (log[i].kind == EC_REMOVED && log[i].node->parent == NULL) {
			saved[i] = log[i].node;
			log[i].node->parent = log[i].parent;
		}
	for (size_t i = 0; i < nlog; i++) {
		const struct edit_change *e = &log[i];
		xmlNodePtr node = e->node;
		int op;

		if (e->kind == EC_UNPACKED)
			continue;	/* the same data, held differently */
		if (e->kind == EC_TEXT || node->type != XML_ELEMENT_NODE) {
			node = node->parent;	/* a leaf's value: an update of the leaf */
			op = NACM_UPDATE;
		} else
			op = e->kind == EC_ADDED ? NACM_CREATE : NACM_DELETE;
		/* inside a removed subtree: that subtree's delete covers it */
		if (node == NULL || node->type != XML_ELEMENT_NODE || node == root ||
		    !under(node, root))
			continue;
		ch[n].node = node;
		ch[n].op = op;
		n++;
	}
	if (d != NULL)
		res = nacm_write_check(v, ch, n, d);
	else if ((res = nacm_writes_allowed(v, ch, n)) != -1)
		res = !res;
	for (size_t i = 0; i < nlog; i++)
		if (saved[i] != NULL)
			saved[i]->parent = NULL;
	free(ch);
	free(saved);
	return res;
}

int
ops_nacm_write(struct rpc *r, struct edit_ctx *c, xmlNodePtr root)
{
	struct nacm_session *v = ops_nacm_view(r->s);
	struct nacm_denial d;
	int res;

	if (v == NULL || nacm_bypassed(v) || c->nlog == 0)
		return 0;
	if ((res = check_log(v, c, 0, root, &d)) == -1) {
		ops_store_failed(r);
		return -1;
	}
	return ops_nacm_write_checked(r, res, &d);
}

/*
 * edit_ctx.check_inside: the changes inside packed entry c->log[at] are
 * checked as soon as its edit is done, so that it is packed again.  A
 * change allowed now is allowed after the edit too, so the final check
 * (ops_nacm_write) still finds the first denial in log order; a denied
 * one stays logged for it.  That holds while what the decision read
 * stays: the entry itself (ops_nacm_edit_inside: no edit entering a
 * node twice) and its ancestors' leaves, which a rule's predicate above
 * the entry reads (then the entry waits for the final check).  1 when
 * allowed.
 */
static int
check_inside(void *arg, struct edit_ctx *c, size_t at)
{
	struct nacm_session *v = arg;
	xmlNodePtr d = c->log[at].node, root = xmlDocGetRootElement(d->doc);
	size_t depth = 0;

	for (xmlNodePtr n = d; n != NULL && n != root; n = n->parent)
		depth++;
	if (depth > 0 && nacm_write_pred_step(v) < depth - 1)
		return 0;
	return check_log(v, c, at + 1, root, NULL) == 0;
}

/*
 * NCHOME_NACM_REPACK=0 turns the check as the edit goes off (tests
 * compare both ways); read once, the environment being the process's own.
 */
static int
repack_checked(void)
{
	static int on = -1;

	if (on == -1) {
		const char *e = getenv("NCHOME_NACM_REPACK");

		on = e == NULL || strcmp(e, "0") != 0;
	}
	return on;
}

void
ops_nacm_edit_inside(struct session *s, struct edit_ctx *c, xmlNodePtr config)
{
	struct nacm_session *v = ops_nacm_view(s);

	c->log_inside = v != NULL && !nacm_bypassed(v);
	c->check_inside = c->log_inside && repack_checked() &&
	    !edit_may_revisit(c, config) ? check_inside : NULL;
	c->check_arg = v;
}

