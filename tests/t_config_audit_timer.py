#!/usr/bin/python3
"""The audit line of a confirmed commit that its timer rolls back
(nchome-netconf(8) LOGGING; ops/confirm_timer.c).

The timer is a process of its own that closes every inherited descriptor,
syslog's socket among them, and logs only to syslog.  So this test runs in
a private mount namespace whose /dev holds a datagram socket of its own as
/dev/log (and the real null, zero, random and urandom), and reads there
what nchome-netconf sends to syslog.

A persistent confirmed commit with a 1 s timeout, then the session ends:
the timer's line "server changed running (confirmed commit rolled back:
timeout, 1 edit)" (the timer acts as the server: no session, no user)
arrives from a pid that is not the session's, running is back as it was, and the event log holds the
confirmed commit's timeout event, and the confirmed commit is over: its
persist-id no longer cancels anything.  (A timer whose syslog writes to,
and on failure closes, whichever of its own descriptors took the old
socket's number loses what it does after the line: here the datastore
directory, so the confirmed commit stayed outstanding.)"""
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled  # noqa: E402
from ncraw import NcRaw, getcfg, text  # noqa: E402
from fault_util import in_private_mount_namespace  # noqa: E402

in_private_mount_namespace(TAP(), "the confirmed-commit timer's audit line in syslog")

EX = "urn:example:audit-timer"
NCN = "urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"
t = TAP()
env = SshEnv(name="nc-audit-timer")
procs = []
devdir = os.path.join(env.dir, "dev")
os.mkdir(devdir)
os.chmod(devdir, 0o755)
for name in ("null", "zero", "random", "urandom"):
    open(os.path.join(devdir, name), "w").close()
    subprocess.run(["mount", "--bind", "/dev/" + name, os.path.join(devdir, name)], check=True)
syslog = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
syslog.bind(os.path.join(devdir, "log"))
subprocess.run(["mount", "--bind", devdir, "/dev"], check=True)
received = []


def syslog_lines(wait_for, timeout):
    """Lines sent to /dev/log so far (syslog's "<pri>time tag[pid]: msg"),
    after waiting up to timeout seconds for one that contains wait_for."""
    end = time.monotonic() + timeout
    while not any(wait_for in ln for ln in received) and time.monotonic() < end:
        syslog.settimeout(max(0.01, end - time.monotonic()))
        try:
            received.append(syslog.recv(65536).decode(errors="replace"))
        except socket.timeout:
            pass
    return list(received)


def session():
    return NcRaw.session(env.netconf_direct(), procs, timeout=30)


def audit(lines):
    """(pid, message) of each audit line."""
    out = []
    for ln in lines:
        m = re.search(r"nchome-netconf\[(\d+)\]: ((?:session \d+: user \S+|server) changed .*)$", ln)
        if m:
            out.append((int(m.group(1)), m.group(2)))
    return out


try:
    a = session()
    sid, pid = a.session_id, a.proc.pid
    r = a.edit_config("running", '<x xmlns="%s">base</x>' % EX)
    t.ok(NcRaw.ok(r), "running set", r)
    base = getcfg(a)
    r = a.edit_config("candidate", '<x xmlns="%s">trial</x>' % EX)
    t.ok(NcRaw.ok(r), "candidate edited", r)
    r = a.rpc("<commit><confirmed/><confirm-timeout>1</confirm-timeout><persist>p39</persist></commit>")
    t.ok(NcRaw.ok(r), "persistent confirmed commit with a 1 s timeout", r)
    mine = audit(syslog_lines("(confirmed commit, 1 edit)", scaled(5)))
    t.ok((pid, "session %d: user root changed running (confirmed commit, 1 edit)" % sid) in mine,
         "the session's own audit line reaches syslog", received)
    a.close()

    want = "server changed running (confirmed commit rolled back: timeout, 1 edit)"
    got = [(p, m) for p, m in audit(syslog_lines(want, scaled(20))) if m == want]
    t.ok(len(got) == 1, "the timer's rollback logs one audit line", received)
    t.ok(got and got[0][0] != pid, "from the timer's own process, not the session's", got)

    b = session()
    t.eq(getcfg(b), base,
         "running is back to what it was before the confirmed commit")
    r = b.rpc("<cancel-commit><persist-id>p39</persist-id></cancel-commit>")
    t.ok(not NcRaw.ok(r), "the confirmed commit is over: cancel-commit with its persist-id is refused",
         text(r))
    b.send_msg(b.rpc_text('<create-subscription xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0">'
                          "<startTime>2000-01-01T00:00:00Z</startTime><stopTime>2100-01-01T00:00:00Z"
                          "</stopTime></create-subscription>"))
    msgs = []
    while not msgs or "notificationComplete" not in msgs[-1]:
        try:
            m = b.read_msg(timeout=scaled(10))
        except TimeoutError:
            m = None
        if m is None:
            break
        msgs.append(m.decode(errors="replace"))
    cc = [m for m in msgs if "netconf-confirmed-commit" in m]
    t.ok(any("<confirm-event>timeout</confirm-event>" in m for m in cc),
         "the event log holds the confirmed commit's timeout event, written after the line", cc)
    t.ok(any(re.search(r"<netconf-config-change .*<datastore>running</datastore>", m, re.S)
             for m in msgs[-4:]), "and the rollback's config-change event", msgs[-4:])
    b.kill()
finally:
    for nc in procs:
        nc.kill()
    # the mounts end with this namespace, but the directory goes now
    subprocess.run(["umount", "/dev"])
    for name in ("null", "zero", "random", "urandom"):
        subprocess.run(["umount", os.path.join(devdir, name)])
    env.cleanup()
t.done()
