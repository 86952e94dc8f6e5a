#!/usr/bin/python3
"""Peak resident memory of nchome-netconf on each path of issue 15, and
population in batches against one bulk edit, on the 50,000-entry list of
bench_netconf.py.

Each path runs in a session of its own (nchome-netconf over pipes, no
sshd: memory and CPU of the server only), so each VmHWM is that path's
peak.  The goal: within 3 x the serialised store + 8 MB.  Paths:
  memory.bulk_load        one edit-config creating the entries
  memory.batches          50 edit-configs of 1,000 entries (then get-config)
  memory.rewrite          a new session: one edit giving every entry new values
  memory.subtree_key / memory.xpath_key   a new session: a filter for one entry
  memory.copy_config      a new session: copy-config running -> startup
  memory.nonlist          one edit of ~15 MB that is not a list (one container
                          of distinct leaves), into an empty store
Figures: memory.<path>_mb (VmHWM), memory.goal_mb, and the times
memory.bulk_load_s, memory.batches_s and their ratio memory.batches_vs_bulk.

The list's module (tests/yang/example-bench) is loaded unless BENCH_YANG=0.
BENCH_OLD_NETCONF=<path of another build's nchome-netconf> runs every path
with that build too, alternating (figures named memory.old.*).
BENCH_PATHS=rewrite,copy_config,... measures only those paths (bulk_load
always runs: it makes the store the others start from).
"""
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure, NETCONF  # noqa: E402
from netconf_pipes import Direct  # noqa: E402

B = "urn:example:bench"
N = int(os.environ.get("BENCH_ENTRIES", "50000"))
BATCH = 1000
PATHS = set(filter(None, os.environ.get("BENCH_PATHS", "").split(",")))


def wanted(name):
    return not PATHS or name in PATHS


def ok(reply):
    if b"<ok/>" not in reply and b":ok/>" not in reply:
        raise RuntimeError("rpc failed: %r" % reply[:600])


def entries(lo, hi, gen=0):
    return "".join('<item><name>item-%06d</name><cfg><alpha>value-alpha-%d-%06d-padding</alpha>'
                   '<beta>value-beta-%d-%06d-padding-padd</beta><gamma>value-gamma-%d-%06d-padding-padding-'
                   'padding-pad</gamma></cfg></item>' % (i, gen, i, gen, i, gen, i) for i in range(lo, hi))


def edit(body, ns=B, top="top"):
    return ('<edit-config><target><running/></target><config><%s xmlns="%s">%s</%s></config></edit-config>'
            % (top, ns, body, top))


def run_paths(prog, env, tag):
    """Every path with nchome-netconf prog; figures named memory.<tag>..."""
    ds = env.datastore_dir
    res = {}

    def fresh():
        shutil.rmtree(ds, ignore_errors=True)
        os.makedirs(ds)

    def session():
        return Direct(prog, env.conf)

    fresh()
    s = session()
    t0 = time.monotonic()
    ok(s.rpc(edit(entries(0, N))))
    res["bulk_load_s"] = time.monotonic() - t0
    res["bulk_load"] = s.hwm_mb()
    s.close()
    size = os.path.getsize(os.path.join(ds, "running.xml")) / 1e6

    if wanted("rewrite"):
        s = session()
        ok(s.rpc(edit(entries(0, N, gen=1))))
        res["rewrite"] = s.hwm_mb()
        s.close()
    key = "item-%06d" % (N // 2)
    for name, req in (("subtree_key", '<get-config><source><running/></source><filter type="subtree">'
                       '<top xmlns="%s"><item><name>%s</name></item></top></filter></get-config>' % (B, key)),
                      ("xpath_key", '<get-config><source><running/></source><filter type="xpath" '
                       'xmlns:b="%s" select="/b:top/b:item[b:name=\'%s\']"/></get-config>' % (B, key))):
        if not wanted(name):
            continue
        s = session()
        if s.rpc(req).count(b"<name>") != 1:
            raise RuntimeError(name + ": not one entry")
        res[name] = s.hwm_mb()
        s.close()
    if wanted("copy_config"):
        s = session()
        ok(s.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>"))
        res["copy_config"] = s.hwm_mb()
        s.close()

    if wanted("batches"):
        fresh()
        s = session()
        t0 = time.monotonic()
        for lo in range(0, N, BATCH):
            ok(s.rpc(edit(entries(lo, min(N, lo + BATCH)))))
        res["batches_s"] = time.monotonic() - t0
        s.rpc("<get-config><source><running/></source></get-config>")
        res["batches"] = s.hwm_mb()
        s.close()

    nsize = 0
    if wanted("nonlist"):
        fresh()
        s = session()
        blob = "".join("<leaf%06d>value-%06d-padding-padding-padding-padding-pad</leaf%06d>" % (i, i, i)
                       for i in range(15000000 // 70))
        ok(s.rpc(edit(blob, "urn:example:blob", "blob")))
        res["nonlist"] = s.hwm_mb()
        nsize = os.path.getsize(os.path.join(ds, "running.xml")) / 1e6
        s.close()
    return res, size, nsize


def report(tag, res, size, nsize):
    pre = "memory." + tag
    goal = 3 * size + 8
    for k in ("bulk_load", "batches", "rewrite", "subtree_key", "xpath_key", "copy_config"):
        if k not in res:
            continue
        figure("%s%s_mb" % (pre, k), res[k], "MB", "VmHWM of a session doing only this; goal <= %.1f "
               "(3 x %.1f MB store + 8)%s" % (goal, size, "" if res[k] <= goal else " MISSED"))
    ngoal = 3 * nsize + 8
    if "nonlist" in res:
        figure(pre + "nonlist_mb", res["nonlist"], "MB", "one ~15 MB edit that is not a list (store %.1f MB); "
               "goal <= %.1f%s" % (nsize, ngoal, "" if res["nonlist"] <= ngoal else " MISSED"))
    figure(pre + "bulk_load_s", res["bulk_load_s"], "s", "one edit-config of %d entries, pipes" % N)
    if "batches" in res:
        figure(pre + "batches_s", res["batches_s"], "s", "%d edit-configs of %d entries" % (N // BATCH, BATCH))
        figure(pre + "batches_vs_bulk", res["batches_s"] / res["bulk_load_s"], "x", "goal <= 1.5")


# BENCH_YANG=0: no module for the list (schema-less keys); else example-bench's
yang = os.environ.get("BENCH_YANG", "1") != "0"
env = SshEnv(name="bench-mem", netconf_conf='yang-dir = "%s"\nmodule example-bench {}\n' % os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "yang") if yang else "")
try:
    old = os.environ.get("BENCH_OLD_NETCONF")
    runs = [("", NETCONF)] + ([("old.", old)] if old else [])
    for tag, prog in runs:
        res, size, nsize = run_paths(prog, env, tag)
        report(tag, res, size, nsize)
finally:
    env.cleanup()
