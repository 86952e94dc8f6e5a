/*
 * edit-config with YANG modules loaded (tree/edit_index.c, edit_schema.c):
 * keys from the model (composite keys, one-entry lists), leaf-lists by
 * value, containers, config false refused, unknown elements, missing
 * keys, and values checked by their types, each error with its
 * error-tag, error-path and the model's error-app-tag; ordered-by user
 * insert, choice/case replacement, identityref and instance-identifier
 * values in the module's prefixes.  tests/yang's
 * nchome-test module.  Plain and packed trees, nodes moved and copied.
 */
#include "edit_test.h"
#include "schema_test.h"
#include "unit.h"

#define NT	"urn:nchome:test"
#define IF	"urn:ietf:params:xml:ns:yang:ietf-interfaces"
#define TOP(x)	"<top xmlns=\"" NT "\">" x "</top>"
#define TOP0	"<top xmlns=\"" NT "\"/>"
#define YNS	"urn:ietf:params:xml:ns:yang:1"
#define EDITY(x) "<config xmlns=\"" NCNS "\" xmlns:nc=\"" NCNS "\" xmlns:yang=\"" YNS "\">" \
	x "</config>"
#define RULE(n)	"<rule><name>" n "</name></rule>"
#define IFS(x)	"<interfaces xmlns=\"" IF "\">" x "</interfaces>"
#define NTL	"urn:nchome:test-toplist"
/* a top-level list entry (nchome-test-toplist) */
#define TIF(op, x) "<interface xmlns=\"" NTL "\"" op "><name>" x "</name></interface>"

static struct schema *sch;

/* xmlout.c's serializer, plain trees too */
static char *
dump(xmlDocPtr d)
{
	return dump_with(d, 1);
}

/*
 * Applies edit to data as nchome-netconf does: errors into r (NULL: not
 * kept), the edit undone when one failed, packed trees repacked.  Returns
 * the error count; *indexed (when not NULL): whether data's first element
 * (the list's parent) had an index after the edit, before any undo.
 */
static int
apply(xmlDocPtr data, xmlDocPtr edit, struct rpc *r, int *indexed)
{
	struct edit_ctx c = { 0 };
	int n;

	c.r = r;
	c.schema = sch;
	c.move = move_mode;
	n = edit_apply(&c, xmlDocGetRootElement(data), xmlDocGetRootElement(edit));
	if (indexed != NULL)
		*indexed = xmlFirstElementChild(xmlDocGetRootElement(data))->_private != NULL;
	if (n > 0)
		edit_undo(&c);
	edit_ctx_clear(&c);
	if (packed_mode)
		packed_repack();
	return n;
}

/*
 * Applies edit to data with the schema; checks the error count, the
 * result and, for errors, tag/path/app-tag (NULL: not checked).
 */
static void
expect_one(const char *what, const char *data, const char *edit, int nerr, const char *want,
    const char *tag, const char *path, const char *app_tag)
{
	xmlDocPtr d = parse(data), e = parse(edit);
	struct rpc r;
	char *got;
	int n;

	memset(&r, 0, sizeof(r));
	n = apply(d, e, &r, NULL);
	got = dump(d);
	CHECK(n == nerr && strcmp(got, want) == 0, "%s%s%s (errors %d/%d)%s%s", what,
	    packed_mode ? ", packed" : "", move_mode ? ", moving" : "", n, nerr,
	    strcmp(got, want) == 0 ? "" : " got: ", strcmp(got, want) == 0 ? "" : got);
	if (tag != NULL)
		CHECK(strcmp(err_field(&r, "error-tag"), tag) == 0, "%s: error-tag %s (%s)", what,
		    tag, err_field(&r, "error-tag"));
	if (path != NULL)
		CHECK(strcmp(err_field(&r, "error-path"), path) == 0, "%s: error-path %s (%s)",
		    what, path, err_field(&r, "error-path"));
	if (app_tag != NULL)
		CHECK(strcmp(err_field(&r, "error-app-tag"), app_tag) == 0,
		    "%s: error-app-tag %s (%s)", what, app_tag, err_field(&r, "error-app-tag"));
	free(got);
	xmlFreeDoc(r.err_doc);
	doc_free(d);
	xmlFreeDoc(e);
}

