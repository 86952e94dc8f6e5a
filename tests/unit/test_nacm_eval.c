/*
 * Unit tests of NACM evaluation (subsystem/access/): rule order (first
 * matching rule of the first matching rule-list), groups (configured,
 * external, none), module-name and access-operations, the special cases
 * of RFC 8341 3.4/3.7 (close-session, kill-session and delete-config,
 * recovery, enable-nacm false, the nacm subtree and the other
 * default-deny nodes), notifications, counters, read masks (keys of kept
 * ancestors, packed lists) and write checks (error-path, unreadable
 * descendants).
 */
#include <stdio.h>

#include "nacm_test.h"
#include "unit.h"

#define NACM_OPEN	"<nacm xmlns=\"" NACM_NS "\">"
#define T_G		((const char *const[]){ "g", NULL })
#define T_NONE		((const char *const[]){ NULL })

static const char order_cfg[] = NACM_OPEN
    "<groups><group><name>ga</name><user-name>alice</user-name></group>"
    "<group><name>gb</name><user-name>bob</user-name><user-name>alice</user-name></group></groups>"
    "<rule-list><name>L1</name><group>ga</group>"
    "<rule><name>r1</name><module-name>test</module-name><path xmlns:t='urn:t'>/t:top/t:a</path>"
    "<access-operations>read</access-operations><action>deny</action></rule>"
    "<rule><name>r2</name><module-name>*</module-name><access-operations>read</access-operations>"
    "<action>permit</action></rule></rule-list>"
    "<rule-list><name>L2</name><group>gb</group>"
    "<rule><name>r3</name><path xmlns:t='urn:t'>/t:top/t:a</path>"
    "<access-operations>read</access-operations><action>permit</action></rule>"
    "<rule><name>r4</name><path xmlns:t='urn:t'>/t:top/t:b</path><action>deny</action></rule>"
    "<rule><name>r5</name><module-name>other</module-name><access-operations>read update"
    "</access-operations><action>deny</action></rule>"
    "</rule-list></nacm>";

static const char order_data[] = T_CFG("<top xmlns='urn:t'><a>1</a><b>2</b><c>3</c></top>"
    "<top xmlns='urn:o'><a>1</a></top>");

