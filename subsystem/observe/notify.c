/*
 * RFC 5277 subscriptions to the NETCONF stream (see observe.h); the
 * RFC 6470 events on it are produced by host/events.c, wherever they
 * happen, and reach every subscriber through the host's event log.
 *
 * <create-subscription> on the NETCONF stream (the only one)
 * makes this session follow the log: with inotify on the log's folder on
 * Linux, else a timer that looks every POLL_MS.  The reply goes first;
 * then, with startTime, the stored events since then are replayed and
 * <replayComplete> sent; then live events follow.  With stopTime, the
 * subscription ends with <notificationComplete> when that time comes (at
 * once after the replay when it is already past).  A subtree filter is
 * applied to each event element; events it leaves empty are not sent.
 * A session keeps working normally while subscribed (:interleave).
 *
 * A subscriber stalled long enough for the log to rotate past what it has
 * not read yet (host/notify_log.c) misses those events; RFC 5277 has no way
 * to tell the NMS, so the number missed goes to the log (syslog).
 *
 * <get> also shows RFC 5277 /netconf/streams: the one NETCONF stream,
 * with replay, the log's creation time and, once events have been
 * rotated out, replayLogAgedTime.
 */
#include <sys/stat.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "access/access.h"
#include "host/host.h"
#include "log.h"
#include "observe.h"
#include "tree/tree.h"
#include "xmalloc.h"

#define POLL_MS		500
#define CAP_NOTIFICATION "urn:ietf:params:netconf:capability:notification:1.0"
#define CAP_INTERLEAVE	"urn:ietf:params:netconf:capability:interleave:1.0"

static struct subscription {
	int			 active;
	struct session		*s;
	xmlDocPtr		 filter_doc;	/* copy of the <filter>, or NULL */
	int64_t			 start_us, stop_us;	/* -1: not given */
	struct nlog_reader	 rd;
	int			 watch_fd;	/* inotify, or -1 */
	int			 poll_timer, stop_timer;
	uint64_t		 lost_logged;	/* of rd.lost */
} sub = { .watch_fd = -1 };


/* RFC 3339 date-and-time to microseconds; -1 when malformed. */
static int64_t
parse_datetime(const char *v)
{
	struct tm tm;
	int64_t us = 0, scale = 100000, off = 0;
	const char *p;
	int hh, mm;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return -1;
		for (p++; isdigit((unsigned char)*p); p++) {
			us += (*p - '0') * scale;
			scale /= 10;
		}
	}
	/*
	 * The offset is exactly [+-]HH:MM: sscanf("%2d") would also take a
	 * sign or a blank, so "+-9:-9" would pass as an offset.
	 */
	if (*p == 'Z' || *p == 'z')
		p++;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 &&
	    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    p[3] == ':' && isdigit((unsigned char)p[4]) &&
	    isdigit((unsigned char)p[5])) {
		hh = (p[1] - '0') * 10 + (p[2] - '0');
		mm = (p[4] - '0') * 10 + (p[5] - '0');
		if (hh > 23 || mm > 59)
			return -1;
		off = (int64_t)(hh * 3600 + mm * 60) * (*p == '+' ? 1 : -1);
		p += 6;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	return ((int64_t)timegm(&tm) - off) * 1000000 + us;
}

/* ---- RFC 5277 /netconf/streams ---- */

/* The state source of /netconf/streams; the event log's failure only costs it. */
static int
streams_collect(struct session *s, xmlNodePtr into)
{
	struct nlog_info info;
	xmlNodePtr top, st;
	char t[64];

	if (s->dd == NULL)
		return 0;
	if (nlog_info(s->dd, &info) == -1) {
		log_warnx("session %u: cannot read the event log's state", s->id);
		return 0;
	}
	if ((top = xmlNewChild(into, NULL, BAD_CAST "netconf", NULL)) == NULL)
		return -1;
	xmlSetNs(top, xmlNewNs(top, BAD_CAST NCEVENT_NS, NULL));
	st = xmlNewChild(xmlNewChild(top, NULL, BAD_CAST "streams", NULL), NULL,
	    BAD_CAST "stream", NULL);
	xmlNewTextChild(st, NULL, BAD_CAST "name", BAD_CAST "NETCONF");
	xmlNewTextChild(st, NULL, BAD_CAST "description", BAD_CAST
	    "RFC 6470 events of every NETCONF session on this host");
	xmlNewTextChild(st, NULL, BAD_CAST "replaySupport", BAD_CAST "true");
	nlog_format_us(info.created_us, t, sizeof(t));
	xmlNewTextChild(st, NULL, BAD_CAST "replayLogCreationTime", BAD_CAST t);
	if (info.aged_us != 0) {
		nlog_format_us(info.aged_us, t, sizeof(t));
		xmlNewTextChild(st, NULL, BAD_CAST "replayLogAgedTime", BAD_CAST t);
	}
	return 0;
}

