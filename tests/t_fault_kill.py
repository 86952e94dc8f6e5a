#!/usr/bin/python3
"""Fault: kill -9 of nchome-netconf at random instants during edit-configs
and commits.

Each iteration starts a session (nchome-netconf over pipes), locks running
(and candidate for a commit), sends one changing operation, and SIGKILLs
the process after a random delay spread over the operation's own duration
(measured first).  Then a fresh session checks: running.xml, startup.xml
and candidate.xml (when present) are well-formed XML; running, startup and
candidate read back as exactly the old or the new content; and the killed
session's locks are free (lock running and candidate succeed after
discard-changes).  Operations: one-leaf edit of running, candidate edit +
commit, a bulk replace of every entry, copy-config running -> startup.
Default ITER iterations (make check); NCHOME_FULL=1: 1,000.
"""
import os
import random
import signal
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw, q  # noqa: E402
from fault_util import full_run  # noqa: E402

FULL = full_run()
ITER = 1000 if FULL else 50
ENTRIES = 400
X = "urn:example:kill"
NCOP = 'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"'

t = TAP()
t.diag("%s run: %d kills, %d list entries%s" % ("full" if FULL else "short", ITER, ENTRIES,
                                                  "" if FULL else " (NCHOME_FULL=1 for 1,000)"))
env = SshEnv("fault-kill")
# The operations and kill instants come from a seed: printed, so a failure
# can be replayed (NCHOME_SEED=N), though the machine's timing still varies.
SEED = int(os.environ.get("NCHOME_SEED", "0")) or random.SystemRandom().randrange(1, 2 ** 31)
t.diag("seed %d (NCHOME_SEED repeats it)" % SEED)
rng = random.Random(SEED)


def session():
    nc = NcRaw(env.netconf_direct(), timeout=30)
    nc.hello("1.1")
    return nc


def top_xml(values):
    return '<top xmlns="%s">%s</top>' % (X, "".join(
        "<item><name>i%d</name><value>%s</value></item>" % (i, v) for i, v in sorted(values.items())))


def content(nc, ds):
    """{entry: value} of ds, or None when it cannot be read."""
    r = nc.rpc("<get-config><source><%s/></source></get-config>" % ds)
    d = r.find(q("data")) if r is not None else None
    if d is None:
        return None
    out = {}
    for item in d.iter("{%s}item" % X):
        out[int(item.find("{%s}name" % X).text[1:])] = item.find("{%s}value" % X).text
    return out


def edit(target, body, defop=None):
    return ("<edit-config><target><%s/></target>%s<config %s>%s</config></edit-config>" %
            (target, "<default-operation>%s</default-operation>" % defop if defop else "", NCOP, body))


def files_parse():
    bad = []
    for name in ("running.xml", "startup.xml", "candidate.xml"):
        p = os.path.join(env.datastore_dir, name)
        if os.path.exists(p):
            try:
                ET.parse(p)
            except ET.ParseError as e:
                bad.append("%s: %s" % (name, e))
    return bad


def op_plan(running, startup):
    """(name, rpcs, locks, {ds: (old, new)}) for one random operation."""
    kind = rng.choice(["leaf", "commit", "bulk", "copy"])
    new = dict(running)
    if kind == "leaf":
        k = rng.randrange(ENTRIES)
        new[k] = "v%d" % rng.randrange(10 ** 9)
        body = '<top xmlns="%s"><item><name>i%d</name><value>%s</value></item></top>' % (X, k, new[k])
        return kind, [edit("running", body)], ["running"], {"running": (running, new)}
    if kind == "commit":
        k = rng.randrange(ENTRIES)
        new[k] = "c%d" % rng.randrange(10 ** 9)
        body = '<top xmlns="%s"><item><name>i%d</name><value>%s</value></item></top>' % (X, k, new[k])
        return kind, [edit("candidate", body), "<commit/>"], ["running", "candidate"], \
            {"running": (running, new), "candidate": (running, new)}
    if kind == "bulk":
        tag = "b%d-" % rng.randrange(10 ** 6)
        new = {i: tag + str(i) for i in range(ENTRIES)}
        return kind, [edit("running", top_xml(new), "replace")], ["running"], {"running": (running, new)}
    return kind, ["<copy-config><target><startup/></target><source><running/></source></copy-config>"], \
        ["startup"], {"startup": (startup, running)}


