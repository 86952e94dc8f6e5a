/*
 * Reading what the client sends: the hardened parser for untrusted XML,
 * the element helpers every operation uses, and the cleaner that makes
 * quoted text fit for a reply.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "netconf.h"
#include "xmalloc.h"

/* SAX hook: a DOCTYPE stops the parser before its internal subset. */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name; (void)ext; (void)sys;
	ctxt->_private = (void *)1;
	xmlStopParser(ctxt);
}

/* The message as the parser's input, read in place (no copy of it). */
struct mem_reader {
	const char	*p;
	size_t		 left;
	const char	*unspent;	/* spending: pages from here are kept */
};

/* Pages given back at a time: a 10 MB message costs 40 madvise calls. */
#define SPEND_STEP	(256 * 1024)

/*
 * Gives back the whole pages of a spent message that the parser has read,
 * so the tree it builds can reuse them.  A page that holds an unread byte,
 * or a byte before the message, is kept.
 */
static void
spend_read_pages(struct mem_reader *m)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), from, to;

	from = ((uintptr_t)m->unspent + page - 1) & ~(page - 1);
	to = (uintptr_t)m->p & ~(page - 1);
	if (to <= from || to - from < SPEND_STEP)
		return;
	/* only memory use depends on it: a failure keeps the pages */
	(void)madvise((void *)from, to - from, MADV_DONTNEED);
	m->unspent = (const char *)to;
}

static int
mem_read(void *ctx, char *buf, int len)
{
	struct mem_reader *m = ctx;
	size_t n = len > 0 ? (size_t)len : 0;

	if (n > m->left)
		n = m->left;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	if (m->unspent != NULL)
		spend_read_pages(m);
	return (int)n;
}

static xmlDocPtr
parse_reader(struct mem_reader *mr, void (*setup)(xmlParserCtxtPtr),
    char *why, size_t whylen)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	const xmlError *e;

	/* Whitespace before the XML declaration would make it an error. */
	while (mr->left > 0 && (*mr->p == ' ' || *mr->p == '\t' ||
	    *mr->p == '\r' || *mr->p == '\n')) {
		mr->p++;
		mr->left--;
	}
	if (mr->left > INT32_MAX) {
		snprintf(why, whylen, "message too large to parse");
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	ctxt->sax->internalSubset = refuse_doctype;
	ctxt->_private = NULL;
	if (setup != NULL)
		setup(ctxt);
	/*
	 * Never NOENT, never DTDLOAD; the encoding is forced to UTF-8.  Read
	 * through a callback: xmlCtxtReadMemory would first copy the whole
	 * message (10 MB for a bulk edit) into the parser's own buffer.
	 */
	doc = xmlCtxtReadIO(ctxt, mem_read, NULL, mr, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (ctxt->_private != NULL) {
		snprintf(why, whylen, "DOCTYPE not allowed");
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		e = xmlCtxtGetLastError(ctxt);
		snprintf(why, whylen, "not well-formed XML%s%.200s",
		    e != NULL && e->message != NULL ? ": " : "",
		    e != NULL && e->message != NULL ? e->message : "");
		/* libxml2 messages end in a newline */
		if (strlen(why) > 0 && why[strlen(why) - 1] == '\n')
			why[strlen(why) - 1] = '\0';
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc->intSubset != NULL || doc->extSubset != NULL ||
	    xmlDocGetRootElement(doc) == NULL) {
		snprintf(why, whylen, "DOCTYPE not allowed");
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

xmlDocPtr
nc_parse_with(const char *buf, size_t len, void (*setup)(xmlParserCtxtPtr),
    char *why, size_t whylen)
{
	struct mem_reader mr = { .p = buf, .left = len, .unspent = NULL };

	return parse_reader(&mr, setup, why, whylen);
}

xmlDocPtr
nc_parse_spending(char *buf, size_t len, void (*setup)(xmlParserCtxtPtr),
    char *why, size_t whylen)
{
	struct mem_reader mr = { .p = buf, .left = len, .unspent = buf };

	return parse_reader(&mr, setup, why, whylen);
}

xmlDocPtr
nc_parse(const char *buf, size_t len, char *why, size_t whylen)
{
	return nc_parse_with(buf, len, NULL, why, whylen);
}

int
nc_is(const xmlNode *node, const char *name)
{
	return node != NULL && node->type == XML_ELEMENT_NODE &&
	    node->ns != NULL && node->ns->href != NULL &&
	    strcmp((const char *)node->ns->href, NC_NS_BASE) == 0 &&
	    strcmp((const char *)node->name, name) == 0;
}

xmlNodePtr
nc_child(const xmlNode *parent, const char *name)
{
	if (parent == NULL)
		return NULL;
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
		if (nc_is(c, name))
			return c;
	return NULL;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *
nc_text(const xmlNode *n)
{
	const char *p, *e;
	xmlChar *t;
	char *v;

	if ((t = xmlNodeGetContent(n)) == NULL)
		return xstrdup("");
	for (p = (const char *)t; is_space(*p); p++)
		;
	for (e = p + strlen(p); e > p && is_space(e[-1]); e--)
		;
	v = xstrndup(p, (size_t)(e - p));
	xmlFree(t);
	return v;
}

char *
nc_child_text(const xmlNode *parent, const char *ns, const char *name,
    xmlNodePtr *node)
{
	*node = NULL;
	if (parent == NULL)
		return NULL;
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    !xmlStrEqual(c->name, BAD_CAST name) ||
		    (ns != NULL && (c->ns == NULL || !xmlStrEqual(c->ns->href, BAD_CAST ns))))
			continue;
		*node = c;
		return nc_text(c);
	}
	return NULL;
}

const char *
rpc_param(struct rpc *r, const char *name, char *buf, size_t len)
{
	xmlNodePtr c;
	char *v;

	if (len == 0 || (v = nc_child_text(r->op, NC_NS_BASE, name, &c)) == NULL)
		return NULL;
	snprintf(buf, len, "%s", v);
	free(v);
	return buf;
}

/*
 * Error messages quote what the client sent (libxml2's own messages do),
 * hooks print what they like, and vsnprintf may cut a sequence in two;
 * any of these would make the whole reply unparsable for the client.
 */
void
nc_text_clean(char *text)
{
	unsigned char *p = (unsigned char *)text;

	while (*p != '\0') {
		unsigned c = *p, need, cp, i;

		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				*p = '?';
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			*p++ = '?';
			continue;
		}
		for (i = 1; i <= need && (p[i] & 0xc0) == 0x80; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		if (i <= need ||			/* cut short */
		    (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||	/* overlong */
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp == 0xfffe || cp == 0xffff) {
			*p++ = '?';
			continue;
		}
		p += need + 1;
	}
}
