/*
 * YANG validation of datastore data (tree/validate.c, schema/validate.c,
 * schema/datacheck.c): every kind of constraint with its error-tag,
 * error-path and error-app-tag, after an edit (the undo log says what
 * was touched), on a whole datastore and on a candidate against
 * running; and the split of a big list (example-bench-refs): a touched
 * entry, the entries its leafrefs name, unique against all entries.
 */
#include "schema_test.h"
#include "tree/tree.h"
#include "unit.h"

#define NCNS	"urn:ietf:params:xml:ns:netconf:base:1.0"
#define NT	"urn:nchome:test"
#define EBR	"urn:example:bench-refs"
#define IF	"urn:ietf:params:xml:ns:yang:ietf-interfaces"
#define CFG(x)	"<config xmlns=\"" NCNS "\" xmlns:nc=\"" NCNS "\">" x "</config>"
#define TOP(x)	"<top xmlns=\"" NT "\">" x "</top>"
#define PAIR1	"<pair><id>1</id><a>x</a><b>y</b></pair>"
#define IFS(x)	"<interfaces xmlns=\"" IF "\" xmlns:ianaift=\"urn:ietf:params:xml:ns:yang:iana-if-type\">" x "</interfaces>"
#define ETH0	"<interface><name>eth0</name><type>ianaift:ethernetCsmacd</type></interface>"
#define BASE	CFG(TOP(PAIR1 "<iface>eth0</iface>") IFS(ETH0))

static struct schema *sch;

static xmlDocPtr
parse(const char *s, int packed)
{
	xmlDocPtr d = packed ? packed_read_memory(s, (int)strlen(s), NC_XML_PARSE_OPTS) :
	    xmlReadMemory(s, (int)strlen(s), NULL, NULL, NC_XML_PARSE_OPTS);

	if (d == NULL) {
		fprintf(stderr, "bad test xml: %s\n", s);
		exit(2);
	}
	return d;
}

static void
check_err(const char *what, struct rpc *r, int rc, int want_rc, const char *tag,
    const char *path, const char *app_tag)
{
	CHECK(rc == want_rc, "%s: %s (%s %s)", what, want_rc ? "refused" : "valid",
	    err_field(r, "error-tag"), err_field(r, "error-message"));
	if (tag != NULL)
		CHECK(strcmp(err_field(r, "error-tag"), tag) == 0, "%s: error-tag %s (%s)", what,
		    tag, err_field(r, "error-tag"));
	if (path != NULL)
		CHECK(strcmp(err_field(r, "error-path"), path) == 0, "%s: error-path %s (%s)",
		    what, path, err_field(r, "error-path"));
	if (app_tag != NULL)
		CHECK(strcmp(err_field(r, "error-app-tag"), app_tag) == 0,
		    "%s: error-app-tag %s (%s)", what, app_tag, err_field(r, "error-app-tag"));
}

/* edit applied to data, then the edit's validation. */
static void
edit_case(const char *what, const char *data, const char *edit, int want_rc, const char *tag,
    const char *path, const char *app_tag)
{
	for (int packed = 0; packed < 2; packed++) {
		xmlDocPtr d = parse(data, packed), e = parse(edit, packed);
		struct edit_ctx c = { 0 };
		struct rpc r;
		char name[256];
		int rc;

		memset(&r, 0, sizeof(r));
		c.schema = sch;
		c.r = &r;
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
		    "%s: edit applies", what);
		rc = tree_validate_edit(sch, &r, xmlDocGetRootElement(d), &c);
		snprintf(name, sizeof(name), "%s%s", what, packed ? " (packed)" : "");
		check_err(name, &r, rc, want_rc, tag, path, app_tag);
		edit_undo(&c);
		edit_ctx_clear(&c);
		if (packed)
			packed_repack();
		xmlFreeDoc(r.err_doc);
		doc_free(d);
		xmlFreeDoc(e);
	}
}

static void
whole_case(const char *what, const char *data, int want_rc, const char *tag, const char *path,
    const char *app_tag)
{
	xmlDocPtr d = parse(data, 1);
	struct rpc r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = tree_validate_all(sch, &r, xmlDocGetRootElement(d));
	check_err(what, &r, rc, want_rc, tag, path, app_tag);
	xmlFreeDoc(r.err_doc);
	doc_free(d);
}

