/*
 * Unit tests of the schema layer's node oracle (subsystem/schema/node.c):
 * the schema node of an XML element, the facts the edit engine asks
 * (kind, keys in order, ordered-by, config false, choice and case,
 * unique, min/max, must/when, reference types), the uncovered
 * top-level data and RFC 6243 defaults.  Modules: yang/ and
 * tests/yang/nchome-test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_test.h"
#include "unit.h"

static const char doc_text[] =
    "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
    "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"><interface>"
    "<name>eth0</name>"
    "<type xmlns:ianaift=\"urn:ietf:params:xml:ns:yang:iana-if-type\">ianaift:ethernetCsmacd</type>"
    "<enabled>true</enabled></interface></interfaces>"
    "<top xmlns=\"urn:nchome:test\">"
    "<route><prefix>10.0.0.0/8</prefix><metric>1</metric></route>"
    "<rule><name>a</name><action>drop</action></rule>"
    "<tag>x</tag><level>3</level><pet>nt:dog</pet><pet2>nt:cat</pet2>"
    "<target>/nt:top</target><iface>eth0</iface><either>1</either><ratio>0.5</ratio>"
    "<count>1</count><when-leaf>w</when-leaf><extra-leaf>e</extra-leaf>"
    "<options><debug>true</debug><name>o</name></options>"
    "<tcp-port>8080</tcp-port><udp-port>53</udp-port><sctp/>"
    "<pair><id>1</id><a>x</a><b>y</b></pair>"
    "<blob><anything xmlns=\"urn:other\"><deep/></anything></blob>"
    "</top>"
    "<state xmlns=\"urn:nchome:test\"><entry><x>1</x></entry></state>"
    "<system-state xmlns=\"urn:ietf:params:xml:ns:yang:ietf-system\"/>"
    "<foo xmlns=\"urn:unknown\"/>"
    "<bar/>"
    "<get-schema xmlns=\"urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring\"/>"
    "<netconf-state xmlns=\"urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring\"/>"
    "</config>";

static struct schema *s;
static xmlNodePtr root;

/* The schema node of the first element of that name. */
static const struct lysc_node *
node(const char *name)
{
	xmlNodePtr e = find_elem(root->children, name);

	return e ? schema_node_of(s, e, root) : NULL;
}

static unsigned
flags(const char *name)
{
	const struct lysc_node *sn = node(name);
	const struct schema_info *in = sn ? schema_info(s, sn) : NULL;

	return in ? in->flags : 0x80000000u;
}

static enum schema_kind
kind(const char *name)
{
	const struct lysc_node *sn = node(name);
	const struct schema_info *in = sn ? schema_info(s, sn) : NULL;

	return in ? in->kind : (enum schema_kind)-1;
}

static void
test_lookup(void)
{
	const struct lysc_node *sn, *top;
	xmlNodePtr e, out[2];

	sn = node("interface");
	CHECK(sn != NULL && strcmp(sn->name, "interface") == 0 &&
	    strcmp(sn->module->name, "ietf-interfaces") == 0,
	    "an ietf-interfaces interface entry has its list node");
	sn = node("type");
	CHECK(sn != NULL && sn->nodetype == LYS_LEAF && strcmp(sn->name, "type") == 0 &&
	    sn->parent && strcmp(sn->parent->name, "interface") == 0,
	    "its type element has the leaf below it");
	top = node("top");
	sn = node("rule");
	CHECK(top != NULL && sn != NULL && schema_child(s, top, "urn:nchome:test", "rule") == sn,
	    "schema_child(parent, ns, name) finds what schema_node_of finds");
	CHECK(schema_child(s, top, "urn:other", "rule") == NULL,
	    "a child in another namespace is not the module's");
	CHECK(node("tcp-port") != NULL && node("sctp") != NULL,
	    "nodes inside choices and cases are found through them");
	CHECK(node("extra-leaf") != NULL, "a node of an enabled feature is found");
	CHECK(node("state") != NULL && node("netconf-state") != NULL,
	    "config false containers are found");
	CHECK(node("foo") == NULL, "an element of an unknown namespace has no node");
	CHECK(node("bar") == NULL, "an element without a namespace has no node");
	CHECK(node("get-schema") == NULL, "an RPC's name is not taken for data");
	CHECK(node("blob") != NULL && node("anything") == NULL && node("deep") == NULL,
	    "anydata has a node, its content none");
	CHECK(schema_child(s, node("name"), "urn:ietf:params:xml:ns:yang:ietf-interfaces",
	    "name") == NULL, "a leaf has no children");
	e = find_elem(root->children, "interface");
	CHECK(schema_node_of(s, root, root) == NULL && schema_node_of(s, e, e->parent->children) ==
	    NULL, "the data root itself, or an element not below it, has none");
	CHECK(schema_uncovered(s, root, out, 2) == 3 && out[0] &&
	    strcmp((const char *)out[0]->name, "foo") == 0 &&
	    strcmp((const char *)out[1]->name, "bar") == 0,
	    "the uncovered top-level data: foo, bar, get-schema (3, first two filled)");
}

