#!/usr/bin/python3
"""nchome-dialer: short sessions that reached NETCONF are not punished.

nchome-netconf reports on the dialer's `dialer-socket` once the hellos are
exchanged; the dialer matches the report to its session by the TCP
connection's two ends (SSH_CONNECTION).  Checked with real sshd and
nchome-netconf, NMSes written with paramiko, and a backoff large enough
(initial 4 s: a failed round waits at least 2 s) to tell the two apart:

- an NMS that exchanges hellos, runs one get-config and closes after
  ~100 ms: ten sessions in a row, each reported, each followed by the next
  call at once, no backoff logged;
- an NMS that closes before SSH, or after the key exchange but before
  authentication, or that logs in and runs `true` (no NETCONF) under 2 s:
  the backoff of today, growing from round to round;
- reports that do not name the session's connection, and malformed
  datagrams, change nothing (the dialer logs the drop and keeps running);
- the socket: mode 0666, removed at exit, moved by SIGHUP; a folder other
  users may write is refused with a log line, and the dialer runs without it;
  a stale socket is replaced, one another dialer holds is not.
"""
import os
import re
import socket
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, finish  # noqa: E402

import paramiko  # noqa: E402

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
BACKOFF = (4, 8)	# a failed round waits 2-4 s, then 4-8 s
RUNS = 10

t = TAP()
env = SshEnv("dialer-short")
user_key = paramiko.Ed25519Key.from_private_key_file(env.user_key)
dialers, listeners = [], []


def start(clients, name="c"):
    env.write_nchome_conf(clients)
    d = Dialer(env)
    dialers.append(d)
    return d


def nms(handler):
    n = Nms(handler=handler)
    listeners.append(n)
    return n


def read_until(ch, end, limit=10):
    buf = b""
    deadline = time.monotonic() + scaled(limit)
    while end not in buf:
        ch.settimeout(max(0.05, deadline - time.monotonic()))
        d = ch.recv(65536)
        if not d:
            raise EOFError("closed after %r" % buf[-200:])
        buf += d
    return buf


def netconf_nms(sock, rec):
    """Hellos, one get-config, ~100 ms, close."""
    tr = paramiko.Transport(sock)
    try:
        tr.start_client(timeout=scaled(10))
        tr.auth_publickey("root", user_key)
        ch = tr.open_session()
        ch.invoke_subsystem("netconf")
        read_until(ch, b"]]>]]>")
        ch.sendall(('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
                    '</capability></capabilities></hello>]]>]]>' % NS).encode())
        ch.sendall(('<rpc xmlns="%s" message-id="1"><get-config><source><running/></source>'
                    '</get-config></rpc>]]>]]>' % NS).encode())
        rec["reply"] = read_until(ch, b"]]>]]>")
        time.sleep(0.1)
    finally:
        tr.close()
        rec["closed"] = time.monotonic()


def kex_only_nms(sock, rec):
    """SSH key exchange, then close before authentication."""
    tr = paramiko.Transport(sock)
    try:
        tr.start_client(timeout=scaled(10))
        rec["kex"] = True
    finally:
        tr.close()


def true_nms(sock, rec):
    """Logs in, runs `true` (no NETCONF), closes: well under 2 s."""
    tr = paramiko.Transport(sock)
    try:
        tr.start_client(timeout=scaled(10))
        tr.auth_publickey("root", user_key)
        ch = tr.open_session()
        ch.exec_command("true")
        rec["status"] = ch.recv_exit_status()
    finally:
        tr.close()


def waits(log):
    return [float(x) for x in re.findall(r"next round in ([0-9.]+) s", log)]


def grown(log):
    """The waits logged after a failed round that itself followed a failed
    round: a loaded machine can stretch a session past 2 s, and that one
    counts and resets the backoff in between."""
    lines = log.splitlines()
    ends = [i for i, ln in enumerate(lines[:-1]) if " ended after " in ln]
    failed = [re.search(r"too short to count; next round in ([0-9.]+) s", lines[i + 1]) for i in ends]
    return [float(b.group(1)) for a, b in zip(failed, failed[1:]) if a and b]


