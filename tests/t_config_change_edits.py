#!/usr/bin/python3
"""netconf-config-change lists what changed, and NACM prunes it (issues 14, 16).

Through a real sshd with two real accounts in a private account database
(as t_nacm_filter.py): root edits running directly; account cce1 (no
rules) and account cce2 (a group whose rules deny reading one interface
entry and /sys:system/sys:contact) subscribe.  Each change of running
brings a netconf-config-change whose <edit> entries (RFC 6470) name the
topmost changed node as an instance-identifier, list keys as predicates
and its prefixes declared on <target>, with what happened to it: create,
delete, merge (a leaf's new value) or replace.  cce2 never sees an edit
of what it may not read: such edits are removed, and a notification left
without edits is not sent.  Past CFG_EDITS_MAX (32) changes the list is
left out; copy-config and a confirmed (full) commit list what differs;
a plain commit (the overlay's fast path) announces its change without a
list."""
import html
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import install_group, private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("netconf-config-change edits through real accounts")
from nchome_auth import AuthEnv  # noqa: E402
from ncraw import kill_all  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
SYS_NS = "urn:ietf:params:xml:ns:yang:ietf-system"
W_NS = "urn:example:w"
NC = 'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"'
USERS = {"cce1": "nchome-cce-all", "cce2": "nchome-cce-hide"}
IFX = "/if:interfaces/if:interface[if:name='%s']"


def iface(name, desc=None, op=None):
    return ('<interface%s><name>%s</name><type xmlns:ianaift="urn:ietf:params:xml:ns:yang:'
            'iana-if-type">ianaift:other</type>%s</interface>'
            % (' nc:operation="%s"' % op if op else "", name,
               "<description>%s</description>" % desc if desc else ""))


def ifs(*entries):
    return '<interfaces xmlns="%s">%s</interfaces>' % (IF_NS, "".join(entries))


def rule(name, path, prefix, ns):
    return ('<rule><name>%s</name><path xmlns:%s="%s">%s</path><access-operations>read'
            '</access-operations><action>deny</action></rule>' % (name, prefix, ns, path))


RULES = ('<nacm xmlns="%s"><rule-list><name>hide</name><group>%s</group>%s%s</rule-list></nacm>'
         % (NACM_NS, USERS["cce2"],
            rule("entry", IFX % "hid", "if", IF_NS),
            rule("contact", "/sys:system/sys:contact", "sys", SYS_NS)))
DATA = (ifs(iface("eth0", "d0"), iface("hid", "h0"), iface("f00"), iface("f01")) +
        '<system xmlns="%s"><contact>c0</contact><location>l0</location></system>' % SYS_NS +
        '<things xmlns="%s"><thing><id>a</id><v>1</v></thing><thing><id>b</id><v>2</v></thing>'
        '<thing><id>c</id><v>3</v></thing></things>' % W_NS)


def edits(msg):
    """The (target, operation) pairs of a notification, each prefix checked declared on its target."""
    out = []
    for attrs, target, op in re.findall(r"<target([^>]*)>([^<]*)</target>\s*<operation>([^<]*)"
                                        r"</operation>", msg):
        decl = dict(re.findall(r'xmlns:([\w.-]+)="([^"]*)"', attrs))
        target = html.unescape(target)
        used = set(re.findall(r"[/\[]([A-Za-z_][\w.-]*):", target))
        if not used <= set(decl):
            out.append(("undeclared prefix", target))
        out.append((target, op, tuple(sorted((p, decl[p]) for p in used if p in decl))))
    return out


def plain(msg):
    return sorted((e[0], e[1]) for e in edits(msg))


