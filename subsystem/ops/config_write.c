/*
 * The configuration operations that write: edit-config, copy-config,
 * delete-config (RFC 6241 7.2-7.5).  Each runs under the cross-process
 * datastore lock (store.h); edits change the session's cached document
 * in place and persist the edit (journal) before the reply.
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
	return ops_yang_checkable(r, q->config);
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
	ops_nacm_edit_inside(r->s, c, q->config);
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
	if (memcap_over()) {	/* the check's own memory (unique values kept) passed it */
		rpc_error(r, ERR_APPLICATION, TAG_RESOURCE_DENIED, NULL, "%s", MEMCAP_DENIED);
		goto out;
	}
	if (old != NULL && ops_running_changed(r, old, doc) == -1)
		goto out;
	keep = 1;
out:
	if (old != NULL)
		xmlFreeDoc(old);
	return keep;
}

/*
 * Records a kept change of ds: the candidate's owner, the event (with
 * edits: its list) and the audit line, which names the RPC.
 */
static void
changed(struct rpc *r, enum ds_id ds, const struct cfg_edits *edits)
{
	if (ds == DS_CANDIDATE)
		store_candidate_owner(r->s->store);
	ops_config_changed(r->s->dd, r->s, ds_name(ds), (const char *)r->op->name, edits);
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

	/* the schema: after the diff (ops_change_edits), which holds memory a while */
	cfg_edits_init(&edits, NULL, store_keys(st));
	if (ds != DS_CANDIDATE)
		ops_change_edits(was != NULL ? xmlDocGetRootElement(was) : NULL,
		    xmlDocGetRootElement(now), &edits, r->s);
	else
		edits.schema = store_yang(st, r->s->schema, now);
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
		/* what it takes and what it drops: the modules check both */
		if (ops_yang_checkable(r, xmlDocGetRootElement(doc)) == -1 ||
		    ops_running_drop_checkable(r) == -1 ||
		    store_validate(st, r, doc) == -1 ||
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

/*
 * 1 when a copy onto ds (running or startup) of doc's content changes
 * nothing: then, as an edit-config that changes nothing, it is answered
 * <ok/> with nothing validated, written, announced or logged; 0 when it
 * is to be done; -1 with the error added.  The lock was checked (and
 * taken) before.  NACM answers today's answer without asking: the
 * replace check (nacm_diff.c) asks for rights to the changes only, and
 * an equal tree has none, nor a changed NACM configuration.
 *
 * Not validating is safe: running is left exactly as it is, and nothing
 * new enters it.  Running may hold what would fail validation now (the
 * modules changed since it was written, or it was written with
 * test-option set); a copy that changes nothing answers <ok/> then, as
 * an edit-config that changes nothing does, and <validate> of running
 * is what asks whether it still holds.  The candidate keeps the whole
 * path: an absent candidate stands for running, and a copy makes it.
 */
static int
copy_unchanged(struct rpc *r, enum ds_id ds, xmlDocPtr doc)
{
	xmlDocPtr cur;
	int same;

	if (ds == DS_CANDIDATE)
		return 0;
	/* data of modules that cannot be checked is refused, as edit-config refuses it */
	if (ds == DS_RUNNING && ops_yang_checkable(r, xmlDocGetRootElement(doc)) == -1)
		return -1;
	if ((cur = store_doc(r->s->store, ds)) == NULL)
		return 0;	/* the whole path reports it */
	same = ops_tree_equal(xmlDocGetRootElement(cur), xmlDocGetRootElement(doc));
	if (memcap_over()) {	/* the comparison unpacked the stored entries */
		rpc_error(r, ERR_APPLICATION, TAG_RESOURCE_DENIED, NULL, "%s", MEMCAP_DENIED);
		return -1;
	}
	return same;
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
	if (ops_parse_target(r, nc_child(r->op, "target"), &ds) == -1 || ops_wd_param(r, &wd) == -1)
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
			xmlDocPtr was;

			if (ds != src)	/* ds is parsed: not beside running's indexes */
				store_drop_indexes(st);
			was = store_doc(st, ds);

			if ((cur = store_doc(st, src)) == NULL)
				ops_store_failed(r);
			else if (memcap_over())	/* the target's parse passed it */
				rpc_error(r, ERR_APPLICATION, TAG_RESOURCE_DENIED, NULL, "%s",
				    MEMCAP_DENIED);
			else if (copy_unchanged(r, ds, cur) != 0)
				;	/* <ok/> with nothing to write, or the error */
			else if (ops_nacm_replace(r, was != NULL ?
			    xmlDocGetRootElement(was) : NULL,
			    xmlDocGetRootElement(cur)) == -1)
				;	/* access-denied, nothing written */
			else
				replace_announced(r, ds, was, cur, 0);
		}
	} else if ((doc = ops_source_doc(r, source)) != NULL) {
		if (copy_unchanged(r, ds, doc) == 0)
			replace_target(r, ds, doc);	/* takes doc */
		else
			doc_free(doc);	/* <ok/> with nothing to write, or the error */
	}
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