def backs_off(what, handler, extra=None):
    """NMS sessions end without NETCONF: the waits logged grow as today."""
    n = nms(handler)
    d = start(client_conf("c", [("127.0.0.1", n.port)], backoff=BACKOFF))
    got = wait_for(lambda: len(waits(d.log())) >= 3 and len(grown(d.log())) >= 2, 40)
    d.stop()
    n.close()
    log = d.log()
    w = waits(log)
    t.ok(got and w[0] >= BACKOFF[0] / 2 - 0.01 and max(grown(log)[:2]) > BACKOFF[0],
         "%s: backoff as today, first wait in [%g, %g] s and growing: %s"
         % (what, BACKOFF[0] / 2, BACKOFF[0], w), log[-2500:])
    t.ok("too short to count" in log and "reached NETCONF" not in log,
         "%s: the sessions count as failed rounds, none reported as NETCONF" % what, log[-2500:])
    if extra:
        extra(n, log)
    return d


try:
    # 1. Short NETCONF sessions: ten in a row, each followed by a call at once.
    n = nms(netconf_nms)
    d = start(client_conf("c", [("127.0.0.1", n.port)], backoff=BACKOFF))
    wait_for(lambda: len(n.conns) > RUNS and n.conns[RUNS - 1].get("closed"), 60)
    conns = n.conns[:RUNS + 1]
    replies = [c for c in conns[:RUNS] if c.get("reply", b"").find(b"<data") >= 0]
    t.eq(len(replies), RUNS, "NMS: %d short sessions each exchanged hellos and got a get-config reply"
         % RUNS)
    log = d.log()
    # The first RUNS sessions, by their sshd pids: the one after them is under
    # way, and its report and its NMS's reply can land on either side of
    # this read.
    first = d.session_pids()[:RUNS]
    t.eq([log.count("reached NETCONF (sshd pid %d;" % p) for p in first], [1] * RUNS,
         "each session is reported as having reached NETCONF (matched by its connection)")
    t.ok("next round in" not in log and "too short to count" not in log,
         "no backoff after any of them", log[-3000:])
    gaps = [round(b["time"] - a["closed"], 3) for a, b in zip(conns, conns[1:]) if a.get("closed")]
    # A failed round would wait at least BACKOFF[0] / 2 = 2 s.
    t.ok(len(gaps) == RUNS and max(gaps) < scaled(1.0),
         "the next call follows each NMS close at once, not after a backoff: %s s" % gaps, log[-3000:])
    pids = d.session_pids()
    t.ok(len(pids) >= RUNS, "the dialer logged a new sshd for each call (%d)" % len(pids))
    d.stop()
    n.close()

    # 2. NMS closes before SSH (right after sshd's identification): backoff as today.
    backs_off("NMS closes before SSH", None)

    # 3. NMS closes after the key exchange, before authentication.
    backs_off("NMS closes before authentication", kex_only_nms)

    # 4. An SSH session without NETCONF, shorter than 2 s: the old rule holds.
    backs_off("NMS runs `true` (no NETCONF) for under 2 s", true_nms)

    # 5. Reports that do not name the session's connection change nothing.
    def forger(sock, rec):
        dialer_addr, dialer_port = sock.getpeername()[:2]
        nms_addr, nms_port = sock.getsockname()[:2]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for msg in ["nchome-hello-v1 %s %d %s %d" % (nms_addr, nms_port, dialer_addr, dialer_port % 65535 + 1),
                    "nchome-hello-v1 %s %d %s %d" % (nms_addr, nms_port % 65535 + 1, dialer_addr, dialer_port),
                    "nchome-hello-v1 %s %d %s  %d" % (nms_addr, nms_port, dialer_addr, dialer_port),
                    "nchome-hello-v1 %s %d %s %d " % (nms_addr, nms_port, dialer_addr, dialer_port),
                    "nchome-hello-v2 %s %d %s %d" % (nms_addr, nms_port, dialer_addr, dialer_port),
                    "nchome-hello-v1 " + "1" * 300, "\0garbage"]:
            try:
                s.sendto(msg.encode(), env.dialer_socket)
            except OSError as e:
                rec["send_error"] = repr(e)
        s.close()
        time.sleep(0.2)		# the dialer reads them before sshd ends

    def dropped_logged(n, log):
        t.ok("dialer-socket: dropped" in log and not any(c.get("send_error") for c in n.conns),
             "malformed reports are dropped with a log line", log[-2500:])
    d = backs_off("reports naming another connection, and malformed ones", forger, dropped_logged)
    t.ok(d.proc.returncode == 0, "the dialer ran through them and exited normally (%r)" % d.proc.returncode)

    # 6. The socket itself: mode 0666 (any NETCONF account sends), gone at exit,
    #    moved by SIGHUP.
    n = nms(netconf_nms)
    d = start(client_conf("c", [("127.0.0.1", n.port)], backoff=BACKOFF))
    wait_for(lambda: os.path.exists(env.dialer_socket), 10)
    st = os.stat(env.dialer_socket) if os.path.exists(env.dialer_socket) else None
    t.ok(st and stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o666 and st.st_uid == 0,
         "dialer-socket: a socket, mode 0666, owned by root", st)
    moved = os.path.join(env.dir, "run2", "d.sock")
    old_path = env.dialer_socket
    env.dialer_socket = moved
    env.write_nchome_conf(client_conf("c", [("127.0.0.1", n.port)], backoff=BACKOFF))
    d.hup()
    t.ok(wait_for(lambda: os.path.exists(moved) and not os.path.exists(old_path), 15),
         "SIGHUP with a new dialer-socket: the socket moves (folder created)", d.log()[-2000:])
    t.eq(stat.S_IMODE(os.stat(os.path.dirname(moved)).st_mode) if os.path.exists(moved) else None, 0o755,
         "the created folder is mode 0755")

    def after_move():
        """The log from the first session started after the reload: one under
        way across it may have read the new file's socket before the dialer
        made it, or the old one after it went, and counted as short."""
        log = d.log()
        i = log.find("configuration reloaded")
        j = log.find("session started with", i) if i >= 0 else -1
        return log[j:] if j >= 0 else ""
    wait_for(lambda: after_move().count("reached NETCONF") >= 3, 30)
    tail = after_move()
    t.ok("next round in" not in tail and tail.count("reached NETCONF") >= 3,
         "sessions report on the moved socket: still no backoff", d.log()[-2000:])
    d.stop()
    n.close()
    t.ok(not os.path.exists(moved), "the socket is removed when the dialer exits")
    env.dialer_socket = old_path

    # 7. A folder other users may write: refused, said so; the old rule applies.
    unsafe = os.path.join(env.dir, "unsafe")
    os.makedirs(unsafe)
    os.chmod(unsafe, 0o777)
    env.dialer_socket = os.path.join(unsafe, "d.sock")
    n = nms(netconf_nms)
    d = start(client_conf("c", [("127.0.0.1", n.port)], backoff=BACKOFF))

    def ends(log):
        """(seconds, backed off) of each session end the dialer logged with
        the line after it: on a loaded machine a NETCONF session can itself
        last over 2 s, and then it counts (no backoff) without any report."""
        lines = log.splitlines()
        return [(float(m.group(1)), "too short to count" in lines[i + 1])
                for i, m in enumerate(re.search(r" ended after ([0-9.]+) s ", ln) for ln in lines[:-1]) if m]
    wait_for(lambda: any(sec < 2 for sec, _ in ends(d.log())), 30)
    d.stop()
    n.close()
    log = d.log()
    t.ok("only root may be able to change" in log and unsafe in log and
         not os.path.exists(env.dialer_socket),
         "a dialer-socket folder other users may write is refused, with the reason", log[-2000:])
    e = ends(log)
    t.ok(n.conns and n.conns[0].get("reply") and any(sec < 2 for sec, _ in e) and
         all(backed == (sec < 2) for sec, backed in e),
         "without the socket, sessions still work and short ones count as failed (2 s rule): %s" % e,
         log[-2000:])
    env.dialer_socket = old_path

    # 8. A socket left by a dialer that died is replaced; one a live process holds is not.
    from dialer_test import closed_port
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    stale.bind(env.dialer_socket)
    stale.close()		# the path stays, no one behind it
    d = start(client_conf("c", [("127.0.0.1", closed_port())], backoff=BACKOFF))
    wait_for(lambda: "connecting to" in d.log(), 10)
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.connect(env.dialer_socket)
        replaced = True
    except OSError:
        replaced = False
    probe.close()
    t.ok(replaced and "dialer-socket:" not in d.log(), "a stale socket is replaced silently",
         d.log()[-1500:])
    second = Dialer(env)
    dialers.append(second)
    second.wait_log("in use by another process", 10)
    second.stop()
    d.stop()
    t.ok("in use by another process" in second.log(),
         "a second dialer does not take over a socket the first one holds", second.log()[-1500:])

    found = sanitizer_findings()
    t.ok(not found, "no sanitizer findings in the dialer's stderr", "\n".join(found[:40]))
finally:
    finish(env, dialers, listeners)
t.done()