static void
test_order(void)
{
	struct nacm_config *c = t_cfg(order_cfg);
	struct nacm_session *alice = t_sess(c, "alice", T_NONE, 0);
	struct nacm_session *bob = t_sess(c, "bob", T_NONE, 0);
	struct nacm_session *carol = t_sess(c, "carol", T_NONE, 0);
	xmlDocPtr d = t_doc(order_data);
	xmlNodePtr a = t_find(d, "top/a", 0), b = t_find(d, "top/b", 0), cc = t_find(d, "top/c", 0);
	xmlNodePtr oa = xmlDocGetRootElement(d)->last->children;
	struct nacm_denial den;

	CHECK(!nacm_data_allowed(alice, a, NACM_READ),
	    "alice (ga, gb): r1 of the first rule-list denies /top/a before L2's r3 permits it");
	CHECK(nacm_data_allowed(alice, b, NACM_READ),
	    "alice: r2 (module \"*\") in L1 permits /top/b before L2's r4 denies it");
	CHECK(nacm_data_allowed(bob, a, NACM_READ) && !nacm_data_allowed(bob, b, NACM_READ) &&
	    nacm_data_allowed(bob, cc, NACM_READ), "bob (gb only): r3 permits a, r4 denies b, c default");
	CHECK(!t_write(bob, b, NACM_UPDATE, &den) && den.rule != NULL &&
	    t_streq(den.rule, "r4"), "access-operations \"*\" (r4) covers update");
	nacm_denial_clear(&den);
	CHECK(!t_write(bob, a, NACM_UPDATE, &den) && den.rule == NULL,
	    "r3 is read only: an update of a falls to write-default deny");
	nacm_denial_clear(&den);
	CHECK(!nacm_data_allowed(bob, oa, NACM_READ) && nacm_data_allowed(bob, cc, NACM_READ),
	    "module-name \"other\" matches nodes of its namespace only");
	CHECK(nacm_data_allowed(carol, a, NACM_READ) && nacm_data_allowed(carol, b, NACM_READ) &&
	    nacm_data_allowed(carol, oa, NACM_READ), "carol (no group): the defaults");
	{
		struct nacm_mask *m = (struct nacm_mask *)1;

		CHECK(!nacm_read_all(carol) && nacm_read_mask(carol, xmlDocGetRootElement(d), &m) == 0 &&
		    m == NULL, "the defaults: not everything is readable (/nacm is not), "
		    "but nothing of this data is masked");
	}
	nacm_session_free(alice);
	nacm_session_free(bob);
	nacm_session_free(carol);
	nacm_config_free(c);

	/* the rule-lists swapped: L2 first */
	{
		char swapped[sizeof(order_cfg)];
		const char *l1 = strstr(order_cfg, "<rule-list><name>L1"),
		    *l2 = strstr(order_cfg, "<rule-list><name>L2"), *end = strstr(order_cfg, "</nacm>");

		snprintf(swapped, sizeof(swapped), "%.*s%.*s%.*s%s", (int)(l1 - order_cfg), order_cfg,
		    (int)(end - l2), l2, (int)(l2 - l1), l1, end);
		c = t_cfg(swapped);
		alice = t_sess(c, "alice", T_NONE, 0);
		CHECK(nacm_data_allowed(alice, a, NACM_READ) && !nacm_data_allowed(alice, b, NACM_READ),
		    "rule-lists swapped: L2's rules now decide for alice");
		nacm_session_free(alice);
		nacm_config_free(c);
	}
	xmlFreeDoc(d);
}