/* ---- consuming: the subscription ---- */

static int
send_text(const char *text, size_t len)
{
	struct session *s = sub.s;

	if (framer_send(s->fr, text, len) == -1)
		return -1;
	s->out_notifications++;
	reg_update(s);
	return 0;
}

/* <replayComplete/> or <notificationComplete/> (nc-notifications). */
static void
send_marker(const char *name)
{
	char t[64], *msg;
	int n;

	nlog_format_us(nlog_now_us(), t, sizeof(t));
	n = xasprintf(&msg, "<notification xmlns=\"%s\"><eventTime>%s</eventTime>"
	    "<%s xmlns=\"%s\"/></notification>", NOTIF_NS, t, name, NCEVENT_NS);
	(void)send_text(msg, (size_t)n);
	free(msg);
}

/* The event element of a notification: its element child that is not eventTime. */
static xmlNodePtr
event_of(xmlNodePtr root)
{
	for (xmlNodePtr c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrEqual(c->name, BAD_CAST "eventTime"))
			return c;
	return NULL;
}

/*
 * NACM on a netconf-config-change's <edit> list: an edit whose target
 * the session may not read goes (nacm_path_readable, the read check of
 * an error-path: the target rebuilt as a bare tree and matched as the
 * rules match data; a target it cannot read fails closed).  0 when
 * every edit stays, 1 when some went, -1 when the event had edits and
 * none is left: it is not sent, so that a subscriber never learns that
 * data it may not read changed.
 */
static int
prune_edits(const struct nacm_session *v, xmlNodePtr ev)
{
	xmlNodePtr ed, next, t;
	int had = 0, kept = 0;
	xmlChar *target;

	if (!xmlStrEqual(ev->name, BAD_CAST "netconf-config-change"))
		return 0;
	for (ed = ev->children; ed != NULL; ed = next) {
		next = ed->next;
		if (ed->type != XML_ELEMENT_NODE || !xmlStrEqual(ed->name, BAD_CAST "edit"))
			continue;
		had++;
		for (t = ed->children; t != NULL; t = t->next)
			if (t->type == XML_ELEMENT_NODE && xmlStrEqual(t->name, BAD_CAST "target"))
				break;
		target = t != NULL ? xmlNodeGetContent(t) : NULL;
		if (target != NULL && nacm_path_readable(v, t, (const char *)target) == 1)
			kept++;
		else {
			xmlUnlinkNode(ed);
			xmlFreeNode(ed);
		}
		xmlFree(target);
	}
	return kept == had ? 0 : kept == 0 ? -1 : 1;
}

/*
 * Sends one logged event if it is in the window, NACM lets the session
 * read it (RFC 8341 3.4.6: notification-name rules, read-default; a
 * dropped one counts in denied-notifications) and it passes the filter.
 * The view is brought up to running's rules before each look at the
 * log (on_change), not only at the session's RPCs.  A netconf-config-
 * change keeps only the edits whose targets the session may read
 * (prune_edits).
 */