install_group()
env = AuthEnv(install_only=True)
sessions = []
try:
    _, _, netconf, _ = env.install_netconf(t)
    keys = {}
    for user, group in USERS.items():
        keys[user] = env.group_account(t, user, group)

    root = env.recovery_session(netconf, sessions)

    def edit(inner, target="running"):
        r = root.rpc("<edit-config><target><%s/></target><config %s>%s</config></edit-config>"
                     % (target, NC, inner))
        return root.ok(r) or root.errors(r)

    t.ok(edit(RULES + DATA) is True, "root loads the rules and the data")

    subs = {}
    for user in USERS:
        log = os.path.join(env.dir, "sshd-%s.log" % user)
        nc = env.ssh_session(user, keys[user], log, sessions)
        t.ok(nc.ok(nc.rpc('<create-subscription xmlns="%s"/>' % NOTIF_NS)), "%s subscribes" % user)
        subs[user] = nc
    a, b = subs["cce1"], subs["cce2"]

    IFD = (("if", IF_NS),)
    # (what, edit, what cce1 sees, what cce2 sees: None = the same)
    cases = [
        ("merge of a new entry: create, keyed", ifs(iface("eth5", "x")),
         [(IFX % "eth5", "create", IFD)], None),
        ("merge of a leaf's new value: merge of the leaf", ifs(iface("eth0", "d1")),
         [(IFX % "eth0" + "/if:description", "merge", IFD)], None),
        ("delete of an entry", ifs(iface("eth5", op="delete")),
         [(IFX % "eth5", "delete", IFD)], None),
        ("replace of an entry", ifs(iface("eth0", op="replace")),
         [(IFX % "eth0", "replace", IFD)], None),
        ("a create and a delete in one edit", ifs(iface("f10"), iface("f00", op="delete")),
         [(IFX % "f00", "delete", IFD), (IFX % "f10", "create", IFD)], None),
        ("a new leaf in an existing entry: create of the leaf", ifs(iface("f01", "n1")),
         [(IFX % "f01" + "/if:description", "create", IFD)], None),
        ("schema-less list: entries by their first leaf",
         '<things xmlns="%s"><thing nc:operation="delete"><id>b</id></thing>'
         '<thing><id>c</id><v>4</v></thing></things>' % W_NS,
         [("/w:things/w:thing[w:id='b']", "delete", (("w", W_NS),)),
          ("/w:things/w:thing[w:id='c']/w:v", "merge", (("w", W_NS),))], None),
    ]
    for what, inner, want, _ in cases:
        t.ok(edit(inner) is True, "root: %s" % what)
        ga, gb = a.next_config_change(), b.next_config_change()
        t.eq(sorted(edits(ga)), sorted(want), "cce1 sees: %s" % what)
        t.eq(sorted(edits(gb)), sorted(want), "cce2 (nothing of it hidden) sees the same")

    # a change of only what cce2 may not read: cce1 sees it, cce2 gets nothing
    t.ok(edit(ifs(iface("hid", "h1"))) is True, "root changes the hidden entry's description")
    ga = a.next_config_change()
    t.eq(plain(ga), [(IFX % "hid" + "/if:description", "merge")], "cce1 sees the hidden entry's change")
    # then one with a hidden and a visible part: the next cce2 gets is this one, pruned
    t.ok(edit(ifs(iface("hid", "h2"), iface("eth0", "d2"))) is True, "root changes hid and eth0 together")
    ga, gb = a.next_config_change(), b.next_config_change()
    t.eq(plain(ga), [(IFX % "eth0" + "/if:description", "create"),
                     (IFX % "hid" + "/if:description", "merge")], "cce1 sees both")
    t.eq(plain(gb), [(IFX % "eth0" + "/if:description", "create")],
         "cce2's next notification is this one, with eth0's edit only: none for the hidden-only change")
    t.ok("hid" not in gb and "h2" not in gb, "cce2's notification names nothing hidden", gb[:800])
    t.ok(edit('<system xmlns="%s"><contact>c1</contact><location>l1</location></system>' % SYS_NS) is True,
         "root changes a hidden and a visible leaf of one container")
    ga, gb = a.next_config_change(), b.next_config_change()
    t.eq(plain(ga), [("/sys:system/sys:contact", "merge"), ("/sys:system/sys:location", "merge")],
         "cce1 sees both leaves")
    t.eq(plain(gb), [("/sys:system/sys:location", "merge")], "cce2 sees the location only")

    # past the bound: the notification comes without an edit list
    t.ok(edit(ifs(*[iface("m%02d" % i) for i in range(40)])) is True, "root creates 40 entries at once")
    ga, gb = a.next_config_change(), b.next_config_change()
    t.ok(ga != "" and "<edit>" not in ga, "40 changes: the notification has no edit list", ga[:600])
    t.ok(gb != "" and "<edit>" not in gb, "... for cce2 too (nothing to prune)", gb[:600])

    # copy-config: what differs from before
    root.send_msg(root.rpc_text("<get-config><source><running/></source></get-config>"))
    raw = root.read_msg().decode()
    body = raw[raw.index("<data") + raw[raw.index("<data"):].index(">") + 1:raw.rindex("</data>")]
    body = re.sub(r"(<(?:(\w+):)?name>m05</(?:\w+:)?name>)",
                  lambda m: m.group(1) + "<%sdescription>cc</%sdescription>"
                  % ((m.group(2) + ":",) * 2 if m.group(2) else ("", "")), body, count=1)
    t.ok("cc</" in body, "running's content, with one leaf more", body[:300])
    r = root.rpc("<copy-config><target><running/></target><source><config>%s</config></source>"
                 "</copy-config>" % body)
    t.ok(root.ok(r), "root: copy-config of running with one leaf more", repr(root.errors(r)))
    ga = a.next_config_change()
    t.eq(plain(ga), [(IFX % "m05" + "/if:description", "create")], "copy-config: the one leaf it adds")

    # a confirmed commit takes the full path: what the candidate changes
    t.ok(edit(ifs(iface("eth8")), "candidate") is True, "root edits the candidate")
    r = root.rpc("<commit><confirmed/></commit>")
    t.ok(root.ok(r), "root: confirmed commit", repr(root.errors(r)))
    ga = a.next_config_change()
    t.eq(plain(ga), [(IFX % "eth8", "create")], "confirmed commit: the entry it creates")
    t.ok(root.ok(root.rpc("<commit/>")), "root confirms")
    # a plain commit (the overlay's fast path): the change is announced, no list
    t.ok(edit(ifs(iface("eth9")), "candidate") is True, "root edits the candidate again")
    t.ok(root.ok(root.rpc("<commit/>")), "root: plain commit")
    ga = a.next_config_change()
    t.ok(ga != "" and "<datastore>running</datastore>" in ga and "<edit>" not in ga,
         "plain commit: a netconf-config-change without an edit list", ga[:600])
finally:
    kill_all(sessions)
    env.cleanup()
t.done()