static void
expect(const char *what, const char *data, const char *edit, int nerr, const char *want,
    const char *tag, const char *path, const char *app_tag)
{
	for (move_mode = 0; move_mode < 2; move_mode++)
		expect_one(what, data, edit, nerr, want, tag, path, app_tag);
}

/*
 * Routes 10.0.<i>.0/24 metric 1, nexthop <nh>, for i in [lo, hi), into b;
 * extra goes before route at (-1: nowhere).
 */
static void
routes(char *b, size_t cap, int lo, int hi, const char *nh, int at, const char *extra)
{
	size_t len = strlen(b);

	for (int i = lo; i < hi; i++) {
		if (i == at)
			len += (size_t)snprintf(b + len, cap - len, "%s", extra);
		len += (size_t)snprintf(b + len, cap - len, "<route><prefix>10.0.%d.0/24</prefix>"
		    "<metric>1</metric><nexthop>%s</nexthop></route>", i, nh);
	}
}

/*
 * As expect_one, and whether the list's parent (<top>) got an index:
 * index_match finds entries an edit names in the store's order without one.
 */
static void
expect_in_order(const char *what, const char *data, const char *edit, int nerr,
    const char *want, int want_index)
{
	xmlDocPtr d = parse(data), e = parse(edit);
	int n, indexed;
	char *got;

	n = apply(d, e, NULL, &indexed);
	got = dump(d);
	CHECK(n == nerr && strcmp(got, want) == 0, "%s%s%s (errors %d/%d)%s%.300s", what,
	    packed_mode ? ", packed" : "", move_mode ? ", moving" : "", n, nerr,
	    strcmp(got, want) == 0 ? "" : " got: ", strcmp(got, want) == 0 ? "" : got);
	if (want_index != -1)
		CHECK(indexed == want_index, "%s: list index %s", what, want_index ? "built" : "not built");
	free(got);
	doc_free(d);
	xmlFreeDoc(e);
}

/*
 * b = an edit of <top>'s routes [from, n) then [0, from), nexthop b, with
 * extra before route at (-1: nowhere).
 */
static void
routes_edit(char *b, size_t cap, int n, int from, int at, const char *extra)
{
	strcpy(b, EDITY("<top xmlns=\"" NT "\">"));
	b[strlen(b) - strlen("</config>")] = '\0';
	routes(b, cap, from, n, "b", at, extra);
	routes(b, cap, 0, from, "b", -1, NULL);
	strcat(b, "</top></config>");
}

/* An edit of every entry of a 40-entry list (an index above 32), in order or not. */
static void
in_order_tests(void)
{
	enum { N = 40, CAP = 8192 };
	static char data[CAP], edit[CAP], all_b[CAP], want[CAP];
	const char *extra = "<route><prefix>10.0.5.0/24</prefix><metric>2</metric>"
	    "<nexthop>n</nexthop></route>";

	strcpy(data, "<config xmlns=\"" NCNS "\"><top xmlns=\"" NT "\">");
	routes(data, CAP, 0, N, "a", -1, NULL);
	strcat(data, "</top></config>");
	/* the store after an edit of every entry to nexthop b */
	strcpy(all_b, "<top xmlns=\"" NT "\">");
	routes(all_b, CAP, 0, N, "b", -1, NULL);
	strcat(all_b, "</top>");
	for (move_mode = 0; move_mode < 2; move_mode++) {
		routes_edit(edit, CAP, N, 0, -1, NULL);
		expect_in_order("every entry in the store's order: merged, no index", data, edit,
		    0, all_b, 0);

		/* a new entry whose first key is the next entry's: not that entry */
		routes_edit(edit, CAP, N, 0, 5, extra);
		strcpy(want, all_b);
		want[strlen(want) - strlen("</top>")] = '\0';
		strcat(want, extra);
		strcat(want, "</top>");
		expect_in_order("in order with a new entry sharing a key: added at the end",
		    data, edit, 0, want, -1);

		/* out of order: found through the index */
		routes_edit(edit, CAP, N, 20, -1, NULL);
		expect_in_order("every entry, out of order: merged", data, edit, 0, all_b, -1);

		/* an error at the last entry: the store exactly as it was */
		routes_edit(edit, CAP, N, 0, N - 1, "<nosuch>1</nosuch>");
		strcpy(want, data + strlen("<config xmlns=\"" NCNS "\">"));
		want[strlen(want) - strlen("</config>")] = '\0';
		expect_in_order("in order, failing at the end: undone to the byte", data, edit, 1,
		    want, -1);
	}
}

