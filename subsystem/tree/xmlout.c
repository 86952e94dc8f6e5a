/* Fast serializer; see tree.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"
#include "tree.h"


#define XO_BUF	(64 * 1024)

struct xmlout {
	int		(*write)(void *, const char *, size_t);
	void		*arg;
	size_t		 len;
	int		 err;
	uint64_t	 flushed;	/* bytes handed to write() so far (xo_offset) */
	char		 buf[XO_BUF];
};

struct xmlout *
xo_new_writer(int (*write)(void *, const char *, size_t), void *arg)
{
	struct xmlout *xo = xmalloc(sizeof(*xo));

	xo->write = write;
	xo->arg = arg;
	xo->len = 0;
	xo->err = 0;
	xo->flushed = 0;
	return xo;
}

static int
write_framer(void *fr, const char *buf, size_t len)
{
	return framer_write(fr, buf, len);
}

struct xmlout *
xo_new(struct framer *fr)
{
	return xo_new_writer(write_framer, fr);
}

static void
xo_flush(struct xmlout *xo)
{
	if (xo->len > 0 && !xo->err && xo->write(xo->arg, xo->buf, xo->len) == -1)
		xo->err = 1;
	xo->flushed += xo->len;
	xo->len = 0;
}

static void
xo_raw_slow(struct xmlout *xo, const char *s, size_t n)
{
	xo_flush(xo);
	if (n >= XO_BUF) {
		if (!xo->err && xo->write(xo->arg, s, n) == -1)
			xo->err = 1;
		xo->flushed += n;
		return;
	}
	memcpy(xo->buf, s, n);
	xo->len = n;
}

/*
 * The serializer writes a few bytes at a time (a "<", a name, a text),
 * so the common case -- it fits -- is inline; perf showed the call and
 * the checks costing as much as the copying.
 */
static inline void
xo_put(struct xmlout *xo, const char *s, size_t n)
{
	if (n <= XO_BUF - xo->len) {
		memcpy(xo->buf + xo->len, s, n);
		xo->len += n;
	} else
		xo_raw_slow(xo, s, n);
}

#define XO_LIT(xo, lit)	xo_put((xo), (lit), sizeof(lit) - 1)

static inline void
xo_ch(struct xmlout *xo, char c)
{
	if (xo->len == XO_BUF)
		xo_flush(xo);
	xo->buf[xo->len++] = c;
}

void
xo_raw(struct xmlout *xo, const char *s, size_t n)
{
	xo_put(xo, s, n);
}

void
xo_str(struct xmlout *xo, const char *s)
{
	xo_put(xo, s, strlen(s));
}

/*
 * Bytes that end a run of plain bytes: ESC_TEXT in text, ESC_ATTR in a
 * double-quoted attribute value; NUL ends both (the end of the string).
 * Other control bytes pass as they are: a parsed document has none.
 */
#define ESC_TEXT	1
#define ESC_ATTR	2
static const unsigned char esc_class[256] = {
	['\0'] = ESC_TEXT | ESC_ATTR,
	['&'] = ESC_TEXT | ESC_ATTR,
	['<'] = ESC_TEXT | ESC_ATTR,
	['>'] = ESC_TEXT | ESC_ATTR,
	['\r'] = ESC_TEXT | ESC_ATTR,
	['"'] = ESC_ATTR,
	['\n'] = ESC_ATTR,
	['\t'] = ESC_ATTR,
};

/* Escapes s: text (attr = 0) or a double-quoted attribute value. */
static void
xo_escaped(struct xmlout *xo, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char mask = attr ? ESC_ATTR : ESC_TEXT;

	for (;;) {
		const unsigned char *run = p;

		while ((esc_class[*p] & mask) == 0)
			p++;
		xo_put(xo, (const char *)run, (size_t)(p - run));
		switch (*p) {
		case '\0': return;
		case '&': XO_LIT(xo, "&amp;"); break;
		case '<': XO_LIT(xo, "&lt;"); break;
		case '>': XO_LIT(xo, "&gt;"); break;
		case '\r': XO_LIT(xo, "&#13;"); break;
		case '"': XO_LIT(xo, "&quot;"); break;
		case '\n': XO_LIT(xo, "&#10;"); break;
		case '\t': XO_LIT(xo, "&#9;"); break;
		}
		p++;
	}
}

void
xo_attr_value(struct xmlout *xo, const char *s)
{
	xo_escaped(xo, s, 1);
}

/* packed_write's callbacks */
static void
packed_put(void *xo, const char *s, size_t n)
{
	xo_put(xo, s, n);
}

static void
packed_text(void *xo, const char *s)
{
	xo_escaped(xo, s, 0);
}

static void
xo_qname(struct xmlout *xo, xmlNodePtr n)
{
	if (n->ns != NULL && n->ns->prefix != NULL) {
		xo_str(xo, (const char *)n->ns->prefix);
		xo_ch(xo, ':');
	}
	xo_put(xo, (const char *)n->name, strlen((const char *)n->name));
}

