/*
 * Unit tests of the NACM engine (subsystem/access/): the nacm container
 * parsed into its struct (every field, the defaults, what is refused and
 * how the message names it), rule paths (grammar, prefixes from the
 * rule's own declarations, matching by key, composite key, leaf-list
 * value, no predicate, descendants, $USER), packed entries matched
 * without unpacking, and the built-in schema.  Evaluation:
 * test_nacm_eval.c; RFC 8341 Appendix A: test_nacm_rfc.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nacm_test.h"
#include "schema_test.h"
#include "unit.h"

#define NACM_OPEN	"<nacm xmlns=\"" NACM_NS "\">"

static void
test_defaults(void)
{
	char err[256];
	struct nacm_config *c = nacm_config_parse(NULL, 0, NULL, err, sizeof(err));

	CHECK(c != NULL && c->enable && c->read_permit && !c->write_permit &&
	    c->exec_permit && c->ext_groups && c->ngroup == 0 && c->nlist == 0,
	    "no nacm container: enable-nacm true, read permit, write deny, exec permit, external groups");
	nacm_config_free(c);
	c = t_cfg(NACM_OPEN "</nacm>");
	CHECK(c->enable && c->read_permit && !c->write_permit && c->exec_permit && c->ext_groups,
	    "an empty nacm container takes the same defaults");
	nacm_config_free(c);
	c = t_cfg(NACM_OPEN "<rule-list><name>l</name><rule><name>r</name>"
	    "<action>permit</action></rule></rule-list></nacm>");
	CHECK(c->list[0].rule[0].module == NULL && c->list[0].rule[0].ops == NACM_ALL_OPS &&
	    c->list[0].rule[0].type == NACM_RT_NONE && c->list[0].ngroup == 0,
	    "a rule with only an action: module-name \"*\", access-operations \"*\", no rule type");
	nacm_config_free(c);
	c = nacm_config_failsafe();
	CHECK(c->enable && !c->read_permit && !c->write_permit && !c->exec_permit,
	    "the failsafe config denies everything by default");
	nacm_config_free(c);
}

static void
test_fields(void)
{
	struct nacm_config *c = t_cfg(NACM_OPEN
	    "<enable-nacm>false</enable-nacm><read-default>deny</read-default>"
	    "<write-default> permit </write-default><exec-default>deny</exec-default>"
	    "<enable-external-groups>false</enable-external-groups>"
	    "<groups><group><name>g1</name><user-name>u1</user-name><user-name>u2</user-name></group>"
	    "<group><name>g2</name></group></groups>"
	    "<rule-list><name>L1</name><group>g1</group><group>*</group>"
	    "<rule><name>r1</name><module-name>*</module-name><rpc-name>*</rpc-name>"
	    "<access-operations>exec</access-operations><action>deny</action></rule>"
	    "<rule><name>r2</name><module-name>m</module-name><rpc-name>edit-config</rpc-name>"
	    "<action>permit</action><comment>ignored</comment></rule>"
	    "<rule><name>r3</name><notification-name>n</notification-name>"
	    "<access-operations>\n  read\n  update  </access-operations><action>deny</action></rule>"
	    "<rule><name>r4</name><path xmlns:t='urn:t'> /t:a/t:b[t:k='v'] </path>"
	    "<access-operations>create delete</access-operations><action>permit</action></rule>"
	    "</rule-list><rule-list><name>L2</name></rule-list></nacm>");
	const struct nacm_rule_list *l = &c->list[0];
	const struct nacm_rule *r = l->rule;

	CHECK(!c->enable && !c->read_permit && c->write_permit && !c->exec_permit &&
	    !c->ext_groups, "every top leaf is read (white space around a value is allowed)");
	CHECK(c->ngroup == 2 && strcmp(c->group[0].name, "g1") == 0 && c->group[0].nuser == 2 &&
	    strcmp(c->group[0].user[1], "u2") == 0 && c->group[1].nuser == 0,
	    "groups with their user-names, in order");
	CHECK(c->nlist == 2 && strcmp(l->name, "L1") == 0 && l->ngroup == 2 && l->all_groups &&
	    strcmp(c->list[1].name, "L2") == 0 && c->list[1].nrule == 0,
	    "rule-lists in order, with their groups and \"*\"");
	CHECK(l->nrule == 4 && strcmp(r[0].name, "r1") == 0 && strcmp(r[3].name, "r4") == 0,
	    "rules in order");
	CHECK(r[0].module == NULL && r[0].type == NACM_RT_RPC && r[0].target == NULL &&
	    r[0].ops == NACM_EXEC && !r[0].permit, "module-name \"*\", rpc-name \"*\", exec, deny");
	CHECK(strcmp(r[1].module, "m") == 0 && strcmp(r[1].target, "edit-config") == 0 &&
	    r[1].ops == NACM_ALL_OPS && r[1].permit, "module-name, rpc-name, default \"*\", permit");
	CHECK(r[2].type == NACM_RT_NOTIF && strcmp(r[2].target, "n") == 0 &&
	    r[2].ops == (NACM_READ | NACM_UPDATE), "notification-name; bits over several lines");
	CHECK(r[3].type == NACM_RT_PATH && r[3].path->nstep == 2 &&
	    strcmp(r[3].path->step[1].ns, "urn:t") == 0 &&
	    strcmp(r[3].path->step[1].name, "b") == 0 && r[3].path->step[1].npred == 1 &&
	    strcmp(r[3].path->step[1].pred[0].value, "v") == 0 &&
	    strcmp(r[3].path_text, "/t:a/t:b[t:k='v']") == 0 &&
	    r[3].ops == (NACM_CREATE | NACM_DELETE), "path parsed into steps and predicates");
	nacm_config_free(c);
}

/* Each broken configuration is refused with a message holding want. */
static void
refused(const char *body, const char *want)
{
	char xml[2048], err[512] = "";
	struct nacm_config *c;

	snprintf(xml, sizeof(xml), NACM_OPEN "%s</nacm>", body);
	c = t_cfg_flags(xml, 0, NULL, err, sizeof(err));
	CHECK(c == NULL && strstr(err, want) != NULL, "refused (%s): %s", want, err);
	nacm_config_free(c);
}