static void
test_rpc(void)
{
	struct nacm_config *c = t_cfg(NACM_OPEN "<exec-default>deny</exec-default>"
	    "<rule-list><name>L</name><group>*</group><rule><name>no-rpc</name>"
	    "<rpc-name>*</rpc-name><access-operations>exec</access-operations><action>deny</action>"
	    "</rule></rule-list></nacm>");
	struct nacm_session *s = t_sess(c, "u", T_G, 0), *none = t_sess(c, "u", T_NONE, 0);
	struct nacm_counters before, after;

	nacm_counters_get(&before);
	CHECK(nacm_rpc_allowed(s, "ietf-netconf", "close-session"),
	    "close-session is permitted even when every rpc is denied");
	CHECK(!nacm_rpc_allowed(s, "ietf-netconf", "get") && !nacm_rpc_allowed(s, "x", "y"),
	    "rpc-name \"*\" denies the others");
	CHECK(!nacm_rpc_allowed(none, "ietf-netconf", "get"),
	    "a user without groups gets exec-default (deny), not the \"*\" rule-list");
	nacm_counters_get(&after);
	CHECK(after.denied_operations == before.denied_operations + 3,
	    "denied-operations counted each denial (%u -> %u)", before.denied_operations,
	    after.denied_operations);
	nacm_session_free(s);
	nacm_session_free(none);
	nacm_config_free(c);

	c = t_cfg(NACM_OPEN "<rule-list><name>L</name><group>*</group><rule><name>get-only</name>"
	    "<module-name>ietf-netconf</module-name><rpc-name>get</rpc-name>"
	    "<access-operations>exec</access-operations><action>deny</action></rule></rule-list></nacm>");
	s = t_sess(c, "u", T_G, 0);
	none = t_sess(c, "u", T_NONE, 0);
	CHECK(!nacm_rpc_allowed(s, "ietf-netconf", "get") && nacm_rpc_allowed(none, "ietf-netconf", "get"),
	    "a rule of a rule-list for \"*\" applies to a user with a group only");
	CHECK(nacm_rpc_allowed(s, "other", "get") && nacm_rpc_allowed(s, NULL, "get"),
	    "module-name ietf-netconf does not match another or an unknown module");
	CHECK(!nacm_rpc_allowed(s, "ietf-netconf", "kill-session") &&
	    !nacm_rpc_allowed(s, "ietf-netconf", "delete-config") &&
	    nacm_rpc_allowed(s, "ietf-netconf", "edit-config"),
	    "kill-session and delete-config are denied by default, exec-default permit or not");
	CHECK(!nacm_rpc_allowed(s, "ietf-system", "system-restart") &&
	    nacm_rpc_allowed(s, "ietf-system", "system-other"),
	    "default-deny-all on an rpc (ietf-system system-restart)");
	nacm_session_free(s);
	nacm_session_free(none);
	{
		struct nacm_user u = { "u", T_G, 1, 0 };
		struct nacm_schema bare = { NULL, NULL, NULL, NULL, NULL };

		s = nacm_session_new(c, &u, &bare);
		CHECK(!nacm_rpc_allowed(s, "ietf-netconf", "kill-session") &&
		    !nacm_rpc_allowed(s, "ietf-netconf", "delete-config") &&
		    nacm_rpc_allowed(s, "ietf-system", "system-restart"),
		    "without any schema extension, kill-session and delete-config stay denied");
		nacm_session_free(s);
	}
	s = t_sess(c, "root", T_G, 1);
	CHECK(nacm_rpc_allowed(s, "ietf-netconf", "kill-session") &&
	    nacm_rpc_allowed(s, "ietf-netconf", "get") && nacm_bypassed(s),
	    "a recovery session bypasses NACM");
	nacm_session_free(s);
	nacm_config_free(c);

	c = t_cfg(NACM_OPEN "<rule-list><name>L</name><group>g</group><rule><name>ks</name>"
	    "<rpc-name>kill-session</rpc-name><access-operations>exec</access-operations>"
	    "<action>permit</action></rule></rule-list></nacm>");
	s = t_sess(c, "u", T_G, 0);
	CHECK(nacm_rpc_allowed(s, "ietf-netconf", "kill-session") &&
	    !nacm_rpc_allowed(s, "ietf-netconf", "delete-config"),
	    "an explicit rule permits kill-session");
	nacm_session_free(s);
	nacm_config_free(c);

	c = t_cfg(NACM_OPEN "<enable-nacm>false</enable-nacm><exec-default>deny</exec-default></nacm>");
	s = t_sess(c, "u", T_G, 0);
	CHECK(nacm_rpc_allowed(s, "ietf-netconf", "kill-session") &&
	    nacm_rpc_allowed(s, "ietf-netconf", "get") && nacm_read_all(s),
	    "enable-nacm false permits everything");
	nacm_session_free(s);
	nacm_config_free(c);
}

static void
test_notifications(void)
{
	struct nacm_config *c = t_cfg(NACM_OPEN "<read-default>deny</read-default>"
	    "<rule-list><name>L</name><group>g</group>"
	    "<rule><name>n1</name><module-name>m</module-name><notification-name>bad</notification-name>"
	    "<access-operations>read</access-operations><action>deny</action></rule>"
	    "<rule><name>n2</name><module-name>m</module-name><access-operations>read</access-operations>"
	    "<action>permit</action></rule></rule-list></nacm>");
	struct nacm_session *s = t_sess(c, "u", T_G, 0);
	struct nacm_counters before, after;

	nacm_counters_get(&before);
	CHECK(!nacm_notification_allowed(s, "m", "bad") && nacm_notification_allowed(s, "m", "good"),
	    "notification-name rule, then the module rule");
	CHECK(!nacm_notification_allowed(s, "other", "x"), "read-default deny drops the others");
	CHECK(nacm_notification_allowed(s, "nc-notifications", "replayComplete") &&
	    nacm_notification_allowed(s, "nc-notifications", "notificationComplete"),
	    "replayComplete and notificationComplete are always sent");
	nacm_counters_get(&after);
	CHECK(after.denied_notifications == before.denied_notifications + 2,
	    "denied-notifications counted twice");
	nacm_session_free(s);
	nacm_config_free(c);
}

