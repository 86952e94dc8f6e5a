/*
 * The configuration operations that read: get, get-config (RFC 6241
 * 7.1, 7.7), under the cross-process datastore lock (store.h); the
 * ones that write are in config_write.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "log.h"
#include "ops_int.h"
#include "tree/tree.h"

/*
 * NACM (3.4.5): what the session may not read leaves doc (one the
 * caller owns) before any filter sees it, so a filter cannot probe for
 * it.  -1 with the error added.
 */
static int
prune_owned(struct rpc *r, xmlDocPtr doc)
{
	struct nacm_session *v = ops_nacm_view(r->s);

	if (v == NULL || nacm_read_all(v))
		return 0;
	if (nacm_read_prune(v, xmlDocGetRootElement(doc)) == -1) {
		ops_store_failed(r);
		return -1;
	}
	return 0;
}

static void reply_doc_as_is(struct rpc *r, xmlDocPtr doc, xmlNodePtr filter);

#define NCWD_NS	"urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults"

int
ops_wd_param(struct rpc *r, enum wd_mode *mode)
{
	static const char *const modes[] = {
		"explicit", "report-all", "trim", "report-all-tagged", NULL
	};
	xmlNodePtr n;
	char *v = nc_child_text(r->op, NCWD_NS, "with-defaults", &n);
	int m = WD_EXPLICIT, rc = 0;

	if (v != NULL)
		rc = ops_pick(r, "with-defaults", v, modes, &m);
	free(v);
	*mode = (enum wd_mode)m;
	return rc;
}

/* 1 when the reply is the datastore as it is (no read rule, no with-defaults change). */
static int
reply_as_is(struct rpc *r, enum wd_mode wd)
{
	struct nacm_session *v = ops_nacm_view(r->s);

	return (v == NULL || nacm_read_all(v)) && (wd == WD_EXPLICIT || r->s->schema == NULL);
}

/*
 * doc (cached, not owned) as the reply, through the read check, the
 * with-defaults mode wd (config_only: get-config's) and the filter.
 */

static void reply_doc_masked(struct rpc *r, xmlDocPtr doc, xmlNodePtr filter);

static void
reply_doc(struct rpc *r, xmlDocPtr doc, xmlNodePtr filter, enum wd_mode wd, int config_only)
{
	xmlDocPtr copy;

	if (reply_as_is(r, wd)) {
		reply_doc_as_is(r, doc, filter);
		return;
	}
	/* no defaults to add, a filter that can skip hidden nodes: no copy */
	if ((wd == WD_EXPLICIT || r->s->schema == NULL) &&
	    (filter == NULL || filter_is_subtree(filter))) {
		reply_doc_masked(r, doc, filter);
		return;
	}
	if ((copy = packed_copy_doc(doc)) == NULL) {
		ops_store_failed(r);
		return;
	}
	/* defaults first: the read check must see them (the nacm container's are unreadable) */
	wd_apply(r->s->schema, xmlDocGetRootElement(copy), wd, config_only);
	if (prune_owned(r, copy) == -1) {
		xmlFreeDoc(copy);
		return;
	}
	if (filter == NULL)
		rpc_reply_data(r, xmlDocGetRootElement(copy), copy);
	else {
		reply_doc_as_is(r, copy, filter);
		xmlFreeDoc(copy);
	}
}

static void
reply_doc_as_is(struct rpc *r, xmlDocPtr doc, xmlNodePtr filter)
{
	/*
	 * Keys from the session's YANG modules; RELAX NG keys and the
	 * schema-less rule for data no module covers.  The libyang context
	 * is built on the first filtered reply that needs it.
	 */
	struct reply_opts o = { r->s->schema, store_keys(r->s->store), NULL, NULL };
	xmlDocPtr out;

	if (filter == NULL) {
		/* the cached document itself: streamed, never copied */
		rpc_reply_data(r, xmlDocGetRootElement(doc), NULL);
		return;
	}
	if (filter_apply(&o, r, filter, doc, &out) == 0)
		rpc_reply_data(r, xmlDocGetRootElement(out), out);
}

/* The lazy read decisions as a reply's hidden check (tree/ does not call access/). */
static int
reader_hides(const void *rd, const xmlNode *n)
{
	return nacm_reader_hides((struct nacm_reader *)(uintptr_t)rd, n);
}

static void
reader_free(void *rd)
{
	nacm_reader_free(rd);
}

/*
 * doc (cached) as the reply of a session that may not read all of it:
 * the writer and the subtree filter skip what the session may not read,
 * decided for the nodes they touch (nacm_reader_hides: the prune's nodes,
 * 3.4.5), so the reply is the one of the pruned copy reply_doc makes
 * otherwise, and a filter picking a few entries decides just those.
 */
static void
reply_doc_masked(struct rpc *r, xmlDocPtr doc, xmlNodePtr filter)
{
	struct reply_opts o = { r->s->schema, store_keys(r->s->store), reader_hides, NULL };
	struct nacm_reader *rd = nacm_reader_new(ops_nacm_view(r->s), xmlDocGetRootElement(doc));
	xmlDocPtr out;

	if (filter == NULL) {
		/* the cached document, streamed less what it hides: never copied */
		rpc_reply_data_hiding(r, xmlDocGetRootElement(doc), reader_hides, rd, reader_free);
		return;
	}
	o.hidden_arg = rd;
	if (filter_apply(&o, r, filter, doc, &out) == 0)
		rpc_reply_data(r, xmlDocGetRootElement(out), out);
	nacm_reader_free(rd);
}

