/*
 * Unit tests of the YANG schema layer (subsystem/schema/): the module
 * set and its conf keys, capabilities and content-id, laziness, the
 * module list and module texts.  The ietf-yang-library data:
 * test_schema_yanglib.c; schema nodes: test_schema_node.c; values and
 * error-paths: test_schema_value.c; figures: test_schema_bench.c.
 *
 * Modules: nchome's yang/ (NCHOME_YANG_DIR) and tests/yang/ as the
 * operator's folder (nchome-test, its submodule, example-bench).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "config.h"
#include "conf.h"
#include "schema/schema_int.h"
#include "schema_test.h"
#include "unit.h"

static char tmpdir[] = "/tmp/nchome-test-schema.XXXXXX";

static int
has_cap(struct schema *s, const char *cap)
{
	size_t n;
	const char *const *caps = schema_capabilities(s, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(caps[i], cap) == 0)
			return 1;
	return 0;
}

/* The capability of module name, or NULL. */
static const char *
cap_of(struct schema *s, const char *name)
{
	size_t n, len = strlen(name);
	const char *const *caps = schema_capabilities(s, &n), *m;

	for (size_t i = 0; i < n; i++)
		if ((m = strstr(caps[i], "?module=")) != NULL &&
		    strncmp(m + 8, name, len) == 0 && (m[8 + len] == '&' || m[8 + len] == '\0'))
			return caps[i];
	return NULL;
}

static int
scan(const char *text, struct yang_text *yt, char *err, size_t errlen)
{
	return yang_text_scan(text, strlen(text), yt, err, errlen);
}

/*
 * Blocks the scanner does not look into are skipped by strings, comments
 * and braces alone: a brace inside any of them must not end the block, and
 * their errors are still reported.
 */
static void
test_yangtext_skipped(void)
{
	static const char text[] =
	    "module m { namespace \"urn:m\"; prefix m;\n"
	    "  container c {\n"
	    "    description \"a } and a \\\" quote }\";\n"
	    "    leaf l { type string { pattern '[}{]+'; } }\n"
	    "    // a } in a line comment\n"
	    "    /* a } in a block comment */\n"
	    "    must \"../a\" + \"/b\";\n"
	    "    when /m:c/m:l;\n"
	    "    leaf-list x { type string; default \"/\"; }\n"
	    "  }\n"
	    "  feature after;\n"
	    "  grouping g { container d { feature nested; } }\n"
	    "  feature last;\n"
	    "}\n";
	char err[256] = "", deep[4096];
	struct yang_text yt;
	size_t n;

	CHECK(scan(text, &yt, err, sizeof(err)) == 0 && yt.nfeatures == 2 &&
	    strcmp(yt.features[0].name, "after") == 0 && strcmp(yt.features[1].name, "last") == 0,
	    "braces in strings and comments of a skipped block do not end it; "
	    "nothing inside it is kept (%s)", err);
	if (err[0] == '\0')
		yang_text_free(&yt);
	CHECK(scan("module m { namespace \"urn:m\"; prefix m;\n container c {\n"
	    "  description \"x;\n }\n}\n", &yt, err, sizeof(err)) == -1 &&
	    strstr(err, "line 3") && strstr(err, "unterminated string"),
	    "an unterminated string in a skipped block names its line (%s)", err);
	CHECK(scan("module m { namespace \"urn:m\"; prefix m;\n container c {\n"
	    "  /* x }\n}\n", &yt, err, sizeof(err)) == -1 && strstr(err, "unterminated comment"),
	    "so does an unterminated comment (%s)", err);
	CHECK(scan("module m { namespace \"urn:m\"; prefix m;\n container c { leaf l {\n}\n",
	    &yt, err, sizeof(err)) == -1 && strstr(err, "never closed"),
	    "a skipped block never closed is an error (%s)", err);
	n = (size_t)snprintf(deep, sizeof(deep), "module m { namespace \"urn:m\"; prefix m; ");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "container c%d { ", i);
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "} ");
	snprintf(deep + n, sizeof(deep) - n, "}");
	CHECK(scan(deep, &yt, err, sizeof(err)) == -1 && strstr(err, "nested too deep"),
	    "blocks nested deeper than the limit are refused inside skipped blocks too (%s)", err);
}