static const char nacm_data[] = T_CFG(NACM_OPEN "<enable-nacm>true</enable-nacm>"
    "<groups><group><name>g</name><user-name>u</user-name></group></groups></nacm>"
    "<top xmlns='urn:t'><a>1</a></top>");

static void
test_nacm_subtree(void)
{
	xmlDocPtr d = t_doc(nacm_data);
	xmlNodePtr nacm = t_find(d, "nacm", 0), en = t_find(d, "nacm/enable-nacm", 0);
	struct nacm_config *c = t_cfg(NACM_OPEN "<write-default>permit</write-default></nacm>");
	struct nacm_session *s = t_sess(c, "u", T_G, 0);
	struct nacm_mask *m = NULL;
	struct nacm_denial den;

	CHECK(!nacm_read_all(s) && nacm_read_mask(s, xmlDocGetRootElement(d), &m) == 0 &&
	    nacm_mask_count(m) == 1 && nacm_mask_has(m, nacm) && !nacm_mask_has(m, t_find(d, "top", 0)),
	    "the defaults hide /nacm (default-deny-all) and nothing else");
	nacm_mask_free(m);
	m = NULL;
	CHECK(!t_write(s, en, NACM_UPDATE, &den) && den.rule == NULL &&
	    t_streq(den.path, "/ietf-netconf-acm:nacm/ietf-netconf-acm:enable-nacm") &&
	    den.nns == 1 && t_streq(den.ns[0].ns, NACM_NS),
	    "write-default permit or not, /nacm is not writable: %s", T_S(den.path));
	nacm_denial_clear(&den);
	CHECK(t_write(s, t_find(d, "top/a", 0), NACM_UPDATE, NULL), "while /top is");
	nacm_session_free(s);
	nacm_config_free(c);

	c = t_cfg(NACM_OPEN "<rule-list><name>L</name><group>g</group><rule><name>see-nacm</name>"
	    "<path xmlns:n='" NACM_NS "'>/n:nacm</path><access-operations>read</access-operations>"
	    "<action>permit</action></rule></rule-list></nacm>");
	s = t_sess(c, "u", T_G, 0);
	CHECK(nacm_read_mask(s, xmlDocGetRootElement(d), &m) == 0 && m == NULL &&
	    !t_write(s, en, NACM_UPDATE, NULL), "a read rule opens /nacm for reading only");
	nacm_session_free(s);
	s = t_sess(c, "root", T_NONE, 1);
	CHECK(nacm_read_all(s) && t_write(s, en, NACM_UPDATE, NULL),
	    "a recovery session reads and writes /nacm");
	nacm_session_free(s);
	nacm_config_free(c);
	xmlFreeDoc(d);
}

static void
test_system_exts(void)
{
	xmlDocPtr d = t_doc(T_CFG("<system xmlns='urn:ietf:params:xml:ns:yang:ietf-system'>"
	    "<hostname>h</hostname><authentication><user><name>x</name></user></authentication>"
	    "<radius><server><name>s</name><udp><address>a.example</address>"
	    "<shared-secret>S3CR3T</shared-secret></udp></server></radius></system>"));
	struct nacm_config *c = t_cfg(NACM_OPEN "<write-default>permit</write-default></nacm>");
	struct nacm_session *s = t_sess(c, "u", T_G, 0);
	xmlNodePtr user = t_find(d, "system/authentication/user", 0);

	CHECK(nacm_data_allowed(s, user, NACM_READ) && !t_write(s, user, NACM_DELETE, NULL) &&
	    t_write(s, t_find(d, "system/hostname", 0), NACM_UPDATE, NULL),
	    "default-deny-write: /system/authentication readable, not writable");
	CHECK(!t_pruned_has(s, d, "S3CR3T") && t_pruned_has(s, d, "a.example"),
	    "default-deny-all: the RADIUS shared secret is left out of a read");
	nacm_session_free(s);
	nacm_config_free(c);
	xmlFreeDoc(d);
}

