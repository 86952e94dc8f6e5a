#!/usr/bin/python3
"""Fault: NMSes that misbehave, over many cycles, against one dialer.

Three kinds of NMS, each served to its own clients of one nchome-dialer:
- silent: accepts and never speaks (sshd gives up after LoginGraceTime);
- garbage: answers sshd's identification with random bytes;
- midrpc: logs in with paramiko, opens the netconf subsystem, reads the
  server hello, sends its hello and half an <rpc>, then drops the TCP
  connection.
Each closed connection is one cycle.  Checked: the dialer keeps going; its
descriptors other than sockets stay exactly the same, it never holds more
sockets than clients, its resident memory does not grow between the
warm-up and the end, it leaves no zombie, and no nchome-netconf session is
left behind.  Default: CYCLES cycles per kind (short, for make check);
NCHOME_FULL=1: 500 per kind.
"""
import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from dialer_test import Dialer, Nms, client_conf  # noqa: E402
from fault_util import children, fds, full_run, rss_kb  # noqa: E402

import logging  # noqa: E402
import paramiko  # noqa: E402

# paramiko's transport thread logs every reset connection: expected here.
logging.getLogger("paramiko").setLevel(logging.CRITICAL)

FULL = full_run()
CYCLES = 500 if FULL else 12		# per kind
PER_KIND = 8 if FULL else 3		# clients per kind
WARMUP = max(3, CYCLES // 5)
RSS_SLACK_KB = 256
TIME_LIMIT = scaled(900 if FULL else 50)

t = TAP()
t.diag("%s run: %d cycles per kind, %d clients per kind%s" % (
    "full" if FULL else "short", CYCLES, PER_KIND, "" if FULL else " (NCHOME_FULL=1 for 500)"))
env = SshEnv("fault-peers", extra_sshd="LoginGraceTime 4\nMaxStartups 100\n")
stats = {"silent": 0, "garbage": 0, "midrpc": 0, "hellos": 0, "errors": []}
lock = threading.Lock()


def cycle(kind):
    with lock:
        stats[kind] += 1


def drain(sock, limit=30.0):
    """Reads until the peer closes (or limit seconds, scaled)."""
    sock.settimeout(scaled(limit))
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass


def silent(sock, rec):
    drain(sock)		# never write a byte; sshd ends it after LoginGraceTime
    cycle("silent")


def garbage(sock, rec):
    try:
        sock.sendall(bytes(random.getrandbits(8) for _ in range(4096)))
    except OSError:
        pass
    drain(sock)
    cycle("garbage")


def midrpc(sock, rec):
    tr = None
    try:
        tr = paramiko.Transport(sock)
        tr.start_client(timeout=scaled(15))
        tr.auth_publickey("root", paramiko.Ed25519Key.from_private_key_file(env.user_key))
        ch = tr.open_session(timeout=scaled(15))
        ch.invoke_subsystem("netconf")
        ch.settimeout(scaled(15))
        got = b""
        while b"]]>]]>" not in got:
            b = ch.recv(65536)
            if not b:
                break
            got += b
        if b"urn:ietf:params:netconf:base:1.0" in got:
            with lock:
                stats["hellos"] += 1
        ch.sendall(b'<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
                   b'<capability>urn:ietf:params:netconf:base:1.0</capability></capabilities>'
                   b'</hello>]]>]]><rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:'
                   b'base:1.0"><edit-config><target><running/></target><config><top xmlns="urn:x">')
        time.sleep(0.05)
    except Exception as e:
        with lock:
            if len(stats["errors"]) < 5:
                stats["errors"].append(repr(e))
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)		# drop the TCP connection under the session
        except OSError:
            pass
        sock.close()
        if tr is not None:
            tr.close()
    cycle("midrpc")


def snapshot(pid):
    f = fds(pid)
    return {"rss": rss_kb(pid),
            "other_fds": sorted(v for v in f.values() if not v.startswith("socket:")),
            "sockets": len([v for v in f.values() if v.startswith("socket:")]),
            "children": children(pid)}


