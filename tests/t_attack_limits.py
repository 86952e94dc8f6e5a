#!/usr/bin/python3
"""A NETCONF account starts its set-uid nchome-netconf under low resource limits.

Limits survive exec of a set-uid program, so mallory (a NETCONF account
with a shell, tests/lib/attack_account.py) can start her session with
few descriptors, little memory or stack, a CPU second, no processes for
hooks or the confirmed-commit timer: each would make the session fail
part way through an edit and commit she times.  host/identity.c raises a
soft limit to its floor and refuses to start when the hard limit is under
it (doc/security.md).  For each limit: her session is refused with a
message naming the limit, or works in full (a confirmed commit, then its
confirmation); running and startup hold the old or the new content; no
temp file is left in datastore-dir; root's session can still lock, edit
and commit; nothing of the service identity's files is on her output.

Signals: she cannot signal her own session (KILL, STOP, HUP, TERM, PIPE,
XCPU: every uid is the service identity's); closing its stdout (SIGPIPE)
or hanging up its terminal (SIGHUP from the tty driver) ends it, and the
locks it held do not outlive it.

Over sshd (what t_nacm_notify and t_nacm_errors check for a session of
nobody, here the real set-uid account): a replay of the whole event log
carries none of root's /nacm edits, which root's replay has; report-all
adds no /nacm default; an edit of root's rule list is access-denied,
its error naming nothing of it.
"""
import fcntl
import os
import select
import subprocess
import sys
import termios
import tty as tty_mode
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import install_group, private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("resource limits of a NETCONF account with a shell")
from nchome_test import scaled  # noqa: E402
from nchome_auth import AuthEnv  # noqa: E402
from ncraw import NcRaw, kill_all  # noqa: E402
from fault_util import proc_state  # noqa: E402
from attack_account import NACM_NS, HELLO10, CLOSE, rpc10, as_user, install_with_account  # noqa: E402

SYS = "urn:ietf:params:xml:ns:yang:ietf-system"
SECRET = "root-secret-list"


def set_host(name, target="candidate"):
    return ('<edit-config><target><%s/></target><config><system xmlns="%s"><hostname>%s</hostname>'
            '</system></config></edit-config>' % (target, SYS, name))


def her_commit(name):
    """Her session: edit candidate, confirmed commit, confirm, copy to startup."""
    return (HELLO10 + rpc10(10, set_host(name)) +
            rpc10(11, "<commit><confirmed/><confirm-timeout>600</confirm-timeout></commit>") +
            rpc10(12, "<commit/>") +
            rpc10(13, "<copy-config><target><startup/></target><source><running/></source></copy-config>") +
            CLOSE)


def hostnames(netconf, env, sessions):
    root = env.recovery_session(netconf, sessions)
    out = {}
    for src in ("running", "startup"):
        r = root.rpc('<get-config><source><%s/></source><filter type="subtree"><system xmlns="%s">'
                     '<hostname/></system></filter></get-config>' % (src, SYS))
        h = r.find(".//{%s}hostname" % SYS) if r is not None else None
        out[src] = h.text if h is not None else None
    root.close()
    return out


def temp_files(ds):
    found = []
    for d, _, files in os.walk(ds):
        found += [os.path.join(d, f) for f in files if ".tmp" in f]
    return found


def replay_all(nc):
    """Every message of a replay of the whole event log on session nc."""
    nc.send_msg(nc.rpc_text('<create-subscription xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0">'
                            "<startTime>2000-01-01T00:00:00Z</startTime><stopTime>2100-01-01T00:00:00Z"
                            "</stopTime></create-subscription>"))
    msgs = []
    while True:
        try:
            m = nc.read_msg(timeout=10)
        except TimeoutError:
            m = None
        if m is None:
            break
        msgs.append(m.decode(errors="replace"))
        if "notificationComplete" in msgs[-1]:
            break
    return "".join(msgs)


