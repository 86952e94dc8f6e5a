/*
 * Subtree filters (RFC 6241 section 6, every example of 6.4) and XPath
 * filters on in-memory documents (subsystem/filter_subtree.c,
 * filter_xpath.c).  Everything runs twice: on a plain tree, and on one
 * packed as nchome-netconf parses datastores (packed.c), the result
 * serialized by xmlout.c and the tree packed again after each filter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "tree/tree.h"
#include "unit.h"

#define NCNS "urn:ietf:params:xml:ns:netconf:base:1.0"
#define T "http://example.com/schema/1.2/config"

/* RFC 6241 6.4's data, with the interfaces of 6.4.8 added. */
static const char *data =
    "<config xmlns=\"" NCNS "\"><top xmlns=\"" T "\"><users>"
    "<user><name>root</name><type>superuser</type><full-name>Charlie Root</full-name>"
    "<company-info><dept>1</dept><id>1</id></company-info></user>"
    "<user><name>fred</name><type>admin</type><full-name>Fred Flintstone</full-name>"
    "<company-info><dept>2</dept><id>2</id></company-info></user>"
    "<user><name>barney</name><type>admin</type><full-name>Barney Rubble</full-name>"
    "<company-info><dept>2</dept><id>3</id></company-info></user>"
    "</users><interfaces><interface ifName=\"eth0\"><mtu>1500</mtu></interface>"
    "<interface ifName=\"eth1\"><mtu>9000</mtu></interface></interfaces></top>"
    "<other xmlns=\"urn:other\"><users>x</users></other></config>";

static xmlDocPtr
parse(const char *s)
{
	xmlDocPtr d = xmlReadMemory(s, (int)strlen(s), NULL, NULL, NC_XML_PARSE_OPTS);
	if (d == NULL) {
		fprintf(stderr, "bad test xml: %s\n", s);
		exit(2);
	}
	return d;
}

static int packed_mode;

static int
to_buffer(void *b, const char *s, size_t len)
{
	xmlBufferAdd(b, BAD_CAST s, (int)len);
	return 0;
}

/* Runs <filter>body</filter> (attrs on the filter element) on data; result serialized. */
static char *
run(xmlDocPtr d, const char *attrs, const char *body, int *rc)
{
	char buf[4096];
	xmlDocPtr f, out = NULL;
	struct rpc r = { 0 };
	xmlBufferPtr b = xmlBufferCreate();
	char *s;

	snprintf(buf, sizeof(buf), "<rpc xmlns=\"%s\"><get><filter %s>%s</filter></get></rpc>",
	    NCNS, attrs, body);
	f = parse(buf);
	*rc = filter_apply(&r, xmlDocGetRootElement(f)->children->children, d, &out);
	if (out != NULL && packed_mode) {
		struct xmlout *xo = xo_new_writer(to_buffer, b);

		for (xmlNodePtr c = xmlDocGetRootElement(out)->children; c != NULL; c = c->next)
			xo_node(xo, c, NULL);
		xo_finish(xo);
		xmlFreeDoc(out);
	} else if (out != NULL) {
		for (xmlNodePtr c = xmlDocGetRootElement(out)->children; c != NULL; c = c->next)
			xmlNodeDump(b, out, c, 0, 0);
		xmlFreeDoc(out);
	}
	if (packed_mode)
		packed_repack();	/* as after each RPC */
	s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	xmlFreeDoc(f);
	xmlFreeDoc(r.err_doc);
	return s;
}

static xmlDocPtr doc;

static void
expect(const char *what, const char *attrs, const char *body, const char *want)
{
	int rc;
	char *got = run(doc, attrs, body, &rc);

	CHECK(rc == 0 && strcmp(got, want) == 0, "%s%s%s", what,
	    strcmp(got, want) == 0 ? "" : " got: ", strcmp(got, want) == 0 ? "" : got);
	free(got);
}

#define TOP "<top xmlns=\"" T "\">"
#define SUB "type=\"subtree\""
#define FRED "<user><name>fred</name><type>admin</type><full-name>Fred Flintstone</full-name>" \
    "<company-info><dept>2</dept><id>2</id></company-info></user>"

