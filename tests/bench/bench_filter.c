/*
 * The cost of list keys in filtered replies (issue 16), printed as
 * FIGURE lines for tests/bench/run, never asserted.  The datastore is
 * the 50,000-entry list of bench_netconf.py (packed as the server keeps
 * it); each filter selects one non-key leaf of every entry, and the
 * reply is serialized by xmlout as a session would.  Figures (median of
 * RUNS):
 *   filter.subtree_nokeys_ms  subtree filter, keys switched off: RELAX NG
 *                             keys naming a child the entries lack, so
 *                             replies come out as before issue 16 (an
 *                             upper bound of the old cost: one hash look-up
 *                             and a scan of each entry's children more)
 *   filter.subtree_keys_ms    the same filter, keys by the schema-less rule
 *   filter.subtree_yang_ms    the same, keys from the YANG module
 *                             (tests/yang/example-bench)
 *   filter.xpath_*_ms         the same three for the XPath filter
 *   filter.key_{subtree,xpath}_{5000,50000}_ms
 *                             a filter selecting one entry by its key (issue
 *                             15), through the list index, beside
 *   filter.key_*_walk_ms      the same with the index off (filter_index_on
 *                             = 0: every entry walked, as before issue 15)
 * Old and new run alternately in one process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tree/tree.h"
#include "../unit/schema_test.h"

#define N	50000
#define RUNS	5
#define KEYRUNS	21
#define NCNS	"urn:ietf:params:xml:ns:netconf:base:1.0"
#define EB	"urn:example:bench"

static double
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
figure(const char *name, double v, const char *unit, const char *note)
{
	printf("FIGURE %s\t%.4g\t%s\t%s\n", name, v, unit, note);
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmpd);
	return v[n / 2];
}

static int
sink(void *arg, const char *buf, size_t len)
{
	(void)buf;
	*(size_t *)arg += len;
	return 0;
}

/* One filtered get-config: filter, serialize, free; ms. */
static double
one(const struct reply_opts *o, xmlDocPtr data, xmlNodePtr filter, size_t *bytes)
{
	struct rpc r = { 0 };
	xmlDocPtr out = NULL;
	double t0 = ms_now();

	if (filter_apply(o, &r, filter, data, &out) == 0) {
		struct xmlout *xo = xo_new_writer(sink, bytes);

		*bytes = 0;
		for (xmlNodePtr c = xmlDocGetRootElement(out)->children; c != NULL; c = c->next)
			xo_node(xo, c, NULL);
		xo_finish(xo);
		xmlFreeDoc(out);
	}
	packed_repack();
	xmlFreeDoc(r.err_doc);
	return ms_now() - t0;
}

/* The bench list of n entries, packed as the server keeps it. */
static xmlDocPtr
bench_doc(int n)
{
	size_t len = 0, cap = (size_t)n * 200 + 256;
	char *buf = malloc(cap);
	xmlDocPtr data;

	len += (size_t)snprintf(buf + len, cap - len, "<config xmlns=\"" NCNS "\"><top xmlns=\"" EB "\">");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "<item><name>item-%06d</name><cfg>"
		    "<alpha>alpha-%d</alpha><beta>beta-%d</beta><gamma>gamma-%d</gamma>"
		    "</cfg></item>", i, i, i, i);
	len += (size_t)snprintf(buf + len, cap - len, "</top></config>");
	data = packed_read_memory(buf, (int)len, NC_XML_PARSE_OPTS);
	free(buf);
	return data;
}

/*
 * One entry by its key, subtree and XPath, through the index and walking
 * (alternating), on lists of 5,000 and 50,000 entries.
 */
