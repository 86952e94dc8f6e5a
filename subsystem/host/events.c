/*
 * Producing the RFC 6470 events (see host.h): an event is built as a
 * whole <notification> (eventTime plus the event element) and appended
 * to the host's event log (notify_log.c) by whichever process caused it;
 * the subscribers (observe/notify.c) read it from there.  Every layer
 * that causes an event calls down to here, none calls observe/.
 *
 * netconf-session-end carries killed-by when kill-session ended the
 * session (the killer's id comes with its SIGTERM, see main.c).
 *
 * netconf-config-change carries the <edit> list its caller summed up
 * (tree/edit_report.c): each target with the namespace declarations
 * its prefixes need, on the <target> element itself, so a subscriber's
 * NACM check (observe/notify.c) reads it alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "xmalloc.h"
#include "host.h"
#include "log.h"
#include "tree/tree.h"

static void
session_parms(xmlNodePtr ev, const struct session *s)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", (unsigned)s->id);
	xmlNewTextChild(ev, NULL, BAD_CAST "username", BAD_CAST (s->user ? s->user : ""));
	xmlNewTextChild(ev, NULL, BAD_CAST "session-id", BAD_CAST id);
	if (s->peer != NULL && s->peer[0] != '\0')
		xmlNewTextChild(ev, NULL, BAD_CAST "source-host", BAD_CAST s->peer);
}

/* A new <notification> document with eventTime and an event element named name. */
static xmlDocPtr
event_new(const char *name, int64_t when, xmlNodePtr *ev)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root;
	char t[64];

	if (doc == NULL)
		return NULL;
	root = xmlNewNode(NULL, BAD_CAST "notification");
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, BAD_CAST NOTIF_NS, NULL));
	nlog_format_us(when, t, sizeof(t));
	xmlNewTextChild(root, root->ns, BAD_CAST "eventTime", BAD_CAST t);
	*ev = xmlNewChild(root, NULL, BAD_CAST name, NULL);
	xmlSetNs(*ev, xmlNewNs(*ev, BAD_CAST NCN_NS, NULL));
	return doc;
}

/* Serializes doc on one line (newlines as character references). */
static char *
one_line(xmlDocPtr doc, size_t *lenp)
{
	xmlBufferPtr b = xmlBufferCreate();
	const char *c;
	char *out, *o;
	size_t n = 0;

	if (b == NULL)
		return NULL;
	xmlNodeDump(b, doc, xmlDocGetRootElement(doc), 0, 0);
	c = (const char *)xmlBufferContent(b);
	for (const char *p = c; *p; p++)
		n += *p == '\n' ? 5 : 1;
	out = xmalloc(n + 1);
	for (o = out; *c; c++) {
		if (*c == '\n') {
			memcpy(o, "&#10;", 5);
			o += 5;
		} else
			*o++ = *c;
	}
	*o = '\0';
	*lenp = n;
	xmlBufferFree(b);
	return out;
}

static void
event_emit(struct dsdir *dd, const struct session *by, xmlDocPtr doc, int64_t when)
{
	char *line;
	size_t len = 0;

	if (doc == NULL)
		return;
	if ((line = one_line(doc, &len)) != NULL && len < NLOG_RECORD_MAX &&
	    nlog_append(dd, when, line, len) == -1)
		log_warnx("session %u: cannot log a notification", by != NULL ? by->id : 0);
	free(line);
	xmlFreeDoc(doc);
}

/*
 * An event built and serialized that goes nowhere, after our hello: the
 * session-start logged when the client's hello comes (just before its
 * first request) then finds libxml2's tree and serializer code paged in
 * and bound.  The event's time is taken when it happens, so it is not
 * built ahead.  0, or -1 when it could not be built.
 */
int
event_prepare(void)
{
	xmlNodePtr ev;
	xmlDocPtr doc = event_new("netconf-session-start", nlog_now_us(), &ev);
	char *line;
	size_t len = 0;
	int rc;

	if (doc == NULL)
		return -1;
	xmlNewTextChild(ev, NULL, BAD_CAST "username", BAD_CAST "");
	line = one_line(doc, &len);
	rc = line != NULL && len > 0 ? 0 : -1;
	xmlFreeDoc(doc);
	free(line);
	return rc;
}