#define RL(rule)	"<rule-list><name>L</name><rule><name>R</name>" rule "</rule></rule-list>"

static void
test_refused(void)
{
	refused(RL("<path xmlns:t='urn:t'>/t:a[</path><action>deny</action>"), "rule \"R\": path");
	refused(RL("<path xmlns:t='urn:t'>t:a</path><action>deny</action>"), "starts with '/'");
	refused(RL("<path>/a</path><action>deny</action>"), "without a prefix");
	refused(RL("<path xmlns:t='urn:t'>/t:a/b</path><action>deny</action>"), "without a prefix");
	refused(RL("<path>/x:a</path><action>deny</action>"), "prefix \"x\" is not declared");
	refused(RL("<path xmlns:t='urn:t'>//t:a</path><action>deny</action>"), "expected a name");
	refused(RL("<path xmlns:t='urn:t'>/t:a/</path><action>deny</action>"), "expected a name");
	refused(RL("<path xmlns:t='urn:t'>/t:a[1]</path><action>deny</action>"), "positional");
	refused(RL("<path xmlns:t='urn:t'>/t:a[t:k=v]</path><action>deny</action>"), "quoted value");
	refused(RL("<path xmlns:t='urn:t'>/t:a[t:k='v'][t:k='w']</path><action>deny</action>"),
	    "same key twice");
	refused(RL("<path xmlns:t='urn:t'>/t:a[count(t:b)='1']</path><action>deny</action>"),
	    "without a prefix");
	refused(RL("<path></path><action>deny</action>"), "empty path");
	refused(RL("<path xmlns:t='urn:t'>/t:a</path><path xmlns:t='urn:t'>/t:b</path>"
	    "<action>deny</action>"), "path is given twice");
	refused(RL("<access-operations>read write</access-operations><action>deny</action>"),
	    "\"write\" is not one of");
	refused(RL("<access-operations>read read</access-operations><action>deny</action>"),
	    "\"read\" is given twice");
	refused(RL("<access-operations>* read</access-operations><action>deny</action>"),
	    "\"*\" is not one of");
	refused(RL("<access-operations>read</access-operations>"), "rule \"R\": no action");
	refused(RL("<action>allow</action>"), "permit or deny");
	refused(RL("<action>deny</action><action>deny</action>"), "action is given twice");
	refused(RL("<rpc-name>a</rpc-name><path xmlns:t='urn:t'>/t:a</path><action>deny</action>"),
	    "one of rpc-name");
	refused(RL("<rpc-name>a</rpc-name><rpc-name>b</rpc-name><action>deny</action>"),
	    "rpc-name is given twice");
	refused(RL("<acess-operations>read</acess-operations><action>permit</action>"),
	    "unknown element <acess-operations>");
	refused("<rule-list><name>L</name><rule><action>deny</action></rule></rule-list>",
	    "rule-list \"L\", a rule without a name");
	refused("<rule-list><name>L</name><rule><name>R</name><action>deny</action></rule>"
	    "<rule><name>R</name><action>deny</action></rule></rule-list>", "given twice");
	refused("<rule-list><name>L</name></rule-list><rule-list><name>L</name></rule-list>",
	    "rule-list name is given twice");
	refused("<rule-list><name>L</name><group>*adm</group></rule-list>", "starts with '*'");
	refused("<rule-list><name>L</name><group>a</group><group>a</group></rule-list>",
	    "group \"a\" is given twice");
	refused("<groups><group><name>g</name></group><group><name>g</name></group></groups>",
	    "group \"g\" is given twice");
	refused("<groups><group><name>g</name><user-name>u</user-name><user-name>u</user-name>"
	    "</group></groups>", "user-name \"u\" is given twice");
	refused("<groups><group><name>*</name></group></groups>", "starts with '*'");
	refused("<enable-nacm>yes</enable-nacm>", "true or false");
	refused("<read-default>maybe</read-default>", "permit or deny");
	refused("<denied-operations>3</denied-operations>", "state data");
	refused("<enable-nacm><x/></enable-nacm>", "must be a leaf");
}

