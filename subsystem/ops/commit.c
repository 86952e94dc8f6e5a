/*
 * commit, discard-changes, cancel-commit, and the confirmed commit
 * (RFC 6241 8.3, 8.4 :confirmed-commit:1.1).
 *
 * The candidate is candidate.xml (+ journal) in datastore-dir, absent when
 * it equals running.  commit makes it running (atomic rewrite of
 * running.xml) and removes it.
 *
 * A confirmed commit saves running first to running.rollback.xml and
 * writes confirm.state; its timer, a detached process, rolls running back
 * at the deadline unless the state has changed (confirm_timer.c).  A
 * follow-up confirmed commit writes a new token (the old timer then does
 * nothing); a confirming commit or cancel-commit removes the state.  Without
 * <persist>, only the session that started it may confirm or cancel, and
 * its end rolls back at once (8.4); with <persist>, any session giving the
 * same <persist-id> may.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "ops_int.h"
#include "xmalloc.h"

#define ROLLBACK_FILE	"running.rollback.xml"
#define DEFAULT_TIMEOUT	600	/* seconds, RFC 6241 8.4.5.1 */

/* This process started a confirmed commit without persist (8.4: its end rolls back). */
static int confirmed_mine;

static void
running_unwritable(struct rpc *r)
{
	const char *hint;

	if (store_lock_busy(r->s->store) || store_too_big(r->s->store)) {
		ops_store_failed(r);
		return;
	}
	hint = store_failure_hint(r->s->store);
	rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
	    "cannot write running%s%s", hint != NULL ? ": " : "", hint != NULL ? hint : "");
}

static void
bad_persist_id(struct rpc *r, const char *msg)
{
	rpc_error_info(rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL, "%s", msg),
	    "bad-element", "persist-id");
}

/* May this rpc confirm or cancel the pending confirmed commit cs? */
static int
may_settle(struct rpc *r, const struct confirm_state *cs, const char *persist_id)
{
	if (cs->persist[0] != '\0') {
		if (persist_id == NULL || strcmp(persist_id, cs->persist) != 0) {
			bad_persist_id(r, "a persistent confirmed commit is pending: "
			    "give its persist-id");
			return 0;
		}
		return 1;
	}
	if (persist_id != NULL) {
		bad_persist_id(r, "no persistent confirmed commit with that persist-id");
		return 0;
	}
	if (cs->session != r->s->id) {
		rpc_error(r, ERR_PROTOCOL, TAG_IN_USE, NULL,
		    "a confirmed commit of session %u is pending", cs->session);
		return 0;
	}
	return 1;
}

/*
 * <persist> or <persist-id> into buf.  The id is kept in a fixed field of
 * the state file, on one line: a longer one, or one with a line break, is
 * refused, not cut, so two ids that share their first 255 bytes or their
 * first line never match each other.  An empty one is refused too: the
 * state file's empty id means "no persist", so an empty <persist> would
 * quietly start a commit that this session's end rolls back, and an empty
 * <persist-id> can never match.  0, or -1 with the error.
 */
static int
persist_param(struct rpc *r, const char *name, char *buf, size_t len,
    const char **out)
{
	xmlNodePtr node;
	char *whole;
	size_t n;

	*out = rpc_param(r, name, buf, len);
	if (*out != NULL && buf[0] == '\0') {
		rpc_error_info(rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "%s is empty", name), "bad-element", name);
		return -1;
	}
	if (*out != NULL && strchr(buf, '\n') != NULL) {
		rpc_error_info(rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "%s holds a line break", name), "bad-element", name);
		return -1;
	}
	if (*out == NULL || strlen(buf) < len - 1)
		return 0;
	whole = nc_child_text(r->op, NC_NS_BASE, name, &node);
	n = whole != NULL ? strlen(whole) : 0;
	free(whole);
	if (n < len)
		return 0;
	rpc_error_info(rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
	    "%s is longer than %zu bytes", name, len - 1), "bad-element", name);
	return -1;
}