static void
xo_nsdefs(struct xmlout *xo, xmlNsPtr ns)
{
	for (; ns != NULL; ns = ns->next) {
		if (ns->prefix != NULL) {
			XO_LIT(xo, " xmlns:");
			xo_str(xo, (const char *)ns->prefix);
			XO_LIT(xo, "=\"");
		} else
			XO_LIT(xo, " xmlns=\"");
		xo_escaped(xo, ns->href != NULL ? (const char *)ns->href : "", 1);
		xo_ch(xo, '"');
	}
}

void
xo_attrs(struct xmlout *xo, xmlAttrPtr a)
{
	for (; a != NULL; a = a->next) {
		xo_ch(xo, ' ');
		if (a->ns != NULL && a->ns->prefix != NULL) {
			xo_str(xo, (const char *)a->ns->prefix);
			xo_ch(xo, ':');
		}
		xo_str(xo, (const char *)a->name);
		XO_LIT(xo, "=\"");
		if (a->children != NULL && a->children->next == NULL &&
		    a->children->type == XML_TEXT_NODE && a->children->content != NULL)
			xo_escaped(xo, (const char *)a->children->content, 1);
		else {
			xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);

			xo_escaped(xo, v != NULL ? (const char *)v : "", 1);
			xmlFree(v);
		}
		xo_ch(xo, '"');
	}
}

/* n, or its first next sibling that hidden (NULL: none) does not hide. */
static xmlNodePtr
shown(xmlNodePtr n, reply_hidden_fn hidden, const void *arg)
{
	while (n != NULL && hidden != NULL && n->type == XML_ELEMENT_NODE && hidden(arg, n))
		n = n->next;
	return n;
}

/*
 * Writes node without its children (start tag, text, ...); 1 if it has
 * children to enter (ones hidden does not hide).
 */
static int
xo_open(struct xmlout *xo, xmlNodePtr n, xmlNsPtr extra, reply_hidden_fn hidden,
    const void *arg)
{
	const char *c = n->content != NULL ? (const char *)n->content : "";

	switch (n->type) {
	case XML_ELEMENT_NODE:
		xo_ch(xo, '<');
		xo_qname(xo, n);
		xo_nsdefs(xo, n->nsDef);
		xo_nsdefs(xo, extra);
		xo_attrs(xo, n->properties);
		if (packed_is(n)) {
			xo_ch(xo, '>');
			packed_write(n, packed_put, packed_text, xo);
			XO_LIT(xo, "</");
			xo_qname(xo, n);
			xo_ch(xo, '>');
			return 0;
		}
		if (shown(n->children, hidden, arg) == NULL) {
			XO_LIT(xo, "/>");
			return 0;
		}
		xo_ch(xo, '>');
		return 1;
	case XML_TEXT_NODE:
		xo_escaped(xo, c, 0);
		return 0;
	case XML_CDATA_SECTION_NODE:
		XO_LIT(xo, "<![CDATA[");
		xo_str(xo, c);
		XO_LIT(xo, "]]>");
		return 0;
	case XML_COMMENT_NODE:
		XO_LIT(xo, "<!--");
		xo_str(xo, c);
		XO_LIT(xo, "-->");
		return 0;
	case XML_PI_NODE:
		XO_LIT(xo, "<?");
		xo_put(xo, (const char *)n->name, strlen((const char *)n->name));
		if (*c != '\0') {
			xo_ch(xo, ' ');
			xo_str(xo, c);
		}
		XO_LIT(xo, "?>");
		return 0;
	case XML_ENTITY_REF_NODE:
		xo_ch(xo, '&');
		xo_put(xo, (const char *)n->name, strlen((const char *)n->name));
		xo_ch(xo, ';');
		return 0;
	default:
		return 0;
	}
}

static void
xo_close(struct xmlout *xo, xmlNodePtr n)
{
	XO_LIT(xo, "</");
	xo_qname(xo, n);
	xo_ch(xo, '>');
}

/* The subtree of root (not hidden itself) less what hidden (NULL: nothing) hides. */
static void
xo_walk(struct xmlout *xo, xmlNodePtr root, xmlNsPtr extra, reply_hidden_fn hidden,
    const void *arg)
{
	xmlNodePtr n = root, next;

	/* Iterative walk: no recursion, whatever the depth. */
	if (!xo_open(xo, n, extra, hidden, arg))
		return;
	n = shown(n->children, hidden, arg);
	for (;;) {
		if (xo_open(xo, n, NULL, hidden, arg)) {
			n = shown(n->children, hidden, arg);
			continue;
		}
		while ((next = shown(n->next, hidden, arg)) == NULL) {
			n = n->parent;
			xo_close(xo, n);
			if (n == root)
				return;
		}
		n = next;
	}
}

void
xo_node(struct xmlout *xo, xmlNodePtr root, xmlNsPtr extra)
{
	xo_walk(xo, root, extra, NULL, NULL);
}

