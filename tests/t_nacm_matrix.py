#!/usr/bin/python3
"""NACM roles x operations through a real sshd (issue 14).

`make install` into a scratch prefix, in a private account database;
three NETCONF accounts made with doc/authentication.md's commands, each
in the Unix group of one role of contrib/nacm/ (read-only, operator,
super-user), which root loads as shipped.  Each account, through sshd,
runs every operation: get, get-config (no filter, subtree, XPath),
edit-config create/merge/replace/delete on running and on the candidate,
commit and confirmed commit of its own candidate edit and of one root
made, cancel-commit, copy-config, delete-config, lock, unlock, validate,
kill-session, create-subscription; each answer is checked against what
the role promises (allow, or access-denied), and root's /nacm counters
afterwards against the denials seen."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import install_group, private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("the NACM matrix through real accounts")
from nchome_test import TOP  # noqa: E402
from nchome_auth import AuthEnv  # noqa: E402
from ncraw import kill_all, text  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
IFTYPE = ('<type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:%s</type>')
ROLES = {"read-only": "nro", "operator": "nop", "super-user": "nsu"}


def iface(name, op=None, typ="other", desc=None):
    attr = ' xmlns:nc="%s" nc:operation="%s"' % (NC, op) if op else ""
    return ('<interfaces xmlns="%s"><interface%s><name>%s</name>%s%s</interface></interfaces>'
            % (IF_NS, attr, name, IFTYPE % typ if op != "delete" else "",
               "<description>%s</description>" % desc if desc else ""))


def contact(v):
    return '<system xmlns="urn:ietf:params:xml:ns:yang:ietf-system"><contact>%s</contact></system>' % v


def tag(nc, r):
    errs = nc.errors(r)
    return errs[0].get("error-tag") if errs else ("ok" if nc.ok(r) else "data" if r is not None else "?")


def counters(nc):
    r = nc.rpc('<get><filter type="subtree"><nacm xmlns="%s"/></filter></get>' % NACM_NS)
    out = {}
    for n in (r.findall(".//{%s}nacm" % NACM_NS) if r is not None else []):
        for c in n:
            if c.tag.split("}")[-1].startswith("denied-"):
                out[c.tag.split("}")[-1]] = int(c.text)
    return out


install_group()
env = AuthEnv(install_only=True)
sessions = []
try:
    _, _, netconf, _ = env.install_netconf(t)
    keys = {}
    for role, user in ROLES.items():
        keys[user] = env.group_account(t, user, "nchome-" + role)

    def session(user):
        log = os.path.join(env.dir, "sshd-%s-%d.log" % (user, len(sessions)))
        return env.ssh_session(user, keys[user], log, sessions)

    # root (the recovery session; group nchome reads nchome.conf) loads the roles as shipped
    root = env.recovery_session(netconf, sessions)
    rules = ""
    for role in ROLES:
        with open(os.path.join(TOP, "contrib", "nacm", role + ".xml")) as f:
            rules += f.read()
    r = root.edit_config("running", rules + iface("shared") + contact("root"))
    t.ok(root.ok(r), "root loads the three roles as shipped, an interface and a contact",
         repr(root.errors(r)))
    c0 = counters(root)
    ALLOW, DENY = "ok", "access-denied"
    expect_ops = expect_writes = 0
    for role, user in ROLES.items():
        ro, op, su = role == "read-only", role == "operator", role == "super-user"
        nc = session(user)
        other = session(user)
        seen = {}

        def check(what, got, want, detail=""):
            t.ok(got == want, "%s: %s -> %s" % (role, what, want), "got %s %s" % (got, detail))
            seen[what] = got

        r = nc.rpc("<get/>")
        check("get", tag(nc, r), "data", text(r)[:300])
        t.ok(("denied-operations" in text(r)) == su, "%s: <get> shows the /nacm counters only to "
             "super-user" % role)
        r = nc.rpc("<get-config><source><running/></source></get-config>")
        t.ok("shared" in text(r) and ("rule-list" in text(r)) == su,
             "%s: get-config reads running; the nacm rules only for super-user" % role, text(r)[:300])
        r = nc.rpc('<get-config><source><running/></source><filter type="subtree">'
                   '<interfaces xmlns="%s"/></filter></get-config>' % IF_NS)
        t.ok("shared" in text(r), "%s: get-config with a subtree filter" % role, text(r)[:300])
        r = nc.rpc('<get-config><source><running/></source><filter type="xpath" '
                   'xmlns:nacm="%s" select="/nacm:nacm"/></get-config>' % NACM_NS)
        t.ok(("rule-list" in text(r)) == su and not nc.errors(r),
             "%s: an XPath filter for /nacm finds it only for super-user" % role, text(r)[:300])
        w = ALLOW if not ro else DENY
        for target in ("running", "candidate"):
            check("edit-config create (%s)" % target,
                  tag(nc, nc.edit_config(target, iface("x-" + user, "create"))), w)
            check("edit-config merge of the contact (%s)" % target,
                  tag(nc, nc.edit_config(target, contact(user))), ALLOW if su else DENY)
            check("edit-config replace (%s)" % target,
                  tag(nc, nc.edit_config(target, iface("shared", "replace", desc=user))), w)
            check("edit-config delete (%s)" % target,
                  tag(nc, nc.edit_config(target, iface("x-" + user if not ro else "shared", "delete"))), w)
            expect_writes += (4 if ro else 1 if op else 0)
        # the candidate now holds this role's replace of "shared" (op, su): commit it
        check("commit of its own candidate edit", tag(nc, nc.rpc("<commit/>")), ALLOW)
        # a change root made in the candidate: the committing session's rights count
        t.ok(root.ok(root.edit_config("candidate", contact("cand-" + user))), "root edits the candidate")
        check("commit of root's candidate edit", tag(nc, nc.rpc("<commit/>")), ALLOW if su else DENY)
        check("confirmed commit of it", tag(nc, nc.rpc("<commit><confirmed/></commit>")),
              ALLOW if su else DENY)
        expect_writes += 0 if su else 2
        if su:
            check("cancel-commit", tag(nc, nc.rpc("<cancel-commit/>")), ALLOW)
        else:
            r = nc.rpc("<cancel-commit/>")
            t.ok(tag(nc, r) not in (ALLOW, DENY), "%s: cancel-commit is permitted (none pending: "
                 "another error)" % role, repr(nc.errors(r)))
        t.ok(root.ok(root.rpc("<discard-changes/>")), "root discards the candidate")
        check("copy-config running -> startup",
              tag(nc, nc.rpc("<copy-config><target><startup/></target><source><running/></source>"
                             "</copy-config>")), ALLOW if su else DENY)
        expect_writes += 0 if su else 1
        check("delete-config startup", tag(nc, nc.rpc("<delete-config><target><startup/></target>"
                                                      "</delete-config>")), ALLOW if su else DENY)
        expect_ops += 0 if su else 1
        check("lock", tag(nc, nc.rpc("<lock><target><running/></target></lock>")), ALLOW)
        check("unlock", tag(nc, nc.rpc("<unlock><target><running/></target></unlock>")), ALLOW)
        check("validate", tag(nc, nc.rpc("<validate><source><running/></source></validate>")), ALLOW)
        check("kill-session", tag(nc, nc.rpc("<kill-session><session-id>%s</session-id></kill-session>"
                                             % other.session_id)), DENY if ro else ALLOW)
        expect_ops += 1 if ro else 0
        check("create-subscription", tag(nc, nc.rpc('<create-subscription xmlns="%s"/>' % NOTIF_NS)),
              ALLOW)
        nc.kill()
        other.kill()
    c1 = counters(root)
    t.ok(c1.get("denied-operations", -1) - c0.get("denied-operations", 0) == expect_ops,
         "denied-operations grew by the %d operations denied" % expect_ops, "%r %r" % (c0, c1))
    t.ok(c1.get("denied-data-writes", -1) - c0.get("denied-data-writes", 0) == expect_writes,
         "denied-data-writes grew by the %d writes denied" % expect_writes, "%r %r" % (c0, c1))
finally:
    kill_all(sessions)
    env.cleanup()
t.done()
