/*
 * Packing while parsing, leaf by leaf (packed.c's pack_at_end calls
 * here).  A container of many distinct leaves (no list: one container
 * of 200,000 leaves) is packed whole, but packing it at its end tag
 * would first build it as a full tree, ~7x its size.  So each leaf goes
 * into its parent's growing string as its end tag is read, and is
 * freed; at the parent's end tag the string becomes the parent's packed
 * string, the same bytes pack_one would have made.  When the parent
 * turns out not to be leaves only (a child element that is no leaf, a
 * comment), its leaves are put back as nodes, in their place.  One
 * parent grows at a time: a parent's leaves are contiguous unless it
 * holds something else, which ends its growth anyway.
 *
 * The leaf just ended stays in the tree until the next one ends (g.kept):
 * libxml2 drops blank text between elements (XML_PARSE_NOBLANKS) only
 * when the open element has an element child, so a parent emptied of
 * its leaves would keep the blanks before its end tag, which a plain
 * parse drops.  For the same reason a parent whose first child is text
 * (mixed content, where libxml2 keeps blanks) is not grown.
 */
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "memcap.h"
#include "tree_int.h"

static struct {
	xmlNodePtr	 node;	/* the open element whose leaves are taken */
	xmlNodePtr	 kept;	/* its last leaf, not yet taken */
	struct pk	*pk;
	size_t		 cap;	/* bytes allocated for data */
} g;

static void
drop(void)
{
	if (g.pk != NULL)
		packed_release(g.pk);
	g.node = NULL;
	g.kept = NULL;
	g.pk = NULL;
	g.cap = 0;
}

void
packed_grow_forget(const xmlNode *n)
{
	if (n == g.node)
		drop();
}

/* g's string back into nodes before g.node's children: no packing. */
static void
put_back(void)
{
	xmlNodePtr n = g.node, rest = n->children, last = n->last;

	n->children = n->last = NULL;
	packed_append_nodes(n, g.pk);
	if (rest != NULL) {
		rest->prev = n->last;
		if (n->last != NULL)
			n->last->next = rest;
		else
			n->children = rest;
		n->last = last;
	}
	drop();
}

static void
put_tok(char tok, const xmlChar *s)
{
	size_t n = s != NULL ? strlen((const char *)s) : 0;

	if (g.pk->len + n + 3 > g.cap) {
		size_t cap = (g.pk->len + n + 3) * 2;

		memcap_uncount(g.pk);
		g.pk = xreallocarray(g.pk, 1, sizeof(*g.pk) + cap);
		memcap_count(g.pk);
		g.cap = cap;
	}
	g.pk->data[g.pk->len++] = tok;
	if (tok == 'X')
		return;
	memcpy(g.pk->data + g.pk->len, s, n);
	g.pk->data[g.pk->len + n] = '\0';
	g.pk->len += (uint32_t)(n + 1);
}

/* n's children but keep are text nodes and leaves (checked): into g, freed. */
static void
take_children(xmlNodePtr n, const xmlNode *keep)
{
	xmlNodePtr c, next;

	for (c = n->children; c != NULL && c != keep; c = next) {
		next = c->next;
		if (c->type == XML_TEXT_NODE)
			put_tok('T', c->content);
		else {
			put_tok('E', c->name);
			for (xmlNodePtr t = c->children; t != NULL; t = t->next)
				put_tok('T', t->content);
			put_tok('X', NULL);
		}
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
}

/* Bytes in g's string so far. */
static size_t
grown(void)
{
	return g.pk->len;
}

/* 1 when c's only element sibling before it is kept, and none when kept is NULL. */
static int
only_kept_before(const xmlNode *c, const xmlNode *kept)
{
	for (c = c->prev; c != NULL; c = c->prev)
		if (c->type != XML_TEXT_NODE && c != kept)
			return 0;
	return 1;
}

void
packed_grow_leaf(xmlNodePtr leaf)
{
	xmlNodePtr n = leaf->parent;

	if (n->parent == NULL || n->parent->type != XML_ELEMENT_NODE ||
	    n->_private != NULL || n->content != NULL)
		return;
	if (g.node != n && leaf->prev != NULL)
		return;		/* text first: mixed content, packed at its end */
	if (!packed_leaf_of(n, leaf) || !only_kept_before(leaf, g.node == n ? g.kept : NULL) ||
	    (g.node == n && grown() > PK_BIG_MAX)) {
		if (g.node == n)
			put_back();
		return;
	}
	if (g.node != n) {
		if (g.node != NULL)
			put_back();	/* an ancestor holds more than leaves */
		g.node = n;
		g.cap = 256;
		g.pk = xmalloc(sizeof(*g.pk) + g.cap);	/* realloc'd: not the arena */
		memcap_count(g.pk);
		g.pk->magic = PK_MAGIC;
		g.pk->depth = 1;
		g.pk->len = 0;
	}
	take_children(n, leaf);
	g.kept = leaf;
}

int
packed_grow_end(xmlNodePtr n)
{
	struct pk *pk;

	if (n != g.node)
		return 0;
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type != XML_TEXT_NODE && c != g.kept) {
			put_back();
			return 0;
		}
	take_children(n, NULL);	/* the kept leaf, text after it */
	pk = g.pk;
	g.pk = NULL;
	g.node = NULL;
	g.kept = NULL;
	if (sizeof(*pk) + pk->len <= PK_ARENA_MAX) {
		/* small: into the arena, without malloc's header */
		struct pk *small = packed_alloc(sizeof(*pk) + pk->len);

		memcpy(small, pk, sizeof(*pk) + pk->len);
		packed_release(pk);
		pk = small;
	} else {
		memcap_uncount(pk);
		pk = xreallocarray(pk, 1, sizeof(*pk) + pk->len);
		memcap_count(pk);
	}
	n->content = (xmlChar *)pk;
	return 1;
}
