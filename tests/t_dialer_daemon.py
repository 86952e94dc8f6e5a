#!/usr/bin/python3
"""nchome-dialer without -d: it detaches (the starting process exits 0), writes
its pid file (-p), calls home from the background, and on SIGTERM ends its
sshd children and removes the pid file."""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, DIALER, scaled, wait_for  # noqa: E402
from dialer_test import Nms, client_conf, hold_open, is_open  # noqa: E402
from fault_util import alive  # noqa: E402

t = TAP()
env = SshEnv("dialer-daemon")
nms = Nms(handler=hold_open)
pidfile = os.path.join(env.dir, "run", "nchome-dialer.pid")
os.makedirs(os.path.dirname(pidfile))
pid = None


try:
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)]))
    # relative -f: the daemon changes to / and must still find it on SIGHUP
    p = subprocess.run([DIALER, "-f", os.path.relpath(env.conf), "-p", os.path.relpath(pidfile)],
                       capture_output=True, text=True, timeout=scaled(20))
    t.ok(p.returncode == 0 and p.stderr == "", "without -d the dialer detaches and the starter exits 0",
         p.stderr)
    t.ok(wait_for(lambda: os.path.exists(pidfile), 5), "-p writes the pid file")
    pid = int(open(pidfile).read().strip()) if os.path.exists(pidfile) else None
    t.ok(pid and alive(pid) and os.getsid(pid) == pid, "the daemon runs in its own session", pid)
    t.ok(wait_for(lambda: nms.count() >= 1, 10), "the daemon calls home")
    sock = nms.conns[0]["sock"] if nms.conns else None
    if pid:
        nms2 = Nms(handler=hold_open)
        env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)]) +
                              client_conf("nms2", [("127.0.0.1", nms2.port)]))
        os.kill(pid, signal.SIGHUP)
        t.ok(wait_for(lambda: nms2.count() >= 1, 10) and alive(pid) and sock and is_open(sock),
             "SIGHUP with a relative -f path: the new client is called, the old session stays")
        nms2.close()
        os.kill(pid, signal.SIGTERM)
    t.ok(pid and wait_for(lambda: not alive(pid), 10), "SIGTERM: the daemon exits")
    t.ok(not os.path.exists(pidfile), "SIGTERM: the pid file is removed")
    t.ok(sock and wait_for(lambda: not is_open(sock), 5), "SIGTERM: the session's sshd has ended")
finally:
    if pid and alive(pid):
        os.kill(pid, signal.SIGKILL)
    nms.close()
    env.cleanup()
t.done()
