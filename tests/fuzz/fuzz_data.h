/*
 * Shared by fuzz_edit.c and fuzz_filter.c: a fixed datastore document to
 * work on when an input brings none, the list keys of a small RELAX NG
 * file (item keyed by name), and a canonical form of a document (exclusive
 * C14N) to compare trees whatever the namespace declarations' places.
 * For packed trees (subsystem/packed.c, shared with fuzz_packed.c): the
 * packed read the server does, xmlout serializations (libxml2's own see
 * packed nodes as empty), the canonical form of an unpacked copy, and
 * the "shape" of a tree (which nodes are packed, their strings).
 */
#ifndef NCHOME_FUZZ_DATA_H
#define NCHOME_FUZZ_DATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tree/tree.h"

static const char fuzz_data_default[] =
    "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
    "<top xmlns=\"urn:example:top\">"
    "<item><name>a</name><value>1</value></item>"
    "<item><name>b</name><value>2</value><sub><x>1</x><x>2</x></sub></item>"
    "<leaf>v</leaf><empty/>"
    "</top>"
    "<other xmlns=\"urn:example:other\" xmlns:o=\"urn:example:other\" o:attr=\"1\">"
    "<l>x</l><l>y</l><o:p>z</o:p>"
    "</other>"
    "</config>";

static const char fuzz_data_rng[] =
    "<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\""
    " xmlns:nma=\"urn:ietf:params:xml:ns:netmod:dsdl-annotations:1\">"
    "<start><element name=\"top\"><zeroOrMore>"
    "<element name=\"item\" nma:key=\"name\"><element name=\"name\"><text/></element>"
    "<zeroOrMore><element name=\"value\"><text/></element></zeroOrMore></element>"
    "</zeroOrMore></element></start></grammar>";