static void
by_key(const struct reply_opts *o)
{
	static const int sizes[2] = { 5000, 50000 };
	static const char *const kinds[2] = { "subtree", "xpath" };
	char req[1024], fig[64], note[256];
	size_t bytes;

	for (int z = 0; z < 2; z++) {
		xmlDocPtr data = bench_doc(sizes[z]);

		for (int f = 0; f < 2; f++) {
			double t[2][KEYRUNS];

			for (int i = 0; i < KEYRUNS; i++) {
				int k = (int)((i * 7919L) % sizes[z]);
				xmlDocPtr rq;
				xmlNodePtr filter;

				if (f == 0)
					snprintf(req, sizeof(req), "<rpc xmlns=\"" NCNS "\"><get-config><filter>"
					    "<top xmlns=\"" EB "\"><item><name>item-%06d</name></item></top>"
					    "</filter></get-config></rpc>", k);
				else
					snprintf(req, sizeof(req), "<rpc xmlns=\"" NCNS "\"><get-config>"
					    "<filter type=\"xpath\" xmlns:eb=\"" EB "\" select=\"/eb:top/eb:item"
					    "[eb:name='item-%06d']\"/></get-config></rpc>", k);
				rq = xmlReadMemory(req, (int)strlen(req), NULL, NULL, NC_XML_PARSE_OPTS);
				filter = xmlDocGetRootElement(rq)->children->children;
				if (i == 0)
					one(o, data, filter, &bytes);	/* warm-up: builds the index */
				for (int on = 1; on >= 0; on--) {
					filter_index_on = on;
					t[on][i] = one(o, data, filter, &bytes);
				}
				filter_index_on = 1;
				xmlFreeDoc(rq);
			}
			snprintf(fig, sizeof(fig), "filter.key_%s_%d_ms", kinds[f], sizes[z]);
			snprintf(note, sizeof(note), "one entry of %d by its key through the list index, "
			    "%zu-byte reply, median of %d", sizes[z], bytes, KEYRUNS);
			figure(fig, median(t[1], KEYRUNS), "ms", note);
			snprintf(fig, sizeof(fig), "filter.key_%s_%d_walk_ms", kinds[f], sizes[z]);
			figure(fig, median(t[0], KEYRUNS), "ms", "the same walking every entry "
			    "(the index off, as before issue 15), alternating");
		}
		xmlFreeDoc(data);
	}
}

int
main(void)
{
	static const char *const mods[] = { "example-bench", NULL };
	static const char *const filters[2] = {
		"<rpc xmlns=\"" NCNS "\"><get-config><filter type=\"subtree\">"
		"<top xmlns=\"" EB "\"><item><cfg><alpha/></cfg></item></top>"
		"</filter></get-config></rpc>",
		"<rpc xmlns=\"" NCNS "\"><get-config><filter type=\"xpath\" xmlns:eb=\"" EB "\" "
		"select=\"/eb:top/eb:item/eb:cfg/eb:alpha\"/></get-config></rpc>",
	};
	static const char *const names[2] = { "subtree", "xpath" };
	char err[512], fig[64], note[256];
	size_t bytes[4];
	struct reply_opts off = { 0 }, rule = { 0 }, yang = { 0 };
	xmlHashTablePtr nokeys = xmlHashCreate(4);
	char **k = calloc(2, sizeof(*k));
	struct schema *s;
	xmlDocPtr data;

	schema_test_init();
	if ((s = load_modules(mods, err, sizeof(err))) == NULL) {
		fprintf(stderr, "example-bench: %s\n", err);
		return 1;
	}
	yang.schema = s;
	k[0] = strdup("no-such-child");
	xmlHashAddEntry(nokeys, BAD_CAST "item", k);
	off.keys = nokeys;

	data = bench_doc(N);
	for (int f = 0; f < 2; f++) {
		xmlDocPtr req = xmlReadMemory(filters[f], (int)strlen(filters[f]), NULL, NULL,
		    NC_XML_PARSE_OPTS);
		xmlNodePtr filter = xmlDocGetRootElement(req)->children->children;
		double t[4][RUNS];

		one(&yang, data, filter, &bytes[2]);	/* warm-up: builds the libyang context */
		for (int i = 0; i < RUNS; i++) {
			t[0][i] = one(&off, data, filter, &bytes[0]);
			t[1][i] = one(&rule, data, filter, &bytes[1]);
			t[2][i] = one(&yang, data, filter, &bytes[2]);
			filter_index_on = 0;
			t[3][i] = one(&yang, data, filter, &bytes[3]);
			filter_index_on = 1;
		}
		snprintf(fig, sizeof(fig), "filter.%s_nokeys_ms", names[f]);
		snprintf(note, sizeof(note), "one leaf of each of %d entries, keys off (as before "
		    "issue 16), %zu-byte reply, median of %d", N, bytes[0], RUNS);
		figure(fig, median(t[0], RUNS), "ms", note);
		snprintf(fig, sizeof(fig), "filter.%s_keys_ms", names[f]);
		snprintf(note, sizeof(note), "same, keys by the schema-less rule, %zu-byte reply, "
		    "alternating with the others", bytes[1]);
		figure(fig, median(t[1], RUNS), "ms", note);
		snprintf(fig, sizeof(fig), "filter.%s_yang_ms", names[f]);
		snprintf(note, sizeof(note), "same, keys from the YANG module, %zu-byte reply", bytes[2]);
		figure(fig, median(t[2], RUNS), "ms", note);
		snprintf(fig, sizeof(fig), "filter.%s_yang_noindex_ms", names[f]);
		snprintf(note, sizeof(note), "same, list index lookups off (as before issue 15), "
		    "%zu-byte reply", bytes[3]);
		figure(fig, median(t[3], RUNS), "ms", note);
		xmlFreeDoc(req);
	}
	xmlFreeDoc(data);
	by_key(&yang);
	keys_free(nokeys);
	schema_free(s);
	return 0;
}