static int
stub_exists(const char *g)
{
	return strcmp(g, "wheel") == 0;
}

static void
test_groups_strict(void)
{
	static const char ext_on[] = NACM_OPEN "<groups><group><name>adm</name></group></groups>"
	    "<rule-list><name>L</name><group>adm</group><group>*</group><group>%s</group></rule-list></nacm>";
	char xml[1024], err[512] = "";
	struct nacm_config *c;

	snprintf(xml, sizeof(xml), ext_on, "wheel");
	c = t_cfg_flags(xml, NACM_STRICT, stub_exists, err, sizeof(err));
	CHECK(c != NULL, "strict: configured group, \"*\" and a host group are known (%s)", err);
	nacm_config_free(c);
	snprintf(xml, sizeof(xml), ext_on, "wheeel");
	c = t_cfg_flags(xml, NACM_STRICT, stub_exists, err, sizeof(err));
	CHECK(c == NULL && strstr(err, "rule-list \"L\": unknown group \"wheeel\"") != NULL &&
	    strstr(err, "not a group of this host") != NULL,
	    "strict: a group neither configured nor on the host is refused: %s", err);
	nacm_config_free(c);
	c = t_cfg_flags(xml, 0, stub_exists, err, sizeof(err));
	CHECK(c != NULL, "not strict (loading running): the unknown group is accepted");
	nacm_config_free(c);
	snprintf(xml, sizeof(xml), NACM_OPEN "<enable-external-groups>false</enable-external-groups>"
	    "<rule-list><name>L</name><group>wheel</group></rule-list></nacm>");
	c = t_cfg_flags(xml, NACM_STRICT, stub_exists, err, sizeof(err));
	CHECK(c == NULL && strstr(err, "enable-external-groups is false") != NULL,
	    "strict, external groups off: a host group is unknown: %s", err);
	nacm_config_free(c);
	CHECK(nacm_host_group_exists("root") && !nacm_host_group_exists("no-such-group-xq7"),
	    "nacm_host_group_exists knows root and not a made-up name");
}

/* Declarations in scope on <path>: the rule's own, or an ancestor's. */
static void
test_prefix_scope(void)
{
	struct nacm_config *c = t_cfg("<config xmlns='" T_BASE "' xmlns:up='urn:up'>" NACM_OPEN
	    "<rule-list><name>L</name>"
	    "<rule><name>a</name><path xmlns:p='urn:one'>/p:x</path><action>deny</action></rule>"
	    "<rule><name>b</name><path xmlns:p='urn:two'>/p:x</path><action>deny</action></rule>"
	    "<rule><name>c</name><path>/up:y</path><action>deny</action></rule>"
	    "</rule-list></nacm></config>");

	CHECK(strcmp(c->list[0].rule[0].path->step[0].ns, "urn:one") == 0 &&
	    strcmp(c->list[0].rule[1].path->step[0].ns, "urn:two") == 0,
	    "one prefix bound differently on two rules: each rule uses its own");
	CHECK(strcmp(c->list[0].rule[2].path->step[0].ns, "urn:up") == 0,
	    "a prefix declared on an ancestor is in scope");
	nacm_config_free(c);
}

