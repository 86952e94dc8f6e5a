#!/usr/bin/python3
"""Bounds (issue 13): one process cannot stall the other sessions, over the
real program on pipes.

1. Another process holds the datastore write lock (`flock -x
   .ds-write.lock`, here from this test, as root): a session's edit-config
   and get-config each answer in-use within lock-wait (plus a margin)
   instead of hanging, running stays byte for byte as it was, and a new
   session still gets its hello at once.  When the holder lets go, the
   same session's edit succeeds.
1b. The same for the registry's next-id, the statistics file and the
   event log's lock: a new session starts, its edit and a get of the
   statistics answer within a few lock-waits.
3. max-datastore-size (64 KiB here): an edit-config, a copy-config and
   a candidate edit, and a commit that would make a datastore larger
   answer resource-denied, running stays byte for byte as it was, and the same
   session's next RPC works.
4. With a commit hook: the same refused edit, copy-config and commit
   never run the hook (the size is checked before the hooks).
2. An NMS that stops reading: session A holds the lock on running and
   asks for a reply far bigger than the pipe, then reads nothing.  A ends
   within write-timeout (plus a margin) and its lock goes with it: B's
   <lock> on running succeeds.
Every bound is scaled by NCHOME_TIME_SCALE."""
import fcntl
import os
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled  # noqa: E402
from ncraw import NcRaw  # noqa: E402

X = "urn:example:bounds"
LOCK_WAIT = scaled(1.0)
WRITE_TIMEOUT = scaled(2.0)
MARGIN = scaled(3.0)
t = TAP()
env = SshEnv(name="bounds",
             netconf_conf="  lock-wait = %g\n  write-timeout = %g\n" % (LOCK_WAIT, WRITE_TIMEOUT))
procs = []


def session(timeout=20.0):
    return NcRaw.session(env.netconf_direct(), procs, timeout=timeout)


tags = NcRaw.tags


def edit(nc, inner, timeout=None):
    return nc.rpc('<edit-config><target><running/></target><config><top xmlns="%s">%s</top>'
                  "</config></edit-config>" % (X, inner), timeout=timeout)


