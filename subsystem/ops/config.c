/*
 * The configuration operations: get, get-config, edit-config,
 * copy-config, delete-config (RFC 6241 7.1-7.5, 7.7).  Each runs under the
 * cross-process datastore lock (store.h); edits change the session's
 * cached document in place and persist the edit (journal) before the reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "log.h"
#include "ops_int.h"
#include "tree/tree.h"

/* <test-option>, in the order of its values. */
enum edit_test { TEST_THEN_SET, TEST_SET, TEST_ONLY };

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

/*
 * The <with-defaults> parameter of get, get-config and copy-config
 * (RFC 6243), *mode explicit without one; -1 with the error added.
 */
static int
wd_param(struct rpc *r, enum wd_mode *mode)
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

	if (ops_parse_target(r, nc_child(r->op, "source"), &ds) == -1 || wd_param(r, &wd) == -1)
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

/*
 * State top-level node c joins merged's root: into the configuration's
 * node of the same name and namespace when there is one (/nacm: its
 * counters beside its rules), else as a node of its own.
 */
static void
merge_state(xmlNodePtr mroot, xmlNodePtr c)
{
	xmlNodePtr m;

	for (m = mroot->children; m != NULL; m = m->next)
		if (m->type == XML_ELEMENT_NODE && c->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(m->name, c->name) && m->ns != NULL && c->ns != NULL &&
		    xmlStrEqual(m->ns->href, c->ns->href))
			break;
	if (m == NULL) {
		xmlAddChild(mroot, xmlDocCopyNode(c, mroot->doc, 1));
		return;
	}
	packed_unpack(m);
	for (xmlNodePtr k = c->children; k != NULL; k = k->next)
		xmlAddChild(m, xmlDocCopyNode(k, mroot->doc, 1));
}

void
op_get(struct rpc *r)
{
	struct store *st = r->s->store;
	xmlDocPtr doc, state, merged;
	xmlNodePtr sroot, mroot;
	enum wd_mode wd;

	if (wd_param(r, &wd) == -1)
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
	/* state data (the registered sources) joins a copy of running, if there is any */
	state = store_new_doc();
	sroot = xmlDocGetRootElement(state);
	if (state_collect(r->s, sroot, get_wants, nc_child(r->op, "filter")) == -1)
		log_warnx("state providers failed; answering with configuration only");
	if (sroot->children == NULL) {
		reply_doc(r, doc, nc_child(r->op, "filter"), wd, 0);
		xmlFreeDoc(state);
		store_unlock(st);
		return;
	}
	merged = packed_copy_doc(doc);
	store_unlock(st);
	mroot = xmlDocGetRootElement(merged);
	for (xmlNodePtr c = sroot->children; c != NULL; c = c->next)
		merge_state(mroot, c);
	xmlFreeDoc(state);
	wd_apply(r->s->schema, mroot, wd, 0);
	if (prune_owned(r, merged) == -1) {
		xmlFreeDoc(merged);
		return;
	}
	if (nc_child(r->op, "filter") == NULL)
		rpc_reply_data(r, mroot, merged);
	else {
		reply_doc_as_is(r, merged, nc_child(r->op, "filter"));
		xmlFreeDoc(merged);
	}
}

/*
 * Before a change of ds: the datastore lock check, then the exclusive
 * write lock (store_unlock after).  -1 with the error added.
 */
static int
begin_write(struct rpc *r, enum ds_id ds)
{
	if (store_check_write(r->s->store, r, ds) == -1)
		return -1;
	if (store_lock(r->s->store, 1) == -1) {
		ops_store_failed(r);
		return -1;
	}
	return 0;
}

/* What an edit-config asks for, read from its parameters. */
struct edit_req {
	enum ds_id		 ds;
	enum edit_defop		 defop;
	enum edit_test		 test;
	enum edit_erropt	 erropt;
	xmlNodePtr		 config;
};

