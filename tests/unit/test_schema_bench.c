/*
 * The schema layer on a big list (tests/yang/example-bench: keys, types,
 * a pattern, a unique).  As a unit test (make check) it walks a
 * 2,000-entry document and checks that every element finds its schema
 * node and every value its verdict.  With --bench [N] (tests/bench/
 * bench_schema, N defaults to 50,000) it prints figures as FIGURE lines
 * instead: what the schema layer costs, and what libyang's own data
 * trees cost, for the validation strategy of the integration (schema.h).
 * Times are medians of repeated runs on this machine, never asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_test.h"
#include "unit.h"

#define EB	"urn:example:bench"

static int bench;

static void
figure(const char *name, double value, const char *unit, const char *note)
{
	if (bench)
		printf("FIGURE %s\t%.3f\t%s\t%s\n", name, value, unit, note);
	else
		printf("# %s %.3f %s (%s)\n", name, value, unit, note);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dbl_cmp);
	return v[n / 2];
}

/* bench_netconf.py's entries, with a weight: ~220 bytes each. */
static char *
entries_xml(int n, const char *ns, int with_config)
{
	size_t cap = (size_t)n * 300 + 256, len = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	len += (size_t)snprintf(buf + len, cap - len, "%s<top xmlns=\"%s\">",
	    with_config ? "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">" : "", ns);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "<item><name>item-%06d</name><cfg>"
		    "<alpha>value-alpha-0-%06d-padding</alpha><beta>value-beta-0-%06d-padding-padd"
		    "</beta><gamma>value-gamma-0-%06d-padding-padding-padding-pad</gamma>"
		    "<weight>%d</weight></cfg></item>", i, i, i, i, i % 1000);
	snprintf(buf + len, cap - len, "</top>%s", with_config ? "</config>" : "");
	return buf;
}

struct walk {
	struct schema	*s;
	xmlNodePtr	 root;
	long		 elems, found, leaves, valid, normalised;
	int		 check_values;
};

/* Every element below e, its schema node from its parent's. */
static void
walk(struct walk *w, xmlNodePtr e, const struct lysc_node *parent)
{
	struct schema_value val;
	struct schema_error err;
	const struct lysc_node *sn;
	xmlChar *v;

	for (; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		w->elems++;
		sn = schema_child(w->s, parent, e->ns ? (const char *)e->ns->href : NULL,
		    (const char *)e->name);
		if (sn == NULL)
			continue;
		w->found++;
		if (sn->nodetype & (LYS_LEAF | LYS_LEAFLIST)) {
			w->leaves++;
			if (w->check_values) {
				v = xmlNodeGetContent(e);
				if (schema_value_check(w->s, sn, e, w->root, (const char *)v, &val,
				    &err) == 0)
					w->valid++;
				if (val.norm.text != NULL)
					w->normalised++;
				schema_value_free(&val);
				schema_error_free(&err);
				xmlFree(v);
			}
		} else
			walk(w, e->children, sn);
	}
}

/* make check: every element of an n-entry list found and checked. */
static void
check_list(struct schema *s, int n)
{
	char *xml = entries_xml(n, EB, 1);
	xmlDocPtr doc = xml ? parse_xml(xml) : NULL;
	struct walk w = { s, NULL, 0, 0, 0, 0, 0, 1 };
	double t0;

	if (doc == NULL) {
		CHECK(0, "the %d-entry document parses", n);
		free(xml);
		return;
	}
	w.root = xmlDocGetRootElement(doc);
	t0 = now_ms();
	walk(&w, w.root->children, NULL);
	figure("walk_check_ms", now_ms() - t0, "ms", "lookups and value checks, 2,000 entries");
	CHECK(w.elems == 1 + 7L * n && w.found == w.elems,
	    "every element of %d entries has its schema node (%ld of %ld)", n, w.found, w.elems);
	CHECK(w.leaves == 5L * n && w.valid == w.leaves && w.normalised == 0,
	    "every leaf value is valid and none needs normalising (%ld of %ld)", w.valid, w.leaves);
	free(xml);
	xmlFreeDoc(doc);

	/* a name the pattern refuses, in the second entry */
	xml = entries_xml(2, EB, 1);
	if (xml != NULL && strstr(xml, "item-000001</name>") != NULL)
		memcpy(strstr(xml, "item-000001</name>"), "item-00000x", 11);
	doc = xml ? parse_xml(xml) : NULL;
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.check_values = 1;
	if (doc != NULL) {
		w.root = xmlDocGetRootElement(doc);
		walk(&w, w.root->children, NULL);
	}
	CHECK(w.leaves == 10 && w.valid == 9, "a name against the pattern is the one invalid leaf");
	free(xml);
	xmlFreeDoc(doc);
}

