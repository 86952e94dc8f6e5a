#!/usr/bin/python3
"""running.index and NACM (subsystem/ops/config.c reply_keyed): a new
session that a read rule restricts answers a keyed filter through the
read check, whether from running or from running.index and
running.shared (which hold every entry).  Checked with user nobody
(setpriv) and a rule hiding entry e3: subtree and XPath filters by e3's
key give no e3, while an unrestricted new session (root) gets e3 through
the index (a change planted in running.shared shows).
t_keyed_nacm_account.py checks with a real account that the restricted
session's reply comes from the index, byte for byte the parse's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import Sessions, edit  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
B = "urn:example:kn"
t = TAP()
env = NobodyEnv(t, "keyed-nacm-", 0o777)
sessions = Sessions(env.popen, close_session=True)


SUBTREE = '<filter type="subtree"><top xmlns="%s"><item><name>%%s</name></item></top></filter>' % B
XPATH = '<filter type="xpath" xmlns:f="%s" select="/f:top/f:item[f:name=\'%%s\']"/>' % B

try:
    root = sessions.session(False)
    items = "".join("<item><name>e%d</name><v>v%d</v></item>" % (i, i) for i in range(200))
    rules = ('<nacm xmlns="%s"><rule-list><name>nobodies</name><group>nogroup</group>'
             '<rule><name>hide</name><path xmlns:f="%s">/f:top/f:item[f:name=\'e3\']</path>'
             '<access-operations>read</access-operations><action>deny</action></rule>'
             '</rule-list></nacm>' % (NACM_NS, B))
    t.ok(edit(root, '<top xmlns="%s">%s</top>%s' % (B, items, rules)),
         "root loads 200 entries (more than one packed subtree holds) and a rule hiding e3 from nobody")
    root.close()
    sessions.fresh_get(False)   # writes running.shared and running.index
    t.ok(os.path.exists(os.path.join(env.ds, "running.index")), "running.index written with the form")

    for kind, flt in (("subtree", SUBTREE), ("XPath", XPATH)):
        hidden = sessions.fresh_get(True, flt % "e3")
        seen = sessions.fresh_get(True, flt % "e5")
        t.ok(b"<rpc-reply" in hidden and b"e3" not in hidden,
             "nobody's new session, %s filter by e3's key: e3 stays hidden" % kind, hidden[:300])
        t.ok(b"<name>e5</name><v>v5</v>" in seen, "nobody's new session, %s filter by e5's key: e5" % kind,
             seen[:300])

    # the index answers an unrestricted new session (once running.nacm
    # exists: without it a session parses running for the rules): a
    # planted change shows
    shared = os.path.join(env.ds, "running.shared")
    with open(shared, "rb") as f:
        data = f.read()
    i = data.index(b"<name>e3</name><v>v3")
    with open(shared, "r+b") as f:
        f.seek(i + len(b"<name>e3</name><v>"))
        f.write(b"P")
    t.ok(b"<v>P3</v>" in sessions.fresh_get(False, SUBTREE % "e3") and
         b"<v>P3</v>" in sessions.fresh_get(False, XPATH % "e3"),
         "root's new sessions: e3 by key from running.shared through the index")

finally:
    sessions.kill()
    env.cleanup()
t.done()
