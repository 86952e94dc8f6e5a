/*
 * edit-config semantics (subsystem/edit.c) on in-memory documents: every
 * operation at depth, default operations, error options and undo, list
 * entry matching (first leaf, leaf-lists, RELAX NG nma:key) and the hash
 * index of big lists.  Everything runs twice: on plain trees, and on
 * trees packed as nchome-netconf parses them (packed.c), serialized by
 * xmlout.c and packed again after each edit as after each RPC.
 */
#include <unistd.h>

#include "edit_test.h"
#include "unit.h"

/* plain trees: libxml2's serializer; packed ones: xmlout.c's */
static char *
dump(xmlDocPtr d)
{
	return dump_with(d, packed_mode);
}

static xmlHashTablePtr keys;

/*
 * Applies edit to a datastore holding data; returns the error count and
 * the resulting tree in *out (after undo when undo is set or on errors
 * with stop/rollback).
 */
static int
run(const char *data, const char *edit, enum edit_defop defop, enum edit_erropt erropt,
    int undo, char **out)
{
	xmlDocPtr d = parse(data), e = parse(edit);
	struct edit_ctx c = { 0 };
	int n;

	c.keys = keys;
	c.defop = defop;
	c.erropt = erropt;
	c.move = move_mode;
	n = edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e));
	if (undo || (n > 0 && erropt != ERROPT_CONTINUE))
		edit_undo(&c);
	edit_ctx_clear(&c);
	if (packed_mode)
		packed_repack();	/* as after each RPC: never while an edit can be undone */
	*out = dump(d);
	doc_free(d);
	xmlFreeDoc(e);
	return n;
}

static void
expect(const char *what, const char *data, const char *edit, enum edit_defop defop,
    enum edit_erropt erropt, int nerr, const char *want)
{
	char *got;
	int n;

	/* both ways of taking nodes from the request: copied, and moved */
	move_mode = 1;
	n = run(data, edit, defop, erropt, 0, &got);
	CHECK(n == nerr && strcmp(got, want) == 0, "%s, moving (errors %d/%d)%s%s", what, n,
	    nerr, strcmp(got, want) == 0 ? "" : " got: ", strcmp(got, want) == 0 ? "" : got);
	free(got);
	move_mode = 0;
	n = run(data, edit, defop, erropt, 0, &got);
	CHECK(n == nerr && strcmp(got, want) == 0, "%s (errors %d/%d)%s%s", what, n, nerr,
	    strcmp(got, want) == 0 ? "" : " got: ", strcmp(got, want) == 0 ? "" : got);
	free(got);
}

#define M DEFOP_MERGE
#define STOP ERROPT_STOP

/* An edited packed node is packed again at once, and an undo still works. */
static void
packed_edit_tests(void)
{
	const char *data = CFG("<l><e><k>1</k><v>a</v></e><e><k>2</k><v>b</v></e></l>");
	xmlDocPtr d = parse(data), e = parse(EDIT("<l><e><k>2</k><v>B</v></e></l>"));
	xmlNodePtr l = xmlDocGetRootElement(d)->children;
	struct edit_ctx c = { .move = 1 };
	char *got, *orig = dump(d);

	CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0 &&
	    c.changed, "edit inside a packed list");
	CHECK(packed_is(l), "the edited list is packed again before the RPC ends");
	got = dump(d);
	CHECK(strstr(got, "<v>B</v>") != NULL, "the packed list holds the new value: %s", got);
	free(got);
	edit_undo(&c);
	edit_ctx_clear(&c);
	got = dump(d);
	CHECK(strcmp(got, orig) == 0, "undo puts the packed list back: %s", got);
	free(got);
	xmlFreeDoc(e);
	/* a failing second part: the first part's change inside the packed list is undone too */
	e = parse(EDIT("<l><e><k>1</k><v>X</v></e></l><m nc:operation=\"delete\"/>"));
	c = (struct edit_ctx){ .move = 1 };
	CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 1,
	    "second part fails");
	edit_undo(&c);
	edit_ctx_clear(&c);
	got = dump(d);
	CHECK(strcmp(got, orig) == 0, "its first part is undone: %s", got);
	free(got);
	free(orig);
	xmlFreeDoc(e);
	doc_free(d);
	packed_repack();
}

#define UNDO_N	100

