/*
 * Packed subtrees.
 *
 * libxml2 spends about 120 bytes on every node: a 10 MB configuration of
 * 50,000 list entries is a 75 MB tree, far from the 4x + 4 MB a session
 * may use.  Most of a big configuration is small subtrees (list entries)
 * in one namespace and without attributes.  Such a subtree is kept
 * packed: its root stays an xmlNode, with attributes, namespaces and its
 * place in the tree and in the list indexes (edit_index.c), and its
 * descendants are one byte string, about as long as their XML, in the
 * root's `content` field, which libxml2 never uses in an element.
 *
 * The string: per element 'E' name NUL, its content, 'X'; per text node
 * 'T' text NUL.  Every packed element is in the root's namespace, so a
 * namespace change of the root (adoption into another document, a
 * declaration dropped as a duplicate) holds for all of them.
 *
 * What is packed: an element, not a document's root, whose children are
 * text and elements in its namespace without attributes or namespace
 * declarations, each of them a leaf (text only) or packed itself, up to
 * PK_MAX bytes and PACKED_DEPTH levels.  Datastore documents and journal
 * records are packed as they are parsed, and so is the <config> of an
 * edit-config, whose nodes move into the datastore.
 *
 * Who reads packed nodes: the serializer (xmlout.c), packed_copy_*, and
 * edit_index.c's keys, as they are (packed_walk.c).  Everything else that reads the
 * children of a node that may be packed calls packed_unpack() first; the
 * unpacked node is noted (as is a node packed_note() is told changed),
 * and packed_repack() packs them again after each RPC, so a one-leaf
 * edit unpacks one entry and packs it back.  When more than LOG_MAX
 * nodes are noted, their whole trees are packed again instead.
 *
 * The strings are freed by a libxml2 deregister-node callback, so every
 * way a node is freed (xmlFreeNode, xmlFreeDoc, ...) frees its string,
 * and, through packed_on_free's hook, the list index a node holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/globals.h>

#include "xmalloc.h"
#include "memcap.h"
#include "tree_int.h"

/*
 * Packed strings hold most of a big store or request: they count toward
 * max-session-memory like libxml2's nodes do, or an edit of entries that
 * stay packed would never reach the cap.  Small ones are in the arena
 * (packed_arena.c), which counts the chunks it maps instead: the free
 * slots of a chunk kept by a few strings are memory the session holds.
 */
static void *
pk_alloc(size_t sz)
{
	void *p = packed_arena_alloc(sz);

	if (p != NULL)
		return p;
	p = xmalloc(sz);
	memcap_count(p);
	return p;
}

static void
pk_release(void *p)
{
	if (p == NULL || packed_arena_free(p))
		return;
	memcap_uncount(p);
	free(p);
}

void
packed_release(void *taken)
{
	pk_release(taken);
}


#define PK_MAX		2048		/* bytes of one packed subtree (not only leaves) */
#define LOG_MAX		64

static xmlNodePtr noted[LOG_MAX];
static int nnoted;
static int (*parse_where)(const xmlNode *);
static xmlDeregisterNodeFunc next_dereg;
static void (*freed_hook)(xmlNodePtr);	/* an element with _private set */
static void (*watch_fn)(void *, const xmlNode *);	/* every element (packed_watch_frees) */
static void *watch_arg;

void *
packed_alloc(size_t sz)
{
	return pk_alloc(sz);
}

static struct pk *
pk_of(const xmlNode *n)
{
	return (struct pk *)n->content;
}

int
packed_is(const xmlNode *n)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->content != NULL;
}

/* libxml2 frees a node: its string goes too, and so does its note. */
static void
node_freed(xmlNodePtr n)
{
	if (n->type == XML_ELEMENT_NODE) {
		if (n->content != NULL && pk_of(n)->magic == PK_MAGIC) {
			pk_release(n->content);
			n->content = NULL;
		}
		for (int i = 0; i < nnoted; i++)
			if (noted[i] == n) {
				noted[i] = noted[--nnoted];
				break;
			}
		packed_grow_forget(n);
		if (n->_private != NULL && freed_hook != NULL)
			freed_hook(n);
		if (watch_fn != NULL)
			watch_fn(watch_arg, n);
	}
	if (next_dereg != NULL)
		next_dereg(n);
}

static void
ensure_init(void)
{
	static int done;

	if (!done) {
		next_dereg = xmlDeregisterNodeDefault(node_freed);
		done = 1;
	}
}

void
packed_on_free(void (*hook)(xmlNodePtr))
{
	ensure_init();
	freed_hook = hook;
}

int
packed_watch_frees(void (*fn)(void *arg, const xmlNode *n), void *arg)
{
	ensure_init();
	if (fn != NULL && watch_fn != NULL)
		return -1;
	watch_fn = fn;
	watch_arg = fn != NULL ? arg : NULL;
	return 0;
}

static xmlNodePtr
top_of(xmlNodePtr n)
{
	while (n->parent != NULL && n->parent->type == XML_ELEMENT_NODE)
		n = n->parent;
	return n;
}

