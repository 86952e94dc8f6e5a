/*
 * RFC 6022 NETCONF monitoring (see observe.h).
 *
 * netconf-state is built afresh for each <get> from what is shared on
 * the host: the capabilities of our hello (netconf/'s table and the
 * modules' from schema/), the datastore locks (holder and locked-time
 * from store/dslock.c), the live sessions of every session process from
 * the session registry (host/registry.c), the YANG modules and
 * submodules of the schema's libyang context (implemented ones, their
 * imports, libyang's own), and statistics: host-wide totals of all
 * session processes since the host's boot, kept in the shared file
 * datastore-dir/sessions/statistics (host/stats.c describes it and its
 * lock).
 *
 * get-schema returns a module's or submodule's YANG text
 * (schema_module_text: its file, or libyang's printout of libyang's own
 * modules) inside a <data> element in the monitoring namespace.  Both
 * build the libyang context; a <get> whose filter cannot select
 * netconf-state does not run this source (nc_add_state_source_for).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "host/host.h"
#include "log.h"
#include "observe.h"
#include "schema/schema.h"
#include "store/store.h"
#include "xmalloc.h"

static void
format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

static void
add_u64(xmlNodePtr parent, const char *name, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST buf);
}

static void
add_datastores(struct session *s, xmlNodePtr state)
{
	xmlNodePtr dss, ds, gl;
	char when[64];
	uint32_t holder;
	time_t since;

	dss = xmlNewChild(state, NULL, BAD_CAST "datastores", NULL);
	for (int i = 0; i < DS_COUNT; i++) {
		ds = xmlNewChild(dss, NULL, BAD_CAST "datastore", NULL);
		xmlNewTextChild(ds, NULL, BAD_CAST "name", BAD_CAST ds_name((enum ds_id)i));
		if (s->store == NULL ||
		    (holder = store_lock_holder(s->store, (enum ds_id)i, &since)) == 0)
			continue;
		format_time(since, when, sizeof(when));
		gl = xmlNewChild(xmlNewChild(ds, NULL, BAD_CAST "locks", NULL), NULL,
		    BAD_CAST "global-lock", NULL);
		add_u64(gl, "locked-by-session", holder);
		xmlNewTextChild(gl, NULL, BAD_CAST "locked-time", BAD_CAST when);
	}
}

static void
add_sessions(struct session *s, xmlNodePtr state)
{
	struct reg_session *list = NULL, own;
	xmlNodePtr ss, e;
	size_t n = 0;
	char when[64];

	ss = xmlNewChild(state, NULL, BAD_CAST "sessions", NULL);
	if (reg_list(s->dd, &list, &n) == -1) {
		log_warnx("session %u: cannot list the sessions", s->id);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct reg_session *r = &list[i];

		if (r->id == s->id) {
			/* Our own counters are newer than our registry entry. */
			own = *r;
			own.in_rpcs = s->in_rpcs;
			own.in_bad_rpcs = s->in_bad_rpcs;
			own.out_rpc_errors = s->out_rpc_errors;
			own.out_notifications = s->out_notifications;
			r = &own;
		}
		e = xmlNewChild(ss, NULL, BAD_CAST "session", NULL);
		add_u64(e, "session-id", r->id);
		xmlNewTextChild(e, NULL, BAD_CAST "transport", BAD_CAST "netconf-ssh");
		xmlNewTextChild(e, NULL, BAD_CAST "username", BAD_CAST r->user);
		if (r->peer[0] != '\0')
			xmlNewTextChild(e, NULL, BAD_CAST "source-host", BAD_CAST r->peer);
		format_time(r->login_time, when, sizeof(when));
		xmlNewTextChild(e, NULL, BAD_CAST "login-time", BAD_CAST when);
		/* zero-based-counter32: wraps at 2^32 */
		add_u64(e, "in-rpcs", r->in_rpcs & 0xffffffffULL);
		add_u64(e, "in-bad-rpcs", r->in_bad_rpcs & 0xffffffffULL);
		add_u64(e, "out-rpc-errors", r->out_rpc_errors & 0xffffffffULL);
		add_u64(e, "out-notifications", r->out_notifications & 0xffffffffULL);
	}
	free(list);
}

