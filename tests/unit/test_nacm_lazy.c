/*
 * Lazy read decisions (nacm_reader_hides, nacm_lazy.c) against the full
 * walk as the oracle, on random rule sets and random data:
 *   - the unfiltered reply written less what the reader hides is the
 *     pruned copy (nacm_read_prune) written whole;
 *   - random subtree filters (with the list index, which packs entries
 *     again under the reader's frames) answer as on the pruned copy;
 *   - asked about every node in a random order (not the writer's), the
 *     reader says what the read mask says (a node in the mask or below
 *     one is hidden).
 * Rules: module-name rules, path rules with and without key predicates,
 * on lists, containers, keys and leaves, permit and deny, read-default
 * permit and deny.  The seed is printed; NCHOME_SEED repeats one.
 */
#include <stdio.h>

#include "nacm_test.h"
#include "reply_test.h"
#include "unit.h"

#define TNS "urn:t"
#define ONS "urn:o"

static const char *const vals[] = { "1", "2", "x", "n3", "n7", "s1" };
#define NVALS (sizeof(vals) / sizeof(vals[0]))

/* /top/item[name] (a list big enough for the index), nested sub[id], other. */
static void
make_data(xmlBufferPtr b)
{
	int items = 30 + (int)rnd(12);

	xmlBufferCat(b, BAD_CAST T_CFG_OPEN "<top xmlns=\"" TNS "\">");
	for (int i = 0; i < items; i++) {
		char e[512];
		int nsub = (int)rnd(3);

		snprintf(e, sizeof(e), "<item><name>n%d</name><a>%s</a><cfg><c>%s</c><d>%s</d></cfg>",
		    i, vals[rnd(NVALS)], vals[rnd(NVALS)], vals[rnd(NVALS)]);
		xmlBufferCat(b, BAD_CAST e);
		for (int j = 0; j < nsub; j++) {
			snprintf(e, sizeof(e), "<sub><id>s%d</id><v>%s</v></sub>", j, vals[rnd(NVALS)]);
			xmlBufferCat(b, BAD_CAST e);
		}
		if (rnd(8) == 0)	/* another namespace inside: not packed */
			xmlBufferCat(b, BAD_CAST "<x xmlns=\"" ONS "\"><y>1</y></x>");
		xmlBufferCat(b, BAD_CAST "</item>");
	}
	xmlBufferCat(b, BAD_CAST "<mode>x</mode></top><other xmlns=\"" ONS "\"><a>1</a>"
	    "<grp><c>2</c><d>x</d></grp></other></config>");
}

