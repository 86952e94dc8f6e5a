/*
 * <get>'s parts (ops/get_merge.c: running written in place but for the
 * copies of the top-level nodes state joins) against the whole merged
 * copy as the oracle (get_merged_copy, pruned with nacm_read_prune, as
 * <get> did before), on random running and state documents: the same
 * bytes, with no read rule and with random ones, and running unchanged.
 * The copy for a filter's scope (its top-level nodes and those state
 * joins) against the whole merged copy less the others, declaration for
 * declaration, and running's root and top-level nodes not written to
 * (packed ones stay packed).  Running's root sometimes declares the
 * prefixes its top-level nodes use, or holds nodes of its own (base)
 * namespace, which a copy of one of them then must not declare again.
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

#define ROOT_PREFIXED	"<config xmlns=\"" T_BASE "\" xmlns:t=\"" TNS "\" xmlns:o=\"" ONS "\">"

/*
 * /top/item[name], two <other>, a few top-level entries <e>, /nacm; or
 * nothing.  Or with the root declaring t: and o: : <e> and <other> use
 * them, and <b> (base namespace) the root's default.
 */
static void
make_running(xmlBufferPtr b)
{
	char e[512];
	int prefixed = rnd(3) == 0;

	xmlBufferCat(b, BAD_CAST (prefixed ? ROOT_PREFIXED : T_CFG_OPEN));
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
		if (prefixed)	/* i 2: its own declaration of the root's t:, which stays */
			snprintf(e, sizeof(e), "<t:e%s><t:name>e%d</t:name><t:v>%s</t:v></t:e>",
			    i == 2 ? " xmlns:t=\"" TNS "\"" : "", i, vals[rnd(NVALS)]);
		else
			snprintf(e, sizeof(e), "<e xmlns=\"" TNS "\"><name>e%d</name><v>%s</v></e>",
			    i, vals[rnd(NVALS)]);
		xmlBufferCat(b, BAD_CAST e);
	}
	for (int i = (int)rnd(3); i > 0; i--) {
		if (prefixed)
			snprintf(e, sizeof(e), "<o:other t:mark=\"%d\"><o:a>%d</o:a><o:grp><o:c>2</o:c>"
			    "</o:grp><x xmlns=\"" TNS "\"><t:y>1</t:y></x></o:other>", i, i);
		else
			snprintf(e, sizeof(e), "<other xmlns=\"" ONS "\"><a>%d</a><grp><c>2</c>"
			    "</grp></other>", i);
		xmlBufferCat(b, BAD_CAST e);
	}
	if (prefixed && rnd(2))
		xmlBufferCat(b, BAD_CAST "<b><v>1</v></b>");
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

static const char *const scopes[] = {
	"<filter type=\"subtree\"><top xmlns=\"" TNS "\"/></filter>",
	"<filter type=\"subtree\"><e xmlns=\"" TNS "\"/><other xmlns=\"" ONS "\"/></filter>",
	"<filter type=\"subtree\"><nacm xmlns=\"" NACM_NS "\"/></filter>",
	"<filter type=\"subtree\"><b xmlns=\"" T_BASE "\"/><other xmlns=\"" ONS "\"/></filter>",
	"<filter type=\"subtree\"></filter>",
	"<filter type=\"xpath\" xmlns:t=\"" TNS "\" select=\"/t:e\"/>",
};
#define NSCOPES (sizeof(scopes) / sizeof(scopes[0]))

/* 1 when the copy for scope takes running's top-level node m (ops/get_merge.c in_scope). */
static int
wanted(xmlNodePtr scope, xmlNodePtr sroot, xmlNodePtr m)
{
	if (m->type != XML_ELEMENT_NODE || filter_may_select(scope, m->ns != NULL ?
	    (const char *)m->ns->href : NULL, (const char *)m->name))
		return 1;
	for (xmlNodePtr c = sroot->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(m->name, c->name) &&
		    m->ns != NULL && c->ns != NULL && xmlStrEqual(m->ns->href, c->ns->href))
			return 1;
	return 0;
}