/*
 * A new session's filter that asks for entries by key alone, answered
 * from running.index and running.shared (store/index_table.c): the
 * filter runs on the entries found, as it would on running.  0: not
 * such a filter, or no current index: the caller reads running.
 *
 * A session that may not read everything (every account but the
 * recovery one: /nacm is default-deny-all) gets the same read check on
 * those entries as on running (reply_doc), when the session may read
 * their top-level node: each entry's decisions then depend on its
 * ancestry and its own subtree alone, both whole in doc.  A top-level
 * node it may not read could be kept, bare, for a readable descendant
 * that doc lacks (nacm_lazy.c): that one reads running.
 */
static int
reply_keyed(struct rpc *r, xmlNodePtr filter, enum wd_mode wd)
{
	struct nacm_session *v = ops_nacm_view(r->s);
	struct keyq q;
	xmlDocPtr doc;
	xmlNodePtr top;
	int rc;

	if (filter == NULL || filter_keyq(filter, &q) != 1)
		return 0;
	rc = store_shared_keyed(r->s->store, &q, &doc);
	keyq_free(&q);
	if (rc != 1)
		return 0;
	if (reply_as_is(r, wd))
		reply_doc_as_is(r, doc, filter);
	else if ((top = xmlFirstElementChild(xmlDocGetRootElement(doc))) != NULL &&
	    nacm_data_allowed(v, top, NACM_READ))
		reply_doc(r, doc, filter, wd, 1);
	else {
		doc_free(doc);
		return 0;
	}
	doc_free(doc);
	return 1;
}

void
op_get_config(struct rpc *r)
{
	struct store *st = r->s->store;
	enum wd_mode wd;
	enum ds_id ds;
	xmlDocPtr doc;
	off_t off;
	size_t len;
	int fd, empty;

	if (ops_parse_target(r, nc_child(r->op, "source"), &ds) == -1 || ops_wd_param(r, &wd) == -1)
		return;
	if (store_lock(st, 0) == -1) {
		ops_store_failed(r);
		return;
	}
	/* all of running as it is: from its shared form when current, no parse */
	if (ds == DS_RUNNING && nc_child(r->op, "filter") == NULL && reply_as_is(r, wd) &&
	    store_shared_data(st, &fd, &off, &len, &empty) == 1)
		rpc_reply_file(r, fd, off, len, empty);
	else if (ds == DS_RUNNING && nc_child(r->op, "filter") == NULL &&
	    (wd == WD_EXPLICIT || r->s->schema == NULL) && ops_reply_tops(r))
		;	/* the readable top-level nodes of the form, no parse */
	else if (ds == DS_RUNNING && (wd == WD_EXPLICIT || r->s->schema == NULL) &&
	    reply_keyed(r, nc_child(r->op, "filter"), wd))
		;	/* entries by key, no parse */
	else {
		if (ds == DS_RUNNING)
			store_shared_want(st);	/* the form for the next sessions */
		if ((doc = store_doc(st, ds)) == NULL)
			ops_store_failed(r);
		else
			reply_doc(r, doc, nc_child(r->op, "filter"), wd, 1);
	}
	store_unlock(st);
}

/* state_collect's question: can the <get>'s filter select (ns, name)? */
static int
get_wants(void *arg, const char *ns, const char *name)
{
	return filter_may_select(arg, ns, name);
}

void
op_get(struct rpc *r)
{
	struct store *st = r->s->store;
	xmlDocPtr doc, state, merged;
	xmlNodePtr sroot, mroot, scope, filter = nc_child(r->op, "filter");
	const char *lost, *why;
	enum wd_mode wd;

	if (ops_wd_param(r, &wd) == -1)
		return;
	if (store_lock(st, 0) == -1) {
		ops_store_failed(r);
		return;
	}
	if ((doc = store_doc(st, DS_RUNNING)) == NULL) {
		ops_store_failed(r);
		store_unlock(st);
		return;
	}
	/* state data (the registered sources) joins running, if there is any (get_merge.c) */
	state = store_new_doc();
	sroot = xmlDocGetRootElement(state);
	if (state_collect(r->s, sroot, get_wants, filter, &lost) == -1) {
		if (lost != NULL && filter != NULL) {
			/* asked for by the filter: an empty answer would hide the failure */
			why = r->s->schema != NULL ? schema_context_error(r->s->schema) : NULL;
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "<%s> cannot be produced: %s", lost,
			    why != NULL ? why : "see the server log");
			xmlFreeDoc(state);
			store_unlock(st);
			return;
		}
		log_warnx("session %u: <get> answered without the state data that failed",
		    r->s->id);
	}
	if (sroot->children == NULL) {
		reply_doc(r, doc, filter, wd, 0);
		xmlFreeDoc(state);
		store_unlock(st);
		return;
	}
	/* as it is, but for what the state joins: a copy of just those nodes */
	if (filter == NULL && (wd == WD_EXPLICIT || r->s->schema == NULL)) {
		get_reply_parts(r, doc, sroot);
		xmlFreeDoc(state);
		store_unlock(st);
		return;
	}
	/*
	 * a filter that reads only the top-level nodes it may select: a copy of
	 * those alone.  Not when defaults are added: a top-level choice's case
	 * depends on the other top-level nodes (defaults.c).
	 */
	scope = filter_scope_closed(filter, r->s->schema) &&
	    (r->s->schema == NULL || wd == WD_EXPLICIT || wd == WD_TRIM) ? filter : NULL;
	merged = get_merged_copy(doc, sroot, scope);
	store_unlock(st);
	mroot = xmlDocGetRootElement(merged);
	xmlFreeDoc(state);
	wd_apply(r->s->schema, mroot, wd, 0);
	if (prune_owned(r, merged) == -1) {
		xmlFreeDoc(merged);
		return;
	}
	if (filter == NULL)
		rpc_reply_data(r, mroot, merged);
	else {
		reply_doc_as_is(r, merged, filter);
		xmlFreeDoc(merged);
	}
}
