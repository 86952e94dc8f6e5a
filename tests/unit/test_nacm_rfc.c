/*
 * RFC 8341 Appendix A, loaded as given: the groups of A.1, and the
 * rule-lists of A.2 (module rules), A.3 (protocol operation rules), A.4
 * (data node rules) and A.5 (notification rules), each as the appendix
 * writes it (white space, comments and all), together with A.1's groups
 * since they name them.  Each case the appendix describes is checked.
 * Alone, A.2-A.5 name groups they do not configure: refused under
 * NACM_STRICT unless the host has such groups, accepted when loading.
 */
#include <stdio.h>

#include "nacm_test.h"
#include "unit.h"

#define A1_GROUPS \
"     <groups>\n" \
"       <group>\n" \
"         <name>admin</name>\n" \
"         <user-name>admin</user-name>\n" \
"         <user-name>andy</user-name>\n" \
"       </group>\n" \
"\n" \
"       <group>\n" \
"         <name>limited</name>\n" \
"         <user-name>wilma</user-name>\n" \
"         <user-name>bam-bam</user-name>\n" \
"       </group>\n" \
"\n" \
"       <group>\n" \
"         <name>guest</name>\n" \
"         <user-name>guest</user-name>\n" \
"         <user-name>guest@example.com</user-name>\n" \
"       </group>\n" \
"     </groups>\n"

#define A2_RULES \
"     <rule-list>\n" \
"       <name>guest-acl</name>\n" \
"       <group>guest</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>deny-ncm</name>\n" \
"         <module-name>ietf-netconf-monitoring</module-name>\n" \
"         <access-operations>*</access-operations>\n" \
"         <action>deny</action>\n" \
"         <comment>\n" \
"             Do not allow guests any access to the NETCONF\n" \
"             monitoring information.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n" \
"\n" \
"     <rule-list>\n" \
"       <name>limited-acl</name>\n" \
"       <group>limited</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>permit-ncm</name>\n" \
"         <module-name>ietf-netconf-monitoring</module-name>\n" \
"         <access-operations>read</access-operations>\n" \
"         <action>permit</action>\n" \
"         <comment>\n" \
"             Allow read access to the NETCONF\n" \
"             monitoring information.\n" \
"         </comment>\n" \
"       </rule>\n" \
"       <rule>\n" \
"         <name>permit-exec</name>\n" \
"         <module-name>*</module-name>\n" \
"         <access-operations>exec</access-operations>\n" \
"         <action>permit</action>\n" \
"         <comment>\n" \
"             Allow invocation of the\n" \
"             supported server operations.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n" \
"\n" \
"     <rule-list>\n" \
"       <name>admin-acl</name>\n" \
"       <group>admin</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>permit-all</name>\n" \
"         <module-name>*</module-name>\n" \
"         <access-operations>*</access-operations>\n" \
"         <action>permit</action>\n" \
"         <comment>\n" \
"             Allow the 'admin' group complete access to\n" \
"             all operations and data.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n"

#define A3_RULES \
"     <rule-list>\n" \
"       <name>guest-limited-acl</name>\n" \
"       <group>limited</group>\n" \
"       <group>guest</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>deny-kill-session</name>\n" \
"         <module-name>ietf-netconf</module-name>\n" \
"         <rpc-name>kill-session</rpc-name>\n" \
"         <access-operations>exec</access-operations>\n" \
"         <action>deny</action>\n" \
"         <comment>\n" \
"           Do not allow the 'limited' group or the 'guest' group\n" \
"           to kill another session.\n" \
"         </comment>\n" \
"       </rule>\n" \
"       <rule>\n" \
"         <name>deny-delete-config</name>\n" \
"         <module-name>ietf-netconf</module-name>\n" \
"         <rpc-name>delete-config</rpc-name>\n" \
"         <access-operations>exec</access-operations>\n" \
"         <action>deny</action>\n" \
"         <comment>\n" \
"           Do not allow the 'limited' group or the 'guest' group\n" \
"           to delete any configurations.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n" \
"\n" \
"     <rule-list>\n" \
"       <name>limited-acl</name>\n" \
"       <group>limited</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>permit-edit-config</name>\n" \
"         <module-name>ietf-netconf</module-name>\n" \
"         <rpc-name>edit-config</rpc-name>\n" \
"         <access-operations>exec</access-operations>\n" \
"         <action>permit</action>\n" \
"         <comment>\n" \
"           Allow the 'limited' group to edit the configuration.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n"

