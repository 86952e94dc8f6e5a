#!/usr/bin/python3
"""nchome-dialer: the log line that ends a session reads as what happened.

- A normal end: an NMS (paramiko) takes the call home, logs in, runs a
  NETCONF session to <close-session> and disconnects.  sshd -i exits 255
  (OpenSSH ends every connection with cleanup_exit(255)); a wrapper in
  front of sshd records that status.  The dialer's line says "connection
  closed", with no exit status an operator would read as an error.
- An abnormal end: the session's sshd is killed with SIGKILL; the line
  names the signal and does not say "connection closed".
"""
import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import SSHD, TAP, SshEnv, wait_for  # noqa: E402
from dialer_test import Dialer, Nms, client_conf, hold_open, sanitizer_findings, finish  # noqa: E402

import paramiko  # noqa: E402

HELLO = (b'<?xml version="1.0" encoding="UTF-8"?>'
         b'<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
         b'<capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>')
CLOSE = (b'<?xml version="1.0" encoding="UTF-8"?>'
         b'<rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
         b'<close-session/></rpc>]]>]]>')

t = TAP()
env = SshEnv("dialer-end")
nms = d = None


def end_lines(log):
    return [l for l in log.splitlines() if " ended after " in l]


try:
    # sshd behind a wrapper that records sshd's exit status and exits with it,
    # so the dialer sees exactly what sshd -i returned.
    status_file = os.path.join(env.dir, "sshd-status")
    wrapper = os.path.join(env.dir, "sshd-wrapper")
    with open(wrapper, "w") as f:
        f.write("#!/usr/bin/python3 -I\n"
                "import os, subprocess, sys\n"
                "rc = subprocess.call([%r] + sys.argv[1:])\n"
                "if sys.argv[1:2] == ['-i']:\n"
                "    with open(%r, 'w') as out:\n"
                "        out.write('%%d\\n' %% rc)\n"
                "sys.exit(rc if rc >= 0 else 128 - rc)\n" % (SSHD, status_file))
    os.chmod(wrapper, 0o755)

    result = {}

    def netconf_nms(sock, rec):
        """A whole NETCONF session, ended the normal way: close-session, then disconnect."""
        tr = paramiko.Transport(sock)
        tr.start_client(timeout=10)
        tr.auth_publickey("root", paramiko.Ed25519Key.from_private_key_file(env.user_key))
        ch = tr.open_session()
        ch.invoke_subsystem("netconf")
        ch.sendall(HELLO + CLOSE)
        out = b""
        while True:
            b = ch.recv(65536)
            if not b:
                break
            out += b
        result["out"] = out
        result["exit"] = ch.recv_exit_status()
        tr.close()

    nms = Nms(handler=netconf_nms)
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)], backoff=(30, 60)))
    with open(env.conf) as f:
        text = f.read().replace('sshd = "%s"' % SSHD, 'sshd = "%s"' % wrapper)
    with open(env.conf, "w") as f:
        f.write(text)
    d = Dialer(env)
    wait_for(lambda: end_lines(d.log()) and os.path.exists(status_file), 30)
    out = result.get("out", b"")
    t.ok(b"<hello" in out and b"<ok/>" in out and result.get("exit") == 0,
         "the NMS ran a NETCONF session to <close-session> over the call home",
         "%r %r" % (result, nms.conns[0]["error"] if nms.conns else "no connection"))
    status = open(status_file).read().strip() if os.path.exists(status_file) else None
    t.diag("sshd -i exit status at the normal end: %s" % status)
    t.ok(status in ("0", "255"), "sshd -i ends a normal session with status 255 (or 0)", status)
    lines = end_lines(d.log())
    line = lines[0] if lines else ""
    t.ok(re.search(r"client nms1: session with 127\.0\.0\.1 port %d ended after [0-9]+\.[0-9]{3} s "
                   r"\(connection closed\)$" % nms.port, line) is not None,
         "normal end: the dialer logs 'ended after N s (connection closed)'", d.log()[-2000:])
    # Only the words after "ended after N.NNN s" are the ending: the NMS's port
    # and the duration may themselves contain "255" (port 35255 failed CI once;
    # a session of 0.255 s would too).
    m = re.search(r" ended after [0-9]+\.[0-9]{3} s (.*)$", line)
    ending = m.group(1) if m else ""
    t.ok(ending and "exit status" not in ending and "255" not in ending
         and "killed" not in ending,
         "normal end: the line carries no exit status", line)
    d.stop()
    nms.close()

    # An sshd that dies: the line names how it ended.
    nms = Nms(handler=hold_open)
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)], backoff=(30, 60)))
    d = Dialer(env)
    t.ok(wait_for(lambda: d.session_pids(), 15), "second session started", d.log())
    pids = d.session_pids()
    if pids:
        os.kill(pids[0], signal.SIGKILL)
    t.ok(wait_for(lambda: end_lines(d.log()), 15), "the killed session's end is logged", d.log())
    line = (end_lines(d.log()) or [""])[0]
    t.ok(line.endswith("(sshd killed by signal 9)") and "connection closed" not in line,
         "sshd killed: the line says 'sshd killed by signal 9', not 'connection closed'", line)
    d.stop()
    t.eq(sanitizer_findings(), [], "no sanitizer report from the dialer")
finally:
    finish(env, [d], [nms])
t.done()