/* The parameters of a <commit>. */
struct commit_req {
	int		 confirmed;
	unsigned long	 timeout;
	const char	*persist, *persist_id;
	char		 pbuf[256], pibuf[256];
};

static int
commit_params(struct rpc *r, struct commit_req *q)
{
	char tbuf[32], *end;

	q->confirmed = nc_child(r->op, "confirmed") != NULL;
	q->timeout = DEFAULT_TIMEOUT;
	if (rpc_param(r, "confirm-timeout", tbuf, sizeof(tbuf)) != NULL) {
		q->timeout = strtoul(tbuf, &end, 10);
		if (*end != '\0' || q->timeout == 0 || q->timeout > 0xffffffffUL) {
			rpc_error_info(rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
			    "confirm-timeout must be a positive number of seconds"),
			    "bad-element", "confirm-timeout");
			return -1;
		}
	}
	if (persist_param(r, "persist", q->pbuf, sizeof(q->pbuf), &q->persist) == -1 ||
	    persist_param(r, "persist-id", q->pibuf, sizeof(q->pibuf), &q->persist_id) == -1)
		return -1;
	return 0;
}

/*
 * What an overlay candidate (this session's edits on running) drops of
 * running, checked as ops_running_drop_checkable does for copy-config:
 * edit-config refused every edit of module data the session cannot
 * check, so only an edit that replaces everything (default-operation
 * replace) can drop it unchecked; running is read for that one only.
 */
static int
edits_drop_checkable(struct rpc *r, const enum edit_defop *defops, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (defops[i] == DEFOP_REPLACE)
			return ops_running_drop_checkable(r);
	return 0;
}

/*
 * The YANG check of a commit: what the candidate changes against
 * running, and what refers to it (tree/validate.c).  An overlay
 * candidate is running plus its journal's edits: what they name is
 * checked, without reading running (tree/validate_edits.c) unless one
 * replaced everything (edits_drop_checkable).  0 or -1 with the error.
 */
static int
yang_check(struct rpc *r, xmlDocPtr cand)
{
	struct schema *s = store_yang(r->s->store, r->s->schema, cand);
	struct store_edits e;
	xmlDocPtr run;
	int rc;

	if (s == NULL)
		return 0;
	if (ops_yang_checkable(r, xmlDocGetRootElement(cand)) == -1)
		return -1;
	if (store_overlay_edits(r->s->store, &e) == 1) {
		xmlNodePtr *configs = xcalloc(e.n, sizeof(*configs));

		for (size_t i = 0; i < e.n; i++)
			configs[i] = xmlDocGetRootElement(e.docs[i]);
		rc = edits_drop_checkable(r, e.defops, e.n);
		if (rc == 0)
			rc = tree_validate_edits(s, r, xmlDocGetRootElement(cand), configs,
			    e.defops, e.n);
		free(configs);
		store_edits_free(&e);
		return rc;
	}
	/* what it drops, as copy-config onto running checks it */
	if (ops_running_drop_checkable(r) == -1)
		return -1;
	run = store_doc(r->s->store, DS_RUNNING);
	return tree_validate_diff(s, r, xmlDocGetRootElement(cand),
	    run != NULL ? xmlDocGetRootElement(run) : NULL);
}

/*
 * The fast path of a plain commit: the overlay's edits go to running's
 * journal.  1 when the commit is done (or failed with an error), 0 when
 * the full path must run.
 */
static int
commit_fast(struct rpc *r)
{
	struct store *st = r->s->store;
	xmlDocPtr cand;

	if (!store_candidate_present(st) || ops_hooks_enabled(r->s))
		return 0;
	if ((cand = store_doc(st, DS_CANDIDATE)) != NULL &&
	    (store_validate(st, r, cand) == -1 || yang_check(r, cand) == -1))
		return 1;
	switch (store_commit_overlay(st)) {
	case 1:
		/*
		 * running's document before is not at hand (it became the
		 * candidate's): the event has no edit list (RFC 6470 allows it)
		 */
		ops_config_changed(r->s->dd, r->s, "running", "commit", NULL);
		return 1;
	case -1:
		running_unwritable(r);
		return 1;
	}
	return 0;
}