static void
deliver(int64_t when, const char *xml, size_t len, void *arg)
{
	const struct nacm_session *v = sub.s->nacm_view;
	int nacm = v != NULL && !nacm_bypassed(v);
	xmlDocPtr doc, outdoc;
	xmlNodePtr root, out, c, next, ev;
	xmlBufferPtr b;
	int pruned = 0;

	(void)arg;
	if (!sub.active || (sub.start_us >= 0 && when < sub.start_us) ||
	    (sub.stop_us >= 0 && when > sub.stop_us))
		return;
	if (sub.filter_doc == NULL && !nacm) {
		(void)send_text(xml, len);
		return;
	}
	/*
	 * Every session's user can append to the shared log, and one_line()
	 * never writes a DOCTYPE: a record with one is not ours to parse.
	 */
	if (len > NLOG_RECORD_MAX || memmem(xml, len, "<!DOCTYPE", 9) != NULL)
		return;
	doc = xmlReadMemory(xml, (int)len, "event", "UTF-8", XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
		xmlFreeDoc(doc);
		return;
	}
	if (nacm && ((ev = event_of(root)) == NULL || !nacm_event_allowed(v, ev))) {
		xmlFreeDoc(doc);
		reg_update(sub.s);	/* denied-notifications reaches the host's counters */
		return;
	}
	if (nacm && (pruned = prune_edits(v, ev)) == -1) {
		xmlFreeDoc(doc);
		return;
	}
	if (sub.filter_doc == NULL) {
		if (pruned && (b = xmlBufferCreate()) != NULL) {
			xmlNodeDump(b, doc, root, 0, 0);
			(void)send_text((const char *)xmlBufferContent(b),
			    (size_t)xmlBufferLength(b));
			xmlBufferFree(b);
		} else if (!pruned)
			(void)send_text(xml, len);
		xmlFreeDoc(doc);
		return;
	}
	outdoc = xmlNewDoc(BAD_CAST "1.0");
	out = xmlNewNode(NULL, BAD_CAST "out");
	xmlDocSetRootElement(outdoc, out);
	/* no schema for event content: list entries keyed schema-less (replykeys.c) */
	filter_subtree(NULL, xmlDocGetRootElement(sub.filter_doc), root, out);
	for (c = out->children; c != NULL && c->type != XML_ELEMENT_NODE; c = c->next)
		;
	if (c != NULL) {
		/* keep eventTime, replace the event by what the filter selected */
		for (c = root->children; c != NULL; c = next) {
			next = c->next;
			if (c->type == XML_ELEMENT_NODE &&
			    !xmlStrEqual(c->name, BAD_CAST "eventTime")) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
			}
		}
		for (c = out->children; c != NULL; c = c->next)
			xmlAddChild(root, xmlDocCopyNode(c, doc, 1));
		if ((b = xmlBufferCreate()) != NULL) {
			xmlNodeDump(b, doc, root, 0, 0);
			(void)send_text((const char *)xmlBufferContent(b),
			    (size_t)xmlBufferLength(b));
			xmlBufferFree(b);
		}
	}
	xmlFreeDoc(outdoc);
	xmlFreeDoc(doc);
}

static void
sub_end(void)
{
	if (sub.watch_fd != -1) {
		ml_remove_fd(sub.watch_fd);
		close(sub.watch_fd);
		sub.watch_fd = -1;
	}
	if (sub.poll_timer > 0)
		ml_cancel_timer(sub.poll_timer);
	if (sub.stop_timer > 0)
		ml_cancel_timer(sub.stop_timer);
	sub.poll_timer = sub.stop_timer = 0;
	nlog_reader_close(&sub.rd);
	sub.lost_logged = 0;
	xmlFreeDoc(sub.filter_doc);
	sub.filter_doc = NULL;
	sub.active = 0;
}

static void poll_cb(void *);

static void
on_change(void)
{
	/*
	 * The rules as they are now: a subscriber sends no RPC, and a rule
	 * root adds must stop the next notification (RFC 8341 3.4.6).  When
	 * they cannot be read, nothing goes out: the events stay in the log
	 * for the next look.
	 */
	if (sub.s->nacm_refresh != NULL && sub.s->nacm_refresh(sub.s) == -1) {
		if (sub.poll_timer == 0)
			sub.poll_timer = ml_add_timer(POLL_MS, poll_cb, NULL);
		return;
	}
	nlog_reader_poll(&sub.rd, deliver, NULL);
	/* RFC 5277 has no "events lost" notification: say it in the log. */
	if (sub.rd.lost > sub.lost_logged) {
		log_warnx("session %u: subscriber fell behind the event log: %llu "
		    "events rotated out before it read them (%llu in all)",
		    sub.s->id, (unsigned long long)(sub.rd.lost - sub.lost_logged),
		    (unsigned long long)sub.rd.lost);
		sub.lost_logged = sub.rd.lost;
	}
}

#ifdef __linux__
static void
watch_cb(int fd, void *arg)
{
	char buf[4096];

	(void)arg;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	on_change();
}
#endif

static void
poll_cb(void *arg)
{
	(void)arg;
	sub.poll_timer = 0;
	if (!sub.active)
		return;
	on_change();
	if (sub.watch_fd == -1 && sub.poll_timer == 0)
		sub.poll_timer = ml_add_timer(POLL_MS, poll_cb, NULL);
}

static void
stop_cb(void *arg)
{
	(void)arg;
	sub.stop_timer = 0;
	if (!sub.active)
		return;
	on_change();
	send_marker("notificationComplete");
	sub_end();
}

