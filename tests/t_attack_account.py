#!/usr/bin/python3
"""A NETCONF account attacks the set-uid nchome-netconf from its own shell.

The set-up of t_trust_nc.py (`make install` for real into a scratch
prefix, in a private account database; accounts made with
doc/authentication.md's commands): mallory is a NETCONF account (groups
nchome and nchome-netconf) with a shell on the host, as doc/security.md
allows.  Root has put NACM rules in running that mallory may not read
(/nacm is default-deny-all: only root and the recovery account see it).
What she tries here is what t_trust_nc.py does not:

- swap the configuration file under the program: `-f` a symlink of hers
  to the installed nchome.conf, flipped to her own file (which names her
  the nacm-recovery-account) between the check of the file and its
  parse.  Refused: the file parsed is the one checked, so no session of
  hers ever reads /nacm;
- `-f` a datastore file only the service identity may read: refused,
  nothing of it echoed;
- stop her own session process with her terminal's ^Z (SIGTSTP from the
  tty driver, which needs no permission to signal): the process is not
  stopped and answers;
- read its memory, environment or descriptors through /proc: refused;
- start her session with SIGTERM blocked (exec keeps the mask), so that
  kill-session waits its grace and ends it by SIGKILL: the mask is emptied;
- `-d` on a session of hers: what the session logs as the service
  identity (a failing state provider's stderr) goes to syslog, not to
  her standard error;
- over sshd, NETCONF requests past NACM: XPath functions on /nacm as an
  oracle, /nacm written through another prefix, get-schema of paths,
  XInclude, <url> of any scheme, partial-lock, delete-config.
"""
import fcntl
import grp
import os
import pwd
import subprocess
import sys
import termios
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import install_group, private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("attacks of a NETCONF account with a shell")
from nchome_test import scaled  # noqa: E402
from nchome_auth import AuthEnv  # noqa: E402
from ncraw import NcRaw, kill_all  # noqa: E402
from fault_util import proc_state  # noqa: E402
from attack_account import NS, NACM_NS, HELLO10, CLOSE, rpc10, as_user, install_with_account  # noqa: E402

READ_NACM = rpc10(1, '<get-config><source><running/></source><filter type="subtree">'
                  '<nacm xmlns="%s"/></filter></get-config>' % NACM_NS)
MARK = "nacm-secret-rule-list"


# The swap race, run by mallory: one thread flips ~/x/c.conf between the
# installed nchome.conf and her own file, the other starts sessions on it.
RACE = r'''
import os, subprocess, sys, threading, time
real, evil, link, prog, budget = sys.argv[1:6]
stop = False
def flip():
    i = 0
    while not stop:
        tmp = link + ".new"
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        os.symlink(real if i % 2 == 0 else evil, tmp)
        os.rename(tmp, link)
        i += 1
th = threading.Thread(target=flip)
th.start()
inp = sys.stdin.buffer.read()
end = time.monotonic() + float(budget)
runs = won = refused = 0
while runs < 30 and time.monotonic() < end:
    p = subprocess.run([prog, "-f", link], input=inp, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    runs += 1
    if b"@MARK@" in p.stdout:
        won += 1
    elif p.returncode != 0:
        refused += 1
stop = True
th.join()
print("runs %d won %d refused %d" % (runs, won, refused))
'''.replace("@MARK@", MARK)


def read_pty(fd, want, timeout):
    """Bytes from the pty master until want appears (or timeout)."""
    import select
    buf = b""
    end = time.monotonic() + scaled(timeout)
    while want not in buf and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        buf += data
    return buf


