/*
 * Fuzz target: packed subtrees (subsystem/packed.c) and their serializer
 * (xmlout.c).  Input: a datastore document (<config> in the base
 * namespace; anything else is skipped).  Its last bytes also pick which
 * packed elements get unpacked one by one (step 5).
 *
 * Checks, each against S, the xmlout serialization of the plainly parsed
 * document (xmlReadMemory, NC_XML_PARSE_OPTS):
 *  1. the packed parse (packed_read_memory) serializes as S, and both
 *     parses accept or refuse the same inputs;
 *  2. packed_copy_doc of it serializes as S, and so does packed_copy_node
 *     of its root into another document;
 *  3. packed_child(n, NULL) and packed_child(n, name) agree with the
 *     children of an unpacked copy of n, for every packed n;
 *  4. packed_unpack_tree(root) serializes as S, and libxml2's own
 *     serializations (xmlNodeDump, exclusive C14N) of the unpacked tree
 *     equal those of the plain tree: the packed strings lost nothing;
 *  5. packed_pack_tree(root) packs the same nodes into the same strings
 *     as the parse did, and a few packed_unpack() calls on chosen
 *     elements followed by packed_repack() do too.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_data.h"
#include "session/session.h"
#include "tree/tree.h"

static void
fuzz_packed_same_shape(struct fuzz_data_buf *want, xmlNodePtr root)
{
	struct fuzz_data_buf got = fuzz_data_shape(root);

	if (!fuzz_data_same_shape(want, &got))
		abort();	/* packed otherwise than the parse packed */
	free(got.p);
}

static void
fuzz_packed_same(const char *want, xmlNodePtr n)
{
	char *got = fuzz_data_ser(n);

	if (strcmp(want, got) != 0)
		abort();	/* serializes otherwise than the plain tree */
	free(got);
}

/* libxml2's serialization of doc's root element, malloc()ed. */
static char *
fuzz_packed_dump(xmlDocPtr doc)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *s;

	if (buf == NULL)
		abort();
	xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 0);
	if ((s = strdup((const char *)xmlBufferContent(buf))) == NULL)
		abort();
	xmlBufferFree(buf);
	return s;
}

/* packed_child's answer rc, cname, text against f, the real child it should name. */
static void
fuzz_packed_child_is(int rc, const char *cname, const char *text, xmlNodePtr f)
{
	int ntext = 0, elems = 0;

	if (f == NULL) {
		if (rc != 0)
			abort();
		return;
	}
	for (xmlNodePtr t = f->children; t != NULL; t = t->next)
		if (t->type == XML_TEXT_NODE)
			ntext++;
		else
			elems++;
	if (elems == 0 && ntext > 1) {
		if (rc != -1)
			abort();	/* several texts: the caller must unpack */
		return;
	}
	if (rc != 1 || strcmp(cname, (const char *)f->name) != 0)
		abort();
	if (elems > 0 ? text != NULL : text == NULL || strcmp(text, ntext == 0 ?
	    "" : (const char *)f->children->content) != 0)
		abort();
}

/*
 * Check 3 for packed n and m, an unpacked copy of it: packed_child as
 * packed_key (edit_index.c) asks it, against m's real children.
 */
static void
fuzz_packed_child_check(const xmlNode *n, xmlNodePtr m)
{
	const char *cname = NULL, *text = NULL;
	xmlNodePtr first = NULL;
	int rc;

	for (xmlNodePtr c = m->children; c != NULL && first == NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			first = c;
	rc = packed_child(n, NULL, &cname, &text);
	fuzz_packed_child_is(rc, cname, text, first);
	for (xmlNodePtr c = m->children; c != NULL; c = c->next) {
		xmlNodePtr f = NULL;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (xmlNodePtr o = m->children; o != NULL && f == NULL; o = o->next)
			if (o->type == XML_ELEMENT_NODE && xmlStrEqual(o->name, c->name))
				f = o;
		rc = packed_child(n, (const char *)c->name, &cname, &text);
		fuzz_packed_child_is(rc, cname, text, f);
	}
	if (packed_child(n, "no such name\x01", &cname, &text) != 0)
		abort();
}

/* Walks a and b, b a copy of a, checking every packed node of a. */
static void
fuzz_packed_children(xmlNodePtr a, xmlNodePtr b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next) {
		if (a->type != XML_ELEMENT_NODE)
			continue;
		if (packed_is(a)) {
			if (!packed_unpack(b))
				abort();
			fuzz_packed_child_check(a, b);
		} else
			fuzz_packed_children(a->children, b->children);
	}
	if (a != NULL || b != NULL)
		abort();	/* the copy has another shape */
}