/* Matching of one rule path against nodes of d, through a session. */
static int
covered(const char *path, const char *data, const char *node, const char *user)
{
	char xml[2048];
	struct nacm_config *c;
	struct nacm_session *s;
	xmlDocPtr d = t_doc(data);
	int r;

	snprintf(xml, sizeof(xml), NACM_OPEN "<rule-list><name>L</name><group>*</group>"
	    "<rule><name>R</name><path xmlns:t='urn:t'>%s</path><access-operations>read"
	    "</access-operations><action>deny</action></rule></rule-list></nacm>", path);
	c = t_cfg(xml);
	s = t_sess(c, user, (const char *const[]){ "users", NULL }, 0);
	r = !nacm_data_allowed(s, t_find(d, node, 1), NACM_READ);
	nacm_session_free(s);
	nacm_config_free(c);
	xmlFreeDoc(d);
	return r;
}

static void
test_path_match(void)
{
	static const char data[] = T_CFG("<top xmlns='urn:t'>"
	    "<item><name>a</name><v>1</v><tag>x</tag><tag>y</tag></item>"
	    "<item><name>b</name><v>2</v><tag>z</tag></item>"
	    "<pair><k1>1</k1><k2>2</k2><w/></pair><pair><k1>1</k1><k2>3</k2></pair>"
	    "<ll>p</ll><ll>q</ll></top><top2 xmlns='urn:o'><item><name>a</name></item></top2>");

	CHECK(covered("/t:top/t:item[t:name='a']", data, "top/item=a", "u") &&
	    !covered("/t:top/t:item[t:name='a']", data, "top/item=b", "u"),
	    "a key predicate matches its entry only");
	CHECK(covered("/t:top/t:item[t:name='a']", data, "top/item=a/v", "u") &&
	    !covered("/t:top/t:item[t:name='a']", data, "top", "u"),
	    "a rule covers the node's descendants, not its ancestors");
	CHECK(covered("/t:top/t:item", data, "top/item=b/v", "u") &&
	    covered("/t:top/t:item", data, "top/item=a", "u"),
	    "no predicate: every instance");
	CHECK(covered("/t:top/t:item[t:tag='y']", data, "top/item=a", "u") &&
	    !covered("/t:top/t:item[t:tag='y']", data, "top/item=b", "u"),
	    "a predicate on a leaf-list child matches any of its values");
	CHECK(covered("/t:top/t:pair[t:k2='3'][t:k1=\"1\"]", data, "top/pair/k1", "u") == 0 &&
	    covered("/t:top/t:pair[t:k1='1'][t:k2='2']", data, "top/pair/w", "u") &&
	    covered("/t:top/t:pair[t:k2='2'][t:k1=\"1\"]", data, "top/pair/w", "u"),
	    "composite keys: every predicate must hold, in any order, either quote");
	CHECK(covered("/t:top/t:ll[.='q']", data, "top/ll", "u") == 0,
	    "a leaf-list value predicate does not match another value");
	{
		xmlDocPtr d = t_doc(data);
		xmlNodePtr q = t_find(d, "top", 0)->last;
		char xml[1024];
		struct nacm_config *c;
		struct nacm_session *s;

		snprintf(xml, sizeof(xml), NACM_OPEN "<rule-list><name>L</name><group>*</group>"
		    "<rule><name>R</name><path xmlns:t='urn:t'>/t:top/t:ll[.='q']</path>"
		    "<action>deny</action></rule></rule-list></nacm>");
		c = t_cfg(xml);
		s = t_sess(c, "u", (const char *const[]){ "g", NULL }, 0);
		CHECK(!nacm_data_allowed(s, q, NACM_READ) &&
		    nacm_data_allowed(s, q->prev, NACM_READ), "[.='q'] matches the leaf-list entry q");
		nacm_session_free(s);
		nacm_config_free(c);
		xmlFreeDoc(d);
	}
	CHECK(!covered("/t:top/t:item[t:name='a']", data, "top2/item=a", "u"),
	    "same names in another namespace do not match");
	CHECK(covered("/t:top/t:item[t:name=$USER]", data, "top/item=b", "b") &&
	    !covered("/t:top/t:item[t:name=$USER]", data, "top/item=b", "a"),
	    "$USER is the session's user name");
	CHECK(covered("/", data, "top2/item=a", "u") && covered("/", data, "top", "u"),
	    "\"/\" covers every node");
}

