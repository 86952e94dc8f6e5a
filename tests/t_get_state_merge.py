#!/usr/bin/python3
"""<get> with state joining configuration (issue 15, ops/get_merge.c),
byte for byte: a state provider's top-level node that matches a
configuration top-level node (name and namespace) joins the first such
node in place, a second provider's node of that name joins it too, one
of its own follows running's nodes; running's nodes keep their order.
Unfiltered (running's other nodes written from running, not copied),
and through subtree and XPath filters selecting configuration and state
(the merged copy), and on an empty running.  The expected documents are
the replies of the server before the change (the whole merged copy).
A filtered <get> copies only running's top-level nodes its filter may
select (tree/filter_scope.c): a node selected that no state joins, one
an XPath predicate reads, the text string(/) reads, and an unprefixed
name the data resolve must all read as from the whole copy."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, SshEnv  # noqa: E402
from ncraw import NcRaw, edit, raw  # noqa: E402

EX = "urn:example:gm"
EX2 = "urn:example:gm2"
NACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
t = TAP()

env = SshEnv(name="nc-getmerge")
state = os.path.join(env.dir, "state.d")
os.makedirs(state)
env.netconf_conf = 'state-providers = "%s"\n' % state
env.write_nchome_conf("")
for name, body in (("a-joins", '<counter xmlns="%s"><n>7</n></counter>' % EX),
                   ("b-own", '<gauge xmlns="%s"><v>1</v></gauge>' % EX),
                   ("c-joins-too", '<counter xmlns="%s"><m>8</m></counter>' % EX),
                   ("d-other-ns", '<other xmlns="%s"><s>2</s></other>' % EX)):
    p = os.path.join(state, name)
    with open(p, "w") as f:
        f.write("#!/bin/sh\necho '%s'\n" % body)
    os.chmod(p, 0o755)

C1 = '<counter xmlns="%s"><limit>5</limit>' % EX
C2 = '<counter xmlns="%s"><limit>6</limit></counter>' % EX
OTHER = '<other xmlns="%s"><a>1</a></other>' % EX2
GAUGE = '<gauge xmlns="%s"><v>1</v></gauge>' % EX
OWN_OTHER = '<other xmlns="%s"><s>2</s></other>' % EX
JOINED = C1 + "<n>7</n><m>8</m></counter>"
# unfiltered, each joined child keeps the declaration it had in the provider's output
JOINED_AS_IS = C1 + '<n xmlns="%s">7</n><m xmlns="%s">8</m></counter>' % (EX, EX)


def session():
    p = subprocess.Popen([NETCONF, "-f", env.conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=dict(os.environ, USER="root"))
    return NcRaw.session(p)


def data(reply):
    m = re.search(rb"<data>(.*)</data>|<data/>", reply, re.S)
    return (m.group(1) or b"").decode() if m else "NO DATA: %r" % reply[:300]


def tops(d):
    """The top-level start tags of d, in order."""
    out, depth = [], 0
    for m in re.finditer(r"<(/?)([A-Za-z_][\w.:-]*)([^>]*?)(/?)>", d):
        if m.group(1):
            depth -= 1
        else:
            if depth == 0:
                out.append(m.group(2))
            if not m.group(4):
                depth += 1
    return out


nc = None
try:
    nc = session()
    # empty running: state alone, no configuration node to join
    d = data(raw(nc, "<get/>"))
    t.ok(d.startswith("<netconf-state") and GAUGE in d and "<counter" in d and "<limit>" not in d,
         "empty running: the state nodes alone", d[:200])
    t.ok(edit(nc, C1 + "</counter>" + OTHER + C2), "configuration with two counters and an other")

    d = data(raw(nc, "<get/>"))
    t.ok(d.startswith(JOINED_AS_IS + OTHER + C2),
         "unfiltered: both counter states joined the first counter in place, running's order kept",
         d[:300])
    t.eq([x for x in tops(d) if x in ("counter", "other", "gauge")][:6],
         ["counter", "other", "counter", "gauge", "other"],
         "top-level order: running's nodes, then the state nodes of their own in provider order")
    t.ok(d.endswith(GAUGE + OWN_OTHER), "the providers' own nodes come last, as they are", d[-200:])

    sub = data(raw(nc, '<get><filter type="subtree"><counter xmlns="%s"/><gauge xmlns="%s"/>'
                       '</filter></get>' % (EX, EX)))
    t.eq(sub, JOINED + C2 + GAUGE, "subtree filter selecting configuration and state")
    sub = data(raw(nc, '<get><filter type="subtree"><counter xmlns="%s"><limit>5</limit></counter>'
                       '</filter></get>' % EX))
    t.eq(sub, JOINED, "subtree filter picking the joined entry by its key")
    xp = data(raw(nc, '<get><filter type="xpath" xmlns:g="%s" select="/g:counter | /g:gauge"/>'
                      '</get>' % EX))
    t.eq(xp, JOINED + C2 + GAUGE, "XPath filter selecting configuration and state")
    xp = data(raw(nc, '<get><filter type="xpath" xmlns:g="%s" select="/g:counter[g:limit=\'6\']"/>'
                      '</get>' % EX))
    t.eq(xp, C2, "XPath filter picking the entry no state joins")
    wd = data(raw(nc, '<get><with-defaults xmlns="urn:ietf:params:xml:ns:yang:'
                      'ietf-netconf-with-defaults">report-all</with-defaults></get>'))
    t.ok(wd.startswith(JOINED_AS_IS + OTHER + C2), "with-defaults report-all: the same joins", wd[:300])
    t.ok("<enable-nacm>true</enable-nacm>" in wd and "<enable-nacm>" not in d,
         "report-all adds defaults (the nacm state's container), explicit does not")
    cfg = data(raw(nc, "<get-config><source><running/></source></get-config>"))
    t.eq(cfg, C1 + "</counter>" + OTHER + C2, "running itself is unchanged by the joins")

    # filters reaching state copy only the top-level nodes they may select
    d = data(raw(nc, '<get><filter type="subtree"><nacm xmlns="%s"/><other xmlns="%s"/>'
                     '</filter></get>' % (NACM, EX2)))
    t.ok(d.startswith(OTHER + "<nacm") and "<denied-operations>" in d and "<counter" not in d,
         "subtree for /nacm (state) and a configuration node no state joins", d[:300])
    d = data(raw(nc, '<get><filter type="subtree"><other/></filter></get>'))
    t.eq(d, OTHER + OWN_OTHER, "subtree name in the base namespace (from <rpc>): every namespace")
    xp = data(raw(nc, '<get><filter type="xpath" xmlns:g="%s" xmlns:h="%s" '
                      'select="/g:gauge[count(/h:other) = 1]"/></get>' % (EX, EX2)))
    t.eq(xp, GAUGE, "XPath predicate counting another top-level node")
    xp = data(raw(nc, '<get><filter type="xpath" xmlns:g="%s" xmlns:h="%s" '
                      'select="/g:gauge[/h:other/h:a = \'1\'] | /g:counter[g:limit = \'6\']"/></get>'
                      % (EX, EX2)))
    t.eq(xp, C2 + GAUGE, "XPath union, a predicate on another top-level node's leaf")
    t.ok(edit(nc, '<z xmlns="%s"><s>zzq</s></z>' % EX2), "configuration with a z holding an s")
    xp = data(raw(nc, '<get><filter type="xpath" xmlns:g="%s" '
                      'select="/g:gauge[contains(string(/), \'zzq\')]"/></get>' % EX))
    t.eq(xp, GAUGE, "XPath string(/): the text of every node, z's too")
    xp = data(raw(nc, '<get><filter type="xpath" xmlns:g="%s" select="/g:other/s"/></get>' % EX))
    t.eq(xp, "", "XPath unprefixed s, in two namespaces of the data (z's too): stays unresolved")
    xp = data(raw(nc, '<get><filter type="xpath" xmlns:g="%s" select="/g:other/g:s"/></get>' % EX))
    t.eq(xp, OWN_OTHER, "the same prefixed: the state's s")
    nc.close()
    nc = None
finally:
    if nc is not None:
        nc.kill()
    env.cleanup()
t.done()