static void
diff_case(const char *what, const char *before, const char *after, int want_rc,
    const char *tag, const char *path)
{
	xmlDocPtr b = parse(before, 1), a = parse(after, 1);
	struct rpc r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = tree_validate_diff(sch, &r, xmlDocGetRootElement(a), xmlDocGetRootElement(b));
	check_err(what, &r, rc, want_rc, tag, path, NULL);
	xmlFreeDoc(r.err_doc);
	doc_free(a);
	doc_free(b);
}

static void
kinds(void)
{
	edit_case("a valid edit", BASE, CFG(TOP("<count>3</count>")), 0, NULL, NULL, NULL);
	edit_case("mandatory leaf missing", BASE, CFG(TOP("<options/>")), -1, "data-missing",
	    "/nt:top/nt:options/nt:name", NULL);
	edit_case("min-elements", BASE,
	    CFG(TOP("<pair nc:operation=\"delete\"><id>1</id></pair>")), -1, "operation-failed",
	    "/nt:top/nt:pair", "too-few-elements");
	edit_case("max-elements", BASE, CFG(TOP("<tag>a</tag><tag>b</tag><tag>c</tag><tag>d</tag>")),
	    -1, "operation-failed", "/nt:top/nt:tag[.='d']", "too-many-elements");
	edit_case("unique", BASE, CFG(TOP("<pair><id>2</id><a>x</a><b>y</b></pair>")), -1,
	    "operation-failed", NULL, "data-not-unique");
	edit_case("unique, another value", BASE, CFG(TOP("<pair><id>2</id><a>x</a><b>z</b></pair>")),
	    0, NULL, NULL, NULL);
	edit_case("must", BASE, CFG(TOP("<count>-1</count>")), -1, "operation-failed",
	    "/nt:top/nt:count", "must-violation");
	edit_case("when", BASE, CFG(TOP("<when-leaf>w</when-leaf>")), -1, "operation-failed",
	    "/nt:top/nt:when-leaf", NULL);
	edit_case("when true", BASE, CFG("<top xmlns=\"" NT "\" xmlns:nt=\"" NT "\"><pet>nt:dog</pet>"
	    "<when-leaf>w</when-leaf></top>"), 0,
	    NULL, NULL, NULL);
	edit_case("leafref to nothing", BASE, CFG(TOP("<iface>eth9</iface>")), -1, "data-missing",
	    "/nt:top/nt:iface", "instance-required");
	edit_case("leafref target removed", BASE,
	    CFG(IFS("<interface nc:operation=\"delete\"><name>eth0</name></interface>")), -1,
	    "data-missing", "/nt:top/nt:iface", "instance-required");
	whole_case("whole datastore, valid", BASE, 0, NULL, NULL, NULL);
	whole_case("whole datastore, must", CFG(TOP(PAIR1 "<count>-2</count>")), -1,
	    "operation-failed", "/nt:top/nt:count", NULL);
	whole_case("no data of a module: its constraints wait", CFG(""), 0, NULL, NULL, NULL);
	diff_case("commit, valid", BASE, CFG(TOP(PAIR1 "<iface>eth0</iface><count>1</count>") IFS(ETH0)),
	    0, NULL, NULL);
	diff_case("commit, leafref", BASE, CFG(TOP(PAIR1 "<iface>eth7</iface>") IFS(ETH0)), -1,
	    "data-missing", "/nt:top/nt:iface");
}

/* example-bench-refs: a list split into entries. */
static char *
bench_doc(int n, const char *extra)
{
	size_t cap = (size_t)n * 200 + 1024 + strlen(extra);
	char *b = malloc(cap);
	size_t len = (size_t)snprintf(b, cap, "<config xmlns=\"" NCNS "\" xmlns:nc=\"" NCNS
	    "\"><top xmlns=\"" EBR "\">");

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(b + len, cap - len, "<item><name>item-%06d</name><cfg>"
		    "<alpha>a%d</alpha><beta>b</beta>%s</cfg></item>", i, i,
		    i == 5 ? "<peer>item-000001</peer>" : "");
	snprintf(b + len, cap - len, "%s</top></config>", extra);
	return b;
}

