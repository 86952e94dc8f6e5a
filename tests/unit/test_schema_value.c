/*
 * Unit tests of the schema layer's value checks and error-paths
 * (subsystem/schema/value.c): types, restrictions and the model's
 * error-message/app-tag, identityrefs and instance-identifiers with
 * prefixes declared anywhere in scope and their normalised form, and
 * a context that cannot be built.  Modules: yang/ and tests/yang/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_test.h"
#include "unit.h"

#define NT	"urn:nchome:test"
#define IANA	"urn:ietf:params:xml:ns:yang:iana-if-type"
#define IF	"urn:ietf:params:xml:ns:yang:ietf-interfaces"

static struct schema *s;

struct result {
	int			rc;
	struct schema_value	val;
	struct schema_error	err;
};

static void
result_free(struct result *r)
{
	schema_value_free(&r->val);
	schema_error_free(&r->err);
}

/*
 * Checks the text of the first element `name` of a document whose
 * <config> declares decls and holds body.
 */
static struct result
check(const char *decls, const char *body, const char *name)
{
	char text[4096];
	struct result r;
	xmlDocPtr doc;
	xmlNodePtr root, e;
	const struct lysc_node *sn;
	xmlChar *v;

	memset(&r, 0, sizeof(r));
	r.rc = -2;
	snprintf(text, sizeof(text), "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\""
	    " %s>%s</config>", decls, body);
	if ((doc = parse_xml(text)) == NULL)
		return r;
	root = xmlDocGetRootElement(doc);
	if ((e = find_elem(root->children, name)) != NULL &&
	    (sn = schema_node_of(s, e, root)) != NULL) {
		v = xmlNodeGetContent(e);
		r.rc = schema_value_check(s, sn, e, root, (const char *)v, &r.val, &r.err);
		xmlFree(v);
	}
	xmlFreeDoc(doc);
	return r;
}

static struct result
check_top(const char *decls, const char *inner, const char *name)
{
	char body[2048];

	snprintf(body, sizeof(body), "<top xmlns=\"" NT "\">%s</top>", inner);
	return check(decls, body, name);
}

static int
is_valid(const char *inner, const char *name)
{
	struct result r = check_top("", inner, name);
	int ok = r.rc == 0 && r.val.norm.text == NULL;

	result_free(&r);
	return ok;
}

static int
is_invalid(const char *inner, const char *name)
{
	struct result r = check_top("", inner, name);
	int ok = r.rc == 1 && strcmp(r.err.tag, "invalid-value") == 0 && r.err.message != NULL;

	result_free(&r);
	return ok;
}

/* r's text and one declaration are as given. */
static int
text_is(const struct schema_text *t, const char *text, const char *prefix, const char *ns)
{
	return t->text != NULL && strcmp(t->text, text) == 0 && t->nns == 1 &&
	    strcmp(t->ns[0].prefix, prefix) == 0 && strcmp(t->ns[0].ns, ns) == 0;
}

static void
test_restrictions(void)
{
	struct result r;

	CHECK(is_valid("<rule><name>abc</name></rule>", "name"), "a name matching the pattern");
	r = check_top("", "<rule><name>Bad1</name></rule>", "name");
	CHECK(r.rc == 1 && strcmp(r.err.tag, "invalid-value") == 0,
	    "a name against the pattern is an invalid-value");
	CHECK(r.err.message && strcmp(r.err.message, "rule names are lower-case letters") == 0 &&
	    r.err.app_tag && strcmp(r.err.app_tag, "rule-name") == 0,
	    "... with the model's error-message and error-app-tag (%s, %s)",
	    r.err.message ? r.err.message : "-", r.err.app_tag ? r.err.app_tag : "-");
	CHECK(text_is(&r.err.path, "/nt:top/nt:rule[nt:name='Bad1']/nt:name", "nt", NT),
	    "... and the error-path with its key and declaration (%s)",
	    r.err.path.text ? r.err.path.text : "-");
	result_free(&r);

	r = check_top("", "<route><prefix>10.0.0.0/8</prefix><metric>17</metric></route>", "metric");
	CHECK(r.rc == 1 && r.err.message && strcmp(r.err.message, "metric out of range") == 0 &&
	    r.err.app_tag && strcmp(r.err.app_tag, "metric-range") == 0,
	    "a range violation gives the model's message and app-tag");
	CHECK(text_is(&r.err.path,
	    "/nt:top/nt:route[nt:prefix='10.0.0.0/8'][nt:metric='17']/nt:metric", "nt", NT),
	    "... and both keys in order in the error-path (%s)",
	    r.err.path.text ? r.err.path.text : "-");
	result_free(&r);
	CHECK(is_valid("<route><prefix>10.0.0.0/8</prefix><metric>16</metric></route>", "metric"),
	    "16 is in range");
	r = check_top("", "<route><metric>abc</metric></route>", "metric");
	CHECK(r.rc == 1 && r.err.app_tag == NULL && r.err.message &&
	    strstr(r.err.message, "abc") != NULL,
	    "a non-number is invalid, without app-tag (%s)", r.err.message ? r.err.message : "-");
	result_free(&r);
	CHECK(is_invalid("<route><metric></metric></route>", "metric"), "an empty number too");
	CHECK(is_valid("<tag></tag>", "tag"), "an empty string is a string");
	CHECK(is_valid("<rule><action>drop</action></rule>", "action") &&
	    is_invalid("<rule><action>reject</action></rule>", "action"), "enumeration");
	CHECK(is_valid("<ratio>0.5</ratio>", "ratio") && is_invalid("<ratio>1.5</ratio>", "ratio") &&
	    is_invalid("<ratio>0.123</ratio>", "ratio"),
	    "decimal64: range and fraction-digits");
	CHECK(is_valid("<flags>a b</flags>", "flags") && is_invalid("<flags>c</flags>", "flags"),
	    "bits");
	CHECK(is_valid("<label>abc</label>", "label") && is_invalid("<label>abcdefghi</label>",
	    "label"), "a typedef from the submodule (length 1..8)");
	CHECK(is_valid("<either>5</either>", "either") && is_invalid("<either>300</either>",
	    "either"), "a union of uint8 and identityref");
	r = check_top("", "<mtu>20</mtu>", "mtu");
	CHECK(r.rc == 1 && text_is(&r.err.path, "/nt:top/nt:mtu[.='20']", "nt", NT),
	    "a leaf-list entry's error-path names its value (%s)",
	    r.err.path.text ? r.err.path.text : "-");
	result_free(&r);
}

