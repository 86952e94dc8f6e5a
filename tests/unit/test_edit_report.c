/*
 * An edit summed up as netconf-config-change edits (tree/edit_report.c),
 * without modules: schema-less targets (entries by their first leaf when
 * they have a twin, leaf-list entries by value), prefixes from the data
 * or the namespace, literals with either quote, what each change is, the
 * bound, and the same on packed trees (changes inside a packed entry are
 * summed up before it is packed again) and with every change logged
 * (log_inside, as when NACM checks the writes).
 */
#include "edit_test.h"
#include "unit.h"

static int inside;	/* edit_ctx.log_inside */

/* "op target xmlns:p=ns ...; ..." of what edit does to data, or "over". */
static char *
report(const char *data, const char *edit)
{
	xmlDocPtr d = parse(data), e = parse(edit);
	struct edit_ctx c = { 0 };
	struct cfg_edits l;
	xmlBufferPtr b = xmlBufferCreate();
	char *out;

	cfg_edits_init(&l, NULL, NULL);
	c.report = &l;
	c.log_inside = inside;
	c.move = move_mode = 1;
	if (edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) != 0)
		xmlBufferCCat(b, "errors ");
	edit_report(&c, 0, c.nlog);
	if (l.over)
		xmlBufferCCat(b, "over");
	for (size_t i = 0; i < l.n; i++) {
		xmlBufferCCat(b, i > 0 ? "; " : "");
		xmlBufferCCat(b, cfg_op_name(l.e[i].op));
		xmlBufferCCat(b, " ");
		xmlBufferCCat(b, l.e[i].target);
		for (size_t j = 0; j < l.e[i].ndecl; j++) {
			xmlBufferCCat(b, " xmlns:");
			xmlBufferCCat(b, l.e[i].decl[2 * j]);
			xmlBufferCCat(b, "=");
			xmlBufferCCat(b, l.e[i].decl[2 * j + 1]);
		}
	}
	cfg_edits_free(&l);
	edit_ctx_clear(&c);
	if (packed_mode)
		packed_repack();
	doc_free(d);
	xmlFreeDoc(e);
	out = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return out;
}

static void
expect(const char *what, const char *data, const char *edit, const char *want)
{
	char *got = report(data, edit);

	CHECK(strcmp(got, want) == 0, "%s%s%s", what, strcmp(got, want) == 0 ? "" : ": got ",
	    strcmp(got, want) == 0 ? "" : got);
	free(got);
}

#define W	"xmlns=\"urn:x:w\""
#define WD	" xmlns:w=urn:x:w"
#define TWO	"<w " W "><e><k>a</k><v>1</v></e><e><k>b</k><v>2</v></e></w>"