static void
add_statistics(struct session *s, xmlNodePtr state)
{
	struct stats st;
	xmlNodePtr e;
	char when[64];

	reg_update(s);	/* this <get> counts too */
	if (reg_stats(s->dd, &st) == -1)
		st.start_time = s->login_time;	/* nothing counted yet */
	e = xmlNewChild(state, NULL, BAD_CAST "statistics", NULL);
	format_time(st.start_time, when, sizeof(when));
	xmlNewTextChild(e, NULL, BAD_CAST "netconf-start-time", BAD_CAST when);
	/* zero-based-counter32: wraps at 2^32 */
	add_u64(e, "in-bad-hellos", st.in_bad_hellos & 0xffffffffULL);
	add_u64(e, "in-sessions", st.in_sessions & 0xffffffffULL);
	add_u64(e, "dropped-sessions", st.dropped_sessions & 0xffffffffULL);
	add_u64(e, "in-rpcs", st.in_rpcs & 0xffffffffULL);
	add_u64(e, "in-bad-rpcs", st.in_bad_rpcs & 0xffffffffULL);
	add_u64(e, "out-rpc-errors", st.out_rpc_errors & 0xffffffffULL);
	add_u64(e, "out-notifications", st.out_notifications & 0xffffffffULL);
}

static int
add_schema(void *arg, const struct schema_module_info *mi)
{
	xmlNodePtr e = xmlNewChild(arg, NULL, BAD_CAST "schema", NULL);

	xmlNewTextChild(e, NULL, BAD_CAST "identifier", BAD_CAST mi->name);
	xmlNewTextChild(e, NULL, BAD_CAST "version", BAD_CAST mi->revision);
	xmlNewTextChild(e, NULL, BAD_CAST "format", BAD_CAST "yang");
	xmlNewTextChild(e, NULL, BAD_CAST "namespace", BAD_CAST mi->ns);
	xmlNewTextChild(e, NULL, BAD_CAST "location", BAD_CAST "NETCONF");
	return 0;
}

/* The state source of netconf-state (netconf/'s table). */
static int
monitoring_collect(struct session *s, xmlNodePtr into)
{
	xmlNodePtr state, caps, schs;
	const char *const *mcaps;
	size_t nmcaps = 0;
	xmlNsPtr ns;
	const char *cap;

	if (s->nc == NULL || s->dd == NULL)
		return -1;
	if ((state = xmlNewChild(into, NULL, BAD_CAST "netconf-state", NULL)) == NULL)
		return -1;
	ns = xmlNewNs(state, BAD_CAST NCM_NS, NULL);
	xmlSetNs(state, ns);

	caps = xmlNewChild(state, NULL, BAD_CAST "capabilities", NULL);
	for (int i = 0; (cap = nc_capability(i)) != NULL; i++)
		xmlNewTextChild(caps, NULL, BAD_CAST "capability", BAD_CAST cap);
	mcaps = s->schema != NULL ? schema_capabilities(s->schema, &nmcaps) : NULL;
	for (size_t i = 0; i < nmcaps; i++)
		xmlNewTextChild(caps, NULL, BAD_CAST "capability", BAD_CAST mcaps[i]);

	add_datastores(s, state);

	schs = xmlNewChild(state, NULL, BAD_CAST "schemas", NULL);
	if (s->schema != NULL && schema_foreach_module(s->schema, add_schema, schs) == -1)
		log_warnx("session %u: no schemas list: %s", s->id,
		    schema_context_error(s->schema));

	add_sessions(s, state);
	add_statistics(s, state);
	return 0;
}

/* 1 when the identityref text names ncm:yang (prefix resolved at node). */
static int
format_is_yang(xmlNodePtr node, const char *text)
{
	const char *colon = strchr(text, ':');
	xmlNsPtr ns;
	char *prefix;

	if (colon == NULL) {
		ns = xmlSearchNs(node->doc, node, NULL);
		return strcmp(text, "yang") == 0 &&
		    (ns == NULL || xmlStrEqual(ns->href, BAD_CAST NCM_NS));
	}
	if (strcmp(colon + 1, "yang") != 0 ||
	    (prefix = xstrndup(text, (size_t)(colon - text))) == NULL)
		return 0;
	ns = xmlSearchNs(node->doc, node, BAD_CAST prefix);
	free(prefix);
	return ns != NULL && xmlStrEqual(ns->href, BAD_CAST NCM_NS);
}

struct schema_match {
	const char	*id;
	const char	*version;	/* NULL: any */
	size_t		 n;
};

