/* Fast reply serializer; see xmlout.h. */
#include <stdlib.h>
#include <string.h>

#include "framing.h"
#include "xmlout.h"

#define XO_BUF	(64 * 1024)

struct xmlout {
	struct framer	*fr;
	size_t		 len;
	int		 err;
	char		 buf[XO_BUF];
};

struct xmlout *
xo_new(struct framer *fr)
{
	struct xmlout *xo = malloc(sizeof(*xo));

	if (xo != NULL) {
		xo->fr = fr;
		xo->len = 0;
		xo->err = 0;
	}
	return xo;
}

static void
xo_flush(struct xmlout *xo)
{
	if (xo->len > 0 && !xo->err && framer_write(xo->fr, xo->buf, xo->len) == -1)
		xo->err = 1;
	xo->len = 0;
}

void
xo_raw(struct xmlout *xo, const char *s, size_t n)
{
	if (n > XO_BUF - xo->len) {
		xo_flush(xo);
		if (n >= XO_BUF) {
			if (!xo->err && framer_write(xo->fr, s, n) == -1)
				xo->err = 1;
			return;
		}
	}
	memcpy(xo->buf + xo->len, s, n);
	xo->len += n;
}

void
xo_str(struct xmlout *xo, const char *s)
{
	xo_raw(xo, s, strlen(s));
}

/* Escapes s: text (attr = 0) or a double-quoted attribute value. */
static void
xo_escaped(struct xmlout *xo, const char *s, int attr)
{
	const char *run = s;

	for (;; s++) {
		const char *rep;
		unsigned char c = (unsigned char)*s;

		/* fast path: most bytes need nothing */
		if (c > '>' || (c >= ' ' && c != '&' && c != '<' && c != '>' && c != '"'))
			continue;
		switch (c) {
		case '\0': xo_raw(xo, run, (size_t)(s - run)); return;
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '\r': rep = "&#13;"; break;
		case '"': if (!attr) continue; rep = "&quot;"; break;
		case '\n': if (!attr) continue; rep = "&#10;"; break;
		case '\t': if (!attr) continue; rep = "&#9;"; break;
		default: continue;
		}
		xo_raw(xo, run, (size_t)(s - run));
		xo_str(xo, rep);
		run = s + 1;
	}
}

void
xo_attr_value(struct xmlout *xo, const char *s)
{
	xo_escaped(xo, s, 1);
}

static void
xo_qname(struct xmlout *xo, xmlNodePtr n)
{
	if (n->ns != NULL && n->ns->prefix != NULL) {
		xo_str(xo, (const char *)n->ns->prefix);
		xo_raw(xo, ":", 1);
	}
	xo_str(xo, (const char *)n->name);
}

static void
xo_nsdefs(struct xmlout *xo, xmlNsPtr ns)
{
	for (; ns != NULL; ns = ns->next) {
		if (ns->prefix != NULL) {
			xo_raw(xo, " xmlns:", 7);
			xo_str(xo, (const char *)ns->prefix);
			xo_raw(xo, "=\"", 2);
		} else
			xo_raw(xo, " xmlns=\"", 8);
		xo_escaped(xo, ns->href != NULL ? (const char *)ns->href : "", 1);
		xo_raw(xo, "\"", 1);
	}
}

static void
xo_attrs(struct xmlout *xo, xmlAttrPtr a)
{
	for (; a != NULL; a = a->next) {
		xo_raw(xo, " ", 1);
		if (a->ns != NULL && a->ns->prefix != NULL) {
			xo_str(xo, (const char *)a->ns->prefix);
			xo_raw(xo, ":", 1);
		}
		xo_str(xo, (const char *)a->name);
		xo_raw(xo, "=\"", 2);
		if (a->children != NULL && a->children->next == NULL &&
		    a->children->type == XML_TEXT_NODE && a->children->content != NULL)
			xo_escaped(xo, (const char *)a->children->content, 1);
		else {
			xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);

			xo_escaped(xo, v != NULL ? (const char *)v : "", 1);
			xmlFree(v);
		}
		xo_raw(xo, "\"", 1);
	}
}

/* Writes node without its children (start tag, text, ...); 1 if it has children to enter. */
static int
xo_open(struct xmlout *xo, xmlNodePtr n, xmlNsPtr extra)
{
	const char *c = n->content != NULL ? (const char *)n->content : "";

	switch (n->type) {
	case XML_ELEMENT_NODE:
		xo_raw(xo, "<", 1);
		xo_qname(xo, n);
		xo_nsdefs(xo, n->nsDef);
		xo_nsdefs(xo, extra);
		xo_attrs(xo, n->properties);
		if (n->children == NULL) {
			xo_raw(xo, "/>", 2);
			return 0;
		}
		xo_raw(xo, ">", 1);
		return 1;
	case XML_TEXT_NODE:
		xo_escaped(xo, c, 0);
		return 0;
	case XML_CDATA_SECTION_NODE:
		xo_raw(xo, "<![CDATA[", 9);
		xo_str(xo, c);
		xo_raw(xo, "]]>", 3);
		return 0;
	case XML_COMMENT_NODE:
		xo_raw(xo, "<!--", 4);
		xo_str(xo, c);
		xo_raw(xo, "-->", 3);
		return 0;
	case XML_PI_NODE:
		xo_raw(xo, "<?", 2);
		xo_str(xo, (const char *)n->name);
		if (*c != '\0') {
			xo_raw(xo, " ", 1);
			xo_str(xo, c);
		}
		xo_raw(xo, "?>", 2);
		return 0;
	case XML_ENTITY_REF_NODE:
		xo_raw(xo, "&", 1);
		xo_str(xo, (const char *)n->name);
		xo_raw(xo, ";", 1);
		return 0;
	default:
		return 0;
	}
}

static void
xo_close(struct xmlout *xo, xmlNodePtr n)
{
	xo_raw(xo, "</", 2);
	xo_qname(xo, n);
	xo_raw(xo, ">", 1);
}

void
xo_node(struct xmlout *xo, xmlNodePtr root, xmlNsPtr extra)
{
	xmlNodePtr n = root;

	/* Iterative walk: no recursion, whatever the depth. */
	if (!xo_open(xo, n, extra))
		return;
	n = n->children;
	for (;;) {
		if (xo_open(xo, n, NULL)) {
			n = n->children;
			continue;
		}
		while (n->next == NULL) {
			n = n->parent;
			xo_close(xo, n);
			if (n == root)
				return;
		}
		n = n->next;
	}
}

int
xo_finish(struct xmlout *xo)
{
	int rc;

	xo_flush(xo);
	rc = xo->err ? -1 : 0;
	free(xo);
	return rc;
}
