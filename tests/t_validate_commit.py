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
re-create of the same entry among them) reach running.

The unique values are kept between edits and commits (tree/
validate_unique.c, folded from each kept edit's log), so the last part
checks that table on the paths that keep it: a clash through a value an
earlier commit wrote (committed by this session, or by another one and
replayed from the journal), a value freed by a rename or a delete and
taken again, the table after discard-changes, after a refused edit of
running and after a no-op edit, and the first edit of running after a
commit."""
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



def commit_with(what, edits, ok, nc=None):
    """edits (config) to the candidate by nc (default a), then its commit: accepted (ok) or
    refused with data-not-unique; a refused one is discarded."""
    nc = nc or a
    for cfg in edits:
        r = edit(nc, "candidate", cfg)
        if not NcRaw.ok(r):
            t.ok(False, "%s: candidate edit accepted" % what, NcRaw.errors(r))
    errs = NcRaw.errors(nc.rpc("<commit/>"))
    if ok:
        t.ok(not errs, "kept unique values: %s: commit accepted" % what, errs)
    else:
        t.ok(len(errs) == 1 and errs[0].get("error-app-tag") == "data-not-unique",
             "kept unique values: %s: commit refused, data-not-unique" % what, errs)
        nc.rpc("<discard-changes/>")


def running_edit(what, cfg, ok, nc=None):
    errs = NcRaw.errors(edit(nc or a, "running", cfg))
    if ok:
        t.ok(not errs, "kept unique values: %s: edit of running accepted" % what, errs)
    else:
        t.ok(len(errs) == 1 and errs[0].get("error-app-tag") == "data-not-unique",
             "kept unique values: %s: edit of running refused, data-not-unique" % what, errs)


# a value an earlier commit wrote: the next commit and the next edit of running see it
commit_with("item 20 renamed to moved-20", [refs(item(20, alpha="moved-20"))], True)
commit_with("item 21 takes moved-20, written by the commit before", [refs(item(21, alpha="moved-20"))], False)
running_edit("item 22 takes moved-20 (first edit of running after commits)",
             refs(item(22, alpha="moved-20")), False)
# a value freed by a rename, then taken by one entry (fine), then by a second (a clash)
commit_with("item 30 renamed, freeing alpha-30", [refs(item(30, alpha="renamed-30"))], True)
commit_with("item 31 takes the freed alpha-30", [refs(item(31, alpha="alpha-30"))], True)
commit_with("item 32 takes alpha-30, now item 31's", [refs(item(32, alpha="alpha-30"))], False)
running_edit("item 33 takes alpha-30, now item 31's", refs(item(33, alpha="alpha-30")), False)
running_edit("item 30 takes back alpha-30, now item 31's", refs(item(30, alpha="alpha-30")), False)
# a value freed by a delete: a new entry takes it, then a second clashes with the new one
commit_with("item 40 deleted", [refs(item(40, attrs=' nc:operation="delete"'))], True)
commit_with("a new item 901 takes the deleted one's alpha-40", [refs(item(901, alpha="alpha-40"))], True)
commit_with("item 41 takes alpha-40, now item 901's", [refs(item(41, alpha="alpha-40"))], False)
running_edit("item 42 takes alpha-40, now item 901's", refs(item(42, alpha="alpha-40")), False)
# after discard-changes the discarded rename is gone: item 52 holds alpha-52 again
edit(a, "candidate", refs(item(52, alpha="discarded-52")))
t.ok(NcRaw.ok(a.rpc("<discard-changes/>")), "kept unique values: item 52 renamed in the candidate, discarded")
commit_with("item 53 takes alpha-52 after the discard", [refs(item(53, alpha="alpha-52"))], False)
running_edit("item 54 takes alpha-52 after the discard", refs(item(54, alpha="alpha-52")), False)
commit_with("item 55 takes discarded-52, which nobody holds", [refs(item(55, alpha="discarded-52"))], True)
# a refused edit of running is undone: item 60 keeps alpha-60
running_edit("item 60 takes item 61's alpha-61", refs(item(60, alpha="alpha-61")), False)
running_edit("item 62 takes alpha-60 after the refused edit", refs(item(62, alpha="alpha-60")), False)
commit_with("item 63 takes alpha-60 after the refused edit", [refs(item(63, alpha="alpha-60"))], False)
# a no-op edit (the same value again) changes nothing
running_edit("item 64 written with its own value", refs(item(64, alpha="alpha-64")), True)
commit_with("item 65 takes alpha-64 after a no-op edit", [refs(item(65, alpha="alpha-64"))], False)
# edits of running between commits, then a commit that clashes with one of them
running_edit("item 70 renamed to run-70 on running", refs(item(70, alpha="run-70")), True)
commit_with("item 71 takes run-70, written on running", [refs(item(71, alpha="run-70"))], False)
commit_with("item 72 takes item 70's freed alpha-70", [refs(item(72, alpha="alpha-70"))], True)
# another session's commits reach this session's table through the journal
commit_with("session b renames item 80 to b-80", [refs(item(80, alpha="b-80"))], True, nc=b)
running_edit("item 81 takes b-80, committed by session b", refs(item(81, alpha="b-80")), False)
commit_with("item 82 takes b-80, committed by session b", [refs(item(82, alpha="b-80"))], False)
commit_with("session b renames item 83 to b-83", [refs(item(83, alpha="b-83"))], True, nc=b)
commit_with("item 84 takes b-83, committed by session b", [refs(item(84, alpha="b-83"))], False)
commit_with("item 85 takes item 83's freed alpha-83", [refs(item(85, alpha="alpha-83"))], True)
# what running holds: each value once
vals = [it.findtext("{%s}cfg/{%s}alpha" % (REFS, REFS))
        for it in ET.fromstring(running(a)).iter("{%s}item" % REFS)]
vals = [v for v in vals if v is not None]
dups = sorted(set(v for v in vals if vals.count(v) > 1))
t.ok(not dups and "moved-20" in vals and "b-80" in vals and "alpha-83" in vals,
     "kept unique values: running holds each alpha once, the accepted commits' among them", dups)

for p in procs:
    p.close()
env.cleanup()
t.done()
