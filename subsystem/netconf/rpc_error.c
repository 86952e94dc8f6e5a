/*
 * Building the parts of a reply that handlers produce: <rpc-error>
 * elements (RFC 6241 Appendix A) and the data to send.  The reply itself
 * is written by rpc.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"

static const char *const err_type_names[] = {
	"transport", "rpc", "protocol", "application"
};

/*
 * Makes text fit for an XML reply, in place: every byte that is not part
 * of a well-formed UTF-8 sequence of an XML 1.0 character becomes '?'.
 * Error messages quote what the client sent (libxml2's own messages do)
 * and vsnprintf may cut a sequence in two; either would make the whole
 * reply unparsable for the client.
 */
static void
xml_text_clean(char *text)
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

const char *
rpc_param(struct rpc *r, const char *name, char *buf, size_t len)
{
	xmlNodePtr c = nc_child(r->op, name);
	xmlChar *t;
	char *b, *e;

	if (c == NULL || len == 0)
		return NULL;
	t = xmlNodeGetContent(c);
	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
	xmlFree(t);
	for (b = buf; *b == ' ' || *b == '\t' || *b == '\r' || *b == '\n'; b++)
		;
	for (e = b + strlen(b); e > b && (e[-1] == ' ' || e[-1] == '\t' ||
	    e[-1] == '\r' || e[-1] == '\n'); e--)
		;
	*e = '\0';
	memmove(buf, b, (size_t)(e - b) + 1);
	return buf;
}

xmlNodePtr
rpc_error(struct rpc *r, enum nc_err_type type, const char *tag,
    const char *path, const char *fmt, ...)
{
	xmlNodePtr err, msg;
	xmlNsPtr ns;
	char text[1024];
	va_list ap;

	if (r->err_doc == NULL) {
		if ((r->err_doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
			return NULL;
		xmlDocSetRootElement(r->err_doc, xmlNewNode(NULL, BAD_CAST "errors"));
	}
	if ((err = xmlNewChild(xmlDocGetRootElement(r->err_doc), NULL,
	    BAD_CAST "rpc-error", NULL)) == NULL)
		return NULL;
	ns = xmlNewNs(err, BAD_CAST NC_NS_BASE, NULL);
	xmlSetNs(err, ns);
	xmlNewTextChild(err, ns, BAD_CAST "error-type", BAD_CAST err_type_names[type]);
	xmlNewTextChild(err, ns, BAD_CAST "error-tag", BAD_CAST tag);
	xmlNewTextChild(err, ns, BAD_CAST "error-severity", BAD_CAST "error");
	if (path != NULL) {
		char *clean = strdup(path);

		if (clean != NULL)
			xml_text_clean(clean);
		xmlNewTextChild(err, ns, BAD_CAST "error-path", BAD_CAST (clean ? clean : "?"));
		free(clean);
	}
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		xml_text_clean(text);
		msg = xmlNewTextChild(err, ns, BAD_CAST "error-message", BAD_CAST text);
		if (msg != NULL)
			xmlNodeSetLang(msg, BAD_CAST "en");
	}
	r->nerrors++;
	return err;
}

void
rpc_error_info(xmlNodePtr err, const char *name, const char *value)
{
	xmlNodePtr info;

	if (err == NULL)
		return;
	if ((info = nc_child(err, "error-info")) == NULL)
		info = xmlNewChild(err, err->ns, BAD_CAST "error-info", NULL);
	if (info != NULL)
		xmlNewTextChild(info, err->ns, BAD_CAST name, BAD_CAST value);
}

void
rpc_reply_data(struct rpc *r, xmlNodePtr container, xmlDocPtr owned)
{
	if (r->data_owned != NULL && r->data_owned != owned)
		xmlFreeDoc(r->data_owned);
	r->data = container;
	r->data_owned = owned;
}