/* Key values of packed entries are read without unpacking them. */
static void
test_packed(void)
{
	/* the foreign <o:x/> keeps <top> itself unpacked */
	static const char data[] = T_CFG("<top xmlns='urn:t'><x xmlns='urn:o'/>"
	    "<item><name>a</name><cfg><x>1</x></cfg></item>"
	    "<item><name>b</name><cfg><x>2</x></cfg></item>"
	    "<pair><k1>1</k1><k2>2</k2><w>3</w></pair></top>");
	xmlDocPtr d = t_packed_doc(data);
	xmlNodePtr a = t_find(d, "top/item=a", 0), b = t_find(d, "top/item=b", 0);
	xmlNodePtr pair = t_find(d, "top/pair", 0);
	struct nacm_config *c = t_cfg(NACM_OPEN "<rule-list><name>L</name><group>*</group>"
	    "<rule><name>R</name><path xmlns:t='urn:t'>/t:top/t:item[t:name='b']</path>"
	    "<action>deny</action></rule>"
	    "<rule><name>P</name><path xmlns:t='urn:t'>/t:top/t:pair[t:k2='2'][t:k1='1']</path>"
	    "<action>deny</action></rule></rule-list></nacm>");
	struct nacm_session *s = t_sess(c, "u", (const char *const[]){ "g", NULL }, 0);

	CHECK(packed_is(a) && packed_is(b) && packed_is(pair), "the entries are packed");
	CHECK(nacm_data_allowed(s, a, NACM_READ) && !nacm_data_allowed(s, b, NACM_READ),
	    "a key predicate on packed entries");
	CHECK(!nacm_data_allowed(s, pair, NACM_UPDATE), "a composite key on a packed entry");
	CHECK(packed_is(a) && packed_is(b) && packed_is(pair), "and they are still packed");
	nacm_session_free(s);
	nacm_config_free(c);
	xmlFreeDoc(d);

	/* a key leaf of two text nodes: packed as such, read whole */
	d = t_doc(T_CFG("<top xmlns='urn:t'><x xmlns='urn:o'/><item><name/><v>1</v></item></top>"));
	{
		xmlNodePtr item = t_find(d, "top/item", 0), name = t_elem(item, "name");
		xmlNodePtr t1 = xmlNewDocText(d, BAD_CAST "du"), t2 = xmlNewDocText(d, BAD_CAST "mmy");

		name->children = t1;	/* linked by hand: xmlAddChild would merge them */
		t1->parent = t2->parent = name;
		t1->next = t2;
		t2->prev = t1;
		name->last = t2;
		packed_pack_tree(xmlDocGetRootElement(d));
		CHECK(packed_is(item), "an entry whose key has two text nodes is packed");
		c = t_cfg(NACM_OPEN "<rule-list><name>L</name><group>*</group><rule><name>R</name>"
		    "<path xmlns:t='urn:t'>/t:top/t:item[t:name='dummy']</path>"
		    "<action>deny</action></rule></rule-list></nacm>");
		s = t_sess(c, "u", (const char *const[]){ "g", NULL }, 0);
		CHECK(!nacm_data_allowed(s, item, NACM_READ) && packed_is(item),
		    "its key is matched as one value, the entry still packed");
		nacm_session_free(s);
		nacm_config_free(c);
	}
	xmlFreeDoc(d);

	/* a nacm container in a packed datastore, prefixes declared on <config> */
	d = t_packed_doc("<config xmlns='" T_BASE "' xmlns:t='urn:t'>" NACM_OPEN
	    "<rule-list><name>L</name><group>g</group><rule><name>R</name><path>/t:top</path>"
	    "<access-operations>read</access-operations><action>deny</action></rule>"
	    "</rule-list></nacm></config>");
	{
		char err[256] = "";
		xmlNodePtr nacm = t_elem(xmlDocGetRootElement(d), "nacm");

		CHECK(packed_is(nacm), "the whole nacm container is packed");
		c = nacm_config_parse(nacm, 0, NULL, err, sizeof(err));
		CHECK(c != NULL && c->nlist == 1 && c->list[0].nrule == 1 &&
		    strcmp(c->list[0].rule[0].path->step[0].ns, "urn:t") == 0,
		    "it parses; its path's prefix resolves from <config> %s", err);
		CHECK(packed_is(nacm), "and the datastore's nacm container stays packed");
		nacm_config_free(c);
	}
	xmlFreeDoc(d);
}