static void
all_tests(void)
{
	in_order_tests();

	const char *routes = CFG(TOP("<route><prefix>10.0.0.0/8</prefix><metric>1</metric>"
	    "<nexthop>a</nexthop></route>"));

	/* keys from the model */
	expect("composite key: another metric is another entry", routes,
	    EDIT(TOP("<route><prefix>10.0.0.0/8</prefix><metric>2</metric></route>")), 0,
	    TOP("<route><prefix>10.0.0.0/8</prefix><metric>1</metric><nexthop>a</nexthop></route>"
	    "<route><prefix>10.0.0.0/8</prefix><metric>2</metric></route>"), NULL, NULL, NULL);
	expect("composite key: both keys equal address the entry", routes,
	    EDIT(TOP("<route><metric>1</metric><prefix>10.0.0.0/8</prefix><nexthop>b</nexthop>"
	    "</route>")), 0,
	    TOP("<route><prefix>10.0.0.0/8</prefix><metric>1</metric><nexthop>b</nexthop></route>"),
	    NULL, NULL, NULL);
	expect("composite key: delete of another metric -> data-missing", routes,
	    EDIT(TOP("<route nc:operation=\"delete\"><prefix>10.0.0.0/8</prefix>"
	    "<metric>3</metric></route>")), 1,
	    TOP("<route><prefix>10.0.0.0/8</prefix><metric>1</metric><nexthop>a</nexthop></route>"),
	    "data-missing", NULL, NULL);
	expect("one-entry list (ietf-interfaces): merge of eth2 keeps eth1",
	    CFG(IFS("<interface><name>eth1</name><description>keep-me</description></interface>")),
	    EDIT(IFS("<interface><name>eth2</name></interface>")), 0,
	    IFS("<interface><name>eth1</name><description>keep-me</description></interface>"
	    "<interface><name>eth2</name></interface>"), NULL, NULL, NULL);
	expect("one-entry list: delete of eth0 with only eth9 -> data-missing",
	    CFG(IFS("<interface><name>eth9</name></interface>")),
	    EDIT(IFS("<interface nc:operation=\"delete\"><name>eth0</name></interface>")), 1,
	    IFS("<interface><name>eth9</name></interface>"), "data-missing", NULL, NULL);
	/* top-level lists (children of <config>) are addressed by their keys too */
	const char *eth1 = CFG("<interface xmlns=\"" NTL "\"><name>eth1</name>"
	    "<description>keep-me</description></interface>");
	const char *eth1_eth2 = "<interface xmlns=\"" NTL "\"><name>eth1</name>"
	    "<description>keep-me</description></interface>" TIF("", "eth2");
	expect("top-level list: merge of eth2 keeps eth1", eth1,
	    EDIT(TIF("", "eth2")), 0, eth1_eth2, NULL, NULL, NULL);
	expect("top-level list: merge of eth2 with more than its key keeps eth1", eth1,
	    EDIT("<interface xmlns=\"" NTL "\"><name>eth2</name><enabled>true</enabled>"
	    "</interface>"), 0, "<interface xmlns=\"" NTL "\"><name>eth1</name>"
	    "<description>keep-me</description></interface><interface xmlns=\"" NTL "\">"
	    "<name>eth2</name><enabled>true</enabled></interface>", NULL, NULL, NULL);
	expect("top-level list: replace of eth2 keeps eth1", eth1,
	    EDIT(TIF(" nc:operation=\"replace\"", "eth2")), 0, eth1_eth2, NULL, NULL, NULL);
	expect("top-level list: create of eth2 keeps eth1", eth1,
	    EDIT(TIF(" nc:operation=\"create\"", "eth2")), 0, eth1_eth2, NULL, NULL, NULL);
	expect("top-level list: create of eth1 -> data-exists", eth1,
	    EDIT(TIF(" nc:operation=\"create\"", "eth1")), 1, "<interface xmlns=\"" NTL "\"><name>eth1</name>"
	    "<description>keep-me</description></interface>", "data-exists", NULL, NULL);
	expect("top-level list: delete of eth0 with only eth9 -> data-missing",
	    CFG(TIF("", "eth9")), EDIT(TIF(" nc:operation=\"delete\"", "eth0")), 1,
	    TIF("", "eth9"), "data-missing", "/ntl:interface[ntl:name='eth0']", NULL);
	expect("top-level list: delete of eth9 deletes it",
	    CFG(TIF("", "eth9")), EDIT(TIF(" nc:operation=\"delete\"", "eth9")), 0,
	    "", NULL, NULL, NULL);
	expect("top-level composite key: delete of another port -> data-missing",
	    CFG("<peer xmlns=\"" NTL "\"><host>h</host><port>1</port></peer>"),
	    EDIT("<peer xmlns=\"" NTL "\" nc:operation=\"delete\"><host>h</host><port>2</port>"
	    "</peer>"), 1, "<peer xmlns=\"" NTL "\"><host>h</host><port>1</port></peer>",
	    "data-missing", NULL, NULL);
	expect("top-level container whose first leaf changes stays one container",
	    CFG("<box xmlns=\"" NTL "\"><first>a</first><second>b</second></box>"),
	    EDIT("<box xmlns=\"" NTL "\" nc:operation=\"replace\"><first>c</first></box>"), 0,
	    "<box xmlns=\"" NTL "\"><first>c</first></box>", NULL, NULL, NULL);
	expect("leaf-list by value: a second value adds", CFG(TOP("<level>1</level>")),
	    EDIT(TOP("<level>2</level>")), 0, TOP("<level>1</level><level>2</level>"),
	    NULL, NULL, NULL);
	expect("leaf-list: delete of a value not there -> data-missing",
	    CFG(TOP("<level>1</level>")), EDIT(TOP("<level nc:operation=\"delete\">2</level>")),
	    1, TOP("<level>1</level>"), "data-missing", NULL, NULL);
	expect("container whose first leaf changes stays one container",
	    CFG(TOP("<options><debug>false</debug><name>x</name></options>")),
	    EDIT(TOP("<options><debug>true</debug><name>y</name></options>")), 0,
	    TOP("<options><debug>true</debug><name>y</name></options>"), NULL, NULL, NULL);
	expect("a leaf changes value", CFG(TOP("<count>1</count>")),
	    EDIT(TOP("<count>2</count>")), 0, TOP("<count>2</count>"), NULL, NULL, NULL);

	/* refused */
	expect("config false -> invalid-value", CFG(""),
	    EDIT("<state xmlns=\"" NT "\"><entry><x>1</x></entry></state>"), 1, "",
	    "invalid-value", "/nt:state", NULL);
	expect("config false deep in a new subtree", CFG(""),
	    EDIT(TOP("<count>1</count>")"<state xmlns=\"" NT "\"/>"), 1, "",
	    "invalid-value", "/nt:state", NULL);
	expect("unknown element below a module's node -> unknown-element", CFG(TOP("")),
	    EDIT(TOP("<nosuch>1</nosuch>")), 1, TOP0, "unknown-element", NULL, NULL);
	expect("unknown element inside a new subtree", CFG(""),
	    EDIT(TOP("<options><nosuch/></options>")), 1, "", "unknown-element", NULL, NULL);
	expect("list entry without all its keys -> missing-element", CFG(""),
	    EDIT(TOP("<route><prefix>10.0.0.0/8</prefix></route>")), 1, "",
	    "missing-element", NULL, NULL);

	/* values */
	expect("bad value in a new entry -> invalid-value with its path", CFG(""),
	    EDIT(TOP("<route><prefix>10.0.0.0/8</prefix><metric>1</metric>"
	    "<nexthop>a</nexthop></route><count>x</count>")), 1, "", "invalid-value",
	    "/nt:top/nt:count", NULL);
	expect("range: the model's error-app-tag", CFG(""),
	    EDIT(TOP("<route><prefix>10.0.0.0/8</prefix><metric>20</metric></route>")), 1, "",
	    "invalid-value", NULL, "metric-range");
	expect("pattern of an existing entry's key: rule-name", CFG(TOP("")),
	    EDIT(TOP("<rule><name>UPPER</name></rule>")), 1, TOP0, "invalid-value",
	    NULL, "rule-name");
	expect("a leaf merged into existing data is checked", CFG(TOP("<count>1</count>")),
	    EDIT(TOP("<count>-x</count>")), 1, TOP("<count>1</count>"), "invalid-value",
	    "/nt:top/nt:count", NULL);
	expect("a leaf-list value out of range", CFG(TOP("")),
	    EDIT(TOP("<mtu>10</mtu>")), 1, TOP0, "invalid-value", "/nt:top/nt:mtu[.='10']",
	    NULL);
	expect("delete does not check the value", CFG(TOP("<count>1</count>")),
	    EDIT(TOP("<count nc:operation=\"delete\"/>")), 0, TOP0, NULL, NULL, NULL);

	/* ordered-by user (RFC 7950 7.8.6) */
	const char *ab = CFG(TOP(RULE("a") RULE("b")));
	expect("insert first", ab, EDITY(TOP("<rule yang:insert=\"first\"><name>c</name></rule>")),
	    0, TOP(RULE("c") RULE("a") RULE("b")), NULL, NULL, NULL);
	expect("no insert: a new entry goes last", ab, EDITY(TOP(RULE("c"))), 0,
	    TOP(RULE("a") RULE("b") RULE("c")), NULL, NULL, NULL);
	expect("insert after a key", ab, EDITY(TOP("<rule yang:insert=\"after\" "
	    "yang:key=\"[name='a']\"><name>c</name></rule>")), 0,
	    TOP(RULE("a") RULE("c") RULE("b")), NULL, NULL, NULL);
	expect("insert before a prefixed key", ab, EDITY(TOP("<rule yang:insert=\"before\" "
	    "yang:key=\"[nt:name = &quot;b&quot;]\"><name>c</name></rule>")), 0,
	    TOP(RULE("a") RULE("c") RULE("b")), NULL, NULL, NULL);
	expect("merge with insert moves an existing entry", ab,
	    EDITY(TOP("<rule yang:insert=\"first\"><name>b</name><action>drop</action></rule>")),
	    0, TOP("<rule><name>b</name><action>drop</action></rule>" RULE("a")), NULL, NULL, NULL);
	expect("replace with insert last moves it", ab, EDITY(TOP("<rule nc:operation=\"replace\" "
	    "yang:insert=\"last\"><name>a</name></rule>")), 0, TOP(RULE("b") RULE("a")),
	    NULL, NULL, NULL);
	expect("before without key -> missing-attribute", ab,
	    EDITY(TOP("<rule yang:insert=\"before\"><name>c</name></rule>")), 1,
	    TOP(RULE("a") RULE("b")), "missing-attribute", NULL, NULL);
	expect("after an entry not there -> bad-attribute, missing-instance", ab,
	    EDITY(TOP("<rule yang:insert=\"after\" yang:key=\"[name='z']\"><name>c</name>"
	    "</rule>")), 1, TOP(RULE("a") RULE("b")), "bad-attribute", "/nt:top/nt:rule[nt:name='c']",
	    "missing-instance");
	expect("insert in an ordered-by system list -> bad-attribute", routes,
	    EDITY(TOP("<route yang:insert=\"first\"><prefix>10.0.0.0/8</prefix><metric>2</metric>"
	    "</route>")), 1,
	    TOP("<route><prefix>10.0.0.0/8</prefix><metric>1</metric><nexthop>a</nexthop></route>"),
	    "bad-attribute", NULL, NULL);
	expect("leaf-list: insert before a value", CFG(TOP("<tag>x</tag><tag>y</tag>")),
	    EDITY(TOP("<tag yang:insert=\"before\" yang:value=\"y\">z</tag>")), 0,
	    TOP("<tag>x</tag><tag>z</tag><tag>y</tag>"), NULL, NULL, NULL);
	expect("leaf-list: an existing value moves first", CFG(TOP("<tag>x</tag><tag>y</tag>")),
	    EDITY(TOP("<tag yang:insert=\"first\">y</tag>")), 0,
	    TOP("<tag>y</tag><tag>x</tag>"), NULL, NULL, NULL);

	/* choice/case (RFC 7950 7.9.6) */
	expect("a node of another case removes the old case's", CFG(TOP("<tcp-port>80</tcp-port>"
	    "<pet2 xmlns:nt=\"" NT "\">nt:cat</pet2>")), EDIT(TOP("<udp-port>53</udp-port>")), 0,
	    TOP("<pet2 xmlns:nt=\"" NT "\">nt:cat</pet2><udp-port>53</udp-port>"), NULL, NULL, NULL);
	expect("a shorthand case too", CFG(TOP("<udp-port>53</udp-port>")),
	    EDIT(TOP("<sctp/>")), 0, TOP("<sctp/>"), NULL, NULL, NULL);

	/* identityref and instance-identifier in the module's prefixes */
	expect("identityref normalised", CFG(TOP("")),
	    EDIT("<top xmlns=\"" NT "\" xmlns:x=\"" NT "\"><pet>x:dog</pet></top>"), 0,
	    TOP("<pet xmlns:nt=\"" NT "\">nt:dog</pet>"), NULL, NULL, NULL);
	expect("instance-identifier normalised", CFG(TOP("")),
	    EDIT("<top xmlns=\"" NT "\"><target xmlns:q=\"" NT "\">/q:top/q:count</target></top>"),
	    0, TOP("<target xmlns:nt=\"" NT "\">/nt:top/nt:count</target>"), NULL, NULL, NULL);

	/* data no module covers: the schema-less rules */
	expect("uncovered data keeps the schema-less rules",
	    CFG("<u xmlns=\"urn:u\"><e><k>1</k><v>a</v></e></u>"),
	    EDIT("<u xmlns=\"urn:u\"><e><k>2</k><v>b</v></e></u>"), 0,
	    "<u xmlns=\"urn:u\"><e><k>1</k><v>a</v></e><e><k>2</k><v>b</v></e></u>",
	    NULL, NULL, NULL);
}

int
main(void)
{
	const char *mods[] = { "nchome-test", "nchome-test-toplist", NULL };
	char err[512];

	schema_test_init();
	if ((sch = load_modules(mods, err, sizeof(err))) == NULL) {
		printf("not ok 1 - load nchome-test: %s\n1..1\n", err);
		return 1;
	}
	all_tests();
	printf("# again, with packed trees\n");
	packed_mode = 1;
	all_tests();
	schema_free(sch);
	xmlCleanupParser();
	UNIT_DONE();
}
