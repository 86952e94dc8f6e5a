/*
 * Helpers shared by the edit-config unit tests (test_edit.c,
 * test_edit_yang.c): the documents' namespaces, parsing as
 * nchome-netconf does (packed or plain) and the data serialized.
 */
#ifndef NCHOME_EDIT_TEST_H
#define NCHOME_EDIT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "tree/tree.h"

#define NCNS	"urn:ietf:params:xml:ns:netconf:base:1.0"
#define CFG(x)	"<config xmlns=\"" NCNS "\">" x "</config>"
#define EDIT(x)	"<config xmlns=\"" NCNS "\" xmlns:nc=\"" NCNS "\">" x "</config>"

static int packed_mode;	/* documents are packed as they are parsed */
static int move_mode;	/* edit_ctx.move: edit nodes are moved, not copied */

/* Parses s as a request or a datastore file is (packed in packed_mode); exits on bad XML. */
static __attribute__((unused)) xmlDocPtr
parse(const char *s)
{
	xmlDocPtr d = packed_mode ? packed_read_memory(s, (int)strlen(s), NC_XML_PARSE_OPTS) :
	    xmlReadMemory(s, (int)strlen(s), NULL, NULL, NC_XML_PARSE_OPTS);
	if (d == NULL) {
		fprintf(stderr, "bad test xml: %s\n", s);
		exit(2);
	}
	return d;
}

static int
to_buffer(void *b, const char *s, size_t len)
{
	xmlBufferAdd(b, BAD_CAST s, (int)len);
	return 0;
}

/*
 * The children of the root, serialized: by xmlout.c (which reads packed
 * nodes) when xmlout is set, else by libxml2 (plain trees only).
 * malloc()ed.
 */
static __attribute__((unused)) char *
dump_with(xmlDocPtr d, int xmlout)
{
	xmlBufferPtr b = xmlBufferCreate();
	char *out;

	if (xmlout) {
		struct xmlout *xo = xo_new_writer(to_buffer, b);

		for (xmlNodePtr c = xmlDocGetRootElement(d)->children; c != NULL; c = c->next)
			xo_node(xo, c, NULL);
		xo_finish(xo);
	} else
		for (xmlNodePtr c = xmlDocGetRootElement(d)->children; c != NULL; c = c->next)
			xmlNodeDump(b, d, c, 0, 0);
	out = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return out;
}

#endif