static int
t_modprefix(void *arg, const char *prefix, const char **ns)
{
	(void)arg;
	*ns = t_builtin->module_ns(t_builtin->arg, prefix);
	return *ns != NULL ? 0 : -1;
}

static void
test_builtin_schema(void)
{
	const struct nacm_schema *b = t_builtin;
	size_t n, want = 0;
	const struct nacm_ext *x = b->exts(b->arg, &n);
	char cmd[4096];
	FILE *p;

	CHECK(b->module_ns(b->arg, "ietf-netconf-notifications") != NULL &&
	    strcmp(b->module_ns(b->arg, "ietf-netconf-notifications"),
	    "urn:ietf:params:xml:ns:yang:ietf-netconf-notifications") == 0,
	    "a namespace given on the line after its keyword is read");
	CHECK(strcmp(b->ns_module(b->arg, "urn:ietf:params:xml:ns:netconf:base:1.0"),
	    "ietf-netconf") == 0 && b->module_ns(b->arg, "no-such-module") == NULL,
	    "namespace -> module, and unknown modules");
	/* every nacm:default-deny-* statement of yang/ is in the table */
	snprintf(cmd, sizeof(cmd), "cat %s/yang/*.yang | grep -c 'nacm:default-deny-[a-z]*;'",
	    t_top());
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%zu", &want) != 1)
			want = 0;
		pclose(p);
	}
	CHECK(want > 0 && n == want, "the extension table has the %zu extensions of yang/ (%zu)",
	    want, n);
	for (size_t i = 0; i < n; i++)
		if (x[i].kind == NACM_EXT_DATA) {
			char err[256] = "";
			struct nacm_path *pa = nacm_path_parse(x[i].name, t_modprefix, NULL,
			    err, sizeof(err));

			CHECK(pa != NULL && pa->nstep > 0, "extension path %s parses %s", x[i].name, err);
			nacm_path_free(pa);
		}
}

/* Writes dir/name: head, pad spaces up to offset at, then tail. */
static void
t_write_module(const char *dir, const char *name, const char *head, size_t at,
    const char *tail, size_t pad_after)
{
	char path[4200];
	FILE *f;
	size_t n = strlen(head);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs(head, f);
	for (; n < at; n++)
		fputc(n % 64 == 63 ? '\n' : ' ', f);
	fputs(tail, f);
	for (size_t i = 0; i < pad_after; i++)
		fputc(i % 64 == 63 ? '\n' : ' ', f);
	fclose(f);
}

/*
 * access/nacm_schema.c reads only a module file's first 4096 bytes (a
 * module of the set comes from the schema layer's scan, ops/nacm.c): a
 * module whose name and namespace they do not settle is not found
 * (nchome-netconf(8) ACCESS CONTROL), never found with a namespace cut
 * at byte 4096; one they settle is found whatever the file's length.
 */