/* The parameters of an edit-config; -1 with the error added. */
static int
edit_params(struct rpc *r, struct edit_req *q)
{
	static const char *const defops[] = { "merge", "replace", "none", NULL };
	static const char *const tests[] = { "test-then-set", "set", "test-only", NULL };
	static const char *const erropts[] = {
		"stop-on-error", "continue-on-error", "rollback-on-error", NULL
	};
	int defop = DEFOP_MERGE, test = TEST_THEN_SET, erropt = ERROPT_STOP;
	const char *v;
	char buf[64];

	if (ops_parse_target(r, nc_child(r->op, "target"), &q->ds) == -1)
		return -1;
	if (q->ds == DS_STARTUP) {
		rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
		    "edit-config of startup: use copy-config");
		return -1;
	}
	if (((v = rpc_param(r, "default-operation", buf, sizeof(buf))) != NULL &&
	    ops_pick(r, "default-operation", v, defops, &defop) == -1) ||
	    ((v = rpc_param(r, "test-option", buf, sizeof(buf))) != NULL &&
	    ops_pick(r, "test-option", v, tests, &test) == -1) ||
	    ((v = rpc_param(r, "error-option", buf, sizeof(buf))) != NULL &&
	    ops_pick(r, "error-option", v, erropts, &erropt) == -1))
		return -1;
	q->defop = (enum edit_defop)defop;
	q->test = (enum edit_test)test;
	q->erropt = (enum edit_erropt)erropt;
	if ((q->config = nc_child(r->op, "config")) == NULL) {
		if (nc_child(r->op, "url") != NULL)
			rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
			    "<url> is not supported (no :url capability)");
		else
			ops_missing(r, "config", "edit-config needs <config>");
		return -1;
	}
	return 0;
}

/*
 * Bytes of running's entries as they were that an edit's undo log may
 * hold (tree.h, undo_max): past them a failed edit is undone by reading
 * running again from its files, so that an edit of every entry of a big
 * list does not hold the list twice.  An edit of a few hundred entries
 * is still undone in memory.  Small: the old strings freed one by one
 * as the new ones are made leave room for them, and a rewrite of 50,000
 * entries peaked at 38.2 MB with 64 kB, 40.2 MB with 256 kB or 4 MB
 * (bench_memory).  NCHOME_UNDO_MAX (bytes; 0: no bound) lets tests
 * move it; it is read once, the environment being the process's own.
 */
#define UNDO_MAX	((size_t)64 << 10)

static size_t
undo_max_from_env(void)
{
	const char *v = getenv("NCHOME_UNDO_MAX");
	char *end;
	unsigned long long n;

	if (v == NULL || *v == '\0')
		return UNDO_MAX;
	n = strtoull(v, &end, 10);
	if (*end != '\0' || n > SIZE_MAX)
		return UNDO_MAX;
	return (size_t)n;
}

static size_t
undo_max(void)
{
	static size_t max;
	static int read;

	if (!read) {
		max = undo_max_from_env();
		read = 1;
	}
	return max;
}

/* The content of running before an in-place change, when hooks want it. */
static xmlDocPtr
hooks_snapshot(struct session *s, enum ds_id ds, xmlDocPtr doc)
{
	if (ds != DS_RUNNING || !ops_hooks_enabled(s))
		return NULL;
	return packed_copy_doc(doc);
}

/*
 * Applies the edit to doc in place, its journal record written first
 * (applying moves config's nodes).  1 when the change is to be kept
 * (checked: schema, hooks), 0 when it is to be undone (errors, test-only,
 * no change), with the record begun in se.
 */
static int
edit_in_place(struct rpc *r, const struct edit_req *q, xmlDocPtr doc,
    struct edit_ctx *c, struct store_edit *se)
{
	struct store *st = r->s->store;
	xmlDocPtr old = NULL;
	int keep = 0, nerr;

