/*
 * validate (RFC 6241 8.6) and the checks every change of running goes
 * through: the RELAX NG schema (netconf.schema) and the commit hooks.
 * The schema describes the datastore document: root <config> in the
 * NETCONF base namespace, the configuration as its children.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/relaxng.h>

#include "atomicfile.h"
#include "hooks.h"
#include "log.h"
#include "packed.h"
#include "store.h"
#include "xmlout.h"

struct errtext {
	char	msg[512];
};

static void
rng_error(void *arg, xmlErrorPtr err)
{
	struct errtext *t = arg;
	size_t n;

	if (t->msg[0] != '\0' || err == NULL || err->message == NULL)
		return;		/* keep the first */
	if (err->line > 0)
		snprintf(t->msg, sizeof(t->msg), "line %d: %s", err->line, err->message);
	else
		snprintf(t->msg, sizeof(t->msg), "%s", err->message);
	n = strlen(t->msg);
	while (n > 0 && t->msg[n - 1] == '\n')
		t->msg[--n] = '\0';
}

int
store_validate(struct session *s, struct rpc *r, xmlDocPtr doc)
{
	struct ds_state *st = s->ds;
	struct errtext et = { "" };
	xmlRelaxNGParserCtxtPtr pc;
	xmlRelaxNGValidCtxtPtr vc;
	int rc;

	if (s->nc == NULL || s->nc->schema == NULL || s->nc->schema[0] == '\0')
		return 0;
	if (!st->schema_loaded) {
		st->schema_loaded = 1;
		if ((pc = xmlRelaxNGNewParserCtxt(s->nc->schema)) != NULL) {
			xmlRelaxNGSetParserStructuredErrors(pc, rng_error, &et);
			st->schema = xmlRelaxNGParse(pc);
			xmlRelaxNGFreeParserCtxt(pc);
		}
		if (st->schema == NULL)
			log_warnx("%s: unusable RELAX NG schema: %s", s->nc->schema, et.msg);
	}
	if (st->schema == NULL) {
		if (r != NULL)
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "the configured schema %s cannot be used", s->nc->schema);
		return -1;
	}
	et.msg[0] = '\0';
	if ((vc = xmlRelaxNGNewValidCtxt(st->schema)) == NULL)
		abort();
	xmlRelaxNGSetValidStructuredErrors(vc, rng_error, &et);
	packed_unpack_tree(xmlDocGetRootElement(doc));	/* libxml2 reads real nodes */
	rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	if (rc == 0)
		return 0;
	if (r != NULL)
		rpc_error(r, ERR_APPLICATION, TAG_INVALID_VALUE, NULL,
		    "schema validation failed: %s", et.msg[0] ? et.msg : "invalid");
	return -1;
}

void
op_validate(struct rpc *r)
{
	xmlNodePtr source = nc_child(r->op, "source");
	xmlDocPtr doc;

	if (source == NULL) {
		xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "validate needs <source>");
		rpc_error_info(e, "bad-element", "source");
		return;
	}
	if (store_lock(r->s, 0) == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "the datastore could not be read");
		return;
	}
	if ((doc = ops_source_doc(r, source)) != NULL) {
		store_validate(r->s, r, doc);
		xmlFreeDoc(doc);
	}
	store_unlock(r->s);
}

/* Writes doc to a new temporary file in datastore-dir; 0 or -1. */
static int
temp_doc(struct session *s, const char *tag, xmlDocPtr doc, char *path, size_t len)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), ".hook-%s.XXXXXX", tag);
	store_path(s, name, path, len);
	if ((fd = mkstemp(path)) == -1)
		return -1;
	if (xo_write_doc_fd(fd, doc) == -1) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

int
ds_running_changed(struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc)
{
	char op[PATH_MAX], np[PATH_MAX];
	int rc;

	if (!hooks_commit_enabled(r->s))
		return 0;
	if (temp_doc(r->s, "old", olddoc, op, sizeof(op)) == -1)
		goto fail;
	if (temp_doc(r->s, "new", newdoc, np, sizeof(np)) == -1) {
		unlink(op);
		goto fail;
	}
	rc = hooks_run_commit(r, op, np);
	unlink(op);
	unlink(np);
	return rc == 0 ? 0 : -1;
fail:
	log_warn("commit hook input files");
	rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
	    "cannot prepare the commit hooks' input");
	return -1;
}