static int
count_match(void *arg, const struct schema_module_info *mi)
{
	struct schema_match *m = arg;

	if (strcmp(mi->name, m->id) == 0 &&
	    (m->version == NULL || strcmp(mi->revision, m->version) == 0))
		m->n++;
	return 0;
}

static void
op_get_schema(struct rpc *r)
{
	char *id = NULL, *version = NULL, *format = NULL, *text = NULL;
	xmlNodePtr idn, vn, fn, err, container;
	struct schema_match match;
	xmlDocPtr doc;
	size_t len = 0;

	if ((id = nc_child_text(r->op, NCM_NS, "identifier", &idn)) == NULL) {
		err = rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "get-schema needs an identifier");
		rpc_error_info(err, "bad-element", "identifier");
		goto done;
	}
	version = nc_child_text(r->op, NCM_NS, "version", &vn);
	format = nc_child_text(r->op, NCM_NS, "format", &fn);
	if (format != NULL && !format_is_yang(fn, format)) {
		err = rpc_error(r, ERR_APPLICATION, TAG_INVALID_VALUE, NULL,
		    "nchome serves its schemas in YANG only");
		rpc_error_info(err, "bad-element", "format");
		goto done;
	}
	match.id = id;
	match.version = version;
	match.n = 0;
	if (r->s->schema == NULL ||
	    schema_foreach_module(r->s->schema, count_match, &match) == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "the YANG modules cannot be loaded: %s", r->s->schema != NULL ?
		    schema_context_error(r->s->schema) : "none");
		goto done;
	}
	if (match.n == 0) {
		err = rpc_error(r, ERR_APPLICATION, TAG_INVALID_VALUE, NULL,
		    "no schema %s%s%s", id, version ? " revision " : "",
		    version ? version : "");
		rpc_error_info(err, "bad-element", "identifier");
		goto done;
	}
	if (match.n > 1) {
		/* error-app-tag goes right after error-severity. */
		err = rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, NULL);
		if (err != NULL) {
			xmlNodePtr m;

			xmlNewTextChild(err, err->ns, BAD_CAST "error-app-tag",
			    BAD_CAST "data-not-unique");
			m = xmlNewTextChild(err, err->ns, BAD_CAST "error-message",
			    BAD_CAST "several versions of this schema: name one");
			if (m != NULL)
				xmlNodeSetLang(m, BAD_CAST "en");
		}
		goto done;
	}
	if ((text = schema_module_text(r->s->schema, id, version, &len)) == NULL) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot read schema %s", id);
		goto done;
	}
	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		xoom();
	container = xmlNewNode(NULL, BAD_CAST "data");
	xmlDocSetRootElement(doc, container);
	xmlAddChild(container, xmlNewDocTextLen(doc, BAD_CAST text, (int)len));
	rpc_reply_data(r, container, doc);
	r->data_ns = NCM_NS;
done:
	free(id);
	free(version);
	free(format);
	free(text);
}

/*
 * RFC 8341's state data, /nacm's three counters: host-wide, from the
 * shared statistics like netconf-state's (every session process counts
 * its denials there, stats.c).  <get> merges them into running's nacm
 * container, which is default-deny-all: only sessions that may read
 * /nacm see them.
 */
static int
nacm_collect(struct session *s, xmlNodePtr into)
{
	struct stats st;
	xmlNodePtr e;

	if (s->dd == NULL)
		return 0;
	reg_update(s);	/* this session's denials so far */
	(void)reg_stats(s->dd, &st);	/* -1: no file totals yet, still the sessions' */
	e = xmlNewChild(into, NULL, BAD_CAST "nacm", NULL);
	xmlSetNs(e, xmlNewNs(e, BAD_CAST NACM_NS, NULL));
	/* zero-based-counter32: wraps at 2^32 */
	add_u64(e, "denied-operations", st.denied_operations & 0xffffffffULL);
	add_u64(e, "denied-data-writes", st.denied_data_writes & 0xffffffffULL);
	add_u64(e, "denied-notifications", st.denied_notifications & 0xffffffffULL);
	return 0;
}

void
monitoring_init(void)
{
	if (nc_register_op(NCM_NS, "get-schema", op_get_schema) == -1)
		log_warnx("cannot register get-schema");
	if (nc_add_state_source_for(monitoring_collect, NCM_NS, "netconf-state") == -1)
		log_warnx("cannot register netconf-state");
	if (nc_add_state_source_for(nacm_collect, NACM_NS, "nacm") == -1)
		log_warnx("cannot register the nacm counters");
}