static const char *const paths[] = {
	"/t:top", "/t:top/t:item", "/t:top/t:item/t:cfg", "/t:top/t:item/t:cfg/t:c",
	"/t:top/t:item/t:a", "/t:top/t:item/t:name", "/t:top/t:mode", "/t:top/t:item/t:sub",
	"/t:top/t:item/t:sub[t:id='s1']", "/t:top/t:item/t:sub/t:v", "/o:other",
	"/o:other/o:grp", "/o:other/o:grp/o:c", "/t:top/t:item/o:x", "/",
	"/t:top/t:item/t:sub[t:id='s0']/t:v",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static void
make_rule(xmlBufferPtr b, int i)
{
	char e[512];
	const char *act = rnd(2) ? "permit" : "deny";
	const char *ops = rnd(4) ? "read" : (rnd(2) ? "*" : "create update");

	if (rnd(5) == 0) {
		const char *mods[] = { "test", "other", "*" };

		snprintf(e, sizeof(e), "<rule><name>r%d</name><module-name>%s</module-name>"
		    "<access-operations>%s</access-operations><action>%s</action></rule>",
		    i, mods[rnd(3)], ops, act);
	} else if (rnd(3) == 0)
		snprintf(e, sizeof(e), "<rule><name>r%d</name><path xmlns:t=\"" TNS "\" "
		    "xmlns:o=\"" ONS "\">/t:top/t:item[t:name='n%u']%s</path>"
		    "<access-operations>%s</access-operations><action>%s</action></rule>",
		    i, rnd(40), rnd(3) == 0 ? "/t:cfg" : rnd(3) == 0 ? "/t:sub" : "", ops, act);
	else
		snprintf(e, sizeof(e), "<rule><name>r%d</name><path xmlns:t=\"" TNS "\" "
		    "xmlns:o=\"" ONS "\">%s</path><access-operations>%s</access-operations>"
		    "<action>%s</action></rule>", i, paths[rnd(NPATHS)], ops, act);
	xmlBufferCat(b, BAD_CAST e);
}

static struct nacm_config *
make_cfg(void)
{
	xmlBufferPtr b = xmlBufferCreate();
	struct nacm_config *c;
	int n = (int)rnd(9);
	/* drawn after n, before the rules: a seed gives the config it always gave */
	const char *read_default = rnd(3) == 0 ? "deny" : "permit";

	for (int i = 0; i < n; i++)
		make_rule(b, i);
	c = t_cfg_rules(read_default, (const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return c;
}

static int
reader_hides(const void *r, const xmlNode *n)
{
	return nacm_reader_hides((struct nacm_reader *)(uintptr_t)r, n);
}

/* data written as an unfiltered reply, less what hidden hides; caller frees. */
static void
make_filter(xmlBufferPtr f)
{
	char e[256];

	xmlBufferCat(f, BAD_CAST "<rpc xmlns=\"" T_BASE "\"><get><filter type=\"subtree\">"
	    "<top xmlns=\"" TNS "\">");
	for (int i = 1 + (int)rnd(3); i > 0; i--)
		switch (rnd(5)) {
		case 0:
			snprintf(e, sizeof(e), "<item><name>n%u</name></item>", rnd(40));
			xmlBufferCat(f, BAD_CAST e);
			break;
		case 1:
			snprintf(e, sizeof(e), "<item><name>n%u</name><cfg><c/></cfg><sub/></item>",
			    rnd(40));
			xmlBufferCat(f, BAD_CAST e);
			break;
		case 2:
			snprintf(e, sizeof(e), "<item><a>%s</a><name/></item>", vals[rnd(NVALS)]);
			xmlBufferCat(f, BAD_CAST e);
			break;
		case 3:
			xmlBufferCat(f, BAD_CAST "<mode/>");
			break;
		default:
			snprintf(e, sizeof(e), "<item><sub><id>s%u</id><v/></sub></item>", rnd(3));
			xmlBufferCat(f, BAD_CAST e);
		}
	xmlBufferCat(f, BAD_CAST "</top>");
	if (rnd(3) == 0)
		xmlBufferCat(f, BAD_CAST "<other xmlns=\"" ONS "\"><grp/></other>");
	xmlBufferCat(f, BAD_CAST "</filter></get></rpc>");
}

/* Every element below n, document order, into v (grown). */
static void
collect(xmlNodePtr n, xmlNodePtr **v, size_t *nv, size_t *cap)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (*nv == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*v = realloc(*v, *cap * sizeof(**v));
		}
		(*v)[(*nv)++] = c;
		collect(c, v, nv, cap);
	}
}

/* The mask's answer: n or an ancestor (below root) is masked. */
static int
mask_hides(const struct nacm_mask *m, const xmlNode *root, const xmlNode *n)
{
	for (; n != NULL && n != root; n = n->parent)
		if (nacm_mask_has(m, n))
			return 1;
	return 0;
}

/*
 * The reader keeps node pointers between questions: an entry packed again
 * (a filter does that after reading it) and unpacked anew gets new nodes,
 * some at the addresses of the old ones.  Its answers must be the new
 * nodes' (libxml2 tells it of each free).
 */
static void
test_repacked(void)
{
	struct nacm_config *cfg = t_cfg("<nacm xmlns=\"" NACM_NS "\"><groups><group><name>g</name>"
	    "<user-name>u</user-name></group></groups><rule-list><name>l</name><group>g</group>"
	    "<rule><name>r</name><path xmlns:t=\"" TNS "\">/t:top/t:item/t:cfg</path>"
	    "<access-operations>read</access-operations><action>deny</action></rule>"
	    "</rule-list></nacm>");
	struct nacm_session *s = t_sess(cfg, "u", NULL, 0);
	xmlBufferPtr b = xmlBufferCreate();
	xmlDocPtr d;
	struct nacm_reader *rd;
	int wrong = 0, asked = 0, dropped = 1;

	xmlBufferCat(b, BAD_CAST T_CFG_OPEN "<top xmlns=\"" TNS "\">");
	for (int i = 0; i < 20; i++) {
		char e[256];

		/* cfg last: freed last, its place is the next unpack's first node's */
		snprintf(e, sizeof(e), "<item><name>n%d</name><a>%d</a><b>x</b>"
		    "<cfg><c>%d</c></cfg></item>", i, i, i);
		xmlBufferCat(b, BAD_CAST e);
	}
	xmlBufferCat(b, BAD_CAST "</top></config>");
	d = t_packed_doc((const char *)xmlBufferContent(b));
	rd = nacm_reader_new(s, xmlDocGetRootElement(d));
	packed_unpack(t_elem(xmlDocGetRootElement(d), "top"));
	for (xmlNodePtr it = t_elem(xmlDocGetRootElement(d), "top")->children; it != NULL;
	    it = it->next)
		for (int again = 0; again < 4; again++) {
			packed_unpack(it);
			for (xmlNodePtr c = it->children; c != NULL; c = c->next) {
				int want = xmlStrEqual(c->name, BAD_CAST "cfg");

				asked++;
				wrong += nacm_reader_hides(rd, c) != want;
				if (c->children != NULL && c->children->type == XML_ELEMENT_NODE)
					wrong += nacm_reader_hides(rd, c->children) != want;
			}
			/* the frames of it's freed children go with them, it's stay */
			packed_pack_tree(it);
			dropped &= nacm_reader_frames(rd) == 2;
		}
	CHECK(wrong == 0 && asked > 0, "entries packed again and unpacked under the reader: "
	    "its answers are the new nodes' (%d of %d wrong)", wrong, asked);
	CHECK(dropped, "each repack drops the frames of the nodes it frees (a new node at "
	    "a freed one's address gets no stale decision)");
	nacm_reader_free(rd);
	xmlFreeDoc(d);
	xmlBufferFree(b);
	nacm_session_free(s);
	nacm_config_free(cfg);
}

#define ROUNDS	120
#define FILTERS	12

int
main(void)
{
	int bad_whole = 0, bad_filter = 0, bad_node = 0, nfilter = 0, hid = 0, partial = 0;
	size_t asked = 0;
	char first[2048] = "";

	rnd_seed();
	t_init();
	for (int round = 0; round < ROUNDS; round++) {
		struct nacm_config *cfg = make_cfg();
		struct nacm_session *s = t_sess(cfg, "u", NULL, 0);
		xmlBufferPtr b = xmlBufferCreate();
		xmlDocPtr lazy, pruned, flat, flat2;
		struct nacm_reader *rd;
		struct nacm_mask *m;
		char *got, *want;
		xmlNodePtr *v = NULL, *v2 = NULL;
		size_t nv = 0, cap = 0, nv2 = 0, cap2 = 0;

		make_data(b);
		lazy = packed_read_memory((const char *)xmlBufferContent(b), (int)xmlBufferLength(b),
		    NC_XML_PARSE_OPTS);
		pruned = packed_copy_doc(lazy);
		if (nacm_read_prune(s, xmlDocGetRootElement(pruned)) < 0)
			abort();

		/* the unfiltered reply */
		rd = nacm_reader_new(s, xmlDocGetRootElement(lazy));
		got = whole(lazy, reader_hides, rd);
		nacm_reader_free(rd);
		want = whole(pruned, NULL, NULL);
		if (strcmp(got, want) != 0 && bad_whole++ == 0)
			snprintf(first, sizeof(first), "round %d unfiltered\n#  got  %.500s\n#  want %.500s",
			    round, got, want);
		free(got);
		free(want);
		packed_repack();

		/* subtree filters, through the list index */
		for (int i = 0; i < FILTERS; i++) {
			xmlBufferPtr fb = xmlBufferCreate();
			struct reply_opts plain = { NULL, NULL, NULL, NULL };
			struct reply_opts ro = { NULL, NULL, reader_hides, NULL };
			xmlDocPtr fd;
			xmlNodePtr filter;

			make_filter(fb);
			fd = xmlReadMemory((const char *)xmlBufferContent(fb), xmlBufferLength(fb),
			    NULL, NULL, NC_XML_PARSE_OPTS);
			filter = xmlDocGetRootElement(fd)->children->children;
			rd = nacm_reader_new(s, xmlDocGetRootElement(lazy));
			ro.hidden_arg = rd;
			got = filtered(&ro, filter, lazy);
			nacm_reader_free(rd);
			want = filtered(&plain, filter, pruned);
			nfilter++;
			if (strcmp(got, want) != 0 && bad_filter++ == 0)
				snprintf(first, sizeof(first), "round %d filter %s\n#  got  %.500s\n"
				    "#  want %.500s", round, (const char *)xmlBufferContent(fb), got, want);
			free(got);
			free(want);
			xmlFreeDoc(fd);
			xmlBufferFree(fb);
			packed_repack();
		}

		/* every node, in a random order, against the mask on a twin */
		flat = packed_read_memory((const char *)xmlBufferContent(b), (int)xmlBufferLength(b),
		    NC_XML_PARSE_OPTS);
		flat2 = packed_copy_doc(flat);
		packed_unpack_tree(xmlDocGetRootElement(flat));
		packed_unpack_tree(xmlDocGetRootElement(flat2));
		if (nacm_read_mask(s, xmlDocGetRootElement(flat2), &m) == -1)
			abort();
		collect(xmlDocGetRootElement(flat), &v, &nv, &cap);
		collect(xmlDocGetRootElement(flat2), &v2, &nv2, &cap2);
		rd = nacm_reader_new(s, xmlDocGetRootElement(flat));
		for (size_t k = 0; k < nv && nv == nv2; k++) {
			size_t j = rnd(3) == 0 ? k : rnd((unsigned)nv);
			int l = nacm_reader_hides(rd, v[j]);
			int o = mask_hides(m, xmlDocGetRootElement(flat2), v2[j]);

			asked++;
			hid += l;
			partial += !l && nacm_mask_count(m) > 0;
			if (l != o && bad_node++ == 0)
				snprintf(first, sizeof(first), "round %d node %s: lazy %d, mask %d",
				    round, (const char *)v[j]->name, l, o);
		}
		nacm_reader_free(rd);
		nacm_mask_free(m);
		free(v);
		free(v2);
		xmlFreeDoc(flat);
		xmlFreeDoc(flat2);
		packed_repack();

		xmlFreeDoc(pruned);
		xmlFreeDoc(lazy);
		xmlBufferFree(b);
		nacm_session_free(s);
		nacm_config_free(cfg);
	}
	CHECK(bad_whole == 0, "unfiltered replies less what the reader hides are the pruned copy "
	    "(%d of %d differ)%s%s", bad_whole, ROUNDS, first[0] ? "\n# " : "", first);
	CHECK(bad_filter == 0, "subtree filters with the reader answer as on the pruned copy "
	    "(%d of %d differ)", bad_filter, nfilter);
	CHECK(bad_node == 0, "asked in a random order, the reader says what the mask says "
	    "(%d of %zu differ)", bad_node, asked);
	CHECK(hid > 0 && partial > 0, "the rules hid %d nodes and kept %d beside masked ones "
	    "(the test can see hiding)", hid, partial);
	test_repacked();
	t_done();
	UNIT_DONE();
}