#define A4_RULES \
"     <rule-list>\n" \
"       <name>guest-acl</name>\n" \
"       <group>guest</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>deny-nacm</name>\n" \
"         <path xmlns:n=\"urn:ietf:params:xml:ns:yang:ietf-netconf-acm\">\n" \
"           /n:nacm\n" \
"         </path>\n" \
"         <access-operations>*</access-operations>\n" \
"         <action>deny</action>\n" \
"         <comment>\n" \
"           Deny the 'guest' group any access to the /nacm data.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n" \
"\n" \
"     <rule-list>\n" \
"       <name>limited-acl</name>\n" \
"       <group>limited</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>permit-acme-config</name>\n" \
"         <path xmlns:acme=\"http://example.com/ns/netconf\">\n" \
"           /acme:acme-netconf/acme:config-parameters\n" \
"         </path>\n" \
"         <access-operations>\n" \
"           read create update delete\n" \
"         </access-operations>\n" \
"         <action>permit</action>\n" \
"         <comment>\n" \
"           Allow the 'limited' group complete access to the acme\n" \
"           NETCONF configuration parameters.  Showing long form\n" \
"           of 'access-operations' instead of shorthand.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n" \
"\n" \
"     <rule-list>\n" \
"       <name>guest-limited-acl</name>\n" \
"       <group>guest</group>\n" \
"       <group>limited</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>permit-dummy-interface</name>\n" \
"         <path xmlns:acme=\"http://example.com/ns/itf\">\n" \
"           /acme:interfaces/acme:interface[acme:name='dummy']\n" \
"         </path>\n" \
"         <access-operations>read update</access-operations>\n" \
"         <action>permit</action>\n" \
"         <comment>\n" \
"           Allow the 'limited' and 'guest' groups read\n" \
"           and update access to the dummy interface.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n" \
"\n" \
"     <rule-list>\n" \
"       <name>admin-acl</name>\n" \
"       <group>admin</group>\n" \
"       <rule>\n" \
"         <name>permit-interface</name>\n" \
"         <path xmlns:acme=\"http://example.com/ns/itf\">\n" \
"           /acme:interfaces/acme:interface\n" \
"         </path>\n" \
"         <access-operations>*</access-operations>\n" \
"         <action>permit</action>\n" \
"         <comment>\n" \
"           Allow the 'admin' group full access to all acme interfaces.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n"

#define A5_RULES \
"     <rule-list>\n" \
"       <name>sys-acl</name>\n" \
"       <group>limited</group>\n" \
"       <group>guest</group>\n" \
"\n" \
"       <rule>\n" \
"         <name>deny-config-change</name>\n" \
"         <module-name>acme-system</module-name>\n" \
"         <notification-name>sys-config-change</notification-name>\n" \
"         <access-operations>read</access-operations>\n" \
"         <action>deny</action>\n" \
"         <comment>\n" \
"           Do not allow the 'guest' group or the 'limited' group\n" \
"           to receive config change events.\n" \
"         </comment>\n" \
"       </rule>\n" \
"     </rule-list>\n"

#define NACM(body)	"   <nacm xmlns=\"urn:ietf:params:xml:ns:yang:ietf-netconf-acm\">\n" \
			body "   </nacm>\n"

static struct nacm_session *
user(const struct nacm_config *c, const char *name)
{
	return t_sess(c, name, (const char *const[]){ "users", NULL }, 0);
}

static void
test_a1(void)
{
	struct nacm_config *c = t_cfg(NACM(A1_GROUPS));
	struct nacm_session *s;

	CHECK(c->ngroup == 3 && c->group[2].nuser == 2 &&
	    strcmp(c->group[2].user[1], "guest@example.com") == 0, "A.1: three groups as given");
	s = user(c, "bam-bam");
	CHECK(s->ngroup == 2 && strcmp(s->group[0], "limited") == 0,
	    "A.1: bam-bam is in limited (and its external group)");
	nacm_session_free(s);
	s = user(c, "guest@example.com");
	CHECK(s->ngroup == 2 && strcmp(s->group[0], "guest") == 0,
	    "A.1: guest@example.com is in guest");
	nacm_session_free(s);
	nacm_config_free(c);
}

/* A host without the appendix's groups. */
static int
no_host_group(const char *g)
{
	(void)g;
	return 0;
}

/* A.x alone names groups it does not configure. */
static void
alone(const char *xml, const char *what)
{
	char err[512] = "";
	struct nacm_config *c = t_cfg_flags(xml, NACM_STRICT, no_host_group, err, sizeof(err));

	CHECK(c == NULL && strstr(err, "unknown group") != NULL,
	    "%s alone under NACM_STRICT: %s", what, err);
	nacm_config_free(c);
	c = t_cfg_flags(xml, 0, NULL, err, sizeof(err));
	CHECK(c != NULL, "%s alone, loading: accepted", what);
	nacm_config_free(c);
}