static void
test_facts(void)
{
	const struct lysc_node *keys[4], *sn;
	const struct schema_info *in, *in2;
	unsigned n;

	n = schema_keys(node("interface"), keys, 4);
	CHECK(n == 1 && strcmp(keys[0]->name, "name") == 0, "interface's key is name");
	n = schema_keys(node("route"), keys, 1);
	CHECK(n == 2 && strcmp(keys[0]->name, "prefix") == 0,
	    "route has two keys, the first is prefix (one slot filled)");
	n = schema_keys(node("route"), keys, 4);
	CHECK(n == 2 && strcmp(keys[0]->name, "prefix") == 0 && strcmp(keys[1]->name,
	    "metric") == 0, "route's keys in order: prefix, metric");
	CHECK(schema_keys(node("top"), keys, 4) == 0, "a container has no keys");
	sn = node("route");
	in = sn ? schema_info(s, sn) : NULL;
	CHECK(in && in->kind == SCHEMA_LIST && in->nkeys == 2 && !(in->flags &
	    SCHEMA_ORDERED_BY_USER), "route: a list of two keys, ordered by the system");
	CHECK(kind("rule") == SCHEMA_LIST && (flags("rule") & SCHEMA_ORDERED_BY_USER),
	    "rule: ordered-by user");
	sn = node("tag");
	in = sn ? schema_info(s, sn) : NULL;
	CHECK(in && in->kind == SCHEMA_LEAFLIST && (in->flags & SCHEMA_ORDERED_BY_USER) &&
	    in->max_elements == 3 && in->min_elements == 0,
	    "tag: a leaf-list, ordered-by user, at most 3");
	CHECK(kind("level") == SCHEMA_LEAFLIST && !(flags("level") & SCHEMA_ORDERED_BY_USER) &&
	    (flags("level") & SCHEMA_HAS_DEFAULT), "level: a leaf-list with defaults");
	CHECK((flags("name") & SCHEMA_KEY) && !(flags("enabled") & SCHEMA_KEY),
	    "interface name is a key, enabled is not");
	CHECK(kind("top") == SCHEMA_CONTAINER && kind("options") == SCHEMA_PRESENCE,
	    "top is a container, options a presence container");
	sn = node("options");
	sn = sn ? schema_child(s, sn, "urn:nchome:test", "name") : NULL;
	in = sn ? schema_info(s, sn) : NULL;
	CHECK(in && (in->flags & SCHEMA_MANDATORY) && !(flags("debug") & SCHEMA_MANDATORY),
	    "options/name is mandatory, options/debug is not");
	CHECK(kind("blob") == SCHEMA_ANYDATA, "blob is anydata");
	CHECK((flags("state") & SCHEMA_CONFIG_FALSE) && (flags("entry") & SCHEMA_CONFIG_FALSE) &&
	    (flags("entry") & SCHEMA_KEYLESS) && kind("entry") == SCHEMA_LIST,
	    "state/entry is a config false list without keys");
	CHECK(!(flags("top") & SCHEMA_CONFIG_FALSE) && !(flags("route") & SCHEMA_KEYLESS),
	    "top is configuration; route has keys");
	CHECK((flags("count") & SCHEMA_HAS_MUST) && !(flags("pet") & SCHEMA_HAS_MUST),
	    "count has a must");
	CHECK((flags("when-leaf") & SCHEMA_HAS_WHEN) && !(flags("count") & SCHEMA_HAS_WHEN),
	    "when-leaf has a when");
	CHECK((flags("iface") & SCHEMA_LEAFREF) && !(flags("iface") & SCHEMA_PREFIXED),
	    "iface is a leafref (to a string)");
	CHECK((flags("pet") & (SCHEMA_IDENTITYREF | SCHEMA_PREFIXED)) ==
	    (SCHEMA_IDENTITYREF | SCHEMA_PREFIXED), "pet is an identityref, with prefixes");
	CHECK((flags("type") & SCHEMA_IDENTITYREF), "interface type is an identityref");
	CHECK((flags("target") & SCHEMA_INSTANCE_ID) && (flags("target") & SCHEMA_PREFIXED),
	    "target is an instance-identifier");
	CHECK((flags("either") & SCHEMA_IDENTITYREF) && (flags("either") & SCHEMA_PREFIXED),
	    "either unions an identityref");
	CHECK(!(flags("ratio") & (SCHEMA_PREFIXED | SCHEMA_LEAFREF | SCHEMA_IDENTITYREF)),
	    "ratio (decimal64) holds no prefixes");
	sn = node("pair");
	in = sn ? schema_info(s, sn) : NULL;
	CHECK(in && in->nuniques == 1 && in->min_elements == 1 && in->max_elements == 10,
	    "pair: one unique, 1 to 10 entries");
	n = schema_unique(sn, 0, keys, 4);
	CHECK(n == 2 && strcmp(keys[0]->name, "a") == 0 && strcmp(keys[1]->name, "b") == 0,
	    "pair's unique names a and b");
	CHECK(schema_unique(sn, 1, keys, 4) == 0, "there is no second unique");
	CHECK((flags("a") & SCHEMA_UNIQUE) && !(flags("id") & SCHEMA_UNIQUE),
	    "a is in a unique, id is not");
	sn = node("interface");
	in = sn ? schema_info(s, sn) : NULL;
	in2 = sn ? schema_info(s, sn) : NULL;
	CHECK(in != NULL && in == in2 && sn->priv != NULL, "the facts are kept with the node");
}