install_group()
env = AuthEnv(install_only=True)
sessions = []
try:
    inst, netconf, ds = install_with_account(t, env, "mallory")
    root = env.recovery_session(netconf, sessions)
    r = root.rpc('<edit-config><target><running/></target><config><nacm xmlns="%s">'
                 '<write-default>permit</write-default></nacm></config></edit-config>' % NACM_NS)
    r2 = root.rpc(set_host("h-old", "running"))
    r3 = root.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    t.ok(all(x is not None and x.find(".//{urn:ietf:params:xml:ns:netconf:base:1.0}ok") is not None
             for x in (r, r2, r3)), "root lets NETCONF accounts write, hostname h-old in running and startup")
    root.close()

    rc, out = as_user("mallory", "%s -f %s" % (netconf, env.conf), input=her_commit("h-free").encode())
    t.ok(rc == 0 and out.count("<ok/>") == 5, "without limits her confirmed commit works", out[-600:])
    prev = "h-free"

    # (prlimit option, soft:hard, refused?)
    cases = [("--nofile", "8:8", True), ("--nofile", "16:16", True), ("--nofile", "16:4096", False),
             ("--data", "%d:%d" % (64 << 20, 64 << 20), True), ("--as", "%d:%d" % (256 << 20, 256 << 20), True),
             ("--stack", "65536:65536", True), ("--stack", "65536:unlimited", False),
             ("--cpu", "1:1", True), ("--cpu", "1:unlimited", False), ("--nproc", "0:0", True),
             ("--memlock", "0:0", False), ("--core", "unlimited:unlimited", False)]
    for i, (opt, val, refused) in enumerate(cases):
        name = "h-lim-%d" % i
        home = os.path.expanduser("~mallory")
        rc, out = as_user("mallory", "cd %s && prlimit %s=%s %s -f %s" % (home, opt, val, netconf, env.conf),
                          input=her_commit(name).encode(), timeout=60)
        what = "%s=%s" % (opt, val)
        # memory limits under AddressSanitizer: its shadow memory fails before main()
        asan = opt in ("--as", "--data") and "ReserveShadowMemoryRange" in out
        if refused:
            t.ok(rc != 0 and "<ok/>" not in out and ("refusing to start" in out or asan),
                 "%s: her session is refused at start" % what, out[-400:])
            t.ok(asan or "limit is" in out, "%s: the message names the limit" % what, out[-300:])
        else:
            t.ok(rc == 0 and out.count("<ok/>") == 5, "%s: raised to what a session needs, it works" % what,
                 out[-600:])
            prev = name
        t.ok(asan or ("<rule" not in out and "nchome-netconf" not in out.replace(netconf, "") and
                      "AddressSanitizer" not in out), "%s: nothing of the service identity leaks" % what,
             out[-300:])
        cores = [f for f in os.listdir(home) if f.startswith("core")]
        t.ok(not cores, "%s: no core file in her folder" % what, repr(cores))
        hs = hostnames(netconf, env, sessions)
        t.ok(hs == {"running": prev, "startup": prev}, "%s: running and startup hold %s" % (what, prev), repr(hs))
        left = temp_files(ds)
        t.ok(not left, "%s: no temp file left in datastore-dir" % what, repr(left))

    # ---- signals: her session runs with every uid the service identity's ----
    def her_session():
        proc = subprocess.Popen(["setpriv", "--reuid=mallory", "--regid=mallory", "--init-groups",
                                 netconf, "-f", env.conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        nc = NcRaw(proc)
        sessions.append(nc)
        nc.hello()
        locks = [nc.rpc("<lock><target><%s/></target></lock>" % d) for d in ("running", "candidate")]
        t.ok(all(NcRaw.ok(x) for x in locks), "her session locks running and candidate")
        nc.rpc(set_host("h-half"))
        return proc, nc

    def root_locks(what):
        ok = False
        end = time.monotonic() + scaled(10)
        while not ok and time.monotonic() < end:
            root = env.recovery_session(netconf, sessions)
            ok = NcRaw.ok(root.rpc("<lock><target><running/></target></lock>"))
            root.close()
            if not ok:
                time.sleep(0.3)
        t.ok(ok, "%s: her locks do not outlive her session: root's session locks running" % what)
        hs = hostnames(netconf, env, sessions)
        t.ok(hs == {"running": prev, "startup": prev}, "%s: running and startup hold %s" % (what, prev), repr(hs))
        left = temp_files(ds)
        t.ok(not left, "%s: no temp file left in datastore-dir" % what, repr(left))

    proc, nc = her_session()
    for sig in ("KILL", "STOP", "HUP", "TERM", "PIPE", "XCPU"):
        rc, out = as_user("mallory", "kill -%s %d" % (sig, proc.pid))
        t.ok(rc != 0 and "not permitted" in out and proc_state(proc.pid) not in ("T", "t", "gone"),
             "she cannot send SIG%s to her own session (every uid is the service identity's)" % sig, out)
    t.ok(NcRaw.ok(nc.rpc("<discard-changes/>")) and NcRaw.ok(nc.rpc("<unlock><target><candidate/></target></unlock>"))
         and NcRaw.ok(nc.rpc("<unlock><target><running/></target></unlock>")), "her session still answers")
    nc.close()

    # SIGPIPE: she closes her end of the session's stdout mid-session, then asks for a reply
    proc, nc = her_session()
    proc.stdout.close()
    try:
        nc.send_msg(nc.rpc_text("<get/>"))
        nc.send_msg(nc.rpc_text("<get/>"))
    except OSError:
        pass
    try:
        proc.wait(scaled(10))
    except subprocess.TimeoutExpired:
        pass
    t.ok(proc.poll() is not None, "her session ends when its stdout is closed (SIGPIPE or EPIPE)")
    root_locks("stdout closed")

    # SIGHUP: her terminal hangs up (its session leader's controlling tty)
    master, slave = os.openpty()
    tty_mode.setraw(slave)                          # no echo: what comes back is the session's

    def controlling_tty():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    tty = subprocess.Popen(["setpriv", "--reuid=mallory", "--regid=mallory", "--init-groups", netconf, "-f",
                            env.conf], stdin=slave, stdout=slave, stderr=slave, preexec_fn=controlling_tty)
    os.close(slave)
    time.sleep(1)
    os.write(master, (HELLO10 + rpc10(30, "<lock><target><running/></target></lock>")).encode())
    got = b""
    end = time.monotonic() + scaled(10)
    while b'message-id="30"' not in got or not got.endswith(b"]]>]]>"):
        r, _, _ = select.select([master], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            got += os.read(master, 65536)
        except OSError:
            break
    t.ok(b"<ok/>" in got.split(b'message-id="30"', 1)[-1], "her session on her terminal locks running",
         got[-300:])
    os.close(master)
    try:
        tty.wait(scaled(10))
    except subprocess.TimeoutExpired:
        tty.kill()
    t.ok(tty.returncode is not None, "her session ends when her terminal hangs up")
    root_locks("terminal hung up")

    # ---- over sshd: replay, report-all and a denied edit tell nothing of /nacm ----
    root = env.recovery_session(netconf, sessions)
    r = root.rpc('<edit-config><target><running/></target><config><nacm xmlns="%s"><rule-list>'
                 '<name>%s</name><group>root</group></rule-list></nacm></config></edit-config>'
                 % (NACM_NS, SECRET))
    t.ok(NcRaw.ok(r), "root adds a rule list only root may read", repr(NcRaw.errors(r)))
    x = replay_all(root)
    t.ok(NACM_NS in x, "root's replay has the /nacm edits", x[-400:])
    root.close()
    key = env.user_key("mallory")
    env.authorize_key("mallory", key + ".pub")
    nc = env.ssh_session("mallory", key, os.path.join(env.dir, "sshd-mallory.log"), sessions)
    replay = replay_all(nc)
    t.ok("replayComplete" in replay and "netconf-config-change" in replay and SECRET not in replay
         and "acm:nacm" not in replay and NACM_NS not in replay,
         "her replay of the whole log has config changes but none of root's /nacm edits", replay[-800:])
    nc.close()
    nc = env.ssh_session("mallory", key, os.path.join(env.dir, "sshd-mallory.log"), sessions)
    r = nc.rpc('<get-config><source><running/></source><with-defaults xmlns="urn:ietf:params:xml:ns:yang:'
               'ietf-netconf-with-defaults">report-all</with-defaults></get-config>')
    x = ET.tostring(r, encoding="unicode") if r is not None else "(no reply)"
    t.ok("<data" in x.replace("ns0:", "") and SECRET not in x and NACM_NS not in x,
         "her report-all get-config adds nothing of /nacm", x[-400:])
    r = nc.rpc('<edit-config><target><running/></target><config><nacm xmlns="%s"><rule-list><name>%s</name>'
               '<group>nchome-netconf</group></rule-list></nacm></config></edit-config>' % (NACM_NS, SECRET))
    x = ET.tostring(r, encoding="unicode") if r is not None else "(no reply)"
    t.ok(NcRaw.tags(r) == ["access-denied"] and "<group>root" not in x,
         "her edit of root's rule list is access-denied, its error naming nothing of it", x[-400:])
    nc.close()

    # root can still lock and commit after all of them
    root = env.recovery_session(netconf, sessions)
    rs = [root.rpc("<lock><target><%s/></target></lock>" % d) for d in ("running", "candidate")]
    rs += [root.rpc(set_host("h-root")), root.rpc("<commit/>"),
           root.rpc("<unlock><target><candidate/></target></unlock>"),
           root.rpc("<unlock><target><running/></target></unlock>")]
    t.ok(all(x is not None and x.find(".//{urn:ietf:params:xml:ns:netconf:base:1.0}ok") is not None for x in rs),
         "root's session locks, edits and commits afterwards")
    root.close()
finally:
    kill_all(sessions)
    env.cleanup()
t.done()
