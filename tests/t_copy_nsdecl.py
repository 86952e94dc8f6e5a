#!/usr/bin/env python3
"""A namespace declaration a text could use is kept by a copy of data no
YANG module covers, and changing it is a change (tree/nsvalue.c,
ops/nacm_diff.c).  Copies of <v>1</v>, then <v xmlns:p="urn:p">1</v>,
then <v xmlns:p="urn:p">p:1</v> leave running holding the last with its
declaration (it was dropped: "p:1" did not count as using p), as a new
session reads it.  A declaration added, its URI changed for the same
prefix, and removed, on a nested leaf (/w:closed/w:v) and on a top-level
leaf (/w:top), by an inline copy-config and by a copy to the candidate
and <commit/>: each is what get-config returns then, byte for byte, its
netconf-config-change lists one merge of that node, and copy-config's
audit line counts 1 edit.  User nobody, who may not write /w:closed,
cannot change only its declaration: by copy-config (access-denied,
running as it was; on the container /w:closed too), by committing root's
candidate that changes it, nor by a merge.  An edit-config merge onto an existing leaf reads its text
with the edit's bindings: a declaration added, or its URI changed (with
the text or without), is stored (tree/edit.c set_leaf; urn:p was kept),
and the same merge again leaves running as it was.  A value's prefix of 200
characters keeps its declaration too (it was dropped past 128), and a
merge binding a prefix otherwise that the stored leaf's own name or
attribute is written with moves those to another prefix (the text kept
the old URI: another value)."""
import html
import os
import re
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw  # noqa: E402
from as_nobody import LoggedSessions, NobodyEnv  # noqa: E402

t = TAP()
env = NobodyEnv(t, "cpnsd-", 0o777)
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
W = "urn:example:w"
NACM = ('<nacm xmlns="%s"><rule-list><name>nobodies</name><group>nogroup</group>'
        '<rule><name>shut</name><path xmlns:w="%s">/w:open/w:d</path>'
        '<access-operations>create update delete</access-operations><action>deny</action></rule>'
        '<rule><name>shut2</name><path xmlns:w="%s">/w:open/w:c/w:d</path>'
        '<access-operations>create update delete</access-operations><action>deny</action></rule>'
        '<rule><name>open</name><path xmlns:w="%s">/w:open</path>'
        '<access-operations>create update delete</access-operations><action>permit</action></rule>'
        '</rule-list></nacm>' % (NACM_NS, W, W, W))
sessions = LoggedSessions(env)


def session(as_nobody=False):
    return sessions.start(as_nobody)


def raw(nc, inner):
    """The reply's bytes as sent, as text: declarations as the server wrote them."""
    nc.send_msg(nc.rpc_text(inner))
    m = nc.read_msg()
    return m.decode() if m is not None else ""


def is_ok(reply):
    return "<ok/>" in reply and "<rpc-error>" not in reply


def get_config(nc):
    return raw(nc, "<get-config><source><running/></source></get-config>")


def copy(nc, target, data):
    return raw(nc, "<copy-config><target><%s/></target><source><config>%s%s</config></source>"
               "</copy-config>" % (target, NACM, data))


def audit_lines():
    return sessions.audit_lines(" changed running ")


def closed(v):
    return '<closed xmlns="%s">%s</closed>' % (W, v)