static void
test_a2(void)
{
	struct nacm_config *c = t_cfg(NACM(A1_GROUPS A2_RULES));
	struct nacm_session *guest = user(c, "guest"), *wilma = user(c, "wilma");
	struct nacm_session *andy = user(c, "andy");
	xmlDocPtr d = t_doc(T_CFG("<netconf-state xmlns='urn:ietf:params:xml:ns:yang:"
	    "ietf-netconf-monitoring'><sessions><session><session-id>1</session-id></session>"
	    "</sessions></netconf-state><top xmlns='urn:t'><a>1</a></top>"
	    "<nacm xmlns='" NACM_NS "'><enable-nacm>true</enable-nacm></nacm>"));
	xmlNodePtr ncm = t_find(d, "netconf-state/sessions", 0), a = t_find(d, "top/a", 0);
	xmlNodePtr nacm = t_find(d, "nacm", 0);

	alone(NACM(A2_RULES), "A.2");
	CHECK(!nacm_data_allowed(guest, ncm, NACM_READ) &&
	    !nacm_rpc_allowed(guest, "ietf-netconf-monitoring", "get-schema"),
	    "A.2 deny-ncm: guest neither reads nor executes ietf-netconf-monitoring");
	CHECK(nacm_data_allowed(guest, a, NACM_READ) && nacm_rpc_allowed(guest, "ietf-netconf", "get"),
	    "A.2: guest reads and executes the rest (the defaults)");
	CHECK(nacm_data_allowed(wilma, ncm, NACM_READ) && !nacm_data_allowed(wilma, ncm, NACM_UPDATE),
	    "A.2 permit-ncm: limited reads monitoring information, nothing more");
	CHECK(nacm_rpc_allowed(wilma, "ietf-netconf", "kill-session") &&
	    nacm_rpc_allowed(wilma, "ietf-netconf-monitoring", "get-schema"),
	    "A.2 permit-exec: limited invokes every protocol operation");
	CHECK(nacm_read_all(andy) && nacm_data_allowed(andy, nacm, NACM_UPDATE) &&
	    nacm_data_allowed(andy, ncm, NACM_DELETE) &&
	    nacm_rpc_allowed(andy, "ietf-netconf", "delete-config"),
	    "A.2 permit-all: admin has complete access, /nacm included");
	nacm_session_free(guest);
	nacm_session_free(wilma);
	nacm_session_free(andy);
	nacm_config_free(c);
	xmlFreeDoc(d);
}

static void
test_a3(void)
{
	struct nacm_config *c = t_cfg(NACM(A1_GROUPS A3_RULES));
	struct nacm_session *guest = user(c, "guest"), *wilma = user(c, "bam-bam");

	alone(NACM(A3_RULES), "A.3");
	CHECK(!nacm_rpc_allowed(guest, "ietf-netconf", "kill-session") &&
	    !nacm_rpc_allowed(wilma, "ietf-netconf", "kill-session"),
	    "A.3 deny-kill-session: limited and guest");
	CHECK(!nacm_rpc_allowed(guest, "ietf-netconf", "delete-config") &&
	    !nacm_rpc_allowed(wilma, "ietf-netconf", "delete-config"),
	    "A.3 deny-delete-config: limited and guest");
	CHECK(nacm_rpc_allowed(wilma, "ietf-netconf", "edit-config") &&
	    nacm_rpc_allowed(guest, "ietf-netconf", "edit-config"),
	    "A.3 permit-edit-config has no effect while exec-default is permit");
	nacm_session_free(guest);
	nacm_session_free(wilma);
	nacm_config_free(c);
	c = t_cfg(NACM("<exec-default>deny</exec-default>" A1_GROUPS A3_RULES));
	guest = user(c, "guest");
	wilma = user(c, "wilma");
	CHECK(nacm_rpc_allowed(wilma, "ietf-netconf", "edit-config") &&
	    !nacm_rpc_allowed(guest, "ietf-netconf", "edit-config"),
	    "A.3 with exec-default deny: limited may edit-config, guest may not");
	nacm_session_free(guest);
	nacm_session_free(wilma);
	nacm_config_free(c);
}

static const char a4_data[] = T_CFG(
    "<nacm xmlns='" NACM_NS "'><enable-nacm>true</enable-nacm></nacm>"
    "<acme-netconf xmlns='http://example.com/ns/netconf'><config-parameters><parameter>"
    "<name>a</name><value>72</value></parameter></config-parameters><other>o</other></acme-netconf>"
    "<interfaces xmlns='http://example.com/ns/itf'><interface><name>dummy</name><mtu>1500</mtu>"
    "</interface><interface><name>x</name><mtu>9000</mtu></interface></interfaces>");

