#!/usr/bin/python3
"""Figures for the dialer's name lookup child (not pass/fail; see tests/bench/run).

A host name is looked up by a fresh `nchome-dialer -R` (dialer/resolver.c):
the dialer forks and the child re-execs the dialer's program, so no copy of
the dialer's memory (nchome.conf's text, secrets) is there.  This times what
one lookup of `localhost` (/etc/hosts) costs that way, the name on stdin and
the reply read back, beside a fork and exec of /bin/true (the floor of any
exec on this machine):

- wall time per lookup, median and p90;
- CPU time per lookup, the child's (user + system, RUSAGE_CHILDREN).

As root the child also drops to `nobody` first (getpwnam), as the dialer's.
Environment: NCHOME_BENCH_RUNS (200).
"""
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import DIALER  # noqa: E402

RUNS = int(os.environ.get("NCHOME_BENCH_RUNS", "200"))


def figure(name, value, unit, note=""):
    print("FIGURE %s\t%s\t%s\t%s" % (name, value, unit, note), flush=True)


def children_cpu_ms():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1e3


def measure(argv, stdin):
    walls = []
    cpu0 = children_cpu_ms()
    for _ in range(RUNS):
        t0 = time.monotonic()
        p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        walls.append((time.monotonic() - t0) * 1e3)
        if argv[0] == DIALER and (p.returncode != 0 or len(p.stdout) < 36):
            sys.exit("nchome-dialer -R failed: exit %d, %d bytes" % (p.returncode, len(p.stdout)))
    walls.sort()
    return statistics.median(walls), walls[len(walls) * 9 // 10], (children_cpu_ms() - cpu0) / RUNS


for label, argv, stdin in (("exec_floor", ["/bin/true"], b""),
                           ("lookup", [DIALER, "-R"], b"localhost")):
    p50, p90, cpu = measure(argv, stdin)
    what = "nchome-dialer -R, localhost" if label == "lookup" else "fork+exec /bin/true"
    figure("dialer.%s_p50" % label, "%.2f" % p50, "ms", "%s, median of %d" % (what, RUNS))
    figure("dialer.%s_p90" % label, "%.2f" % p90, "ms", what)
    figure("dialer.%s_cpu" % label, "%.2f" % cpu, "ms", "%s, child CPU per run" % what)