try:
    root = session()
    # the repro: a declaration no name uses, then a text that uses it
    for i, v in enumerate(('<v>1</v>', '<v xmlns:p="urn:p">1</v>', '<v xmlns:p="urn:p">p:1</v>')):
        rep = copy(root, "running", closed(v))
        t.ok(is_ok(rep), "root's copy %d of /w:closed (%s): <ok/>" % (i + 1, v), rep)
    want = closed('<v xmlns:p="urn:p">p:1</v>')
    t.ok(want in get_config(root), "... get-config: %s, its declaration kept" % want,
         get_config(root))
    t.ok(want in get_config(session()), "... and so read from the files by a new session")
    # a prefix longer than tree/nsvalue.c's scratch buffer (128) is as legal
    long_p = "p" * 200
    want = closed('<v xmlns:%s="urn:long">%s:1</v>' % (long_p, long_p))
    t.ok(is_ok(copy(root, "running", want)), "root's copy of a value using a 200-character prefix")
    t.ok(want in get_config(session()), "... get-config keeps its declaration", get_config(root))

    # a prefixed top element takes no default declaration from <rpc>
    BASE = 'xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"'
    for how, edit in (("copy-config", False), ("edit-config", True)):
        data = '<w:top xmlns:w="%s"><w:v>x%d</w:v></w:top>' % (W, edit)
        if edit:
            rep = raw(root, "<edit-config><target><running/></target><config>%s</config>"
                      "</edit-config>" % data)
        else:
            rep = copy(root, "running", data)
        got = get_config(session())
        t.ok(is_ok(rep) and data in got and BASE + ">" not in got.split("<data")[1],
             "%s of a prefixed top element: stored without the base namespace: %s" % (how, data),
             (rep, got))
    # an unprefixed element below it that inherited the base namespace keeps it
    data = '<w:top xmlns:w="%s"><w:v>x2</w:v><u>1</u></w:top>' % W
    t.ok(is_ok(copy(root, "running", data)), "root copies a prefixed top with an unprefixed child")
    want = '<w:top xmlns:w="%s" %s><w:v>x2</w:v><u>1</u></w:top>' % (W, BASE)
    t.ok(want in get_config(session()), "... get-config keeps the base namespace <u> is in: %s"
         % want, get_config(root))
    sub = session()
    t.ok(is_ok(raw(sub, '<create-subscription xmlns="%s"/>' % NOTIF_NS)), "a session subscribes")

    def change(how, what, data, target):
        """root's copy of data, inline or through the candidate; its event's one merge of target."""
        lines = len(audit_lines())
        if how == "copy-config":
            rep = copy(root, "running", data)
        else:
            rep = copy(root, "candidate", data)
            if is_ok(rep):
                rep = raw(root, "<commit/>")
        ok = is_ok(rep)
        ev = sub.next_config_change() if ok else ""
        edits = re.findall(r"<target[^>]*>([^<]*)</target>\s*<operation>([^<]*)</operation>", ev)
        t.ok(ok and len(edits) == 1 and edits[0][1] == "merge" and
             re.sub(r"[\w.-]+:", "", html.unescape(edits[0][0])) == target,
             "%s: <ok/>, its netconf-config-change one merge of %s" % (what, target), (rep, ev))
        if how == "copy-config":
            new = audit_lines()[lines:]
            t.ok(len(new) == 1 and new[0].endswith("(copy-config, 1 edit)"),
                 "... its audit line: 1 edit", new)

    steps = (("added", '<v>p:1</v>', '<v xmlns:p="urn:p">p:1</v>'),
             ("its URI changed", '<v xmlns:p="urn:p">p:1</v>', '<v xmlns:p="urn:p2">p:1</v>'),
             ("removed", '<v xmlns:p="urn:p2">p:1</v>', '<v>p:1</v>'))
    for how in ("copy-config", "candidate and commit"):
        for where, wrap, target in (
                ("nested leaf /w:closed/w:v", closed, "/closed/v"),
                ("top-level leaf /w:top",
                 lambda v: v.replace("<v", '<top xmlns="%s"' % W, 1).replace("</v>", "</top>"),
                 "/top")):
            t.ok(is_ok(copy(root, "running", wrap(steps[0][1]))), "root copies %s without p"
                 % where)
            sub.next_config_change()
            for what, before, after in steps:
                change(how, "%s, declaration %s on %s" % (how, what, where), wrap(after), target)
                got = get_config(session())
                t.ok(wrap(after) in got, "... get-config from a new session: %s" % wrap(after), got)

    # edit-config merge: the leaf's text is read with the edit's bindings
    t.ok(is_ok(copy(root, "running", closed('<k>1</k><v>p:1</v>'))),
         "root copies /w:closed, p undeclared")
    sub.next_config_change()
    for what, v in (("added", '<v xmlns:p="urn:p">p:1</v>'),
                    ("its URI changed", '<v xmlns:p="urn:p2">p:1</v>'),
                    ("its URI changed, with the text", '<v xmlns:p="urn:p3">p:2</v>')):
        rep = raw(root, "<edit-config><target><running/></target><config>%s</config></edit-config>"
                  % closed("<k>1</k>" + v))
        ev = sub.next_config_change() if is_ok(rep) else ""
        t.ok(is_ok(rep) and "closed" in ev,
             "a merge of /w:closed/w:v, declaration %s: <ok/> and its event" % what, (rep, ev))
        got = get_config(session())
        t.ok(closed("<k>1</k>" + v) in got, "... get-config from a new session: %s" % v, got)
    rep = raw(root, "<edit-config><target><running/></target><config>%s</config></edit-config>"
              % closed('<k>1</k><v xmlns:p="urn:p3">p:2</v>'))
    t.ok(is_ok(rep), "... the same merge again: <ok/>", rep)
    t.ok(closed('<k>1</k><v xmlns:p="urn:p3">p:2</v>') in get_config(root), "... running as it was")
    # the stored leaf's own name or attribute written with the text's prefix
    for what, before, merged, want in (
            ("an attribute", '<k>1</k><v xmlns:p="urn:p" p:a="1">p:1</v>', '<v xmlns:p="urn:p2">p:1</v>',
             closed('<k>1</k><v xmlns:p="urn:p2" xmlns:p0="urn:p" p0:a="1">p:1</v>')),
            ("its own name", '<k>1</k><w:v xmlns:w="%s">w:x</w:v>' % W, '<v xmlns:w="urn:other">w:x</v>',
             closed('<k>1</k><w0:v xmlns:w="urn:other" xmlns:w0="%s">w:x</w0:v>' % W))):
        t.ok(is_ok(copy(root, "running", closed(before))), "root copies a leaf with %s written "
             "with the prefix its text uses" % what)
        sub.next_config_change()
        rep = raw(root, "<edit-config><target><running/></target><config>%s</config></edit-config>"
                  % closed("<k>1</k>" + merged))
        got = get_config(session())
        t.ok(is_ok(rep) and want in got, "... a merge binding it otherwise: the text's prefix as "
             "the merge binds it, %s under another: %s" % (what, want), (rep, got))
        sub.next_config_change()

    # user nobody may not write /w:closed: not its declarations either
    t.ok(is_ok(copy(root, "running", closed('<v xmlns:p="urn:p">p:1</v>'))),
         "root copies /w:closed/w:v declaring p")
    nb = session(as_nobody=True)
    for what, v in (("the URI of p", '<v xmlns:p="urn:p2">p:1</v>'), ("p gone", '<v>p:1</v>')):
        rep = copy(nb, "running", closed(v))
        t.ok("<error-tag>access-denied</error-tag>" in rep,
             "nobody's copy changing only %s on /w:closed/w:v: access-denied" % what, rep)
        t.ok(closed('<v xmlns:p="urn:p">p:1</v>') in get_config(root), "... running as it was")
    # a declaration on the container /w:closed gives its leaf's text its meaning
    cont = '<closed xmlns="%s" xmlns:p="urn:%%s"><v>p:1</v></closed>' % W
    t.ok(is_ok(copy(root, "running", cont % "p")), "root copies /w:closed declaring p itself")
    rep = copy(nb, "running", cont % "p2")
    t.ok("<error-tag>access-denied</error-tag>" in rep,
         "nobody's copy changing only p's URI on the container /w:closed: access-denied", rep)
    t.ok(cont % "p" in get_config(root), "... running as it was", get_config(root))
    t.ok(is_ok(copy(root, "running", closed('<v xmlns:p="urn:p">p:1</v>'))),
         "root copies /w:closed/w:v declaring p again")
    t.ok(is_ok(copy(root, "candidate", closed('<v xmlns:p="urn:p2">p:1</v>'))),
         "root's candidate changes only p's URI on /w:closed/w:v")
    rep = raw(nb, "<commit/>")
    t.ok("<error-tag>access-denied</error-tag>" in rep, "nobody's commit of it: access-denied", rep)
    t.ok(closed('<v xmlns:p="urn:p">p:1</v>') in get_config(root), "... running as it was")
    t.ok(is_ok(raw(root, "<discard-changes/>")), "root discards the candidate")
    rep = raw(nb, "<edit-config><target><running/></target><config>%s</config></edit-config>"
              % closed('<v xmlns:p="urn:p2">p:1</v>'))
    t.ok("<error-tag>access-denied</error-tag>" in rep,
         "nobody's merge changing only p's URI on /w:closed/w:v: access-denied", rep)
    t.ok(closed('<v xmlns:p="urn:p">p:1</v>') in get_config(root), "... running as it was")
    # nobody may update /w:open but not /w:open/w:d: a rebinding on /w:open
    # that changes what d's text means changes d (RFC 8341 3.4.5)
    opened = '<open xmlns="%s" xmlns:p="urn:%%s">%%s</open>' % W
    t.ok(is_ok(copy(root, "running", opened % ("p", "<c><d>p:1</d></c>"))),
         "root copies /w:open declaring p, /w:open/w:c/w:d using it")
    rep = copy(nb, "running", opened % ("p2", "<c><d>p:1</d></c>"))
    t.ok("<error-tag>access-denied</error-tag>" in rep, "nobody's copy changing only p's URI on "
         "/w:open, which /w:open/w:c/w:d's text uses: access-denied", rep)
    for target in ("running", "candidate"):
        t.ok(is_ok(copy(root, "running", opened % ("p", "<d>p:1</d><v>1</v>"))),
             "root copies /w:open declaring p, /w:open/w:d using it")
        if target == "candidate":
            t.ok(is_ok(copy(root, "candidate", opened % ("p2", "<d>p:1</d><v>1</v>"))),
                 "root's candidate changes only p's URI on /w:open")
            rep = raw(nb, "<commit/>")
        else:
            rep = copy(nb, "running", opened % ("p2", "<d>p:1</d><v>1</v>"))
        t.ok("<error-tag>access-denied</error-tag>" in rep, "nobody's %s changing only p's URI on "
             "/w:open, which /w:open/w:d's text uses: access-denied" % ("commit" if target ==
                                                                   "candidate" else "copy"), rep)
        t.ok(opened % ("p", "<d>p:1</d><v>1</v>") in get_config(root), "... running as it was")
        t.ok(is_ok(raw(root, "<discard-changes/>")), "root discards the candidate")
    for what, before, after in (
            ("whose text does not use p", "<d>1</d><v>p:1</v>", "<d>1</d><v>p:1</v>"),
            ("declaring p itself", '<d xmlns:p="urn:q">p:1</d>', '<d xmlns:p="urn:q">p:1</d>'),
            ("below a nearer p", '<c xmlns:p="urn:q"><d>p:1</d></c>', '<c xmlns:p="urn:q"><d>p:1</d></c>')):
        t.ok(is_ok(copy(root, "running", opened % ("p", before))), "root copies /w:open: %s" % before)
        rep = copy(nb, "running", opened % ("p2", after))
        t.ok(is_ok(rep), "nobody's copy changing p's URI on /w:open, /w:open/w:d %s: <ok/>" % what, rep)
        t.ok(opened % ("p2", after) in get_config(root), "... running changed", get_config(root))
finally:
    sessions.close()
    env.cleanup()
t.done()