#define ITEMS	"<item><name>i1</name><cfg><alpha>A1</alpha><beta>B1</beta></cfg></item>" \
		"<item><name>i2</name><cfg><alpha>A2</alpha><beta>B2</beta></cfg></item>" \
		"<item><name>i3</name><cfg><alpha>A3</alpha><beta>B3</beta></cfg></item>"
#define LIST_DATA T_CFG("<top xmlns='urn:t'><o xmlns='urn:o'/>" ITEMS "</top>")

/* A session of user u in g under a config of one rule-list for g. */
static struct nacm_session *
one_list(struct nacm_config **c, const char *defaults, const char *rules)
{
	char xml[2048];

	snprintf(xml, sizeof(xml), NACM_OPEN "%s<rule-list><name>L</name><group>g</group>%s"
	    "</rule-list></nacm>", defaults, rules);
	*c = t_cfg(xml);
	return t_sess(*c, "u", T_G, 0);
}

static void
test_read_mask(void)
{
	xmlDocPtr d = t_packed_doc(LIST_DATA);
	xmlNodePtr root = xmlDocGetRootElement(d), i2 = t_find(d, "top/item=i2", 0);
	struct nacm_config *c;
	struct nacm_session *s;
	struct nacm_mask *m = NULL;

	s = one_list(&c, "", "<rule><name>R</name><path xmlns:t='urn:t'>/t:top/t:item[t:name='i2']"
	    "</path><access-operations>read</access-operations><action>deny</action></rule>");
	CHECK(nacm_read_mask(s, root, &m) == 0 && nacm_mask_count(m) == 1 && nacm_mask_has(m, i2),
	    "a denied entry is the one masked node");
	CHECK(packed_is(i2) && packed_is(t_find(d, "top/item=i1", 0)), "entries stay packed");
	nacm_mask_free(m);
	m = NULL;
	CHECK(!t_pruned_has(s, d, "i2") && t_pruned_has(s, d, "B3"), "prune leaves out i2 only");
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "<read-default>deny</read-default>", "<rule><name>R</name>"
	    "<path xmlns:t='urn:t'>/t:top/t:item[t:name='i3']/t:cfg/t:alpha</path>"
	    "<access-operations>read</access-operations><action>permit</action></rule>");
	{
		xmlDocPtr cp = packed_copy_doc(d);
		char *txt;

		nacm_read_prune(s, xmlDocGetRootElement(cp));
		txt = t_ser(xmlDocGetRootElement(cp));
		CHECK(strstr(txt, "<top xmlns=\"urn:t\"><item><name>i3</name><cfg><alpha>A3</alpha>"
		    "</cfg></item></top>") != NULL && strstr(txt, "B3") == NULL &&
		    strstr(txt, "i1") == NULL && strstr(txt, "urn:o") == NULL,
		    "read-default deny: a permitted leaf comes with its ancestors and the entry's key: %s",
		    txt);
		free(txt);
		xmlFreeDoc(cp);
	}
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "", "<rule><name>R</name><path xmlns:t='urn:t'>/t:top/t:item/t:cfg/t:beta"
	    "</path><access-operations>read</access-operations><action>deny</action></rule>");
	CHECK(!t_pruned_has(s, d, "<beta>") && t_pruned_has(s, d, "A1") && t_pruned_has(s, d, "A3"),
	    "a leaf denied in every packed entry goes from each, the rest stays");
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "", "<rule><name>R</name><module-name>other</module-name>"
	    "<access-operations>read</access-operations><action>deny</action></rule>");
	CHECK(nacm_read_mask(s, root, &m) == 0 && nacm_mask_count(m) == 1 &&
	    nacm_mask_has(m, t_find(d, "top/o", 0)),
	    "a module rule finds its namespace's node below another module's");
	nacm_mask_free(m);
	m = NULL;
	nacm_session_free(s);
	nacm_config_free(c);

	/* the permit rule names no node here, but makes the walk go in */
	s = one_list(&c, "<read-default>deny</read-default>", "<rule><name>R</name>"
	    "<path xmlns:t='urn:t'>/t:top/t:item/t:cfg/t:beta</path>"
	    "<access-operations>read</access-operations><action>deny</action></rule>"
	    "<rule><name>P</name><path xmlns:t='urn:t'>/t:top/t:item/t:cfg/t:none</path>"
	    "<access-operations>read</access-operations><action>permit</action></rule>");
	CHECK(nacm_read_mask(s, root, &m) == 0 && nacm_mask_count(m) == 1 &&
	    nacm_mask_has(m, t_find(d, "top", 0)),
	    "a subtree denied through and through is one mask, its root");
	nacm_mask_free(m);
	m = NULL;
	CHECK(!t_pruned_has(s, d, "top"), "and prunes to nothing");
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "<read-default>deny</read-default>", "");
	CHECK(nacm_read_mask(s, root, &m) == 0 && nacm_mask_count(m) == 1 &&
	    nacm_mask_has(m, t_find(d, "top", 0)), "read-default deny without rules: all of it");
	nacm_mask_free(m);
	m = NULL;
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "", "<rule><name>R</name><access-operations>read</access-operations>"
	    "<action>permit</action></rule>");
	CHECK(nacm_read_all(s) && nacm_read_mask(s, root, &m) == 0 && m == NULL,
	    "a permit-all read rule: everything readable, no mask");
	nacm_session_free(s);
	nacm_config_free(c);
	xmlFreeDoc(d);
}

