#!/usr/bin/python3
"""nchome.conf event-log-size (nchome.conf(5)): how large the event log
grows before it rotates into log.1, 65536 to 1073741824, default 1 MiB.

The log is filled to 100 bytes short of 128 KiB (one record of 128 KiB
less 100 bytes, as written by a session).  With event-log-size = 131072
a session's start record does not fit, and the log rotates first; with
262144 it is appended.  Then event-log-size = 65536 with a log past that:
the next record rotates it.  Out-of-range values are refused with the
key, the value, the range and the line, by nchome-netconf at its start
and by nchome-dialer -t."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import DIALER, NETCONF, TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

os.environ.pop("NCHOME_NOTIFY_LOG_MAX", None)	# the test's own size, not the caller's
t = TAP()
env = SshEnv("t-evlog-size")
logdir = os.path.join(env.datastore_dir, "notifications")
log, old = os.path.join(logdir, "log"), os.path.join(logdir, "log.1")


def set_size(text):
    env.netconf_conf = text
    env.write_nchome_conf("")


def session_records():
    """A session that records its start (the get-config's reply: its hello was handled)."""
    r = NcRaw(env.netconf_direct())
    r.hello()
    rep = r.rpc("<get-config><source><running/></source></get-config>")
    r.close()
    return rep is not None and rep.find("{urn:ietf:params:xml:ns:netconf:base:1.0}data") is not None


def fill(size):
    """A log of one record, size bytes; no log.1."""
    for p in (log, old):
        if os.path.exists(p):
            os.unlink(p)
    head = "1795812345000000 1 <pad>"
    tail = "</pad>\n"
    with open(log, "w") as f:
        f.write(head + "x" * (size - len(head) - len(tail)) + tail)


try:
    # the log folder and its lock, as a first session leaves them
    t.ok(session_records(), "a first session records its start")

    set_size("  event-log-size = 262144\n")
    fill(131072 - 100)
    t.ok(session_records(), "a session under event-log-size 262144")
    t.ok(not os.path.exists(old) and os.path.getsize(log) > 131072,
         "a log of 128 KiB under 262144: the record is appended, no rotation",
         (os.path.exists(old), os.path.getsize(log)))

    set_size("  event-log-size = 131072\n")
    fill(131072 - 100)
    t.ok(session_records(), "a session under event-log-size 131072")
    t.ok(os.path.exists(old) and os.path.getsize(old) == 131072 - 100 and os.path.getsize(log) < 4096,
         "the record would pass 131072: the log rotated into log.1 first",
         (os.path.exists(old), os.path.getsize(log)))

    set_size("  event-log-size = 65536\n")
    fill(65536 + 4000)
    t.ok(session_records(), "a session under event-log-size 65536")
    t.ok(os.path.exists(old) and os.path.getsize(log) < 4096,
         "a log past 65536 rotates at the next record (the default 1 MiB would not)")

    for bad in ("1000", "65535", "1073741825", "-1"):
        set_size("\n  event-log-size = %s\n" % bad)
        with open(env.conf) as f:
            line = 1 + [i for i, ln in enumerate(f) if "event-log-size" in ln][0]
        p = subprocess.run([NETCONF, "-d", "-f", env.conf], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
        msg = "%s:%d: event-log-size = %s is out of range (65536-1073741824)" % (env.conf, line, bad)
        t.ok(p.returncode != 0 and msg.encode() in p.stderr,
             "nchome-netconf refuses event-log-size = %s at its start, saying so" % bad, p.stderr)
        p = subprocess.run([DIALER, "-t", "-f", env.conf], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
        t.ok(p.returncode != 0 and msg.encode() in p.stderr,
             "nchome-dialer -t refuses event-log-size = %s, saying so" % bad, p.stderr)
finally:
    env.cleanup()
t.done()