def running_bytes():
    out = {}
    for name in ("running.xml", "running.journal"):
        p = os.path.join(env.datastore_dir, name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                out[name] = f.read()
    return out


try:
    # ---- 1. the write lock held from outside ----
    a = session()
    t.ok(NcRaw.ok(edit(a, "<leaf>before</leaf>")), "an edit works while nobody holds the write lock")
    before = running_bytes()
    broken = []
    lockfd = os.open(os.path.join(env.datastore_dir, ".ds-write.lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(lockfd, fcntl.LOCK_EX)
    try:
        t0 = time.monotonic()
        try:
            r = edit(a, "<leaf>during</leaf>", timeout=LOCK_WAIT + MARGIN)
        except TimeoutError:
            r = None
            broken.append(a)
        took = time.monotonic() - t0
        t.ok("in-use" in tags(r) and took < LOCK_WAIT + MARGIN,
             "edit-config under another process's write lock: in-use within lock-wait",
             "tags %r after %.1fs" % (tags(r), took))
        t0 = time.monotonic()
        try:
            if broken:
                raise TimeoutError("A is still waiting")
            r = a.rpc("<get-config><source><running/></source></get-config>", timeout=LOCK_WAIT + MARGIN)
        except TimeoutError:
            r = None
            broken.append(a)
        took = time.monotonic() - t0
        t.ok("in-use" in tags(r) and took < LOCK_WAIT + MARGIN,
             "get-config under another process's write lock: in-use within lock-wait",
             "tags %r after %.1fs" % (tags(r), took))
        t.eq(running_bytes(), before, "running (base and journal) byte for byte unchanged")
        t0 = time.monotonic()
        try:
            b = session(timeout=MARGIN)
            ok = b.session_id is not None
        except (TimeoutError, EOFError):
            ok = False
        t.ok(ok and time.monotonic() - t0 < MARGIN,
             "a new session gets its hello while the write lock is held",
             "%.1fs" % (time.monotonic() - t0))
    finally:
        fcntl.flock(lockfd, fcntl.LOCK_UN)
        os.close(lockfd)
    if broken:	# A hung above (today's code): its replies are out of step
        a.kill()
        a = session()
    r = edit(a, "<leaf>after</leaf>")
    t.ok(NcRaw.ok(r), "once the holder lets go, the same session's edit works")
    a.kill()

    # ---- 1b. the registry, statistics and event-log locks held from outside ----
    held = []
    for rel in ("sessions/next-id", "sessions/statistics", "notifications/lock"):
        fd = os.open(os.path.join(env.datastore_dir, rel), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.append(fd)
    bound = 3 * LOCK_WAIT + MARGIN	# a session may meet two of them in one step
    try:
        t0 = time.monotonic()
        try:
            c = session(timeout=bound)
            ok = c.session_id is not None
        except (TimeoutError, EOFError):
            c, ok = None, False
        t.ok(ok and time.monotonic() - t0 < bound,
             "a new session starts while next-id, statistics and the event log are locked",
             "%.1fs" % (time.monotonic() - t0))
        try:
            r = edit(c, "<leaf>locked-out</leaf>", timeout=bound) if ok else None
        except TimeoutError:
            r = None
        t.ok(NcRaw.ok(r), "its edit (an event, statistics) answers within the bound")
        try:
            r = c.rpc('<get><filter><netconf-state xmlns="urn:ietf:params:xml:ns:yang:'
                      'ietf-netconf-monitoring"><statistics/></netconf-state></filter></get>',
                      timeout=bound) if ok else None
        except TimeoutError:
            r = None
        t.ok(r is not None and not NcRaw.errors(r), "a get of the statistics answers within the bound")
        e = r.find(".//{urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring}in-sessions") \
            if r is not None else None
        t.ok(e is not None and int(e.text) > 0,
             "its statistics still hold the file's totals (read unlocked)",
             "in-sessions %s" % (e.text if e is not None else "none"))
        if c is not None:
            c.kill()
    finally:
        for fd in held:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # ---- 2. an NMS that stops reading ----
    a = session()
    big = "".join("<e><k>%d</k><v>%s</v></e>" % (i, "x" * 100) for i in range(40000))
    t.ok(NcRaw.ok(edit(a, big, timeout=60)), "a 4 MB configuration loaded")
    t.ok(NcRaw.ok(a.rpc("<lock><target><running/></target></lock>")), "A locks running")
    a.send_msg(a.rpc_text("<get-config><source><running/></source></get-config>"))
    t0 = time.monotonic()
    ended = False
    while time.monotonic() - t0 < WRITE_TIMEOUT + MARGIN:
        if a.proc.poll() is not None:
            ended = True
            break
        time.sleep(0.05)
    t.ok(ended, "A, whose NMS reads nothing, ends within write-timeout",
         "%.1fs" % (time.monotonic() - t0))
    b = session()
    r = b.rpc("<lock><target><running/></target></lock>")
    t.ok(NcRaw.ok(r), "A's lock on running went with it: B locks running", "tags %r" % tags(r))
    b.rpc("<unlock><target><running/></target></unlock>")
    b.close()

    # ---- 3. the datastore size cap ----
    env.netconf_conf += "  max-datastore-size = 65536\n"
    env.write_nchome_conf("")
    for name in os.listdir(env.datastore_dir):	# start from an empty running
        if name.startswith(("running", "candidate")):
            os.unlink(os.path.join(env.datastore_dir, name))
    a = session()
    t.ok(NcRaw.ok(edit(a, "<leaf>small</leaf>")), "a small edit fits under max-datastore-size")
    before = running_bytes()
    big = "".join("<e><k>%d</k><v>%s</v></e>" % (i, "y" * 100) for i in range(1000))
    r = edit(a, big)
    t.ok("resource-denied" in tags(r), "edit-config past max-datastore-size: resource-denied", "tags %r" % tags(r))
    t.eq(running_bytes(), before, "running byte for byte unchanged")
    r = a.rpc('<copy-config><target><running/></target><source><config><top xmlns="%s">%s</top></config>'
              "</source></copy-config>" % (X, big))
    t.ok("resource-denied" in tags(r), "copy-config past max-datastore-size: resource-denied", "tags %r" % tags(r))
    t.eq(running_bytes(), before, "running byte for byte unchanged")
    r = a.rpc('<edit-config><target><candidate/></target><config><top xmlns="%s">%s</top></config>'
              "</edit-config>" % (X, big))
    t.ok("resource-denied" in tags(r), "candidate edit past max-datastore-size: resource-denied", "tags %r" % tags(r))
    r = a.rpc("<discard-changes/>")
    half = lambda tag: "".join("<%s><k>%d</k><v>%s</v></%s>" % (tag, i, "z" * 100, tag) for i in range(300))
    r = a.rpc('<edit-config><target><candidate/></target><config><top xmlns="%s">%s</top></config>'
              "</edit-config>" % (X, half("c1")))
    t.ok(NcRaw.ok(r) and NcRaw.ok(a.rpc("<commit/>")), "a commit that stays under the cap works")
    before = running_bytes()
    r = a.rpc('<edit-config><target><candidate/></target><config><top xmlns="%s">%s</top></config>'
              "</edit-config>" % (X, half("c2")))
    t.ok(NcRaw.ok(r), "a candidate edit that alone stays under the cap is taken")
    r = a.rpc("<commit/>")
    t.ok("resource-denied" in tags(r), "commit that would take running past the cap: resource-denied",
         "errors %r" % NcRaw.errors(r))
    t.eq(running_bytes(), before, "running byte for byte unchanged")
    a.rpc("<discard-changes/>")
    r = a.rpc("<get-config><source><running/></source><filter><top xmlns='%s'/></filter></get-config>" % X)
    t.ok(r is not None and b"yyyy" not in ET.tostring(r) and b"small" in ET.tostring(r),
         "the session goes on: running shows no refused change")
    t.ok(NcRaw.ok(edit(a, "<leaf>next</leaf>")), "the next small edit works")
    a.close()

    # ---- 4. a change refused for size never reaches the commit hooks ----
    hooks = os.path.join(env.dir, "commit.d")
    hooklog = os.path.join(env.dir, "hook.log")
    os.makedirs(hooks)
    with open(os.path.join(hooks, "10-record"), "w") as f:
        f.write('#!/bin/sh\necho "run $NCHOME_REVERT" >>%s\n' % hooklog)
    os.chmod(os.path.join(hooks, "10-record"), 0o755)
    env.netconf_conf += '  commit-hooks = "%s"\n' % hooks
    env.write_nchome_conf("")

    def hook_runs():
        try:
            with open(hooklog) as f:
                return f.read()
        except FileNotFoundError:
            return ""
    a = session()
    before = running_bytes()
    r = edit(a, big)
    t.ok("resource-denied" in tags(r), "with commit hooks: edit-config past the cap is resource-denied",
         "tags %r" % tags(r))
    r = a.rpc('<copy-config><target><running/></target><source><config><top xmlns="%s">%s</top></config>'
              "</source></copy-config>" % (X, big))
    t.ok("resource-denied" in tags(r), "with commit hooks: copy-config past the cap is resource-denied",
         "tags %r" % tags(r))
    a.rpc("<discard-changes/>")
    r = a.rpc('<edit-config><target><candidate/></target><config><top xmlns="%s">%s</top></config>'
              "</edit-config>" % (X, half("c2")))
    r = a.rpc("<commit/>")
    t.ok("resource-denied" in tags(r), "with commit hooks: a commit past the cap is resource-denied",
         "tags %r" % tags(r))
    t.eq(hook_runs(), "", "no hook ran for any of the refused changes")
    t.eq(running_bytes(), before, "running byte for byte unchanged")
    a.rpc("<discard-changes/>")
    t.ok(NcRaw.ok(edit(a, "<leaf>hooked</leaf>")) and hook_runs() == "run 0\n",
         "a change under the cap runs the hook once", "hook log %r" % hook_runs())
    a.close()
finally:
    for p in procs:
        p.kill()
    env.cleanup()
t.done()