def quiet_snapshot(pid):
    """The snapshot with the fewest descriptors of five over a second: a fork
    of sshd holds a dup of stderr for a moment, which is not growth."""
    best = None
    for _ in range(5):
        s = snapshot(pid)
        if best is None or len(s["other_fds"]) < len(best["other_fds"]):
            best = s
        time.sleep(0.2)
    return best


def netconf_procs():
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if b"nchome-netconf" in cmd and env.conf.encode() in cmd:
            out.append(int(p))
    return out


nmses = {}
d = None
try:
    nmses = {"silent": Nms(handler=silent), "garbage": Nms(handler=garbage),
             "midrpc": Nms(handler=midrpc)}
    stanzas = []
    for kind, nms in nmses.items():
        for i in range(PER_KIND):
            stanzas.append(client_conf("%s%d" % (kind, i), [("127.0.0.1", nms.port)],
                                       backoff=(1, 2), timeout=5))
    nclients = len(stanzas)
    env.write_nchome_conf("".join(stanzas))
    d = Dialer(env)
    pid = d.proc.pid
    start = time.monotonic()

    def least():
        return min(stats["silent"], stats["garbage"], stats["midrpc"])

    wait_for(lambda: least() >= WARMUP or d.proc.poll() is not None, TIME_LIMIT / 2, 0.2)
    a = quiet_snapshot(pid)
    t.diag("after warm-up (%s): rss %d KiB, %d sockets, other fds %s" % (
        {k: stats[k] for k in ("silent", "garbage", "midrpc")}, a["rss"], a["sockets"], a["other_fds"]))
    peak_sockets = a["sockets"]
    lingering = set()	# zombies seen in two samples in a row: not reaped
    prev_z = set()
    peak_children = 0
    end = start + TIME_LIMIT
    while least() < CYCLES and time.monotonic() < end and d.proc.poll() is None:
        s = snapshot(pid)
        peak_sockets = max(peak_sockets, s["sockets"])
        peak_children = max(peak_children, len(s["children"]))
        z = set(c[0] for c in s["children"] if c[1] == "Z")
        lingering |= z & prev_z
        prev_z = z
        time.sleep(0.5)
    alive = d.proc.poll() is None
    b = quiet_snapshot(pid) if alive else None
    counts = {k: stats[k] for k in ("silent", "garbage", "midrpc")}
    t.diag("cycles %s in %.0f s; paramiko errors: %s" % (counts, time.monotonic() - start, stats["errors"]))
    t.ok(alive, "the dialer keeps running through all cycles", d.log()[-1500:])
    t.ok(least() >= CYCLES, "each kind of NMS got %d cycles: %s" % (CYCLES, counts))
    t.ok(stats["hellos"] >= 1, "midrpc cycles reached nchome-netconf (%d server hellos)" % stats["hellos"])
    if b is not None:
        t.ok(set(b["other_fds"]) == set(a["other_fds"]) and len(b["other_fds"]) <= len(a["other_fds"]),
             "descriptors other than sockets do not grow (%d after warm-up, %d at the end)" %
             (len(a["other_fds"]), len(b["other_fds"])), "%s\n%s" % (a["other_fds"], b["other_fds"]))
        t.ok(peak_sockets <= nclients, "never more sockets than clients (peak %d, %d clients)" %
             (peak_sockets, nclients))
        t.ok(b["rss"] - a["rss"] <= RSS_SLACK_KB, "resident memory: %d KiB after warm-up, %d KiB at the end "
             "(slack %d)" % (a["rss"], b["rss"], RSS_SLACK_KB))
        t.ok(not lingering, "every ended sshd is reaped (no zombie seen in two samples 0.5 s apart)",
             lingering)
        t.ok(peak_children <= nclients, "at most one sshd per client (peak %d)" % peak_children)
    d.stop()
    d = None
    for n in nmses.values():
        n.close()
    left = wait_for(lambda: not netconf_procs(), 15)
    t.ok(left, "no nchome-netconf session is left behind", netconf_procs())
finally:
    if d is not None:
        d.stop()
    for n in nmses.values():
        n.close()
    env.cleanup()
t.done()