static int
write_fd(void *arg, const char *buf, size_t len)
{
	int fd = *(int *)arg;

	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
xo_write_doc(int (*write)(void *, const char *, size_t), void *arg, xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	struct xmlout *xo = xo_new_writer(write, arg);

	if (xo == NULL) {
		errno = ENOMEM;
		return -1;
	}
	XO_LIT(xo, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (root != NULL)
		xo_node(xo, root, NULL);
	xo_ch(xo, '\n');
	if (xo_finish(xo) == -1) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int
xo_write_doc_fd(int fd, xmlDocPtr doc)
{
	return xo_write_doc(write_fd, &fd, doc);
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

/* 1 when node itself declares prefix (NULL: the default namespace). */
static int
declares(xmlNodePtr node, const xmlChar *prefix)
{
	for (xmlNsPtr ns = node->nsDef; ns != NULL; ns = ns->next)
		if (xmlStrEqual(ns->prefix, prefix))
			return 1;
	return 0;
}

/*
 * Serializes one data child so it stands alone: namespaces it inherits
 * from its ancestors in the datastore document are declared on its start
 * tag, and a child in no namespace gets xmlns="" (it will sit under
 * <data> in the base namespace).  The datastore tree is not touched.
 */
void
xo_data_child(struct xmlout *xo, xmlNodePtr child)
{
	xo_data_child_hiding(xo, child, NULL, NULL);
}

/*
 * 1 when an element of n's subtree is in ns, an inherited default
 * namespace (an unprefixed name: attributes and texts never take the
 * default).  A packed node's elements share its namespace.
 */
static int
default_used(const xmlNode *n, const xmlNs *ns, int depth)
{
	if (n->ns == ns || depth >= 256)
		return 1;
	if (packed_is(n))
		return 0;
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && default_used(c, ns, depth + 1))
			return 1;
	return 0;
}

/*
 * The declarations data child child inherits (xo_data_child), but a
 * default namespace nothing in it uses (the datastore root's base
 * namespace around a prefixed element); xmlFreeNsList them.
 */
static xmlNsPtr
inherited_ns(xmlNodePtr child)
{
	xmlNsPtr added = NULL;

	for (xmlNodePtr a = child->parent; a != NULL && a->type == XML_ELEMENT_NODE;
	    a = a->parent)
		for (xmlNsPtr ns = a->nsDef; ns != NULL; ns = ns->next) {
			xmlNsPtr n;
			int seen = declares(child, ns->prefix);

			for (n = added; n != NULL && !seen; n = n->next)
				if (xmlStrEqual(n->prefix, ns->prefix))
					seen = 1;
			if (seen || (ns->prefix == NULL &&
			    (child->ns == NULL || !default_used(child, ns, 0))))
				continue;
			if ((n = xmlNewNs(NULL, ns->href, ns->prefix)) == NULL)
				continue;
			n->next = added;
			added = n;
		}
	if (child->ns == NULL && !declares(child, NULL)) {
		xmlNsPtr n = xmlNewNs(NULL, BAD_CAST "", NULL);

		if (n != NULL) {
			n->next = added;
			added = n;
		}
	}
	return added;
}

void
xo_data_child_hiding(struct xmlout *xo, xmlNodePtr child, reply_hidden_fn hidden,
    const void *arg)
{
	xmlNsPtr added;

	if (child->type != XML_ELEMENT_NODE) {
		xo_node(xo, child, NULL);
		return;
	}
	if (hidden != NULL && hidden(arg, child))
		return;
	added = inherited_ns(child);
	xo_walk(xo, child, added, hidden, arg);
	xmlFreeNsList(added);
}

uint64_t
xo_offset(const struct xmlout *xo)
{
	return xo->flushed + xo->len;
}

/*
 * xo_data_child, the same bytes, written piece by piece so mark learns
 * where its start tag, each element child and its end tag lie.
 */
void
xo_data_child_marked(struct xmlout *xo, xmlNodePtr child, xo_mark_fn mark, void *arg)
{
	xmlNsPtr added;
	uint64_t at;

	if (child->type != XML_ELEMENT_NODE) {
		xo_node(xo, child, NULL);
		return;
	}
	added = inherited_ns(child);
	at = xo_offset(xo);
	if (xo_open(xo, child, added, NULL, NULL)) {
		mark(arg, child, XO_MARK_HEAD, at, xo_offset(xo) - at);
		for (xmlNodePtr c = child->children; c != NULL; c = c->next) {
			at = xo_offset(xo);
			xo_walk(xo, c, NULL, NULL, NULL);
			if (c->type == XML_ELEMENT_NODE)
				mark(arg, c, XO_MARK_CHILD, at, xo_offset(xo) - at);
		}
		at = xo_offset(xo);
		xo_close(xo, child);
		mark(arg, child, XO_MARK_TAIL, at, xo_offset(xo) - at);
	}
	xmlFreeNsList(added);
}
