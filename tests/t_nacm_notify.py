#!/usr/bin/env python3
"""NACM on notifications and the /nacm counters (issue 14).

<create-subscription> is exec-checked like every RPC: a rule of nobody's
Unix group denying it answers access-denied.  A subscriber gets only the
notifications NACM lets it read (RFC 8341 3.4.6): with a rule denying
netconf-config-change to nobody's group, nobody's subscription gets the
session events but not the config change root makes, and the drop counts
in denied-notifications.

The counters denied-operations, denied-data-writes and
denied-notifications are served in <get> under /nacm, merged into
running's nacm container (one <nacm>), host-wide: a later session sees
what earlier ones counted.  nobody, who may not read /nacm
(default-deny-all), sees neither the rules nor the counters."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

t = TAP()
env = NobodyEnv(t, "nacmn-", 0o777)
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
W = "urn:example:w"
RULES = ('<nacm xmlns="%s"><rule-list><name>nobodies</name><group>nogroup</group>'
         '<rule><name>no-sub</name><module-name>*</module-name><rpc-name>create-subscription'
         '</rpc-name><access-operations>exec</access-operations><action>deny</action></rule>'
         '<rule><name>no-change-events</name><module-name>*</module-name>'
         '<notification-name>netconf-config-change</notification-name>'
         '<access-operations>read</access-operations><action>deny</action></rule>'
         '</rule-list></nacm>' % NACM_NS)


def counters(nc):
    r = nc.rpc('<get><filter type="subtree"><nacm xmlns="%s"/></filter></get>' % NACM_NS)
    out = {}
    nacms = r.findall(".//{%s}nacm" % NACM_NS) if r is not None else []
    for n in nacms:
        for c in n:
            tag = c.tag.split("}")[-1]
            if tag.startswith("denied-"):
                out[tag] = int(c.text)
    return out, len(nacms), text(r)


try:
    root = NcRaw(env.popen(False))
    root.hello()
    t.ok(root.ok(root.edit_config("running", RULES)), "root loads rules for nobody's group")
    c0, n0, raw = counters(root)
    t.ok(n0 == 1 and set(c0) == {"denied-operations", "denied-data-writes",
                                 "denied-notifications"},
         "root's <get> has one /nacm holding the three counters", raw)
    nb = NcRaw(env.popen(True))
    nb.hello()
    r = nb.rpc('<create-subscription xmlns="%s"/>' % NOTIF_NS)
    errs = nb.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied",
         "<create-subscription> denied by an exec rule: access-denied", repr(errs))
    r = nb.edit_config("running", '<closed xmlns="%s"><v>1</v></closed>' % W)
    errs = nb.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied", "a denied write", repr(errs))
    _, nn, raw = counters(nb)
    t.ok(nn == 0 and "denied-" not in raw and "nobodies" not in raw,
         "nobody's <get> shows neither the rules nor the counters", raw)
    nb.close()
    # a new root session: the counters are host-wide
    root.close()
    root = NcRaw(env.popen(False))
    root.hello()
    c1, _, raw = counters(root)
    t.ok(c1.get("denied-operations", 0) >= c0["denied-operations"] + 1 and
         c1.get("denied-data-writes", 0) >= c0["denied-data-writes"] + 1,
         "a later session sees nobody's denied operation and data write", "%r %r" % (c0, c1))
    # the subscription rule goes; the notification rule stays
    t.ok(root.ok(root.edit_config("running",
                      '<nacm xmlns="%s"><rule-list><name>nobodies</name><rule '
                      'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="delete">'
                      '<name>no-sub</name></rule></rule-list></nacm>' % NACM_NS)),
         "root removes the create-subscription rule")
    nb = NcRaw(env.popen(True))
    nb.hello()
    t.ok(nb.ok(nb.rpc('<create-subscription xmlns="%s"/>' % NOTIF_NS)), "nobody subscribes")
    t.ok(root.ok(root.edit_config("running", '<open xmlns="%s"><v>7</v></open>' % W)),
         "root changes running (a netconf-config-change nobody may not read)")
    other = NcRaw(env.popen(False))
    other.hello()
    other.close()   # netconf-session-start and -end: nobody may read those
    got = []
    try:
        while not any("netconf-session-end" in g for g in got):
            m = nb.read_msg(timeout=10)   # scaled by NCHOME_TIME_SCALE
            if m is None:
                break
            got.append(m.decode("utf-8", "replace"))
    except TimeoutError:
        pass
    t.ok(any("netconf-session-end" in g for g in got), "nobody gets the session events",
         repr(got)[:2000])
    t.ok(not any("netconf-config-change" in g for g in got),
         "... but not the config change (denied by notification-name)", repr(got)[:2000])
    c2, _, raw = counters(root)
    t.ok(c2.get("denied-notifications", 0) >= c1.get("denied-notifications", 0) + 1,
         "denied-notifications counted it", "%r %r" % (c1, c2))
    nb.close()
    root.close()
finally:
    env.cleanup()
t.done()