procs = []
try:
    # Load the list, measure how long each kind of operation takes uninterrupted.
    nc = session()
    values = {i: "v0" for i in range(ENTRIES)}
    r = nc.rpc(edit("running", top_xml(values), "replace"))
    t.ok(NcRaw.ok(r), "%d entries loaded" % ENTRIES, r and ET.tostring(r))
    nc.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    t0 = time.monotonic()
    nc.rpc(edit("running", top_xml({i: "w" for i in range(ENTRIES)}), "replace"))
    slow = time.monotonic() - t0
    t0 = time.monotonic()
    nc.rpc(edit("candidate", '<top xmlns="%s"><item><name>i1</name><value>z</value></item></top>' % X))
    nc.rpc("<commit/>")
    fast = time.monotonic() - t0
    nc.close()
    t.diag("uninterrupted: bulk replace %.1f ms, edit+commit %.1f ms" % (slow * 1e3, fast * 1e3))
    window = max(slow, fast) * 1.3

    check = session()
    running = content(check, "running")
    startup = content(check, "startup")
    check.close()

    failures = []
    kills_in_op = 0
    outcome = {"old": 0, "new": 0}
    for it in range(ITER):
        kind, rpcs, locks, expect = op_plan(running, startup)
        nc = session()
        procs.append(nc)
        for ds in locks:
            r = nc.rpc("<lock><target><%s/></target></lock>" % ds)
            if not NcRaw.ok(r):
                failures.append("iteration %d: lock %s before the kill failed: %s" %
                                (it, ds, NcRaw.errors(r)))
        for text in rpcs:
            nc.send_msg(nc.rpc_text(text))
        # The window was measured once; a loaded machine (or a sanitizer
        # build) stretches the operations.  Keep kills landing on both sides
        # of the moment the change is stored by widening or narrowing it.
        if it >= 8 and it % 4 == 0:
            if outcome["new"] == 0:
                window = min(window * 1.6, 10.0)
            elif outcome["old"] == 0:
                window /= 1.6
        time.sleep(rng.uniform(0, window))
        if nc.proc.poll() is None:
            kills_in_op += 1
        nc.proc.send_signal(signal.SIGKILL)
        nc.proc.wait()
        procs.remove(nc)

        bad = files_parse()
        if bad:
            failures.append("iteration %d (%s): %s" % (it, kind, bad))
        c = session()
        procs.append(c)
        got = {ds: content(c, ds) for ds in ("running", "startup", "candidate")}
        for ds, (old, new) in expect.items():
            if old != new and got[ds] in (old, new):
                outcome["old" if got[ds] == old else "new"] += 1
            if got[ds] != old and got[ds] != new:
                diff = sorted(k for k in set(got[ds] or {}) | set(new) if (got[ds] or {}).get(k) != new.get(k))
                failures.append("iteration %d (%s): %s is neither old nor new (differs from new at %s)" %
                                (it, kind, ds, diff[:5]))
        if got["candidate"] not in (got["running"], expect.get("candidate", (None, None))[1]):
            failures.append("iteration %d (%s): candidate holds something else" % (it, kind))
        c.rpc("<discard-changes/>")
        for ds in ("running", "candidate", "startup"):
            r = c.rpc("<lock><target><%s/></target></lock>" % ds)
            if not NcRaw.ok(r):
                failures.append("iteration %d (%s): lock %s after the kill: %s" %
                                (it, kind, ds, NcRaw.errors(r)))
        for ds in ("running", "candidate", "startup"):
            c.rpc("<unlock><target><%s/></target></unlock>" % ds)
        running, startup = got["running"], got["startup"]
        c.close()
        procs.remove(c)
        if len(failures) > 20:
            break
    t.diag("%d kills, %d of them while the process was still running" % (ITER, kills_in_op))
    t.ok(not [f for f in failures if "well-formed" in f or ".xml" in f],
         "after every kill the datastore files are well-formed XML",
         "\n".join(f for f in failures if ".xml" in f))
    t.ok(not [f for f in failures if "neither" in f or "something else" in f],
         "after every kill running, startup and candidate hold the old or the new content",
         "\n".join(f for f in failures if "neither" in f or "something else" in f))
    t.ok(not [f for f in failures if "lock" in f],
         "after every kill the killed session's locks are free",
         "\n".join(f for f in failures if "lock" in f))
    t.ok(kills_in_op >= ITER // 2, "most kills hit a live process (%d of %d)" % (kills_in_op, ITER))
    # Kills land both before and after the change is durable: the window covers the operation.
    t.ok(outcome["old"] > 0 and outcome["new"] > 0,
         "kills landed before and after the change was stored: %d old, %d new" %
         (outcome["old"], outcome["new"]))
finally:
    for p in procs:
        p.kill()
    env.cleanup()
t.done()
