/*
 * <get>'s parts (ops/get_merge.c: running written in place but for the
 * copies of the top-level nodes state joins) against the whole merged
 * copy as the oracle (get_merged_copy, pruned with nacm_read_prune, as
 * <get> did before), on random running and state documents: the same
 * bytes, with no read rule and with random ones, and running unchanged.
 * State nodes: ones that join a configuration node (the first of
 * several of its name), ones of a name running has in another
 * namespace, state-only ones, twice the same state-only one (the second
 * joins the first), in random order; running sometimes empty.  The seed
 * is printed; NCHOME_SEED repeats one.
 */
#include <stdio.h>

#include "nacm_test.h"
#include "ops/ops_int.h"
#include "reply_test.h"
#include "unit.h"

#define TNS "urn:t"
#define ONS "urn:o"
#define MNS "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"

static const char *const vals[] = { "1", "2", "x", "n3" };
#define NVALS (sizeof(vals) / sizeof(vals[0]))

/* /top/item[name], two <other>, a few top-level entries <e>, /nacm; or nothing. */
static void
make_running(xmlBufferPtr b)
{
	char e[512];

	xmlBufferCat(b, BAD_CAST T_CFG_OPEN);
	if (rnd(6) == 0) {
		xmlBufferCat(b, BAD_CAST "</config>");
		return;
	}
	if (rnd(4) != 0) {
		int items = 1 + (int)rnd(20);

		xmlBufferCat(b, BAD_CAST "<top xmlns=\"" TNS "\">");
		for (int i = 0; i < items; i++) {
			snprintf(e, sizeof(e), "<item><name>n%d</name><a>%s</a><cfg><c>%s</c></cfg>"
			    "</item>", i, vals[rnd(NVALS)], vals[rnd(NVALS)]);
			xmlBufferCat(b, BAD_CAST e);
		}
		xmlBufferCat(b, BAD_CAST "<mode>x</mode></top>");
	}
	for (int i = (int)rnd(3); i > 0; i--) {
		snprintf(e, sizeof(e), "<e xmlns=\"" TNS "\"><name>e%d</name><v>%s</v></e>", i,
		    vals[rnd(NVALS)]);
		xmlBufferCat(b, BAD_CAST e);
	}
	for (int i = (int)rnd(3); i > 0; i--) {
		snprintf(e, sizeof(e), "<other xmlns=\"" ONS "\"><a>%d</a><grp><c>2</c></grp></other>",
		    i);
		xmlBufferCat(b, BAD_CAST e);
	}
	if (rnd(2))
		xmlBufferCat(b, BAD_CAST "<nacm xmlns=\"" NACM_NS "\"><enable-nacm>true</enable-nacm>"
		    "</nacm>");
	xmlBufferCat(b, BAD_CAST "</config>");
}

static const char *const states[] = {
	"<top xmlns=\"" TNS "\"><st>1</st><item><name>s</name><a>9</a></item></top>",
	"<other xmlns=\"" ONS "\"><count>4</count></other>",
	"<nacm xmlns=\"" NACM_NS "\"><denied-operations>3</denied-operations></nacm>",
	"<netconf-state xmlns=\"" MNS "\"><sessions><session><session-id>1</session-id>"
	    "</session></sessions></netconf-state>",
	"<netconf-state xmlns=\"" MNS "\"><statistics><in-rpcs>7</in-rpcs></statistics>"
	    "</netconf-state>",
	"<top xmlns=\"" ONS "\"><st>2</st></top>",
	"<e xmlns=\"" TNS "\"><name>s</name><up>true</up></e>",
	"<p:gauge xmlns:p=\"urn:p\"><p:v>1</p:v></p:gauge>",
};
#define NSTATES (sizeof(states) / sizeof(states[0]))