install_group()
env = AuthEnv(install_only=True)
sessions = []
try:
    inst, netconf, ds = install_with_account(t, env, "mallory")

    # root's NACM rules, which only root and the recovery account may read
    nacm = ('<nacm xmlns="%s"><rule-list><name>%s</name><group>nchome-netconf</group>'
            '<rule><name>r</name><module-name>ietf-netconf</module-name><rpc-name>get</rpc-name>'
            '<access-operations>exec</access-operations><action>permit</action></rule></rule-list></nacm>' % (NACM_NS, MARK))
    root_in = (HELLO10 + rpc10(1, "<edit-config><target><running/></target><config>%s</config>"
                               "</edit-config>" % nacm) + CLOSE)
    nchome_gid = grp.getgrnam("nchome").gr_gid
    p = subprocess.run(["setpriv", "--regid=%d" % nchome_gid, "--clear-groups", netconf, "-f", env.conf],
                       input=root_in, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=scaled(30))
    t.ok(p.stdout.count("<ok/>") == 2, "root writes NACM rules", p.stdout[-600:])
    rc, out = as_user("mallory", "%s -f %s" % (netconf, env.conf), input=(HELLO10 + READ_NACM + CLOSE).encode())
    t.ok(rc == 0 and "<data" in out and MARK not in out, "mallory's session cannot read /nacm", out[-600:])

    # ---- the configuration file swapped between its check and its parse ----
    home = pwd.getpwnam("mallory").pw_dir
    rc, out = as_user("mallory", "chmod 711 %s && mkdir -m 755 %s/x && "
                      "sed 's/^netconf {$/netconf {\\n  nacm-recovery-account = \"mallory\"/' %s > %s/x/evil.conf && "
                      "chmod 644 %s/x/evil.conf && grep -c recovery %s/x/evil.conf"
                      % (home, home, env.conf, home, home, home))
    t.ok(rc == 0, "mallory writes her own nchome.conf naming her the recovery account", out)
    rc, out = as_user("mallory", "%s -f %s/x/evil.conf" % (netconf, home),
                      input=(HELLO10 + READ_NACM + CLOSE).encode())
    t.ok(rc != 0 and MARK not in out, "her own file is refused", out[-400:])
    race = os.path.join(env.dir, "race.py")
    with open(race, "w") as f:
        f.write(RACE)
    os.chmod(race, 0o644)
    p = subprocess.run(["runuser", "-u", "mallory", "--", "/usr/bin/python3", race, env.conf,
                        home + "/x/evil.conf", home + "/x/c.conf", netconf, str(scaled(90))],
                       input=(HELLO10 + READ_NACM + CLOSE).encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=scaled(180))
    out = p.stdout.decode(errors="replace")
    t.diag("swap race: " + out.strip()[-300:])
    words = out.split()
    won = int(words[words.index("won") + 1]) if "won" in words else -1
    runs = int(words[words.index("runs") + 1]) if "runs" in words else 0
    t.ok(won == 0 and runs >= 10, "swapping -f's symlink between check and parse never makes her the "
         "recovery account (%d sessions)" % runs, out[-600:])

    # ---- a file only the service identity may read, as the configuration ----
    rc, out = as_user("mallory", "%s -d -f %s/running.xml </dev/null" % (netconf, ds))
    t.ok(rc != 0 and "refusing" in out and MARK not in out and "<rule" not in out,
         "-f running.xml (the service identity's file) is refused, nothing of it echoed", out[-600:])

    # ---- -d: what the service identity logs stays off her standard error ----
    # A state provider that fails writes to its stderr, which the session
    # logs; the provider runs as the service identity and may see what she
    # may not.
    state_d = os.path.join(env.dir, "state.d")
    os.makedirs(state_d, mode=0o755)
    provider = os.path.join(state_d, "10-secret")
    with open(provider, "w") as f:
        f.write("#!/bin/sh\necho provider-secret-%s >&2\nexit 3\n" % MARK)
    os.chmod(provider, 0o755)
    with open(env.conf) as f:
        conf_text = f.read()
    with open(env.conf, "w") as f:
        f.write(conf_text.replace("netconf {\n", 'netconf {\n  state-providers = "%s"\n' % state_d, 1))
    get = rpc10(1, "<get/>")
    p = subprocess.run(["setpriv", "--regid=%d" % nchome_gid, "--clear-groups", netconf, "-d", "-f", env.conf],
                       input=HELLO10 + get + CLOSE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=scaled(30))
    t.ok("provider-secret" in p.stdout, "root's -d session logs the failing provider's stderr", p.stdout[-600:])
    rc, out = as_user("mallory", "%s -d -f %s" % (netconf, env.conf), input=(HELLO10 + get + CLOSE).encode())
    t.ok(rc == 0 and "<data" in out and "provider-secret" not in out,
         "-d: a failing state provider's stderr is not on her standard error", out[-600:])
    os.unlink(provider)

    # ---- ^Z from her own terminal ----
    master, slave = os.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[0] = 0                                    # iflag: no CR/NL mapping, no flow control
    attrs[1] = 0                                    # oflag: bytes as they are
    attrs[3] = termios.ISIG | termios.NOFLSH        # lflag: raw, but ^Z still signals (no flush)
    attrs[6][termios.VSUSP] = 0x1a
    attrs[6][termios.VMIN] = 1
    attrs[6][termios.VTIME] = 0
    termios.tcsetattr(slave, termios.TCSANOW, attrs)

    def controlling_tty():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    # her login shell with job control (sh -m) runs the program in the
    # foreground, as when she types it
    shell = subprocess.Popen(["setpriv", "--reuid=mallory", "--regid=mallory", "--init-groups",
                              "/bin/sh", "-m", "-c", "%s -f %s; echo rc=$?; sleep 1" % (netconf, env.conf)],
                             stdin=slave, stdout=slave, stderr=slave, preexec_fn=controlling_tty)
    os.close(slave)
    got = read_pty(master, b"]]>]]>", 20)
    pid = None
    for _ in range(50):
        kids = subprocess.run(["pgrep", "-P", str(shell.pid)], stdout=subprocess.PIPE,
                              text=True).stdout.split()
        if kids:
            pid = int(kids[0])
            break
        time.sleep(0.1)
    t.ok(b"<hello" in got and pid is not None, "mallory's session runs on her terminal", got[-300:])
    if pid is not None:
        os.write(master, HELLO10.encode())
        time.sleep(1)
        os.write(master, b"\x1a")                   # ^Z
        time.sleep(0.5)
        state = proc_state(pid)
        os.write(master, READ_NACM.encode())
        got = read_pty(master, b'message-id="1"', 10)
        got += read_pty(master, b"]]>]]>", 5)
        t.ok(state not in ("T", "t") and b"<data" in got,
             "her ^Z does not stop her session process, which answers", "state %s: %r" % (state, got[-1500:]))
        # ---- /proc of her session process ----
        rc, out = as_user("mallory", "cat /proc/%d/environ; head -c 16 /proc/%d/mem; ls /proc/%d/fd; "
                          "cat /proc/%d/maps" % (pid, pid, pid, pid))
        t.ok("ermission denied" in out and "SSH_" not in out and "nchome-netconf" not in out,
             "she cannot read her session's /proc environ, mem, fd or maps", out[-400:])
        if proc_state(pid) in ("T", "t"):
            os.kill(pid, 18)                        # SIGCONT: let it end
        os.write(master, CLOSE.encode())
    try:
        shell.wait(scaled(10))
    except subprocess.TimeoutExpired:
        shell.kill()
    os.close(master)

    # ---- her session started with SIGTERM blocked (exec keeps the mask) ----
    blocked = subprocess.Popen(["runuser", "-u", "mallory", "--", "/usr/bin/python3", "-c",
                                "import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, "
                                "{signal.SIGTERM, signal.SIGHUP, signal.SIGINT}); os.execv(sys.argv[1], sys.argv[1:])",
                                netconf, "-f", env.conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    bnc = NcRaw(blocked)
    sessions.append(bnc)
    bnc.hello()
    root = env.recovery_session(netconf, sessions)
    start = time.monotonic()
    r = root.rpc("<kill-session><session-id>%d</session-id></kill-session>" % bnc.session_id)
    took = time.monotonic() - start
    t.ok(NcRaw.ok(r) and took < 2.5, "kill-session ends her session at its SIGTERM though she blocked it "
         "(%.1f s; the grace before SIGKILL is 3 s)" % took, repr(NcRaw.errors(r)))
    root.close()

    # ---- her NETCONF session over sshd: requests that try to read past NACM ----
    key = env.user_key("mallory")
    env.authorize_key("mallory", key + ".pub")
    nc = env.ssh_session("mallory", key, os.path.join(env.dir, "sshd-mallory.log"), sessions)

    def text(reply):
        return ET.tostring(reply, encoding="unicode") if reply is not None else "(no reply)"

    def leaks(reply):
        x = text(reply)
        return MARK in x or "root:x:0:0" in x or "rule-list" in x

    # XPath functions on /nacm as an oracle: evaluated on what she may read only
    for sel in ("/a:nacm[count(a:rule-list) > 0]", "/a:nacm[boolean(a:rule-list/a:name)]",
                "/a:nacm[starts-with(a:rule-list/a:name, 'nacm')] | /a:nacm/a:rule-list",
                "//*[local-name()='rule-list']"):
        r = nc.rpc('<get><filter type="xpath" xmlns:a="%s" select="%s"/></get>' % (NACM_NS, sel))
        t.ok(r is not None and r.find("{%s}data" % NS) is not None and not leaks(r),
             "an XPath filter %s selects nothing of /nacm" % sel, text(r)[-400:])
    # /nacm through another prefix, and through no prefix at all
    for body in ('<b:nacm xmlns:b="%s"><b:enable-nacm>false</b:enable-nacm></b:nacm>' % NACM_NS,
                 '<nacm xmlns="%s"><read-default>permit</read-default></nacm>' % NACM_NS):
        r = nc.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>" % body)
        t.ok(NcRaw.tags(r) == ["access-denied"] and not leaks(r),
             "a write to /nacm is access-denied whatever its prefix", text(r)[-400:])
    # get-schema with paths for identifiers
    for ident in ("../../../../../../etc/passwd", "/etc/passwd", "ietf-netconf-acm/../../../../etc/passwd",
                  "ietf-netconf-acm@2018-02-14", "ietf-netconf-acm.yang"):
        r = nc.rpc('<get-schema xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring">'
                   "<identifier>%s</identifier></get-schema>" % ident)
        t.ok(NcRaw.tags(r) == ["invalid-value"] and not leaks(r),
             "get-schema of %s: invalid-value, no file read" % ident, text(r)[-400:])
    # XInclude and an external entity in a config
    xi = ('<top xmlns="urn:example:attack" xmlns:xi="http://www.w3.org/2001/XInclude">'
          '<xi:include href="file:///etc/passwd" parse="text"/></top>')
    r = nc.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>" % xi)
    r2 = nc.rpc("<get-config><source><running/></source></get-config>")
    t.ok(not NcRaw.ok(r) and not leaks(r) and not leaks(r2),
         "an XInclude in a config is not followed", text(r)[-300:] + text(r2)[-300:])
    # <url> sources and targets, any scheme; the target in /tmp (she may write
    # there), named for this run: a file left by another run is not a finding
    url_target = "/tmp/nchome-url-target-%d.xml" % os.getpid()
    if os.path.exists(url_target):
        os.unlink(url_target)
    for inner in ("<copy-config><target><running/></target><source><url>file:///etc/passwd</url></source></copy-config>",
                  "<copy-config><target><url>file://%s</url></target><source><running/></source></copy-config>"
                  % url_target,
                  "<validate><source><url>file:///etc/passwd</url></source></validate>",
                  "<copy-config><target><running/></target><source><url>scp://h/x</url></source></copy-config>"):
        r = nc.rpc(inner)
        t.ok(not NcRaw.ok(r) and NcRaw.tags(r) and not leaks(r), "refused without reading: %s" % inner[:60],
             text(r)[-300:])
    t.ok(not os.path.exists(url_target), "no <url> target was written")
    r = nc.rpc('<partial-lock xmlns="urn:ietf:params:xml:ns:netconf:partial-lock:1.0"><select>/a:nacm</select>'
               "</partial-lock>")
    t.ok(not NcRaw.ok(r) and NcRaw.tags(r), "partial-lock is refused (not supported)", text(r)[-300:])
    for target in ("running", "startup"):
        r = nc.rpc("<delete-config><target><%s/></target></delete-config>" % target)
        t.ok(not NcRaw.ok(r) and NcRaw.tags(r), "delete-config of %s is refused" % target, text(r)[-300:])
    nc.close()
    root = env.recovery_session(netconf, sessions)
    r = root.rpc(READ_NACM.split(">", 1)[1].rsplit("</rpc>", 1)[0])
    t.ok(MARK in text(r), "root's NACM rules are still in running", text(r)[-300:])
    root.close()
finally:
    kill_all(sessions)
    env.cleanup()
t.done()