/* Context build of a module set, median of runs. */
static void
bench_build(const char *name, const char *const *modules, const char *note)
{
	double t[9], t0;
	char err[512];
	struct schema *s;

	for (int i = 0; i < 9; i++) {
		t0 = now_ms();
		s = load_modules(modules, err, sizeof(err));
		if (s == NULL || schema_context(s) == NULL) {
			printf("# %s: %s\n", name, err);
			schema_free(s);
			return;
		}
		t[i] = now_ms() - t0;
		schema_free(s);
	}
	figure(name, median(t, 9), "ms", note);
}

static void
bench_load(void)
{
	static const char *const none[] = { NULL };
	static const char *const big[] = { "example-bench", "example-bench-refs",
	    "nchome-test:extra", NULL };
	double t[21], t0;
	char err[512];
	struct schema *s;

	for (int i = 0; i < 21; i++) {
		t0 = now_ms();
		s = load_modules(none, err, sizeof(err));
		t[i] = now_ms() - t0;
		schema_free(s);
	}
	figure("schema.load_ms", median(t, 21), "ms",
	    "schema_load: conf to capabilities + content-id (scan, no libyang context), default set");
	bench_build("schema.ctx_build_ms", none,
	    "load + libyang context, default set (NETCONF modules, ietf-interfaces/system)");
	bench_build("schema.ctx_build_big_ms", big,
	    "the same + example-bench, example-bench-refs, nchome-test");
}

static void
bench_lookups(struct schema *s, int n)
{
	char *xml = entries_xml(n, EB, 1);
	xmlDocPtr doc = xml ? parse_xml(xml) : NULL;
	struct walk w;
	double t[5], t0;
	xmlNodePtr root, e;
	long k = 0;

	if (doc == NULL)
		return;
	root = xmlDocGetRootElement(doc);
	for (int i = 0; i < 5; i++) {
		memset(&w, 0, sizeof(w));
		w.s = s;
		w.root = root;
		t0 = now_ms();
		walk(&w, root->children, NULL);
		t[i] = (now_ms() - t0) * 1e6 / (double)w.elems;
	}
	figure("schema.child_lookup_ns", median(t, 5), "ns",
	    "schema_child per element, walking the 50,000-entry list top-down");
	for (int i = 0; i < 5; i++) {
		t0 = now_ms();
		k = 0;
		for (e = find_elem(root->children, "item"); e != NULL; e = e->next, k++)
			(void)schema_node_of(s, e->children->next->children->next, root);
		t[i] = (now_ms() - t0) * 1e6 / (double)k;
	}
	figure("schema.node_of_ns", median(t, 5), "ns",
	    "schema_node_of a leaf 4 levels deep, from the element alone");
	for (int i = 0; i < 3; i++) {
		memset(&w, 0, sizeof(w));
		w.s = s;
		w.root = root;
		w.check_values = 1;
		t0 = now_ms();
		walk(&w, root->children, NULL);
		t[i] = now_ms() - t0;
	}
	figure("schema.walk_validate_50k_ms", median(t, 3), "ms",
	    "every element looked up and every leaf checked (250,000 leaves)");
	free(xml);
	xmlFreeDoc(doc);
}

