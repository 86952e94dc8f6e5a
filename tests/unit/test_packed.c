/*
 * Unit tests of packed subtrees (subsystem/packed.c) at their limits:
 * what may be packed, and that a packed tree serializes, copies and
 * unpacks to what the plain parse gives; and undone edits of packed
 * lists (edit.c), which repack entries while the edit runs; the arena
 * of small strings (packed_arena.c).
 */
#include <stdlib.h>
#include <string.h>

#include "tree/tree.h"
#include "tree/tree_int.h"
#include "unit.h"

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

/*
 * packed, its copy, and packed unpacked serialize as want (the plain
 * parse's); what names the case.  Returns the copy, for the caller to
 * free once its own checks are done.
 */
static xmlDocPtr
check_as_plain(xmlDocPtr packed, const char *want, const char *what)
{
	xmlDocPtr copy;
	char *got;

	got = ser(packed);
	CHECK(strcmp(want, got) == 0, "packed, it serializes as the plain tree (%s)", what);
	free(got);
	copy = packed_copy_doc(packed);
	got = ser(copy);
	CHECK(strcmp(want, got) == 0, "its copy serializes as the plain tree");
	free(got);
	packed_unpack_tree(xmlDocGetRootElement(packed));
	got = ser(packed);
	CHECK(strcmp(want, got) == 0, "unpacked, it serializes as the plain tree");
	free(got);
	return copy;
}

/*
 * An entry of leaves only with long trailing text: packed at any size
 * (a container of leaves has no PK_MAX), the length past 16 bits kept.
 */
