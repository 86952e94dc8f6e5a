#!/usr/bin/python3
"""The dialer's state-dir is its own: a FIFO planted as last-address.<client>
does not hang it (it calls home anyway and replaces the file), a link there
is not followed, and a state-dir that another account could write
(group-writable like datastore-dir, or owned by another user) is refused by
-t, at start and on reload, naming the folder.  A missing one is made 0700."""
import os
import pwd
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, DIALER, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, closed_port, hold_for  # noqa: E402

t = TAP()
env = SshEnv("dialer-statedir")
NOBODY = pwd.getpwnam("nobody").pw_uid
nms = None
dialers = []


def dialer_t():
    p = subprocess.run([DIALER, "-t", "-f", env.conf], capture_output=True, text=True, timeout=scaled(30))
    return p.returncode, p.stderr.strip()


def start():
    d = Dialer(env)
    dialers.append(d)
    return d


def conf_with_state(path):
    env.state_dir = path
    # the second address: a session on it is saved (sticky keeps what differs from the first)
    env.write_nchome_conf(client_conf("c1", [("127.0.0.2", DEAD), ("127.0.0.1", nms.port)],
                                      strategy="sticky"))


try:
    nms = Nms(handler=hold_for(0.5))
    DEAD = closed_port("127.0.0.2")
    good = env.state_dir

    # ---- a FIFO as the state file ----
    conf_with_state(good)
    fifo = os.path.join(good, "last-address.c1")
    os.mkfifo(fifo, 0o600)
    d = start()
    t.ok(wait_for(lambda: nms.count() >= 1, 10), "a FIFO as last-address.c1 does not hang the dialer: "
         "it calls home", d.log())
    t.ok("last-address.c1: not a regular file" in d.log(), "... and logs that the state file is not a "
         "regular file", d.log())
    t.ok(wait_for(lambda: stat.S_ISREG(os.lstat(fifo).st_mode), 10),
         "after the session the FIFO is replaced by a regular file", d.log())
    d.stop()

    # ---- a link as the state file is not followed ----
    target = os.path.join(env.dir, "elsewhere")
    with open(target, "w") as f:
        f.write("keep\n")
    os.unlink(fifo)
    os.symlink(target, fifo)
    before = nms.count()
    d = start()
    t.ok(wait_for(lambda: nms.count() > before, 10), "with a link as the state file it calls home", d.log())
    t.ok(wait_for(lambda: not os.path.islink(fifo), 10) and open(target).read() == "keep\n",
         "the link is replaced, its target untouched", d.log())
    d.stop()

    # ---- a state-dir another account may write ----
    shared = os.path.join(env.dir, "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o2770)
    conf_with_state(shared)
    rc, err = dialer_t()
    t.ok(rc != 0 and "state-dir %s is owned by uid 0 with mode 2770" % shared in err,
         "-t refuses a group-writable state-dir (2770, like datastore-dir), naming it", err)
    before = nms.count()
    p = subprocess.run([DIALER, "-d", "-f", env.conf], capture_output=True, text=True, timeout=scaled(10))
    t.ok(p.returncode != 0 and "state-dir %s" % shared in p.stderr and nms.count() == before,
         "the dialer does not start with it", p.stderr)
    os.chmod(shared, 0o700)
    os.chown(shared, NOBODY, 0)
    rc, err = dialer_t()
    t.ok(rc != 0 and "state-dir %s is owned by uid %d with mode 0700" % (shared, NOBODY) in err,
         "-t refuses a state-dir owned by nobody", err)
    os.chown(shared, 0, 0)
    up = os.path.join(env.dir, "up")
    os.mkdir(up)
    os.chmod(up, 0o775)
    os.mkdir(os.path.join(up, "state"), 0o700)
    conf_with_state(os.path.join(up, "state"))
    rc, err = dialer_t()
    t.ok(rc != 0 and "folder %s is owned by uid 0 (root) with mode 0775" % up in err,
         "-t refuses a state-dir below a group-writable folder, naming that folder", err)

    # ---- missing: made 0700 at start (not by -t) ----
    fresh = os.path.join(env.dir, "fresh")
    conf_with_state(fresh)
    rc, err = dialer_t()
    t.ok(rc == 0 and not os.path.exists(fresh), "-t accepts a missing state-dir and makes nothing", err)
    d = start()
    t.ok(wait_for(lambda: os.path.isdir(fresh), 10) and stat.S_IMODE(os.stat(fresh).st_mode) == 0o700,
         "the dialer makes a missing state-dir, mode 0700", d.log())

    # ---- reload onto a shared state-dir is refused ----
    d.wait_log("started:", 10)
    os.chmod(shared, 0o2770)
    conf_with_state(shared)
    d.hup()
    t.ok(d.wait_log("reload refused", 10) and "state-dir %s" % shared in d.log() and d.proc.poll() is None,
         "SIGHUP with a group-writable state-dir: reload refused, the dialer runs on", d.log())
    d.stop()
    t.eq(sanitizer_findings(), [], "no sanitizer findings")
finally:
    for d in dialers:
        d.stop()
    if nms is not None:
        nms.close()
    env.cleanup()
t.done()
