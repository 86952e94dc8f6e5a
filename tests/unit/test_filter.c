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
#include "schema_test.h"

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
static const struct reply_opts *opts;	/* what the filters know of keys */

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
	*rc = filter_apply(opts, &r, xmlDocGetRootElement(f)->children->children, d, &out);
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

static xmlDocPtr
load(const char *xml)
{
	return packed_mode ? packed_read_memory(xml, (int)strlen(xml), NC_XML_PARSE_OPTS) :
	    parse(xml);
}

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
	    TOP "<users><user><name>fred</name><type>admin</type></user></users></top>");
	expect("xpath: several nodes share ancestors", "type=\"xpath\" xmlns:t=\"" T "\" "
	    "select=\"/t:top/t:users/t:user/t:company-info/t:id\"", "",
	    TOP "<users><user><name>root</name><company-info><id>1</id></company-info></user>"
	    "<user><name>fred</name><company-info><id>2</id></company-info></user>"
	    "<user><name>barney</name><company-info><id>3</id></company-info></user></users></top>");
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

#define NB "urn:nchome:bench"
#define BENCH "<bench xmlns=\"" NB "\">"
#define IANAIFT "urn:ietf:params:xml:ns:yang:iana-if-type"

/* Issue 16: list keys and the prefixes values use, in every filter. */
static void
issue16_tests(void)
{
	xmlHashTablePtr rng;
	struct reply_opts ro = { NULL, NULL, NULL, NULL };
	char **k;

	doc = load("<config xmlns=\"" NCNS "\">" BENCH
	    "<item><name>a</name><c>ca</c><d>da</d></item>"
	    "<item><name>b</name><c>cb</c><d>db</d></item></bench></config>");
	expect("subtree: a non-key leaf of each entry comes with the entry's key", SUB,
	    BENCH "<item><c/></item></bench>",
	    BENCH "<item><name>a</name><c>ca</c></item><item><name>b</name><c>cb</c></item></bench>");
	expect("xpath: a non-key leaf of each entry, entries separate, with keys",
	    "type=\"xpath\" xmlns:nb=\"" NB "\" select=\"/nb:bench/nb:item/nb:c\"", "",
	    BENCH "<item><name>a</name><c>ca</c></item><item><name>b</name><c>cb</c></item></bench>");
	expect("xpath: a selected key is not copied twice",
	    "type=\"xpath\" xmlns:nb=\"" NB "\" select=\"/nb:bench/nb:item/nb:name | "
	    "/nb:bench/nb:item/nb:d\"", "",
	    BENCH "<item><name>a</name><d>da</d></item><item><name>b</name><d>db</d></item></bench>");
	expect("xpath: names without a prefix, resolved by the data's namespaces",
	    "type=\"xpath\" select=\"/bench/item/c\"", "",
	    BENCH "<item><name>a</name><c>ca</c></item><item><name>b</name><c>cb</c></item></bench>");
	expect("xpath: unprefixed names in predicates, operators and functions",
	    "type=\"xpath\" select=\"/bench/item[name = 'b' or name='x' and "
	    "string-length(d) div 2 = 1]/d | //item[position() = 1 and @a = 'q']\"", "",
	    BENCH "<item><name>b</name><d>db</d></item></bench>");
	expect("xpath: child:: axis and * keep their meaning",
	    "type=\"xpath\" select=\"/child::bench/*[2]/child::c\"", "",
	    BENCH "<item><name>b</name><c>cb</c></item></bench>");
	expect("subtree: a content match on the key still selects once", SUB,
	    BENCH "<item><name>b</name><d/></item></bench>",
	    BENCH "<item><name>b</name><d>db</d></item></bench>");
	/* RELAX NG keys (nma:key) name a key that is not the first leaf */
	rng = xmlHashCreate(4);
	k = calloc(2, sizeof(*k));
	k[0] = strdup("d");
	xmlHashAddEntry(rng, BAD_CAST "item", k);
	ro.keys = rng;
	opts = &ro;
	expect("subtree: RELAX NG keys are the entry's keys", SUB,
	    BENCH "<item><c/></item></bench>",
	    BENCH "<item><c>ca</c><d>da</d></item><item><c>cb</c><d>db</d></item></bench>");
	opts = NULL;
	keys_free(rng);
	xmlFreeDoc(doc);

	/* one entry: schema-less it cannot be told from a container */
	doc = load("<config xmlns=\"" NCNS "\">" BENCH
	    "<item><name>a</name><c>ca</c></item></bench></config>");
	expect("subtree: schema-less, a lone element is a container (no key)", SUB,
	    BENCH "<item><c/></item></bench>", BENCH "<item><c>ca</c></item></bench>");
	xmlFreeDoc(doc);

	/* a name in two namespaces is not guessed */
	doc = load("<config xmlns=\"" NCNS "\">" BENCH "<c>one</c></bench>"
	    "<other xmlns=\"urn:other\"><c>two</c></other></config>");
	expect("xpath: an unprefixed name two namespaces use stays in no namespace",
	    "type=\"xpath\" select=\"//c\"", "", "");
	expect("xpath: ...while an unambiguous one resolves",
	    "type=\"xpath\" select=\"/other/*\"", "", "<other xmlns=\"urn:other\"><c>two</c></other>");
	xmlFreeDoc(doc);

	/* identityref prefixes: on the leaf, on an ancestor, on the datastore root */
	doc = load("<config xmlns=\"" NCNS "\" xmlns:ianaift=\"" IANAIFT "\">"
	    "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\" "
	    "xmlns:x=\"urn:x\">"
	    "<interface><name>eth0</name><type>ianaift:ethernetCsmacd</type><d>x:v</d></interface>"
	    "<interface><name>eth1</name><type xmlns:t=\"urn:t\">t:other</type><d>x:w</d></interface>"
	    "</interfaces></config>");
	expect("subtree: identityref prefixes stay declared (leaf, ancestor, root)", SUB,
	    "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"><interface>"
	    "<type/><d/></interface></interfaces>",
	    "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\" xmlns:x=\"urn:x\" "
	    "xmlns:ianaift=\"" IANAIFT "\"><interface><name>eth0</name>"
	    "<type>ianaift:ethernetCsmacd</type><d>x:v</d></interface>"
	    "<interface><name>eth1</name><type xmlns:t=\"urn:t\">t:other</type><d>x:w</d>"
	    "</interface></interfaces>");
	expect("xpath: identityref prefixes stay declared",
	    "type=\"xpath\" xmlns:if=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\" "
	    "select=\"/if:interfaces/if:interface/if:type\"", "",
	    "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\" "
	    "xmlns:ianaift=\"" IANAIFT "\"><interface><name>eth0</name>"
	    "<type>ianaift:ethernetCsmacd</type></interface>"
	    "<interface><name>eth1</name><type xmlns:t=\"urn:t\">t:other</type>"
	    "</interface></interfaces>");
	xmlFreeDoc(doc);
}