	c->r = r;
	c->keys = store_keys(st);
	c->schema = store_yang(st, r->s->schema, doc);
	store_yang_edit(st, q->config);
	c->defop = q->defop;
	c->erropt = q->erropt;
	c->move = 1;
	ops_nacm_edit_inside(r->s, c);
	/* running only: its files hold it as before; a candidate may be in memory alone */
	c->undo_max = q->ds == DS_RUNNING ? undo_max() : 0;
	ops_nacm_edit_reads(r->s, c);
	if (c->report != NULL)	/* what the event will list, with the model's keys */
		cfg_edits_init(c->report, c->schema, c->keys);
	if (q->test != TEST_ONLY) {
		old = hooks_snapshot(r->s, q->ds, doc);
		if (store_edit_begin(st, q->ds, q->config, c->defop, c->erropt, se) == -1) {
			ops_store_failed(r);
			goto out;
		}
	}
	nerr = edit_apply(c, xmlDocGetRootElement(doc), q->config);
	if (memcap_over()) {	/* undone below: the memory goes with it */
		rpc_error(r, ERR_APPLICATION, TAG_RESOURCE_DENIED, NULL, "%s", MEMCAP_DENIED);
		goto out;
	}
	if (nerr > 0 && c->erropt != ERROPT_CONTINUE)
		goto out;
	if (ops_nacm_write(r, c, xmlDocGetRootElement(doc)) == -1)
		goto out;	/* NACM: nothing of the edit is kept */
	if (q->ds == DS_RUNNING && ops_nacm_edit_touches(c) &&
	    ops_nacm_config_check(r, NULL, doc) == -1)
		goto out;	/* a broken NACM config: refused */
	if (q->test == TEST_ONLY || !c->changed)
		goto out;	/* test-only, or nothing to store */
	if (q->ds == DS_RUNNING && q->test == TEST_THEN_SET &&
	    store_validate(st, r, doc) == -1)
		goto out;
	/* YANG: what the edit touched and what refers to it (tree/validate.c) */
	if (q->ds == DS_RUNNING && q->test == TEST_THEN_SET &&
	    tree_validate_edit(c->schema, r, xmlDocGetRootElement(doc), c) == -1)
		goto out;
	if (old != NULL && ops_running_changed(r, old, doc) == -1)
		goto out;
	keep = 1;
out:
	if (old != NULL)
		xmlFreeDoc(old);
	return keep;
}

/* Records a kept change of ds: the candidate's owner, the event (with edits: its list). */
static void
changed(struct rpc *r, enum ds_id ds, const struct cfg_edits *edits)
{
	if (ds == DS_CANDIDATE)
		store_candidate_owner(r->s->store);
	event_config_change(r->s->dd, r->s, ds_name(ds), edits);
}

void
op_edit_config(struct rpc *r)
{
	struct store *st = r->s->store;
	struct edit_ctx c = { 0 };
	struct store_edit se = { .fd = -1 };
	struct cfg_edits edits = { 0 };
	struct edit_req q;
	xmlDocPtr doc;
	int had_candidate;

	if (edit_params(r, &q) == -1 || begin_write(r, q.ds) == -1)
		return;
	had_candidate = q.ds == DS_CANDIDATE && store_candidate_present(st);
	doc = q.test == TEST_ONLY ? store_doc(st, q.ds) : store_doc_for_edit(st, q.ds);
	if (doc == NULL) {
		ops_store_failed(r);
		goto out;
	}
	/* the event's edit list: only running's changes are announced */
	c.report = q.ds == DS_RUNNING && q.test != TEST_ONLY ? &edits : NULL;
	if (!edit_in_place(r, &q, doc, &c, &se)) {
		store_edit_abort(st, &se);
		if (edit_undo(&c) == -1)
			store_forget(st, q.ds);	/* read again: its files are as before */
		tree_unique_undone();
		if (q.ds == DS_CANDIDATE && !had_candidate && q.test != TEST_ONLY)
			store_drop_candidate(st);	/* nothing changed after all */
	} else if (store_edit_commit(st, &se) == -1) {
		ops_store_failed(r);
		(void)edit_undo(&c);
		tree_unique_undone();
		store_forget(st, q.ds);
	} else {
		edit_report(&c, c.reported, c.nlog);	/* what the log still holds */
		changed(r, q.ds, c.report);
		tree_unique_follow(&c);	/* running's or the candidate's kept unique values */
	}
	cfg_edits_free(&edits);
	edit_ctx_clear(&c);
out:
	store_unlock(st);
}