#define EDIT_ITEM(x)	CFG("<top xmlns=\"" EBR "\"><item><name>item-000003</name><cfg>" x \
			    "</cfg></item></top>")

static void
split(void)
{
	char *data = bench_doc(200, "");
	const char *mods2[] = { "example-bench-refs", "example-bench", NULL };
	char err[512];
	struct schema *full = load_modules(mods2, err, sizeof(err)), *keep = sch;
	const struct lysc_node *top, *item;

	CHECK(full != NULL, "load example-bench-refs: %s", full ? "" : err);
	if (full == NULL)
		return;
	sch = full;
	top = schema_child(sch, NULL, EBR, "top");
	item = schema_child(sch, top, EBR, "item");
	CHECK(schema_split(sch, item) == SPLIT_NOREMOVE, "the refs list splits (removals whole)");
	top = schema_child(sch, NULL, "urn:example:bench", "top");
	item = schema_child(sch, top, "urn:example:bench", "item");
	CHECK(schema_split(sch, item) == SPLIT_YES, "the bench list splits");
	edit_case("split: valid one-leaf edit", data, EDIT_ITEM("<beta>new</beta>"), 0, NULL, NULL,
	    NULL);
	edit_case("split: leafref to an entry not touched", data,
	    EDIT_ITEM("<peer>item-000150</peer>"), 0, NULL, NULL, NULL);
	edit_case("split: leafref to an entry that refers on", data,
	    EDIT_ITEM("<peer>item-000005</peer>"), 0, NULL, NULL, NULL);
	edit_case("split: leafref to nothing", data, EDIT_ITEM("<peer>item-999999</peer>"), -1,
	    "data-missing", "/ebr:top/ebr:item[ebr:name='item-000003']/ebr:cfg/ebr:peer",
	    "instance-required");
	edit_case("split: must", data, EDIT_ITEM("<peer>item-000003</peer>"), -1,
	    "operation-failed", "/ebr:top/ebr:item[ebr:name='item-000003']/ebr:cfg",
	    "must-violation");
	edit_case("split: unique against an entry not touched", data,
	    EDIT_ITEM("<alpha>a177</alpha>"), -1, "operation-failed", NULL, "data-not-unique");
	edit_case("split: removing an entry referred to", data,
	    CFG("<top xmlns=\"" EBR "\"><item nc:operation=\"delete\"><name>item-000001</name>"
	    "</item></top>"), -1, "data-missing", NULL, "instance-required");
	edit_case("split: removing an entry nobody refers to", data,
	    CFG("<top xmlns=\"" EBR "\"><item nc:operation=\"delete\"><name>item-000002</name>"
	    "</item></top>"), 0, NULL, NULL, NULL);
	char *after = bench_doc(200, "");
	char *p = strstr(after, "<alpha>a3</alpha>");
	memcpy(p, "<alpha>a4</alpha>", 17);
	diff_case("split: commit, unique", data, after, -1, "operation-failed", NULL);
	p = strstr(after, "<alpha>a4</alpha>");
	memcpy(p, "<alpha>q3</alpha>", 17);
	diff_case("split: commit, valid", data, after, 0, NULL, NULL);
	free(after);
	free(data);
	sch = keep;
	schema_free(full);
}

/*
 * example-bench-refs' list, n entries (alpha a<i>, or a<clash_with> for
 * entry clash_at; entry peer_at names peer).
 */
static char *
big_doc(int n, int clash_at, int clash_with, int peer_at, const char *peer)
{
	size_t cap = (size_t)n * 120 + 1024;
	char *b = malloc(cap);
	size_t len = (size_t)snprintf(b, cap, "<config xmlns=\"" NCNS "\" xmlns:nc=\"" NCNS
	    "\"><top xmlns=\"" EBR "\">");

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(b + len, cap - len, "<item><name>item-%06d</name><cfg>"
		    "<alpha>a%d</alpha>%s%s%s</cfg></item>", i, i == clash_at ? clash_with : i,
		    i == peer_at ? "<peer>" : "", i == peer_at ? peer : "",
		    i == peer_at ? "</peer>" : "");
	snprintf(b + len, cap - len, "</top></config>");
	return b;
}

