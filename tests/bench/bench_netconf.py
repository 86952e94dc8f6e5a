#!/usr/bin/python3
"""nchome-netconf against issue 3's targets, with a 50,000-entry list
(~10 MB: list `item` keyed by `name`, three leaves in a container `cfg`).

Client: a raw NETCONF 1.1 client over `ssh -s netconf` through the real
sshd (ProxyCommand sshd -i, SetEnv HOME so no shell rc runs), writing each
RPC from the calling thread and reading in large blocks (not ncclient,
whose transport thread adds 100 ms per RPC).  Every timed edit changes a
value.  Figures:
  netconf.bulk_load_s       one edit-config creating the 50,000 entries
  netconf.get_config_mbps   whole running, median of 5, beside
  netconf.ssh_cat_mbps      `ssh -s` of a subsystem that cats the same bytes
  netconf.edit_ms_median/p99  one-leaf edit-config on running, 1000 RPCs
  netconf.cand_commit_ms_median  edit-config on candidate + commit, 200 pairs
  netconf.peak_rss_mb       VmHWM of nchome-netconf (vs 4x datastore + 4 MB)
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

    def rpc(self, inner):
        self.mid += 1
        msg = ('<rpc xmlns="%s" message-id="%d">%s</rpc>' % (NS, self.mid, inner)).encode()
        self.p.stdin.write(b"\n#%d\n" % len(msg) + msg + b"\n##\n")
        self.p.stdin.flush()
        buf = bytearray()
        while not buf.endswith(b"\n##\n"):
            d = os.read(self.fd, 1 << 20)
            if not d:
                raise EOFError("server closed")
            buf += d
        return bytes(buf)


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


def hwm_kb():
    best = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/exe" % pid) != NETCONF:
                continue
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        best = max(best, int(line.split()[1]))
        except OSError:
            pass
    return best


def mbps(nbytes, secs):
    return nbytes / secs / 1e6


env = SshEnv(name="bench-nc")
try:
    datafile = os.path.join(env.dir, "data.bin")
    env.write_sshd_config("Subsystem catdata /bin/cat %s\n" % datafile)
    nc = Raw(env.netconf_over_ssh())

    t0 = time.monotonic()
    ok(nc.rpc(edit("running", entries(N))))
    bulk = time.monotonic() - t0
    size = os.path.getsize(os.path.join(env.datastore_dir, "running.xml"))
    figure("netconf.bulk_load_s", bulk, "s", "one edit-config of %d entries (running.xml %.1f MB); target <= 2 s"
           % (N, size / 1e6))

    # get-config of everything, alternating with ssh -s cat of the same bytes
    reply = nc.rpc("<get-config><source><running/></source></get-config>")
    with open(datafile, "wb") as f:
        f.write(reply)
    gets, cats = [], []
    for _ in range(5):
        t0 = time.monotonic()
        r = nc.rpc("<get-config><source><running/></source></get-config>")
        gets.append(mbps(len(r), time.monotonic() - t0))
        p = subprocess.Popen(env.ssh_proxy_args() + ["-o", "ControlMaster=no", "root@device", "-s", "catdata"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        # time the transfer only: from the first byte to EOF
        first = p.stdout.read(1)
        t0 = time.monotonic()
        n = len(first)
        while True:
            d = os.read(p.stdout.fileno(), 1 << 20)
            if not d:
                break
            n += len(d)
        cats.append(mbps(n, time.monotonic() - t0))
        p.stdin.close()
        p.wait()
    figure("netconf.get_config_mbps", statistics.median(gets), "MB/s",
           "whole running (%.1f MB reply) over sshd, median of 5; target >= 100" % (len(reply) / 1e6))
    figure("netconf.ssh_cat_mbps", statistics.median(cats), "MB/s",
           "ssh -s subsystem that cats the same bytes (channel limit; from first byte), median of 5")

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

    hwm = hwm_kb() / 1024
    figure("netconf.peak_rss_mb", hwm, "MB", "VmHWM of nchome-netconf; target <= %.1f (4 x %.1f MB + 4)"
           % (4 * size / 1e6 + 4, size / 1e6))
    nc.p.stdin.close()
    nc.p.wait(30)
finally:
    env.cleanup()