/* One value check of element name's text, median of many, in microseconds. */
static void
bench_value(struct schema *s, const char *xml, const char *name, const char *fig,
    const char *note)
{
	xmlDocPtr doc = parse_xml(xml);
	xmlNodePtr root = xmlDocGetRootElement(doc), e = find_elem(root->children, name);
	const struct lysc_node *sn = e ? schema_node_of(s, e, root) : NULL;
	struct schema_value val;
	struct schema_error err;
	xmlChar *v = e ? xmlNodeGetContent(e) : NULL;
	double t[7], t0;

	if (sn == NULL) {
		printf("# %s: no schema node\n", fig);
		goto done;
	}
	if (schema_value_check(s, sn, e, root, (const char *)v, &val, &err) != 0) {
		printf("# %s: the value is not valid\n", fig);
		schema_error_free(&err);
		goto done;
	}
	schema_value_free(&val);
	for (int i = 0; i < 7; i++) {
		t0 = now_ms();
		for (int j = 0; j < 20000; j++) {
			schema_value_check(s, sn, e, root, (const char *)v, &val, &err);
			schema_value_free(&val);
			schema_error_free(&err);
		}
		t[i] = (now_ms() - t0) * 1e3 / 20000;
	}
	figure(fig, median(t, 7), "us", note);
done:
	xmlFree(v);
	xmlFreeDoc(doc);
}

static void
bench_values(struct schema *s)
{
	bench_value(s, "<c><top xmlns=\"" EB "\"><item><name>item-000001</name></item></top></c>",
	    "name", "schema.value_pattern_us", "schema_value_check, string with length + pattern");
	bench_value(s, "<c><top xmlns=\"" EB "\"><item><name>item-000001</name><cfg><weight>17"
	    "</weight></cfg></item></top></c>", "weight", "schema.value_uint32_us",
	    "schema_value_check, uint32 with range");
	bench_value(s, "<c xmlns:x=\"urn:nchome:test\"><top xmlns=\"urn:nchome:test\"><pet>x:dog"
	    "</pet></top></c>", "pet", "schema.value_identityref_us",
	    "schema_value_check, identityref with an ancestor's prefix, normalised");
}

