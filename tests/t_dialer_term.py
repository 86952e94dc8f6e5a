#!/usr/bin/python3
"""nchome-dialer(8): on SIGTERM the dialer ends the sshd of every session,
and an sshd still running five seconds later is killed.

The `sshd` key names a stand-in: for `-t` it exits 0, for a session it
says "SSH-2.0-" on the socket, notes its pid and the (CLOCK_MONOTONIC)
time each SIGTERM reaches it, and then either goes on running (ignoring
SIGTERM, as a hung sshd would) or exits (as sshd does).  The stubborn one
must get SIGTERM at once and be gone about 5 s later (SIGKILL, logged);
the well-behaved one must not hold the dialer for those 5 s."""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, hold_open  # noqa: E402
from fault_util import alive  # noqa: E402

GRACE = 5.0		# nchome-dialer(8): "those still running after five seconds are killed"
t = TAP()
env = SshEnv("dialer-term")
standin = os.path.join(env.dir, "sshd-standin")
notes = os.path.join(env.dir, "notes")
os.makedirs(notes)
with open(standin, "w") as f:
    f.write("""#!%(py)s
import os, signal, sys, time
if "-t" in sys.argv[1:]:
    sys.exit(0)				# the dialer's sshd -t checks
mode = open("%(notes)s/mode").read().strip()
me = "%(notes)s/%%d" %% os.getpid()

def term(sig, frame):
    with open(me + ".term", "a") as f:
        f.write("%%.6f\\n" %% time.monotonic())
    if mode == "exit":
        os._exit(0)

signal.signal(signal.SIGTERM, term)
os.write(1, b"SSH-2.0-standin\\r\\n")
with open(me + ".start", "w") as f:
    f.write("%%.6f\\n" %% time.monotonic())
while True:
    time.sleep(1)
""" % {"py": sys.executable, "notes": notes})
os.chmod(standin, 0o755)
dialers, listeners = [], []


def started():
    return sorted(int(n.split(".")[0]) for n in os.listdir(notes) if n.endswith(".start"))


def term_times(pid):
    try:
        with open(os.path.join(notes, "%d.term" % pid)) as f:
            return [float(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def run(mode, nclients):
    """Starts the dialer on nclients stand-in sessions, SIGTERMs it; returns
    (dialer, stand-in pids, SIGTERM time, {pid: time seen gone}, dialer exit time)."""
    for n in os.listdir(notes):
        os.unlink(os.path.join(notes, n))
    with open(os.path.join(notes, "mode"), "w") as f:
        f.write(mode + "\n")
    nms = Nms(handler=hold_open)
    listeners.append(nms)
    env.write_nchome_conf("".join(client_conf("c%d" % i, [("127.0.0.1", nms.port)]) for i in range(nclients)))
    with open(env.conf) as f:
        text = f.read()
    with open(env.conf, "w") as f:
        f.write(re.sub(r'^sshd = ".*"$', 'sshd = "%s"' % standin, text, flags=re.M))
    d = Dialer(env)
    dialers.append(d)
    ok = wait_for(lambda: len(started()) >= nclients and nms.count() >= nclients, 15)
    pids = started()
    t.ok(ok, "%s: the dialer runs the stand-in for %d sessions (pids %s)" % (mode, nclients, pids), d.log())
    t0 = time.monotonic()
    d.proc.send_signal(signal.SIGTERM)
    gone, exited = {}, None
    end = t0 + GRACE + scaled(10)
    while time.monotonic() < end and (len(gone) < len(pids) or exited is None):
        now = time.monotonic()
        for p in pids:
            if p not in gone and not alive(p):
                gone[p] = now
        if exited is None and d.proc.poll() is not None:
            exited = now
        time.sleep(0.02)
    return d, pids, t0, gone, exited


try:
    # ---- sshds that ignore SIGTERM: SIGKILLed after the grace ----
    d, pids, t0, gone, exited = run("ignore", 2)
    terms = {p: term_times(p) for p in pids}
    t.ok(pids and all(terms[p] and terms[p][0] - t0 < scaled(2) for p in pids),
         "every session's sshd gets SIGTERM at once (%s s after the dialer's)"
         % [round(terms[p][0] - t0, 2) if terms[p] else None for p in pids])
    after = {p: round(gone[p] - t0, 2) for p in gone}
    t.ok(len(gone) == len(pids) and all(GRACE - 0.3 <= a <= GRACE + scaled(1.5) for a in after.values()),
         "a stand-in that ignores SIGTERM is gone about %.0f s after it (%s s)" % (GRACE, after), d.log())
    t.ok(all(d.log().count("sshd pid %d ignored SIGTERM; killing it" % p) == 1 for p in pids),
         "the dialer logs each SIGKILL with the sshd's pid", d.log())
    t.ok(exited is not None and d.proc.returncode == 0 and GRACE - 0.3 <= exited - t0 <= GRACE + scaled(2),
         "the dialer exits 0 once they are gone (after %s s)" % (round(exited - t0, 2) if exited else None))

    # ---- sshds that end on SIGTERM: no wait, no SIGKILL ----
    d, pids, t0, gone, exited = run("exit", 2)
    t.ok(all(term_times(p) for p in pids) and len(gone) == len(pids),
         "well-behaved sshds get SIGTERM and end")
    t.ok(exited is not None and d.proc.returncode == 0 and exited - t0 < min(GRACE - 1, scaled(2)),
         "the dialer does not wait out the grace for them: exit 0 after %s s"
         % (round(exited - t0, 2) if exited else None), d.log())
    t.ok("ignored SIGTERM" not in d.log(), "and kills nobody", d.log())
    t.eq(sanitizer_findings(), [], "no sanitizer report from the dialer")
finally:
    for d in dialers:
        d.stop()
    for n in listeners:
        n.close()
    for n in (os.listdir(notes) if os.path.isdir(notes) else []):
        if n.endswith(".start"):
            try:
                os.kill(int(n.split(".")[0]), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
    env.cleanup()
t.done()
