/*
 * What the operation handlers share: reading their parameters and
 * sources, and the errors they have in common.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flockwait.h"
#include "ops_int.h"
#include "xmalloc.h"

int
ops_parse_target(struct rpc *r, xmlNodePtr parent, enum ds_id *out)
{
	xmlNodePtr c, which = NULL;
	int n = 0;

	if (parent == NULL) {
		rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "missing datastore element");
		return -1;
	}
	for (c = parent->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			which = c;
			n++;
		}
	if (n == 0) {
		rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "<%s> names no datastore", parent->name);
		return -1;
	}
	for (int i = 0; i < DS_COUNT; i++)
		if (n == 1 && nc_is(which, ds_name((enum ds_id)i))) {
			*out = (enum ds_id)i;
			return 0;
		}
	rpc_error(r, ERR_PROTOCOL, TAG_BAD_ELEMENT, NULL,
	    "<%s> must hold one of <running/>, <candidate/>, <startup/>", parent->name);
	return -1;
}

int
ops_pick(struct rpc *r, const char *name, const char *v, const char *const *choices,
    int *out)
{
	xmlNodePtr e;

	for (int i = 0; choices[i] != NULL; i++)
		if (strcmp(v, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	e = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
	    "bad value for %s: %s", name, v);
	rpc_error_info(e, "bad-element", name);
	return -1;
}

void
ops_missing(struct rpc *r, const char *elem, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rpc_error_info(rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL, "%s", text),
	    "bad-element", elem);
}

void
ops_store_failed(struct rpc *r)
{
	const char *hint;

	if (store_lock_busy(r->s->store)) {
		rpc_error(r, ERR_PROTOCOL, TAG_IN_USE, NULL,
		    "the datastores are being written by another process; "
		    "try again (lock-wait %ld ms passed)", flock_wait_bound());
		return;
	}
	if (store_too_big(r->s->store)) {
		rpc_error(r, ERR_APPLICATION, TAG_RESOURCE_DENIED, NULL,
		    "the datastore would be larger than max-datastore-size; nothing was written");
		return;
	}
	hint = store_failure_hint(r->s->store);
	if (hint != NULL)
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "the datastore could not be written: %s", hint);
	else
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "the datastore could not be read or written (see the server log)");
}

/*
 * Data of a module's namespace is checked by the module or not taken: a
 * session whose libyang context cannot be built (libyang.so missing, a
 * module that does not compile) would find no node for it and edit it
 * by the schema-less rules, unchecked.
 */
int
ops_yang_checkable(struct rpc *r, xmlNodePtr config)
{
	struct schema *s = r->s->schema;

	if (s == NULL || schema_config_checkable(s, config))
		return 0;
	rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, "%s; data of its modules "
	    "cannot be checked", schema_context_error(s) ? schema_context_error(s) : "YANG");
	return -1;
}

/*
 * What a replace of running drops (copy-config, commit): its module data
 * is checked by the modules only with the context (tree/validate*.c).
 * Built, there is nothing to look at; else running is read, as
 * ops_yang_checkable reads what is taken.
 */
int
ops_running_drop_checkable(struct rpc *r)
{
	struct schema *s = r->s->schema;
	xmlDocPtr run;

	if (s == NULL || schema_context_built(s))
		return 0;
	if ((run = store_doc(r->s->store, DS_RUNNING)) == NULL) {
		ops_store_failed(r);
		return -1;
	}
	return ops_yang_checkable(r, xmlDocGetRootElement(run));
}

xmlDocPtr
ops_source_doc(struct rpc *r, xmlNodePtr source)
{
	xmlNodePtr inl = nc_child(source, "config");
	xmlDocPtr doc, cur;
	enum ds_id ds;

	if (inl != NULL) {
		if (ops_yang_checkable(r, inl) == -1)
			return NULL;
		/* moved, not copied: the request is freed after the RPC */
		xmlNodePtr root, c, next;

		doc = store_new_doc();
		root = xmlDocGetRootElement(doc);
		/* prefixes values use, declared on <config> or <rpc>, go along */
		ns_carry_children(inl);
		for (c = inl->children; c != NULL; c = next) {
			next = c->next;
			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (xmlDOMWrapAdoptNode(NULL, c->doc, c, doc, root, 0) != 0)
				xoom();
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
	if (ops_parse_target(r, source, &ds) == -1)
		return NULL;
	if ((cur = store_doc(r->s->store, ds)) == NULL) {
		ops_store_failed(r);
		return NULL;
	}
	return packed_copy_doc(cur);
}

int
ops_hooks_enabled(struct session *s)
{
	return s->nc != NULL && hooks_commit_enabled(s->nc->commit_hooks);
}

int
ops_running_changed(struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc)
{
	struct session *s = r->s;

	if (!ops_hooks_enabled(s))
		return 0;
	/* a change refused for size must not reach the host: check before the hooks */
	if (!store_fits(s->store, newdoc)) {
		ops_store_failed(r);
		return -1;
	}
	return hooks_running_changed(s->dd, s->nc->commit_hooks, s, r, olddoc, newdoc);
}
