/*
 * The NACM engine's costs (subsystem/access/), printed as FIGURE lines
 * for tests/bench/run, never asserted.  A configuration of 100 rules in
 * 5 rule-lists, 20 of them path rules (key predicates into the list),
 * the others rpc, notification and module rules; the datastore is the
 * 50,000-entry list of bench_netconf.py (~10 MB, packed as the server
 * keeps it).  Figures (median of several runs):
 *   nacm.session_setup_us     nacm_session_new + free, every rule applying
 *   nacm.read_all_ns          the "everything readable" answer (admin)
 *   nacm.read_mask_defaults_ms  read mask of the 50,000 entries, no rules but
 *                             the extensions (/nacm default-deny-all)
 *   nacm.read_mask_20_ms      read mask with the 20 path rules
 *   nacm.write_check_us       one leaf update checked (20 path rules)
 *   nacm.serialize_ms         for scale: xmlout of the same datastore
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/nacm_int.h"
#include "tree/tree.h"

#define ENTRIES	50000
#define BNS	"urn:example:bench"
#define NACMNS	"urn:ietf:params:xml:ns:yang:ietf-netconf-acm"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[n / 2];
}

static void
figure(const char *name, double v, const char *unit, const char *note)
{
	printf("FIGURE %s\t%.4g\t%s\t%s\n", name, v, unit, note);
	fflush(stdout);
}

/* A growing string. */
struct buf {
	char	*p;
	size_t	 len, cap;
};

static void
add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 1024;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
}

static const char *
mod_ns(void *arg, const char *m)
{
	(void)arg;
	if (strcmp(m, "bench") == 0)
		return BNS;
	if (strcmp(m, "ietf-netconf-acm") == 0)
		return NACMNS;
	if (strncmp(m, "mod", 3) == 0)
		return "urn:example:other";
	return NULL;
}

static const char *
ns_mod(void *arg, const char *ns)
{
	(void)arg;
	return strcmp(ns, BNS) == 0 ? "bench" : NULL;
}

static const struct nacm_ext exts[] = {
	{ NACM_EXT_DATA, NACM_DENY_ALL, "ietf-netconf-acm", "/ietf-netconf-acm:nacm" },
	{ NACM_EXT_RPC, NACM_DENY_ALL, "ietf-netconf", "kill-session" },
};

static const struct nacm_ext *
ext_list(void *arg, size_t *n)
{
	(void)arg;
	*n = sizeof(exts) / sizeof(exts[0]);
	return exts;
}

static int
is_key(void *arg, const xmlNode *e, const char *leaf)
{
	(void)arg;
	(void)e;
	return strcmp(leaf, "name") == 0;
}

static struct nacm_schema schema = { mod_ns, ns_mod, ext_list, is_key, NULL };

/* 100 rules, 20 of them paths; the user "op" is in every group (g1, g3 configured). */
static char *
config_xml(void)
{
	struct buf b = { NULL, 0, 0 };
	int rule = 0;

	add(&b, "<nacm xmlns='" NACMNS "'><groups><group><name>g1</name><user-name>op</user-name>"
	    "</group><group><name>g3</name><user-name>op</user-name></group></groups>");
	for (int l = 1; l <= 5; l++) {
		add(&b, "<rule-list><name>list%d</name><group>g%d</group>", l, l);
		for (int r = 0; r < 20; r++, rule++) {
			add(&b, "<rule><name>r%d</name>", rule);
			if (r < 4)	/* 4 path rules a list, 20 in all */
				add(&b, "<path xmlns:b='" BNS "'>/b:top/b:item[b:name='item-%06d']%s</path>"
				    "<access-operations>%s</access-operations>", rule * 997 % ENTRIES,
				    r % 2 ? "/b:cfg/b:beta" : "", r < 2 ? "read" : "update");
			else if (r < 10)
				add(&b, "<module-name>ietf-netconf</module-name><rpc-name>op%d</rpc-name>"
				    "<access-operations>exec</access-operations>", rule);
			else if (r < 15)
				add(&b, "<module-name>mod%d</module-name><notification-name>n%d"
				    "</notification-name><access-operations>read</access-operations>", rule, rule);
			else
				add(&b, "<module-name>mod%d</module-name><access-operations>create update"
				    "</access-operations>", rule);
			add(&b, "<action>%s</action></rule>", r % 3 ? "deny" : "permit");
		}
		add(&b, "</rule-list>");
	}
	add(&b, "</nacm>");
	return b.p;
}

static char *
data_xml(void)
{
	struct buf b = { NULL, 0, 0 };

	add(&b, "<config xmlns='urn:ietf:params:xml:ns:netconf:base:1.0'><top xmlns='" BNS "'>");
	for (int i = 0; i < ENTRIES; i++)
		add(&b, "<item><name>item-%06d</name><cfg><alpha>value-alpha-0-%06d-padding</alpha>"
		    "<beta>value-beta-0-%06d-padding-padd</beta><gamma>value-gamma-0-%06d-padding-"
		    "padding-padding-pad</gamma></cfg></item>", i, i, i, i);
	add(&b, "</top></config>");
	return b.p;
}

static int
null_write(void *arg, const char *s, size_t n)
{
	(void)s;
	*(size_t *)arg += n;
	return 0;
}

#define RUNS	9