/*
 * The candidate becomes running (checks, hooks, event, the audit line
 * naming the commit as how); 0 or -1 with an error.
 */
static int
candidate_to_running(struct rpc *r, const char *how)
{
	struct store *st = r->s->store;
	struct cfg_edits edits;
	xmlDocPtr cand, run;

	if (!store_candidate_present(st))
		return 0;
	if ((cand = store_doc(st, DS_CANDIDATE)) == NULL) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "candidate unreadable");
		return -1;
	}
	if (store_validate(st, r, cand) == -1 || yang_check(r, cand) == -1 ||
	    ops_running_changed(r, (run = store_doc(st, DS_RUNNING)), cand) == -1)
		return -1;
	/* the event's edits, while running's document is still there */
	cfg_edits_init(&edits, store_yang(st, r->s->schema, cand), store_keys(st));
	ops_change_edits(run != NULL ? xmlDocGetRootElement(run) : NULL,
	    xmlDocGetRootElement(cand), &edits, NULL);
	/* the candidate's document becomes running's */
	(void)store_take_doc(st, DS_CANDIDATE);
	if (store_replace(st, DS_RUNNING, cand) == -1) {
		cfg_edits_free(&edits);
		running_unwritable(r);
		return -1;
	}
	ops_config_changed(r->s->dd, r->s, "running", how, &edits);
	cfg_edits_free(&edits);
	store_drop_candidate(st);
	return 0;
}

/* Starts (or extends, pending) the confirmed commit's timer; 0 or -1 rolled back. */
static int
arm_confirmed(struct rpc *r, struct confirm_state *cs, int pending,
    const struct commit_req *q)
{
	struct session *s = r->s;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (!pending) {
		memset(cs, 0, sizeof(*cs));
		snprintf(cs->persist, sizeof(cs->persist), "%s",
		    q->persist != NULL ? q->persist : "");
	} else if (q->persist != NULL)
		snprintf(cs->persist, sizeof(cs->persist), "%s", q->persist);
	/* getentropy, not libcrypto: nchome-netconf loads no libcrypto (3 ms a session) */
	if (getentropy(&cs->token, sizeof(cs->token)) != 0)
		cs->token = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	cs->session = s->id;
	cs->deadline = (int64_t)ts.tv_sec + (int64_t)q->timeout;
	cs->pid = 0;
	if (confirm_write(s->dd, cs) == -1 ||
	    (cs->pid = confirm_timer_start(s, cs->token, cs->deadline)) == -1) {
		log_warn("confirmed commit timer");
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot start the confirmed-commit timer; rolling back");
		confirm_rollback(s->store, s->dd, s->nc->commit_hooks, r, s,
		    "confirmed commit rolled back: no timer");
		return -1;
	}
	(void)confirm_write(s->dd, cs);
	confirmed_mine = cs->persist[0] == '\0';
	event_confirmed_commit(s->dd, s, pending ? "extend" : "start", q->timeout);
	return 0;
}

/*
 * NACM (RFC 8341 3.2.4): a commit needs the write rights for what it
 * changes in running, whoever edited the candidate; a broken nacm
 * config in the candidate is refused.  0, or -1 with the error added.
 */
static int
commit_nacm(struct rpc *r)
{
	struct store *st = r->s->store;
	xmlDocPtr cand, run;

	if (!store_candidate_present(st))
		return 0;
	if ((cand = store_doc(st, DS_CANDIDATE)) == NULL) {
		ops_store_failed(r);
		return -1;
	}
	/*
	 * Neither check has work (no write rights to check, no nacm
	 * container in the candidate): running is not read, which an
	 * overlay candidate would cost a parse of the whole file.
	 */
	if (!ops_nacm_checks_writes(r->s) && !ops_nacm_in_doc(cand))
		return 0;
	if ((run = store_doc(st, DS_RUNNING)) == NULL) {
		ops_store_failed(r);
		return -1;
	}
	if (ops_nacm_replace(r, xmlDocGetRootElement(run), xmlDocGetRootElement(cand)) == -1 ||
	    ops_nacm_config_check(r, run, cand) == -1)
		return -1;
	return 0;
}

