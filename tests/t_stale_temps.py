#!/usr/bin/python3
"""Temp files a writer killed mid-write left in datastore-dir are removed
(subsystem/store/leftovers.c, host/dsdir.c: dsdir_remove_stale_temps).

Every file there is written as "<name>.tmp.<pid>.<n>" (earlier versions:
"<name>.tmp.XXXXXX", mkstemp) and renamed; a SIGKILL before the rename
leaves the temp, as large as the store.  Checked, over pipes: a session's
first write of a base file (copy-config) removes those more than 10
minutes old, of both forms, and logs one line each; it leaves alone a
fresh one (a live writer's), names that only look alike, a symlink and
a folder named like a temp (and the symlink's target).  A session's
first write of running.shared (a get-config that found it stale) does
the same.
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, NETCONF  # noqa: E402
from ncraw import NcRaw  # noqa: E402

X = "urn:example:stale"
HOUR_AGO = time.time() - 3600
t = TAP()
env = SshEnv(name="nc-stale")
ds = env.datastore_dir
logs = []


def session():
    """nchome-netconf -d over pipes, its log (stderr) in a file."""
    log = tempfile.TemporaryFile(dir=env.dir)
    logs.append(log)
    p = subprocess.Popen([NETCONF, "-d", "-f", env.conf], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=log, env=dict(os.environ, USER="root"))
    nc = NcRaw(p, timeout=30.0)
    nc.hello()
    return nc, log


def log_text(log):
    log.seek(0)
    return log.read().decode(errors="replace")


def plant(name, old=True, data=b"x" * 4096):
    path = os.path.join(ds, name)
    with open(path, "wb") as f:
        f.write(data)
    if old:
        os.utime(path, (HOUR_AGO, HOUR_AGO))
    return path


def plant_all():
    """Stale ones (to go), and the ones that must stay."""
    stale = [plant("running.xml.tmp.4242.0"),
             plant("running.shared.tmp.4242.17"),
             plant("startup.xml.tmp.Ab3xYz")]          # mkstemp's six characters
    keep = [plant("running.shared.tmp.4343.0", old=False),   # a live writer's
            plant("running.xml.tmp.4242.0x"),
            plant("running.xml.tmp.4242."),
            plant("running.xml.tmp.Ab3xY"),
            plant("notes.tmp.4242.0"),
            plant("running.xml.4242.0"),
            plant("xrunning.xml.tmp.4242.0")]
    target = os.path.join(env.dir, "target")
    with open(target, "w") as f:
        f.write("not nchome's")
    link = os.path.join(ds, "running.xml.tmp.99.1")
    os.symlink(target, link)
    os.utime(link, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)
    folder = os.path.join(ds, "candidate.xml.tmp.7.7")
    os.mkdir(folder)
    os.utime(folder, (HOUR_AGO, HOUR_AGO))
    return stale, keep + [link, folder, target]


def check(what, nc, log, stale, keep):
    gone = [os.path.basename(p) for p in stale if os.path.lexists(p)]
    t.ok(not gone, "%s: the stale temp files are removed" % what, gone)
    left = [os.path.basename(p) for p in keep if not os.path.lexists(p)]
    t.ok(not left, "%s: a fresh one, look-alike names, a symlink, a folder (and the link's target) stay"
         % what, left)
    t.ok(os.path.isfile(keep[-1]) and os.path.islink(keep[-3]), "%s: the symlink still points at its target"
         % what)
    nc.close()
    text = log_text(log)
    lines = [ln for ln in text.splitlines() if "a writer killed mid-write left" in ln]
    t.ok(len(lines) == len(stale) and
         all(any(os.path.join(ds, os.path.basename(p)) + ": removed" in ln for ln in lines) for p in stale),
         "%s: one log line for each file removed" % what, lines or text[-800:])


try:
    # ---- a base file's write (copy-config to startup) ----
    setup, _ = session()
    r = setup.rpc('<edit-config><target><running/></target><config><top xmlns="%s"><v>1</v></top></config>'
                  '</edit-config>' % X)
    t.ok(NcRaw.ok(r), "running has content", r)
    setup.close()
    stale, keep = plant_all()
    a, alog = session()
    r = a.rpc('<edit-config><target><running/></target><config><top xmlns="%s"><v>2</v></top></config>'
              '</edit-config>' % X)
    t.ok(NcRaw.ok(r) and all(os.path.lexists(p) for p in stale),
         "an edit that is only journaled writes no file and removes nothing", r)
    r = a.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    t.ok(NcRaw.ok(r), "copy-config running to startup (writes startup.xml)", r)
    check("base write", a, alog, stale, keep)

    # ---- running.shared's write (a get-config that found none current) ----
    for p in keep:
        if os.path.islink(p) or os.path.isfile(p):
            os.unlink(p)
        elif os.path.isdir(p):
            os.rmdir(p)
    stale, keep = plant_all()
    b, blog = session()
    r = b.rpc("<get-config><source><running/></source></get-config>")
    t.ok(r is not None and not NcRaw.errors(r), "a new session's get-config", r)
    deadline = time.time() + 10
    while time.time() < deadline and not os.path.exists(os.path.join(ds, "running.shared")):
        time.sleep(0.05)
    t.ok(os.path.exists(os.path.join(ds, "running.shared")), "that session wrote running.shared")
    check("running.shared write", b, blog, stale, keep)
finally:
    for log in logs:
        log.close()
    env.cleanup()
t.done()
