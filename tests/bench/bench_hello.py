#!/usr/bin/python3
"""Session start with the YANG modules announced (issue 16): nchome-netconf
exec -> its <hello> read, over pipes (no sshd), for one or more builds in the
same run, alternating sample by sample.  The hello's module capabilities
come from a scan of the module files; the libyang context is built only by
requests that need it, so the second figure is what the first such request
costs (a <get> of the ietf-yang-library data, sent right after the hellos).

  hello.<tree>.exec_hello_p50/p99   exec -> the server hello read
  hello.<tree>.hello_bytes          size of that hello
  hello.<tree>.first_yanglib_get_p50  hellos exchanged -> reply to a <get>
                                    filtered on yang-library (builds the
                                    libyang context; trees that announce it)

  hello.floor_bin_true_p50          exec -> exit of /bin/true, alternating with
                                    the above: the floor each exec_hello quotes

Trees: NCHOME_BENCH_TREES="main=/path/to/main-build this=/path" (each a
build tree: <path>/subsystem/nchome-netconf, its own yang/); default this
tree and, when make bench linked it, its nchome-netconf linked the other
way (tests/bench/netconf-static or netconf-shared: ./configure
--enable-static-deps) as "static" or "shared".
Runs: NCHOME_HELLO_RUNS (default 100).
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure  # noqa: E402

TOP = os.environ.get("NCHOME_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNS = int(os.environ.get("NCHOME_HELLO_RUNS", "100"))
NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
YL = "urn:ietf:params:xml:ns:yang:ietf-yang-library"
HELLO = ('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
         "</capability></capabilities></hello>]]>]]>" % NS).encode()
GET = ('<rpc xmlns="%s" message-id="1"><get><filter type="subtree"><yang-library xmlns="%s"/>'
       "</filter></get></rpc>]]>]]>" % (NS, YL)).encode()


def trees():
    """[(name, nchome-netconf, extra environment)]."""
    spec = os.environ.get("NCHOME_BENCH_TREES", "").split()
    if spec:
        return [(n, os.path.join(p, "subsystem", "nchome-netconf"), None)
                for n, p in (x.split("=", 1) for x in spec)]
    own = os.path.join(TOP, "subsystem", "nchome-netconf")
    out = subprocess.run(["readelf", "-d", own], stdout=subprocess.PIPE, text=True).stdout
    other = ("shared", "netconf-shared") if "[libxml2." not in out else ("static", "netconf-static")
    path = os.path.join(TOP, "tests", "bench", other[1])
    res = [("this", own, None)]
    if os.access(path, os.X_OK):
        res.append((other[0], path, {"NCHOME_YANG_DIR": os.path.join(TOP, "yang")}))
    return res


def read_eom(fd):
    buf = b""
    while b"]]>]]>" not in buf:
        d = os.read(fd, 65536)
        if not d:
            break
        buf += d
    return buf


def session(binary, conf, get, env=None):
    """(exec -> hello seconds, hello bytes, hellos -> get reply seconds or None)."""
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "-f", conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=dict(os.environ, **env) if env else None)
    hello = read_eom(p.stdout.fileno())
    t1 = time.monotonic()
    tg = None
    if get:
        p.stdin.write(HELLO + GET)
        p.stdin.flush()
        read_eom(p.stdout.fileno())
        tg = time.monotonic() - t1
    p.stdin.close()
    p.wait(10)
    return t1 - t0, len(hello), tg


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100.0 * (len(xs) - 1))))]


envs = []
try:
    trs = []
    for name, binary, xenv in trees():
        env = SshEnv(name="bench-hello-" + name)
        envs.append(env)
        _, _, _ = session(binary, env.conf, False, xenv)          # warm-up, datastore files made
        announces = b"yang-library:1.1" in subprocess.run(
            [binary, "-f", env.conf], input=b"", capture_output=True,
            env=dict(os.environ, **xenv) if xenv else None).stdout
        trs.append((name, binary, env.conf, announces, xenv))
    got = {n: ([], [], []) for n, _, _, _, _ in trs}
    floor = []
    for i in range(RUNS):
        for name, binary, conf, announces, xenv in trs:
            th, nb, tg = session(binary, conf, announces and i % 2 == 1, xenv)
            got[name][0].append(th)
            got[name][1].append(nb)
            if tg is not None:
                got[name][2].append(tg)
        t0 = time.monotonic()
        subprocess.run(["/bin/true"])
        floor.append(time.monotonic() - t0)
    f50, f99 = statistics.median(floor) * 1000, pct(floor, 99) * 1000
    figure("hello.floor_bin_true_p50", round(f50, 2), "ms",
           "exec -> exit of /bin/true from the same parent, alternating with the trees; median of %d" % len(floor))
    for name, _, _, announces, _ in trs:
        hs, nbs, gs = got[name]
        figure("hello.%s.exec_hello_p50" % name, round(statistics.median(hs) * 1000, 2), "ms",
               "exec -> server hello read over pipes; median of %d, alternating trees; floor (/bin/true) "
               "p50 %.2f ms" % (len(hs), f50))
        figure("hello.%s.exec_hello_p99" % name, round(pct(hs, 99) * 1000, 2), "ms",
               "the same, p99 of %d; floor p99 %.2f ms" % (len(hs), f99))
        figure("hello.%s.hello_bytes" % name, max(nbs), "bytes", "size of the server hello")
        if gs:
            figure("hello.%s.first_yanglib_get_p50" % name, round(statistics.median(gs) * 1000, 2), "ms",
                   "hellos -> reply to the first <get> of yang-library (builds the libyang context); "
                   "median of %d" % len(gs))
finally:
    for e in envs:
        e.cleanup()