__attribute__((unused)) static xmlHashTablePtr
fuzz_data_keys(void)
{
	static xmlHashTablePtr keys;
	static int done;
	char path[64];
	FILE *fp;

	if (done)
		return keys;
	done = 1;
	snprintf(path, sizeof(path), "/tmp/nchome-fuzz-keys.%ld.rng", (long)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return NULL;
	fputs(fuzz_data_rng, fp);
	fclose(fp);
	keys = keys_from_schema(path);
	unlink(path);
	if (keys == NULL)
		abort();	/* the fixed schema names a key: must be found */
	return keys;
}

/*
 * tests/yang's nchome-test and nchome-test-toplist (top-level lists)
 * module set ($NCHOME_TOP or the current folder as the source tree,
 * imports from nchome's own yang/ through NCHOME_YANG_DIR), loaded
 * once.  It must load and build: a set that quietly failed would leave
 * every "with a module" input running schema-less, fuzzing nothing of
 * tree/edit_schema.c.
 */
__attribute__((unused)) static struct schema *
fuzz_data_schema(void)
{
	static struct schema *s;
	static int done;
	static char *names[] = { "nchome-test", "nchome-test-toplist" };
	struct conf_module cm[2] = { { .name = names[0] }, { .name = names[1] } };
	struct conf_netconf nc = { .modules = cm, .nmodules = 2 };
	const char *top = getenv("NCHOME_TOP");
	char dir[4096], own[4096], err[256];

	if (done)
		return s;
	done = 1;
	if (top == NULL || *top == '\0')
		top = ".";
	snprintf(dir, sizeof(dir), "%s/tests/yang", top);
	snprintf(own, sizeof(own), "%s/yang", top);
	/* the fuzz binaries are not in subsystem/, where schema_own_dir looks */
	if (getenv("NCHOME_YANG_DIR") == NULL)
		setenv("NCHOME_YANG_DIR", own, 1);
	nc.yang_dir = dir;
	if ((s = schema_load(&nc, err, sizeof(err))) == NULL ||
	    schema_child(s, NULL, "urn:nchome:test", "top") == NULL ||
	    schema_child(s, NULL, "urn:nchome:test-toplist", "interface") == NULL) {
		fprintf(stderr, "fuzz: the module set in %s does not load%s%s (run from the "
		    "source tree or set NCHOME_TOP)\n", dir, s == NULL ? ": " : "",
		    s == NULL ? err : "");
		abort();
	}
	return s;
}

/* doc if it is a datastore document as store_read_doc() accepts it; else frees it, NULL. */
__attribute__((unused)) static xmlDocPtr
fuzz_data_fit(xmlDocPtr doc)
{
	xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;

	if (root == NULL || doc->intSubset != NULL || !nc_is(root, "config")) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* The datastore document as store_read_doc() would read it; NULL if unfit. */
__attribute__((unused)) static xmlDocPtr
fuzz_data_read(const char *buf, size_t len)
{
	return fuzz_data_fit(xmlReadMemory(buf, (int)len, NULL, NULL, NC_XML_PARSE_OPTS));
}

/* Exclusive C14N of doc, malloc()ed; NULL when libxml2 cannot (e.g. relative ns URIs). */
__attribute__((unused)) static char *
fuzz_data_c14n(xmlDocPtr doc)
{
	xmlChar *out = NULL;
	int n = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 0, &out);
	char *s;

	if (n < 0 || out == NULL) {
		xmlFree(out);
		return NULL;
	}
	s = strndup((const char *)out, (size_t)n);
	xmlFree(out);
	return s;
}

/* Plain serialization of doc (no canonicalisation), malloc()ed. */
__attribute__((unused)) static char *
fuzz_data_dump(xmlDocPtr doc)
{
	xmlChar *out = NULL;
	int n = 0;
	char *s;

	xmlDocDumpMemory(doc, &out, &n);
	if (out == NULL)
		abort();
	s = strndup((const char *)out, (size_t)n);
	xmlFree(out);
	return s;
}

/* A growing byte buffer, NUL-terminated; an xmlout writer. */
struct fuzz_data_buf {
	char	*p;
	size_t	 len, cap;
};

__attribute__((unused)) static int
fuzz_data_put(void *arg, const char *s, size_t n)
{
	struct fuzz_data_buf *b = arg;

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			abort();
		b->p = p;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* xmlout serialization of n's subtree, malloc()ed. */
__attribute__((unused)) static char *
fuzz_data_ser(xmlNodePtr n)
{
	struct fuzz_data_buf b = { 0 };
	struct xmlout *xo = xo_new_writer(fuzz_data_put, &b);

	if (xo == NULL)
		abort();
	fuzz_data_put(&b, "", 0);
	if (n != NULL)
		xo_node(xo, n, NULL);
	if (xo_finish(xo) == -1)
		abort();
	return b.p;
}

/* doc as store_write_doc (xo_write_doc_fd) writes it, malloc()ed. */
__attribute__((unused)) static char *
fuzz_data_ser_doc(xmlDocPtr doc)
{
	struct fuzz_data_buf b = { 0 };
	char *s = fuzz_data_ser(xmlDocGetRootElement(doc));

	fuzz_data_put(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39);
	fuzz_data_put(&b, s, strlen(s));
	fuzz_data_put(&b, "\n", 1);
	free(s);
	return b.p;
}

/* The datastore document as store_read_doc() reads it, packed; NULL if unfit. */
__attribute__((unused)) static xmlDocPtr
fuzz_data_read_packed(const char *buf, size_t len)
{
	return fuzz_data_fit(packed_read_memory(buf, (int)len, NC_XML_PARSE_OPTS));
}

/* fuzz_data_c14n of an unpacked copy of doc (C14N reads real nodes only). */
__attribute__((unused)) static char *
fuzz_data_c14n_unpacked(xmlDocPtr doc)
{
	xmlDocPtr copy = packed_copy_doc(doc);
	char *s;

	packed_unpack_tree(xmlDocGetRootElement(copy));
	s = fuzz_data_c14n(copy);
	xmlFreeDoc(copy);
	return s;
}

__attribute__((unused)) static void
fuzz_data_shape_add(struct fuzz_data_buf *b, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (packed_is(n)) {
			/* tree_int.h's struct pk: length (4), magic (2), depth (2), data */
			const char *pk = (const char *)n->content;
			uint32_t len;

			memcpy(&len, pk, sizeof(len));
			fuzz_data_put(b, "P(", 2);
			fuzz_data_put(b, pk, 4);
			fuzz_data_put(b, pk + 6, 2);
			fuzz_data_put(b, pk + 8, len);
			fuzz_data_put(b, ")", 1);
		} else {
			fuzz_data_put(b, "(", 1);
			fuzz_data_shape_add(b, n->children);
			fuzz_data_put(b, ")", 1);
		}
	}
}

/* Which nodes of root's subtree are packed, and their strings; free .p. */
__attribute__((unused)) static struct fuzz_data_buf
fuzz_data_shape(xmlNodePtr root)
{
	struct fuzz_data_buf b = { 0 };

	fuzz_data_put(&b, "", 0);
	fuzz_data_shape_add(&b, root);
	return b;
}

__attribute__((unused)) static int
fuzz_data_same_shape(const struct fuzz_data_buf *a, const struct fuzz_data_buf *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

#endif