/* UNDO_N packed entries <e><k>i</k><v>gen-i...</v></e> in <l>, as a datastore or an edit. */
static char *
undo_list(int edit, const char *gen)
{
	xmlBufferPtr b = xmlBufferCreate();
	char one[128], *out;

	xmlBufferCat(b, BAD_CAST "<config xmlns=\"" NCNS "\"");
	xmlBufferCat(b, BAD_CAST (edit ? " xmlns:nc=\"" NCNS "\"><l>" : "><l>"));
	for (int i = 0; i < UNDO_N; i++) {
		snprintf(one, sizeof(one), "<e><k>%d</k><v>%s-%d-padding-padding</v></e>", i, gen, i);
		xmlBufferCat(b, BAD_CAST one);
	}
	xmlBufferCat(b, BAD_CAST "</l></config>");
	out = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return out;
}

/*
 * An edit of every entry under undo_max: undo_max 0 or above what the
 * entries take, the log holds their old strings and edit_undo puts them
 * back; past it, they are all freed (undo_lost), the tree is the same
 * as with them, and edit_undo says the caller must read it again.
 */
static void
undo_bound_tests(void)
{
	char *data = undo_list(0, "old"), *edit = undo_list(1, "new");
	char *orig, *after = NULL;
	const size_t bounds[] = { 0, 1 << 20, 256 };

	for (size_t bi = 0; bi < sizeof(bounds) / sizeof(bounds[0]); bi++) {
		xmlDocPtr d = parse(data), e = parse(edit);
		struct edit_ctx c = { .move = 1, .undo_max = bounds[bi] };
		size_t unpacked = 0, held = 0;
		int lost = bounds[bi] == 256, rc;
		char *got;

		orig = dump(d);
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
		    "undo_max %zu: every entry rewritten", bounds[bi]);
		for (size_t i = 0; i < c.nlog; i++)
			if (c.log[i].kind == EC_UNPACKED) {
				unpacked++;
				held += c.log[i].old_text != NULL;
			}
		got = dump(d);
		if (after == NULL)
			after = strdup(got);
		CHECK(unpacked == UNDO_N && held == (lost ? 0 : UNDO_N) && c.undo_lost == lost,
		    "undo_max %zu: %zu entries logged, %zu old strings held, lost %d", bounds[bi],
		    unpacked, held, c.undo_lost);
		CHECK(strcmp(got, after) == 0 && strstr(got, "new-99-") != NULL,
		    "undo_max %zu: the edit's result is the same", bounds[bi]);
		free(got);
		rc = edit_undo(&c);
		CHECK(rc == (lost ? -1 : 0) && c.nlog == 0 && !c.changed,
		    "undo_max %zu: edit_undo %d", bounds[bi], rc);
		edit_ctx_clear(&c);
		if (!lost) {
			got = dump(d);
			CHECK(strcmp(got, orig) == 0, "undo_max %zu: undone in memory", bounds[bi]);
			free(got);
		}
		free(orig);
		doc_free(d);
		xmlFreeDoc(e);
		packed_repack();
	}
	free(after);
	free(data);
	free(edit);
}

/*
 * Rule 4 (edit_index.c): an entry whose first leaf carries an
 * nc:operation is no key, so the edit names the first node of its name,
 * the same in a small list (walked) and a big one (indexed), also when
 * a later entry's first child is a container (the index's one "C" key).
 */
static void
first_leaf_op_tests(void)
{
	static const int sizes[] = { 3, 40 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (int tail = 0; tail < 2; tail++) {
			size_t cap = 1 << 14, dl = 0, wl = 0;
			char *data = malloc(cap), *want = malloc(cap), what[128];

			dl += (size_t)snprintf(data + dl, cap - dl, "<config xmlns=\"%s\"><l>", NCNS);
			wl += (size_t)snprintf(want + wl, cap - wl, "<l>");
			for (int i = 0; i < sizes[s]; i++) {
				dl += (size_t)snprintf(data + dl, cap - dl,
				    "<e><k>%d</k><v>%d</v></e>", i, i);
				if (i == 0)
					wl += (size_t)snprintf(want + wl, cap - wl,
					    "<e><k>z</k><v>0</v></e>");
				else
					wl += (size_t)snprintf(want + wl, cap - wl,
					    "<e><k>%d</k><v>%d</v></e>", i, i);
			}
			if (tail) {
				dl += (size_t)snprintf(data + dl, cap - dl, "<e><s><t>1</t></s></e>");
				wl += (size_t)snprintf(want + wl, cap - wl, "<e><s><t>1</t></s></e>");
			}
			snprintf(data + dl, cap - dl, "</l></config>");
			snprintf(want + wl, cap - wl, "</l>");
			snprintf(what, sizeof(what), "an operation on the first leaf: the first of %d "
			    "entries%s", sizes[s], tail ? ", a container-first entry last" : "");
			expect(what, data, EDIT("<l><e><k nc:operation=\"replace\">z</k></e></l>"),
			    M, STOP, 0, want);
			free(data);
			free(want);
		}
	}
}