static void
test_prefixes(void)
{
	struct result r;

	r = check_top("xmlns:x=\"" NT "\"", "<pet>x:dog</pet>", "pet");
	CHECK(r.rc == 0 && text_is(&r.val.norm, "nt:dog", "nt", NT),
	    "an identityref with a prefix declared on an ancestor is valid, normalised to "
	    "nt:dog (%s)", r.val.norm.text ? r.val.norm.text : "-");
	result_free(&r);
	r = check_top("", "<pet>dog</pet>", "pet");
	CHECK(r.rc == 0 && text_is(&r.val.norm, "nt:dog", "nt", NT),
	    "without a prefix, the default namespace's identity");
	result_free(&r);
	r = check_top("", "<pet>y:dog</pet>", "pet");
	CHECK(r.rc == 1 && strcmp(r.err.tag, "invalid-value") == 0,
	    "an undeclared prefix is an invalid-value (%s)", r.err.message ? r.err.message : "-");
	result_free(&r);
	r = check_top("xmlns:z=\"urn:unknown\"", "<pet>z:dog</pet>", "pet");
	CHECK(r.rc == 1, "a prefix of a namespace no module has is invalid");
	result_free(&r);
	r = check_top("xmlns:nt=\"" NT "\"", "<pet>nt:animal</pet>", "pet");
	CHECK(r.rc == 1, "the base identity itself is not a value");
	result_free(&r);
	r = check("xmlns:ift=\"" IANA "\"", "<interfaces xmlns=\"" IF "\"><interface>"
	    "<name>eth0</name><type>ift:ethernetCsmacd</type></interface></interfaces>", "type");
	CHECK(r.rc == 0 && text_is(&r.val.norm, "ianaift:ethernetCsmacd", "ianaift", IANA),
	    "interface type ift:ethernetCsmacd becomes ianaift:ethernetCsmacd (%s)",
	    r.val.norm.text ? r.val.norm.text : "-");
	result_free(&r);
	r = check("", "<interfaces xmlns=\"" IF "\"><interface><name>eth0</name>"
	    "<type>ethernetCsmacd</type></interface></interfaces>", "type");
	CHECK(r.rc == 1 && text_is(&r.err.path,
	    "/if:interfaces/if:interface[if:name='eth0']/if:type", "if", IF),
	    "an identity not in the default namespace is invalid; error-path in if: (%s)",
	    r.err.path.text ? r.err.path.text : "-");
	result_free(&r);
	r = check_top("xmlns:x=\"" NT "\"", "<either>x:cat</either>", "either");
	CHECK(r.rc == 0 && text_is(&r.val.norm, "nt:cat", "nt", NT),
	    "a union's identityref member is normalised too");
	result_free(&r);
	r = check_top("xmlns:x=\"" NT "\"", "<target>/x:top/x:rule[x:name='a']</target>", "target");
	CHECK(r.rc == 0 && text_is(&r.val.norm, "/nt:top/nt:rule[nt:name='a']", "nt", NT),
	    "an instance-identifier is valid and normalised (%s)",
	    r.val.norm.text ? r.val.norm.text : "-");
	result_free(&r);
	r = check_top("xmlns:x=\"" NT "\"", "<target>/x:top/[</target>", "target");
	CHECK(r.rc == 1, "an instance-identifier with a syntax error is invalid");
	result_free(&r);
	r = check_top("xmlns:x=\"" NT "\"", "<target>/x:top/x:nosuch</target>", "target");
	CHECK(r.rc == 1, "an instance-identifier of a node the model lacks is invalid");
	result_free(&r);
	r = check_top("", "<iface>eth0</iface>", "iface");
	CHECK(r.rc == 0 && r.val.refers && r.val.norm.text == NULL,
	    "a leafref's value is valid and marked as referring (checked with the data)");
	result_free(&r);
	r = check_top("", "<pet2>cat</pet2>", "pet2");
	CHECK(r.rc == 0 && !r.val.refers, "an identityref does not refer to data");
	result_free(&r);
}

