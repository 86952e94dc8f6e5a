#!/usr/bin/python3
"""nchome-dialer (as root) refuses a configuration that anyone but root could
change: the file, or any folder above it up to /, not owned by root or
writable by group or others (OpenSSH's safe_path() rule; a root-owned
sticky folder such as /tmp may be writable by all, as only root can then
move what root put there).  Refused by -t, at start and on SIGHUP (the
running configuration stays), each time naming the file or folder with its
owner and mode.  nchome-netconf reads the same file without this rule."""
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, DIALER, scaled, wait_for  # noqa: E402
from dialer_test import Dialer, Nms, client_conf, hold_open, is_open  # noqa: E402
from ncraw import NcRaw  # noqa: E402

REFUSAL = "only root may be able to change"
t = TAP()
env = SshEnv("dialer-safepath")
NOBODY = pwd.getpwnam("nobody").pw_uid
top = tempfile.mkdtemp(prefix="nchome-safepath-")	# root, 0700, in /tmp (root, 1777)
dialers, listeners = [], []


def dialer_t(path):
    p = subprocess.run([DIALER, "-t", "-f", path], capture_output=True, text=True, timeout=scaled(30))
    return p.returncode, p.stderr.strip()


def place(*parts, mode=0o600, uid=0, dirmodes=None):
    """A copy of env.conf at top/parts..., folders made as asked: dirmodes maps a
    folder (relative to top) to (mode, uid)."""
    path = os.path.join(top, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shutil.copy(env.conf, path)
    os.chown(path, uid, 0)
    os.chmod(path, mode)
    for rel, (dmode, duid) in (dirmodes or {}).items():
        d = os.path.join(top, rel)
        os.chown(d, duid, 0)
        os.chmod(d, dmode)
    return path


def refused(desc, path, what, name, owner, mode):
    """-t refuses path, naming `what name` with its owner and mode."""
    rc, err = dialer_t(path)
    want = "%s %s is owned by %s with mode %s" % (what, name, owner, mode)
    t.ok(rc != 0 and err.startswith(path + ":") and want in err and REFUSAL in err,
         "-t refuses %s, naming %s %s, %s, mode %s" % (desc, what, name, owner, mode), "rc=%d %s" % (rc, err))


def accepted(desc, path):
    rc, err = dialer_t(path)
    t.ok(rc == 0 and err == "", "-t accepts %s" % desc, "rc=%d %s" % (rc, err))


try:
    nms = Nms(handler=hold_open)
    listeners.append(nms)
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)]))
    root_name = "uid 0 (root)"
    nobody_name = "uid %d (nobody)" % NOBODY

    # ---- what passes ----
    accepted("its 0600 root file in a 0700 root folder in /tmp (sticky, root-owned)", env.conf)
    accepted("a 0640 root file (group may read, not write)", place("ok", "a.conf", mode=0o640))
    accepted("a root folder 1777 (sticky) with a root 0700 folder in it",
             place("sticky", "inner", "a.conf", dirmodes={"sticky": (0o1777, 0), "sticky/inner": (0o700, 0)}))

    # ---- the file itself ----
    p = place("f", "group-w.conf", mode=0o620)
    refused("a group-writable file (0620)", p, "file", p, root_name, "0620")
    p = place("f", "other-w.conf", mode=0o602)
    refused("a file others may write (0602)", p, "file", p, root_name, "0602")
    p = place("f", "nobody.conf", uid=NOBODY)
    refused("a 0600 file owned by nobody", p, "file", p, nobody_name, "0600")

    # ---- folders above it, up to / ----
    p = place("gw", "a.conf", dirmodes={"gw": (0o770, 0)})
    refused("a file in a group-writable folder (0770)", p, "folder", os.path.join(top, "gw"), root_name, "0770")
    p = place("ow", "a.conf", dirmodes={"ow": (0o703, 0)})
    refused("a file in a folder others may write (0703)", p, "folder", os.path.join(top, "ow"), root_name,
            "0703")
    p = place("nd", "a.conf", dirmodes={"nd": (0o700, NOBODY)})
    refused("a file in a folder owned by nobody", p, "folder", os.path.join(top, "nd"), nobody_name, "0700")
    p = place("up", "mid", "a.conf", dirmodes={"up": (0o775, 0), "up/mid": (0o700, 0)})
    refused("a file two folders below a group-writable one", p, "folder", os.path.join(top, "up"), root_name,
            "0775")
    p = place("ns", "inner", "a.conf", dirmodes={"ns": (0o1777, NOBODY), "ns/inner": (0o700, 0)})
    refused("a file below a sticky folder owned by nobody", p, "folder", os.path.join(top, "ns"), nobody_name,
            "1777")
    p = place("ws", "inner", "a.conf", dirmodes={"ws": (0o777, 0), "ws/inner": (0o700, 0)})
    refused("a file below a world-writable folder without the sticky bit", p, "folder", os.path.join(top, "ws"),
            root_name, "0777")
    # a symlink is judged by where it leads
    target = place("lt", "a.conf", dirmodes={"lt": (0o770, 0)})
    link = os.path.join(top, "ok", "link.conf")
    os.symlink(target, link)
    refused("a link to a file in a group-writable folder", link, "folder", os.path.join(top, "lt"), root_name,
            "0770")

    # ---- at start, and on SIGHUP ----
    p = place("f", "group-w.conf", mode=0o620)
    s = subprocess.Popen([DIALER, "-d", "-f", p], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, err = s.communicate(timeout=scaled(10))
    except subprocess.TimeoutExpired:		# it started after all: stop it
        s.send_signal(signal.SIGTERM)
        _, err = s.communicate()
    t.ok(s.returncode not in (0, -signal.SIGTERM) and REFUSAL in err and "0620" in err and nms.count() == 0,
         "the dialer does not start on a group-writable file, and dials nobody", err)

    d = Dialer(env)
    dialers.append(d)
    t.ok(wait_for(lambda: nms.count() == 1, 10), "the dialer starts on a safe file and calls",
         d.log())
    sock = nms.conns[0]["sock"] if nms.conns else None
    nms2 = Nms(handler=hold_open)
    listeners.append(nms2)
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)]) +
                          client_conf("nms2", [("127.0.0.1", nms2.port)]))
    os.chmod(env.conf, 0o620)
    d.hup()
    t.ok(d.wait_log(REFUSAL, 10) and "0620" in d.log() and env.conf in d.log(),
         "SIGHUP with the file made group-writable: the reload is refused, naming file and mode", d.log())
    t.ok(d.proc.poll() is None and sock is not None and is_open(sock) and nms2.count() == 0,
         "...the running configuration goes on: its session stays, the new client is not called")
    os.chmod(env.conf, 0o600)
    d.hup()
    t.ok(wait_for(lambda: nms2.count() == 1, 10),
         "SIGHUP after chmod 0600: the new configuration is taken and its client called", d.log())
    d.stop()

    # ---- nchome-netconf is not the dialer: it reads a file its group may write ----
    os.chmod(env.conf, 0o620)
    os.chmod(env.dir, 0o770)
    nc = NcRaw(env.netconf_direct())
    try:
        nc.hello()
        t.ok(nc.session_id is not None and nc.close() == 0,
             "nchome-netconf serves with a 0620 file in a 0770 folder")
    except Exception as e:  # noqa: BLE001
        t.ok(False, "nchome-netconf serves with a 0620 file in a 0770 folder", repr(e))
    os.chmod(env.dir, 0o700)
    os.chmod(env.conf, 0o600)

    # ---- the rule is for root: another user's dialer may use that user's own files ----
    if shutil.which("setpriv") is None:
        t.skip_tool("a non-root dialer is not held to the root-only rule", "setpriv", "not installed (util-linux)")
    else:
        # nobody's own folder, host key, sshd_config and nchome.conf (0620)
        own = tempfile.mkdtemp(prefix="nchome-safepath-nobody-")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(own, "hk")], check=True)
        with open(os.path.join(own, "sshd_config"), "w") as f:
            f.write("HostKey %s/hk\nPidFile none\nUsePAM no\n" % own)
        p = os.path.join(own, "a.conf")
        with open(p, "w") as f:
            f.write('sshd-config = "%s/sshd_config"\nhost-key = "%s/hk.pub"\nstate-dir = "%s"\n' % (own, own, own))
        for name in ("", "hk", "hk.pub", "sshd_config", "a.conf"):
            os.chown(os.path.join(own, name), NOBODY, NOBODY)
        os.chmod(p, 0o620)
        s = subprocess.run(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
                            DIALER, "-t", "-f", p], capture_output=True, text=True, timeout=scaled(30))
        t.ok(s.returncode == 0 and s.stderr == "",
             "a dialer running as nobody accepts nobody's own 0620 file (the rule is root's)", s.stderr)
        shutil.rmtree(own, ignore_errors=True)
finally:
    for d in dialers:
        d.stop()
    for n in listeners:
        n.close()
    shutil.rmtree(top, ignore_errors=True)
    env.cleanup()
t.done()