static void
note_add(xmlNodePtr n)
{
	ensure_init();		/* a noted node must be forgotten when freed */
	for (int i = 0; i < nnoted; i++)
		if (noted[i] == n)
			return;
	if (nnoted < LOG_MAX) {
		noted[nnoted++] = n;
		return;
	}
	/* too many: note whole trees instead (a bulk edit, an XPath filter) */
	int kept = 0;
	for (int i = 0; i < nnoted; i++) {
		xmlNodePtr t = top_of(noted[i]);
		int dup = 0;
		for (int j = 0; j < kept && !dup; j++)
			dup = noted[j] == t;
		if (!dup)
			noted[kept++] = t;
	}
	nnoted = kept;
	n = top_of(n);
	for (int i = 0; i < nnoted; i++)
		if (noted[i] == n)
			return;
	if (nnoted < LOG_MAX)
		noted[nnoted++] = n;
	/* else it stays unpacked: that costs memory, not correctness */
}

void
packed_note(xmlNodePtr n)
{
	if (n != NULL && n->type == XML_ELEMENT_NODE && !packed_is(n))
		note_add(n);
}

/* ---- packing ---- */

static size_t
text_len(const xmlNode *t)
{
	return t->content != NULL ? strlen((const char *)t->content) : 0;
}

int
packed_leaf_of(const xmlNode *n, const xmlNode *c)
{
	if (c->type != XML_ELEMENT_NODE || c->ns != n->ns || c->properties != NULL ||
	    c->nsDef != NULL || c->_private != NULL || packed_is(c))
		return 0;
	for (const xmlNode *t = c->children; t != NULL; t = t->next)
		if (t->type != XML_TEXT_NODE)
			return 0;
	return 1;
}

static char *
put_tok(char *p, char tok, const xmlChar *s)
{
	size_t n = s != NULL ? strlen((const char *)s) : 0;

	*p++ = tok;
	memcpy(p, s, n);
	p[n] = '\0';
	return p + n + 1;
}

/* Packs n's children if they qualify (see the top comment); 1 if packed. */
static int
pack_one(xmlNodePtr n)
{
	size_t len = 0;
	unsigned depth = 1;
	int elems = 0, leaves_only = 1;
	struct pk *pk;
	char *p;

	if (n->type != XML_ELEMENT_NODE || n->content != NULL ||
	    n->_private != NULL || n->children == NULL || n->parent == NULL ||
	    n->parent->type != XML_ELEMENT_NODE)
		return 0;
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE) {
			len += 2 + text_len(c);
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || c->ns != n->ns ||
		    c->properties != NULL || c->nsDef != NULL || c->_private != NULL)
			return 0;
		elems++;
		len += 3 + strlen((const char *)c->name);
		if (packed_is(c)) {
			leaves_only = 0;
			len += pk_of(c)->len;
			if (pk_of(c)->depth + 1u > depth)
				depth = pk_of(c)->depth + 1u;
		} else
			for (xmlNodePtr t = c->children; t != NULL; t = t->next) {
				if (t->type != XML_TEXT_NODE)
					return 0;
				len += 2 + text_len(t);
			}
		if ((len > PK_MAX && !leaves_only) || len > PK_BIG_MAX)
			return 0;
	}
	/* text after the last element was not checked above */
	if (elems == 0 || depth > PACKED_DEPTH || (len > PK_MAX && !leaves_only) ||
	    len > PK_BIG_MAX)
		return 0;
	ensure_init();
	pk = pk_alloc(sizeof(*pk) + len);
	pk->magic = PK_MAGIC;
	pk->len = (uint32_t)len;
	pk->depth = (uint16_t)depth;
	p = pk->data;
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE) {
			p = put_tok(p, 'T', c->content);
			continue;
		}
		p = put_tok(p, 'E', c->name);
		if (packed_is(c)) {
			memcpy(p, pk_of(c)->data, pk_of(c)->len);
			p += pk_of(c)->len;
		} else
			for (xmlNodePtr t = c->children; t != NULL; t = t->next)
				p = put_tok(p, 'T', t->content);
		*p++ = 'X';
	}
	xmlFreeNodeList(n->children);
	n->children = n->last = NULL;
	n->content = (xmlChar *)pk;
	return 1;
}

void
packed_pack_tree(xmlNodePtr n)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE || packed_is(n))
		return;
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !packed_is(c))
			packed_pack_tree(c);
	pack_one(n);
}

void
packed_repack(void)
{
	while (nnoted > 0)
		packed_pack_tree(noted[--nnoted]);
}

/* ---- unpacking ---- */

static void
append(xmlNodePtr parent, xmlNodePtr c)
{
	if (c == NULL)
		xoom();	/* out of memory: a half-unpacked node would lie */
	c->parent = parent;
	c->prev = parent->last;
	if (parent->last != NULL)
		parent->last->next = c;
	else
		parent->children = c;
	parent->last = c;
}

/* Appends to n's children the nodes of string pk. */
void
packed_append_nodes(xmlNodePtr n, const struct pk *pk)
{
	packed_append_range(n, pk->data, pk->data + pk->len);
}