/*
 * nacm_top_read (ops/config_tops.c sends readable top-level nodes whole):
 * 1 readable whole, 0 hidden whole, -1 undecidable without the node.
 */
static void
test_top_read(void)
{
	static const char sys_ns[] = "urn:ietf:params:xml:ns:yang:ietf-system";
	struct nacm_config *c;
	struct nacm_session *s;

	s = one_list(&c, "", "");
	CHECK(nacm_top_read(s, NACM_NS, "nacm", 1) == 0,
	    "no rules: /nacm is hidden whole (default-deny-all)");
	CHECK(nacm_top_read(s, "urn:t", "top", 1) == 1 && nacm_top_read(s, "urn:t", "top", 0) == 1,
	    "no rules: another top-level node is readable whole, of one namespace or not");
	CHECK(nacm_top_read(s, sys_ns, "system", 1) == -1,
	    "a default-deny-all node inside (/system/radius/.../shared-secret): undecidable");
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "", "<rule><name>R</name><module-name>other</module-name>"
	    "<access-operations>read</access-operations><action>deny</action></rule>");
	CHECK(nacm_top_read(s, "urn:o", "x", 1) == 0,
	    "a module denied: its top-level node of its namespace alone is hidden whole");
	CHECK(nacm_top_read(s, "urn:o", "x", 0) == -1,
	    "a module denied: its top-level node holding other namespaces is undecidable");
	CHECK(nacm_top_read(s, "urn:t", "top", 1) == 1,
	    "a module denied: another module's node of its namespace alone is readable whole");
	CHECK(nacm_top_read(s, "urn:t", "top", 0) == -1,
	    "a module denied: another module's node holding other namespaces is undecidable");
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "", "<rule><name>R</name><path xmlns:t='urn:t'>/t:top/t:item/t:cfg/t:beta"
	    "</path><access-operations>read</access-operations><action>deny</action></rule>");
	CHECK(nacm_top_read(s, "urn:t", "top", 1) == -1,
	    "a rule on a node inside a top-level node: undecidable whole");
	CHECK(nacm_top_read(s, "urn:o", "o", 1) == 1, "and another top-level node is readable whole");
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "", "<rule><name>R</name><path xmlns:t='urn:t'>/t:top[t:name='a']"
	    "</path><access-operations>read</access-operations><action>deny</action></rule>");
	CHECK(nacm_top_read(s, "urn:t", "top", 1) == -1,
	    "a path rule naming the top-level node's keys: undecidable");
	nacm_session_free(s);
	nacm_config_free(c);

	s = one_list(&c, "", "<rule><name>R</name><path xmlns:t='urn:t'>/t:top</path>"
	    "<access-operations>read</access-operations><action>deny</action></rule>");
	CHECK(nacm_top_read(s, "urn:t", "top", 1) == 0, "a path rule denying the node itself: hidden");
	nacm_session_free(s);
	nacm_config_free(c);
}

