#!/usr/bin/python3
"""Filters never reveal what NACM hides (RFC 8341 3.4.5; issue 14).

Reads skip the read mask's nodes instead of filtering a pruned copy of
running, so this checks, through a real sshd with a real account in a
private account database (`make install` into a scratch prefix, as
t_nacm_matrix.py), that a subtree filter whose content match node or
selection node is a hidden leaf reveals nothing: no entry is selected BY a
hidden value, no hidden leaf or entry is in a reply, the keys of visible
entries are, and an entry whose key is hidden comes without it (as the
prune leaves it).  For get-config and get, unfiltered and filtered.  The
interface list is big enough (40+ entries) for filters to find entries
through the list index.  The XPath filter still prunes a copy: each
subtree reply is compared with the XPath reply that asks the same, the
old path as the oracle."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import install_group, private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("NACM and filters through a real account")
from nchome_auth import AuthEnv  # noqa: E402
from ncraw import kill_all, text  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
SYS_NS = "urn:ietf:params:xml:ns:yang:ietf-system"
USER, GROUP = "nfl", "nchome-hideaway"
SECRET = (">secret-desc<", ">hid-desc<", ">knm<", ">hidden-contact<")


def iface(name, desc=None):
    return ('<interface><name>%s</name><type xmlns:ianaift="urn:ietf:params:xml:ns:yang:'
            'iana-if-type">ianaift:other</type>%s</interface>'
            % (name, "<description>%s</description>" % desc if desc else ""))


def rule(name, path, prefix, ns):
    return ('<rule><name>%s</name><path xmlns:%s="%s">%s</path><access-operations>read'
            '</access-operations><action>deny</action></rule>' % (name, prefix, ns, path))


RULES = ('<nacm xmlns="%s"><rule-list><name>hideaway</name><group>%s</group>%s%s%s%s</rule-list></nacm>'
         % (NACM_NS, GROUP,
            rule("leaf", "/if:interfaces/if:interface[if:name='eth1']/if:description", "if", IF_NS),
            rule("entry", "/if:interfaces/if:interface[if:name='hid']", "if", IF_NS),
            rule("key", "/if:interfaces/if:interface[if:name='knm']/if:name", "if", IF_NS),
            rule("contact", "/sys:system/sys:contact", "sys", SYS_NS)))
DATA = ('<interfaces xmlns="%s">%s%s%s%s%s</interfaces>'
        '<system xmlns="%s"><contact>hidden-contact</contact><location>lab</location></system>'
        % (IF_NS, iface("eth0", "pub-desc"), iface("eth1", "secret-desc"), iface("hid", "hid-desc"),
           iface("knm", "knm-desc"), "".join(iface("f%02d" % i) for i in range(40)), SYS_NS))


def data(r):
    d = r.find("{urn:ietf:params:xml:ns:netconf:base:1.0}data") if r is not None else None
    return d


def norm(e):
    """An element as (name, text, children), order kept: prefixes and layout aside."""
    return (e.tag, (e.text or "").strip(), tuple(norm(c) for c in e))


def shown(r):
    d = data(r)
    return tuple(norm(c) for c in d) if d is not None else None


def leaks(r):
    return [s for s in SECRET if s in text(r)]


def entries(r):
    """name -> set of child names of each interface entry ('' for an entry without a name)."""
    out = {}
    for e in r.iter("{%s}interface" % IF_NS) if r is not None else []:
        n = e.find("{%s}name" % IF_NS)
        out[n.text if n is not None else ""] = {c.tag.split("}")[-1] for c in e}
    return out


install_group()
env = AuthEnv(install_only=True)
sessions = []
try:
    _, _, netconf, _ = env.install_netconf(t)
    key = env.group_account(t, USER, GROUP)

    root = env.recovery_session(netconf, sessions)
    r = root.rpc("<edit-config><target><running/></target><config>%s%s</config></edit-config>"
                 % (RULES, DATA))
    t.ok(root.ok(r), "root loads four read-deny rules and 44 interfaces", repr(root.errors(r)))

    log = os.path.join(env.dir, "sshd.log")
    nc = env.ssh_session(USER, key, log, sessions)

    def ask(op, body, kind="subtree"):
        if kind == "xpath":
            f = '<filter type="xpath" xmlns:if="%s" xmlns:sys="%s" select="%s"/>' % (IF_NS, SYS_NS, body)
        elif body is None:
            f = ""
        else:
            f = '<filter type="subtree">%s</filter>' % body
        src = "<source><running/></source>" if op == "get-config" else ""
        return nc.rpc("<%s>%s%s</%s>" % (op, src, f, op))

    for op in ("get-config", "get"):
        r = ask(op, None)
        e = entries(r)
        t.ok(not nc.errors(r) and not leaks(r) and "rule-list" not in text(r),
             "%s, unfiltered: nothing hidden (leaks: %s)" % (op, leaks(r)), text(r)[:400])
        t.ok(e.get("eth0") == {"name", "type", "description"} and e.get("eth1") == {"name", "type"} and
             "hid" not in e and e.get("") == {"type", "description"} and "f39" in e and
             "lab" in text(r), "%s, unfiltered: visible entries whole, eth1 without its description, "
             "knm without its name, no hid" % op, repr(sorted(e.items()))[:400])
        if op == "get-config":
            t.ok(shown(r) == shown(ask(op, "/*", "xpath")), "%s, unfiltered: as XPath /* on the "
                 "pruned copy" % op)

    IF = '<interfaces xmlns="%s">%%s</interfaces>' % IF_NS
    cases = [
        # (what, subtree body, equivalent XPath or None, check of the reply)
        ("content match on a hidden leaf selects nothing",
         IF % "<interface><description>secret-desc</description></interface>",
         "/if:interfaces/if:interface[if:description='secret-desc']", lambda e: e == {}),
        ("content match on a hidden leaf beside a selection node selects nothing",
         IF % "<interface><description>secret-desc</description><type/></interface>",
         None, lambda e: e == {}),
        ("content match on a hidden key selects nothing",
         IF % "<interface><name>knm</name></interface>",
         "/if:interfaces/if:interface[if:name='knm']", lambda e: e == {}),
        ("content match on a hidden entry's key selects nothing (index lookup)",
         IF % "<interface><name>hid</name></interface>",
         "/if:interfaces/if:interface[if:name='hid']", lambda e: e == {}),
        ("key of a visible entry with a hidden leaf: the entry less the leaf",
         IF % "<interface><name>eth1</name></interface>",
         "/if:interfaces/if:interface[if:name='eth1']", lambda e: e == {"eth1": {"name", "type"}}),
        # 6.2.5: the content match node is in the reply; the hidden leaf is not
        ("a hidden leaf as selection node: the entry's key only",
         IF % "<interface><name>eth1</name><description/></interface>",
         None, lambda e: e == {"eth1": {"name"}}),
        ("selection nodes of the key and a leaf hidden in one entry",
         IF % "<interface><name/><description/></interface>", None,
         lambda e: e.get("eth0") == {"name", "description"} and e.get("eth1") == {"name"} and
         e.get("") == {"description"} and "hid" not in e and len(e) == 43),
        ("a selection node over all entries: keys of visible entries, none hidden",
         IF % "<interface><description/></interface>",
         "/if:interfaces/if:interface/if:description",
         lambda e: e == {"eth0": {"name", "description"}, "": {"description"}}),
        ("a selection node of the key: no hidden key, no hidden entry",
         IF % "<interface><name/></interface>",
         "/if:interfaces/if:interface/if:name",
         lambda e: "hid" not in e and "knm" not in e and "eth0" in e and len(e) == 42),
        ("the whole container: copied less the hidden nodes",
         '<interfaces xmlns="%s"/>' % IF_NS, "/if:interfaces",
         lambda e: "hid" not in e and e.get("eth1") == {"name", "type"} and
         e.get("") == {"type", "description"}),
        ("a hidden leaf of a container: selection finds nothing",
         '<system xmlns="%s"><contact/></system>' % SYS_NS, "/sys:system/sys:contact",
         lambda e: e == {}),
        ("a container by a hidden leaf's value selects nothing",
         '<system xmlns="%s"><contact>hidden-contact</contact></system>' % SYS_NS,
         "/sys:system[sys:contact='hidden-contact']", lambda e: e == {}),
        ("a container with a hidden leaf: the rest",
         '<system xmlns="%s"/>' % SYS_NS, "/sys:system", lambda e: e == {}),
        ("the nacm container (default-deny-all) selects nothing",
         '<nacm xmlns="%s"/>' % NACM_NS, None, lambda e: e == {}),
    ]
    for op in ("get-config", "get"):
        for what, body, xp, check in cases:
            r = ask(op, body)
            e = entries(r)
            t.ok(not nc.errors(r) and not leaks(r) and "rule-list" not in text(r) and check(e),
                 "%s: %s (leaks: %s)" % (op, what, leaks(r)), "%r %s" % (sorted(e.items())[:6], text(r)[:400]))
            if xp is not None and op == "get-config":
                x = ask(op, xp, "xpath")
                t.ok(shown(r) == shown(x), "%s: %s: as XPath on the pruned copy" % (op, what),
                     "%s\n%s" % (text(r)[:400], text(x)[:400]))
    # root still reads it all, filtered through the same code with nothing hidden
    r = root.rpc('<get-config><source><running/></source><filter type="subtree">%s</filter></get-config>'
                 % (IF % "<interface><description>secret-desc</description></interface>"))
    t.ok("eth1" in text(r), "root (no mask): the same content match finds eth1", text(r)[:300])
finally:
    kill_all(sessions)
    env.cleanup()
t.done()