int
main(void)
{
	char *cx = config_xml(), *dx = data_xml(), err[512];
	xmlDocPtr cdoc = xmlReadMemory(cx, (int)strlen(cx), NULL, NULL, XML_PARSE_NONET);
	xmlDocPtr d = packed_read_memory(dx, (int)strlen(dx), XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	struct nacm_config *cfg = nacm_config_parse(xmlDocGetRootElement(cdoc), 0, NULL, err,
	    sizeof(err)), *dflt = nacm_config_parse(NULL, 0, NULL, err, sizeof(err));
	const char *const groups[] = { "users", "g2", "g4", "g5", NULL };
	struct nacm_user op = { "op", groups, 4, 0 }, admin = { "admin", NULL, 0, 0 };
	struct nacm_session *s, *sa;
	struct nacm_mask *m = NULL;
	double t[RUNS], t0;
	size_t nmask = 0, nrules = 0, npath = 0, bytes = 0;
	volatile int sink = 0;
	char note[256];

	if (cdoc == NULL || d == NULL || cfg == NULL || dflt == NULL) {
		fprintf(stderr, "bench_nacm: set-up failed: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < cfg->nlist; i++)
		for (size_t j = 0; j < cfg->list[i].nrule; j++) {
			nrules++;
			npath += cfg->list[i].rule[j].type == NACM_RT_PATH;
		}
	printf("config: %zu rules, %zu path rules; datastore: %d entries, %.1f MB\n",
	    nrules, npath, ENTRIES, (double)strlen(dx) / 1e6);

	for (int r = 0; r < RUNS; r++) {
		t0 = now();
		for (int i = 0; i < 1000; i++)
			nacm_session_free(nacm_session_new(cfg, &op, &schema));
		t[r] = (now() - t0) / 1000 * 1e6;
	}
	figure("nacm.session_setup_us", median(t, RUNS), "us",
	    "nacm_session_new+free, user in all 5 groups (100 rules apply), median of 9x1000");

	s = nacm_session_new(cfg, &op, &schema);
	sa = nacm_session_new(dflt, &admin, &schema);
	for (int r = 0; r < RUNS; r++) {
		t0 = now();
		for (int i = 0; i < 1000000; i++)
			sink += nacm_read_all(s);
		t[r] = (now() - t0) / 1000000 * 1e9;
	}
	figure("nacm.read_all_ns", median(t, RUNS), "ns", "nacm_read_all, median of 9x1e6");

	for (int r = 0; r < RUNS; r++) {
		t0 = now();
		if (nacm_read_mask(sa, xmlDocGetRootElement(d), &m) == -1)
			abort();
		t[r] = (now() - t0) * 1e3;
		nmask = nacm_mask_count(m);
		nacm_mask_free(m);
	}
	snprintf(note, sizeof(note), "default config (no rules; /nacm default-deny-all): %zu masked, "
	    "median of 9", nmask);
	figure("nacm.read_mask_defaults_ms", median(t, RUNS), "ms", note);

	for (int r = 0; r < RUNS; r++) {
		t0 = now();
		if (nacm_read_mask(s, xmlDocGetRootElement(d), &m) == -1)
			abort();
		t[r] = (now() - t0) * 1e3;
		nmask = nacm_mask_count(m);
		nacm_mask_free(m);
		packed_repack();	/* as after each RPC: entries unpacked for a leaf pack again */
	}
	snprintf(note, sizeof(note), "%zu path rules over %d packed entries: %zu nodes masked, "
	    "median of 9 (repack after each)", npath, ENTRIES, nmask);
	figure("nacm.read_mask_20_ms", median(t, RUNS), "ms", note);

	{
		xmlNodePtr top = xmlDocGetRootElement(d)->children, item = NULL, leaf;
		struct nacm_change ch;
		struct nacm_denial den;
		int denied = 0;

		for (xmlNodePtr c = top->children; c != NULL && item == NULL; c = c->next) {
			const char *cn, *v;

			if (packed_child(c, "name", &cn, &v) == 1 && strcmp(v, "item-025000") == 0)
				item = c;
		}
		packed_unpack(item);	/* an edit unpacks the entry it changes */
		leaf = item->children->next->children;	/* cfg/alpha */
		ch.node = leaf;
		ch.op = NACM_UPDATE;
		for (int r = 0; r < RUNS; r++) {
			t0 = now();
			for (int i = 0; i < 10000; i++) {
				denied += nacm_write_check(s, &ch, 1, &den);
				nacm_denial_clear(&den);
			}
			t[r] = (now() - t0) / 10000 * 1e6;
		}
		snprintf(note, sizeof(note), "update of /top/item[name='item-025000']/cfg/alpha, %s, "
		    "median of 9x10000", denied ? "denied" : "allowed");
		figure("nacm.write_check_us", median(t, RUNS), "us", note);
		packed_repack();
	}

	for (int r = 0; r < RUNS; r++) {
		struct xmlout *xo = xo_new_writer(null_write, &bytes);

		t0 = now();
		xo_node(xo, xmlDocGetRootElement(d), NULL);
		xo_finish(xo);
		t[r] = (now() - t0) * 1e3;
	}
	figure("nacm.serialize_ms", median(t, RUNS), "ms",
	    "for scale: xmlout of the same datastore to a null writer, median of 9");

	(void)sink;
	nacm_session_free(s);
	nacm_session_free(sa);
	nacm_config_free(cfg);
	nacm_config_free(dflt);
	xmlFreeDoc(cdoc);
	xmlFreeDoc(d);
	free(cx);
	free(dx);
	xmlCleanupParser();
	return 0;
}
