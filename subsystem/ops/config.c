/*
 * The configuration operations: get, get-config, edit-config,
 * copy-config, delete-config (RFC 6241 7.1-7.5, 7.7).  Each runs under the
 * cross-process datastore lock (store.h); edits change the session's
 * cached document in place and persist the edit (journal) before the reply.
 */
#include <string.h>

#include "edit.h"
#include "filter.h"
#include "hooks.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "packed.h"
#include "store.h"
#include "notify.h"

static void
reply_doc(struct rpc *r, xmlDocPtr doc, xmlNodePtr filter)
{
	xmlDocPtr out;

	if (filter == NULL) {
		/* the cached document itself: streamed, never copied */
		rpc_reply_data(r, xmlDocGetRootElement(doc), NULL);
		return;
	}
	if (filter_apply(r, filter, doc, &out) == 0)
		rpc_reply_data(r, xmlDocGetRootElement(out), out);
}

static void
store_failed(struct rpc *r)
{
	const char *hint = store_failure_hint(r->s);

	if (hint != NULL)
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "the datastore could not be written: %s", hint);
	else
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "the datastore could not be read or written (see the server log)");
}

void
op_get_config(struct rpc *r)
{
	enum ds_id ds;
	xmlDocPtr doc;

	if (ds_parse_target(r, nc_child(r->op, "source"), &ds) == -1)
		return;
	if (store_lock(r->s, 0) == -1) {
		store_failed(r);
		return;
	}
	if ((doc = store_doc(r->s, ds)) == NULL)
		store_failed(r);
	else
		reply_doc(r, doc, nc_child(r->op, "filter"));
	store_unlock(r->s);
}

void
op_get(struct rpc *r)
{
	xmlDocPtr doc, state, merged;
	xmlNodePtr sroot, mroot;

	if (store_lock(r->s, 0) == -1) {
		store_failed(r);
		return;
	}
	if ((doc = store_doc(r->s, DS_RUNNING)) == NULL) {
		store_failed(r);
		store_unlock(r->s);
		return;
	}
	/* state data (hooks side) joins a copy of running, if there is any */
	state = store_new_doc();
	sroot = xmlDocGetRootElement(state);
	if (state_collect(r->s, sroot) == -1)
		log_warnx("state providers failed; answering with configuration only");
	if (sroot->children == NULL) {
		reply_doc(r, doc, nc_child(r->op, "filter"));
		xmlFreeDoc(state);
		store_unlock(r->s);
		return;
	}
	merged = packed_copy_doc(doc);
	store_unlock(r->s);
	mroot = xmlDocGetRootElement(merged);
	for (xmlNodePtr c = sroot->children; c != NULL; c = c->next)
		xmlAddChild(mroot, xmlDocCopyNode(c, merged, 1));
	xmlFreeDoc(state);
	if (nc_child(r->op, "filter") == NULL)
		rpc_reply_data(r, mroot, merged);
	else {
		reply_doc(r, merged, nc_child(r->op, "filter"));
		xmlFreeDoc(merged);
	}
}

static int
pick(struct rpc *r, const char *name, const char *v, const char *const *choices, int *out)
{
	for (int i = 0; choices[i] != NULL; i++)
		if (strcmp(v, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
	    "bad value for %s: %s", name, v);
	rpc_error_info(e, "bad-element", name);
	return -1;
}

/* The content of running before an in-place change, when hooks want it. */
static xmlDocPtr
hooks_snapshot(struct session *s, enum ds_id ds, xmlDocPtr doc)
{
	xmlDocPtr old;

	if (ds != DS_RUNNING || !hooks_commit_enabled(s))
		return NULL;
	old = packed_copy_doc(doc);
	return old;
}

void
op_edit_config(struct rpc *r)
{
	static const char *const defops[] = { "merge", "replace", "none", NULL };
	static const char *const tests[] = { "test-then-set", "set", "test-only", NULL };
	static const char *const erropts[] = {
		"stop-on-error", "continue-on-error", "rollback-on-error", NULL
	};
	struct session *s = r->s;
	struct edit_ctx c = { 0 };
	struct store_edit se = { .fd = -1 };
	enum ds_id ds;
	xmlNodePtr config;
	xmlDocPtr doc, old = NULL;
	const char *v;
	char buf[64];
	int defop = DEFOP_MERGE, test = 0, erropt = ERROPT_STOP, had_candidate;

	if (ds_parse_target(r, nc_child(r->op, "target"), &ds) == -1)
		return;
	if (ds == DS_STARTUP) {
		rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
		    "edit-config of startup: use copy-config");
		return;
	}
	if ((v = rpc_param(r, "default-operation", buf, sizeof(buf))) != NULL &&
	    pick(r, "default-operation", v, defops, &defop) == -1)
		return;
	if ((v = rpc_param(r, "test-option", buf, sizeof(buf))) != NULL &&
	    pick(r, "test-option", v, tests, &test) == -1)
		return;
	if ((v = rpc_param(r, "error-option", buf, sizeof(buf))) != NULL &&
	    pick(r, "error-option", v, erropts, &erropt) == -1)
		return;
	if ((config = nc_child(r->op, "config")) == NULL) {
		if (nc_child(r->op, "url") != NULL)
			rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
			    "<url> is not supported (no :url capability)");
		else {
			xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT,
			    NULL, "edit-config needs <config>");
			rpc_error_info(e, "bad-element", "config");
		}
		return;
	}
	if (lock_check_write(r, ds) == -1)
		return;
	if (store_lock(s, 1) == -1) {
		store_failed(r);
		return;
	}
	had_candidate = ds == DS_CANDIDATE && store_candidate_present(s);
	doc = test == 2 ? store_doc(s, ds) : store_doc_for_edit(s, ds);
	if (doc == NULL) {
		store_failed(r);
		goto out;
	}
	c.r = r;
	c.keys = s->ds->keys;
	c.defop = (enum edit_defop)defop;
	c.erropt = (enum edit_erropt)erropt;
	/* the edit is journaled first: applying it moves config's nodes */
	c.move = 1;
	if (test != 2) {
		old = hooks_snapshot(s, ds, doc);
		if (store_edit_begin(s, ds, config, c.defop, c.erropt, &se) == -1) {
			store_failed(r);
			goto undo;
		}
	}
	if (edit_apply(&c, xmlDocGetRootElement(doc), config) > 0 &&
	    c.erropt != ERROPT_CONTINUE)
		goto undo;
	if (test == 2 || !c.changed)
		goto undo;	/* test-only, or nothing to store */
	if (ds == DS_RUNNING && test == 0 && store_validate(s, r, doc) == -1)
		goto undo;
	if (old != NULL && ds_running_changed(r, old, doc) == -1)
		goto undo;
	if (store_edit_commit(s, &se) == -1) {
		store_failed(r);
		edit_undo(&c);
		store_forget(s, ds);
		goto done;
	}
	if (ds == DS_CANDIDATE)
		store_candidate_owner(s);
	notify_config_change(s, ds);
	goto done;
