#!/usr/bin/python3
"""The trust boundary on the NETCONF side (issue 13, doc/security.md).

A host set up by `make install` (run for real, without DESTDIR, into a
scratch prefix, in a private account database: it makes the groups
nchome and nchome-netconf and the service account _nchome), NETCONF
accounts made with doc/authentication.md's commands, and a real sshd
running the installed sshd_config's rules.  alice and mallory are
NETCONF accounts (groups nchome and nchome-netconf), eve is in neither.
mallory also has a shell on the host (runuser), as a local account may.

Every attack of the issue's first two sections is tried: removing
running.lock, writing running.xml, forging a lock holder, holding the
store's write lock, forging a notification, reading another's
sessions/N, swapping sessions/ for a symlink, swapping a commit hook's
input; each is refused, with nothing lost.  Also: an account cannot
SIGSTOP its own session holding a lock; kill-session ends another
account's session; a commit hook an account owns is not run; the
installed owners and modes; a hostile -f, umask and file size limit of
the set-uid program's caller.

On code before the service identity every attack succeeds (datastore-dir
2770 root:nchome, files 0664, nchome-netconf 0755 as the account).
"""
import grp
import os
import pwd
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import install_group, private_account_tap  # noqa: E402
from doc_commands import run as run_doc  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("the trust boundary through real accounts")
from nchome_test import scaled  # noqa: E402
from nchome_auth import AuthEnv  # noqa: E402
from ncraw import NcRaw, kill_all  # noqa: E402
from attack_account import as_user  # noqa: E402

X = "urn:example:trust"
SVC = "_nchome"

def cfg(inner):
    return '<top xmlns="%s">%s</top>' % (X, inner)


def uid_of(name):
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return -2


def gid_of(name):
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return -2