static void
test_trailing_text_limit(size_t textlen)
{
	static const char head[] =
	    "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
	    "<top xmlns=\"urn:x\"><item><a/>";
	static const char tail[] = "</item></top></config>";
	size_t len = sizeof(head) - 1 + textlen + sizeof(tail) - 1;
	char *xml = malloc(len + 1), *want;
	xmlDocPtr plain, packed, copy;

	memcpy(xml, head, sizeof(head) - 1);
	memset(xml + sizeof(head) - 1, 'z', textlen);
	memcpy(xml + sizeof(head) - 1 + textlen, tail, sizeof(tail));
	plain = xmlReadMemory(xml, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
	packed = packed_read_memory(xml, (int)len, NC_XML_PARSE_OPTS);
	CHECK(plain != NULL && packed != NULL, "%zu-byte trailing text parses", textlen);
	CHECK(packed_is(item_of(packed)),
	    "an entry of leaves with %zu bytes of trailing text is packed", textlen);
	want = ser(plain);
	copy = check_as_plain(packed, want, "trailing text");
	free(want);
	xmlFreeDoc(copy);
	xmlFreeDoc(plain);
	xmlFreeDoc(packed);
	free(xml);
}

static xmlDocPtr
list_doc(int n, const char *pad)
{
	char xml[16384];
	size_t len;

	len = (size_t)snprintf(xml, sizeof(xml),
	    "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><top xmlns=\"urn:x\">");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(xml + len, sizeof(xml) - len,
		    "<item><name>n%d</name><value>%d%s</value></item>", i, i, pad);
	len += (size_t)snprintf(xml + len, sizeof(xml) - len, "</top></config>");
	return packed_read_memory(xml, (int)len, NC_XML_PARSE_OPTS);
}

/* Applies edit to doc as op_edit_config does (stop-on-error, undone on errors). */
static int
edit(xmlDocPtr doc, const char *xml)
{
	xmlDocPtr req = packed_read_memory(xml, (int)strlen(xml), NC_XML_PARSE_OPTS);
	struct edit_ctx c;
	int nerr;

	memset(&c, 0, sizeof(c));
	nerr = edit_apply(&c, xmlDocGetRootElement(doc), xmlDocGetRootElement(req));
	if (nerr > 0)
		edit_undo(&c);
	edit_ctx_clear(&c);
	xmlFreeDoc(req);
	packed_repack();	/* as after each RPC */
	return nerr;
}

static int
count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

#define EDIT_HEAD "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"" \
	" xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><top xmlns=\"urn:x\">"
#define EDIT_TAIL "</top></config>"

/*
 * A failing edit of a packed node (top) whose entries change and are
 * packed again while top itself is not (it has an index: 40 entries):
 * the undo must not touch the nodes that packing freed (ASan: a node the
 * undo links into freed memory leaks, an added one is freed twice).
 */
static void
test_undo_after_partial_repack(void)
{
	xmlDocPtr doc = list_doc(40, "");
	char *before = ser(doc), *after;
	int nerr;

	nerr = edit(doc, EDIT_HEAD
	    "<item><name>n1</name><value nc:operation=\"delete\"/><new>x</new></item>"
	    "<item nc:operation=\"create\"><name>n2</name></item>" EDIT_TAIL);
	after = ser(doc);
	CHECK(nerr == 1 && strcmp(before, after) == 0,
	    "an edit failing after its entries were repacked is undone (%d errors)", nerr);
	free(before);
	free(after);
	doc_free(doc);
}

/*
 * An undone edit of a packed list entry that changed the entry's key
 * (its first leaf) leaves the list's index right: a later edit finds the
 * entry by its key.  The list (40 entries, over PK_MAX) is not packed.
 */
static void
test_undo_keeps_index(void)
{
	xmlDocPtr doc = list_doc(40, "-a-longer-value-to-pass-pk-max");
	char *got;
	int nerr;

	nerr = edit(doc, EDIT_HEAD
	    "<item><name nc:operation=\"delete\">n1</name></item>"
	    "<item nc:operation=\"create\"><name>n2</name></item>" EDIT_TAIL);
	CHECK(nerr == 1, "the edit fails on the existing n2 (%d errors)", nerr);
	nerr = edit(doc, EDIT_HEAD "<item><name>n1</name><value>X</value></item>" EDIT_TAIL);
	got = ser(doc);
	CHECK(nerr == 0 && count(got, "<name>n1</name>") == 1 &&
	    strstr(got, "<name>n1</name><value>X</value>") != NULL,
	    "a merge after the undo edits n1, not a second n1 (%d errors, %d n1)",
	    nerr, count(got, "<name>n1</name>"));
	free(got);
	doc_free(doc);
}

/*
 * An edit merging new values into every entry of a packed list reads
 * each request entry packed (edit_index.c's index_match)
 * and packs it again after applying it: none of the request's entries
 * is left unpacked while the edit runs (a 50,000-entry merge held the
 * whole request unpacked until the RPC ended).
 */
static void
test_merge_keeps_request_packed(void)
{
	char xml[16384];
	size_t len = 0;
	xmlDocPtr doc = list_doc(150, ""), req;
	struct edit_ctx c;
	int nerr, unpacked = 0, entries = 0;

	len += (size_t)snprintf(xml + len, sizeof(xml) - len, EDIT_HEAD);
	for (int i = 0; i < 150; i++)	/* the request's <top> is then too big to pack */
		len += (size_t)snprintf(xml + len, sizeof(xml) - len,
		    "<item><name>n%d</name><value>new%d</value></item>", i, i);
	len += (size_t)snprintf(xml + len, sizeof(xml) - len, EDIT_TAIL);
	req = packed_read_memory(xml, (int)len, NC_XML_PARSE_OPTS);
	memset(&c, 0, sizeof(c));
	nerr = edit_apply(&c, xmlDocGetRootElement(doc), xmlDocGetRootElement(req));
	for (xmlNodePtr e = item_of(req); e != NULL; e = e->next, entries++)
		unpacked += !packed_is(e);
	CHECK(nerr == 0 && entries == 150 && unpacked == 0,
	    "a merge into every entry leaves the request's entries packed (%d errors, %d of %d unpacked)",
	    nerr, unpacked, entries);
	edit_ctx_clear(&c);
	xmlFreeDoc(req);
	packed_repack();
	doc_free(doc);
}

/*
 * Containers of many leaves, packed leaf by leaf as they are parsed
 * (packed_grow.c): packed whole when leaves only, put back as nodes in
 * their order when something else follows the leaves; both serialize,
 * copy and unpack as the plain parse.
 */
static void
test_big_leaves(const char *between, const char *last, int want_packed)
{
	size_t cap = 400000, len = 0;
	char *xml = malloc(cap), *want, *got;
	xmlDocPtr plain, packed, copy;
	xmlNodePtr blob;

	len += (size_t)snprintf(xml + len, cap - len,
	    "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><blob xmlns=\"urn:b\">");
	for (int i = 0; i < 3000; i++)	/* ~100 KB: past PK_MAX and 16 bits */
		len += (size_t)snprintf(xml + len, cap - len,
		    "<leaf%04d>v-%04d &amp; padding</leaf%04d>%s%s", i, i, i,
		    i % 7 == 0 ? "<e/>" : "", between);
	len += (size_t)snprintf(xml + len, cap - len, "%s</blob><after xmlns=\"urn:b\">"
	    "<x>1</x></after></config>", last);
	plain = xmlReadMemory(xml, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
	packed = packed_read_memory(xml, (int)len, NC_XML_PARSE_OPTS);
	blob = xmlDocGetRootElement(packed)->children;
	CHECK(plain != NULL && packed != NULL, "a container of 3000 leaves (%s) parses", last);
	CHECK(packed_is(blob) == want_packed, "it is %spacked (%s)", want_packed ? "" : "not ", last);
	CHECK(packed_is(blob->next), "the entry after it is packed");
	want = ser(plain);
	copy = check_as_plain(packed, want, last);
	packed_repack();	/* as after an RPC: packed again, whole */
	CHECK(packed_is(blob) == want_packed, "repacked, it is %spacked", want_packed ? "" : "not ");
	got = ser(packed);
	CHECK(strcmp(want, got) == 0, "repacked, it serializes as the plain tree");
	free(got);
	free(want);
	xmlFreeDoc(copy);
	xmlFreeDoc(plain);
	xmlFreeDoc(packed);
	free(xml);
}

/* Applies edit xml to doc (move: its nodes move in, as nchome-netconf does); errors. */
static int
edit_as(xmlDocPtr doc, const char *xml, int move)
{
	xmlDocPtr req = packed_read_memory(xml, (int)strlen(xml), NC_XML_PARSE_OPTS);
	struct edit_ctx c;
	int nerr;

	memset(&c, 0, sizeof(c));
	c.move = move;
	nerr = edit_apply(&c, xmlDocGetRootElement(doc), xmlDocGetRootElement(req));
	if (nerr > 0)
		edit_undo(&c);
	edit_ctx_clear(&c);
	xmlFreeDoc(req);
	packed_repack();
	return nerr;
}

static void
count_free(void *arg, const xmlNode *n)
{
	(void)n;
	(*(int *)arg)++;
}

#define SPARSE_HEAD "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"" \
	" xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><blob xmlns=\"urn:b\">"

/*
 * Small edits of a big packed container of leaves (edit_sparse.c: only
 * the leaves they may match are unpacked): the container stays packed,
 * its string the one packing the plain tree gives, and it serializes
 * as the same edits of the plain tree do.  Only a few of its leaves are
 * unpacked (and freed), unless the edit does more than merge leaves.
 * Leaves of one name (a leaf-list: tag) with repeated values, one named
 * once (one), and text between the leaves (between); the first leaf is
 * never edited (schema-less, an element whose first leaf has another
 * value is another list entry).
 */
static void
test_sparse_edit(const char *between, int move)
{
	static const char *const edits[] = {
		"<leaf0100>changed</leaf0100></blob>",
		"<leaf0101>v-0101 &amp; padding</leaf0101></blob>",	/* the value it has */
		"<leaf0102/></blob>",
		"<one>new-one</one></blob>",		/* the only one of its name */
		"<newleaf>x</newleaf></blob>",		/* none of its name: at the end */
		"<tag>v3</tag></blob>",			/* a value there twice */
		"<tag>fresh</tag></blob>",		/* a new leaf-list entry */
		"<tag>a</tag><tag>fresh</tag><tag>b</tag></blob>",	/* not lonely */
		"<leaf0005>1</leaf0005><leaf2999>2</leaf2999><leaf0000>3</leaf0000></blob>",
		"<leaf0007>undone</leaf0007></blob>"	/* fails after: undone */
		    "<blob2 xmlns=\"urn:b\" nc:operation=\"delete\"/>",
		/* not sparse (an operation): unpacked whole, left so (its index) */
		"<leaf0009 nc:operation=\"replace\">r</leaf0009></blob>",
	};
	size_t cap = 400000, len = 0;
	char *xml = malloc(cap), *want, *got, *req;
	xmlDocPtr plain, packed, fresh;
	xmlNodePtr blob;
	size_t i, n1, n2;

	len += (size_t)snprintf(xml + len, cap - len, SPARSE_HEAD "<first>f</first><one>1</one>%s", between);
	for (int k = 0; k < 3000; k++)
		len += (size_t)snprintf(xml + len, cap - len,
		    "<leaf%04d>v-%04d &amp; padding</leaf%04d><tag>v%d</tag>%s", k, k, k, k % 50,
		    between);
	len += (size_t)snprintf(xml + len, cap - len, "</blob></config>");
	plain = xmlReadMemory(xml, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
	packed = packed_read_memory(xml, (int)len, NC_XML_PARSE_OPTS);
	blob = xmlDocGetRootElement(packed)->children;
	CHECK(packed_is(blob), "a container of 6001 leaves is packed (between \"%s\")", between);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		int last = i + 1 == sizeof(edits) / sizeof(edits[0]);
		int freed = 0;
		int e1, e2;

		if (asprintf(&req, SPARSE_HEAD "%s</config>", edits[i]) == -1)
			abort();
		e1 = edit_as(plain, req, move);
		packed_watch_frees(count_free, &freed);
		e2 = edit_as(packed, req, move);
		packed_watch_frees(NULL, NULL);
		free(req);
		want = ser(plain);
		got = ser(packed);
		CHECK(e1 == e2 && e2 == (i == 9) && strcmp(want, got) == 0 && count(got, "<blob") == 1,
		    "edit %zu (%s, move %d): as the plain tree's (%d, %d errors)", i,
		    between, move, e1, e2);
		/* the request's elements and a few of the container's: not its 6001 */
		CHECK(packed_is(blob) && (freed < 100) == !last,
		    "edit %zu unpacks %s of the container (%d elements freed)", i,
		    last ? "all" : "a few leaves", freed);
		/* the plain tree packed: the bytes a whole unpack, edit, repack gives */
		fresh = xmlCopyDoc(plain, 1);
		packed_pack_tree(xmlDocGetRootElement(fresh)->children);
		if (packed_is(blob) && packed_is(xmlDocGetRootElement(fresh)->children)) {
			const char *b1 = packed_bytes(blob, &n1);
			const char *b2 = packed_bytes(xmlDocGetRootElement(fresh)->children, &n2);

			CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0,
			    "after edit %zu its string is the plain tree's packed (%zu, %zu bytes)",
			    i, n1, n2);
		}
		xmlFreeDoc(fresh);
		free(want);
		free(got);
	}
	doc_free(plain);
	doc_free(packed);
	free(xml);
}

/*
 * <filter><blob>body</blob></filter> on doc, the reply's data serialized
 * (malloc()ed).  packed: doc is the packed tree (the same filter).
 */
static char *
filtered(xmlDocPtr doc, const char *body, int packed)
{
	char *xml, *out;
	xmlDocPtr f, reply = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewDocNode(reply, NULL, BAD_CAST "data", NULL);

	(void)packed;
	xmlDocSetRootElement(reply, root);
	if (asprintf(&xml, "<filter xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
	    "<blob xmlns=\"urn:b\">%s</blob></filter>", body) == -1)
		abort();
	f = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, NC_XML_PARSE_OPTS);
	filter_subtree(NULL, xmlDocGetRootElement(f), xmlDocGetRootElement(doc), root);
	out = ser(reply);
	xmlFreeDoc(reply);
	xmlFreeDoc(f);
	free(xml);
	return out;
}

