/*
 * The schema check every change of running goes through: the RELAX NG
 * schema (netconf.schema), which describes the datastore document: root
 * <config> in the NETCONF base namespace, the configuration as its
 * children.  Loaded on first use, once per session.  And the YANG
 * module set that edits consult (keys, config false, values): loaded on
 * the first edit, once per session.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/relaxng.h>

#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

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

static void
load_schema(struct store *st)
{
	struct errtext et = { "" };
	xmlRelaxNGParserCtxtPtr pc;

	st->schema_loaded = 1;
	if ((pc = xmlRelaxNGNewParserCtxt(st->schema_path)) != NULL) {
		xmlRelaxNGSetParserStructuredErrors(pc, rng_error, &et);
		st->schema = xmlRelaxNGParse(pc);
		xmlRelaxNGFreeParserCtxt(pc);
	}
	if (st->schema == NULL)
		log_warnx("%s: unusable RELAX NG schema: %s", st->schema_path, et.msg);
}

int
store_validate(struct store *st, struct rpc *r, xmlDocPtr doc)
{
	struct errtext et = { "" };
	xmlRelaxNGValidCtxtPtr vc;
	int rc;

	if (st->schema_path == NULL)
		return 0;
	if (!st->schema_loaded)
		load_schema(st);
	if (st->schema == NULL) {
		if (r != NULL)
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "the configured schema %s cannot be used", st->schema_path);
		return -1;
	}
	if ((vc = xmlRelaxNGNewValidCtxt(st->schema)) == NULL)
		xoom();
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

/* Logs the top-level data of doc no YANG module covers. */
static void
log_uncovered(struct store *st, xmlDocPtr doc)
{
	xmlNodePtr out[8];
	size_t n, i;
	char line[512];
	int len = 0;

	if (doc == NULL ||
	    (n = schema_uncovered(st->yang, xmlDocGetRootElement(doc), out, 8)) == 0)
		return;
	for (i = 0; i < n && i < 8 && len < (int)sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, "%s{%s}%s",
		    i ? ", " : "", out[i]->ns != NULL ? (const char *)out[i]->ns->href : "",
		    (const char *)out[i]->name);
	log_info("running holds %zu top-level node(s) no YANG module covers, edited "
	    "by the schema-less rules: %s%s", n, line, n > 8 ? ", ..." : "");
}

void
store_set_yang(struct store *st, struct schema *yang)
{
	st->yang = yang;
}

struct schema *
store_yang(struct store *st, struct schema *yang, xmlDocPtr doc)
{
	if (!st->yang_loaded) {
		st->yang_loaded = 1;
		st->yang = yang;
		if (yang != NULL)
			log_uncovered(st, doc);
	}
	return st->yang;
}