install_group()
env = AuthEnv(install_only=True)
sessions = []
try:
    # ---- make install, for real, into a scratch prefix ----
    inst, dirs, netconf, ds = env.install_netconf(t, use=False)
    st = os.stat(netconf)
    t.ok(st.st_uid == uid_of(SVC) and stat.S_IMODE(st.st_mode) == 0o4750 and
         st.st_gid == gid_of("nchome-netconf"),
         "nchome-netconf is installed 4750 %s:nchome-netconf" % SVC, "%o uid %d" % (st.st_mode, st.st_uid))
    st = os.stat(ds)
    t.ok(st.st_uid == uid_of(SVC) and stat.S_IMODE(st.st_mode) == 0o700,
         "datastore-dir is 0700 %s" % SVC, "%o uid %d" % (st.st_mode, st.st_uid))
    # nchome.conf and the test's sshd_config point at the installed program
    hooks = os.path.join(env.dir, "commit.d")
    os.makedirs(hooks, mode=0o755)
    hook_out = os.path.join(env.dir, "hook-out")
    os.makedirs(hook_out, mode=0o700)
    os.chown(hook_out, max(uid_of(SVC), 0), -1)
    env.use_install(inst, dirs, ds, hooks)

    # ---- accounts, made with the doc's commands ----
    keys = {}
    for user in ("alice", "mallory"):
        r = run_doc("account", account=user)
        t.ok(r.returncode == 0, "the doc's account commands make %s" % user, r.output)
    subprocess.run(["useradd", "-m", "-s", "/bin/sh", "eve"], check=True)
    subprocess.run(["usermod", "-p", "*", "eve"], check=True)
    for user in ("alice", "mallory", "eve"):
        keys[user] = env.user_key(user)
        env.authorize_key(user, keys[user] + ".pub")

    def session(user):
        log = os.path.join(env.dir, "sshd-%s-%d.log" % (user, len(sessions)))
        return env.ssh_session(user, keys[user], log, sessions)

    def edit(nc, inner, target="running"):
        return nc.rpc("<edit-config><target><%s/></target><config>%s</config></edit-config>"
                      % (target, cfg(inner)))

    def running(nc):
        r = nc.rpc('<get-config><source><running/></source><filter type="subtree"><top xmlns="%s"/>'
                   "</filter></get-config>" % X)
        d = r.find("{urn:ietf:params:xml:ns:netconf:base:1.0}data") if r is not None else None
        return ET.tostring(d, encoding="unicode") if d is not None else repr(r)

    # eve, in neither group, cannot run nchome-netconf at all.
    rc, out = as_user("eve", "%s -f %s </dev/null" % (netconf, env.conf))
    t.ok(rc != 0 and "ermission denied" in out, "eve (no NETCONF group) cannot run nchome-netconf", out)

    # NACM (RFC 8341) denies <kill-session> to every account but root and
    # the recovery account unless a rule permits it: root, through the
    # installed program, permits it (and writes) to the NETCONF group.
    nacm = ('<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"><rule-list>'
            '<name>netconf-accounts</name><group>nchome-netconf</group>'
            '<rule><name>kill</name><module-name>ietf-netconf</module-name><rpc-name>kill-session</rpc-name>'
            '<access-operations>exec</access-operations><action>permit</action></rule>'
            '<rule><name>write</name><module-name>*</module-name>'
            '<access-operations>create update delete</access-operations><action>permit</action></rule>'
            '</rule-list></nacm>')
    root_in = ('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>'
               'urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>'
               '<rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><edit-config><target>'
               '<running/></target><config>%s</config></edit-config></rpc>]]>]]>'
               '<rpc message-id="2" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><close-session/></rpc>]]>]]>'
               % nacm)
    # (root in group nchome, as NETCONF accounts are: nchome.conf is 0640 root:nchome)
    p = subprocess.run(["setpriv", "--regid=%d" % gid_of("nchome"), "--clear-groups",
                        netconf, "-d", "-f", env.conf], input=root_in, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=scaled(30))
    t.ok(p.returncode == 0 and p.stdout.count("<ok/>") == 2,
         "root permits kill-session and writes to the NETCONF group (NACM)", "rc %d: %s" % (p.returncode, p.stdout[-800:]))

    alice = session("alice")
    t.ok(alice.session_id is not None, "alice reaches NETCONF through sshd")
    t.ok(NcRaw.ok(edit(alice, "<v>alice-1</v>")), "alice edits running", running(alice))
    t.ok(NcRaw.ok(alice.rpc("<lock><target><running/></target></lock>")), "alice locks running")
    before = running(alice)

    # ---- the shared datastore folder ----
    rc, out = as_user("mallory", "ls -a %s" % ds)
    t.ok(rc != 0, "mallory cannot list datastore-dir", out)
    rc, out = as_user("mallory", "rm -f %s/running.lock" % ds)
    t.ok(rc != 0 and os.path.exists(ds + "/running.lock"), "mallory cannot rm running.lock", out)
    mallory = session("mallory")
    errs = NcRaw.errors(edit(mallory, "<v>mallory</v>"))
    t.ok(errs and errs[0].get("error-tag") in ("in-use", "lock-denied"),
         "alice's lock still holds against mallory's edit", errs)
    rc, out = as_user("mallory", "printf '<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
                      "<top xmlns=\"%s\"><v>forged</v></top></config>' > %s/running.xml; rm -f %s/running.journal"
                      % (X, ds, ds))
    t.ok(rc != 0 and running(alice) == before and "forged" not in running(mallory),
         "mallory cannot write running.xml or delete running.journal", out)
    rc, out = as_user("mallory", "flock -x -n %s/running.lock -c 'echo 77 > %s/running.lock'" % (ds, ds))
    t.ok(rc != 0, "mallory cannot flock running.lock to forge a holder", out)
    start = time.monotonic()
    holder = subprocess.Popen(["runuser", "-u", "mallory", "--", "flock", "-x", ds + "/.ds-write.lock",
                               "sleep", "12"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        holder.wait(scaled(5))
    except subprocess.TimeoutExpired:
        pass
    probe = session("alice")
    t.ok(holder.poll() not in (None, 0) and time.monotonic() - start < scaled(10),
         "mallory cannot hold the store's write lock; a new session starts at once",
         "flock rc %r after %.1f s" % (holder.poll(), time.monotonic() - start))
    if holder.poll() is None:
        holder.kill()
    probe.close()
    rc, out = as_user("mallory", "echo '1 1 <notification/>' >> %s/notifications/log" % ds)
    t.ok(rc != 0, "mallory cannot append to the event log", out)
    rc, out = as_user("mallory", "cat %s/sessions/%d" % (ds, alice.session_id))
    t.ok(rc != 0 and "alice" not in out, "mallory cannot read alice's sessions/N", out)
    rc, out = as_user("mallory", "mv %s/sessions %s/s.old && ln -s /etc %s/sessions" % (ds, ds, ds))
    t.ok(rc != 0 and not os.path.islink(ds + "/sessions"), "mallory cannot swap sessions/ for a symlink", out)

    # An account cannot freeze its own session while it holds a lock.
    t.ok(NcRaw.ok(mallory.rpc("<lock><target><candidate/></target></lock>")), "mallory locks candidate")
    with open("%s/sessions/%d" % (ds, mallory.session_id)) as f:
        mpid = int(f.read().split("pid ")[1].split()[0])
    rc, out = as_user("mallory", "kill -STOP %d" % mpid)
    if rc == 0:
        os.kill(mpid, 18)	# SIGCONT
    t.ok(rc != 0, "mallory cannot stop (SIGSTOP) her own session process holding a lock", out)
    t.ok(NcRaw.ok(mallory.rpc("<unlock><target><candidate/></target></unlock>")), "...which still answers")

    # ---- kill-session across accounts ----
    r = mallory.rpc("<kill-session><session-id>%d</session-id></kill-session>" % alice.session_id)
    t.ok(NcRaw.ok(r), "mallory's kill-session ends alice's session (another account)", NcRaw.errors(r))
    t.ok(NcRaw.ok(mallory.rpc("<lock><target><running/></target></lock>")) and
         NcRaw.ok(mallory.rpc("<unlock><target><running/></target></unlock>")),
         "...and with it alice's lock on running")

    # ---- a commit hook's inputs ----
    with open(os.path.join(hooks, "10-apply"), "w") as f:
        f.write("#!/bin/sh\nid -un > %s/who\nsleep 1\ncat \"$2\" > %s/applied\n" % (hook_out, hook_out))
    os.chmod(os.path.join(hooks, "10-apply"), 0o755)
    swapper = subprocess.Popen(["runuser", "-u", "mallory", "--", "/bin/sh", "-c",
                                "for i in 1 2 3 4 5 6 7 8 9 10; do for f in %s/.hook-new.*; do "
                                "echo '<config><top xmlns=\"%s\"><v>swapped</v></top></config>' > \"$f\" "
                                "&& echo SWAPPED; done; sleep 0.2; done" % (ds, X)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    r = edit(mallory, "<v>hooked</v>")
    out = swapper.communicate(timeout=scaled(30))[0]
    applied = open(os.path.join(hook_out, "applied")).read() if os.path.exists(hook_out + "/applied") else ""
    who = open(os.path.join(hook_out, "who")).read().strip() if os.path.exists(hook_out + "/who") else ""
    t.ok(NcRaw.ok(r) and "hooked" in applied and "swapped" not in applied and "SWAPPED" not in out,
         "a commit hook's input cannot be swapped by a NETCONF account", "%s\n%s\n%s" % (applied, out,
                                                                                     NcRaw.errors(r)))
    t.eq(who, SVC, "commit hooks run as the service identity")
    # A program in commit.d that a NETCONF account could change is not run.
    os.chown(os.path.join(hooks, "10-apply"), uid_of("mallory"), -1)
    before = running(mallory)
    r = edit(mallory, "<v>unhooked</v>")
    t.diag("refused hook: %r" % NcRaw.errors(r))
    t.ok(not NcRaw.ok(r) and running(mallory) == before,
         "a commit hook a NETCONF account owns is refused, and the change with it", NcRaw.errors(r))
    os.unlink(os.path.join(hooks, "10-apply"))
    mallory.close()

    # ---- the set-uid program's caller is hostile ----
    evil = os.path.join(env.dir, "evil")
    os.makedirs(evil, mode=0o777)
    os.chmod(evil, 0o777)
    rc, out = as_user("mallory", "printf 'netconf {\\n datastore-dir = \"%s/ds\"\\n}\\n' > %s/c.conf && "
                      "%s -d -f %s/c.conf </dev/null" % (evil, evil, netconf, evil))
    t.ok(rc != 0 and not os.path.exists(evil + "/ds") and "refusing" in out,
         "a NETCONF account's own -f file is refused", out)
    rc, out = as_user("mallory", "ulimit -f 100; %s -d -f %s </dev/null" % (netconf, env.conf))
    t.ok(rc != 0 and "file size limit" in out, "a file size limit set by the caller is refused", out)
    hello = ('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>'
             'urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>'
             '<rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><close-session/></rpc>]]>]]>')
    rc, out = as_user("mallory", "umask 0; NCHOME_NOTIFY_LOG_MAX=1 %s -f %s" % (netconf, env.conf),
                      input=hello.encode())
    t.ok(rc == 0 and "<ok/>" in out, "a session with umask 0 runs", out[-500:])
    bad = []
    for root, dnames, fnames in os.walk(ds):
        for n in dnames + fnames:
            s = os.lstat(os.path.join(root, n))
            if s.st_uid != uid_of(SVC) or s.st_mode & 0o077:
                bad.append("%s %o uid %d" % (os.path.join(root, n), s.st_mode, s.st_uid))
    t.eq(bad, [], "everything in datastore-dir belongs to %s, no group or other access" % SVC)
finally:
    kill_all(sessions)
    env.cleanup()
t.done()