/*
 * XPath filter select on doc, the reply's data serialized (malloc()ed):
 * libxml2's on the plain tree, the index's (xpath_keyed.c) on the packed.
 */
static char *
xfiltered(xmlDocPtr doc, const char *select, int packed)
{
	static const char fxml[] = "<filter xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\" "
	    "xmlns:b=\"urn:b\" type=\"xpath\"/>";
	char *out;
	struct rpc r = { 0 };
	xmlDocPtr f, reply = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewDocNode(reply, NULL, BAD_CAST "data", NULL);

	filter_index_on = packed;
	xmlDocSetRootElement(reply, root);
	f = xmlReadMemory(fxml, (int)strlen(fxml), NULL, NULL, NC_XML_PARSE_OPTS);
	if (filter_xpath(NULL, &r, xmlDocGetRootElement(f), select, doc, root) != 0)
		abort();
	out = ser(reply);
	xmlFreeDoc(reply);
	xmlFreeDoc(f);
	xmlFreeDoc(r.err_doc);
	return out;
}

struct sparse_case {
	const char	*body, *has;	/* the filter; what its reply holds */
	int		 few;		/* 1: a few leaves read as nodes, 0: all */
};

/*
 * Each case run on plain and on packed, blob its container: the same
 * reply, holding what it should, and only a few leaves read as nodes
 * when the case says so; blob stays packed.
 */