undo:
	store_edit_abort(s, &se);
	edit_undo(&c);
	if (ds == DS_CANDIDATE && !had_candidate && test != 2)
		store_drop_candidate(s);	/* nothing changed after all */
done:
	edit_ctx_clear(&c);
	if (old != NULL)
		xmlFreeDoc(old);
out:
	store_unlock(s);
}

xmlDocPtr
ops_source_doc(struct rpc *r, xmlNodePtr source)
{
	xmlNodePtr inl = nc_child(source, "config");
	xmlDocPtr doc, cur;
	enum ds_id ds;

	if (inl != NULL) {
		/* moved, not copied: the request is freed after the RPC */
		xmlNodePtr root, c, next;

		doc = store_new_doc();
		root = xmlDocGetRootElement(doc);
		for (c = inl->children; c != NULL; c = next) {
			next = c->next;
			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (xmlDOMWrapAdoptNode(NULL, c->doc, c, doc, root, 0) != 0)
				abort();
			xmlAddChild(root, c);
		}
		ns_tidy(root->children);
		return doc;
	}
	if (nc_child(source, "url") != NULL) {
		rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
		    "<url> is not supported (no :url capability)");
		return NULL;
	}
	if (ds_parse_target(r, source, &ds) == -1)
		return NULL;
	if ((cur = store_doc(r->s, ds)) == NULL) {
		store_failed(r);
		return NULL;
	}
	doc = packed_copy_doc(cur);
	return doc;
}

/* Replaces target with doc (taken over): checks, hooks, atomic write. */
static void
replace_target(struct rpc *r, enum ds_id ds, xmlDocPtr doc)
{
	struct session *s = r->s;
	xmlDocPtr cur;

	if (ds == DS_RUNNING) {
		if (store_validate(s, r, doc) == -1 ||
		    (cur = store_doc(s, DS_RUNNING)) == NULL ||
		    ds_running_changed(r, cur, doc) == -1) {
			if (r->nerrors == 0)
				store_failed(r);
			doc_free(doc);
			return;
		}
	}
	if (store_replace(s, ds, doc) == -1) {
		store_failed(r);
		return;
	}
	notify_config_change(s, ds);
	if (ds == DS_CANDIDATE)
		store_candidate_owner(s);
}

void
op_copy_config(struct rpc *r)
{
	enum ds_id ds, src;
	xmlNodePtr source = nc_child(r->op, "source");
	xmlDocPtr doc, cur;

	if (ds_parse_target(r, nc_child(r->op, "target"), &ds) == -1)
		return;
	if (source == NULL) {
		xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "copy-config needs <source>");
		rpc_error_info(e, "bad-element", "source");
		return;
	}
	if (lock_check_write(r, ds) == -1)
		return;
	if (store_lock(r->s, 1) == -1) {
		store_failed(r);
		return;
	}
	if (ds != DS_RUNNING && nc_child(source, "config") == NULL &&
	    nc_child(source, "url") == NULL) {
		/* datastore to datastore: written from the source's cached doc */
		if (ds_parse_target(r, source, &src) == 0) {
			if ((cur = store_doc(r->s, src)) == NULL ||
			    store_replace_from(r->s, ds, cur) == -1)
				store_failed(r);
			else {
				notify_config_change(r->s, ds);
				if (ds == DS_CANDIDATE)
					store_candidate_owner(r->s);
			}
		}
	} else if ((doc = ops_source_doc(r, source)) != NULL)
		replace_target(r, ds, doc);
	store_unlock(r->s);
}

void
op_delete_config(struct rpc *r)
{
	enum ds_id ds;

	if (ds_parse_target(r, nc_child(r->op, "target"), &ds) == -1)
		return;
	if (ds == DS_RUNNING) {
		rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
		    "the running datastore cannot be deleted");
		return;
	}
	if (lock_check_write(r, ds) == -1)
		return;
	if (store_lock(r->s, 1) == -1) {
		store_failed(r);
		return;
	}
	replace_target(r, ds, store_new_doc());
	store_unlock(r->s);
}