void
op_commit(struct rpc *r)
{
	struct session *s = r->s;
	struct store *st = s->store;
	struct confirm_state cs;
	struct commit_req q;
	int pending, saved = 0;

	if (commit_params(r, &q) == -1 || store_check_write(st, r, DS_RUNNING) == -1)
		return;
	if (store_lock(st, 1) == -1) {
		ops_store_failed(r);
		return;
	}
	pending = confirm_read(s->dd, &cs);
	if (pending && !may_settle(r, &cs, q.persist_id))
		goto out;
	if (!pending && q.persist_id != NULL) {
		bad_persist_id(r, "no confirmed commit is pending");
		goto out;
	}
	if (commit_nacm(r) == -1)
		goto out;
	if (!q.confirmed && !pending && commit_fast(r))
		goto out;
	if (store_pin_candidate(st) == -1 || store_doc(st, DS_RUNNING) == NULL) {
		if (store_too_big(st))	/* the candidate, written out, passes the cap */
			ops_store_failed(r);
		else
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, "running unreadable");
		goto out;
	}
	if (q.confirmed && !pending) {
		if (store_save_file(st, ROLLBACK_FILE, store_doc(st, DS_RUNNING)) == -1) {
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "cannot save running for the rollback");
			goto out;
		}
		saved = 1;
	}
	if (candidate_to_running(r, q.confirmed ? "confirmed commit" :
	    pending ? "confirming commit" : "commit") == -1) {
		if (saved)
			(void)dsdir_unlink(s->dd, DSD_TOP, ROLLBACK_FILE);
		goto out;
	}
	if (q.confirmed)
		(void)arm_confirmed(r, &cs, pending, &q);
	else if (pending) {
		confirm_clear(s->dd);		/* the confirming commit */
		confirmed_mine = 0;
		event_confirmed_commit(s->dd, s, "complete", 0);
	}
out:
	store_unlock(st);
}

void
op_cancel_commit(struct rpc *r)
{
	struct session *s = r->s;
	struct confirm_state cs;
	char pibuf[256];
	const char *persist_id;

	if (persist_param(r, "persist-id", pibuf, sizeof(pibuf), &persist_id) == -1)
		return;
	if (store_lock(s->store, 1) == -1) {
		ops_store_failed(r);
		return;
	}
	if (!confirm_read(s->dd, &cs))
		rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_FAILED, NULL,
		    "no confirmed commit is pending");
	else if (may_settle(r, &cs, persist_id)) {
		if (confirm_rollback(s->store, s->dd, s->nc->commit_hooks, r, s,
		    "cancel-commit") == -1)
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "the rollback failed");
		else
			event_confirmed_commit(s->dd, s, "cancel", 0);
	}
	store_unlock(s->store);
}

void
op_discard_changes(struct rpc *r)
{
	struct store *st = r->s->store;

	if (store_check_write(st, r, DS_CANDIDATE) == -1)
		return;
	if (store_lock(st, 1) == -1) {
		ops_store_failed(r);
		return;
	}
	store_drop_candidate(st);
	store_unlock(st);
}

void
commit_session_end(struct session *s)
{
	struct confirm_state cs;
	struct rpc r = { 0 };

	if (!confirmed_mine || s->store == NULL)
		return;
	r.s = s;
	if (store_lock(s->store, 1) == 0) {
		if (confirm_read(s->dd, &cs) && cs.session == s->id && cs.persist[0] == '\0' &&
		    confirm_rollback(s->store, s->dd, s->nc->commit_hooks, &r, s,
		    "confirmed commit rolled back: session end") == 0)
			event_confirmed_commit(s->dd, s, "cancel", 0);
		store_unlock(s->store);
	}
	xmlFreeDoc(r.err_doc);
}