static void
test_yangtext(void)
{
	static const char text[] =
	    "// a module\n"
	    "module m { yang-version 1.1; namespace \"urn:m\"; prefix m;\n"
	    "  import a { prefix a; revision-date 2020-01-01; }\n"
	    "  import b { prefix \"bb\"; }\n"
	    "  include s;\n"
	    "  description \"revision 2099-01-01; feature fake; a \\\" quote\";\n"
	    "  revision 2020-01-02 { description 'x'; }\n"
	    "  revision \"2021-\" + '01-01';\n"
	    "  revision 2019-12-31;\n"
	    "  feature f { if-feature \"m:g\"; }\n"
	    "  feature g { if-feature \"a:x or a:y\"; }\n"
	    "  /* feature h; */\n"
	    "  deviation /a:x/a:y { deviate not-supported; }\n"
	    "  container c { leaf feature { type string; } }\n"
	    "}\n";
	char err[256] = "";
	struct yang_text yt;

	CHECK(yang_text_scan(text, strlen(text), &yt, err, sizeof(err)) == 0,
	    "a module's statements are scanned (%s)", err);
	CHECK(yt.name && strcmp(yt.name, "m") == 0 && !yt.submodule && yt.yang11 &&
	    strcmp(yt.ns, "urn:m") == 0 && strcmp(yt.prefix, "m") == 0,
	    "name, YANG 1.1, namespace and prefix");
	CHECK(yt.revision && strcmp(yt.revision, "2021-01-01") == 0,
	    "the latest revision, from concatenated strings, not a description's (%s)",
	    yt.revision ? yt.revision : "-");
	CHECK(yt.nimports == 2 && strcmp(yt.imports[0].name, "a") == 0 &&
	    strcmp(yt.imports[0].revision, "2020-01-01") == 0 &&
	    strcmp(yt.imports[1].prefix, "bb") == 0 && yt.imports[1].revision == NULL,
	    "imports with prefix and revision-date");
	CHECK(yt.nincludes == 1 && strcmp(yt.includes[0], "s") == 0, "the include");
	CHECK(yt.nfeatures == 2 && strcmp(yt.features[0].name, "f") == 0 &&
	    yt.features[0].needs && strcmp(yt.features[0].needs, "m:g") == 0 &&
	    yt.features[1].needs == NULL,
	    "features (not in comments or descriptions), a plain if-feature kept");
	CHECK(yt.ndeviates == 1 && strcmp(yt.deviates[0], "a") == 0,
	    "the prefix of a deviation's target");
	yang_text_free(&yt);
	CHECK(scan("module m {\n namespace \"urn:m\";\n prefix m;\n description \"x;\n}\n",
	    &yt, err, sizeof(err)) == -1 && strstr(err, "line 4") && strstr(err, "unterminated"),
	    "an unterminated string is an error with its line (%s)", err);
	CHECK(scan("module m {\n namespace \"urn:m\";\n prefix m;\n", &yt, err,
	    sizeof(err)) == -1 && strstr(err, "never closed"), "so is a missing brace (%s)", err);
	test_yangtext_skipped();
	CHECK(scan("module m { prefix m; }", &yt, err, sizeof(err)) == -1 &&
	    strstr(err, "no namespace"), "a module without a namespace is refused (%s)", err);
	CHECK(scan("container c { }", &yt, err, sizeof(err)) == -1 &&
	    strstr(err, "not a YANG module"), "text that is not a module is refused (%s)", err);
	CHECK(scan("submodule s { belongs-to m { prefix m; } }", &yt, err,
	    sizeof(err)) == 0 && yt.submodule && strcmp(yt.belongs_to, "m") == 0 &&
	    strcmp(yt.revision, "") == 0, "a submodule without revision (%s)", err);
	yang_text_free(&yt);
}

