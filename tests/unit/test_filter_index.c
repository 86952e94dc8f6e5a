/*
 * Filters that select list entries by key answered through the list
 * index (edit_index.c's index_lookup, filter_subtree.c, xpath_keyed.c)
 * return exactly what the full walk returns (filter_index_on = 0: the
 * subtree walk, libxml2's XPath).  Random data and random keys: one key
 * (YANG, schema-less first leaf), composite keys (YANG, RELAX NG keys
 * not first), keys that exist and keys that do not, several entries in
 * one filter, after edits that add and delete entries; and where the
 * index cannot answer (white space around a key, a repeated key leaf,
 * few entries) the walk's answer still, and with every key's hash one of
 * four (the index compares the keys of equal hashes).  NACM: a denied entry is not
 * found through the index of the pruned copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "schema_test.h"
#include "nacm_test.h"

#define NCNS	"urn:ietf:params:xml:ns:netconf:base:1.0"
#define QUERIES	25

static int
to_buffer(void *b, const char *s, size_t len)
{
	xmlBufferAdd(b, BAD_CAST s, (int)len);
	return 0;
}

/* The serialized reply of <filter attrs>body</filter> on d; caller frees. */
static char *
run(const struct reply_opts *o, xmlDocPtr d, const char *attrs, const char *body)
{
	size_t len = strlen(attrs) + strlen(body) + 256;
	char *req = malloc(len), *s;
	xmlDocPtr f, out = NULL;
	struct rpc r = { 0 };
	xmlBufferPtr b = xmlBufferCreate();

	if (strncmp(body, "select=", 7) == 0)
		snprintf(req, len, "<rpc xmlns=\"%s\"><get><filter %s %s/></get></rpc>",
		    NCNS, attrs, body);
	else
		snprintf(req, len, "<rpc xmlns=\"%s\"><get><filter %s>%s</filter></get></rpc>",
		    NCNS, attrs, body);
	f = xmlReadMemory(req, (int)strlen(req), NULL, NULL, NC_XML_PARSE_OPTS);
	free(req);
	if (f == NULL)
		return strdup("(bad filter)");
	if (filter_apply(o, &r, xmlDocGetRootElement(f)->children->children, d, &out) == 0) {
		struct xmlout *xo = xo_new_writer(to_buffer, b);

		for (xmlNodePtr c = xmlDocGetRootElement(out)->children; c != NULL; c = c->next)
			xo_node(xo, c, NULL);
		xo_finish(xo);
		xmlFreeDoc(out);
	} else
		xmlBufferCCat(b, "(error)");
	packed_repack();
	xmlFreeDoc(r.err_doc);
	xmlFreeDoc(f);
	s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return s;
}

/*
 * Runs the filter walking and through the index; 1 when both replies
 * are the same and the index answered (answered) or not (!answered).
 */
static int
same(const struct reply_opts *o, xmlDocPtr d, const char *attrs, const char *body,
    int answered, int *hits)
{
	unsigned long before;
	char *walk, *idx;
	int ok;

	filter_index_on = 0;
	walk = run(o, d, attrs, body);
	filter_index_on = 1;
	before = filter_index_answers;
	idx = run(o, d, attrs, body);
	ok = strcmp(walk, idx) == 0 && (filter_index_answers > before) == answered;
	if (strstr(walk, "<") != NULL)
		(*hits)++;
	if (!ok)
		printf("# differs (index %s): %s\n#  walk:  %.300s\n#  index: %.300s\n",
		    filter_index_answers > before ? "answered" : "did not answer", body, walk, idx);
	free(walk);
	free(idx);
	return ok;
}

/* A list to filter: entry i's key leaves and other leaves. */
struct list {
	const char	*ns, *top, *item;
	const char	*k[2];		/* key leaf names; k[1] NULL: one key */
	int		 n;
	char		 (*v[2])[32];	/* key values per entry */
};

/*
 * Key values: random, unique as pairs; a few entries share k[0]'s value
 * (metric 1: ipv4-prefix and 1..3; 2: example-bench's item-NNNNNN).
 */
static void
list_fill(struct list *l, int n, int metric)
{
	l->n = n;
	for (int j = 0; j < 2; j++)
		l->v[j] = calloc((size_t)n, sizeof(*l->v[j]));
	for (int i = 0; i < n; i++) {
		int r = rand() % 100000;

		if (metric == 2)
			snprintf(l->v[0][i], 32, "item-%06d", i * 7 + r % 7);
		else if (metric) {
			snprintf(l->v[0][i], 32, "10.%d.%d.0/24", (i / 3) / 256, (i / 3) % 256);
			snprintf(l->v[1][i], 32, "%d", i % 3 + 1);
		} else {
			snprintf(l->v[0][i], 32, "k%05d-%d", r, i / 2);
			snprintf(l->v[1][i], 32, "b%d", i % 2);
		}
	}
}

