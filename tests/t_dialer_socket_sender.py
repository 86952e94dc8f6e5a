#!/usr/bin/python3
"""nchome-dialer: whose "session reached NETCONF" reports it believes.

An installed nchome-netconf is set-uid _nchome and switches every uid to
it before it reports, so where the host has the account _nchome the dialer
believes datagrams on its `dialer-socket` only from _nchome's uid and
root's; any other local account could otherwise make it skip the backoff
for an NMS whose sessions fail.  Checked in a private account database
(accounts made and removed for real, the host's untouched), with one
dialer, an NMS that ends every session under 2 s without NETCONF, and
reports for each session's exact connection sent as a chosen account
(setpriv), so the report alone decides between "call again at once" and a
backoff of at least 2 s:

- no _nchome: a throwaway account's report is believed, as before;
- _nchome made, SIGHUP: the same report is dropped and logged with its
  uid, the session counts as failed (backoff); _nchome's and root's
  reports are believed;
- a burst of forged reports: the drops are logged rate-limited (one
  warning, then the count at exit), and every drop is counted;
- _nchome removed, SIGHUP: any sender is believed again;
- the account database fails at the dialer's start: only root is believed
  (fail closed, no rule to keep yet) until a SIGHUP looks it up again.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("dialer-socket senders")
from nchome_test import SshEnv, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, finish  # noqa: E402

SVC = "_nchome"
OTHER = "hsforger"	# the throwaway account
BACKOFF = (4, 8)	# a failed round waits at least 2 s
BURST = 20


def ids(name):
    out = subprocess.run(["id", "-u", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if out.returncode != 0:
        return None
    gid = subprocess.run(["id", "-g", name], stdout=subprocess.PIPE, text=True, check=True).stdout
    return int(out.stdout), int(gid)


SEND = ("import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
        "for _ in range(int(sys.argv[3])):\n"
        "    s.sendto(sys.argv[2].encode(), sys.argv[1])\n")

# Who reports each session, how many datagrams, and whether _nchome exists
# for the dialer when it is sent (set only once the dialer said so).
plan = {"as": None, "count": 1, "restricted": False}


def reporter(sock, rec):
    """Reports this very connection as having reached NETCONF, as plan["as"]
    (uid, gid), then closes: a session of well under 2 s."""
    dialer_addr, dialer_port = sock.getpeername()[:2]
    nms_addr, nms_port = sock.getsockname()[:2]
    msg = "nchome-hello-v1 %s %d %s %d" % (nms_addr, nms_port, dialer_addr, dialer_port)
    uid, gid = plan["as"]
    rec["as"], rec["count"], rec["restricted"] = uid, plan["count"], plan["restricted"]
    pre = [] if uid == 0 else ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups"]
    r = subprocess.run(pre + [sys.executable, "-c", SEND, env.dialer_socket, msg, str(plan["count"])],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rec["sent"] = r.returncode == 0
    rec["send_out"] = r.stdout
    time.sleep(0.3)		# the dialer reads it while the session lasts
    rec["closed"] = time.monotonic()
    sock.close()


def settle(n, who):
    """Sessions reported as who from now on, once the one under way has sent
    its report: the dialer makes one session at a time, so a connection
    accepted after the switch means the previous report is in."""
    plan["as"] = who
    k = len(n.conns)
    wait_for(lambda: len(n.conns) > k, 20)


def phase(d, n, who, what, believed, why=r"neither %s \(uid \d+\) nor root" % SVC):
    """Sessions reported as who from now on; checks the next finished one and
    the gap before the call after it."""
    plan["as"] = who
    start = len(d.log())
    k = len(n.conns) + 1	# one may be under way with the previous plan
    wait_for(lambda: len(n.conns) > k + 1 and n.conns[k].get("closed"), 30)
    conns = n.conns[k:k + 2]
    ok = len(conns) == 2 and conns[0].get("sent") and conns[0]["as"] == who[0]
    gap = conns[1]["time"] - conns[0]["closed"] if ok else None
    log = d.log()[start:]
    if believed:
        t.ok(ok and gap < 1.5 and ("reported by uid %d " % who[0]) in log,
             "%s: believed, the next call at once (%s s after the close)" % (what, gap and round(gap, 2)),
             "%r\n%s" % (conns and conns[0], log[-2500:]))
    else:
        # A connection the NMS held 2 s or more counts by its time whatever the
        # report said (a loaded machine stretches the 0.3 s session that far):
        # only a shorter one shows, by its backoff, that the report was dropped.
        held = conns[0].get("closed", conns[0]["time"]) - conns[0]["time"] if ok else 0
        t.ok(ok and (gap >= BACKOFF[0] / 2 - 0.05 or held >= 1.9) and
             re.search(r"dialer-socket: dropped .*uid %d .*" % who[0] + why, log) is not None,
             "%s: dropped with its uid logged, the session a failed round (backoff %s s; held %.2f s)"
             % (what, gap and round(gap, 2), held), "%r\n%s" % (conns and conns[0], log[-2500:]))
    return conns


dialers, listeners = [], []
env = SshEnv("dialer-sender")
sockdir = tempfile.mkdtemp(prefix="nchome-sender-")
os.chmod(sockdir, 0o755)	# every account reaches the socket
env.dialer_socket = os.path.join(sockdir, "run", "dialer.sock")
try:
    if ids(SVC):
        subprocess.run(["userdel", "-f", SVC], check=True)	# the private copy's, not the host's
    subprocess.run(["useradd", "-M", "-U", "-s", "/bin/sh", OTHER], check=True)
    other = ids(OTHER)

    n = Nms(handler=reporter)
    listeners.append(n)
    plan["as"] = other
    env.write_nchome_conf(client_conf("c", [("127.0.0.1", n.port)], backoff=BACKOFF))
    d = Dialer(env)
    dialers.append(d)

    # 1. No _nchome: any sender is believed, as before.
    t.ok(d.wait_log("no account %s: session reports believed from any account" % SVC, 10),
         "without %s the dialer says it believes any account" % SVC, d.log()[-1500:])
    phase(d, n, other, "no %s, a report from %s" % (SVC, OTHER), True)

    # 2. _nchome made; SIGHUP looks it up again.  Root reports while the
    #    rule changes, so every report from the other account is counted.
    settle(n, (0, 0))
    subprocess.run(["useradd", "-r", "-M", "-U", "-s", "/usr/sbin/nologin", SVC], check=True)
    svc = ids(SVC)
    d.hup()
    t.ok(d.wait_log("session reports believed only from %s (uid %d) and root" % (SVC, svc[0]), 10),
         "SIGHUP: %s (uid %d) looked up, said so" % (SVC, svc[0]), d.log()[-1500:])
    plan["restricted"] = True
    first_drop = time.monotonic()
    phase(d, n, other, "with %s, a report from %s" % (SVC, OTHER), False)
    phase(d, n, svc, "a report from %s's uid" % SVC, True)
    phase(d, n, (0, 0), "a report from root", True)

    # 3. A burst of forged reports: one warning, the rest counted.
    plan["count"] = BURST
    phase(d, n, other, "%d reports in a row from %s" % (BURST, OTHER), False)
    plan["count"] = 1

    # 4. _nchome removed, SIGHUP: any sender again.
    settle(n, (0, 0))
    plan["restricted"] = False
    subprocess.run(["userdel", "-f", SVC], check=True)
    d.hup()
    t.ok(d.wait_log("no account %s: session reports believed from any account" % SVC, 10, count=2),
         "SIGHUP after %s is removed: any account again" % SVC, d.log()[-1500:])
    phase(d, n, other, "%s gone, a report from %s" % (SVC, OTHER), True)
    elapsed = time.monotonic() - first_drop
    d.stop()
    n.close()

    log = d.log()
    between = log[log.index("session reports believed only from"):log.rindex("no account %s" % SVC)]
    t.ok(("reported by uid %d " % other[0]) not in between,
         "while %s exists no session is marked as NETCONF on %s's report" % (SVC, OTHER), between[-2000:])
    dropped = sum(c["count"] for c in n.conns if c.get("as") == other[0] and c.get("restricted")
                  and c.get("sent"))
    counts = [int(x) for x in re.findall(r"dialer-socket: dropped (\d+) (?:more )?datagrams?", log)]
    t.ok(sum(counts) == dropped and len(counts) <= 2 + int(elapsed // 60) and dropped > BURST,
         "drops are logged rate-limited and counted: %d warning lines say %s of the %d datagrams "
         "%s sent (over %d s)" % (len(counts), counts, dropped, OTHER, elapsed), between[-3000:])
    t.ok(re.search(r"dialer-socket: dropped \d+ more datagrams since the last warning", log) is not None,
         "the drops not yet warned about are counted at exit", log[-1500:])
    t.ok(d.proc.returncode == 0, "the dialer exited normally (%r)" % d.proc.returncode)

    # 5. The account database fails (not "no such name") at the first
    #    look-up: no rule to keep yet, so only root is believed, not any
    #    account, until a SIGHUP looks again.  glibc's hesiod module after
    #    files, with /etc/hesiod.conf a symbolic link to itself: names in
    #    /etc/passwd (sshd, for sshd -t) are found, _nchome fails with ELOOP.
    with open("/etc/nsswitch.conf") as f:
        nss = f.read()
    try:
        os.symlink("hesiod.conf", "/etc/hesiod.conf")
        with open("/etc/nsswitch.conf", "w") as f:
            f.write(re.sub(r"(?m)^passwd:.*$", "passwd: files hesiod", nss))
        n = Nms(handler=reporter)
        listeners.append(n)
        plan["as"] = (0, 0)
        env.write_nchome_conf(client_conf("c", [("127.0.0.1", n.port)], backoff=BACKOFF))
        d = Dialer(env)
        dialers.append(d)
        warned = d.wait_log("looking up %s: Too many levels of symbolic links; session reports "
                            "believed only from root" % SVC, 10)
    finally:
        with open("/etc/nsswitch.conf", "w") as f:
            f.write(nss)
        if os.path.islink("/etc/hesiod.conf"):
            os.unlink("/etc/hesiod.conf")
    t.ok(warned, "an account database error at start: warned, only root believed", d.log()[-1500:])
    phase(d, n, other, "after that error, a report from %s" % OTHER, False,
          why=r"not root \(%s not looked up\)" % SVC)
    phase(d, n, (0, 0), "after that error, a report from root", True)
    settle(n, (0, 0))
    d.hup()
    t.ok(d.wait_log("no account %s: session reports believed from any account" % SVC, 10),
         "SIGHUP with the database back: looked up again", d.log()[-1500:])
    phase(d, n, other, "then a report from %s" % OTHER, True)
    d.stop()
    n.close()
    t.ok(d.proc.returncode == 0, "that dialer exited normally (%r)" % d.proc.returncode)
    found = sanitizer_findings()
    t.ok(not found, "no sanitizer findings in the dialer's stderr", "\n".join(found[:40]))
finally:
    finish(env, dialers, listeners)
    subprocess.run(["rm", "-rf", sockdir])
t.done()
