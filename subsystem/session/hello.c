/*
 * The <hello> exchange.  The server hello goes out first, in
 * end-of-message framing; the client's must be the first message back.
 * RFC 6241 8.1: a client hello carrying a session-id, without a base
 * capability we share, or that is not a hello at all ends the session
 * (no reply: there is no <rpc> to answer).  RFC 6242 4.1: chunked
 * framing starts after the hellos when both carry base:1.1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "log.h"
#include "schema/schema.h"
#include "session.h"

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
	const char *cap;
	const char *const *mcaps;
	size_t nmcaps = 0;
	char idbuf[32];

	if (framer_write(s->fr, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<hello xmlns=\"" NC_NS_BASE "\"><capabilities>",
	    sizeof("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<hello xmlns=\"" NC_NS_BASE "\"><capabilities>") - 1) == -1)
		return -1;
	for (int i = 0; (cap = nc_capability(i)) != NULL; i++) {
		if (framer_write(s->fr, "<capability>", 12) == -1 ||
		    write_escaped(s, cap) == -1 ||
		    framer_write(s->fr, "</capability>", 13) == -1)
			return -1;
	}
	/* the modules (schema/: from the scan, no libyang context) */
	mcaps = s->schema != NULL ? schema_capabilities(s->schema, &nmcaps) : NULL;
	for (size_t i = 0; i < nmcaps; i++) {
		if (framer_write(s->fr, "<capability>", 12) == -1 ||
		    write_escaped(s, mcaps[i]) == -1 ||
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

/*
 * A client hello as hello_recv sees it, parsed once after our hello while
 * the client's is still on its way: the parser's code is paged in and its
 * symbols bound then, not in the first request's time (0.2 ms of it).
 */
int
hello_recv_prepare(void)
{
	static const char hello[] = "<hello xmlns=\"" NC_NS_BASE "\"><capabilities>"
	    "<capability>" NC_CAP_BASE11 "</capability></capabilities></hello>";
	xmlDocPtr doc;
	char why[256];
	int rc;

	if ((doc = nc_parse(hello, sizeof(hello) - 1, why, sizeof(why))) == NULL)
		return -1;
	rc = nc_child(xmlDocGetRootElement(doc), "capabilities") != NULL ? 0 : -1;
	xmlFreeDoc(doc);
	return rc;
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
		char *v;

		if (!nc_is(c, "capability"))
			continue;
		v = nc_text(c);		/* without surrounding white space */
		if (strcmp(v, NC_CAP_BASE10) == 0)
			b10 = 1;
		else if (strcmp(v, NC_CAP_BASE11) == 0)
			b11 = 1;
		free(v);
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
