/*
 * State providers, one of the sources of state data for <get> (the
 * others, registered beside it in netconf/'s table, are RFC 6022
 * netconf-state and RFC 5277 /netconf/streams, observe/): the output of
 * each executable in state-providers (name order, as commit hooks), run as
 * `provider` with NCHOME_SESSION_ID and NCHOME_USER set, stdin from
 * /dev/null and a timeout (NCHOME_STATE_TIMEOUT seconds, default 10).
 *
 * A provider prints zero or more XML elements (an XML declaration first
 * is allowed), e.g. <system-state xmlns="urn:ietf:...:ietf-system">...
 * They are parsed as the content of a wrapper element, so no DOCTYPE and
 * no entity but the predefined ones can appear, and nothing is ever
 * fetched (XML_PARSE_NONET).  A provider that fails, times out, prints
 * more than STATE_OUT_MAX bytes or prints something that is not XML
 * elements is skipped with a log line; the reply still comes.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "host.h"
#include "log.h"
#include "xmalloc.h"

#define STATE_TIMEOUT_MS	10000
#define STATE_OUT_MAX		(16 * 1024 * 1024)
#define STATE_ERR_MAX		4096

#define WRAP_OPEN	"<nchome-state>"
#define WRAP_CLOSE	"</nchome-state>"

/* Skips a byte order mark, leading white space and an XML declaration. */
static const char *
skip_prolog(const char *p, const char *end)
{
	const char *q;

	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (end - p >= 5 && memcmp(p, "<?xml", 5) == 0 &&
	    (end - p == 5 || p[5] == ' ' || p[5] == '\t' || p[5] == '\r' ||
	    p[5] == '\n')) {
		for (q = p + 5; q + 1 < end; q++)
			if (q[0] == '?' && q[1] == '>')
				return q + 2;
		return p;	/* unterminated: let the parser complain */
	}
	return p;
}

static int
only_space(const xmlChar *t)
{
	for (; t != NULL && *t != '\0'; t++)
		if (*t != ' ' && *t != '\t' && *t != '\r' && *t != '\n')
			return 0;
	return 1;
}

/*
 * Parses a provider's output as a sequence of elements; returns the
 * wrapper document, or NULL with why set.
 */
static xmlDocPtr
state_parse_output(const char *out, size_t len, const char **why)
{
	const char *end, *p;
	size_t n, wo = strlen(WRAP_OPEN), wc = strlen(WRAP_CLOSE);
	char *buf;
	xmlDocPtr doc;
	xmlNodePtr root;

	/* A provider that wrote nothing has no buffer; memchr() wants one. */
	if (out == NULL) {
		out = "";
		len = 0;
	}
	end = out + len;
	p = skip_prolog(out, end);
	n = (size_t)(end - p);
	if (memchr(p, '\0', n) != NULL) {
		*why = "output holds a NUL byte";
		return NULL;
	}
	buf = xmalloc(wo + n + wc);
	memcpy(buf, WRAP_OPEN, wo);
	if (n > 0)
		memcpy(buf + wo, p, n);
	memcpy(buf + wo + n, WRAP_CLOSE, wc);
	doc = xmlReadMemory(buf, (int)(wo + n + wc), "state-provider", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_NOCDATA);
	free(buf);
	if (doc == NULL) {
		*why = "output is not well-formed XML";
		return NULL;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL ||
	    (root = xmlDocGetRootElement(doc)) == NULL) {
		*why = "output has a DOCTYPE";
		xmlFreeDoc(doc);
		return NULL;
	}
	for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE || c->type == XML_COMMENT_NODE ||
		    c->type == XML_PI_NODE)
			continue;
		if (c->type == XML_TEXT_NODE && only_space(c->content))
			continue;
		*why = "output holds text or entities outside elements";
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* Copies the wrapper's element children under into; the count copied. */
static int
graft(xmlDocPtr doc, xmlNodePtr into)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), copy;
	int n = 0;

	for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if ((copy = xmlDocCopyNode(c, into->doc, 1)) == NULL)
			continue;
		if (xmlAddChild(into, copy) == NULL) {
			xmlFreeNode(copy);
			continue;
		}
		n++;
	}
	return n;
}

static void
run_provider(struct session *s, const char *path, const char *name,
    xmlNodePtr into, int timeout_ms)
{
	struct prog_result res;
	char e_sid[64], e_user[512], how[128];
	char *argv[2], *env[3];
	const char *why = NULL;
	xmlDocPtr doc;

	snprintf(e_sid, sizeof(e_sid), "NCHOME_SESSION_ID=%u", (unsigned)s->id);
	snprintf(e_user, sizeof(e_user), "NCHOME_USER=%s",
	    s->user != NULL ? s->user : "");
	env[0] = e_sid;
	env[1] = e_user;
	env[2] = NULL;
	argv[0] = (char *)name;
	argv[1] = NULL;
	if (prog_run(path, argv, env, timeout_ms, STATE_OUT_MAX, STATE_ERR_MAX,
	    &res) == -1) {
		log_warnx("state provider %s skipped: cannot run it", name);
		return;
	}
	if (!prog_succeeded(&res)) {
		prog_describe(&res, timeout_ms, how, sizeof(how));
		log_warnx("state provider %s skipped: %s%s%.512s", name, how,
		    res.err != NULL && *res.err ? ": " : "",
		    res.err != NULL ? res.err : "");
	} else if (res.out_truncated) {
		log_warnx("state provider %s skipped: output larger than %d bytes",
		    name, STATE_OUT_MAX);
	} else if ((doc = state_parse_output(res.out, res.outlen, &why)) == NULL) {
		log_warnx("state provider %s skipped: %s", name, why);
	} else {
		graft(doc, into);
		xmlFreeDoc(doc);
	}
	prog_result_free(&res);
}

int
providers_collect(struct session *s, xmlNodePtr into)
{
	struct progdir pd;
	int timeout_ms;

	if (s->nc == NULL)
		return 0;
	if (progdir_list(s->nc->state_providers, &pd) == -1)
		return -1;
	timeout_ms = prog_timeout_from_env("NCHOME_STATE_TIMEOUT", STATE_TIMEOUT_MS);
	for (size_t i = 0; i < pd.n; i++)
		run_provider(s, pd.paths[i], pd.names[i], into, timeout_ms);
	progdir_free(&pd);
	return 0;
}