/* The whole merged copy less running's top-level nodes scope leaves out. */
static xmlDocPtr
scoped_oracle(xmlDocPtr running, xmlNodePtr sroot, xmlNodePtr scope)
{
	xmlDocPtr d = get_merged_copy(running, sroot, NULL);
	xmlNodePtr c = xmlDocGetRootElement(d)->children, next;

	for (xmlNodePtr m = xmlDocGetRootElement(running)->children; m != NULL; m = m->next,
	    c = next) {
		next = c->next;
		if (!wanted(scope, sroot, m)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	return d;
}

/* 1 when a top-level node of d is in a namespace d's root declares. */
static int
root_declared(xmlDocPtr d)
{
	xmlNodePtr root = xmlDocGetRootElement(d);

	for (xmlNodePtr c = root->children; c != NULL; c = c->next)
		for (xmlNsPtr ns = root->nsDef; ns != NULL; ns = ns->next)
			if (c->ns == ns)
				return 1;
	return 0;
}

/* d as libxml2 writes it: every namespace declaration where it is; caller frees. */
static char *
dump(xmlDocPtr d)
{
	xmlChar *s;
	int len;

	xmlDocDumpMemory(d, &s, &len);
	return (char *)s;
}

/* Running's root and top-level nodes, as bytes: what a <get> must leave as it was. */
static xmlNode *
snapshot(xmlDocPtr running, size_t *n)
{
	xmlNodePtr root = xmlDocGetRootElement(running);
	xmlNode *s;

	*n = 1;
	for (xmlNodePtr m = root->children; m != NULL; m = m->next)
		(*n)++;
	s = calloc(*n, sizeof(*s));
	s[0] = *root;
	*n = 1;
	for (xmlNodePtr m = root->children; m != NULL; m = m->next)
		s[(*n)++] = *m;
	return s;
}

/* 1 when running's root and top-level nodes are as snapshot s saw them. */
static int
unchanged(xmlDocPtr running, const xmlNode *s, size_t n)
{
	xmlNodePtr root = xmlDocGetRootElement(running);
	size_t i = 1;

	if (memcmp(root, &s[0], sizeof(*root)) != 0)
		return 0;
	for (xmlNodePtr m = root->children; m != NULL; m = m->next, i++)
		if (i >= n || memcmp(m, &s[i], sizeof(*m)) != 0)
			return 0;
	return i == n;
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
	int bad_scope = 0, written = 0, left_out = 0, redeclared = 0;
	char first[3072] = "", first_scope[3072] = "";

	rnd_seed();
	t_init();
	for (int round = 0; round < ROUNDS; round++) {
		struct nacm_config *cfg = make_cfg();
		struct nacm_session *s = t_sess(cfg, "u", NULL, 0);
		xmlBufferPtr b = xmlBufferCreate();
		xmlDocPtr running, state, merged, scope_doc, scoped, oracle;
		xmlNode *snap;
		size_t nsnap;
		struct get_parts p;
		struct get_hider *h;
		char *before, *plain, *got, *want;

		make_running(b);
		running = packed_read_memory((const char *)xmlBufferContent(b),
		    (int)xmlBufferLength(b), NC_XML_PARSE_OPTS);
		state = make_state();
		before = whole(running, NULL, NULL);
		snap = snapshot(running, &nsnap);

		/* no read rule */
		merged = get_merged_copy(running, xmlDocGetRootElement(state), NULL);
		get_parts_build(running, xmlDocGetRootElement(state), &p);

		/* a filter's scope: the whole copy less the nodes it leaves out */
		scope_doc = t_doc(scopes[rnd(NSCOPES)]);
		scoped = get_merged_copy(running, xmlDocGetRootElement(state),
		    xmlDocGetRootElement(scope_doc));
		written += !unchanged(running, snap, nsnap);
		oracle = scoped_oracle(running, xmlDocGetRootElement(state),
		    xmlDocGetRootElement(scope_doc));
		left_out += xmlChildElementCount(xmlDocGetRootElement(scoped)) <
		    xmlChildElementCount(xmlDocGetRootElement(merged));
		got = dump(scoped);
		want = dump(oracle);
		redeclared += root_declared(scoped);
		if (strcmp(got, want) != 0 && bad_scope++ == 0)
			snprintf(first_scope, sizeof(first_scope), "round %d (declarations)\n"
			    "#  got  %.1400s\n#  want %.1400s", round, got, want);
		free(got);
		free(want);
		got = whole(scoped, NULL, NULL);
		want = whole(oracle, NULL, NULL);
		if (strcmp(got, want) != 0 && bad_scope++ == 0)
			snprintf(first_scope, sizeof(first_scope), "round %d (reply)\n"
			    "#  got  %.1400s\n#  want %.1400s", round, got, want);
		free(got);
		free(want);
		xmlFreeDoc(oracle);
		xmlFreeDoc(scoped);
		xmlFreeDoc(scope_doc);
		free(snap);
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
	CHECK(bad_scope == 0, "the copy for a filter's scope is the whole merged copy less the "
	    "top-level nodes it leaves out (%d differ)%s%s", bad_scope,
	    first_scope[0] ? "\n# " : "", first_scope);
	CHECK(written == 0, "the copies leave running's root and top-level nodes as they were, "
	    "packed ones packed (%d of %d rounds wrote to them)", written, ROUNDS);
	CHECK(left_out > 0 && redeclared > 0, "scopes left nodes out in %d rounds, copied a node "
	    "in a namespace the root declares in %d (the test sees both)", left_out, redeclared);
	CHECK(joined > 0 && hid > 0, "state joined %d configuration nodes, rules hid in %d rounds "
	    "(the test sees both)", joined, hid);
	t_done();
	UNIT_DONE();
}