static void
test_builtin_long_headers(void)
{
	char dir[] = "/tmp/nacm-heads-XXXXXX", err[256];
	struct nacm_schema *b;
	const char *ns;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp");
		return;
	}
	/* a comment of 5,000 bytes before the namespace */
	t_write_module(dir, "long-head.yang", "module long-head {\n  /*", 5000,
	    "*/\n  namespace \"urn:t:long\";\n  prefix l;\n}\n", 0);
	/* the namespace string straddles byte 4096 */
	t_write_module(dir, "cut-ns.yang", "module cut-ns {\n  //", 4080,
	    "\n namespace \"urn:t:cut:0123456789abcdef\";\n  prefix c;\n}\n", 100);
	/* its second half ("+" "b") lies past byte 4096 */
	t_write_module(dir, "concat.yang", "module concat {\n  //", 4070,
	    "\n namespace \"urn:t:a\"   ", 0);
	t_write_module(dir, "empty.yang", "", 0, "", 0);	/* an empty file: no module */
	{
		/* concat.yang gets "+ 'b';" after its padding */
		char path[4200];
		FILE *f;

		snprintf(path, sizeof(path), "%s/concat.yang", dir);
		if ((f = fopen(path, "a")) != NULL) {
			fputs("\n    + 'b';\n  prefix a;\n}\n", f);
			fclose(f);
		}
	}
	/*
	 * "+" before byte 4096, only blanks from it up to there: the part
	 * after "+" lies past them
	 */
	t_write_module(dir, "concat-plus.yang", "module concat-plus {\n  //", 4068,
	    "\n namespace \"urn:t:a\" +          'b';\n  prefix p;\n}\n", 0);
	/* a short header in a long file */
	t_write_module(dir, "short-head.yang", "module short-head { namespace urn:t:short; prefix s;",
	    0, "\n", 20000);
	/* a file over the 4 MB bound is no module, however early its header */
	t_write_module(dir, "huge.yang", "module huge { namespace urn:t:huge; prefix h;", 0, "\n",
	    4 * 1024 * 1024);
	if ((b = nacm_schema_builtin(dir, err, sizeof(err))) == NULL) {
		CHECK(0, "nacm_schema_builtin: %s", err);
		return;
	}
	CHECK(b->module_ns(b->arg, "long-head") == NULL,
	    "a namespace after 5,000 bytes of comment is past what is read: no module");
	ns = b->module_ns(b->arg, "cut-ns");
	CHECK(ns == NULL, "a namespace across byte 4096 is not taken cut (%s)",
	    ns ? ns : "none");
	ns = b->module_ns(b->arg, "concat");
	CHECK(ns == NULL, "a namespace concatenated past byte 4096 is not taken in part (%s)",
	    ns ? ns : "none");
	ns = b->module_ns(b->arg, "concat-plus");
	CHECK(ns == NULL, "a \"+\" before byte 4096 with its next part after is not taken "
	    "in part (%s)", ns ? ns : "none");
	ns = b->module_ns(b->arg, "short-head");
	CHECK(ns != NULL && strcmp(ns, "urn:t:short") == 0,
	    "a long file's early namespace is read (%s)", ns ? ns : "none");
	CHECK(b->module_ns(b->arg, "huge") == NULL, "a file over 4 MB holds no module");
	nacm_schema_builtin_free(b);

	/* one by one, as ops/nacm.c adds the module set's files */
	if ((b = nacm_schema_builtin(NULL, err, sizeof(err))) == NULL) {
		CHECK(0, "nacm_schema_builtin: %s", err);
		rmdir_all(dir);
		return;
	}
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/long-head.yang", dir);
		CHECK(nacm_schema_builtin_add_module(b, "long-head", "urn:t:long", err,
		    sizeof(err)) == 0 && (ns = b->module_ns(b->arg, "long-head")) != NULL &&
		    strcmp(ns, "urn:t:long") == 0 &&
		    strcmp(b->ns_module(b->arg, "urn:t:long"), "long-head") == 0,
		    "a module given by name and namespace (the set's scan) is known, "
		    "whatever its file");
		CHECK(nacm_schema_builtin_add_module(b, "ietf-netconf", "urn:t:other", err,
		    sizeof(err)) == 0 && strcmp(b->module_ns(b->arg, "ietf-netconf"),
		    "urn:ietf:params:xml:ns:netconf:base:1.0") == 0,
		    "a module already known keeps its namespace");
		snprintf(path, sizeof(path), "%s/short-head.yang", dir);
		CHECK(nacm_schema_builtin_add_file(b, path, err, sizeof(err)) == 0 &&
		    (ns = b->module_ns(b->arg, "short-head")) != NULL &&
		    strcmp(ns, "urn:t:short") == 0, "a file's module from its first 4 kB");
		snprintf(path, sizeof(path), "%s/cut-ns.yang", dir);
		CHECK(nacm_schema_builtin_add_file(b, path, err, sizeof(err)) == 0 &&
		    b->module_ns(b->arg, "cut-ns") == NULL, "a file whose header its first 4 kB "
		    "do not settle adds no module");
		snprintf(path, sizeof(path), "%s/no-such-file.yang", dir);
		CHECK(nacm_schema_builtin_add_file(b, path, err, sizeof(err)) == 0,
		    "a file that cannot be read adds none, without an error");
	}
	nacm_schema_builtin_free(b);
	rmdir_all(dir);
}

int
main(void)
{
	t_init();
	test_defaults();
	test_fields();
	test_refused();
	test_groups_strict();
	test_prefix_scope();
	test_path_match();
	test_packed();
	test_builtin_schema();
	test_builtin_long_headers();
	t_done();
	UNIT_DONE();
}