static void
test_a4(void)
{
	struct nacm_config *c = t_cfg(NACM(A1_GROUPS A4_RULES));
	struct nacm_session *guest = user(c, "guest"), *wilma = user(c, "wilma");
	struct nacm_session *andy = user(c, "andy");
	xmlDocPtr d = t_doc(a4_data);
	xmlNodePtr nacm = t_find(d, "nacm", 0), cp = t_find(d, "acme-netconf/config-parameters", 0);
	xmlNodePtr param = t_find(d, "acme-netconf/config-parameters/parameter=a/value", 0);
	xmlNodePtr dummy = t_find(d, "interfaces/interface=dummy", 0);
	xmlNodePtr x = t_find(d, "interfaces/interface=x", 0);
	struct nacm_denial den;

	alone(NACM(A4_RULES), "A.4");
	CHECK(strcmp(c->list[2].rule[0].path_text,
	    "/acme:interfaces/acme:interface[acme:name='dummy']") == 0 &&
	    c->list[1].rule[0].ops == (NACM_READ | NACM_CREATE | NACM_UPDATE | NACM_DELETE),
	    "A.4: paths and access-operations spread over lines are read");
	CHECK(!t_write(guest, nacm, NACM_UPDATE, &den) && t_streq(den.rule, "deny-nacm") &&
	    !t_pruned_has(guest, d, NACM_NS), "A.4 deny-nacm: guest has no access to /nacm");
	nacm_denial_clear(&den);
	CHECK(nacm_data_allowed(wilma, cp, NACM_READ) && t_write(wilma, cp, NACM_CREATE, NULL) &&
	    t_write(wilma, param, NACM_UPDATE, NULL) && t_write(wilma, cp, NACM_DELETE, NULL),
	    "A.4 permit-acme-config: limited reads, creates, updates, deletes config-parameters");
	CHECK(!t_write(wilma, t_find(d, "acme-netconf/other", 0), NACM_UPDATE, NULL) &&
	    !t_write(guest, param, NACM_UPDATE, NULL) && nacm_data_allowed(guest, param, NACM_READ),
	    "A.4: but not the rest of acme-netconf; guest may only read them (read-default)");
	CHECK(t_write(wilma, dummy, NACM_UPDATE, NULL) && t_write(guest, t_elem(dummy, "mtu"),
	    NACM_UPDATE, NULL) && nacm_data_allowed(guest, dummy, NACM_READ),
	    "A.4 permit-dummy-interface: limited and guest read and update dummy");
	CHECK(!t_write(wilma, dummy, NACM_CREATE, NULL) && !t_write(guest, dummy, NACM_DELETE, NULL),
	    "A.4: dummy cannot be created or deleted by them");
	CHECK(!t_write(wilma, x, NACM_UPDATE, &den) &&
	    t_streq(den.path, "/acme-itf:interfaces/acme-itf:interface[acme-itf:name='x']") &&
	    den.rule == NULL, "A.4: nor may they update another interface: %s", T_S(den.path));
	nacm_denial_clear(&den);
	CHECK(t_write(andy, x, NACM_CREATE, NULL) && t_write(andy, dummy, NACM_DELETE, NULL) &&
	    t_write(andy, t_elem(x, "mtu"), NACM_UPDATE, NULL),
	    "A.4 permit-interface: admin creates, deletes, updates every interface");
	CHECK(!nacm_data_allowed(andy, nacm, NACM_READ) && !t_write(andy, cp, NACM_UPDATE, NULL),
	    "A.4 alone gives admin nothing else: /nacm is default-deny-all, writes default deny");
	nacm_session_free(guest);
	nacm_session_free(wilma);
	nacm_session_free(andy);
	nacm_config_free(c);
	xmlFreeDoc(d);
}

static void
test_a5(void)
{
	struct nacm_config *c = t_cfg(NACM(A1_GROUPS A5_RULES));
	struct nacm_session *guest = user(c, "guest"), *wilma = user(c, "wilma");
	struct nacm_session *andy = user(c, "admin");

	alone(NACM(A5_RULES), "A.5");
	CHECK(!nacm_notification_allowed(guest, "acme-system", "sys-config-change") &&
	    !nacm_notification_allowed(wilma, "acme-system", "sys-config-change"),
	    "A.5 deny-config-change: limited and guest do not receive sys-config-change");
	CHECK(nacm_notification_allowed(guest, "acme-system", "sys-other") &&
	    nacm_notification_allowed(andy, "acme-system", "sys-config-change"),
	    "A.5: other events, and admin, are not affected");
	nacm_session_free(guest);
	nacm_session_free(wilma);
	nacm_session_free(andy);
	nacm_config_free(c);
}

int
main(void)
{
	t_init();
	test_a1();
	test_a2();
	test_a3();
	test_a4();
	test_a5();
	t_done();
	UNIT_DONE();
}
