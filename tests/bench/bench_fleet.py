#!/usr/bin/python3
"""Fleet benchmark: one nchome-dialer with many clients (200) calling home
to one NMS listener that goes away for a while (60 s) and comes back.

Prints the per-second histogram of reconnects after the NMS returns, the
time until every client is back, and the peak second as a fraction of the
fleet: the backoff jitter should keep it well under 1 (all at once).  Also
the same for the dialer's start, and the dialer's memory and CPU.

The NMS reads each connection's DEVICE-ID line (initiation = junos, one
device-id per client) and then holds the connection silently; sshd -i
waits (LoginGraceTime 0).  Going away = closing the listener and every
connection.  Backoff is the contract's default (initial 1, max 60).

Knobs: NCHOME_FLEET_CLIENTS (200), NCHOME_FLEET_OUTAGE (60 s),
NCHOME_FLEET_BACKOFF_MAX (60).
"""
import os
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure  # noqa: E402
from dialer_test import Dialer  # noqa: E402
from fault_util import cpu_seconds, rss_kb  # noqa: E402

N = int(os.environ.get("NCHOME_FLEET_CLIENTS", "200"))
OUTAGE = float(os.environ.get("NCHOME_FLEET_OUTAGE", "60"))
BMAX = int(os.environ.get("NCHOME_FLEET_BACKOFF_MAX", "60"))


class FleetNms:
    """One thread-free listener: records the first DEVICE-ID per device after each (re)start."""

    def __init__(self, port=0):
        self.sel = selectors.DefaultSelector()
        self.port = port
        self.conns = {}
        self.seen = {}		# device -> first time since the last start
        self.lsock = None
        self.start()

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(1024)
        s.setblocking(False)
        self.port = s.getsockname()[1]
        self.lsock = s
        self.sel.register(s, selectors.EVENT_READ, None)
        self.seen = {}

    def stop(self):
        self.sel.unregister(self.lsock)
        self.lsock.close()
        for c in list(self.conns):
            self.sel.unregister(c)
            c.close()
        self.conns = {}

    def poll(self, timeout):
        for key, _ in self.sel.select(timeout):
            if key.data is None:
                try:
                    c, _ = self.lsock.accept()
                except OSError:
                    continue
                c.setblocking(False)
                self.conns[c] = b""
                self.sel.register(c, selectors.EVENT_READ, "conn")
                continue
            c = key.fileobj
            try:
                data = c.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.sel.unregister(c)
                c.close()
                self.conns.pop(c, None)
                continue
            buf = self.conns[c]
            if buf is None:
                continue	# identified already: ignore sshd's bytes
            buf += data
            i = buf.find(b"DEVICE-ID: ")
            j = buf.find(b"\r\n", i) if i >= 0 else -1
            if j >= 0:
                dev = buf[i + 11:j].decode()
                self.seen.setdefault(dev, time.monotonic())
                self.conns[c] = None
            else:
                self.conns[c] = buf

    def wait_all(self, n, limit):
        end = time.monotonic() + limit
        while len(self.seen) < n and time.monotonic() < end:
            self.poll(0.2)
        return len(self.seen)


def histogram(times, t0):
    per = {}
    for t in times:
        s = int(t - t0)
        per[s] = per.get(s, 0) + 1
    return per


def report(label, times, t0, n):
    per = histogram(times, t0)
    if not per:
        print("%s: nobody came back" % label)
        return None, None, 0
    last = max(times) - t0
    peak = max(per.values())
    print("%s: %d of %d clients in %.1f s; per-second histogram (second: connections):" %
          (label, len(times), n, last))
    for s in range(0, max(per) + 1):
        print("  %3d s %4d %s" % (s, per.get(s, 0), "#" * per.get(s, 0)))
    return last, peak, len(times)


env = SshEnv("bench-fleet", extra_sshd="LoginGraceTime 0\n")
nms = FleetNms()
d = None
try:
    stanzas = "".join(
        'client c%03d {\n  device-id = "dev-%03d"\n  backoff { initial = 1 max = %d }\n'
        '  address "127.0.0.1" { port = %d retry = 1 timeout = 5 }\n}\n' % (i, i, BMAX, nms.port)
        for i in range(N))
    env.write_nchome_conf(stanzas)
    print("fleet: %d clients in one dialer, backoff 1..%d s with jitter, NMS outage %.0f s" % (N, BMAX, OUTAGE))
    t_start = time.monotonic()
    d = Dialer(env)
    got = nms.wait_all(N, 120)
    start_times = list(nms.seen.values())
    s_last, s_peak, _ = report("at dialer start", start_times, t_start, N)
    time.sleep(3)		# sessions long enough to count: backoff resets
    rss = rss_kb(d.proc.pid)
    print("dialer with %d sessions: VmRSS %d KiB" % (got, rss))

    cpu0 = cpu_seconds(d.proc.pid)
    nms.stop()
    t_down = time.monotonic()
    while time.monotonic() - t_down < OUTAGE:
        time.sleep(0.5)
    cpu_out = cpu_seconds(d.proc.pid) - cpu0
    nms.start()
    t_up = time.monotonic()
    nms.wait_all(N, BMAX * 1.5 + 60)
    back_times = list(nms.seen.values())
    b_last, b_peak, b_n = report("after the NMS came back", back_times, t_up, N)

    figure("fleet.clients", N, "count", "one dialer, one NMS listener on loopback")
    figure("fleet.start_all_connected", s_last, "s", "dialer start -> every client connected")
    figure("fleet.start_peak_fraction", "%.2f" % (s_peak / N), "of fleet",
           "busiest second at start / clients (first round starts at once)")
    figure("fleet.outage", OUTAGE, "s", "NMS listener and connections gone")
    figure("fleet.dialer_cpu_outage", "%.2f" % cpu_out, "s", "dialer CPU during the outage (%d clients retrying)" % N)
    figure("fleet.dialer_rss", rss, "KiB", "dialer VmRSS with %d clients in session" % N)
    if b_last is not None:
        figure("fleet.back_all", "%.1f" % b_last, "s", "NMS back -> all %d reconnected (%d back)" % (N, b_n))
        figure("fleet.back_peak", b_peak, "per s", "busiest second of reconnects")
        figure("fleet.back_peak_fraction", "%.2f" % (b_peak / N), "of fleet",
               "busiest second / clients; 1.00 would be all at once")
finally:
    if d is not None:
        d.stop()
    try:
        nms.stop()
    except Exception:
        pass
    env.cleanup()
