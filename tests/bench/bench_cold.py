#!/usr/bin/python3
"""Cold sessions against warm ones (issue 15), on the 50,000-entry list of
bench_netconf.py, nchome-netconf over pipes (no sshd: the server's own
time and memory), without a YANG module as bench_netconf.py (whose warm
figures issue 15 quotes); BENCH_YANG=1 loads the list's module
(tests/yang/example-bench).

BENCH_OLD_NETCONF=<another build's nchome-netconf> runs every figure with
that build too, in the same run, alternating, on a datastore of its own
with the same content (figures cold.old.*), and prints new/old ratios.

Figures (cold.<build>...):
  first_get_ms      a new session's first get-config of running (request
                    to last byte, the client's buffer touched beforehand),
                    median over BENCH_COLD sessions; the store was written
                    by another session and one new session has read it
                    since (as when sessions follow each other)
  publish_get_ms    the first new session after the store changed (it
                    parses running; the new build then writes the shared form)
  warm_get_ms       the same sessions' later get-configs, median
  first_vs_warm     first_get_ms / warm_get_ms (goal <= 1.3)
  hello_first_ms    process start to the first reply's last byte
  rss1_mb, rss10_mb one session after its get-config alone, ten at once:
                    sum of VmRSS; pss1_mb, pss10_mb the same in Pss (shared
                    pages divided among the processes that map them)
  ten_vs_one_pss    pss10 / pss1 (goal <= 2); ten_vs_one_rss likewise.
                    Sessions read running.shared through the page cache
                    (one copy, about the store's size, for all of them),
                    which no process's RSS or Pss counts
  edit_ms_p50       one-leaf edit-config of running (each changes a value)
  cand_commit_ms_p50  edit-config of candidate + commit
  tree_get_ms       get-config in the session that edited (it holds the tree)
  batches_s         50 edit-configs of 1,000 entries into an empty store
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure, NETCONF  # noqa: E402

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
B = "urn:example:bench"
N = int(os.environ.get("BENCH_ENTRIES", "50000"))
COLD = int(os.environ.get("BENCH_COLD", "7"))
EDITS = int(os.environ.get("BENCH_EDITS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
GETCFG = "<get-config><source><running/></source></get-config>"


def touch_by_kernel(buf):
    """Fills buf through read(2) from /dev/zero.  Touching each page from
    Python is not enough: on this machine kind (a paravirtualized guest)
    the kernel's first write into each user page costs about 5 us more,
    whether or not user space touched it first, so a fresh 10 MB receive
    buffer added about 14 ms of the client's own system time to every
    new session's first reply (measured with `cat` into a pipe, no
    nchome involved): a third of the first/warm gap the bench used to
    report."""
    z = os.open("/dev/zero", os.O_RDONLY)
    try:
        mv = memoryview(buf)
        n = 0
        while n < len(buf):
            n += os.readv(z, [mv[n:]])
        mv.release()
    finally:
        os.close(z)


class Direct:
    """NETCONF 1.1 over the pipes of one nchome-netconf process."""

    def __init__(self, prog, conf):
        env = dict(os.environ)
        env.setdefault("USER", "root")
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([prog, "-f", conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env)
        self.fd = self.p.stdout.fileno()
        self.mid = 0
        # the receive buffer, its pages touched before any timing (a first
        # reply must not pay the client's page faults that later ones do not)
        self.buf = bytearray(1 << 25)
        touch_by_kernel(self.buf)
        buf = bytearray()
        while not buf.endswith(b"]]>]]>"):
            d = os.read(self.fd, 65536)
            if not d:
                raise EOFError("no hello")
            buf += d
        self.p.stdin.write(('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.1'
                            '</capability></capabilities></hello>]]>]]>' % NS).encode())
        self.p.stdin.flush()

    def rpc(self, inner):
        self.mid += 1
        msg = ('<rpc xmlns="%s" message-id="%d">%s</rpc>' % (NS, self.mid, inner)).encode()
        self.p.stdin.write(b"\n#%d\n" % len(msg) + msg + b"\n##\n")
        self.p.stdin.flush()
        n = 0
        mv = memoryview(self.buf)
        while n < 4 or mv[n - 4:n] != b"\n##\n":
            if n == len(self.buf):
                mv.release()
                self.buf.extend(bytes(len(self.buf)))
                touch_by_kernel(self.buf)
                mv = memoryview(self.buf)
            got = os.readv(self.fd, [mv[n:]])
            if got == 0:
                raise EOFError("peer closed")
            n += got
        mv.release()
        return bytes(self.buf[:n])

    def timed(self, inner):
        t0 = time.monotonic()
        r = self.rpc(inner)
        return (time.monotonic() - t0) * 1000, r

    def mem_kb(self):
        rss = pss = 0
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open("/proc/%d/smaps_rollup" % self.p.pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
        return rss, pss

    def close(self):
        self.p.stdin.close()
        self.p.wait(60)


def deframed(reply):
    """The message of a chunked reply (chunk boundaries are the framer's, not the reply's)."""
    out, i = [], 0
    while reply[i:i + 2] == b"\n#" and reply[i + 2:i + 3] != b"#":
        j = reply.index(b"\n", i + 2)
        n = int(reply[i + 2:j])
        out.append(reply[j + 1:j + 1 + n])
        i = j + 1 + n
    return b"".join(out)


def ok(reply):
    if b"<ok/>" not in reply:
        raise RuntimeError("rpc failed: %r" % reply[:600])


def entries(lo, hi, gen=0):
    return "".join('<item><name>item-%06d</name><cfg><alpha>value-alpha-%d-%06d-padding</alpha>'
                   '<beta>value-beta-%d-%06d-padding-padd</beta><gamma>value-gamma-%d-%06d-padding-padding-'
                   'padding-pad</gamma></cfg></item>' % (i, gen, i, gen, i, gen, i) for i in range(lo, hi))


def edit(body, target="running"):
    return ('<edit-config><target><%s/></target><config><top xmlns="%s">%s</top></config></edit-config>'
            % (target, B, body))


class Build:
    def __init__(self, tag, prog):
        self.tag, self.prog = tag, prog
        yd = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "yang")
        conf = 'yang-dir = "%s"\nmodule example-bench {}\n' % yd if os.environ.get("BENCH_YANG") == "1" else ""
        self.env = SshEnv(name="bench-cold-" + (tag or "new"), netconf_conf=conf)
        self.res = {}
        self.reply = None

    def add(self, k, v):
        self.res.setdefault(k, []).append(v)

    def session(self):
        return Direct(self.prog, self.env.conf)

    def load(self, gen):
        s = self.session()
        ok(s.rpc(edit(entries(0, N, gen))))
        s.close()

    def cold_round(self, gen):
        """The store changed (another session's bulk edit); then new sessions read it."""
        self.fresh()
        self.load(gen)
        for k in range(COLD + 1):
            s = self.session()
            ms, r = s.timed(GETCFG)
            r = deframed(r)
            hello_first = (time.monotonic() - s.t0) * 1000
            warm = [s.timed(GETCFG)[0] for _ in range(3)]
            if gen == 0 and self.reply is not None and r != self.reply:
                raise RuntimeError("%s: the reply changed between sessions" % self.tag)
            if gen == 0:
                self.reply = r
            s.close()
            if k == 0:
                self.add("publish_get_ms", ms)
                continue
            self.add("first_get_ms", ms)
            self.add("hello_first_ms", hello_first)
            self.add("warm_get_ms", statistics.median(warm))
            self.add("first_vs_warm", ms / statistics.median(warm))

    def memory_round(self):
        one = self.session()
        one.rpc(GETCFG)
        rss1, pss1 = one.mem_kb()
        one.close()
        ten = [self.session() for _ in range(10)]
        for s in ten:
            s.rpc(GETCFG)
        mems = [s.mem_kb() for s in ten]
        for s in ten:
            s.close()
        rss10, pss10 = sum(m[0] for m in mems), sum(m[1] for m in mems)
        self.add("rss1_mb", rss1 / 1024)
        self.add("pss1_mb", pss1 / 1024)
        self.add("rss10_mb", rss10 / 1024)
        self.add("pss10_mb", pss10 / 1024)
        self.add("ten_vs_one_pss", pss10 / pss1)
        self.add("ten_vs_one_rss", rss10 / rss1)

    def warm_round(self):
        s = self.session()
        lat = []
        for i in range(EDITS):
            k = (i * 7919) % N
            body = "<item><name>item-%06d</name><cfg><alpha>edited-%d-%d</alpha></cfg></item>" % (k, i, time.monotonic_ns())
            ms, r = s.timed(edit(body))
            ok(r)
            lat.append(ms)
        self.add("edit_ms_p50", statistics.median(lat))
        lat = []
        for i in range(EDITS // 3):
            k = (i * 104729) % N
            body = "<item><name>item-%06d</name><cfg><beta>cand-%d-%d</beta></cfg></item>" % (k, i, time.monotonic_ns())
            t0 = time.monotonic()
            ok(s.rpc(edit(body, "candidate")))
            ok(s.rpc("<commit/>"))
            lat.append((time.monotonic() - t0) * 1000)
        self.add("cand_commit_ms_p50", statistics.median(lat))
        s.rpc(GETCFG)
        self.add("tree_get_ms", statistics.median([s.timed(GETCFG)[0] for _ in range(5)]))
        s.close()

    def fresh(self):
        """An empty datastore-dir (N entries of one generation, not two)."""
        ds = self.env.datastore_dir
        shutil.rmtree(ds, ignore_errors=True)
        os.makedirs(ds)

    def batches_round(self):
        self.fresh()
        s = self.session()
        t0 = time.monotonic()
        for lo in range(0, N, 1000):
            ok(s.rpc(edit(entries(lo, min(N, lo + 1000)))))
        self.add("batches_s", time.monotonic() - t0)
        s.close()


FIGS = [("first_get_ms", "ms"), ("warm_get_ms", "ms"), ("first_vs_warm", "x"), ("publish_get_ms", "ms"),
        ("hello_first_ms", "ms"), ("rss1_mb", "MB"), ("rss10_mb", "MB"), ("ten_vs_one_rss", "x"),
        ("pss1_mb", "MB"), ("pss10_mb", "MB"), ("ten_vs_one_pss", "x"), ("edit_ms_p50", "ms"),
        ("cand_commit_ms_p50", "ms"), ("tree_get_ms", "ms"), ("batches_s", "s")]

builds = [Build("", NETCONF)]
old = os.environ.get("BENCH_OLD_NETCONF")
if old:
    builds.append(Build("old.", old))
try:
    for rnd in range(ROUNDS):
        for step in ("cold", "memory", "warm", "batches"):
            for b in (builds if rnd % 2 == 0 else builds[::-1]):
                if step == "cold":
                    b.cold_round(rnd % 2)
                elif step == "memory":
                    b.memory_round()
                elif step == "warm":
                    b.warm_round()
                else:
                    b.batches_round()
                    b.load(0)
    if old and builds[0].reply != builds[1].reply:
        print("WARNING: the two builds' get-config replies differ")
    elif old:
        print("the two builds' get-config replies are byte-identical (%d bytes)" % len(builds[0].reply))
    for b in builds:
        for k, unit in FIGS:
            v = b.res.get(k)
            if v:
                figure("cold.%s%s" % (b.tag, k), statistics.median(v), unit,
                       "median of %d (%s)" % (len(v), ", ".join("%.3g" % x for x in v)))
    for b in builds:
        if b.res.get("first_get_ms") and b.res.get("tree_get_ms"):
            figure("cold.%sfirst_vs_tree_get" % b.tag, statistics.median(b.res["first_get_ms"]) /
                   statistics.median(b.res["tree_get_ms"]), "x",
                   "a new session's first get-config over a warm one of a session holding the tree")
    if old:
        n, o = builds[0].res, builds[1].res
        for k, unit in FIGS:
            if n.get(k) and o.get(k):
                figure("cold.new_vs_old.%s" % k, statistics.median(n[k]) / statistics.median(o[k]), "x",
                       "new median / old median")
finally:
    for b in builds:
        b.env.cleanup()