void
event_session_start(struct dsdir *dd, const struct session *s)
{
	int64_t when = nlog_now_us();
	xmlNodePtr ev;
	xmlDocPtr doc = event_new("netconf-session-start", when, &ev);

	if (doc != NULL)
		session_parms(ev, s);
	event_emit(dd, s, doc, when);
}

void
event_session_end(struct dsdir *dd, const struct session *s, const char *reason,
    uint32_t killed_by)
{
	int64_t when = nlog_now_us();
	xmlNodePtr ev;
	xmlDocPtr doc = event_new("netconf-session-end", when, &ev);
	char id[16];

	if (doc != NULL) {
		session_parms(ev, s);
		if (killed_by != 0) {
			snprintf(id, sizeof(id), "%u", (unsigned)killed_by);
			xmlNewTextChild(ev, NULL, BAD_CAST "killed-by", BAD_CAST id);
		}
		xmlNewTextChild(ev, NULL, BAD_CAST "termination-reason", BAD_CAST reason);
	}
	event_emit(dd, s, doc, when);
}

/*
 * 1 when the <edit> list of edits, escaped at worst (6 bytes a byte,
 * &quot;), takes at most half an event log record: the rest of the
 * event always fits.
 */
static int
edits_fit(const struct cfg_edits *edits)
{
	size_t n = 0;

	for (size_t i = 0; i < edits->n; i++) {
		n += 96 + 6 * strlen(edits->e[i].target);
		for (size_t j = 0; j < 2 * edits->e[i].ndecl; j++)
			n += 16 + 6 * strlen(edits->e[i].decl[j]);
	}
	return n <= NLOG_RECORD_MAX / 2;
}

/* The <edit> entries of edits into ev (none when over its bound or too big). */
static void
edit_list(xmlNodePtr ev, const struct cfg_edits *edits)
{
	xmlNodePtr ed, t;

	if (edits == NULL || edits->over || !edits_fit(edits))
		return;
	for (size_t i = 0; i < edits->n; i++) {
		const struct cfg_edit *e = &edits->e[i];

		ed = xmlNewChild(ev, NULL, BAD_CAST "edit", NULL);
		t = xmlNewTextChild(ed, NULL, BAD_CAST "target", BAD_CAST e->target);
		for (size_t j = 0; j < e->ndecl; j++)
			xmlNewNs(t, BAD_CAST e->decl[2 * j + 1], BAD_CAST e->decl[2 * j]);
		xmlNewTextChild(ed, NULL, BAD_CAST "operation", BAD_CAST cfg_op_name(e->op));
	}
}

void
event_config_change(struct dsdir *dd, const struct session *s, const char *datastore,
    const struct cfg_edits *edits)
{
	int64_t when = nlog_now_us();
	xmlNodePtr ev, by;
	xmlDocPtr doc;

	if (strcmp(datastore, "running") != 0 && strcmp(datastore, "startup") != 0)
		return;
	if ((doc = event_new("netconf-config-change", when, &ev)) != NULL) {
		by = xmlNewChild(ev, NULL, BAD_CAST "changed-by", NULL);
		if (s == NULL)
			xmlNewChild(by, NULL, BAD_CAST "server", NULL);
		else
			session_parms(by, s);
		xmlNewTextChild(ev, NULL, BAD_CAST "datastore", BAD_CAST datastore);
		edit_list(ev, edits);
	}
	event_emit(dd, s, doc, when);
}

void
event_confirmed_commit(struct dsdir *dd, const struct session *s, const char *event,
    unsigned long timeout)
{
	int64_t when = nlog_now_us();
	xmlNodePtr ev;
	xmlDocPtr doc;
	char t[32];

	if ((doc = event_new("netconf-confirmed-commit", when, &ev)) != NULL) {
		if (s != NULL)
			session_parms(ev, s);
		xmlNewTextChild(ev, NULL, BAD_CAST "confirm-event", BAD_CAST event);
		if (strcmp(event, "start") == 0 || strcmp(event, "extend") == 0) {
			snprintf(t, sizeof(t), "%lu", timeout);
			xmlNewTextChild(ev, NULL, BAD_CAST "timeout", BAD_CAST t);
		}
	}
	event_emit(dd, s, doc, when);
}