static void
all_tests(void)
{
	int rc;
	char *got;

	doc = packed_mode ? packed_read_memory(data, (int)strlen(data), NC_XML_PARSE_OPTS) :
	    parse(data);
	if (packed_mode) {
		xmlNodePtr users = xmlDocGetRootElement(doc)->children->children;
		CHECK(packed_is(users), "the user list is packed");
	}

	/* 6.4.2 empty filter */
	expect("6.4.2 empty filter selects nothing", SUB, "", "");
	/* 6.4.3 the entire users subtree */
	got = run(doc, SUB, TOP "<users/></top>", &rc);
	CHECK(rc == 0 && strncmp(got, TOP "<users><user><name>root</name>", strlen(TOP "<users><user><name>root</name>")) == 0 &&
	    strstr(got, "Barney Rubble") && !strstr(got, "interfaces") && !strstr(got, "urn:other"),
	    "6.4.3 select the entire users subtree (namespace respected)");
	free(got);
	/* 6.4.4 all name elements */
	expect("6.4.4 all the name elements within users", SUB,
	    TOP "<users><user><name/></user></users></top>",
	    TOP "<users><user><name>root</name></user><user><name>fred</name></user>"
	    "<user><name>barney</name></user></users></top>");
	/* 6.4.5 one specific user entry */
	expect("6.4.5 one specific user entry", SUB,
	    TOP "<users><user><name>fred</name></user></users></top>",
	    TOP "<users>" FRED "</users></top>");
	/* 6.4.6 specific elements from a specific entry */
	expect("6.4.6 specific elements from a specific entry", SUB,
	    TOP "<users><user><name>fred</name><type/><full-name/></user></users></top>",
	    TOP "<users><user><name>fred</name><type>admin</type><full-name>Fred Flintstone</full-name>"
	    "</user></users></top>");
	/* 6.4.7 multiple subtrees */
	expect("6.4.7 multiple subtrees", SUB,
	    TOP "<users><user><name>root</name><company-info/></user>"
	    "<user><name>fred</name><company-info><id/></company-info></user>"
	    "<user><name>barney</name><type>superuser</type><company-info><dept/></company-info></user>"
	    "</users></top>",
	    TOP "<users><user><name>root</name><company-info><dept>1</dept><id>1</id></company-info></user>"
	    "<user><name>fred</name><company-info><id>2</id></company-info></user></users></top>");
	/* 6.4.8 elements with attribute naming */
	expect("6.4.8 attribute match", SUB,
	    "<t:top xmlns:t=\"" T "\"><t:interfaces><t:interface ifName=\"eth0\"/></t:interfaces></t:top>",
	    TOP "<interfaces><interface ifName=\"eth0\"><mtu>1500</mtu></interface></interfaces></top>");
	/* 6.2.5 content match AND */
	expect("content match nodes are ANDed", SUB,
	    TOP "<users><user><type>admin</type><name>barney</name></user></users></top>",
	    TOP "<users><user><name>barney</name><type>admin</type><full-name>Barney Rubble</full-name>"
	    "<company-info><dept>2</dept><id>3</id></company-info></user></users></top>");
	expect("content match with surrounding white space", SUB,
	    TOP "<users><user><name> fred </name><type/></user></users></top>",
	    TOP "<users><user><name>fred</name><type>admin</type></user></users></top>");
	expect("no match selects nothing", SUB,
	    TOP "<users><user><name>wilma</name></user></users></top>", "");
	expect("wrong namespace selects nothing", SUB, "<top xmlns=\"urn:nope\"><users/></top>", "");
	expect("no namespace matches any namespace (6.2.1)", SUB, "<users xmlns=\"\"/>", "");
	expect("top-level no-namespace selection", SUB, "<other xmlns=\"\"/>",
	    "<other xmlns=\"urn:other\"><users>x</users></other>");
	expect("filter type defaults to subtree", "", TOP "<interfaces><interface><mtu>9000</mtu></interface>"
	    "</interfaces></top>",
	    TOP "<interfaces><interface ifName=\"eth1\"><mtu>9000</mtu></interface></interfaces></top>");

	/* XPath */
	expect("xpath: one leaf with its ancestors", "type=\"xpath\" xmlns:t=\"" T "\" "
	    "select=\"/t:top/t:users/t:user[t:name='fred']/t:type\"", "",
	    TOP "<users><user><type>admin</type></user></users></top>");
	expect("xpath: several nodes share ancestors", "type=\"xpath\" xmlns:t=\"" T "\" "
	    "select=\"/t:top/t:users/t:user/t:company-info/t:id\"", "",
	    TOP "<users><user><company-info><id>1</id></company-info></user>"
	    "<user><company-info><id>2</id></company-info></user>"
	    "<user><company-info><id>3</id></company-info></user></users></top>");
	expect("xpath: attribute predicate, whole subtree", "type=\"xpath\" xmlns:t=\"" T "\" "
	    "select=\"//t:interface[@ifName='eth1']\"", "",
	    TOP "<interfaces><interface ifName=\"eth1\"><mtu>9000</mtu></interface></interfaces></top>");
	expect("xpath: text node brings its element", "type=\"xpath\" xmlns:o=\"urn:other\" "
	    "select=\"/o:other/o:users/text()\"", "", "<other xmlns=\"urn:other\"><users>x</users></other>");
	expect("xpath: nothing selected", "type=\"xpath\" select=\"/nothing\"", "", "");
	got = run(doc, "type=\"xpath\" select=\"/\"", "", &rc);
	CHECK(rc == 0 && strstr(got, "Charlie Root") && strstr(got, "urn:other"), "xpath: / is everything");
	free(got);
	got = run(doc, "type=\"xpath\" select=\"/t:top[\"", "", &rc);
	CHECK(rc == -1, "xpath: bad expression is an error");
	free(got);
	got = run(doc, "type=\"xpath\" select=\"count(//user)\"", "", &rc);
	CHECK(rc == -1, "xpath: a non-node-set result is an error");
	free(got);
	got = run(doc, "type=\"xpath\"", "", &rc);
	CHECK(rc == -1, "xpath: missing select is an error");
	free(got);
	got = run(doc, "type=\"frob\"", "", &rc);
	CHECK(rc == -1, "unknown filter type is an error");
	free(got);

	if (packed_mode) {
		xmlNodePtr users = xmlDocGetRootElement(doc)->children->children;
		CHECK(packed_is(users), "the user list is packed again after all filters");
	}
	xmlFreeDoc(doc);
}

int
main(void)
{
	all_tests();
	printf("# again, with a packed tree\n");
	packed_mode = 1;
	all_tests();
	xmlCleanupParser();
	UNIT_DONE();
}