static void
all_tests(void)
{
	char many[8192], pad[1101], *p;

	expect("a leaf's new value: merge of the leaf, the entry by its first leaf", CFG(TWO),
	    EDIT("<w " W "><e><k>b</k><v>3</v></e></w>"), "merge /w:w/w:e[w:k='b']/w:v" WD);
	expect("a new entry: create", CFG(TWO), EDIT("<w " W "><e><k>c</k><v>3</v></e></w>"),
	    "create /w:w/w:e[w:k='c']" WD);
	expect("delete", CFG(TWO), EDIT("<w " W "><e nc:operation=\"delete\"><k>a</k></e></w>"),
	    "delete /w:w/w:e[w:k='a']" WD);
	expect("remove is a delete", CFG(TWO),
	    EDIT("<w " W "><e nc:operation=\"remove\"><k>a</k></e></w>"), "delete /w:w/w:e[w:k='a']" WD);
	expect("replace", CFG(TWO),
	    EDIT("<w " W "><e nc:operation=\"replace\"><k>b</k><v>9</v></e></w>"),
	    "replace /w:w/w:e[w:k='b']" WD);
	expect("a replace that changes nothing is still a replace", CFG(TWO),
	    EDIT("<w " W "><e nc:operation=\"replace\"><k>b</k><v>2</v></e></w>"),
	    "replace /w:w/w:e[w:k='b']" WD);
	expect("the same value again: nothing", CFG(TWO),
	    EDIT("<w " W "><e><k>b</k><v>2</v></e></w>"), "");
	expect("a value with a quote: the other quote", CFG(TWO),
	    EDIT("<w " W "><e><k>it's</k></e></w>"), "create /w:w/w:e[w:k=\"it's\"]" WD);
	expect("a value with both quotes: no list", CFG(TWO),
	    EDIT("<w " W "><e><k>it's \"x\"</k></e></w>"), "over");
	expect("a leaf-list entry by its value", CFG("<w " W "><l>x</l><l>y</l></w>"),
	    EDIT("<w " W "><l>z</l></w>"), "create /w:w/w:l[.='z']" WD);
	expect("the data's own prefix", CFG("<p:w xmlns:p=\"urn:x:w\"><p:a>0</p:a><p:v>1</p:v></p:w>"),
	    EDIT("<w " W "><v>2</v></w>"), "merge /p:w/p:v xmlns:p=urn:x:w");
	expect("two namespaces of one last word: two prefixes",
	    CFG("<w " W "><q xmlns=\"urn:y:w\"><a>0</a><v>1</v></q></w>"),
	    EDIT("<w " W "><q xmlns=\"urn:y:w\"><v>2</v></q></w>"),
	    "merge /w:w/w2:q/w2:v" WD " xmlns:w2=urn:y:w");
	expect("a create covers what it holds; a delete beside it", CFG(TWO),
	    EDIT("<w " W "><e><k>c</k><v>3</v></e><e nc:operation=\"delete\"><k>a</k></e></w>"),
	    "create /w:w/w:e[w:k='c']" WD "; delete /w:w/w:e[w:k='a']" WD);
	expect("a delete inside a merge: the deleted leaf", CFG(TWO),
	    EDIT("<w " W "><e><k>b</k><v nc:operation=\"delete\"/></e></w>"),
	    "delete /w:w/w:e[w:k='b']/w:v" WD);
	/*
	 * An entry named by no first leaf (a leaf-list's entries first) is
	 * the first of its name, reported by its own first leaf: a packed
	 * entry's sparse edit (edit_sparse.c) unpacks that leaf for it.
	 * Entries of over 1 kB, so that the list is not packed whole (over
	 * PK_MAX) and each entry is.
	 */
	memset(pad, 'z', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(many, sizeof(many), CFG("<w %s><e><k>a</k><t>x</t><pad>%s</pad></e>"
	    "<e><k>b</k><t>y</t><pad>%s</pad></e></w>"), W, pad, pad);
	expect("leaf-list entries added to the first of two big entries: it is named by its first leaf",
	    many, EDIT("<w " W "><e><t>p</t><t>q</t></e></w>"),
	    "create /w:w/w:e[w:k='a']/w:t[.='p']" WD "; create /w:w/w:e[w:k='a']/w:t[.='q']" WD);
	/* a target (with its declarations) past CFG_TARGET_MAX: no list */
	p = many + snprintf(many, sizeof(many), "<config xmlns=\"%s\"><w %s><e><k>", NCNS, W);
	memset(p, 'x', 2100);
	snprintf(p + 2100, sizeof(many) - (size_t)(p + 2100 - many), "</k></e></w></config>");
	expect("a target too long: no list", CFG(TWO), many, "over");
	/* the bound: 32 changes are listed, 33 are not */
	for (int n = 32; n <= 33; n++) {
		p = many + snprintf(many, sizeof(many), "<config xmlns=\"%s\"><w %s>", NCNS, W);
		for (int i = 0; i < n; i++)
			p += snprintf(p, sizeof(many) - (size_t)(p - many), "<e><k>n%d</k></e>", i);
		snprintf(p, sizeof(many) - (size_t)(p - many), "</w></config>");
		char *got = report(CFG(TWO), many);
		CHECK((n == 32) == (strncmp(got, "create ", 7) == 0 && strstr(got, "n31") != NULL) &&
		    (n == 33) == (strcmp(got, "over") == 0), "%d new entries: %s", n,
		    n == 32 ? "all listed" : "no list");
		free(got);
	}
}

int
main(void)
{
	all_tests();
	printf("# again, with packed trees\n");
	packed_mode = 1;
	all_tests();
	printf("# again, every change logged (NACM)\n");
	inside = 1;
	all_tests();
	xmlCleanupParser();
	UNIT_DONE();
}
