/*
 * Unit tests of the prefix rule of subsystem/tree/nsvalue.c: which
 * prefixes a text uses (ns_text_uses: a name directly followed by one
 * ':', whatever follows, not "::", not inside a longer name, never
 * "xml"), and the leaf-level merge helpers built on it (ns_leaf_rebinds,
 * ns_rebind_leaf, ns_carry_leaf): a datastore leaf takes the bindings an
 * edit leaf's text needs; its own name and attributes written with such
 * a prefix keep their URI under another prefix.
 */
#include <stdlib.h>
#include <string.h>

#include "tree/tree.h"
#include "unit.h"

/*
 * Prefixes of PREFIX_MAX (128) characters and longer (copied to the heap):
 * a 200-character prefix is as legal, and its declaration was dropped.
 */
static void
test_long_prefix(void)
{
	static const size_t lens[] = { 128, 129, 200, 5000 };
	char text[5020], prefix[5010];

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(prefix, 'a', lens[i]);
		prefix[lens[i]] = '\0';
		snprintf(text, sizeof(text), "/%s:x", prefix);
		CHECK(ns_text_uses(text, prefix), "a %zu-character prefix is used", lens[i]);
		prefix[lens[i] - 1] = '\0';
		CHECK(!ns_text_uses(text, prefix), "... not its first %zu characters", lens[i] - 1);
	}
}