/*
 * Edits of more entries than are checked one by one: validated in chunks
 * (tree/validate.c), unique over the whole list (validate_distinct.c),
 * errors from validating the list whole.
 */
static void
chunks(void)
{
	const char *mods2[] = { "example-bench-refs", NULL };
	char err[512], *e;
	struct schema *full = load_modules(mods2, err, sizeof(err)), *keep = sch;
	const int n = 5000;

	CHECK(full != NULL, "load example-bench-refs: %s", full ? "" : err);
	if (full == NULL)
		return;
	sch = full;
	edit_case("chunks: a bulk edit of 5000 entries", CFG(""), e = big_doc(n, -1, 0, 4500,
	    "item-000010"), 0, NULL, NULL, NULL);
	free(e);
	edit_case("chunks: a unique clash between the first and the last entry", CFG(""),
	    e = big_doc(n, n - 1, 0, -1, NULL), -1, "operation-failed", NULL, "data-not-unique");
	free(e);
	edit_case("chunks: a leafref to nothing in the last chunk", CFG(""),
	    e = big_doc(n, -1, 0, 4500, "item-999999"), -1, "data-missing",
	    "/ebr:top/ebr:item[ebr:name='item-004500']/ebr:cfg/ebr:peer", "instance-required");
	free(e);
	char *data = big_doc(n, -1, 0, -1, NULL);
	edit_case("chunks: an edit of every entry, unique kept", data,
	    e = big_doc(n, 0, n, 4999, "item-000001"), 0, NULL, NULL, NULL);
	free(e);
	edit_case("chunks: an edit of every entry, one value taken from the first", data,
	    e = big_doc(n, n - 1, 0, -1, NULL), -1, "operation-failed", NULL, "data-not-unique");
	free(e);
	free(data);
	sch = keep;
	schema_free(full);
}

/* s with its first "<alpha>a<from></alpha>" written "<alpha>a<to></alpha>" (s freed). */
static char *
alpha_to(char *s, int from, int to)
{
	char was[64], now[64], *p, *out;
	size_t cap;

	snprintf(was, sizeof(was), "<alpha>a%d</alpha>", from);
	snprintf(now, sizeof(now), "<alpha>a%d</alpha>", to);
	if ((p = strstr(s, was)) == NULL)
		return s;
	cap = strlen(s) + strlen(now) + 1;
	out = malloc(cap);
	snprintf(out, cap, "%.*s%s%s", (int)(p - s), s, now, p + strlen(was));
	free(s);
	return out;
}

/*
 * edit applied to data, refused: the edit's error (chunks, the entries
 * a unique error names, validate_clash.c) is the one of the same tree
 * validated whole, every field, as it was before the chunks.
 */
static void
edit_as_whole(const char *what, const char *data, const char *edit)
{
	static const char *const fields[] = {
		"error-tag", "error-path", "error-message", "error-app-tag", NULL
	};

	for (int packed = 0; packed < 2; packed++) {
		xmlDocPtr d = parse(data, packed), e = parse(edit, packed);
		struct edit_ctx c = { 0 };
		struct rpc r, w;
		int rc, wrc;

		memset(&r, 0, sizeof(r));
		memset(&w, 0, sizeof(w));
		c.schema = sch;
		c.r = &r;
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
		    "%s: edit applies", what);
		rc = tree_validate_edit(sch, &r, xmlDocGetRootElement(d), &c);
		wrc = tree_validate_all(sch, &w, xmlDocGetRootElement(d));
		CHECK(rc == -1 && wrc == -1, "%s%s: refused (%d, whole %d)", what,
		    packed ? " (packed)" : "", rc, wrc);
		for (int i = 0; fields[i] != NULL; i++) {
			char mine[512];

			snprintf(mine, sizeof(mine), "%s", err_field(&r, fields[i]));
			CHECK(strcmp(mine, err_field(&w, fields[i])) == 0, "%s%s: %s as whole: %s (%s)",
			    what, packed ? " (packed)" : "", fields[i], mine, err_field(&w, fields[i]));
		}
		edit_undo(&c);
		edit_ctx_clear(&c);
		if (packed)
			packed_repack();
		xmlFreeDoc(r.err_doc);
		xmlFreeDoc(w.err_doc);
		doc_free(d);
		xmlFreeDoc(e);
	}
}