/* The packed elements of n's subtree, in document order, into v (at most max). */
static size_t
fuzz_packed_list(xmlNodePtr n, xmlNodePtr *v, size_t k, size_t max)
{
	for (; n != NULL && k < max; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (packed_is(n))
			v[k++] = n;
		else
			k = fuzz_packed_list(n->children, v, k, max);
	}
	return k;
}

static int
fuzz_packed_one(const uint8_t *data, size_t size)
{
	xmlDocPtr plain, packed, copy, other;
	xmlNodePtr root, v[256];
	struct fuzz_data_buf shape;
	char *s, *dump_plain, *dump_unpacked, *c14n_plain, *c14n_unpacked;

	if (size > INT32_MAX)
		return 0;
	plain = xmlReadMemory((const char *)data, (int)size, NULL, NULL, NC_XML_PARSE_OPTS);
	packed = packed_read_memory((const char *)data, (int)size, NC_XML_PARSE_OPTS);
	if ((plain == NULL) != (packed == NULL))
		abort();	/* 1: one parse refused what the other took */
	if (plain == NULL)
		return 0;
	root = xmlDocGetRootElement(plain);
	if (root == NULL || plain->intSubset != NULL || !nc_is(root, "config")) {
		xmlFreeDoc(plain);
		xmlFreeDoc(packed);
		return 0;
	}
	root = xmlDocGetRootElement(packed);
	s = fuzz_data_ser(xmlDocGetRootElement(plain));
	fuzz_packed_same(s, root);					/* 1 */
	shape = fuzz_data_shape(root);

	copy = packed_copy_doc(packed);					/* 2 */
	fuzz_packed_same(s, xmlDocGetRootElement(copy));
	fuzz_packed_same_shape(&shape, xmlDocGetRootElement(copy));
	fuzz_packed_children(root, xmlDocGetRootElement(copy));		/* 3 */
	xmlFreeDoc(copy);
	if ((other = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		abort();
	xmlDocSetRootElement(other, packed_copy_node(root, other));
	fuzz_packed_same(s, xmlDocGetRootElement(other));
	xmlFreeDoc(other);

	packed_unpack_tree(root);					/* 4 */
	if (fuzz_packed_list(root, v, 0, 1) != 0)
		abort();	/* something is still packed */
	fuzz_packed_same(s, root);
	dump_plain = fuzz_packed_dump(plain);
	dump_unpacked = fuzz_packed_dump(packed);
	if (strcmp(dump_plain, dump_unpacked) != 0)
		abort();
	c14n_plain = fuzz_data_c14n(plain);
	c14n_unpacked = fuzz_data_c14n(packed);
	if ((c14n_plain == NULL) != (c14n_unpacked == NULL) ||
	    (c14n_plain != NULL && strcmp(c14n_plain, c14n_unpacked) != 0))
		abort();
	free(dump_plain);
	free(dump_unpacked);
	free(c14n_plain);
	free(c14n_unpacked);

	packed_pack_tree(root);						/* 5 */
	packed_repack();
	fuzz_packed_same(s, root);
	fuzz_packed_same_shape(&shape, root);
	for (size_t i = 0; i < 4 && i < size; i++) {
		size_t n = fuzz_packed_list(root, v, 0, sizeof(v) / sizeof(v[0]));

		if (n == 0)
			break;
		if (!packed_unpack(v[data[size - 1 - i] % n]))
			abort();
		fuzz_packed_same(s, root);
	}
	packed_repack();
	fuzz_packed_same(s, root);
	fuzz_packed_same_shape(&shape, root);

	free(shape.p);
	free(s);
	xmlFreeDoc(plain);
	xmlFreeDoc(packed);
	return 0;
}

FUZZ_TARGET(fuzz_packed_one)
