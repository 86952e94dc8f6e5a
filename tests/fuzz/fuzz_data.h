/*
 * Shared by fuzz_edit.c and fuzz_filter.c: a fixed datastore document to
 * work on when an input brings none, the list keys of a small RELAX NG
 * file (item keyed by name), and a canonical form of a document (exclusive
 * C14N) to compare trees whatever the namespace declarations' places.
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

#include "edit.h"

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

/* The datastore document as store_read_doc() would read it; NULL if unfit. */
__attribute__((unused)) static xmlDocPtr
fuzz_data_read(const char *buf, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(buf, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
	xmlNodePtr root;

	if (doc == NULL)
		return NULL;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || doc->intSubset != NULL || !nc_is(root, "config")) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
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

#endif
