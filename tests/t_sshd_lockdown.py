#!/usr/bin/python3
"""The shipped sshd_config (config/sshd_config.in, as installed, no test
overrides but StrictModes) gives the NETCONF group NETCONF and nothing else,
and nobody else anything, tried with real throwaway accounts made with
doc/authentication.md's commands in a private account database:

- the NETCONF account (groups nchome, nchome-netconf) with a key reaches
  NETCONF; it gets no shell, no command, no terminal, no other subsystem
  (sftp), no port forwarding (ssh -W, ssh -L), and no password login by
  default (passwords are one documented line away);
- an account in group nchome only, and one in neither, are refused with a
  valid key (AllowGroups); root is refused with a valid key.
"""
import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import DOC_ACCOUNT, install_group, private_account_db, run as run_doc  # noqa: E402
no_accounts = private_account_db()	# first: it may run this file again in a namespace
from nchome_test import TAP, scaled  # noqa: E402
from nchome_auth import DEVICE, AuthEnv  # noqa: E402

t = TAP()
CHECKS = 13
if no_accounts:
    for i in range(CHECKS):
        t.skip("sshd_config lockdown check %d" % (i + 1), "needs a private account database: " + no_accounts)
    t.done()


class Listener:
    """A loopback TCP port that counts the connections it gets."""

    def __init__(self):
        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        self.s.listen(8)
        self.port = self.s.getsockname()[1]
        self.count = 0
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            try:
                c, _ = self.s.accept()
            except OSError:
                return
            self.count += 1
            c.close()


def ssh(user, key, extra, data=b"", timeout=20):
    env.logs += 1
    log = os.path.join(env.dir, "sshd-lock-%d.log" % env.logs)
    args = env.ssh_args(log, key) + extra[:-1] + ["%s@%s" % (user, DEVICE)] + extra[-1:]
    try:
        p = subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=scaled(timeout), start_new_session=True)
        rc, out, err = p.returncode, p.stdout, p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, e.stdout or b"", "(timed out)"
    sshd_log = open(log, errors="replace").read() if os.path.exists(log) else ""
    return rc, out, err, sshd_log


install_group()
env = AuthEnv(install_only=True, root_login=False)
try:
    user = DOC_ACCOUNT
    r = run_doc("account")
    t.ok(r.returncode == 0, "the doc's account block makes %s" % user, r.output)
    for name, groups in (("nchomeonly", "nchome"), ("outsider", None)):
        cmd = ["useradd", "-m", "-s", "/bin/sh"] + (["-G", groups] if groups else []) + [name]
        subprocess.run(cmd, check=True)
        subprocess.run(["usermod", "-p", "*", name], check=True)
    key = env.user_key("nms")
    for name in (user, "nchomeonly", "outsider", "root"):
        env.authorize_key(name, key + ".pub")

    res = env.netconf(user, key)
    t.ok(res.hello, "the NETCONF account reaches NETCONF with its key", res.detail())
    res = env.netconf(user, key, command="id")
    t.ok(res.rc != 0 and b"uid=" not in res.out and "NETCONF only" in res.err,
         "... it gets no command", res.detail())
    rc, out, err, log = ssh(user, key, ["-tt", ""], data=b"id\nexit\n")
    t.ok(rc != 0 and b"uid=" not in out, "... no shell, with or without a terminal",
         "rc=%r out=%r\n%s\n%s" % (rc, out[:200], err, log))
    rc, out, err, log = ssh(user, key, ["-tt", "-s", "netconf"])
    t.ok("PTY allocation request failed" in err or "pty" in log.lower(),
         "... no terminal (PermitTTY no)", "rc=%r\n%s\n%s" % (rc, err, log))
    rc, out, err, log = ssh(user, key, ["-s", "sftp"])
    t.ok(rc != 0 and b"\x02" not in out[:9] and "subsystem" in log,
         "... no sftp (no other subsystem)", "rc=%r out=%r\n%s\n%s" % (rc, out[:50], err, log))
    lis = Listener()
    rc, out, err, log = ssh(user, key, ["-W", "127.0.0.1:%d" % lis.port, ""])
    t.ok(rc != 0 and lis.count == 0, "... no ssh -W to a local port", "rc=%r\n%s\n%s" % (rc, err, log))
    fwd = socket.socket()
    fwd.bind(("127.0.0.1", 0))
    lport = fwd.getsockname()[1]
    fwd.close()
    env.logs += 1
    log_l = os.path.join(env.dir, "sshd-lock-L.log")
    p = subprocess.Popen(env.ssh_args(log_l, key) + ["-N", "-L", "%d:127.0.0.1:%d" % (lport, lis.port),
                                                      "%s@%s" % (user, DEVICE)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    got = None
    try:
        for _ in range(int(scaled(50))):
            try:
                c = socket.create_connection(("127.0.0.1", lport), timeout=2)
                c.settimeout(scaled(3))
                try:
                    got = c.recv(10)
                except OSError:
                    got = b""
                c.close()
                break
            except OSError:
                p.poll()
                if p.returncode is not None:
                    break
                threading.Event().wait(0.1)
    finally:
        # ssh can miss a SIGTERM that lands outside its ppoll (nothing
        # else wakes an idle -N session): end it for sure
        p.terminate()
        try:
            p.wait(timeout=scaled(5))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    llog = open(log_l, errors="replace").read() if os.path.exists(log_l) else ""
    t.ok(got is not None and lis.count == 0, "... no ssh -L: the forwarded connection reaches nothing",
         "got=%r count=%d\n%s" % (got, lis.count, llog))

    password = "Lockdown:%d!" % os.getpid()
    subprocess.run(["chpasswd"], input="%s:%s\n" % (user, password), text=True, check=True)
    res = env.netconf(user, password=password)
    t.ok(not res.hello and not res.accepted("password") and "password" not in res.err.split("denied")[-1],
         "... no password login by default (its right password is refused, not offered)", res.detail())
    sed = subprocess.run(["sed", "-i", "s/^PasswordAuthentication no$/PasswordAuthentication yes/",
                          env.sshd_config])
    res = env.netconf(user, password=password)
    t.ok(sed.returncode == 0 and res.hello and res.accepted("password"),
         "... the documented one-line change turns passwords on", res.detail())

    for name, desc in (("nchomeonly", "an account in group nchome only"), ("outsider", "an account in neither group"),
                       ("root", "root")):
        res = env.netconf(name, key)
        res2 = env.netconf(name, key, command="id")
        t.ok(not res.hello and b"uid=" not in res2.out and "not allowed" in res.sshd_log,
             "%s is refused with a valid key (AllowGroups, PermitRootLogin no)" % desc,
             res.detail() + "\n" + res2.detail())
finally:
    env.cleanup()
t.done()