/*
 * An edit of every entry refused for unique values (chunks): the reply
 * names the pair validating the whole list would (the first entry whose
 * values an earlier one holds), and an error libyang finds before unique
 * (a leafref to nothing) is still the one given.
 */
static void
clash_replies(void)
{
	const char *mods2[] = { "example-bench-refs", NULL };
	char err[512], *e;
	struct schema *full = load_modules(mods2, err, sizeof(err)), *keep = sch;
	const int n = 5000;
	char *data;

	CHECK(full != NULL, "load example-bench-refs: %s", full ? "" : err);
	if (full == NULL)
		return;
	sch = full;
	data = big_doc(n, -1, 0, -1, NULL);
	e = big_doc(n, n - 1, 0, -1, NULL);
	edit_as_whole("clash: the last entry takes the first's value", data, e);
	free(e);
	e = alpha_to(alpha_to(big_doc(n, -1, 0, -1, NULL), 4000, 3), 100, 5);
	edit_as_whole("clash: two, the first in the list named", data, e);
	free(e);
	e = alpha_to(alpha_to(big_doc(n, -1, 0, -1, NULL), 4000, 3), 100, 4500);
	edit_as_whole("clash: two, the one whose second entry is first named", data, e);
	free(e);
	e = alpha_to(alpha_to(big_doc(n, -1, 0, -1, NULL), 30, 10), 20, 10);
	edit_as_whole("clash: three entries, one value", data, e);
	free(e);
	e = alpha_to(big_doc(n, -1, 0, 4500, "item-999999"), 4999, 0);
	edit_as_whole("clash: and a leafref to nothing, found first", data, e);
	free(e);
	e = alpha_to(big_doc(n, -1, 0, 2500, "item-002500"), 4999, 0);
	edit_as_whole("clash: and a must failed, found after", data, e);
	free(e);
	/* edits of a few entries: the entries named join the few checked */
	edit_as_whole("clash: one entry takes another's value", data,
	    CFG("<top xmlns=\"" EBR "\"><item><name>item-000003</name><cfg><alpha>a177</alpha>"
	    "</cfg></item></top>"));
	edit_as_whole("clash: one entry, with a failed must (unique comes first)", data,
	    CFG("<top xmlns=\"" EBR "\"><item><name>item-000003</name><cfg><alpha>a177</alpha>"
	    "<peer>item-000003</peer></cfg></item></top>"));
	edit_as_whole("clash: one entry, with a leafref to nothing (it comes first)", data,
	    CFG("<top xmlns=\"" EBR "\"><item><name>item-000003</name><cfg><alpha>a177</alpha>"
	    "<peer>item-999999</peer></cfg></item></top>"));
	edit_as_whole("clash: a new entry takes an entry's value", data,
	    CFG("<top xmlns=\"" EBR "\"><item><name>item-009999</name><cfg><alpha>a10</alpha>"
	    "</cfg></item></top>"));
	free(data);
	/* entry 4000, named by the clash, names entry 10: it comes too, no leafref error */
	data = big_doc(n, -1, 0, 4000, "item-000010");
	edit_as_whole("clash: with an entry whose leafref names another", data,
	    CFG("<top xmlns=\"" EBR "\"><item><name>item-000003</name><cfg><alpha>a4000</alpha>"
	    "</cfg></item></top>"));
	free(data);
	sch = keep;
	schema_free(full);
}

/* 300 entries item-<lo>.. with alpha a<i>, except entry at: a<val> (NULL: none). */
static char *
batch_doc(int lo, int at, const char *val)
{
	size_t cap = 300 * 120 + 1024;
	char *b = malloc(cap);
	size_t len = (size_t)snprintf(b, cap, "<config xmlns=\"" NCNS "\"><top xmlns=\"" EBR "\">");

	for (int i = lo; i < lo + 300; i++) {
		char v[32];

		snprintf(v, sizeof(v), "a%d", i);
		len += (size_t)snprintf(b + len, cap - len, "<item><name>item-%06d</name><cfg>"
		    "<alpha>%s</alpha></cfg></item>", i, i == at && val != NULL ? val : v);
	}
	snprintf(b + len, cap - len, "</top></config>");
	return b;
}