static void
test_conf_keys(void)
{
	char err[512] = "";
	struct nchome_conf *c;

	c = conf_text("netconf {\n"
	    "  yang-dir = \"/srv/yang\"\n"
	    "  module ietf-system { features = { ntp, authentication } }\n"
	    "  module \"example-bench\" { revision = \"2024-05-01\" }\n"
	    "}\n", err, sizeof(err));
	CHECK(c != NULL, "yang-dir and module sections parse (%s)", err);
	if (c != NULL) {
		CHECK(strcmp(c->netconf.yang_dir, "/srv/yang") == 0, "yang-dir is read");
		CHECK(c->netconf.nmodules == 2 &&
		    strcmp(c->netconf.modules[0].name, "ietf-system") == 0 &&
		    c->netconf.modules[0].nfeatures == 2 &&
		    strcmp(c->netconf.modules[0].features[1], "authentication") == 0 &&
		    c->netconf.modules[0].revision == NULL,
		    "module ietf-system with two features, no revision");
		CHECK(c->netconf.nmodules == 2 &&
		    strcmp(c->netconf.modules[1].revision, "2024-05-01") == 0 &&
		    c->netconf.modules[1].nfeatures == 0,
		    "module example-bench with a revision, no features");
	}
	conf_free(c);
	c = conf_text("netconf { }\n", err, sizeof(err));
	CHECK(c != NULL && strcmp(c->netconf.yang_dir, NCHOME_SYSCONFDIR "/nchome/yang") == 0 &&
	    c->netconf.nmodules == 0, "yang-dir defaults to $sysconfdir/nchome/yang");
	conf_free(c);

	CHECK(conf_text("netconf {\n  module x { revision = \"2024-5-1\" }\n}\n", err,
	    sizeof(err)) == NULL && strstr(err, ":2:") && strstr(err, "not a date"),
	    "a malformed revision is refused with its line (%s)", err);
	CHECK(conf_text("netconf {\n\n  module \"bad name\" { }\n}\n", err, sizeof(err)) == NULL &&
	    strstr(err, ":3:") && strstr(err, "not a YANG module name"),
	    "a module name with a space is refused with its line (%s)", err);
	CHECK(conf_text("netconf {\n  module x { features = { \"a b\" } }\n}\n", err,
	    sizeof(err)) == NULL && strstr(err, "not a YANG feature name"),
	    "a feature name with a space is refused (%s)", err);
	CHECK(conf_text("netconf {\n  module x { }\n  module x { }\n}\n", err,
	    sizeof(err)) == NULL && strstr(err, "module \"x\" is named twice"),
	    "a module named twice is refused (%s)", err);
	CHECK(conf_text("netconf {\n  yang-dir = \"relative\"\n}\n", err, sizeof(err)) == NULL &&
	    strstr(err, "absolute"), "a relative yang-dir is refused (%s)", err);
}

