#!/usr/bin/env python3
"""NACM and libyang's messages (RFC 8341 3.4.3): a unique clash's message
names the other entry ("Unique data leaf(s) ... not satisfied in
\"/m:l[k='a']\" and \"/m:l[k='b']\""), which a session may be denied.

With example-bench (unique cfg/alpha) and a rule hiding item-000002 from
user nobody: root's clash with item-000002 gets libyang's message, which
names item-000002; nobody's same clash keeps its tag, app-tag and a
readable error-path, but the message is withheld and item-000002 appears
nowhere in the reply.  A clash with an entry nobody may read is
withheld the same way (the rule looks for quoted paths, not for which)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

t = TAP()
env = NobodyEnv(t, "nacm-uniq-", 0o777)
ACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
B = "urn:example:bench"
YANG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "yang")

# nobody may not read under root's 0700 home: the module goes beside the conf
env.add_yang_dir(copies=[os.path.join(YANG, "example-bench@2024-05-01.yang")],
                 settings=["module example-bench {}"])

NACM = ('<nacm xmlns="%s"><write-default>permit</write-default>'
        '<rule-list><name>hide-list</name><group>nogroup</group>'
        '<rule><name>hide-2</name><path xmlns:eb="%s">/eb:top/eb:item[eb:name=\'item-000002\']</path>'
        '<access-operations>read</access-operations><action>deny</action></rule>'
        '</rule-list></nacm>' % (ACM, B))


def item(n, alpha):
    return '<item><name>item-%06d</name><cfg><alpha>%s</alpha></cfg></item>' % (n, alpha)


def edit(nc, inner):
    return nc.rpc('<edit-config><target><running/></target><config><top xmlns="%s">%s</top></config>'
                  '</edit-config>' % (B, inner))


try:
    root = NcRaw(env.popen(False))
    root.hello()
    r = root.rpc('<edit-config><target><running/></target><config>%s<top xmlns="%s">%s%s</top>'
                 '</config></edit-config>' % (NACM, B, item(1, "open"), item(2, "secret")))
    t.ok(root.ok(r), "root loads the rules, item-000001 and item-000002", text(r))
    r = edit(root, item(3, "secret"))
    errs = NcRaw.errors(r)
    t.ok(len(errs) == 1 and errs[0].get("error-app-tag") == "data-not-unique" and
         "item-000002" in (errs[0].get("error-message") or ""),
         "root's clash with item-000002: libyang's message names it", errs)

    nb = NcRaw(env.popen(True))
    nb.hello()
    r = nb.rpc('<get-config><source><running/></source></get-config>')
    t.ok(r is not None and "item-000001" in text(r) and "item-000002" not in text(r),
         "nobody reads item-000001 and not item-000002", text(r)[:400])
    # libyang's error-path is one of the two entries, its message names
    # both: before item-000002 (0) and after it (3), one of them is the
    # case where the path is readable and the message is not
    for n, other, what in ((0, "secret", "a hidden entry, from before it"),
                           (3, "secret", "a hidden entry, from after it"),
                           (4, "open", "a readable entry")):
        r = edit(nb, item(n, other))
        errs = NcRaw.errors(r)
        e = errs[0] if len(errs) == 1 else {}
        t.ok(e.get("error-tag") == "operation-failed",
             "nobody's clash with %s: refused, operation-failed" % what, errs)
        t.ok("item-000002" not in text(r) and "secret" not in text(r),
             "nobody's clash with %s: item-000002 named nowhere" % what, text(r))
        if "error-path" in e:
            t.ok(e.get("error-app-tag") == "data-not-unique" and
                 "withheld" in (e.get("error-message") or ""),
                 "nobody's clash with %s: a readable error-path, data-not-unique, the message "
                 "withheld" % what, e)
    r = nb.rpc('<get-config><source><running/></source></get-config>')
    t.ok(r is not None and all("item-%06d" % n not in text(r) for n in (0, 3, 4)),
         "nothing of the refused edits was applied", text(r)[:400])
finally:
    env.cleanup()
t.done()
