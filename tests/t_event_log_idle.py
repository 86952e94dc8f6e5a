#!/usr/bin/python3
"""An idle session lets go of the event log (subsystem/main.c, KEPT_IDLE_MS):
a session keeps the log and its lock file open between its records, and
once it has recorded nothing for 2 s it closes them, so a log that other
sessions rotated away meanwhile (renamed to log.1, then dropped) is not
held open -- up to the log's size of disk -- until its next record.

Session A records a config change; session B (NCHOME_NOTIFY_LOG_MAX
1024) records until A's log has been rotated out twice, deleted.  Right
after, A still holds it (the kept descriptor: checked when that came
within the idle time); within a few seconds A holds nothing in
notifications/ and then sleeps in poll() without a timer (no voluntary
context switch in a second).  A's next record goes to the new log."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from ncraw import NcRaw, kill_all  # noqa: E402

EX = "urn:example:n"
IDLE = 2.0
t = TAP()
env = SshEnv("t-evlog-idle")
raws = []


def raw(extra=None):
    e = {"SSH_CLIENT": "192.0.2.60 40000 830", "USER": "root"}
    e.update(extra or {})
    r = NcRaw(env.netconf_direct(extra_env=e))
    raws.append(r)
    r.hello()
    return r


def edit(r, value):
    return NcRaw.ok(r.rpc('<edit-config><target><running/></target><config><v xmlns="%s">%s</v>'
                          '</config></edit-config>' % (EX, value)))


def log_fds(pid):
    """What pid holds open in notifications/: the link texts."""
    out = []
    fddir = "/proc/%d/fd" % pid
    for n in os.listdir(fddir):
        try:
            target = os.readlink(os.path.join(fddir, n))
        except OSError:
            continue
        if "/notifications/" in target:
            out.append(target)
    return out


def ctxt_switches(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    return -1


try:
    logdir = os.path.join(env.datastore_dir, "notifications")
    a = raw()
    t.ok(edit(a, "a1"), "session A records a config change")
    recorded = time.monotonic()
    a_ino = os.stat(os.path.join(logdir, "log")).st_ino

    def a_log_gone():
        for name in ("log", "log.1"):
            try:
                if os.stat(os.path.join(logdir, name)).st_ino == a_ino:
                    return False
            except FileNotFoundError:
                pass
        return True

    b = raw({"NCHOME_NOTIFY_LOG_MAX": "1024"})
    for i in range(50):
        if a_log_gone():
            break
        edit(b, "b%d" % i)
    t.ok(a_log_gone(), "session B rotated A's log out twice (renamed, then dropped)")
    held = log_fds(a.proc.pid)
    if time.monotonic() - recorded < IDLE * 0.75:
        t.ok(any(h.endswith("(deleted)") for h in held),
             "right after, A still holds the dropped log (its kept descriptor)", held)
    else:
        t.diag("B's rotations took past A's idle time: the kept descriptor is not checked")
    wait_for(lambda: not log_fds(a.proc.pid), IDLE + 4)
    held = log_fds(a.proc.pid)
    t.ok(not held, "after %g s without a record A holds nothing in notifications/" % IDLE, held)
    before = ctxt_switches(a.proc.pid)
    time.sleep(scaled(1.0))
    after = ctxt_switches(a.proc.pid)
    t.ok(before >= 0 and after == before,
         "idle, A blocks in poll(): no wake-up in a second (%d -> %d switches)" % (before, after))

    t.ok(edit(a, "a2"), "A records again after letting go")
    with open(os.path.join(logdir, "log")) as f:
        t.ok("<session-id>%d</session-id>" % a.session_id in f.read(), "A's record went to the current log")
    for r in (a, b):
        r.close()
finally:
    kill_all(raws)
    env.cleanup()
t.done()
