#!/usr/bin/env python3
"""A copy-config that changes nothing is answered as an edit-config that
changes nothing (ops/config_write.c, copy_unchanged): <ok/>, and nothing
else.  An inline <config> equal to running, the same again in a new
session (running read from its files is packed, the request is not),
candidate -> running and running -> startup when they are equal: each
replies <ok/>, leaves running.xml, running.journal and startup.xml as
they were (inode, size, mtime), sends no netconf-config-change (the
subscriber's next one is the following change's) and logs no audit line.
A copy that changes something still writes its file, sends its event and
logs its line, whatever it changes: an attribute (its presence, value or
namespace), a namespace, a leaf's text inside a stored (packed) entry,
a node more or less at the end of an entry or of the top level, the
order of entries.  A copy onto the candidate, equal or not, makes it (an
absent candidate stands for running).  The checks that refuse a copy today still refuse one that
changes nothing: another session's lock (in-use), and NACM's exec rule
for copy-config (access-denied); without that rule, user nobody's copy
that changes nothing needs no write right, as before (RFC 8341 3.2.4
checks a copy on its changes), and its copy that changes a node it may
not write is denied, an attribute only too (of a top-level node, a
nested leaf, a list entry): root's same copy is kept and announced as
an update (merge) of that node, 1 edit in its audit line.  nobody's
merge of only an attribute leaves running's attributes as they were."""
import html
import os
import re
import sys
from collections import Counter
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from as_nobody import LoggedSessions, NobodyEnv  # noqa: E402

t = TAP()
env = NobodyEnv(t, "cpsame-", 0o777)
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
W = "urn:example:w"
RULES = ('<rule><name>open</name><path xmlns:w="%s">/w:open</path>'
         '<access-operations>create update delete</access-operations><action>permit</action></rule>'
         % W)
NO_COPY = ('<rule><name>no-copy</name><module-name>*</module-name><rpc-name>copy-config</rpc-name>'
           '<access-operations>exec</access-operations><action>deny</action></rule>')


def nacm(rules):
    return ('<nacm xmlns="%s"><rule-list><name>nobodies</name><group>nogroup</group>%s'
            '</rule-list></nacm>' % (NACM_NS, rules))


DATA = ('<open xmlns="%s"><v>1</v></open><closed xmlns="%s"><v>1</v></closed>'
        '<things xmlns="%s"><thing><id>a</id><v>1</v></thing><thing><id>b</id><v>2</v></thing>'
        '</things>' % (W, W, W))
FILES = ("running.xml", "running.journal", "startup.xml")
sessions = LoggedSessions(env)


def session(as_nobody=False):
    return sessions.start(as_nobody)


def audit_lines():
    return sessions.audit_lines()