/* Many rules into one list: found through the index of their key values. */
static void
test_many_keys(void)
{
	static const int named[] = { 3, 17, 18, 29, 31, 40 };
	char data[8192], rules[4096], want[32];
	size_t dl = 0, rl = 0;
	xmlDocPtr d;
	struct nacm_config *c;
	struct nacm_session *s;
	struct nacm_mask *m = NULL;
	int all = 1;

	dl += (size_t)snprintf(data + dl, sizeof(data) - dl, T_CFG_OPEN "<top xmlns='urn:t'><o xmlns='urn:o'/>");
	for (int i = 1; i <= 40; i++)
		dl += (size_t)snprintf(data + dl, sizeof(data) - dl,
		    "<item><name>e%d</name><v>%d</v></item>", i, i);
	snprintf(data + dl, sizeof(data) - dl, "</top></config>");
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		rl += (size_t)snprintf(rules + rl, sizeof(rules) - rl, "<rule><name>r%d</name>"
		    "<path xmlns:t='urn:t'>/t:top/t:item[t:name='e%d']</path>"
		    "<action>deny</action></rule>", named[i], named[i]);
	d = t_packed_doc(data);
	s = one_list(&c, "<write-default>permit</write-default>", rules);
	CHECK(packed_is(t_find(d, "top/item=e3", 0)), "the entries are packed");
	CHECK(nacm_read_mask(s, xmlDocGetRootElement(d), &m) == 0 && nacm_mask_count(m) == 6,
	    "six rules into a 40-entry list: six entries masked (%zu)", nacm_mask_count(m));
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		snprintf(want, sizeof(want), "top/item=e%d", named[i]);
		all &= nacm_mask_has(m, t_find(d, want, 0));
	}
	CHECK(all && !nacm_mask_has(m, t_find(d, "top/item=e4", 0)), "the ones the rules name");
	nacm_mask_free(m);
	CHECK(!t_write(s, t_find(d, "top/item=e18", 0), NACM_UPDATE, NULL) &&
	    t_write(s, t_find(d, "top/item=e19", 0), NACM_UPDATE, NULL),
	    "an entry a rule names cannot be written, its neighbour can");
	{
		struct nacm_denial den;

		CHECK(!t_write(s, t_find(d, "top", 0), NACM_DELETE, &den) &&
		    t_streq(den.path, "/test:top") && t_streq(den.rule, "r3") &&
		    den.node == t_find(d, "top/item=e3", 0),
		    "deleting the list: the first named entry is denied, the path names the list "
		    "(the entry is unreadable): %s", T_S(den.path));
		nacm_denial_clear(&den);
	}
	nacm_session_free(s);
	nacm_config_free(c);
	xmlFreeDoc(d);
}