/* Keys from a YANG module: a one-entry list still gets its key. */
static void
schema_tests(void)
{
	static const char *const mods[] = { "example-bench", NULL };
	char err[512];
	struct schema *s;
	struct reply_opts ro = { NULL, NULL, NULL, NULL };

	schema_test_init();
	if ((s = load_modules(mods, err, sizeof(err))) == NULL) {
		CHECK(0, "example-bench loads: %s", err);
		return;
	}
	ro.schema = s;
	doc = load("<config xmlns=\"" NCNS "\"><top xmlns=\"urn:example:bench\">"
	    "<item><name>item-000001</name><cfg><alpha>x</alpha><beta>y</beta></cfg></item>"
	    "</top></config>");
	opts = &ro;
	expect("schema: a one-entry list's entry comes with its key", SUB,
	    "<top xmlns=\"urn:example:bench\"><item><cfg><beta/></cfg></item></top>",
	    "<top xmlns=\"urn:example:bench\"><item><name>item-000001</name>"
	    "<cfg><beta>y</beta></cfg></item></top>");
	expect("schema: xpath, the same", "type=\"xpath\" xmlns:eb=\"urn:example:bench\" "
	    "select=\"//eb:beta\"", "",
	    "<top xmlns=\"urn:example:bench\"><item><name>item-000001</name>"
	    "<cfg><beta>y</beta></cfg></item></top>");
	opts = NULL;
	xmlFreeDoc(doc);
	schema_free(s);
}

int
main(void)
{
	all_tests();
	issue16_tests();
	printf("# again, with a packed tree\n");
	packed_mode = 1;
	all_tests();
	issue16_tests();
	schema_tests();
	xmlCleanupParser();
	UNIT_DONE();
}
