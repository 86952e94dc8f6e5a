#!/usr/bin/python3
"""nchome-netconf against issue 3's targets, with a 50,000-entry list
(~10 MB: list `item` keyed by `name`, three leaves in a container `cfg`).

Client: a raw NETCONF 1.1 client over `ssh -s netconf` through the real
sshd (ProxyCommand sshd -i, SetEnv HOME so no shell rc runs), writing each
RPC from the calling thread and reading in large blocks (not ncclient,
whose transport thread adds 100 ms per RPC).  Every timed edit changes a
value.  Figures:
  netconf.bulk_load_s       one edit-config creating the 50,000 entries
  netconf.get_config_first_mbps  the first get-config after the bulk load
  netconf.ssh_cat_first_mbps     the first cat of the same bytes (new session)
  netconf.get_config_mbps   whole running: median of BENCH_GETS after one
                            untimed warm-up, beside
  netconf.ssh_cat_mbps      `ssh -s` of a subsystem that cats the same bytes,
                            measured the same way
  netconf.get_config_vs_cat  median ratio of each get-config to the cat after
                            it (steadier than either on a shared machine)
  netconf.edit_ms_median/p99  one-leaf edit-config on running, 1000 RPCs
  netconf.cand_commit_ms_median  edit-config on candidate + commit, 200 pairs
  netconf.copy_startup_s    copy-config running -> startup, twice
  netconf.peak_rss_mb       VmHWM of nchome-netconf (vs 4x datastore + 4 MB)
  netconf.peak_rss_load_mb  VmHWM right after the bulk load
  netconf.rss_mb            VmRSS at the end
and beyond the targets: re-merging every entry, a new session's first
get-config, subtree and XPath filters for one entry, each with VmHWM.

The list has no module unless BENCH_YANG=1 (tests/yang/example-bench):
schema-less, an element whose first child is a leaf is an entry keyed by
that leaf (edit_index.c rule 3), `cfg` included, so each edit here that
gives alpha a new value adds a second `cfg` to its item rather than
changing the first: after the re-merge running.xml holds 18 MB, not 10,
and that growth is part of the re-merge's VmHWM and of what stays.

Throughput is measured the same way for NETCONF and for cat: one ssh
session each, a request written (an <rpc>, or a line the cat loop waits
for), then time until the last byte of the answer, read into a buffer
allocated once (so the client's own memory growth is not timed).  Both
answers are the same bytes (the cat subsystem serves a saved get-config
reply, chunk headers included).  Runs alternate between the two.  The
first run of a session is reported apart: it pays for buffers growing in
sshd and ssh (OpenSSH grows a channel's buffers 32 KiB at a time into
fresh memory), which later runs reuse.
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure, NETCONF  # noqa: E402

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
B = "urn:example:bench"
N = int(os.environ.get("BENCH_ENTRIES", "50000"))
EDITS = int(os.environ.get("BENCH_EDITS", "1000"))
GETS = int(os.environ.get("BENCH_GETS", "9"))


class Raw:
    """Minimal NETCONF 1.1 client on a Popen's pipes."""

    def __init__(self, proc):
        self.p = proc
        self.fd = proc.stdout.fileno()
        self.mid = 0
        buf = bytearray()
        while not buf.endswith(b"]]>]]>"):
            d = os.read(self.fd, 65536)
            if not d:
                raise EOFError(proc.stderr.read().decode())
            buf += d
        self.p.stdin.write(('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
                            '</capability><capability>urn:ietf:params:netconf:base:1.1</capability>'
                            '</capabilities></hello>]]>]]>' % NS).encode())
        self.p.stdin.flush()
        self.buf = bytearray(1 << 20)  # the receive buffer, grown when needed and reused

    def send(self, inner):
        self.mid += 1
        msg = ('<rpc xmlns="%s" message-id="%d">%s</rpc>' % (NS, self.mid, inner)).encode()
        self.p.stdin.write(b"\n#%d\n" % len(msg) + msg + b"\n##\n")
        self.p.stdin.flush()

    def recv(self):
        """Reads one reply into self.buf; returns its length."""
        return read_until(self.fd, self, lambda mv, n: n >= 4 and mv[n - 4:n] == b"\n##\n")

    def rpc(self, inner):
        self.send(inner)
        return bytes(self.buf[:self.recv()])


def read_until(fd, holder, done):
    """Reads fd into holder.buf (doubling it when full) until done(view, n)."""
    n = 0
    mv = memoryview(holder.buf)
    while not done(mv, n):
        if n == len(holder.buf):
            mv.release()
            holder.buf.extend(bytes(len(holder.buf)))
            mv = memoryview(holder.buf)
        got = os.readv(fd, [mv[n:]])
        if got == 0:
            raise EOFError("peer closed")
        n += got
    mv.release()
    return n