/* What libyang's own data trees cost on the same list (for the strategy). */
static void
bench_libyang(struct schema *s, int n)
{
	struct ly_ctx *ctx = schema_context(s);
	char *xml = entries_xml(n, EB, 0), path[160];
	struct lyd_node *tree = NULL, *small = NULL, *cfg = NULL, *leaf;
	const struct lysc_node *sn;
	struct ly_set *atoms = NULL;
	const struct lysc_must *must;
	const struct lys_module *mod;
	double t[5], t0;
	ly_bool res;

	t0 = now_ms();
	if (xml == NULL || lyd_parse_data_mem(ctx, xml, LYD_XML, LYD_PARSE_STRICT,
	    LYD_VALIDATE_PRESENT, &tree) != LY_SUCCESS) {
		printf("# libyang cannot parse the list\n");
		goto done;
	}
	figure("libyang.parse_validate_50k_ms", now_ms() - t0, "ms",
	    "lyd_parse_data_mem + validation of the whole list (one run)");
	snprintf(path, sizeof(path), "/example-bench:top/item[name='item-%06d']/cfg/alpha", n / 2);
	for (int i = 0; i < 3; i++) {
		char v[32];

		snprintf(v, sizeof(v), "edited-%d", i);
		if (lyd_new_path(tree, NULL, path, v, LYD_NEW_PATH_UPDATE, NULL) != LY_SUCCESS)
			break;
		t0 = now_ms();
		lyd_validate_all(&tree, NULL, LYD_VALIDATE_PRESENT, NULL);
		t[i] = now_ms() - t0;
	}
	figure("libyang.revalidate_50k_ms", median(t, 3), "ms",
	    "lyd_validate_all of the whole list after one leaf changed");

	/* must + leafref: a tree of the two entries the expression reads */
	mod = ly_ctx_get_module_implemented(ctx, "example-bench-refs");
	for (int i = 0; i < 5 && mod != NULL; i++) {
		t0 = now_ms();
		for (int j = 0; j < 200; j++) {
			small = NULL;
			if (lyd_new_path(NULL, ctx, "/example-bench-refs:top/item[name='item-000002']",
			    NULL, 0, &small) != LY_SUCCESS ||
			    lyd_new_path(small, NULL, "/example-bench-refs:top/item[name='item-000001']"
			    "/cfg/peer", "item-000002", 0, NULL) != LY_SUCCESS ||
			    lyd_new_path(small, NULL, "/example-bench-refs:top/item[name='item-000001']"
			    "/cfg/alpha", "a", 0, NULL) != LY_SUCCESS ||
			    lyd_validate_all(&small, NULL, LYD_VALIDATE_PRESENT, NULL) != LY_SUCCESS) {
				printf("# small tree failed: %s\n", ly_errmsg(ctx));
				lyd_free_all(small);
				small = NULL;
				goto done;
			}
			if (j < 199)
				lyd_free_all(small);
		}
		t[i] = (now_ms() - t0) * 1e3 / 200;
	}
	figure("libyang.small_tree_validate_us", median(t, 5), "us",
	    "build a 2-entry tree (entry + leafref target) and lyd_validate_all (must, leafref, unique)");
	sn = lys_find_path(ctx, NULL, "/example-bench-refs:top/item/cfg", 0);
	must = sn ? lysc_node_musts(sn) : NULL;
	if (must == NULL || small == NULL) {
		printf("# no must to evaluate\n");
		goto done;
	}
	lyd_find_path(small, "/example-bench-refs:top/item[name='item-000001']/cfg", 0, &cfg);
	for (int i = 0; i < 5 && cfg != NULL; i++) {
		t0 = now_ms();
		for (int j = 0; j < 2000; j++)
			lyd_eval_xpath3(cfg, mod, lyxp_get_expr(must->cond), LY_VALUE_SCHEMA_RESOLVED,
			    must->prefixes, NULL, &res);
		t[i] = (now_ms() - t0) * 1e3 / 2000;
	}
	figure("libyang.must_eval_us", median(t, 5), "us",
	    "lyd_eval_xpath3 of the must on the small tree");
	for (int i = 0; i < 5; i++) {
		t0 = now_ms();
		for (int j = 0; j < 2000; j++) {
			lys_find_expr_atoms(sn, mod, must->cond, must->prefixes, 0, &atoms);
			ly_set_free(atoms, NULL);
		}
		t[i] = (now_ms() - t0) * 1e3 / 2000;
	}
	figure("libyang.must_atoms_us", median(t, 5), "us",
	    "lys_find_expr_atoms of the must (what it reads; once per schema node)");
	leaf = NULL;
	lyd_find_path(small, "/example-bench-refs:top/item[name='item-000001']/name", 0, &leaf);
	sn = leaf ? leaf->schema : NULL;
	for (int i = 0; i < 5 && sn != NULL; i++) {
		t0 = now_ms();
		for (int j = 0; j < 20000; j++)
			lyd_value_validate(ctx, sn, "item-000003", 11, NULL, NULL, NULL);
		t[i] = (now_ms() - t0) * 1e3 / 20000;
	}
	if (sn != NULL)
		figure("libyang.value_validate_us", median(t, 5), "us",
		    "lyd_value_validate of the pattern leaf (libyang's API, JSON prefixes)");
done:
	lyd_free_all(small);
	lyd_free_all(tree);
	free(xml);
}

static int
run_bench(int n)
{
	static const char *const big[] = { "example-bench", "example-bench-refs",
	    "nchome-test:extra", NULL };
	char err[512];
	struct schema *s;

	bench = 1;
	bench_load();
	if ((s = load_modules(big, err, sizeof(err))) == NULL || schema_context(s) == NULL) {
		printf("# %s\n", err);
		schema_free(s);
		return 1;
	}
	bench_lookups(s, n);
	bench_values(s);
	bench_libyang(s, n);
	schema_free(s);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const eb[] = { "example-bench", NULL };
	char err[512] = "";
	struct schema *s;

	schema_test_init();
	if (argc > 1 && strcmp(argv[1], "--bench") == 0)
		return run_bench(argc > 2 ? atoi(argv[2]) : 50000);
	s = load_modules(eb, err, sizeof(err));
	CHECK(s != NULL && schema_context(s) != NULL, "example-bench loads (%s)", err);
	if (s != NULL)
		check_list(s, 2000);
	schema_free(s);
	UNIT_DONE();
}
