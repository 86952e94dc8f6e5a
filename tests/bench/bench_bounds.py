#!/usr/bin/python3
"""What the bounds of issue 13 (lock-wait, write-timeout) cost: one-leaf
edit-config p50 and whole-running get-config, this build's nchome-netconf
beside an older one (BENCH_OLD_NETCONF, e.g. a build of main), in the same
run, alternating rounds, over pipes (no sshd: the session's own time).
Running holds BENCH_ENTRIES list entries (50,000: about 10 MB).
Without BENCH_OLD_NETCONF only this build is measured."""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure, NETCONF  # noqa: E402
from ncraw import NcRaw  # noqa: E402

N = int(os.environ.get("BENCH_ENTRIES", "50000"))
EDITS = int(os.environ.get("BENCH_EDITS", "200"))
GETS = int(os.environ.get("BENCH_GETS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
OLD = os.environ.get("BENCH_OLD_NETCONF", "")
X = "urn:example:bench-bounds"
env = SshEnv(name="bench-bounds")


def session(binary):
    p = subprocess.Popen([binary, "-f", env.conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=dict(os.environ, USER="root"))
    nc = NcRaw(p, timeout=120)
    nc.hello("1.1")
    return nc


def edit(nc, inner):
    r = nc.rpc('<edit-config><target><running/></target><config><top xmlns="%s">%s</top></config>'
               "</edit-config>" % (X, inner))
    if not NcRaw.ok(r):
        raise RuntimeError("edit failed: %r" % NcRaw.errors(r))


def measure(binary, counter):
    nc = session(binary)
    eds, gets = [], []
    for _ in range(EDITS):
        counter[0] += 1
        t0 = time.perf_counter()
        edit(nc, "<e><k>%d</k><v>v%d</v></e>" % (counter[0] % N, counter[0]))
        eds.append((time.perf_counter() - t0) * 1000)
    for _ in range(GETS):
        t0 = time.perf_counter()
        r = nc.rpc("<get-config><source><running/></source></get-config>")
        gets.append((time.perf_counter() - t0) * 1000)
        if r is None:
            raise RuntimeError("no get-config reply")
    nc.close()
    return eds, gets


try:
    nc = session(NETCONF)
    edit(nc, "".join("<e><k>%d</k><v>%s</v></e>" % (i, "x" * 150) for i in range(N)))
    nc.close()
    size = os.path.getsize(os.path.join(env.datastore_dir, "running.xml"))
    print("running.xml: %.1f MB, %d entries" % (size / 1e6, N))
    builds = [("new", NETCONF)] + ([("old", OLD)] if OLD else [])
    res = {name: ([], []) for name, _ in builds}
    counter = [0]
    for rnd in range(ROUNDS):
        for name, binary in (builds if rnd % 2 == 0 else builds[::-1]):	# who goes first alternates
            e, g = measure(binary, counter)
            res[name][0].extend(e)
            res[name][1].extend(g)
    for name, _ in builds:
        e, g = res[name]
        print("%s: edit p50 %.2f ms, get-config median %.1f ms" % (name, statistics.median(e), statistics.median(g)))
        figure("bounds.edit_ms_p50_" + name, "%.2f" % statistics.median(e), "ms",
               "one-leaf edit-config, %d-entry running, pipes, %d edits" % (N, len(e)))
        figure("bounds.get_config_ms_" + name, "%.1f" % statistics.median(g), "ms",
               "whole running (%.1f MB), median of %d" % (size / 1e6, len(g)))
    if OLD:
        figure("bounds.edit_new_vs_old", "%.3f" % (statistics.median(res["new"][0]) / statistics.median(res["old"][0])),
               "ratio", "p50 new / p50 old, same run, alternating rounds")
        figure("bounds.get_config_new_vs_old",
               "%.3f" % (statistics.median(res["new"][1]) / statistics.median(res["old"][1])),
               "ratio", "median new / median old, same run")
finally:
    env.cleanup()