void
packed_append_range(xmlNodePtr n, const char *p, const char *end)
{
	xmlNodePtr cur = n, c;

	while (p < end) {
		switch (*p) {
		case 'E':
			c = xmlNewDocNode(n->doc, n->ns, BAD_CAST (p + 1), NULL);
			append(cur, c);
			cur = c;
			p += strlen(p + 1) + 2;
			break;
		case 'T':
			append(cur, xmlNewDocText(n->doc, BAD_CAST (p + 1)));
			p += strlen(p + 1) + 2;
			break;
		default:	/* 'X' */
			cur = cur->parent;
			p++;
			break;
		}
	}
}

/* Builds n's children from its packed string, returned for the caller to free. */
static struct pk *
unpack_quiet(xmlNodePtr n)
{
	struct pk *pk = pk_of(n);

	n->content = NULL;
	packed_append_nodes(n, pk);
	return pk;
}

int
packed_unpack(xmlNodePtr n)
{
	if (!packed_is(n))
		return 0;
	pk_release(unpack_quiet(n));
	note_add(n);
	return 1;
}

void *
packed_take(xmlNodePtr n)
{
	struct pk *pk;

	if (!packed_is(n))
		return NULL;
	pk = unpack_quiet(n);
	note_add(n);
	return pk;
}

void
packed_restore(xmlNodePtr n, void *taken)
{
	if (packed_is(n))
		pk_release(n->content);
	xmlFreeNodeList(n->children);
	n->children = n->last = NULL;
	n->content = taken;
}

static void
unpack_all(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (packed_is(n))
			pk_release(unpack_quiet(n));	/* its descendants are all real now */
		else
			unpack_all(n->children);
	}
}

void
packed_unpack_tree(xmlNodePtr n)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return;
	if (packed_is(n))
		pk_release(unpack_quiet(n));
	else
		unpack_all(n->children);
	note_add(n);
}

/* ---- reading: the string as it is (packed_walk.c reads it) ---- */

const char *
packed_bytes(const xmlNode *n, size_t *len)
{
	*len = pk_of(n)->len;
	return pk_of(n)->data;
}

/* ---- copies ---- */

static struct pk *
pk_dup(const xmlNode *n)
{
	size_t sz = sizeof(struct pk) + pk_of(n)->len;
	struct pk *c = pk_alloc(sz);

	memcpy(c, pk_of(n), sz);
	return c;
}

/* to is a recursive libxml2 copy of from: give it from's packed strings. */
static void
copy_packed(xmlNodePtr from, xmlNodePtr to)
{
	for (; from != NULL && to != NULL; from = from->next, to = to->next) {
		if (from->type != XML_ELEMENT_NODE)
			continue;
		if (packed_is(from))
			to->content = (xmlChar *)pk_dup(from);
		else
			copy_packed(from->children, to->children);
	}
}

xmlNodePtr
packed_copy_node(xmlNodePtr n, xmlDocPtr doc)
{
	xmlNodePtr c = xmlDocCopyNode(n, doc, 1);

	if (c == NULL)
		xoom();
	ensure_init();
	if (n->type == XML_ELEMENT_NODE) {
		if (packed_is(n))
			c->content = (xmlChar *)pk_dup(n);
		else
			copy_packed(n->children, c->children);
	}
	return c;
}

xmlDocPtr
packed_copy_doc(xmlDocPtr doc)
{
	xmlDocPtr c = xmlCopyDoc(doc, 1);

	if (c == NULL)
		xoom();
	ensure_init();
	copy_packed(doc->children, c->children);
	return c;
}

/* ---- packing while parsing ---- */

static void
pack_at_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	xmlNodePtr cur = ctxt->node;	/* the element this end tag closes */

	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
	if (cur == NULL || packed_grow_end(cur))
		return;
	if (parse_where == NULL || parse_where(cur))
		pack_one(cur);
	/* a leaf goes into its parent's string at once (packed_grow.c) */
	if (cur->parent != NULL && cur->parent->type == XML_ELEMENT_NODE &&
	    (parse_where == NULL || parse_where(cur->parent)))
		packed_grow_leaf(cur);
}

void
packed_parse_with(xmlParserCtxtPtr ctxt, int (*where)(const xmlNode *))
{
	ensure_init();
	parse_where = where;
	ctxt->sax->endElementNs = pack_at_end;
}

static xmlDocPtr
read_packed(int fd, const char *buf, int len, int options)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlDocPtr doc;

	if (ctxt == NULL)
		return NULL;
	packed_parse_with(ctxt, NULL);
	doc = fd != -1 ? xmlCtxtReadFd(ctxt, fd, NULL, NULL, options) :
	    xmlCtxtReadMemory(ctxt, buf, len, NULL, NULL, options);
	if (doc != NULL && !ctxt->wellFormed) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

xmlDocPtr
packed_read_fd(int fd, int options)
{
	return read_packed(fd, NULL, 0, options);
}

xmlDocPtr
packed_read_memory(const char *buf, int len, int options)
{
	return read_packed(-1, buf, len, options);
}