static void
check_sparse_cases(const char *kind, char *(*run)(xmlDocPtr, const char *, int),
    const struct sparse_case *cases, size_t n, xmlDocPtr plain, xmlDocPtr packed,
    xmlNodePtr blob)
{
	for (size_t i = 0; i < n; i++) {
		int freed = 0;
		char *want = run(plain, cases[i].body, 0), *got;

		packed_watch_frees(count_free, &freed);
		got = run(packed, cases[i].body, 1);
		packed_watch_frees(NULL, NULL);
		packed_repack();	/* as after an RPC */
		CHECK(strcmp(want, got) == 0 && strstr(got, cases[i].has) != NULL,
		    "%s %s: as on the plain tree, %s", kind, cases[i].body, cases[i].has);
		CHECK(packed_is(blob) && (freed < 100) == cases[i].few,
		    "%s %s reads %s of the container as nodes (%d elements freed)",
		    kind, cases[i].body, cases[i].few ? "a few leaves" : "all", freed);
		free(want);
		free(got);
	}
}

/*
 * Subtree filters selecting a few leaves of a big packed container of
 * leaves read only those (packed_view) and give what they give on the
 * plain tree; the container keeps its string.  A filter naming more
 * leaves than that (every tag) unpacks it, as before.  The same for
 * XPath paths of names (xpath_keyed.c).
 */