/*
 * ds (was: its document, or NULL) becomes now: taken over (take), or a
 * copy of another datastore's; the change's event lists what it changed
 * (running's only), computed before the old document goes.
 */
static void
replace_announced(struct rpc *r, enum ds_id ds, xmlDocPtr was, xmlDocPtr now, int take)
{
	struct store *st = r->s->store;
	struct cfg_edits edits;

	cfg_edits_init(&edits, store_yang(st, r->s->schema, now), store_keys(st));
	if (ds != DS_CANDIDATE)
		ops_change_edits(was != NULL ? xmlDocGetRootElement(was) : NULL,
		    xmlDocGetRootElement(now), &edits);
	if ((take ? store_replace(st, ds, now) : store_replace_from(st, ds, now)) == -1)
		ops_store_failed(r);
	else
		changed(r, ds, &edits);
	cfg_edits_free(&edits);
}

/* Replaces target with doc (taken over): checks, hooks, atomic write. */
static void
replace_target(struct rpc *r, enum ds_id ds, xmlDocPtr doc)
{
	struct store *st = r->s->store;
	xmlDocPtr cur;

	cur = store_doc(st, ds);
	if (ops_nacm_replace(r, cur != NULL ? xmlDocGetRootElement(cur) : NULL,
	    xmlDocGetRootElement(doc)) == -1 ||
	    (ds != DS_CANDIDATE && ops_nacm_config_check(r, cur, doc) == -1)) {
		doc_free(doc);
		return;
	}
	if (ds == DS_RUNNING) {
		if (store_validate(st, r, doc) == -1 ||
		    tree_validate_all(store_yang(st, r->s->schema, doc), r,
		    xmlDocGetRootElement(doc)) == -1 ||
		    (cur = store_doc(st, DS_RUNNING)) == NULL ||
		    ops_running_changed(r, cur, doc) == -1) {
			if (r->nerrors == 0)
				ops_store_failed(r);
			doc_free(doc);
			return;
		}
	}
	replace_announced(r, ds, cur, doc, 1);
}

void
op_copy_config(struct rpc *r)
{
	struct store *st = r->s->store;
	enum ds_id ds, src;
	xmlNodePtr source = nc_child(r->op, "source");
	xmlDocPtr doc, cur;
	enum wd_mode wd;

	/*
	 * with-defaults is checked, then has nothing to do: it applies to
	 * a <url> target (RFC 6243 4.5.3), and without :url every target is
	 * a datastore, which is copied as stored (basic mode explicit).
	 */
	if (ops_parse_target(r, nc_child(r->op, "target"), &ds) == -1 || wd_param(r, &wd) == -1)
		return;
	if (source == NULL) {
		ops_missing(r, "source", "copy-config needs <source>");
		return;
	}
	if (begin_write(r, ds) == -1)
		return;
	if (ds != DS_RUNNING && nc_child(source, "config") == NULL &&
	    nc_child(source, "url") == NULL) {
		/* datastore to datastore: written from the source's cached doc */
		if (ops_parse_target(r, source, &src) == 0) {
			xmlDocPtr was = store_doc(st, ds);

			if ((cur = store_doc(st, src)) == NULL)
				ops_store_failed(r);
			else if (ops_nacm_replace(r, was != NULL ?
			    xmlDocGetRootElement(was) : NULL,
			    xmlDocGetRootElement(cur)) == -1)
				;	/* access-denied, nothing written */
			else
				replace_announced(r, ds, was, cur, 0);
		}
	} else if ((doc = ops_source_doc(r, source)) != NULL)
		replace_target(r, ds, doc);
	store_unlock(st);
}

void
op_delete_config(struct rpc *r)
{
	struct store *st = r->s->store;
	enum ds_id ds;

	if (ops_parse_target(r, nc_child(r->op, "target"), &ds) == -1)
		return;
	if (ds == DS_RUNNING) {
		rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
		    "the running datastore cannot be deleted");
		return;
	}
	if (begin_write(r, ds) == -1)
		return;
	replace_target(r, ds, store_new_doc());
	store_unlock(st);
}
