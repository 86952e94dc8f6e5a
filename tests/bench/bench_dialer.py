#!/usr/bin/python3
"""Figures for nchome-dialer (not pass/fail; see tests/bench/run):

- resident memory of the dialer with 10 clients, each holding an idle
  called-home session (10 sshd children waiting for the NMS);
- CPU time the dialer uses over 60 s in that state (/proc/<pid>/stat
  utime+stime): ~0 means no polling;
- session set-up: from the NMS's accept() of the called-home connection to
  an SSH session that has run `true`, beside the same from connect() to a
  listening `sshd -D` (same sshd_config, same keys).  Both sides use the
  same paramiko client code, alternating runs; medians and their ratio.
  Also the time to sshd's SSH-2.0 identification (dialer: from accept;
  direct: from connect), which isolates what the dialer adds.

Environment: NCHOME_BENCH_IDLE_SECONDS (default 60), NCHOME_BENCH_RUNS (15).
"""
import os
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SSHD, SshEnv, wait_for  # noqa: E402
from dialer_test import Dialer, Nms, client_conf, hold_open  # noqa: E402

import paramiko  # noqa: E402

IDLE = int(os.environ.get("NCHOME_BENCH_IDLE_SECONDS", "60"))
RUNS = int(os.environ.get("NCHOME_BENCH_RUNS", "15"))
TICK = os.sysconf("SC_CLK_TCK")


def figure(name, value, unit, note=""):
    print("FIGURE %s\t%s\t%s\t%s" % (name, value, unit, note), flush=True)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])	# utime + stime


def ssh_session(sock, env, user_key):
    """paramiko on a connected socket: handshake, auth, exec true; returns when done."""
    tr = paramiko.Transport(sock)
    try:
        tr.start_client(timeout=20)
        tr.auth_publickey("root", user_key)
        ch = tr.open_session()
        ch.exec_command("true")
        ch.recv_exit_status()
    finally:
        tr.close()


def banner_time(sock, t0):
    """Seconds from t0 until sshd's identification line is readable on sock."""
    sock.settimeout(20)
    data = sock.recv(64, socket.MSG_PEEK)
    return time.monotonic() - t0 if data.startswith(b"SSH-") or b"SSH-" in data else None


env = SshEnv("bench-dialer")
user_key = paramiko.Ed25519Key.from_private_key_file(env.user_key)
procs = []
try:
    # --- 10 idle clients --------------------------------------------------
    listeners = [Nms(handler=hold_open) for _ in range(10)]
    env.write_nchome_conf("".join(client_conf("nms%d" % i, [("127.0.0.1", n.port)])
                                  for i, n in enumerate(listeners)))
    d = Dialer(env)
    wait_for(lambda: all(n.count() for n in listeners), 30)
    held = sum(1 for n in listeners if n.count())
    time.sleep(1)
    pid = d.proc.pid
    figure("dialer.rss_10_idle", "%.2f" % (rss_kib(pid) / 1024), "MB",
           "VmRSS of nchome-dialer with %d clients each holding a session (sshd not counted)" % held)
    c0, t0 = cpu_ticks(pid), time.monotonic()
    time.sleep(IDLE)
    c1, t1 = cpu_ticks(pid), time.monotonic()
    figure("dialer.cpu_idle", "%.3f" % ((c1 - c0) / TICK), "s",
           "utime+stime over %.0f s idle with %d sessions (tick %.0f ms)" % (t1 - t0, held, 1000 / TICK))
    d.stop()
    for n in listeners:
        n.close()

    # --- session set-up: dialer vs direct sshd ----------------------------
    # dialer: one client calling a listener whose accept() we time; each
    # session ends when the NMS is done and the dialer calls again (after its
    # backoff, since the sessions are short).
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(4)
    env.write_nchome_conf(client_conf("bench", [("127.0.0.1", lsock.getsockname()[1])],
                                      initiation="none", backoff=(1, 1)))
    d = Dialer(env)

    direct_sock = socket.socket()
    direct_sock.bind(("127.0.0.1", 0))
    direct_port = direct_sock.getsockname()[1]
    direct_sock.close()
    sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", env.sshd_config, "-o", "Port=%d" % direct_port,
                             "-o", "ListenAddress=127.0.0.1"], stderr=subprocess.DEVNULL)
    procs.append(sshd)

    def up():
        try:
            socket.create_connection(("127.0.0.1", direct_port), 1).close()
            return True
        except OSError:
            return False
    wait_for(up, 10)

    via_dialer, direct, ban_dialer, ban_direct = [], [], [], []
    lsock.settimeout(30)
    for i in range(RUNS):
        # dialer
        s, _ = lsock.accept()
        t0 = time.monotonic()
        b = banner_time(s, t0)
        ssh_session(s, env, user_key)
        via_dialer.append(time.monotonic() - t0)
        ban_dialer.append(b)
        s.close()
        # direct
        t0 = time.monotonic()
        s = socket.create_connection(("127.0.0.1", direct_port), 10)
        b = banner_time(s, t0)
        ssh_session(s, env, user_key)
        direct.append(time.monotonic() - t0)
        ban_direct.append(b)
        s.close()
    d.stop()
    lsock.close()

    md, mx = statistics.median(via_dialer), statistics.median(direct)
    figure("dialer.session_setup", "%.1f" % (md * 1000), "ms",
           "NMS accept -> paramiko session ran `true`, through the dialer, median of %d" % RUNS)
    figure("direct.session_setup", "%.1f" % (mx * 1000), "ms",
           "connect -> same, direct to a listening sshd -D, median of %d (alternating)" % RUNS)
    figure("dialer.session_setup_ratio", "%.3f" % (md / mx), "x",
           "dialer / direct medians (1.02 = dialer adds 2%)")
    bd = statistics.median([x for x in ban_dialer if x is not None])
    bx = statistics.median([x for x in ban_direct if x is not None])
    figure("dialer.time_to_ssh_banner", "%.1f" % (bd * 1000), "ms",
           "NMS accept -> sshd's SSH-2.0 line readable (dialer connect + fork/exec sshd -i), median")
    figure("direct.time_to_ssh_banner", "%.1f" % (bx * 1000), "ms",
           "connect -> SSH-2.0 line from a listening sshd -D (fork + re-exec), median")
finally:
    for p in procs:
        p.terminate()
        p.wait()
    env.cleanup()
