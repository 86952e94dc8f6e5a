#!/usr/bin/python3
"""Issue 16: a commit of the candidate is validated from the edits that
made it (the overlay's journal, tree/validate_edits.c), not from a
comparison with running.  A commit whose edits are small but break a
constraint reaching other entries must still be refused, and running
stay unchanged: unique against an entry the edits did not name (an
entry changed, a new one, the clash made by an earlier edit of the
candidate than the last, the clash made by another session's edit),
a leafref whose target the edits deleted or that names nothing, a
must, min-elements and max-elements.  Valid commits (a delete then a
re-create of the same entry among them) reach running."""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
REFS = "urn:example:bench-refs"
NT = "urn:nchome:test"
TOP = os.environ.get("NCHOME_TOP", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
N = 300		# entries: enough for the list index the edits find entries by

t = TAP()
env = SshEnv(name="nc-valcommit", netconf_conf='  yang-dir = "%s/tests/yang"\n'
             '  module "example-bench-refs" {}\n  module "nchome-test" {}\n' % TOP)
procs = []


def session():
    nc = NcRaw(env.netconf_direct())
    procs.append(nc)
    nc.hello("1.1")
    return nc


def item(i, alpha=None, beta=None, peer=None, attrs=""):
    cfg = "".join("<%s>%s</%s>" % (k, v, k) for k, v in (("alpha", alpha), ("beta", beta), ("peer", peer))
                  if v is not None)
    return "<item%s><name>item-%06d</name>%s</item>" % (attrs, i, "<cfg>%s</cfg>" % cfg if cfg else "")


def refs(body):
    return '<top xmlns="%s">%s</top>' % (REFS, body)


def pairs(body):
    return '<top xmlns="%s">%s</top>' % (NT, body)


def edit(nc, target, config):
    return nc.rpc('<edit-config><target><%s/></target><config xmlns:nc="%s">%s</config></edit-config>'
                  % (target, NC, config))


def running(nc):
    r = nc.rpc("<get-config><source><running/></source></get-config>")
    d = r.find("{%s}data" % NC)
    return ET.tostring(d) if d is not None else b""


a = session()
body = "".join(item(i, alpha="alpha-%d" % i, beta="beta-%d" % i,
                    peer="item-%06d" % (i + 1) if i % 10 == 0 else None) for i in range(N))
r = edit(a, "running", refs(body) + pairs("<pair><id>1</id><a>x</a><b>y</b></pair>"))
t.ok(NcRaw.ok(r), "%d entries and a pair stored in running" % N, NcRaw.errors(r))
before = running(a)


def refused(what, edits, tag, app_tag, nc=None):
    """Each of edits (session, config) to the candidate, then a commit by nc (default a)."""
    for s, cfg in edits:
        r = edit(s, "candidate", cfg)
        if not NcRaw.ok(r):
            t.ok(False, "%s: candidate edit accepted" % what, NcRaw.errors(r))
    errs = NcRaw.errors((nc or a).rpc("<commit/>"))
    e = errs[0] if errs else {}
    t.ok(len(errs) == 1 and e.get("error-tag") == tag and e.get("error-app-tag") == app_tag,
         "commit refused, %s: %s, app-tag %s" % (what, tag, app_tag), errs)
    t.ok(running(a) == before, "%s: running unchanged" % what)
    t.ok(NcRaw.ok(a.rpc("<discard-changes/>")), "%s: discard-changes" % what)


refused("unique, a changed entry takes another's value",
        [(a, refs(item(5, alpha="alpha-7")))], "operation-failed", "data-not-unique")
refused("unique, a new entry takes an existing value",
        [(a, refs(item(900, alpha="alpha-3")))], "operation-failed", "data-not-unique")
refused("unique, the clash made by the first of two edits",
        [(a, refs(item(2, alpha="alpha-4"))), (a, refs(item(2, beta="later")))],
        "operation-failed", "data-not-unique")
b = session()
refused("unique, the clash made by another session's edit of the candidate",
        [(a, refs(item(8, beta="mine"))), (b, refs(item(9, alpha="alpha-11")))],
        "operation-failed", "data-not-unique")
refused("leafref, its target deleted",
        [(a, refs(item(1, attrs=' nc:operation="delete"')))], "data-missing", "instance-required")
refused("leafref, names no entry",
        [(a, refs(item(3, peer="item-999999")))], "data-missing", "instance-required")
refused("must", [(a, refs(item(4, peer="item-000004")))], "operation-failed", "must-violation")
refused("min-elements", [(a, pairs('<pair nc:operation="delete"><id>1</id></pair>'))],
        "operation-failed", "too-few-elements")
refused("max-elements", [(a, pairs("<pair><id>%d</id><a>a%d</a></pair>" % (i, i))) for i in range(2, 12)],
        "operation-failed", "too-many-elements")

# valid commits reach running
for what, edits in [("a beta changed", [refs(item(6, beta="new-beta"))]),
                    ("an entry deleted, then created again",
                     [refs(item(12, attrs=' nc:operation="delete"')),
                      refs(item(12, alpha="alpha-12-again", beta="b"))]),
                    ("two alphas swapped through a free value",
                     [refs(item(13, alpha="free")), refs(item(14, alpha="alpha-13")),
                      refs(item(13, alpha="alpha-14"))])]:
    for cfg in edits:
        edit(a, "candidate", cfg)
    r = a.rpc("<commit/>")
    t.ok(NcRaw.ok(r), "a valid commit: %s" % what, NcRaw.errors(r))
now = {}
for it in ET.fromstring(running(a)).iter("{%s}item" % REFS):
    now[it.findtext("{%s}name" % REFS)] = (it.findtext("{%s}cfg/{%s}alpha" % (REFS, REFS)),
                                           it.findtext("{%s}cfg/{%s}beta" % (REFS, REFS)))
t.ok(now.get("item-000006", (0, 0))[1] == "new-beta" and now.get("item-000012") == ("alpha-12-again", "b")
     and now.get("item-000013", (0,))[0] == "alpha-14" and now.get("item-000014", (0,))[0] == "alpha-13",
     "the valid commits reached running", {k: now.get(k) for k in ("item-000006", "item-000012",
                                                                   "item-000013", "item-000014")})

for p in procs:
    p.close()
env.cleanup()
t.done()