def files():
    out = {}
    for name in FILES:
        try:
            st = os.stat(os.path.join(env.ds, name))
            out[name] = (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            out[name] = None
    return out


def copy(nc, target, source):
    src = source if source in ("<running/>", "<candidate/>", "<startup/>") else \
        "<config>%s</config>" % source
    return nc.rpc("<copy-config><target><%s/></target><source>%s</source></copy-config>"
                  % (target, src))


try:
    root = session()
    rep = copy(root, "running", nacm(RULES) + DATA)
    t.ok(root.ok(rep), "root copies rules and data to running", NcRaw.errors(rep))
    t.ok(root.ok(copy(root, "startup", "<running/>")), "... and running to startup")
    sub = session()
    t.ok(sub.ok(sub.rpc('<create-subscription xmlns="%s"/>' % NOTIF_NS)), "a session subscribes")
    mark = 0

    def unchanged(what, nc, target, source):
        """An unchanged copy: ok, no file written, no line; the next event is the next change's."""
        global mark
        before, lines = files(), len(audit_lines())
        rep = copy(nc, target, source)
        t.ok(nc.ok(rep), "%s: <ok/>" % what, NcRaw.errors(rep))
        t.eq(files(), before, "%s: %s as they were (inode, size, mtime)" % (what, ", ".join(FILES)))
        t.eq(audit_lines()[lines:], [], "%s: no audit line" % what)
        mark += 1
        m = '<mark xmlns="%s">%d</mark>' % (W, mark)
        t.ok(root.ok(root.edit_config("running", m)),
             "%s: root then changes running" % what)
        ev = sub.next_config_change()
        t.ok("<datastore>running</datastore>" in ev and "mark" in ev,
             "%s: no netconf-config-change; the next one is root's change" % what, ev)
        return m

    m = unchanged("inline config equal to running", root, "running", nacm(RULES) + DATA)
    # the same again from a new session: running comes packed from its files
    fresh = session()
    m = unchanged("the same in a new session (running read packed)", fresh, "running",
                  nacm(RULES) + DATA + m)
    t.ok(root.ok(copy(root, "startup", "<running/>")), "root copies running to startup")
    sub.next_config_change()
    fresh = session()
    unchanged("running -> startup, equal", fresh, "startup", "<running/>")
    fresh = session()
    unchanged("candidate (absent: running) -> running", fresh, "running", "<candidate/>")

    # a copy that changes something does it all
    before, seen = files(), Counter(audit_lines())
    rep = copy(root, "running", nacm(RULES) + DATA)
    t.ok(root.ok(rep), "a copy that drops the marks: <ok/>", rep)
    after = files()
    t.ok(after["running.xml"] != before["running.xml"], "... running.xml written", (before, after))
    new = list((Counter(audit_lines()) - seen).elements())	# new lines may land mid-list
    t.ok(len(new) == 1 and new[0].endswith("session %d: user root changed running (copy-config, "
                                           "1 edit)" % root.session_id), "... its audit line", new)
    ev = sub.next_config_change()
    t.ok("<datastore>running</datastore>" in ev and "mark" in ev, "... its netconf-config-change", ev)
    before, lines = files(), len(audit_lines())
    rep = copy(root, "startup", "<running/>")
    t.ok(root.ok(rep) and files()["startup.xml"] != before["startup.xml"],
         "a copy running -> startup that changes it writes startup.xml", rep)
    t.eq(len(audit_lines()) - lines, 1, "... with its audit line")
    ev = sub.next_config_change()
    t.ok("<datastore>startup</datastore>" in ev, "... and its netconf-config-change", ev)

    # what differs in any way is a change: each copy from a new session
    # (running packed) writes running.xml and logs its line, and root's
    # copy back (its running unpacked) does too
    base = nacm(RULES) + DATA
    entry_b = '<thing><id>b</id><v>2</v></thing>'
    for what, variant in (
            ("an attribute added", DATA.replace('<open xmlns="%s">' % W, '<open xmlns="%s" a="1">' % W)),
            ("an attribute added to a list entry", DATA.replace('<thing><id>b', '<thing a="1"><id>b')),
            ("a namespace", DATA.replace('<closed xmlns="%s">' % W, '<closed xmlns="%s2">' % W)),
            ("a leaf's text in an entry, same length", DATA.replace(entry_b, entry_b.replace("2", "3"))),
            ("an extra trailing leaf in an entry", DATA.replace(entry_b, entry_b.replace("</v>", "</v><x>3</x>"))),
            ("an extra entry at the end", DATA.replace("</things>", "<thing><id>c</id></thing></things>")),
            ("the last entry gone", DATA.replace(entry_b, "")),
            ("an extra top-level node at the end", DATA + '<extra xmlns="%s"/>' % W),
            ("the entries' order", DATA.replace('<thing><id>a</id><v>1</v></thing>' + entry_b,
                                                entry_b + '<thing><id>a</id><v>1</v></thing>'))):
        for who, nc, cfg in (("from a new session", session(), nacm(RULES) + variant),
                             ("root's copy back", root, base)):
            before, lines = files(), len(audit_lines())
            rep = copy(nc, "running", cfg)
            t.ok(nc.ok(rep) and files()["running.xml"] != before["running.xml"],
                 "%s, %s: running.xml written" % (what, who), rep)
            t.eq(len(audit_lines()) - lines, 1, "%s, %s: its audit line" % (what, who))
            sub.next_config_change()
    # q: is declared and used in each, so that only what is named differs
    opened = '%s<open xmlns="%s" xmlns:q="urn:q" q:b="0" %%s>%%s</open>' % (nacm(RULES), W)
    t.ok(root.ok(copy(root, "running", opened % ('a="1"', '<v>1</v><q:u>1</q:u>'))),
         "root copies /w:open with a=\"1\"")
    sub.next_config_change()
    for what, attr, inside in (("an attribute's value", 'a="2"', '<v>1</v><q:u>1</q:u>'),
                               ("an attribute's namespace", 'q:a="2"', '<v>1</v><q:u>1</q:u>'),
                               ("elements' namespaces", 'q:a="2"', '<q:v>1</q:v><u>1</u>')):
        before, lines = files(), len(audit_lines())
        rep = copy(session(), "running", opened % (attr, inside))
        t.ok(root.ok(rep) and files()["running.xml"] != before["running.xml"],
             "%s changed, from a new session: running.xml written" % what, rep)
        t.eq(len(audit_lines()) - lines, 1, "... its audit line")
        sub.next_config_change()
    t.ok(root.ok(copy(root, "running", base)), "root copies rules and data back")
    sub.next_config_change()
    # the candidate keeps the whole path: the copy makes it, equal or not
    rep = copy(root, "candidate", "<running/>")
    t.ok(root.ok(rep), "root copies running to the absent candidate", rep)
    other = session()
    rep = other.rpc("<lock><target><candidate/></target></lock>")
    t.ok(not other.ok(rep),
         "... equal to running, still made: another session cannot lock the changed candidate",
         rep)
    t.ok(root.ok(root.rpc("<discard-changes/>")), "root discards the candidate")

    # the lock still refuses an unchanged copy
    other = session()
    for ds in ("running", "startup"):
        t.ok(root.ok(root.rpc("<lock><target><%s/></target></lock>" % ds)), "root locks %s" % ds)
        before = files()
        rep = copy(other, ds, "<running/>" if ds == "startup" else nacm(RULES) + DATA)
        t.ok("in-use" in NcRaw.tags(rep), "an unchanged copy onto locked %s: in-use" % ds, rep)
        t.eq(files(), before, "... nothing written")
        t.ok(root.ok(root.rpc("<unlock><target><%s/></target></unlock>" % ds)),
             "root unlocks %s" % ds)

    # NACM: the answers of today
    nb = session(as_nobody=True)
    t.ok(nb.ok(copy(nb, "running", "<candidate/>")),
         "nobody's unchanged copy candidate -> running: <ok/> (no write right needed)")
    t.ok(nb.ok(copy(nb, "startup", "<running/>")),
         "nobody's unchanged copy running -> startup: <ok/>")
    t.ok(root.ok(root.edit_config("candidate", '<closed xmlns="%s"><v>9</v></closed>' % W)),
         "root changes /w:closed in the candidate")
    rep = copy(nb, "running", "<candidate/>")
    t.ok("access-denied" in NcRaw.tags(rep), "nobody's copy that changes /w:closed: access-denied",
         rep)
    t.ok(root.ok(root.rpc("<discard-changes/>")), "root discards it")
    # an attribute is data that running keeps: changing only one is an
    # update of its node, which nobody may not write (nacm_diff.c)
    for what, variant, target in (
            ("/w:closed (top level)", DATA.replace('<closed xmlns="%s">' % W,
                                                   '<closed xmlns="%s" a="1">' % W), "/closed"),
            ("/w:closed/w:v (nested leaf)", DATA.replace('<closed xmlns="%s"><v>' % W,
                                                         '<closed xmlns="%s"><v a="1">' % W),
             "/closed/v"),
            ("the entry /w:things/w:thing[b] (nested)", DATA.replace('<thing><id>b', '<thing a="1"><id>b'),
             "/things/thing[id='b']")):
        before = files()
        rep = copy(nb, "running", nacm(RULES) + variant)
        t.ok("access-denied" in NcRaw.tags(rep),
             "nobody's copy changing only an attribute of %s: access-denied" % what, rep)
        t.ok(files() == before and 'a="1"' not in text(root.rpc(
            "<get-config><source><running/></source></get-config>")), "... running unchanged")
        seen = Counter(audit_lines())	# each session's log: new lines may land in the middle
        rep = copy(root, "running", nacm(RULES) + variant)
        got = text(root.rpc("<get-config><source><running/></source></get-config>"))
        t.ok(root.ok(rep) and 'a="1"' in got, "root's same copy: kept", rep)
        new = list((Counter(audit_lines()) - seen).elements())
        t.ok(len(new) == 1 and new[0].endswith("session %d: user root changed running (copy-config, "
                                               "1 edit)" % root.session_id),
             "... its audit line: 1 edit", new)
        ev = sub.next_config_change()
        while ev != "" and "<datastore>running</datastore>" not in ev:
            ev = sub.next_config_change()	# the candidate's changes above
        edits = re.findall(r"<target[^>]*>([^<]*)</target>\s*<operation>([^<]*)</operation>", ev)
        t.ok(len(edits) == 1 and re.sub(r"[\w.-]+:", "", html.unescape(edits[0][0])) == target and
             edits[0][1] == "merge", "... its netconf-config-change: an update (merge) of %s" % what, ev)
        t.ok(root.ok(copy(root, "running", nacm(RULES) + DATA)), "root copies the data back")
        sub.next_config_change()
    # edit-config keeps an existing node's attributes (a merge writes texts
    # and children): nobody's merge of an attribute changes nothing
    nb.edit_config("running", '<closed xmlns="%s" a="1"><v>1</v></closed>' % W)
    t.ok('a="1"' not in text(root.rpc("<get-config><source><running/></source></get-config>")),
         "nobody's merge of only an attribute of /w:closed: running keeps its attributes")
    t.ok(root.ok(root.edit_config("running", nacm(NO_COPY))) and
         root.ok(copy(root, "startup", "<running/>")), "root denies nobody copy-config, running -> startup")
    before, lines = files(), len(audit_lines())
    for target, source in (("running", "<candidate/>"), ("startup", "<running/>")):
        rep = copy(nb, target, source)
        t.ok("access-denied" in NcRaw.tags(rep),
             "nobody's unchanged copy %s -> %s: access-denied by the exec rule"
             % (source, target), rep)
    t.eq(files(), before, "... nothing written")
finally:
    sessions.close()
    env.cleanup()
t.done()
