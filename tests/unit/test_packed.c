/*
 * Unit tests of packed subtrees (subsystem/packed.c) at their limits:
 * what may be packed, and that a packed tree serializes, copies and
 * unpacks to what the plain parse gives.
 */
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "packed.h"
#include "unit.h"
#include "xmlout.h"

struct sbuf_out {
	char	*p;
	size_t	 len;
};

static int
put(void *arg, const char *s, size_t n)
{
	struct sbuf_out *b = arg;
	char *p = realloc(b->p, b->len + n + 1);

	if (p == NULL)
		abort();
	memcpy(p + b->len, s, n);
	b->len += n;
	p[b->len] = '\0';
	b->p = p;
	return 0;
}

static char *
ser(xmlDocPtr doc)
{
	struct sbuf_out b = { NULL, 0 };
	struct xmlout *xo = xo_new_writer(put, &b);

	xo_node(xo, xmlDocGetRootElement(doc), NULL);
	xo_finish(xo);
	return b.p;
}

/* doc's first element below root's first element (config/top/item). */
static xmlNodePtr
item_of(xmlDocPtr doc)
{
	return xmlDocGetRootElement(doc)->children->children;
}

/* Text after an element's last child element counts towards PK_MAX. */
static void
test_trailing_text_limit(size_t textlen)
{
	static const char head[] =
	    "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
	    "<top xmlns=\"urn:x\"><item><a/>";
	static const char tail[] = "</item></top></config>";
	size_t len = sizeof(head) - 1 + textlen + sizeof(tail) - 1;
	char *xml = malloc(len + 1), *want, *got;
	xmlDocPtr plain, packed, copy;

	memcpy(xml, head, sizeof(head) - 1);
	memset(xml + sizeof(head) - 1, 'z', textlen);
	memcpy(xml + sizeof(head) - 1 + textlen, tail, sizeof(tail));
	plain = xmlReadMemory(xml, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
	packed = packed_read_memory(xml, (int)len, NC_XML_PARSE_OPTS);
	CHECK(plain != NULL && packed != NULL, "%zu-byte trailing text parses", textlen);
	CHECK(!packed_is(item_of(packed)),
	    "an entry with %zu bytes of trailing text is not packed", textlen);
	copy = packed_copy_doc(packed);
	want = ser(plain);
	got = ser(copy);
	CHECK(strcmp(want, got) == 0, "its copy serializes as the plain tree");
	free(got);
	packed_unpack_tree(xmlDocGetRootElement(packed));
	got = ser(packed);
	CHECK(strcmp(want, got) == 0, "unpacked, it serializes as the plain tree");
	free(got);
	free(want);
	xmlFreeDoc(copy);
	xmlFreeDoc(plain);
	xmlFreeDoc(packed);
	free(xml);
}

int
main(void)
{
	test_trailing_text_limit(3000);		/* over PK_MAX */
	test_trailing_text_limit(70000);	/* over the 16-bit length */
	UNIT_DONE();
}