/* Starts following the log (after the reply went out). */
static void
start_cb(void *arg)
{
	char dir[PATH_MAX];
	int64_t left;

	(void)arg;
	if (!sub.active)
		return;
	if (sub.start_us >= 0) {
		nlog_replay(&sub.rd, deliver, NULL);
		send_marker("replayComplete");
	}
	if (sub.stop_us >= 0 && (left = sub.stop_us - nlog_now_us()) <= 0) {
		send_marker("notificationComplete");
		sub_end();
		return;
	}
	if (sub.stop_us >= 0)
		sub.stop_timer = ml_add_timer((long)(left / 1000) + 1, stop_cb, NULL);
#ifdef __linux__
	if (dsdir_fd(sub.s->dd, DSD_NOTIFY) != -1 &&
	    dsdir_full_path(sub.s->dd, DSD_NOTIFY, NULL, dir, sizeof(dir))[0] != '\0' &&
	    (sub.watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) != -1) {
		if (inotify_add_watch(sub.watch_fd, dir, IN_MODIFY | IN_CREATE |
		    IN_MOVED_TO) == -1 || ml_add_fd(sub.watch_fd, watch_cb, NULL) == -1) {
			close(sub.watch_fd);
			sub.watch_fd = -1;
		}
	}
#else
	(void)dir;
#endif
	/* Catch what came between the replay and the watch. */
	on_change();
	if (sub.watch_fd == -1 && sub.poll_timer == 0)
		sub.poll_timer = ml_add_timer(POLL_MS, poll_cb, NULL);
}

static void
bad(struct rpc *r, const char *tag, const char *elem, const char *msg)
{
	xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, tag, NULL, "%s", msg);

	rpc_error_info(e, "bad-element", elem);
}

static void
op_create_subscription(struct rpc *r)
{
	xmlNodePtr n, filter;
	char *stream = NULL, *start = NULL, *stop = NULL;
	int64_t start_us = -1, stop_us = -1;
	xmlChar *type = NULL;

	if (sub.active) {
		rpc_error(r, ERR_PROTOCOL, TAG_IN_USE, NULL,
		    "this session already has a subscription");
		return;
	}
	stream = nc_child_text(r->op, NOTIF_NS, "stream", &n);
	if (stream != NULL && strcmp(stream, "NETCONF") != 0) {
		bad(r, TAG_INVALID_VALUE, "stream", "the only stream is NETCONF");
		goto out;
	}
	start = nc_child_text(r->op, NOTIF_NS, "startTime", &n);
	if (start != NULL && (start_us = parse_datetime(start)) < 0) {
		bad(r, TAG_BAD_ELEMENT, "startTime", "startTime is not a date-and-time");
		goto out;
	}
	if (start_us > nlog_now_us()) {
		bad(r, TAG_BAD_ELEMENT, "startTime", "startTime is in the future");
		goto out;
	}
	stop = nc_child_text(r->op, NOTIF_NS, "stopTime", &n);
	if (stop != NULL && (stop_us = parse_datetime(stop)) < 0) {
		bad(r, TAG_BAD_ELEMENT, "stopTime", "stopTime is not a date-and-time");
		goto out;
	}
	if (stop != NULL && start == NULL) {
		bad(r, TAG_MISSING_ELEMENT, "startTime", "stopTime needs a startTime");
		goto out;
	}
	if (stop_us >= 0 && stop_us < start_us) {
		bad(r, TAG_BAD_ELEMENT, "stopTime", "stopTime is before startTime");
		goto out;
	}
	free(nc_child_text(r->op, NOTIF_NS, "filter", &filter));
	if (filter != NULL) {
		type = xmlGetProp(filter, BAD_CAST "type");
		if (type != NULL && !xmlStrEqual(type, BAD_CAST "subtree")) {
			rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
			    "notification filters are subtree filters");
			goto out;
		}
		if ((sub.filter_doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
			goto out;
		xmlDocSetRootElement(sub.filter_doc, xmlDocCopyNode(filter, sub.filter_doc, 1));
	}
	sub.active = 1;
	sub.s = r->s;
	sub.start_us = start_us;
	sub.stop_us = stop_us;
	nlog_reader_init(&sub.rd, r->s->dd);
	/*
	 * Live events count from now, before the reply goes out: a client
	 * that acts on the reply at once must see its own consequences.
	 */
	if (start_us < 0)
		(void)nlog_reader_open(&sub.rd, 1);
	if (ml_add_timer(0, start_cb, NULL) == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_RESOURCE_DENIED, NULL, "no timer left");
		sub_end();
	}
out:
	xmlFree(type);
	free(stream);
	free(start);
	free(stop);
}

void
notify_session_stop(struct session *s)
{
	(void)s;
	if (sub.active)
		sub_end();
}

void
notify_init(void)
{
	if (nc_register_op(NOTIF_NS, "create-subscription", op_create_subscription) == -1)
		log_warnx("cannot register create-subscription");
	if (nc_add_state_source(streams_collect) == -1)
		log_warnx("cannot register /netconf/streams");
	(void)nc_add_capability(CAP_NOTIFICATION);
	(void)nc_add_capability(CAP_INTERLEAVE);
}
