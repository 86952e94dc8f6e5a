#!/usr/bin/python3
"""Issue 16, validation with the operator's YANG modules loaded, over the
real program (tests/yang's nchome-test): mandatory, min-elements,
max-elements, unique, must, when and leafref, each refused with its
RFC 6241 error-tag, error-path and error-app-tag on an edit of running
(and nothing of the edit applied), on <validate> of the candidate and of
an inline config, on <commit> (running unchanged) and on copy-config to
running; edits of the candidate may leave it invalid until the commit;
data no module covers is not validated."""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

NT = "urn:nchome:test"
IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
TOP = os.environ.get("NCHOME_TOP", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"

t = TAP()
env = SshEnv(name="nc-validate", netconf_conf='  yang-dir = "%s/tests/yang"\n  module "nchome-test" {}\n'
             % TOP)
procs = []


def session():
    nc = NcRaw(env.netconf_direct())
    procs.append(nc)
    nc.hello("1.1")
    return nc


def top(x, attrs=""):
    return '<top xmlns="%s"%s>%s</top>' % (NT, attrs, x)


PAIR1 = "<pair><id>1</id><a>x</a><b>y</b></pair>"
IFS = ('<interfaces xmlns="%s" xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">'
       '<interface><name>eth0</name><type>ianaift:ethernetCsmacd</type></interface></interfaces>' % IF)


def edit(nc, target, config):
    return nc.rpc('<edit-config><target><%s/></target><config xmlns:nc="%s">%s</config></edit-config>'
                  % (target, NC, config))


def running(nc):
    """running's data as text (the reply's message-id left out)."""
    r = nc.rpc("<get-config><source><running/></source></get-config>")
    d = r.find("{%s}data" % NC)
    return ET.tostring(d) if d is not None else b""


def expect(what, reply, tag, path, app_tag=None):
    errs = NcRaw.errors(reply)
    e = errs[0] if errs else {}
    t.ok(len(errs) == 1 and e.get("error-tag") == tag and e.get("error-path") == path and
         (app_tag is None or e.get("error-app-tag") == app_tag),
         "%s: %s, error-path %s%s" % (what, tag, path, ", app-tag " + app_tag if app_tag else ""), errs)


a = session()
r = edit(a, "running", top(PAIR1 + "<iface>eth0</iface>") + IFS)
t.ok(NcRaw.ok(r), "valid model data stored in running", NcRaw.errors(r))
before = running(a)

CASES = [
    ("mandatory", top("<options/>"), "data-missing", "/nt:top/nt:options/nt:name", None),
    ("min-elements", top('<pair nc:operation="delete"><id>1</id></pair>'), "operation-failed",
     "/nt:top/nt:pair", "too-few-elements"),
    ("max-elements", top("<tag>a</tag><tag>b</tag><tag>c</tag><tag>d</tag>"), "operation-failed",
     "/nt:top/nt:tag[.='d']", "too-many-elements"),
    ("unique", top("<pair><id>2</id><a>x</a><b>y</b></pair>"), "operation-failed",
     "/nt:top/nt:pair[nt:id='2']", "data-not-unique"),
    ("must", top("<count>-1</count>"), "operation-failed", "/nt:top/nt:count", "must-violation"),
    ("when", top("<when-leaf>w</when-leaf>"), "operation-failed", "/nt:top/nt:when-leaf", None),
    ("leafref", top("<iface>eth9</iface>"), "data-missing", "/nt:top/nt:iface", "instance-required"),
    ("leafref target deleted",
     '<interfaces xmlns="%s"><interface nc:operation="delete"><name>eth0</name></interface></interfaces>' % IF,
     "data-missing", "/nt:top/nt:iface", "instance-required"),
]
for what, cfg, tag, path, app_tag in CASES:
    expect("edit of running, " + what, edit(a, "running", cfg), tag, path, app_tag)
    t.ok(running(a) == before, "edit of running, %s: nothing applied" % what)

r = edit(a, "running", top("<count>5</count><tag>a</tag>"))
t.ok(NcRaw.ok(r), "a valid edit of running is kept", NcRaw.errors(r))
before = running(a)

# the candidate may be invalid until the commit
r = edit(a, "candidate", top("<count>-1</count>"))
t.ok(NcRaw.ok(r), "an edit of the candidate is not validated", NcRaw.errors(r))
expect("validate of the candidate, must", a.rpc("<validate><source><candidate/></source></validate>"),
       "operation-failed", "/nt:top/nt:count", "must-violation")
expect("commit, must", a.rpc("<commit/>"), "operation-failed", "/nt:top/nt:count", "must-violation")
t.ok(running(a) == before, "commit refused: running unchanged")
t.ok(NcRaw.ok(a.rpc("<discard-changes/>")), "discard-changes")
r = edit(a, "candidate", top("<iface>eth9</iface>"))
expect("commit, leafref", a.rpc("<commit/>"), "data-missing", "/nt:top/nt:iface", "instance-required")
t.ok(running(a) == before, "commit refused (leafref): running unchanged")
r = edit(a, "candidate", top("<iface>eth0</iface><count>7</count>"))
t.ok(NcRaw.ok(a.rpc("<commit/>")), "a valid commit", NcRaw.errors(r))
t.ok([c.text for c in ET.fromstring(running(a)).iter("{%s}count" % NT)] == ["7"],
     "the valid commit reached running")
before = running(a)

expect("validate of an inline config, unique",
       a.rpc("<validate><source><config>%s</config></source></validate>"
             % top("<pair><id>1</id><a>x</a><b>y</b></pair><pair><id>2</id><a>x</a><b>y</b></pair>")),
       "operation-failed", "/nt:top/nt:pair[nt:id='2']", "data-not-unique")
expect("copy-config to running, min-elements",
       a.rpc("<copy-config><target><running/></target><source><config>%s</config></source></copy-config>"
             % top("<count>1</count>")),
       "operation-failed", "/nt:top/nt:pair", "too-few-elements")
t.ok(running(a) == before, "copy-config refused: running unchanged")
r = edit(a, "running", '<free xmlns="urn:example:nomodule"><x>1</x></free>')
t.ok(NcRaw.ok(r), "data no module covers is stored as before", NcRaw.errors(r))

for p in procs:
    p.close()
env.cleanup()
t.done()