static xmlDocPtr
make_state(void)
{
	xmlBufferPtr b = xmlBufferCreate();
	xmlDocPtr d;

	xmlBufferCat(b, BAD_CAST T_CFG_OPEN);
	for (int i = 1 + (int)rnd(5); i > 0; i--)
		xmlBufferCat(b, BAD_CAST states[rnd(NSTATES)]);
	xmlBufferCat(b, BAD_CAST "</config>");
	d = t_doc((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return d;
}

static const char *const paths[] = {
	"/t:top", "/t:top/t:item", "/t:top/t:st", "/t:top/t:item/t:cfg", "/o:other",
	"/o:other/o:count", "/t:e", "/t:e/t:up", "/o:top",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static struct nacm_config *
make_cfg(void)
{
	xmlBufferPtr b = xmlBufferCreate();
	const char *read_default = rnd(3) == 0 ? "deny" : "permit";
	struct nacm_config *c;

	for (int i = (int)rnd(5); i > 0; i--) {
		char e[512];

		snprintf(e, sizeof(e), "<rule><name>r%d</name><path xmlns:t=\"" TNS "\" "
		    "xmlns:o=\"" ONS "\">%s</path><access-operations>read</access-operations>"
		    "<action>%s</action></rule>", i, paths[rnd(NPATHS)], rnd(2) ? "permit" : "deny");
		xmlBufferCat(b, BAD_CAST e);
	}
	c = t_cfg_rules(read_default, (const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return c;
}

/* The parts as the reply writes them, less what hidden hides; caller frees. */
static char *
parts(const struct get_parts *p, reply_hidden_fn hidden, const void *arg)
{
	xmlBufferPtr b = xmlBufferCreate();
	struct xmlout *xo = xo_new_writer(reply_put, b);
	char *s;

	for (size_t i = 0; i < p->n; i++)
		xo_data_child_hiding(xo, p->nodes[i], hidden, arg);
	xo_finish(xo);
	s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return s;
}

#define ROUNDS	300

int
main(void)
{
	int bad_plain = 0, bad_nacm = 0, bad_running = 0, joined = 0, hid = 0;
	char first[3072] = "";

	rnd_seed();
	t_init();
	for (int round = 0; round < ROUNDS; round++) {
		struct nacm_config *cfg = make_cfg();
		struct nacm_session *s = t_sess(cfg, "u", NULL, 0);
		xmlBufferPtr b = xmlBufferCreate();
		xmlDocPtr running, state, merged;
		struct get_parts p;
		struct get_hider *h;
		char *before, *plain, *got, *want;

		make_running(b);
		running = packed_read_memory((const char *)xmlBufferContent(b),
		    (int)xmlBufferLength(b), NC_XML_PARSE_OPTS);
		state = make_state();
		before = whole(running, NULL, NULL);

		/* no read rule */
		merged = get_merged_copy(running, xmlDocGetRootElement(state), NULL);
		get_parts_build(running, xmlDocGetRootElement(state), &p);
		/* running's top-level nodes the parts hold a copy of */
		for (xmlNodePtr m = xmlDocGetRootElement(running)->children; m != NULL; m = m->next)
			joined++;
		for (size_t i = 0; i < p.n; i++)
			joined -= p.nodes[i]->doc == running;
		want = whole(merged, NULL, NULL);
		plain = parts(&p, NULL, NULL);
		if (strcmp(plain, want) != 0 && bad_plain++ == 0)
			snprintf(first, sizeof(first), "round %d\n#  got  %.1400s\n#  want %.1400s",
			    round, plain, want);
		free(want);

		/* random read rules: the reader per document against the prune */
		if (nacm_read_prune(s, xmlDocGetRootElement(merged)) < 0)
			abort();
		want = whole(merged, NULL, NULL);
		h = get_hider_new(s, running, &p);
		got = parts(&p, get_hider_hides, h);
		get_hider_free(h);
		hid += strcmp(got, plain) != 0;
		if (strcmp(got, want) != 0 && bad_nacm++ == 0)
			snprintf(first, sizeof(first), "round %d (rules)\n#  got  %.1400s\n"
			    "#  want %.1400s", round, got, want);
		free(got);
		free(want);
		free(plain);
		packed_repack();

		got = whole(running, NULL, NULL);
		bad_running += strcmp(got, before) != 0;
		free(got);
		free(before);
		free(p.nodes);
		xmlFreeDoc(p.owned);
		xmlFreeDoc(merged);
		xmlFreeDoc(state);
		xmlFreeDoc(running);
		xmlBufferFree(b);
		nacm_session_free(s);
		nacm_config_free(cfg);
	}
	CHECK(bad_plain == 0, "the parts write the bytes of the merged copy (%d of %d differ)%s%s",
	    bad_plain, ROUNDS, first[0] ? "\n# " : "", first);
	CHECK(bad_nacm == 0, "with read rules, the parts less what the readers hide write the "
	    "pruned merged copy (%d of %d differ)%s%s", bad_nacm, ROUNDS, first[0] ? "\n# " : "",
	    first);
	CHECK(bad_running == 0, "running is unchanged (%d of %d changed)", bad_running, ROUNDS);
	CHECK(joined > 0 && hid > 0, "state joined %d configuration nodes, rules hid in %d rounds "
	    "(the test sees both)", joined, hid);
	t_done();
	UNIT_DONE();
}
