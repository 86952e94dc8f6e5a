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
	if (r != NULL) {
		/* the message names nodes and values, but carries no error-path */
		r->errors_unscoped = 1;
		rpc_error(r, ERR_APPLICATION, TAG_INVALID_VALUE, NULL,
		    "schema validation failed: %s", et.msg[0] ? et.msg : "invalid");
	}
	return -1;
}

#define UNCOVERED_SEEN_MAX 64	/* names remembered, so each is logged once */

/*
 * Logs the top-level nodes of root (a datastore's, or an edit's config)
 * that no YANG module covers and this session has not logged yet: they
 * are edited by the schema-less rules, which the line names so that an
 * operator knows where to read them.  what: where they are.
 */
static void
log_uncovered(struct store *st, xmlNodePtr root, const char *what)
{
	xmlNodePtr out[16];
	size_t n, i, shown = 0;
	char line[512], key[320];
	int len = 0;

	if (root == NULL || (n = schema_uncovered(st->yang, root, out, 16)) == 0)
		return;
	if (st->uncovered_seen == NULL && (st->uncovered_seen = xmlHashCreate(16)) == NULL)
		xoom();
	line[0] = '\0';
	for (i = 0; i < n && i < 16; i++) {
		snprintf(key, sizeof(key), "{%s}%s", out[i]->ns != NULL ?
		    (const char *)out[i]->ns->href : "", (const char *)out[i]->name);
		if (xmlHashLookup(st->uncovered_seen, BAD_CAST key) != NULL)
			continue;
		if (xmlHashSize(st->uncovered_seen) < UNCOVERED_SEEN_MAX)
			(void)xmlHashAddEntry(st->uncovered_seen, BAD_CAST key, st);
		if (len < (int)sizeof(line))
			len += snprintf(line + len, sizeof(line) - (size_t)len, "%s%s",
			    shown ? ", " : "", key);
		shown++;
	}
	if (shown > 0)
		log_info("session %u: %s top-level data no YANG module covers, edited by "
		    "the schema-less rules (nchome-netconf(8): list entries by their first "
		    "leaf): %s%s", (unsigned)st->sid, what, line, n > 16 ? ", ..." : "");
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
		if (yang != NULL && doc != NULL)
			log_uncovered(st, xmlDocGetRootElement(doc), "the datastore holds");
	}
	return st->yang;
}

void
store_yang_edit(struct store *st, xmlNodePtr config)
{
	if (st->yang_loaded && st->yang != NULL)
		log_uncovered(st, config, "an edit brings");
}