static void
test_text_rule(void)
{
	static const struct {
		const char	*text, *prefix;
		int		 uses;
	} cases[] = {
		{ "p:1", "p", 1 },		/* whatever follows, at the text's start */
		{ "p:", "p", 1 },		/* at the text's end */
		{ "p:x", "p", 1 },
		{ "/p:*", "p", 1 },
		{ ":x", "x", 0 },		/* no name before */
		{ "a::b", "a", 0 },		/* an axis */
		{ "a::b", "b", 0 },
		{ "child::a", "child", 0 },
		{ "child::p:a", "p", 1 },
		{ "p::", "p", 0 },
		{ "p:q:r", "p", 1 },
		{ "p:q:r", "q", 1 },		/* a spare use, never a lost one */
		{ "  p:x  ", "p", 1 },
		{ "/p:a[q:b='c:d']", "p", 1 },
		{ "/p:a[q:b='c:d']", "q", 1 },
		{ "/p:a[q:b='c:d']", "c", 1 },
		{ "/p:a[q:b='c:d']", "a", 0 },
		{ "/p:a[q:b='c:d']", "d", 0 },
		{ "12:30", "12", 0 },		/* not a name */
		{ "12:30", "2", 0 },
		{ "ab:c", "b", 0 },		/* inside a longer name */
		{ "x-1.y:z", "x-1.y", 1 },
		{ "x-1.y:z", "1.y", 0 },
		{ "_p:1", "_p", 1 },
		{ "\xc3\xa9t\xc3\xa9:v", "\xc3\xa9t\xc3\xa9", 1 },	/* été:v */
		{ "a\xc3\xa9:v", "\xc3\xa9", 0 },
		{ "xml:lang", "xml", 0 },	/* bound by XML itself */
		{ "p:1", "p:", 0 },
		{ "", "p", 0 },
		{ "p", "p", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(ns_text_uses(cases[i].text, cases[i].prefix) == cases[i].uses,
		    "\"%s\" %s prefix %s", cases[i].text, cases[i].uses ? "uses" : "does not use",
		    cases[i].prefix);
	CHECK(!ns_text_uses(NULL, "p"), "no text uses nothing");
}

static xmlDocPtr
parse(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);

	if (doc == NULL) {
		fprintf(stderr, "cannot parse %s\n", xml);
		exit(2);
	}
	return doc;
}

/* the first element child of doc's root */
static xmlNodePtr
leaf_of(xmlDocPtr doc)
{
	xmlNodePtr n = xmlDocGetRootElement(doc)->children;

	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

static const xmlChar *
href_on(xmlNodePtr n, const char *prefix)
{
	for (xmlNsPtr d = n->nsDef; d != NULL; d = d->next)
		if (d->prefix != NULL && strcmp((const char *)d->prefix, prefix) == 0)
			return d->href;
	return NULL;
}

/*
 * The stored leaf (first child of stored's root) and the edit leaf
 * (first child of edit's root): whether the edit rebinds, and then the
 * URI the stored leaf's copy declares prefix with after ns_rebind_leaf
 * (NULL: none); the copy's own namespace is checked to stay own_href.
 */
static void
check_rebind(const char *stored, const char *edit, int rebinds, const char *prefix,
    const char *want_href, const char *own_href)
{
	xmlDocPtr sd = parse(stored), ed = parse(edit);
	xmlNodePtr d = leaf_of(sd), e = leaf_of(ed), n;
	const xmlChar *got;

	CHECK(ns_leaf_rebinds(d, e) == rebinds, "merge %s onto %s: %s", edit, stored,
	    rebinds ? "rebinds" : "does not rebind");
	if (rebinds) {
		if ((n = xmlDocCopyNode(d, sd, 2)) == NULL)
			exit(2);
		ns_rebind_leaf(n, e);
		got = href_on(n, prefix);
		CHECK(want_href == NULL ? got == NULL : (got != NULL &&
		    strcmp((const char *)got, want_href) == 0),
		    "... the copy declares %s as %s (got %s)", prefix,
		    want_href ? want_href : "nothing", got ? (const char *)got : "nothing");
		if (own_href != NULL)
			CHECK(n->ns != NULL && xmlStrEqual(n->ns->href, BAD_CAST own_href),
			    "... its own name stays in %s", own_href);
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
			CHECK(a->ns == NULL || xmlStrEqual(a->ns->href, BAD_CAST "urn:p"),
			    "... its attribute %s stays in urn:p", a->name);
		xmlFreeNode(n);
	}
	xmlFreeDoc(sd);
	xmlFreeDoc(ed);
}

static void
test_leaf_rebind(void)
{
	/* added, changed, the same, on an ancestor */
	check_rebind("<r><v>p:1</v></r>", "<c xmlns:p='urn:p'><v>p:1</v></c>", 1, "p", "urn:p", NULL);
	check_rebind("<r><v xmlns:p='urn:p'>p:1</v></r>", "<c><v xmlns:p='urn:p2'>p:</v></c>",
	    1, "p", "urn:p2", NULL);
	check_rebind("<r xmlns:p='urn:p'><v>p:1</v></r>", "<c xmlns:p='urn:p'><v>p:2</v></c>",
	    0, "p", NULL, NULL);
	check_rebind("<r xmlns:p='urn:p'><v>p:1</v></r>", "<c xmlns:p='urn:p2'><v>p:1</v></c>",
	    1, "p", "urn:p2", NULL);
	/* a prefix the text does not use is no rebinding */
	check_rebind("<r><v xmlns:p='urn:p'>1</v></r>", "<c><v xmlns:p='urn:p2'>child::p</v></c>",
	    0, "p", NULL, NULL);
	check_rebind("<r><v>xml:lang</v></r>", "<c><v>xml:lang</v></c>", 0, "xml", NULL, NULL);
	/*
	 * the text's prefix is bound as e binds it, and the leaf's own name
	 * and attributes keep their URI under another prefix (p0; p1 when
	 * the text uses p0 too), declared on the copy
	 */
	check_rebind("<r><p:v xmlns:p='urn:p'>p:1</p:v></r>", "<c><v xmlns:p='urn:p2'>p:1</v></c>",
	    1, "p", "urn:p2", "urn:p");
	check_rebind("<r><p:v xmlns:p='urn:p'>p:1</p:v></r>", "<c><v xmlns:p='urn:p2'>p:1</v></c>",
	    1, "p0", "urn:p", "urn:p");
	check_rebind("<r><v xmlns:p='urn:p' p:a='1'>p:1</v></r>",
	    "<c><v xmlns:p='urn:p2'>p:1</v></c>", 1, "p", "urn:p2", NULL);
	check_rebind("<r xmlns:p='urn:p'><v p:a='1'>p:1 p0:2</v></r>",
	    "<c xmlns:p0='urn:z'><v xmlns:p='urn:p2'>p:1 p0:2</v></c>", 1, "p1", "urn:p", NULL);
	check_rebind("<r xmlns:p='urn:p'><v p:a='1'>p:1 p0:2</v></r>",
	    "<c xmlns:p0='urn:z'><v xmlns:p='urn:p2'>p:1 p0:2</v></c>", 1, "p0", "urn:z", NULL);
	check_rebind("<r><p:v xmlns:p='urn:p'>p:1 q:2</p:v></r>",
	    "<c><v xmlns:p='urn:p2' xmlns:q='urn:q'>p:1 q:2</v></c>", 1, "q", "urn:q", "urn:p");
	check_rebind("<r><v xmlns:p='urn:p' p:a='1'>p:1 q:2</v></r>",
	    "<c><v xmlns:p='urn:p2' xmlns:q='urn:q'>p:1 q:2</v></c>", 1, "p", "urn:p2", NULL);
	/* the same binding: nothing moves */
	check_rebind("<r><p:v xmlns:p='urn:p' p:a='1'>p:1</p:v></r>",
	    "<c><v xmlns:p='urn:p'>p:1</v></c>", 0, "p", NULL, NULL);
}

/* ns_carry_leaf: the in-place carry declares what the leaf lacks, but not over its own names */
static void
test_carry_leaf(void)
{
	xmlDocPtr sd = parse("<r><v p:a='1' xmlns:p='urn:p'>x</v><w>y</w></r>");
	xmlDocPtr ed = parse("<c xmlns:p='urn:p2' xmlns:q='urn:q'><v>p:1 q:1</v></c>");
	xmlNodePtr v = leaf_of(sd), w = v->next, e = leaf_of(ed);

	ns_carry_leaf(v, e);
	CHECK(xmlStrEqual(href_on(v, "p"), BAD_CAST "urn:p"),
	    "carry: a prefix the leaf's attribute uses is not redeclared");
	CHECK(xmlStrEqual(href_on(v, "q"), BAD_CAST "urn:q"), "carry: an undeclared prefix is declared");
	ns_carry_leaf(w, e);
	CHECK(xmlStrEqual(href_on(w, "p"), BAD_CAST "urn:p2") &&
	    xmlStrEqual(href_on(w, "q"), BAD_CAST "urn:q"), "carry: a plain leaf gets both");
	xmlFreeDoc(sd);
	xmlFreeDoc(ed);
}

int
main(void)
{
	test_text_rule();
	test_long_prefix();
	test_leaf_rebind();
	test_carry_leaf();
	xmlCleanupParser();
	UNIT_DONE();
}