static void
test_module_set(void)
{
	char err[512] = "";
	struct schema *s = load_modules(NULL, err, sizeof(err));
	const char *cap;

	CHECK(s != NULL, "the default module set loads (%s)", err);
	if (s == NULL)
		return;
	CHECK(!schema_context_built(s), "loading builds no libyang context");
	cap = cap_of(s, "ietf-netconf");
	CHECK(cap != NULL && strcmp(cap, "urn:ietf:params:xml:ns:netconf:base:1.0?module="
	    "ietf-netconf&revision=2013-09-29&features=candidate,confirmed-commit,"
	    "rollback-on-error,startup,validate,writable-running,xpath") == 0,
	    "ietf-netconf is announced with the server's features (%s)", cap ? cap : "none");
	CHECK(has_cap(s, "urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces"
	    "&revision=2014-05-08&features=if-mib"), "ietf-interfaces with if-mib");
	CHECK(has_cap(s, "urn:ietf:params:xml:ns:yang:ietf-system?module=ietf-system"
	    "&revision=2014-08-06"), "ietf-system without features");
	CHECK(cap_of(s, "iana-if-type") && cap_of(s, "ietf-netconf-monitoring") &&
	    cap_of(s, "ietf-netconf-notifications") && cap_of(s, "notifications") &&
	    cap_of(s, "nc-notifications"), "the other implemented modules are announced");
	cap = cap_of(s, "ietf-netconf-acm");
	CHECK(cap != NULL && strcmp(cap, "urn:ietf:params:xml:ns:yang:ietf-netconf-acm?module="
	    "ietf-netconf-acm&revision=2018-02-14&deviations=nchome-nacm-deviations") == 0,
	    "ietf-netconf-acm is announced (NACM is enforced) with nchome's deviation (%s)",
	    cap ? cap : "none");
	cap = cap_of(s, "nchome-nacm-deviations");
	CHECK(cap != NULL && strcmp(cap, "urn:nchome:params:xml:ns:yang:nchome-nacm-deviations"
	    "?module=nchome-nacm-deviations&revision=2026-12-05") == 0,
	    "the deviation module is announced (%s)", cap ? cap : "none");
	CHECK(cap_of(s, "ietf-yang-types") == NULL && cap_of(s, "iana-crypt-hash") == NULL,
	    "imported-only modules are not announced");
	CHECK(cap_of(s, "nchome-test") == NULL, "an unconfigured module is not announced");
	CHECK(strlen(schema_content_id(s)) == 16 &&
	    strspn(schema_content_id(s), "0123456789abcdef") == 16,
	    "the content-id is 16 hex digits (%s)", schema_content_id(s));
	{
		char want[200];

		snprintf(want, sizeof(want), "urn:ietf:params:netconf:capability:yang-library:1.0?"
		    "revision=2019-01-04&module-set-id=%s", schema_content_id(s));
		CHECK(has_cap(s, want), "yang-library:1.0 with module-set-id");
		snprintf(want, sizeof(want), "urn:ietf:params:netconf:capability:yang-library:1.1?"
		    "revision=2019-01-04&content-id=%s", schema_content_id(s));
		CHECK(has_cap(s, want), "yang-library:1.1 with content-id");
	}
	CHECK(!schema_context_built(s), "capabilities and content-id build no context");
	CHECK(schema_context(s) != NULL, "the context builds (%s)",
	    schema_context_error(s) ? schema_context_error(s) : "");
	CHECK(schema_context_built(s), "... and is built now");
	schema_free(s);
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The capabilities from the cheap scan match what libyang loaded. */
static void
test_capabilities_match_libyang(void)
{
	static const char *const extra[] = { "nchome-test:extra", "example-bench", NULL };
	char err[512] = "", want[512];
	struct schema *s = load_modules(extra, err, sizeof(err));
	const struct lys_module *mod;
	struct ly_ctx *ctx;
	uint32_t idx = 0;
	size_t ncaps, nmod = 0, ok = 0;

	CHECK(s != NULL && (ctx = schema_context(s)) != NULL, "modules with nchome-test load (%s)",
	    err);
	if (s == NULL || schema_context(s) == NULL) {
		schema_free(s);
		return;
	}
	(void)schema_capabilities(s, &ncaps);
	while ((mod = ly_ctx_get_module_iter(ctx, &idx)) != NULL) {
		const struct lysp_feature *f = NULL;
		const char *feats[32];
		uint32_t fi = 0;
		size_t nf = 0;

		if (!mod->implemented || mod->parsed->version == LYS_VERSION_1_1)
			continue;
		nmod++;
		snprintf(want, sizeof(want), "%s?module=%s&revision=%s", mod->ns, mod->name,
		    mod->revision);
		while ((f = lysp_feature_next(f, mod->parsed, &fi)) != NULL && nf < 32)
			if (f->flags & LYS_FENABLED)
				feats[nf++] = f->name;
		qsort(feats, nf, sizeof(feats[0]), strp_cmp);	/* the hello sorts them */
		for (size_t i = 0; i < nf; i++) {
			strncat(want, i == 0 ? "&features=" : ",", sizeof(want) - strlen(want) - 1);
			strncat(want, feats[i], sizeof(want) - strlen(want) - 1);
		}
		for (LY_ARRAY_COUNT_TYPE i = 0; i < LY_ARRAY_COUNT(mod->deviated_by); i++) {
			strncat(want, i == 0 ? "&deviations=" : ",", sizeof(want) - strlen(want) - 1);
			strncat(want, mod->deviated_by[i]->name, sizeof(want) - strlen(want) - 1);
		}
		if (has_cap(s, want))
			ok++;
		else
			printf("# libyang has %s, not announced\n", want);
	}
	CHECK(nmod > 0 && ok == nmod && ncaps == nmod + 2,
	    "each implemented YANG 1.0 module libyang loaded is announced as loaded "
	    "(%zu of %zu, %zu capabilities)", ok, nmod, ncaps);
	mod = ly_ctx_get_module_implemented(ctx, "ietf-yang-library");
	CHECK(mod != NULL && strcmp(mod->revision, SCHEMA_YANGLIB_REVISION) == 0,
	    "libyang implements ietf-yang-library %s", SCHEMA_YANGLIB_REVISION);
	mod = ly_ctx_get_module(ctx, "nchome-test", "2024-05-01");
	CHECK(mod != NULL && mod->implemented && lys_feature_value(mod, "extra") == LY_SUCCESS &&
	    lys_feature_value(mod, "more") == LY_ENOT, "nchome-test has extra on, more off");
	mod = ly_ctx_get_module_latest(ctx, "ietf-netconf-acm");
	CHECK(mod != NULL && mod->implemented && LY_ARRAY_COUNT(mod->deviated_by) == 1 &&
	    strcmp(mod->deviated_by[0]->name, "nchome-nacm-deviations") == 0,
	    "ietf-netconf-acm is implemented, deviated by nchome-nacm-deviations");
	{
		const struct lysc_node *path = lys_find_path(ctx, NULL, "/ietf-netconf-acm:nacm/"
		    "rule-list/rule/path", 0);

		/* libyang's node-instance-identifier would check paths against the schema */
		CHECK(path != NULL && path->nodetype == LYS_LEAF &&
		    ((const struct lysc_node_leaf *)path)->type->basetype == LY_TYPE_STRING &&
		    (path->flags & LYS_MAND_TRUE),
		    "a rule's path is a string for libyang, still mandatory");
	}
	idx = 0;
	ok = 0;
	for (uint32_t i = 0; i < ly_ctx_internal_modules_count(ctx); i++)
		if ((mod = ly_ctx_get_module_iter(ctx, &idx)) != NULL &&
		    modset_libyang_module(mod->name))
			ok++;
	CHECK(ok == ly_ctx_internal_modules_count(ctx),
	    "modset.c knows each of libyang's %u own modules", ly_ctx_internal_modules_count(ctx));
	schema_free(s);
}

/* Copies yang file src into tmpdir/name, with "from" replaced by "to". */
static void
copy_module(const char *src, const char *name, const char *from, const char *to)
{
	char path[512], *text, *p;
	size_t len;
	FILE *fp;

	text = yang_read_file(src, &len);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (text == NULL || (fp = fopen(path, "w")) == NULL) {
		free(text);
		return;
	}
	if (from != NULL && (p = strstr(text, from)) != NULL) {
		fwrite(text, 1, (size_t)(p - text), fp);
		fputs(to, fp);
		fputs(p + strlen(from), fp);
	} else
		fputs(text, fp);
	fclose(fp);
	free(text);
}

static char *
content_id_of(const char *dir, const char *const *modules)
{
	char err[512] = "", *id;
	struct schema *s = load_modules_from(dir, modules, err, sizeof(err));

	if (s == NULL) {
		printf("# %s\n", err);
		return strdup("failed");
	}
	id = strdup(schema_content_id(s));
	schema_free(s);
	return id;
}

static void
test_content_id(void)
{
	static const char *const none[] = { NULL };
	static const char *const test[] = { "nchome-test", NULL };
	static const char *const test_extra[] = { "nchome-test:extra", NULL };
	static const char *const test_rev[] = { "nchome-test@2024-05-01", NULL };
	char *base, *with, *again, *feat, *edited, *newer, *older;

	copy_module(in_top("tests/yang/nchome-test@2024-05-01.yang"), "nchome-test@2024-05-01.yang",
	    NULL, NULL);
	copy_module(in_top("tests/yang/nchome-test-types@2024-05-01.yang"),
	    "nchome-test-types@2024-05-01.yang", NULL, NULL);
	base = content_id_of(tmpdir, none);
	with = content_id_of(tmpdir, test);
	again = content_id_of(tmpdir, test);
	feat = content_id_of(tmpdir, test_extra);
	CHECK(strcmp(with, again) == 0, "the same modules give the same content-id (%s)", with);
	CHECK(strcmp(base, with) != 0, "implementing one more module changes it (%s, %s)",
	    base, with);
	CHECK(strcmp(with, feat) != 0, "enabling a feature changes it (%s)", feat);
	copy_module(in_top("tests/yang/nchome-test@2024-05-01.yang"), "nchome-test@2024-05-01.yang",
	    "\"A feature the tests", "\"Edited: a feature the tests");
	edited = content_id_of(tmpdir, test);
	CHECK(strcmp(with, edited) != 0, "editing the module's file changes it (%s)", edited);
	copy_module(in_top("tests/yang/nchome-test@2024-05-01.yang"), "nchome-test@2024-06-01.yang",
	    "revision 2024-05-01", "revision 2024-06-01 { description \"Newer.\"; }\n"
	    "  revision 2024-05-01");
	newer = content_id_of(tmpdir, test);
	older = content_id_of(tmpdir, test_rev);
	CHECK(strcmp(newer, edited) != 0 && strcmp(older, edited) == 0,
	    "a newer revision in the folder is used and changes it; naming the old "
	    "revision gives the old id (%s, %s)", newer, older);
	free(base);
	free(with);
	free(again);
	free(feat);
	free(edited);
	free(newer);
	free(older);
}

static void
expect_load_error(const char *what, const char *const *modules, const char *want)
{
	char err[512] = "";
	struct schema *s = load_modules(modules, err, sizeof(err));

	CHECK(s == NULL && strstr(err, want) != NULL, "%s is refused (%s)", what, err);
	schema_free(s);
}

static void
test_load_errors(void)
{
	static const char *const unknown[] = { "no-such-module", NULL };
	static const char *const badrev[] = { "nchome-test@2020-01-01", NULL };
	static const char *const badfeat[] = { "nchome-test:nosuch", NULL };
	static const char *const needs[] = { "nchome-test:more", NULL };
	static const char *const sys_needs[] = { "ietf-system:local-users", NULL };
	static const char *const protocol[] = { "ietf-netconf:url", NULL };
	static const char *const sub[] = { "nchome-test-types", NULL };

	expect_load_error("an unknown module", unknown, "no-such-module");
	expect_load_error("a revision that is not there", badrev, "2020-01-01");
	expect_load_error("an unknown feature", badfeat, "has no feature nosuch");
	expect_load_error("a feature without the feature it needs", needs, "needs feature extra");
	expect_load_error("ietf-system local-users without authentication", sys_needs,
	    "needs feature authentication");
	expect_load_error("configuring ietf-netconf", protocol, "nchome implements it itself");
	expect_load_error("a submodule named as a module", sub, "is a submodule");
}

struct seen {
	int	metadata, acm, yanglib, sub, calls;
};

static int
note_module(void *arg, const struct schema_module_info *mi)
{
	struct seen *seen = arg;

	seen->calls++;
	if (strcmp(mi->name, "ietf-yang-metadata") == 0 && !mi->submodule)
		seen->metadata = 1;
	if (strcmp(mi->name, "ietf-netconf-acm") == 0 && mi->implemented &&
	    strcmp(mi->revision, "2018-02-14") == 0)
		seen->acm = 1;
	if (strcmp(mi->name, "ietf-yang-library") == 0 && mi->implemented)
		seen->yanglib = 1;
	if (strcmp(mi->name, "nchome-test-types") == 0 && mi->submodule &&
	    strcmp(mi->revision, "2024-05-01") == 0 && strcmp(mi->ns, "urn:nchome:test") == 0)
		seen->sub = 1;
	return 0;
}

static int
stop_at_third(void *arg, const struct schema_module_info *mi)
{
	(void)mi;
	return ++*(int *)arg == 3 ? 7 : 0;
}

static void
test_module_list(void)
{
	static const char *const test[] = { "nchome-test", NULL };
	char err[512] = "";
	struct schema *s = load_modules(test, err, sizeof(err));
	struct seen seen = { 0 };
	int n = 0;

	CHECK(s != NULL && schema_foreach_module(s, note_module, &seen) == 0,
	    "the module list is walked (%s)", err);
	CHECK(seen.metadata && seen.yanglib, "it has libyang's own modules");
	CHECK(seen.acm, "it has ietf-netconf-acm, implemented");
	CHECK(seen.sub, "it has the submodule nchome-test-types with its module's namespace");
	CHECK(s != NULL && schema_foreach_module(s, stop_at_third, &n) == 7 && n == 3,
	    "a callback's non-zero answer stops the walk and is returned");
	schema_free(s);
}

static void
test_module_texts(void)
{
	static const char *const test[] = { "nchome-test", NULL };
	char err[512] = "", *text, *file;
	struct schema *s = load_modules(test, err, sizeof(err));
	size_t len = 0, flen = 0;

	if (s == NULL) {
		CHECK(0, "modules load (%s)", err);
		return;
	}
	text = schema_module_text(s, "ietf-netconf", NULL, &len);
	file = yang_read_file(in_top("yang/ietf-netconf@2013-09-29.yang"), &flen);
	CHECK(text != NULL && file != NULL && len == flen && memcmp(text, file, len) == 0,
	    "ietf-netconf's text is its file");
	free(text);
	free(file);
	text = schema_module_text(s, "ietf-netconf", "2013-09-29", NULL);
	CHECK(text != NULL, "... also with its revision");
	free(text);
	text = schema_module_text(s, "ietf-netconf", "2000-01-01", NULL);
	CHECK(text == NULL, "... and none for a revision that is not loaded");
	free(text);
	text = schema_module_text(s, "nchome-test-types", NULL, &len);
	file = yang_read_file(in_top("tests/yang/nchome-test-types@2024-05-01.yang"), &flen);
	CHECK(text != NULL && file != NULL && len == flen && memcmp(text, file, len) == 0,
	    "a submodule's text is its file");
	free(text);
	free(file);
	text = schema_module_text(s, "ietf-yang-metadata", NULL, &len);
	CHECK(text != NULL && strncmp(text, "module ietf-yang-metadata", 25) == 0 &&
	    strlen(text) == len, "libyang's ietf-yang-metadata is printed by libyang");
	free(text);
	text = schema_module_text(s, "ietf-datastores", "2018-02-14", NULL);
	CHECK(text != NULL && strstr(text, "identity running") != NULL,
	    "so is ietf-datastores");
	free(text);
	text = schema_module_text(s, "ietf-netconf-acm", NULL, NULL);
	CHECK(text != NULL && strstr(text, "module ietf-netconf-acm") != NULL,
	    "an imported-only module has its text");
	free(text);
	CHECK(schema_module_text(s, "no-such-module", NULL, NULL) == NULL,
	    "an unknown module has none");
	schema_free(s);
}

int
main(void)
{
	schema_test_init();
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_yangtext();
	test_conf_keys();
	test_module_set();
	test_capabilities_match_libyang();
	test_content_id();
	test_load_errors();
	test_module_list();
	test_module_texts();
	rmdir_all(tmpdir);
	UNIT_DONE();
}