static void
test_choice(void)
{
	const struct lysc_node *tcp = node("tcp-port"), *udp = node("udp-port");
	const struct lysc_node *sctp = node("sctp"), *pet = node("pet");
	const struct schema_info *in = tcp ? schema_info(s, tcp) : NULL;

	CHECK(in && (in->flags & SCHEMA_IN_CASE) && in->cas && strcmp(in->cas->name, "tcp") == 0 &&
	    in->choice && strcmp(in->choice->name, "transport") == 0,
	    "tcp-port sits in case tcp of choice transport");
	CHECK(!(flags("pet") & SCHEMA_IN_CASE), "pet is in no case");
	CHECK(tcp && udp && sctp && pet && schema_cases_conflict(tcp, udp) &&
	    schema_cases_conflict(udp, tcp), "tcp-port and udp-port exclude each other");
	CHECK(tcp && sctp && schema_cases_conflict(tcp, sctp),
	    "a shorthand case (sctp) excludes tcp-port too");
	CHECK(tcp && pet && !schema_cases_conflict(tcp, pet) && !schema_cases_conflict(pet, tcp) &&
	    !schema_cases_conflict(tcp, tcp), "nodes outside the choice, or the same case, do not");
	CHECK(in && schema_default_case(in->choice) &&
	    strcmp(schema_default_case(in->choice)->name, "tcp") == 0,
	    "transport's default case is tcp");
	CHECK(schema_default_case(node("top")) == NULL, "a container has no default case");
}

static int
one_default(const char *name, const char *text, const char *prefix, const char *ns)
{
	const struct lysc_node *sn = node(name);
	const struct schema_text *d;

	if (sn == NULL || schema_defaults(s, sn, &d) != 1 || strcmp(d[0].text, text) != 0)
		return 0;
	if (prefix == NULL)
		return d[0].nns == 0;
	return d[0].nns == 1 && strcmp(d[0].ns[0].prefix, prefix) == 0 &&
	    strcmp(d[0].ns[0].ns, ns) == 0;
}

static void
test_defaults(void)
{
	const struct schema_text *d, *d2;
	const struct lysc_node *sn;

	CHECK(one_default("action", "accept", NULL, NULL), "rule action defaults to accept");
	CHECK(one_default("tcp-port", "80", NULL, NULL), "tcp-port defaults to 80");
	CHECK(one_default("enabled", "true", NULL, NULL), "ietf-interfaces enabled defaults to true");
	CHECK(one_default("debug", "false", NULL, NULL), "options/debug defaults to false");
	CHECK(one_default("pet2", "nt:dog", "nt", "urn:nchome:test"),
	    "an identityref default comes with its prefix and declaration");
	sn = node("level");
	CHECK(sn && schema_defaults(s, sn, &d) == 2 && strcmp(d[0].text, "1") == 0 &&
	    strcmp(d[1].text, "2") == 0, "level's defaults are 1 and 2");
	CHECK(sn && schema_defaults(s, sn, &d2) == 2 && d2 == d, "defaults are kept");
	sn = node("pet");
	CHECK(sn && schema_defaults(s, sn, &d) == 0 && d == NULL, "pet has no default");
	sn = node("top");
	CHECK(sn && schema_defaults(s, sn, &d) == 0, "a container has none");
}

/* Without its feature, a node is not there. */
static void
test_feature_off(void)
{
	static const char *const plain[] = { "nchome-test", NULL };
	char err[512] = "";
	struct schema *off = load_modules(plain, err, sizeof(err));
	xmlNodePtr e = find_elem(root->children, "extra-leaf");

	CHECK(off != NULL && e != NULL && schema_node_of(off, e, root) == NULL &&
	    schema_node_of(off, find_elem(root->children, "count"), root) != NULL,
	    "with feature extra off, extra-leaf has no node (count still has)");
	schema_free(off);
}

int
main(void)
{
	static const char *const test[] = { "nchome-test:extra", NULL };
	char err[512] = "";
	xmlDocPtr doc;

	schema_test_init();
	s = load_modules(test, err, sizeof(err));
	doc = parse_xml(doc_text);
	if (s == NULL || doc == NULL) {
		CHECK(0, "the modules and the document load (%s)", err);
		UNIT_DONE();
	}
	root = xmlDocGetRootElement(doc);
	test_lookup();
	test_facts();
	test_choice();
	test_defaults();
	test_feature_off();
	schema_free(s);
	xmlFreeDoc(doc);
	UNIT_DONE();
}