static void
test_write(void)
{
	xmlDocPtr d = t_packed_doc(T_CFG("<top xmlns='urn:t'><o xmlns='urn:o'/>"
	    "<item><name>a</name><v>1</v></item><item><name>b</name><v>2</v></item>"
	    "<secret>s</secret></top>"));
	xmlNodePtr top = t_find(d, "top", 0), a = t_find(d, "top/item=a", 0);
	struct nacm_config *c;
	struct nacm_session *s = one_list(&c, "",
	    "<rule><name>d1</name><path xmlns:t='urn:t'>/t:top/t:item[t:name='b']/t:v</path>"
	    "<access-operations>create</access-operations><action>deny</action></rule>"
	    "<rule><name>d2</name><path xmlns:t='urn:t'>/t:top/t:secret</path><action>deny</action></rule>"
	    "<rule><name>p1</name><path xmlns:t='urn:t'>/t:top</path><action>permit</action></rule>"
	    "<rule><name>p2</name><module-name>other</module-name><action>permit</action></rule>");
	struct nacm_denial den;
	struct nacm_counters before, after;
	struct nacm_change two[2] = { { a, NACM_CREATE }, { top, NACM_DELETE } };

	nacm_counters_get(&before);
	CHECK(!t_write(s, top, NACM_CREATE, &den) && t_streq(den.rule, "d1") &&
	    t_streq(den.path, "/test:top/test:item[test:name='b']/test:v") &&
	    den.nns == 1 && t_streq(den.ns[0].prefix, "test"),
	    "create of a subtree: the first denied node, inside a packed entry, by path: %s", T_S(den.path));
	nacm_denial_clear(&den);
	CHECK(t_write(s, a, NACM_CREATE, NULL) && t_write(s, top, NACM_UPDATE, NULL),
	    "creating entry a, updating top itself: allowed");
	CHECK(nacm_write_check(s, two, 2, &den) == 1 && den.op == NACM_DELETE &&
	    t_streq(den.rule, "d2") && t_streq(den.path, "/test:top"),
	    "delete of top: /top/secret is denied, and unreadable, so the path names top: %s",
	    T_S(den.path));
	nacm_denial_clear(&den);
	nacm_counters_get(&after);
	CHECK(after.denied_data_writes == before.denied_data_writes + 2,
	    "denied-data-writes counted once per denied check");
	nacm_session_free(s);
	s = t_sess(c, "root", T_NONE, 1);
	CHECK(t_write(s, top, NACM_DELETE, NULL), "recovery deletes anything");
	nacm_session_free(s);
	nacm_config_free(c);
	xmlFreeDoc(d);
}

static void
test_external_groups(void)
{
	static const char cfg[] = NACM_OPEN "%s<groups><group><name>cfg</name><user-name>v"
	    "</user-name></group></groups><rule-list><name>L</name><group>wheel</group><group>cfg"
	    "</group><rule><name>R</name><rpc-name>x</rpc-name><action>deny</action></rule>"
	    "</rule-list></nacm>";
	char xml[1024];
	struct nacm_config *c;
	struct nacm_session *u, *v;

	snprintf(xml, sizeof(xml), cfg, "");
	c = t_cfg(xml);
	u = t_sess(c, "u", (const char *const[]){ "users", "wheel", NULL }, 0);
	CHECK(!nacm_rpc_allowed(u, "m", "x"), "an external (Unix) group selects its rule-list");
	nacm_session_free(u);
	nacm_config_free(c);
	snprintf(xml, sizeof(xml), cfg, "<enable-external-groups>false</enable-external-groups>");
	c = t_cfg(xml);
	u = t_sess(c, "u", (const char *const[]){ "users", "wheel", NULL }, 0);
	v = t_sess(c, "v", T_NONE, 0);
	CHECK(nacm_rpc_allowed(u, "m", "x") && !nacm_rpc_allowed(v, "m", "x"),
	    "enable-external-groups false: external groups ignored, configured ones count");
	nacm_session_free(u);
	nacm_session_free(v);
	nacm_config_free(c);
}

int
main(void)
{
	t_init();
	test_order();
	test_rpc();
	test_notifications();
	test_nacm_subtree();
	test_system_exts();
	test_read_mask();
	test_top_read();
	test_many_keys();
	test_write();
	test_external_groups();
	t_done();
	UNIT_DONE();
}