static void
test_paths(void)
{
	struct result r;
	struct schema_text p;
	xmlDocPtr doc;
	xmlNodePtr root, e;

	r = check_top("", "<rule><name>it's \"x\"</name></rule>", "name");
	CHECK(r.rc == 1 && r.err.path.text && strcmp(r.err.path.text,
	    "/nt:top/nt:rule[nt:name=concat('it', \"'\", 's \"x\"')]/nt:name") == 0,
	    "a key with both quotes is written with concat() (%s)",
	    r.err.path.text ? r.err.path.text : "-");
	result_free(&r);
	r = check_top("", "<rule><name>it's</name></rule>", "name");
	CHECK(r.rc == 1 && r.err.path.text && strcmp(r.err.path.text,
	    "/nt:top/nt:rule[nt:name=\"it's\"]/nt:name") == 0,
	    "a key with an apostrophe is double-quoted (%s)", r.err.path.text ? r.err.path.text : "-");
	result_free(&r);
	doc = parse_xml("<config><top xmlns=\"" NT "\"><foo xmlns=\"urn:u\"><bar/></foo></top>"
	    "</config>");
	root = xmlDocGetRootElement(doc);
	e = find_elem(root->children, "bar");
	CHECK(e && schema_error_path(s, e, root, &p) == 0 && strcmp(p.text, "/nt:top/*"
	    "[local-name()='foo' and namespace-uri()='urn:u']/*[local-name()='bar' and "
	    "namespace-uri()='urn:u']") == 0 && p.nns == 1,
	    "elements no module has are named by local-name() and namespace-uri() (%s)",
	    p.text ? p.text : "-");
	schema_text_free(&p);
	xmlFreeDoc(doc);
}

static void
test_not_a_leaf(void)
{
	struct schema_value val;
	struct schema_error err;
	xmlDocPtr doc = parse_xml("<config><top xmlns=\"" NT "\"/></config>");
	xmlNodePtr root = xmlDocGetRootElement(doc), e = root->children;
	const struct lysc_node *sn = schema_node_of(s, e, root);

	CHECK(sn && schema_value_check(s, sn, e, root, "x", &val, &err) == -1 &&
	    strcmp(err.tag, "operation-failed") == 0, "a container's value cannot be checked");
	schema_error_free(&err);
	schema_value_free(&val);
	xmlFreeDoc(doc);
}

/* A module the scan accepts and libyang does not: every check says so. */
static void
test_broken_context(void)
{
	char dir[] = "/tmp/nchome-test-schema-value.XXXXXX", path[PATH_MAX], err[512] = "";
	static const char *const broken[] = { "broken", NULL };
	struct schema *b;
	struct schema_value val;
	struct schema_error e;
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/broken@2024-01-01.yang", dir);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("module broken { namespace \"urn:broken\"; prefix b;\n"
		    "  revision 2024-01-01;\n  leaf x { type no-such-type; }\n}\n", fp);
		fclose(fp);
	}
	b = load_modules_from(dir, broken, err, sizeof(err));
	CHECK(b != NULL && schema_content_id(b)[0] != '\0',
	    "a module with a bad type passes the scan (%s)", err);
	if (b != NULL) {
		CHECK(schema_context(b) == NULL && schema_context_error(b) &&
		    strstr(schema_context_error(b), "no-such-type") != NULL,
		    "the context cannot be built and says why (%s)",
		    schema_context_error(b) ? schema_context_error(b) : "-");
		CHECK(schema_child(b, NULL, NT, "top") == NULL, "lookups find nothing");
		CHECK(schema_value_check(b, schema_child(s, NULL, NT, "top"), NULL, NULL, "x",
		    &val, &e) == -1 && strcmp(e.tag, "operation-failed") == 0 &&
		    strstr(e.message, "no-such-type") != NULL,
		    "a value check fails with operation-failed and the reason");
		schema_error_free(&e);
	}
	schema_free(b);
	rmdir_all(dir);
}

int
main(void)
{
	static const char *const test[] = { "nchome-test:extra", NULL };
	char err[512] = "";

	schema_test_init();
	if ((s = load_modules(test, err, sizeof(err))) == NULL) {
		CHECK(0, "the modules load (%s)", err);
		UNIT_DONE();
	}
	test_restrictions();
	test_prefixes();
	test_paths();
	test_not_a_leaf();
	test_broken_context();
	schema_free(s);
	UNIT_DONE();
}