/* One edit of d checked; kept when keep and valid, else undone. */
static void
batch_step(const char *what, xmlDocPtr d, char *edit, int want_rc, int keep)
{
	xmlDocPtr e = parse(edit, 1);
	struct edit_ctx c = { 0 };
	struct rpc r;
	int rc;

	memset(&r, 0, sizeof(r));
	c.schema = sch;
	c.r = &r;
	CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
	    "%s: edit applies", what);
	rc = tree_validate_edit(sch, &r, xmlDocGetRootElement(d), &c);
	check_err(what, &r, rc, want_rc, want_rc ? "operation-failed" : NULL, NULL,
	    want_rc ? "data-not-unique" : NULL);
	if (rc != 0 || !keep)
		edit_undo(&c);
	edit_ctx_clear(&c);
	packed_repack();
	xmlFreeDoc(r.err_doc);
	xmlFreeDoc(e);
	free(edit);
}

/*
 * Edits of more than 256 entries one after another, as a population in
 * batches: the list's unique hashes are kept from one edit's check to the
 * next (validate_distinct.c), and still see values earlier edits wrote,
 * values they freed, and values of an edit that was undone.
 */
static void
batches(void)
{
	const char *mods2[] = { "example-bench-refs", NULL };
	char err[512], *data = big_doc(1000, -1, 0, -1, NULL);
	struct schema *full = load_modules(mods2, err, sizeof(err)), *keep = sch;
	xmlDocPtr d;

	CHECK(full != NULL, "load example-bench-refs: %s", full ? "" : err);
	if (full == NULL)
		return;
	sch = full;
	d = parse(data, 1);
	batch_step("batches: 300 new entries", d, batch_doc(1000, -1, NULL), 0, 1);
	batch_step("batches: a value the previous batch wrote", d,
	    batch_doc(1300, 1450, "a1100"), -1, 1);
	batch_step("batches: a value of the first entries", d, batch_doc(1300, 1301, "a7"), -1, 1);
	batch_step("batches: 300 new entries after refusals", d, batch_doc(1300, -1, NULL), 0, 1);
	batch_step("batches: a value written twice in one batch", d,
	    batch_doc(1600, 1650, "a1610"), -1, 1);
	/* entries 1000.. rewritten with other values: a1000.. are free again */
	char *re = batch_doc(1000, -1, NULL);
	for (char *p = re; (p = strstr(p, "<alpha>a")) != NULL; p += 7)
		p[7] = 'z';
	batch_step("batches: 300 entries rewritten", d, re, 0, 1);
	batch_step("batches: a value a rewrite freed", d, batch_doc(1600, 1601, "a1005"), 0, 1);
	batch_step("batches: a value a rewrite wrote", d, batch_doc(1900, 1901, "z1005"), -1, 1);
	/* an undone edit: the tree is as before it, whatever its check kept */
	re = batch_doc(1000, -1, NULL);
	for (char *p = re; (p = strstr(p, "<alpha>a")) != NULL; p += 7)
		p[7] = 'y';
	batch_step("batches: a rewrite not kept", d, re, 0, 0);
	batch_step("batches: a value the rewrite not kept took", d, batch_doc(1900, 1901, "z1005"),
	    -1, 1);
	batch_step("batches: an edit not kept", d, batch_doc(1900, 1950, "q1"), 0, 0);
	batch_step("batches: the value of the edit not kept", d, batch_doc(1900, 1950, "q1"), 0, 1);
	batch_step("batches: the value of the last batch", d, batch_doc(2200, 2201, "q1"), -1, 1);
	doc_free(d);
	free(data);
	sch = keep;
	schema_free(full);
}

int
main(void)
{
	const char *mods[] = { "nchome-test", NULL };
	char err[512];

	schema_test_init();
	if ((sch = load_modules(mods, err, sizeof(err))) == NULL) {
		printf("not ok 1 - load nchome-test: %s\n1..1\n", err);
		return 1;
	}
	kinds();
	split();
	chunks();
	clash_replies();
	batches();
	schema_free(sch);
	xmlCleanupParser();
	UNIT_DONE();
}