static void
all_tests(void)
{
	const char *base = CFG("<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	char *got, *want;
	char path[] = "/tmp/test_edit_rng.XXXXXX";
	FILE *f;
	int fd;

	if (packed_mode) {
		xmlDocPtr d = parse(base);
		xmlNodePtr top = xmlDocGetRootElement(d)->children;

		CHECK(packed_is(top) && top->children == NULL,
		    "the datastore's entries are packed as they are parsed");
		xmlFreeDoc(d);
		packed_edit_tests();
		undo_bound_tests();
	}
	first_leaf_op_tests();
	expect("merge into empty creates", CFG(""), EDIT("<top><a>1</a></top>"), M, STOP, 0,
	    "<top><a>1</a></top>");
	expect("merge changes a leaf at depth 4 (an operation on a first leaf: no key)", base,
	    EDIT("<top><sub><deep><y nc:operation=\"merge\">2</y></deep></sub></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>2</y></deep></sub></top>");
	expect("merge adds a sibling at depth 3", base, EDIT("<top><sub><z>9</z></sub></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep><z>9</z></sub></top>");
	expect("create of an existing node -> error, unchanged", base,
	    EDIT("<top><sub><deep nc:operation=\"create\"><y>1</y></deep></sub></top>"), M, STOP, 1,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("create at depth 4", base,
	    EDIT("<top><sub><deep><w nc:operation=\"create\">5</w></deep></sub></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y><w>5</w></deep></sub></top>");
	expect("delete at depth 3", base, EDIT("<top><sub><deep nc:operation=\"delete\"/></sub></top>"),
	    M, STOP, 0, "<top><a>1</a><sub><x>1</x></sub></top>");
	expect("delete of a missing node -> error", base,
	    EDIT("<top><sub><nope nc:operation=\"delete\"/></sub></top>"), M, STOP, 1,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("remove of a missing node is fine", base,
	    EDIT("<top><sub><nope nc:operation=\"remove\"/></sub></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("remove of an existing node", base, EDIT("<top><a nc:operation=\"remove\"/></top>"),
	    M, STOP, 0, "<top><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("replace at depth 2 keeps position", base,
	    EDIT("<top><sub nc:operation=\"replace\"><q>7</q></sub></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><q>7</q></sub></top>");
	expect("replace of a missing node creates it", base,
	    EDIT("<top><r nc:operation=\"replace\"><q>7</q></r></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub><r><q>7</q></r></top>");
	expect("bad operation value -> error", base, EDIT("<top><a nc:operation=\"frob\">2</a></top>"),
	    M, STOP, 1, "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("default none leaves unmentioned values (top level: a container)",
	    CFG("<top><a>1</a><b>1</b></top>"), EDIT("<top><a>1</a><b>5</b></top>"), DEFOP_NONE,
	    STOP, 0, "<top><a>1</a><b>1</b></top>");
	expect("default none + nested merge", base, EDIT("<top><a nc:operation=\"merge\">5</a></top>"),
	    DEFOP_NONE, STOP, 0, "<top><a>5</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("default none on a missing parent -> data-missing", base,
	    EDIT("<other><z nc:operation=\"create\">1</z></other>"), DEFOP_NONE, STOP, 1,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("default replace replaces everything", base, EDIT("<top><b>2</b></top>"),
	    DEFOP_REPLACE, STOP, 0, "<top><b>2</b></top>");
	expect("merge creating a subtree with a delete inside -> data-missing", base,
	    EDIT("<new><k nc:operation=\"delete\"/></new>"), M, STOP, 1,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("continue-on-error keeps the good changes", base,
	    EDIT("<top><a nc:operation=\"create\">3</a><b>4</b></top>"), M, ERROPT_CONTINUE, 1,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub><b>4</b></top>");
	expect("rollback-on-error undoes the good changes", base,
	    EDIT("<top><b>4</b><a nc:operation=\"create\">3</a></top>"), M, ERROPT_ROLLBACK, 1,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");

	expect("a moved node keeps the namespace its request declared above it", base,
	    "<config xmlns=\"" NCNS "\" xmlns:x=\"urn:x\"><x:t><x:v>1</x:v></x:t></config>",
	    M, STOP, 0, "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>"
	    "<x:t xmlns:x=\"urn:x\"><x:v>1</x:v></x:t>");
	expect("a moved node in the root's namespace declares nothing new", base,
	    "<config xmlns=\"" NCNS "\"><n>1</n></config>", M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top><n>1</n>");

	expect("a value reading xml:... (the prefix XML binds itself) is stored as is", CFG(""),
	    EDIT("<x xmlns=\"urn:x\"><v>xml:lang</v></x>"), M, STOP, 0,
	    "<x xmlns=\"urn:x\"><v>xml:lang</v></x>");

	/* lists without a schema: first leaf identifies an entry */
	const char *list = CFG("<l><e><k>1</k><v>a</v></e><e><k>2</k><v>b</v></e></l>");
	expect("list entry matched by first leaf", list, EDIT("<l><e><k>2</k><v>B</v></e></l>"), M, STOP, 0,
	    "<l><e><k>1</k><v>a</v></e><e><k>2</k><v>B</v></e></l>");
	expect("new key adds an entry", list, EDIT("<l><e><k>3</k><v>c</v></e></l>"), M, STOP, 0,
	    "<l><e><k>1</k><v>a</v></e><e><k>2</k><v>b</v></e><e><k>3</k><v>c</v></e></l>");
	expect("delete of one entry", list, EDIT("<l><e nc:operation=\"delete\"><k>1</k></e></l>"), M, STOP, 0,
	    "<l><e><k>2</k><v>b</v></e></l>");
	expect("create of an existing entry -> data-exists", list,
	    EDIT("<l><e nc:operation=\"create\"><k>1</k></e></l>"), M, STOP, 1,
	    "<l><e><k>1</k><v>a</v></e><e><k>2</k><v>b</v></e></l>");
	expect("two entries in one edit into an empty list", CFG(""),
	    EDIT("<l><e><k>1</k></e><e><k>2</k></e></l>"), M, STOP, 0,
	    "<l><e><k>1</k></e><e><k>2</k></e></l>");
	/* issue 16: one entry in the datastore, an edit naming another: never "the only one" */
	const char *if1 = CFG("<interfaces><interface><name>eth1</name>"
	    "<description>keep-me</description></interface></interfaces>");
	expect("merge of a one-entry list's new entry adds it (eth1 kept)", if1,
	    EDIT("<interfaces><interface><name>eth2</name><enabled>true</enabled></interface>"
	    "</interfaces>"), M, STOP, 0,
	    "<interfaces><interface><name>eth1</name><description>keep-me</description></interface>"
	    "<interface><name>eth2</name><enabled>true</enabled></interface></interfaces>");
	expect("delete of an entry not there -> data-missing (eth9 kept)",
	    CFG("<interfaces><interface><name>eth9</name></interface></interfaces>"),
	    EDIT("<interfaces><interface nc:operation=\"delete\"><name>eth0</name></interface>"
	    "</interfaces>"), M, STOP, 1,
	    "<interfaces><interface><name>eth9</name></interface></interfaces>");
	/* the same at the top level (children of <config>), where no parent says "list" */
	const char *top1 = CFG("<interface><name>eth1</name><description>keep-me</description>"
	    "</interface>");
	const char *top1_2 = "<interface><name>eth1</name><description>keep-me</description>"
	    "</interface><interface><name>eth2</name></interface>";
	expect("top level: replace naming eth2 adds it (eth1 kept)", top1,
	    EDIT("<interface nc:operation=\"replace\"><name>eth2</name></interface>"), M, STOP, 0,
	    top1_2);
	expect("top level: create naming eth2 adds it (eth1 kept)", top1,
	    EDIT("<interface nc:operation=\"create\"><name>eth2</name></interface>"), M, STOP, 0,
	    top1_2);
	expect("top level: delete of eth0 with only eth9 -> data-missing (eth9 kept)",
	    CFG("<interface><name>eth9</name></interface>"),
	    EDIT("<interface nc:operation=\"delete\"><name>eth0</name></interface>"), M, STOP, 1,
	    "<interface><name>eth9</name></interface>");
	expect("top level: remove of eth0 with only eth9 leaves eth9",
	    CFG("<interface><name>eth9</name></interface>"),
	    EDIT("<interface nc:operation=\"remove\"><name>eth0</name></interface>"), M, STOP, 0,
	    "<interface><name>eth9</name></interface>");
	expect("top level: delete naming the entry's own first leaf deletes it",
	    CFG("<interface><name>eth9</name></interface><x>1</x>"),
	    EDIT("<interface nc:operation=\"delete\"><name>eth9</name></interface>"), M, STOP, 0,
	    "<x>1</x>");
	expect("top level: replace of the entry's own first leaf replaces it", top1,
	    EDIT("<interface nc:operation=\"replace\"><name>eth1</name></interface>"), M, STOP, 0,
	    "<interface><name>eth1</name></interface>");
	expect("top level: a container deleted by its name alone", base,
	    EDIT("<top nc:operation=\"delete\"/>"), M, STOP, 0, "");
	/* keys first for merges too: the data loss, eth1 renamed to eth2 */
	expect("top level: a merge naming eth2 adds it (eth1 kept)", top1,
	    EDIT("<interface><name>eth2</name><enabled>true</enabled></interface>"), M, STOP, 0,
	    "<interface><name>eth1</name><description>keep-me</description></interface>"
	    "<interface><name>eth2</name><enabled>true</enabled></interface>");
	expect("top level: a merge of the first leaf alone adds an entry (eth1 kept)", top1,
	    EDIT("<interface><name>eth2</name></interface>"), M, STOP, 0, top1_2);
	expect("a merge of a first leaf alone adds an entry (eth1 kept)", if1,
	    EDIT("<interfaces><interface><name>eth2</name></interface></interfaces>"), M, STOP, 0,
	    "<interfaces><interface><name>eth1</name><description>keep-me</description></interface>"
	    "<interface><name>eth2</name></interface></interfaces>");
	expect("top level: a merge of the first leaf alone, its own value, keeps the entry", top1,
	    EDIT("<interface><name>eth1</name></interface>"), M, STOP, 0,
	    "<interface><name>eth1</name><description>keep-me</description></interface>");
	/* the price: a container's first leaf is an entry's key to a merge */
	expect("top level: a merge of another first-leaf value is a second container", base,
	    EDIT("<top><a>2</a><b>1</b></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top><top><a>2</a><b>1</b></top>");
	expect("a merge of a first leaf alone with another value is a second container", base,
	    EDIT("<top><sub><x>2</x></sub></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub><sub><x>2</x></sub></top>");
	expect("an operation on the first leaf changes it (no key then)", base,
	    EDIT("<top><a nc:operation=\"replace\">2</a></top>"), M, STOP, 0,
	    "<top><a>2</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("a merge of a non-first leaf changes the one container",
	    CFG("<top><a>1</a><b>1</b></top>"), EDIT("<top><b>2</b></top>"), M, STOP, 0,
	    "<top><a>1</a><b>2</b></top>");
	expect("a merge naming the first leaf's own value changes a later leaf",
	    CFG("<top><a>1</a><b>1</b></top>"), EDIT("<top><a>1</a><b>2</b></top>"), M, STOP, 0,
	    "<top><a>1</a><b>2</b></top>");
	expect("a delete of another first-leaf value -> data-missing", base,
	    EDIT("<top><sub nc:operation=\"delete\"><x>2</x></sub></top>"), M, STOP, 1,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	expect("first leaf with another value and more: a second entry (keys first)", base,
	    EDIT("<top><sub><x>2</x><z>1</z></sub></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub><sub><x>2</x><z>1</z></sub></top>");
	expect("replace naming another first-leaf value adds, never replaces the one entry", base,
	    EDIT("<top><sub nc:operation=\"replace\"><x>2</x></sub></top>"), M, STOP, 0,
	    "<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub><sub><x>2</x></sub></top>");
	expect("leaf-list: delete by value", CFG("<t><ll>a</ll><ll>b</ll></t>"),
	    EDIT("<t><ll nc:operation=\"delete\">b</ll></t>"), M, STOP, 0, "<t><ll>a</ll></t>");
	expect("leaf-list: two new values add", CFG("<t><ll>a</ll></t>"),
	    EDIT("<t><ll>b</ll><ll>c</ll></t>"), M, STOP, 0, "<t><ll>a</ll><ll>b</ll><ll>c</ll></t>");
	expect("namespaces must match", CFG("<t xmlns=\"urn:a\"><v>1</v></t>"),
	    EDIT("<t xmlns=\"urn:b\"><v>2</v></t>"), M, STOP, 0,
	    "<t xmlns=\"urn:a\"><v>1</v></t><t xmlns=\"urn:b\"><v>2</v></t>");

	/* schema keys (RFC 6110 nma:key), key not first */
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs("<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\" "
	    "xmlns:nma=\"urn:ietf:params:xml:ns:netmod:dsdl-annotations:1\">"
	    "<start><element name=\"l\"><zeroOrMore><element name=\"e\" nma:key=\"id\">"
	    "<element name=\"v\"><text/></element><element name=\"id\"><text/></element>"
	    "</element></zeroOrMore></element></start></grammar>", f);
	fclose(f);
	keys = keys_from_schema(path);
	unlink(path);
	CHECK(keys != NULL, "nma:key read from a RELAX NG schema");
	expect("schema key: entry matched by id, not by first leaf",
	    CFG("<l><e><v>x</v><id>1</id></e></l>"), EDIT("<l><e><v>y</v><id>1</id></e></l>"), M, STOP, 0,
	    "<l><e><v>y</v><id>1</id></e></l>");
	expect("schema key: one-entry list gets a second entry",
	    CFG("<l><e><v>x</v><id>1</id></e></l>"), EDIT("<l><e><v>x</v><id>2</id></e></l>"), M, STOP, 0,
	    "<l><e><v>x</v><id>1</id></e><e><v>x</v><id>2</id></e></l>");
	keys_free(keys);
	keys = NULL;

	/* a big list (hash index): changes, then undo restores the exact tree */
	{
		size_t cap = 1 << 16, len = 0;
		char *big = malloc(cap);
		len += (size_t)snprintf(big + len, cap - len, "<config xmlns=\"%s\"><l>", NCNS);
		for (int i = 0; i < 200; i++)
			len += (size_t)snprintf(big + len, cap - len, "<e><k>%d</k><v>%d</v></e>", i, i);
		snprintf(big + len, cap - len, "</l></config>");
		xmlDocPtr d = parse(big), e;
		char *orig = dump(d);
		struct edit_ctx c = { .move = 1 };	/* each request freed before the undo */
		e = parse(EDIT("<l><e><k>150</k><v>X</v></e><e nc:operation=\"delete\"><k>7</k></e>"
		    "<e><k>500</k><v>new</v></e><e nc:operation=\"replace\"><k>3</k><v>R</v></e></l>"));
		c.defop = M;
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
		    "edit of a 200-entry list");
		got = dump(d);
		CHECK(strstr(got, "<e><k>150</k><v>X</v></e>") && !strstr(got, "<k>7</k>") &&
		    strstr(got, "<e><k>500</k><v>new</v></e>") && strstr(got, "<e><k>3</k><v>R</v></e>"),
		    "indexed list: merge, delete, create, replace");
		free(got);
		xmlFreeDoc(e);
		/* the index follows the changes: 7 is gone, 500 exists */
		e = parse(EDIT("<l><e nc:operation=\"create\"><k>7</k></e><e nc:operation=\"delete\"><k>500</k></e></l>"));
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
		    "index kept up to date across edits");
		xmlFreeDoc(e);
		e = parse(EDIT("<l><e nc:operation=\"delete\"><k>500</k></e></l>"));
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 1,
		    "deleted entry no longer found");
		xmlFreeDoc(e);
		edit_undo(&c);
		edit_ctx_clear(&c);
		got = dump(d);
		CHECK(strcmp(got, orig) == 0, "undo restores the exact tree");
		free(got);
		/* and the index still works after undo */
		e = parse(EDIT("<l><e nc:operation=\"create\"><k>7</k></e></l>"));
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 1,
		    "after undo entry 7 is found again");
		edit_undo(&c);
		edit_ctx_clear(&c);
		xmlFreeDoc(e);
		free(orig);
		free(big);
		doc_free(d);
	}

	/* a leaf-list value in a big (indexed) parent changes: its old value is gone */
	for (int mv = 0; mv < 2; mv++) {
		size_t cap = 1 << 14, len = 0;
		char *big = malloc(cap);
		struct edit_ctx c = { .move = mv };
		xmlDocPtr d, e;

		len += (size_t)snprintf(big + len, cap - len, "<config xmlns=\"%s\"><t><ll>a</ll>", NCNS);
		for (int i = 0; i < 40; i++)
			len += (size_t)snprintf(big + len, cap - len, "<x%d>%d</x%d>", i, i, i);
		snprintf(big + len, cap - len, "</t></config>");
		d = parse(big);
		e = parse(EDIT("<t><ll>b</ll></t>"));
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
		    "a lonely leaf value changes in an indexed parent%s", mv ? ", moving" : "");
		xmlFreeDoc(e);
		edit_ctx_clear(&c);
		/* two values: no "only node of that name" rule, the index alone decides */
		e = parse(EDIT("<t><ll>a</ll><ll>z</ll></t>"));
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
		    "two leaf-list values merged%s", mv ? ", moving" : "");
		xmlFreeDoc(e);
		edit_ctx_clear(&c);
		got = dump(d);
		CHECK(strstr(got, "<ll>b</ll>") != NULL && strstr(got, "<ll>a</ll>") != NULL &&
		    strstr(got, "<ll>z</ll>") != NULL,
		    "the old value was not found through a stale index entry%s", mv ? ", moving" : "");
		free(got);
		doc_free(d);
		free(big);
	}

	/* the same two cases in an indexed parent (the index's own look-up) */
	for (int mv = 0; mv < 2; mv++) {
		size_t cap = 1 << 14, len = 0;
		char *big = malloc(cap);
		struct edit_ctx c = { .move = mv };
		xmlDocPtr d, e;

		len += (size_t)snprintf(big + len, cap - len,
		    "<config xmlns=\"%s\"><t><e><k>1</k><v>keep</v></e>", NCNS);
		for (int i = 0; i < 40; i++)
			len += (size_t)snprintf(big + len, cap - len, "<x%d>%d</x%d>", i, i, i);
		snprintf(big + len, cap - len, "</t></config>");
		d = parse(big);
		e = parse(EDIT("<t><e><k>2</k><w>new</w></e></t>"));
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 0,
		    "indexed: a new entry merged%s", mv ? ", moving" : "");
		xmlFreeDoc(e);
		edit_ctx_clear(&c);
		e = parse(EDIT("<t><e nc:operation=\"delete\"><k>3</k></e></t>"));
		CHECK(edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e)) == 1,
		    "indexed: delete of a missing entry is data-missing%s", mv ? ", moving" : "");
		edit_undo(&c);
		xmlFreeDoc(e);
		edit_ctx_clear(&c);
		got = dump(d);
		CHECK(strstr(got, "<e><k>1</k><v>keep</v></e>") != NULL &&
		    strstr(got, "<e><k>2</k><w>new</w></e>") != NULL,
		    "indexed: both entries kept%s: %s", mv ? ", moving" : "", got);
		free(got);
		doc_free(d);
		free(big);
	}

	/* undo after many operations on the small tree */
	want = strdup("<top><a>1</a><sub><x>1</x><deep><y>1</y></deep></sub></top>");
	run(base, EDIT("<top><a nc:operation=\"delete\"/><sub nc:operation=\"replace\"><n>1</n></sub>"
	    "<c>3</c></top>"), M, STOP, 1, &got);
	CHECK(strcmp(got, want) == 0, "undo of delete+replace+merge");
	free(got);
	free(want);
}

int
main(void)
{
	all_tests();
	printf("# again, with packed trees\n");
	packed_mode = 1;
	all_tests();
	xmlCleanupParser();
	UNIT_DONE();
}