static void
test_sparse_filter(void)
{
	static const struct sparse_case filters[] = {
		{ "<leaf0100/>", ">v-0100 &amp; padding</leaf0100>", 1 },
		/* content match and selection */
		{ "<one>1</one><leaf0005/>", ">1</one><leaf0005 ", 1 },
		{ "<one>2</one><leaf0005/>", "", 1 },	/* no match */
		{ "<first/><nothere/>", ">f</first></blob>", 1 },
		/* containment on a leaf */
		{ "<leaf0007><x/></leaf0007><leaf0008/>", "><leaf0008 ", 1 },
		{ "<leaf0002>v-0002 &amp; padding</leaf0002><leaf2999/>", "<leaf2999 ", 1 },
		{ "<leaf0002> v-0002 &amp; padding </leaf0002><tag/>", ">v49</tag>", 0 },
		{ "<one>1</one>", "<leaf2999 ", 0 },	/* content match only: all of it */
	}, xpaths[] = {
		{ "/b:blob/b:leaf0100", ">v-0100 &amp; padding</leaf0100>", 1 },
		{ "/b:blob/b:first", ">f</first></blob>", 1 },
		{ "/b:blob/b:leaf0007/b:x", "", 1 },
		{ "/b:blob/b:one[b:x='1']", "", 1 },
		{ "/b:blob", "<leaf2999>", 1 },		/* copied packed */
		{ "/b:blob/b:tag", ">v49</tag>", 0 },	/* 3000 tags */
	};
	size_t cap = 400000, len = 0;
	char *xml = malloc(cap), *before, *got;
	xmlDocPtr plain, packed;
	xmlNodePtr blob;

	len += (size_t)snprintf(xml + len, cap - len, SPARSE_HEAD "<first>f</first><one>1</one>");
	for (int k = 0; k < 3000; k++)
		len += (size_t)snprintf(xml + len, cap - len,
		    "<leaf%04d>v-%04d &amp; padding</leaf%04d><tag>v%d</tag>", k, k, k, k % 50);
	len += (size_t)snprintf(xml + len, cap - len, "</blob></config>");
	plain = xmlReadMemory(xml, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
	packed = packed_read_memory(xml, (int)len, NC_XML_PARSE_OPTS);
	blob = xmlDocGetRootElement(packed)->children;
	before = ser(packed);
	check_sparse_cases("filter", filtered, filters, sizeof(filters) / sizeof(filters[0]),
	    plain, packed, blob);
	check_sparse_cases("XPath", xfiltered, xpaths, sizeof(xpaths) / sizeof(xpaths[0]),
	    plain, packed, blob);
	got = ser(packed);
	CHECK(strcmp(before, got) == 0, "the filters left the data as it was");
	free(got);
	free(before);
	doc_free(plain);
	doc_free(packed);
	free(xml);
}

/* ---- the arena (packed_arena.c) ---- */

#define NSTR	3000
#define ARENA_CHUNK	((size_t)64 * 1024)	/* packed_arena.c's CHUNK */

static unsigned long lcg = 12345;

static size_t
rnd(size_t n)
{
	lcg = lcg * 6364136223846793005UL + 1442695040888963407UL;
	return (size_t)(lcg >> 33) % n;
}

static size_t str_size[NSTR];
static unsigned char *str[NSTR];

/* Strings of assorted sizes, arena (up to PK_ARENA_MAX) and malloc'd, each filled. */
static void
alloc_all(void)
{
	for (size_t i = 0; i < NSTR; i++) {
		str_size[i] = i % 10 == 0 ? PK_ARENA_MAX + 1 + rnd(3000) : 1 + rnd(PK_ARENA_MAX);
		str[i] = packed_alloc(str_size[i]);
		memset(str[i], (int)(i & 0xff), str_size[i]);
	}
}

static int
intact(size_t i)
{
	for (size_t j = 0; j < str_size[i]; j++)
		if (str[i][j] != (unsigned char)(i & 0xff))
			return 0;
	return 1;
}

/*
 * Strings from the arena and from malloc freed in every order: each
 * keeps its bytes until freed (no two share a slot), the count of
 * max-session-memory comes back to where it was but for the empty
 * chunks kept, and every chunk is released when its last string goes
 * (ASan: a chunk released early is a use of poisoned or unmapped
 * memory; one not known as a chunk is a bad free()).
 */
static void
test_arena_orders(void)
{
	static const char *order_name[] = { "forward", "backward", "odds then evens", "random" };
	size_t used0 = memcap_used(), chunks0 = packed_arena_chunks();
	size_t held0 = packed_arena_held();
	static size_t perm[NSTR];

	for (int order = 0; order < 4; order++) {
		int bad = 0;

		alloc_all();
		CHECK(packed_arena_chunks() > chunks0, "small strings are in the arena (%zu chunks)",
		    packed_arena_chunks());
		CHECK(memcap_used() - used0 >= packed_arena_held() - held0,
		    "the chunks mapped are counted (%zu bytes)", packed_arena_held() - held0);
		for (size_t i = 0; i < NSTR; i++)
			perm[i] = order == 0 ? i : order == 1 ? NSTR - 1 - i :
			    order == 2 ? (i < NSTR / 2 ? 2 * i + 1 : 2 * (i - NSTR / 2)) : i;
		if (order == 3)
			for (size_t i = NSTR - 1; i > 0; i--) {
				size_t j = rnd(i + 1), t = perm[i];

				perm[i] = perm[j];
				perm[j] = t;
			}
		for (size_t i = 0; i < NSTR; i++) {
			bad += !intact(perm[i]);
			packed_release(str[perm[i]]);
		}
		CHECK(bad == 0, "strings freed %s kept their bytes (%d changed)", order_name[order], bad);
		CHECK(packed_arena_chunks() == chunks0, "freed %s, every chunk is released (%zu left)",
		    order_name[order], packed_arena_chunks() - chunks0);
		/* the empty chunks kept (at most 4) stay counted */
		CHECK(memcap_used() - used0 == packed_arena_held() - held0 &&
		    packed_arena_held() - held0 <= 4 * ARENA_CHUNK,
		    "freed %s, the memory count is back but for %zu empty chunks kept (%zd bytes off)",
		    order_name[order], (packed_arena_held() - held0) / ARENA_CHUNK,
		    (ssize_t)(memcap_used() - used0 - (packed_arena_held() - held0)));
	}
}

/*
 * max-session-memory counts the arena's chunks, not its strings: the
 * strings of 3 chunks freed but one in each, the count stays (the free
 * slots are still the session's), and it follows the chunks mapped,
 * the empty ones kept included, as they come and go.
 */
static void
test_arena_counted(void)
{
	enum { N = 800 };	/* 171 bytes: 3 chunks */
	static void *s[N];
	uintptr_t base[3] = { 0 };
	size_t used0 = memcap_used(), held0 = packed_arena_held(), full;
	size_t chunks0 = packed_arena_chunks();
	int nb = 0;

	for (int i = 0; i < N; i++)
		s[i] = packed_alloc(171);
	full = memcap_used();
	CHECK(packed_arena_chunks() - chunks0 == 3 && full - used0 == packed_arena_held() - held0,
	    "800 strings in 3 chunks: counted as the chunks mapped (%zu, %zu bytes)",
	    full - used0, packed_arena_held() - held0);
	/* keep the first string of each chunk */
	for (int i = 0; i < N; i++) {
		uintptr_t b = (uintptr_t)s[i] & ~(uintptr_t)(ARENA_CHUNK - 1);
		int k;

		for (k = 0; k < nb && base[k] != b; k++)
			;
		if (k < nb) {
			packed_release(s[i]);
			s[i] = NULL;
		} else if (nb < 3)
			base[nb++] = b;
	}
	CHECK(nb == 3 && packed_arena_chunks() - chunks0 == 3 && memcap_used() == full,
	    "all but one string of each chunk freed: the count stays (%zd bytes off)",
	    (ssize_t)(memcap_used() - full));
	for (int i = 0; i < N; i++)
		packed_release(s[i]);
	CHECK(packed_arena_chunks() == chunks0 &&
	    memcap_used() - used0 == packed_arena_held() - held0,
	    "all freed: the count follows the chunks still mapped (%zd bytes off)",
	    (ssize_t)(memcap_used() - used0 - (packed_arena_held() - held0)));
}

/*
 * A chunk goes when its last string goes, not before; a freed slot is
 * taken by the next string of its size before a new chunk is mapped.
 */
static void
test_arena_chunk_release(void)
{
	enum { N = 800 };	/* 171 bytes (a bench entry): ~370 a chunk */
	static void *s[N];
	size_t chunks0 = packed_arena_chunks(), in_first = 0;
	uintptr_t first;
	void *again;

	for (int i = 0; i < N; i++) {
		s[i] = packed_alloc(171);
		memset(s[i], 0x5a, 171);
	}
	first = (uintptr_t)s[0] & ~(uintptr_t)0xffff;
	for (int i = 0; i < N; i++)
		in_first += ((uintptr_t)s[i] & ~(uintptr_t)0xffff) == first;
	CHECK(packed_arena_chunks() - chunks0 == 3 && in_first > 300,
	    "800 strings of 171 bytes fill 3 chunks (%zu; %zu in the first)",
	    packed_arena_chunks() - chunks0, in_first);
	packed_release(s[1]);
	again = packed_alloc(170);
	CHECK(again == s[1] && packed_arena_chunks() - chunks0 == 3,
	    "a freed slot is taken again before a new chunk is mapped");
	s[1] = again;
	for (int i = 1; i < N; i++)
		if (((uintptr_t)s[i] & ~(uintptr_t)0xffff) == first) {
			packed_release(s[i]);
			s[i] = NULL;
		}
	CHECK(packed_arena_chunks() - chunks0 == 3,
	    "a chunk with one string left stays (%zu chunks)", packed_arena_chunks() - chunks0);
	CHECK(((unsigned char *)s[0])[170] == 0x5a, "its string is as written");
	packed_release(s[0]);
	CHECK(packed_arena_chunks() - chunks0 == 2,
	    "its last string freed, the chunk is released (%zu chunks)", packed_arena_chunks() - chunks0);
	for (int i = 1; i < N; i++)
		packed_release(s[i]);
	CHECK(packed_arena_chunks() == chunks0, "all freed, no chunk is left");
}

/* A packed document's strings are all freed with it: no chunk is left. */
static void
test_arena_doc_freed(void)
{
	size_t chunks0 = packed_arena_chunks();
	xmlDocPtr doc = list_doc(40, "-a-longer-value-to-pass-pk-max"), copy = packed_copy_doc(doc);

	CHECK(packed_arena_chunks() > chunks0, "a packed list's entries are in the arena");
	packed_unpack_tree(xmlDocGetRootElement(doc));
	packed_repack();
	xmlFreeDoc(copy);
	doc_free(doc);
	CHECK(packed_arena_chunks() == chunks0, "its document, a copy, unpacked and repacked, "
	    "freed: no chunk is left (%zu)", packed_arena_chunks() - chunks0);
}

int
main(void)
{
	test_arena_orders();
	test_arena_counted();
	test_arena_chunk_release();
	test_arena_doc_freed();
	test_big_leaves("", "", 1);
	test_big_leaves(" t ", "tail", 1);
	test_big_leaves("", "<!-- c -->", 0);
	test_big_leaves("", "<sub><y>2</y></sub>", 0);
	test_big_leaves("", "<z xmlns=\"urn:other\">o</z>", 0);
	test_sparse_edit("", 0);
	test_sparse_edit("", 1);
	test_sparse_edit(" t ", 1);
	test_sparse_filter();
	test_merge_keeps_request_packed();
	test_undo_after_partial_repack();
	test_undo_keeps_index();
	test_trailing_text_limit(3000);		/* over PK_MAX */
	test_trailing_text_limit(70000);	/* over the 16-bit length */
	UNIT_DONE();
}
