/*
 * The <hello> exchange.  The server hello goes out first, in
 * end-of-message framing; the client's must be the first message back.
 * RFC 6241 8.1: a client hello carrying a session-id, without a base
 * capability we share, or that is not a hello at all ends the session
 * (no reply: there is no <rpc> to answer).  RFC 6242 4.1: chunked
 * framing starts after the hellos when both carry base:1.1.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "framing.h"
#include "hello.h"
#include "log.h"
#include "rpc.h"
#include "rpc_io.h"

#define MAX_CAPS 48

static const char *caps[MAX_CAPS] = {
	NC_CAP_BASE10,
	NC_CAP_BASE11,
	"urn:ietf:params:netconf:capability:writable-running:1.0",
	"urn:ietf:params:netconf:capability:candidate:1.0",
	"urn:ietf:params:netconf:capability:confirmed-commit:1.1",
	"urn:ietf:params:netconf:capability:validate:1.1",
	"urn:ietf:params:netconf:capability:startup:1.0",
	"urn:ietf:params:netconf:capability:rollback-on-error:1.0",
	"urn:ietf:params:netconf:capability:xpath:1.0",
	"urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring",
};

int
hello_add_capability(const char *uri)
{
	for (int i = 0; i < MAX_CAPS; i++) {
		if (caps[i] != NULL && strcmp(caps[i], uri) == 0)
			return 0;
		if (caps[i] == NULL) {
			caps[i] = uri;
			return 0;
		}
	}
	return -1;
}

const char *
hello_capability(int i)
{
	return i >= 0 && i < MAX_CAPS ? caps[i] : NULL;
}

/* A capability as XML text: module URIs hold '&' ("?module=x&revision=y"). */
static int
write_escaped(struct session *s, const char *text)
{
	size_t n;

	while (*text != '\0') {
		n = strcspn(text, "&<>");
		if (n > 0 && framer_write(s->fr, text, n) == -1)
			return -1;
		text += n;
		if (*text == '\0')
			break;
		if ((*text == '&' && framer_write(s->fr, "&amp;", 5) == -1) ||
		    (*text == '<' && framer_write(s->fr, "&lt;", 4) == -1) ||
		    (*text == '>' && framer_write(s->fr, "&gt;", 4) == -1))
			return -1;
		text++;
	}
	return 0;
}

int
hello_send(struct session *s)
{
	char idbuf[32];

	if (framer_write(s->fr, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<hello xmlns=\"" NC_NS_BASE "\"><capabilities>",
	    sizeof("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<hello xmlns=\"" NC_NS_BASE "\"><capabilities>") - 1) == -1)
		return -1;
	for (int i = 0; i < MAX_CAPS && caps[i] != NULL; i++) {
		if (framer_write(s->fr, "<capability>", 12) == -1 ||
		    write_escaped(s, caps[i]) == -1 ||
		    framer_write(s->fr, "</capability>", 13) == -1)
			return -1;
	}
	snprintf(idbuf, sizeof(idbuf), "%u", s->id);
	if (framer_write(s->fr, "</capabilities><session-id>", 27) == -1 ||
	    framer_write(s->fr, idbuf, strlen(idbuf)) == -1 ||
	    framer_write(s->fr, "</session-id></hello>", 21) == -1)
		return -1;
	return framer_end(s->fr);
}

/* The capability text without surrounding whitespace, compared to uri. */
static int
cap_is(xmlNodePtr cap, const char *uri)
{
	xmlChar *v = xmlNodeGetContent(cap);
	const char *p, *e;
	int match = 0;

	if (v == NULL)
		return 0;
	for (p = (const char *)v; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
		;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	match = (size_t)(e - p) == strlen(uri) && strncmp(p, uri, strlen(uri)) == 0;
	xmlFree(v);
	return match;
}

int
hello_recv(struct session *s, const char *msg, size_t len)
{
	xmlDocPtr doc;
	xmlNodePtr root, capsn;
	char why[256];
	int b10 = 0, b11 = 0;

	if ((doc = nc_parse(msg, len, why, sizeof(why))) == NULL) {
		log_warnx("session %u: bad client hello: %s", s->id, why);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (!nc_is(root, "hello")) {
		log_warnx("session %u: first message is not a <hello>", s->id);
		goto fail;
	}
	if (nc_child(root, "session-id") != NULL) {
		log_warnx("session %u: client hello carries a session-id", s->id);
		goto fail;
	}
	if ((capsn = nc_child(root, "capabilities")) == NULL) {
		log_warnx("session %u: client hello without capabilities", s->id);
		goto fail;
	}
	for (xmlNodePtr c = capsn->children; c != NULL; c = c->next) {
		if (!nc_is(c, "capability"))
			continue;
		if (cap_is(c, NC_CAP_BASE10))
			b10 = 1;
		else if (cap_is(c, NC_CAP_BASE11))
			b11 = 1;
	}
	if (!b10 && !b11) {
		log_warnx("session %u: client hello without a base capability", s->id);
		goto fail;
	}
	xmlFreeDoc(doc);
	if (b11) {
		s->base11 = 1;
		framer_set_chunked(s->fr);
	}
	log_debug("session %u: hello done, base:%s", s->id, b11 ? "1.1" : "1.0");
	return 0;
fail:
	xmlFreeDoc(doc);
	return -1;
}
