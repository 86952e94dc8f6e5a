#!/usr/bin/python3
"""A session's start does not read the other sessions' registry entries
before its hello (issue 18: that sweep of dead entries costs a few system
calls per live session): it runs right after the hello, and dead
sessions' entries and half-made ones are still removed by it.

strace records the new session's openat() and writev() calls: the live
session's entry is opened only after the hello's writev."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, SshEnv, wait_for  # noqa: E402
from ncraw import NcRaw  # noqa: E402

t = TAP()
env = SshEnv(name="registry-after-hello")
live = NcRaw.session(env.netconf_direct())
sessions = os.path.join(env.datastore_dir, "sessions")

# a dead session's entry (no lock held) and a half-made one of a dead pid
dead = os.path.join(sessions, "999999")
with open(dead, "w") as f:
    f.write("pid 1\nuser gone\n")
child = subprocess.Popen(["true"])
child.wait()
half = os.path.join(sessions, ".new-%d" % child.pid)
open(half, "w").close()

log = os.path.join(env.dir, "strace.log")
proc = subprocess.Popen(["strace", "-f", "-qq", "-o", log, "-e", "trace=openat,writev", NETCONF, "-f", env.conf],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        # LeakSanitizer (sanitizer builds) cannot run under ptrace
                        env=dict(os.environ, USER=os.environ.get("USER", "root"),
                                 ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0"))
s = NcRaw.session(proc)
r = s.rpc("<get-config><source><running/></source></get-config>")
t.ok(r is not None and r.find("{urn:ietf:params:xml:ns:netconf:base:1.0}data") is not None,
     "the traced session answers a request after its hello")
t.eq(s.close(), 0, "the traced session ends with status 0")

lines = open(log).read().splitlines()
hello = next((i for i, l in enumerate(lines) if re.search(r"\bwritev\(1,", l)), None)
opened = [i for i, l in enumerate(lines) if re.search(r'openat\(\d+, "%d"' % live.session_id, l)]
t.ok(hello is not None, "the hello's writev is in the trace")
t.ok(hello is not None and opened and all(i > hello for i in opened),
     "the live session's entry is read only after the hello", (hello, opened))
t.ok(wait_for(lambda: not os.path.exists(dead) and not os.path.exists(half), 5),
     "a dead session's entry and a half-made one are removed by the session's sweep",
     os.listdir(sessions))
t.eq(live.close(), 0, "the live session ends with status 0")
env.cleanup()
t.done()