class CatLoop:
    """`ssh -s catdata`: a subsystem that cats the data file once per line it reads."""

    def __init__(self, env, size):
        self.p = subprocess.Popen(env.ssh_proxy_args() + ["-o", "ControlMaster=no", "root@device", "-s", "catdata"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.fd = self.p.stdout.fileno()
        self.size = size
        self.buf = bytearray(size + (1 << 20))
        # the session is up (handshake done) once the loop says so
        if read_until(self.fd, self, lambda mv, n: n >= 6) != 6 or self.buf[:6] != b"ready\n":
            raise RuntimeError("cat subsystem did not start")

    def fetch(self):
        self.p.stdin.write(b"go\n")
        self.p.stdin.flush()
        return read_until(self.fd, self, lambda mv, n: n >= self.size)

    def close(self):
        self.p.stdin.close()
        self.p.wait(30)


def timed(fn):
    """Runs fn (which returns a byte count); MB/s from the request to the last byte."""
    t0 = time.monotonic()
    n = fn()
    return mbps(n, time.monotonic() - t0)


def ok(reply):
    if b"<ok/>" not in reply and b":ok/>" not in reply:
        raise RuntimeError("rpc failed: %r" % reply[:600])


def entries(n, gen=0):
    # ~200 bytes an entry: 50,000 entries make the ~10 MB of issue 3
    return "".join('<item><name>item-%06d</name><cfg><alpha>value-alpha-%d-%06d-padding</alpha>'
                   '<beta>value-beta-%d-%06d-padding-padd</beta><gamma>value-gamma-%d-%06d-padding-padding-padding-pad</gamma>'
                   '</cfg></item>' % (i, gen, i, gen, i, gen, i) for i in range(n))


def edit(target, body):
    return ('<edit-config><target><%s/></target><config><top xmlns="%s">%s</top></config></edit-config>'
            % (target, B, body))


def netconf_pids():
    pids = set()
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.readlink("/proc/%s/exe" % pid) == NETCONF:
                pids.add(pid)
        except OSError:
            pass
    return pids


def hwm_kb(field="VmHWM", pids=None):
    best = 0
    for pid in (pids if pids is not None else netconf_pids()):
        try:
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith(field + ":"):
                        best = max(best, int(line.split()[1]))
        except OSError:
            pass
    return best


def mbps(nbytes, secs):
    return nbytes / secs / 1e6


yang_conf = ('yang-dir = "%s"\nmodule example-bench {}\n' % os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "yang")) if os.environ.get("BENCH_YANG") == "1" else ""
env = SshEnv(name="bench-nc", netconf_conf=yang_conf)
try:
    datafile = os.path.join(env.dir, "data.bin")
    catloop = os.path.join(env.dir, "catloop.sh")
    with open(catloop, "w") as f:
        f.write('echo ready\nwhile read -r line; do cat "$1" || exit 1; done\n')
    env.write_sshd_config("Subsystem catdata /bin/sh %s %s\n" % (catloop, datafile))
    nc = Raw(env.netconf_over_ssh())

    t0 = time.monotonic()
    ok(nc.rpc(edit("running", entries(N))))
    bulk = time.monotonic() - t0
    size = os.path.getsize(os.path.join(env.datastore_dir, "running.xml"))
    figure("netconf.bulk_load_s", bulk, "s", "one edit-config of %d entries (running.xml %.1f MB); target <= 2 s"
           % (N, size / 1e6))
    figure("netconf.peak_rss_load_mb", hwm_kb() / 1024, "MB",
           "VmHWM of nchome-netconf right after the bulk load (request + datastore tree)")

    # get-config of everything, alternating with ssh -s cat of the same bytes;
    # the receive buffer is sized (and its pages touched) before any timing
    nc.buf = bytearray(size + size // 4 + (1 << 20))
    getcfg = lambda: (nc.send("<get-config><source><running/></source></get-config>"), nc.recv())[1]
    first_get = timed(getcfg)
    # the untimed warm-up, whose reply is what the cat subsystem serves
    reply = nc.rpc("<get-config><source><running/></source></get-config>")
    with open(datafile, "wb") as f:
        f.write(reply)
    rsize = len(reply)
    cat = CatLoop(env, rsize)
    first_cat = timed(cat.fetch)
    cat.fetch()  # its untimed warm-up
    gets, cats = [], []
    for _ in range(GETS):
        gets.append(timed(getcfg))
        cats.append(timed(cat.fetch))
    cat.close()
    span = lambda v: "min %.0f, max %.0f" % (min(v), max(v))
    figure("netconf.get_config_first_mbps", first_get, "MB/s",
           "the first get-config after the bulk load (single run, cold sshd/ssh buffers)")
    figure("netconf.ssh_cat_first_mbps", first_cat, "MB/s",
           "the first cat of the same bytes in a new ssh session (single run)")
    figure("netconf.get_config_mbps", statistics.median(gets), "MB/s",
           "whole running (%.1f MB reply) over sshd, request to last byte, median of %d after one untimed "
           "warm-up (%s; load average %.1f); target >= 100" % (rsize / 1e6, GETS, span(gets), os.getloadavg()[0]))
    figure("netconf.ssh_cat_mbps", statistics.median(cats), "MB/s",
           "ssh -s subsystem that cats the same bytes once per request line, one session, same timing, "
           "median of %d after one untimed warm-up (%s)" % (GETS, span(cats)))
    ratios = [g / c for g, c in zip(gets, cats)]
    figure("netconf.get_config_vs_cat", statistics.median(ratios), "x",
           "get-config MB/s over cat MB/s of the run right after it, median of the %d pairs (%.2f-%.2f); "
           "1 = as fast as the channel" % (GETS, min(ratios), max(ratios)))

    lat = []
    for i in range(EDITS):
        k = (i * 7919) % N
        body = "<item><name>item-%06d</name><cfg><alpha>edited-%d</alpha></cfg></item>" % (k, i)
        t0 = time.monotonic()
        ok(nc.rpc(edit("running", body)))
        lat.append((time.monotonic() - t0) * 1000)
    lat.sort()
    figure("netconf.edit_ms_median", statistics.median(lat), "ms",
           "one-leaf edit-config on running, fsynced before the reply, %d RPCs; target <= 5" % EDITS)
    figure("netconf.edit_ms_p99", lat[int(len(lat) * 0.99) - 1], "ms", "same RPCs, p99; target <= 20")

    lat = []
    for i in range(EDITS // 5):
        k = (i * 104729) % N
        body = "<item><name>item-%06d</name><cfg><beta>cand-%d</beta></cfg></item>" % (k, i)
        t0 = time.monotonic()
        ok(nc.rpc(edit("candidate", body)))
        ok(nc.rpc("<commit/>"))
        lat.append((time.monotonic() - t0) * 1000)
    figure("netconf.cand_commit_ms_median", statistics.median(lat), "ms",
           "edit-config on candidate + commit, %d pairs; target <= 10" % len(lat))

    # saving the configuration to startup, twice (the second replaces a full startup)
    t0 = time.monotonic()
    for _ in range(2):
        ok(nc.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>"))
    figure("netconf.copy_startup_s", (time.monotonic() - t0) / 2, "s",
           "copy-config running -> startup (atomic write of the whole datastore), mean of 2")

    hwm = hwm_kb() / 1024
    figure("netconf.peak_rss_mb", hwm, "MB", "VmHWM of nchome-netconf over everything above, copy-config "
           "included; target <= %.1f (4 x %.1f MB + 4)" % (4 * size / 1e6 + 4, size / 1e6))
    figure("netconf.rss_mb", hwm_kb("VmRSS") / 1024, "MB",
           "VmRSS of nchome-netconf at the end (the cached tree and its list index)")

    # Beyond the targets: other work on the same datastore.  Each VmHWM
    # includes everything before it in the same process.
    t0 = time.monotonic()
    ok(nc.rpc(edit("running", entries(N, gen=1))))
    figure("netconf.remerge_s", time.monotonic() - t0, "s",
           "one edit-config giving all %d entries new values (running.xml then %.1f MB)"
           % (N, os.path.getsize(os.path.join(env.datastore_dir, "running.xml")) / 1e6))
    figure("netconf.peak_rss_remerge_mb", hwm_kb() / 1024, "MB", "VmHWM after it")
    before = netconf_pids()
    nc2 = Raw(env.netconf_over_ssh())
    t0 = time.monotonic()
    nc2.rpc("<get-config><source><running/></source></get-config>")
    figure("netconf.new_session_get_s", time.monotonic() - t0, "s",
           "a new session's first get-config (it parses running.xml)")
    figure("netconf.new_session_rss_mb", hwm_kb(pids=netconf_pids() - before) / 1024, "MB",
           "VmHWM of that new session")
    nc2.p.stdin.close()
    nc2.p.wait(30)
    key = "item-%06d" % (N // 2)
    sub = ('<get-config><source><running/></source><filter type="subtree"><top xmlns="%s"><item>'
           '<name>%s</name></item></top></filter></get-config>' % (B, key))
    xpath = ('<get-config><source><running/></source><filter type="xpath" xmlns:b="%s" '
             'select="/b:top/b:item[b:name=\'%s\']"/></get-config>' % (B, key))
    for name, req, what in (("subtree", sub, "content match on the key"),
                            ("xpath", xpath, "/top/item[name=...]")):
        t0 = time.monotonic()
        reply = nc.rpc(req)
        ms = (time.monotonic() - t0) * 1000
        if key.encode() not in reply or reply.count(b"<name>") != 1:
            raise RuntimeError("%s filter: unexpected reply %r" % (name, reply[:600]))
        figure("netconf.%s_filter_ms" % name, ms, "ms", "get-config with a %s filter for one entry (%s)"
               % (name, what))
        figure("netconf.peak_rss_%s_mb" % name, hwm_kb() / 1024, "MB", "VmHWM after it")
    nc.p.stdin.close()
    nc.p.wait(30)
finally:
    env.cleanup()
