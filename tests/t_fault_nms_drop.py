#!/usr/bin/python3
"""Fault: an NMS that stops answering without closing.

The test runs in a network namespace of its own (unshare --net, loopback
only) and drops every packet to and from the NMS port with nftables
(netem is not in every kernel).  With keep-alive { retry = R timeout = T }
sshd must declare the silent session dead within R*T plus one interval
and a small margin; the dialer then tries again (attempts time out while
the packets are dropped) and reconnects once the NMS answers again, within
backoff max + one attempt's timeout + margin.
"""
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from dialer_test import Dialer, Nms, client_conf, finish  # noqa: E402

INNER = "NCHOME_FAULT_NETNS_INNER"
if os.environ.get(INNER) != "1":
    t = TAP()
    missing = [p for p in ("unshare", "nft", "ip") if shutil.which(p) is None]
    if missing:
        t.skip_tool("packet drop in a network namespace", missing[0], "not installed (contrib/debian-deps)")
        t.done()
    if os.geteuid() != 0:
        t.skip("packet drop in a network namespace", "needs root")
        t.done()
    env = dict(os.environ)
    env[INNER] = "1"
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "--net", sys.executable, os.path.abspath(__file__)], env)

RETRY, TIMEOUT = 2, 2		# keep-alive
BACKOFF = (1, 2)
ATTEMPT_TIMEOUT = 2
MARGIN = scaled(3.0)	# scheduling margin over the protocol's own times

t = TAP()
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
env = SshEnv("fault-drop")
import paramiko  # noqa: E402

sessions = []		# per NMS connection: {"authed": time, "closed": bool}
hold = threading.Event()


def hold_session(sock, rec):
    """A well-behaved NMS: logs in and keeps the session open, saying nothing."""
    st = {"authed": None}
    sessions.append(st)
    tr = paramiko.Transport(sock)
    try:
        tr.start_client(timeout=scaled(15))
        tr.auth_publickey("root", paramiko.Ed25519Key.from_private_key_file(env.user_key))
        st["authed"] = time.monotonic()
        while tr.is_active() and not hold.is_set():
            time.sleep(0.1)
    finally:
        tr.close()


def nft(*args):
    return subprocess.run(["nft"] + list(args), capture_output=True, text=True)


def drop(port):
    r = nft("-f", "-", )
    script = ("add table inet nchome_fault\n"
              "add chain inet nchome_fault in { type filter hook input priority 0; }\n"
              "add rule inet nchome_fault in tcp dport %d drop\n"
              "add rule inet nchome_fault in tcp sport %d drop\n" % (port, port))
    r = subprocess.run(["nft", "-f", "-"], input=script, capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def undrop():
    return nft("delete", "table", "inet", "nchome_fault").returncode == 0


nms = None
d = None
try:
    nms = Nms(handler=hold_session)
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)], backoff=BACKOFF,
                                      timeout=ATTEMPT_TIMEOUT, keepalive=(RETRY, TIMEOUT)))
    d = Dialer(env)
    ok = wait_for(lambda: sessions and sessions[0]["authed"], 20)
    t.ok(ok, "the NMS logs in over the called-home connection", d.log())
    marker = "session with 127.0.0.1 port %d ended" % nms.port
    time.sleep(TIMEOUT * 1.5)	# keep-alives flow while packets pass: the session stays
    t.ok(marker not in d.log(), "with packets flowing, keep-alives keep the session up")

    ok, err = drop(nms.port)
    t.ok(ok, "nftables drops every packet of the NMS port", err)
    t0 = time.monotonic()
    # sshd counts from the last keep-alive answered, up to one interval before
    # the drop, and ends the session when the count passes retry: at most
    # (retry + 2) * timeout after the drop, plus the margin.
    limit = (RETRY + 2) * TIMEOUT + MARGIN
    ended = wait_for(lambda: marker in d.log(), limit + 10, 0.1)
    dt = time.monotonic() - t0
    t.ok(ended and dt <= limit, "the silent session is declared dead after %.1f s "
         "(keep-alive %d x %d s; bound %.0f s = (retry + 2) * timeout + %.0f s)" %
         (dt, RETRY, TIMEOUT, limit, MARGIN), d.log()[-1500:])

    # While the NMS cannot be reached the dialer keeps trying, and attempts time out.
    n_before = len(nms.conns)
    tried = wait_for(lambda: "timed out" in d.log(), ATTEMPT_TIMEOUT + BACKOFF[1] + 5, 0.1)
    t.ok(tried and len(nms.conns) == n_before,
         "while packets are dropped, attempts time out (nothing reaches the NMS)", d.log()[-1500:])

    undrop()
    t2 = time.monotonic()
    back = wait_for(lambda: len(nms.conns) > n_before, 30, 0.05)
    dt = time.monotonic() - t2
    limit = BACKOFF[1] + ATTEMPT_TIMEOUT + MARGIN
    t.ok(back and dt <= limit, "the dialer reconnects %.1f s after the NMS answers again (bound %.0f s: "
         "backoff max + attempt timeout + %.0f s)" % (dt, limit, MARGIN), d.log()[-1500:])
    ok = wait_for(lambda: len(sessions) >= 2 and sessions[-1]["authed"], 20)
    t.ok(ok, "the new session works (the NMS logs in again)")
finally:
    hold.set()
    undrop()
    finish(env, [d], [nms])
t.done()