/* The datastore document of l, packed or not; keys_last: keys after the other leaves. */
static xmlDocPtr
list_doc(const struct list *l, int packed, int keys_last, const char *odd)
{
	size_t cap = (size_t)l->n * 256 + 1024, len = 0;
	char *buf = malloc(cap);
	xmlDocPtr d;

	len += (size_t)snprintf(buf + len, cap - len,
	    "<config xmlns=\"" NCNS "\"><%s xmlns=\"%s\"><x>first</x>", l->top, l->ns);
	for (int i = 0; i < l->n; i++) {
		char keys[160];
		int kl = snprintf(keys, sizeof(keys), "<%s>%s</%s>", l->k[0], l->v[0][i], l->k[0]);

		if (l->k[1] != NULL)
			snprintf(keys + kl, sizeof(keys) - (size_t)kl, "<%s>%s</%s>", l->k[1],
			    l->v[1][i], l->k[1]);
		len += (size_t)snprintf(buf + len, cap - len, "<%s>%s<w>w%d</w><z><q>q%d</q></z>%s</%s>",
		    l->item, keys_last ? "" : keys, i, i % 7, keys_last ? keys : "", l->item);
	}
	len += (size_t)snprintf(buf + len, cap - len, "%s<y>last</y></%s></config>",
	    odd != NULL ? odd : "", l->top);
	d = packed ? packed_read_memory(buf, (int)len, NC_XML_PARSE_OPTS) :
	    xmlReadMemory(buf, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
	free(buf);
	return d;
}

/* The key predicates or content match nodes of entry i (or of a key no entry has). */
static void
entry_keys(const struct list *l, int i, int xpath, int swap, char *out, size_t len)
{
	const char *v0 = i >= 0 ? l->v[0][i] : "no-such-key", *v1 = i >= 0 ? l->v[1][i] : "b0";

	if (xpath && l->k[1] == NULL)
		snprintf(out, len, swap ? "['%s'=p:%s]" : "[p:%s='%s']", swap ? v0 : l->k[0],
		    swap ? l->k[0] : v0);
	else if (xpath)
		snprintf(out, len, swap ? "[p:%s=&quot;%s&quot;][p:%s='%s']" : "[p:%s='%s' and p:%s='%s']",
		    l->k[swap], swap ? v1 : v0, l->k[!swap], swap ? v0 : v1);
	else if (l->k[1] == NULL)
		snprintf(out, len, "<%s> %s </%s>", l->k[0], v0, l->k[0]);
	else
		snprintf(out, len, "<%s>%s</%s><%s>%s</%s>", l->k[swap], swap ? v1 : v0, l->k[swap],
		    l->k[!swap], swap ? v0 : v1, l->k[!swap]);
}

/*
 * QUERIES random filters of each kind on d: 1 when every reply is the
 * walk's, the index answering each time (answered) or never.
 */
static int
queries(const struct reply_opts *o, const struct list *l, xmlDocPtr d, int answered,
    int *hits)
{
	char attrs[256], body[2048], k1[256], k2[256];
	int ok = 1;

	snprintf(attrs, sizeof(attrs), "type=\"xpath\" xmlns:p=\"%s\"", l->ns);
	for (int q = 0; q < QUERIES; q++) {
		int i = rand() % (l->n + 5) - 5, j = rand() % l->n, swap = rand() % 2;
		int wrong = rand() % 2;

		if (i < 0)
			i = -1;		/* a key no entry has */
		entry_keys(l, i, 0, swap, k1, sizeof(k1));
		entry_keys(l, j, 0, !swap, k2, sizeof(k2));
		/* subtree: the entry; a leaf of it; two entries; a key and a leaf's value */
		snprintf(body, sizeof(body), "<%s xmlns=\"%s\"><%s>%s</%s></%s>", l->top, l->ns,
		    l->item, k1, l->item, l->top);
		ok &= same(o, d, "type=\"subtree\"", body, answered, hits);
		snprintf(body, sizeof(body), "<%s xmlns=\"%s\"><%s>%s<w/></%s></%s>", l->top, l->ns,
		    l->item, k1, l->item, l->top);
		ok &= same(o, d, "", body, answered, hits);
		snprintf(body, sizeof(body), "<%s xmlns=\"%s\"><%s>%s<z/></%s><%s>%s</%s></%s>",
		    l->top, l->ns, l->item, k2, l->item, l->item, k1, l->item, l->top);
		ok &= same(o, d, "", body, answered, hits);
		snprintf(body, sizeof(body), "<%s xmlns=\"%s\"><%s>%s<w>w%d</w></%s></%s>", l->top,
		    l->ns, l->item, k1, i + wrong, l->item, l->top);
		ok &= same(o, d, "", body, answered, hits);
		/* XPath: the entry; a leaf below it; with one more predicate */
		entry_keys(l, i, 1, swap, k1, sizeof(k1));
		snprintf(body, sizeof(body), "select=\"/p:%s/p:%s%s\"", l->top, l->item, k1);
		ok &= same(o, d, attrs, body, answered, hits);
		snprintf(body, sizeof(body), "select=\"/p:%s/p:%s%s/p:z/p:q\"", l->top, l->item, k1);
		ok &= same(o, d, attrs, body, answered, hits);
		snprintf(body, sizeof(body), "select=\" /p:%s / p:%s%s[p:w = 'w%d' ]\"", l->top,
		    l->item, k1, i + wrong);
		ok &= same(o, d, attrs, body, answered, hits);
	}
	return ok;
}

/*
 * Deletes entries 0..n/10 and adds them again (at the end, keys only,
 * valid for the YANG lists) through edit_apply.
 */
static int
churn(const struct reply_opts *o, struct list *l, xmlDocPtr d)
{
	int errors = 0;

	size_t cap = (size_t)l->n * 300 + 1024, len = 0;
	char *buf = malloc(cap);
	struct edit_ctx c = { 0 };
	xmlDocPtr e;

	for (int pass = 0; pass < 2; pass++) {
		len = (size_t)snprintf(buf, cap, "<config xmlns=\"%s\"><%s xmlns=\"%s\">", NCNS,
		    l->top, l->ns);
		for (int i = 0; i < l->n / 10; i++) {
			char k[160];
			int kl = snprintf(k, sizeof(k), "<%s>%s</%s>", l->k[0], l->v[0][i], l->k[0]);

			if (l->k[1] != NULL)
				snprintf(k + kl, sizeof(k) - (size_t)kl, "<%s>%s</%s>", l->k[1],
				    l->v[1][i], l->k[1]);
			if (pass == 0)
				len += (size_t)snprintf(buf + len, cap - len, "<%s xmlns:nc=\"" NCNS
				    "\" nc:operation=\"delete\">%s</%s>", l->item, k, l->item);
			else
				len += (size_t)snprintf(buf + len, cap - len,
				    "<%s>%s</%s>", l->item, k, l->item);
		}
		len += (size_t)snprintf(buf + len, cap - len, "</%s></config>", l->top);
		e = xmlReadMemory(buf, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
		memset(&c, 0, sizeof(c));
		c.keys = o->keys;
		c.schema = o->schema;
		errors += edit_apply(&c, xmlDocGetRootElement(d), xmlDocGetRootElement(e));
		edit_ctx_clear(&c);
		xmlFreeDoc(e);
		packed_repack();
	}
	free(buf);
	return errors;
}

static void
test_list(const char *what, const struct reply_opts *o, struct list *l, int keys_last)
{
	int hits = 0;

	for (int packed = 0; packed < 2; packed++) {
		xmlDocPtr d = list_doc(l, packed, keys_last, NULL);
		int ok = queries(o, l, d, 1, &hits);

		CHECK(ok && hits > QUERIES, "%s%s: the index answers as the walk (%d non-empty)",
		    what, packed ? ", packed" : "", hits);
		CHECK(churn(o, l, d) == 0 && queries(o, l, d, 1, &hits),
		    "%s%s: the same after deleting and adding entries", what, packed ? ", packed" : "");
		doc_free(d);
	}
}

/* Data the index cannot answer for: the walk's answer, the index not used. */
static void
test_irregular(const struct reply_opts *o, struct list *l)
{
	static const char *const odd[] = {
		"<item><name> spaced </name><w>s</w></item>",		/* white space */
		"<item><name>twice</name><w>t</w><name>again</name></item>",	/* a repeated key */
		"<item><w>keyless</w><name>late</name></item>",		/* not keyed by name */
	};
	int hits = 0;

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		xmlDocPtr d = list_doc(l, 1, 0, odd[i]);

		CHECK(queries(o, l, d, 0, &hits), "irregular entry %zu: the walk answers, the same", i);
		doc_free(d);
	}
	l->n = 10;	/* too few entries for an index */
	{
		xmlDocPtr d = list_doc(l, 1, 0, NULL);

		CHECK(queries(o, l, d, 0, &hits), "10 entries: no index, the same answers");
		doc_free(d);
	}
}

/*
 * NACM prunes a copy of the datastore before the filter (ops/config.c):
 * the copy has no index of the original's, and its own lacks the denied
 * entry.
 */
static void
test_nacm(void)
{
	struct list l = { "urn:t", "top", "item", { "name", NULL }, 0, { NULL, NULL } };
	struct nacm_config *c;
	struct nacm_session *s;
	struct reply_opts o = { NULL, NULL, NULL, NULL };
	xmlDocPtr d, cp;
	char body[512], *txt;
	unsigned long before;

	list_fill(&l, 200, 0);
	d = list_doc(&l, 1, 0, NULL);
	snprintf(body, sizeof(body), "<top xmlns=\"urn:t\"><item><name>%s</name></item></top>",
	    l.v[0][42]);
	free(run(&o, d, "", body));	/* the original gets its index */
	{
		char xml[2048];

		snprintf(xml, sizeof(xml), T_CFG("<nacm xmlns=\"urn:ietf:params:xml:ns:yang:ietf-netconf-acm\">"
		    "<enable-nacm>true</enable-nacm><groups><group><name>g</name><user-name>u</user-name>"
		    "</group></groups><rule-list><name>L</name><group>g</group><rule><name>R</name>"
		    "<path xmlns:t='urn:t'>/t:top/t:item[t:name='%s']</path>"
		    "<access-operations>read</access-operations><action>deny</action></rule>"
		    "</rule-list></nacm>"), l.v[0][42]);
		c = t_cfg(xml);
	}
	s = t_sess(c, "u", NULL, 0);
	cp = packed_copy_doc(d);
	CHECK(t_elem(xmlDocGetRootElement(cp), "top")->_private == NULL,
	    "a copy of the datastore has no index of the original's");
	CHECK(nacm_read_prune(s, xmlDocGetRootElement(cp)) == 1, "the denied entry is pruned");
	before = filter_index_answers;
	txt = run(&o, cp, "", body);
	CHECK(strstr(txt, l.v[0][42]) == NULL && filter_index_answers > before,
	    "the denied entry is not found through the index: %.200s", txt);
	free(txt);
	snprintf(body, sizeof(body), "select=\"/t:top/t:item[t:name='%s']\"", l.v[0][42]);
	txt = run(&o, cp, "type=\"xpath\" xmlns:t=\"urn:t\"", body);
	CHECK(strcmp(txt, "") == 0, "nor by an XPath filter: %.200s", txt);
	free(txt);
	snprintf(body, sizeof(body), "<top xmlns=\"urn:t\"><item><name>%s</name></item></top>",
	    l.v[0][43]);
	before = filter_index_answers;
	txt = run(&o, cp, "", body);
	CHECK(strstr(txt, l.v[0][43]) != NULL && filter_index_answers > before,
	    "a permitted entry is: %.200s", txt);
	free(txt);
	xmlFreeDoc(cp);		/* its index goes with it (LeakSanitizer) */
	doc_free(d);
	nacm_session_free(s);
	nacm_config_free(c);
	free(l.v[0]);
	free(l.v[1]);
}

int
main(void)
{
	static const char *const mods[] = { "example-bench", "nchome-test", NULL };
	struct list plain = { "urn:x", "top", "item", { "name", NULL }, 0, { NULL, NULL } };
	struct list rng = { "urn:r", "top", "item", { "a", "b" }, 0, { NULL, NULL } };
	struct list bench = { "urn:example:bench", "top", "item", { "name", NULL }, 0, { NULL, NULL } };
	struct list route = { "urn:nchome:test", "top", "route", { "prefix", "metric" }, 0,
	    { NULL, NULL } };
	struct reply_opts none = { NULL, NULL, NULL, NULL }, rngo = { NULL, NULL, NULL, NULL }, yang = { NULL, NULL, NULL, NULL };
	xmlHashTablePtr keys = xmlHashCreate(4);
	char **k = calloc(3, sizeof(*k)), err[512];

	srand(15);
	schema_test_init();
	t_init();
	if ((yang.schema = load_modules(mods, err, sizeof(err))) == NULL) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	k[0] = strdup("a");
	k[1] = strdup("b");
	xmlHashAddEntry(keys, BAD_CAST "item", k);
	rngo.keys = keys;

	list_fill(&plain, 400, 0);
	test_list("schema-less, first leaf", &none, &plain, 0);
	list_fill(&rng, 400, 0);
	test_list("RELAX NG composite keys, last", &rngo, &rng, 1);
	list_fill(&bench, 400, 2);
	test_list("YANG key", &yang, &bench, 0);
	list_fill(&route, 400, 1);
	test_list("YANG composite key", &yang, &route, 0);
	/* every key in one of 4 hashes: the index tells entries apart by their keys */
	index_hash_mask = 3;
	test_list("schema-less, hashes shared", &none, &plain, 0);
	test_list("YANG key, hashes shared", &yang, &bench, 0);
	index_hash_mask = UINT32_MAX;
	test_irregular(&none, &plain);
	test_nacm();

	for (int j = 0; j < 2; j++) {
		free(plain.v[j]);
		free(rng.v[j]);
		free(bench.v[j]);
		free(route.v[j]);
	}
	keys_free(keys);
	schema_free(yang.schema);
	t_done();
	UNIT_DONE();
}
