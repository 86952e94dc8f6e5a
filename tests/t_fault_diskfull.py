#!/usr/bin/python3
"""Fault: the disk holding datastore-dir is full.

The test runs in a private mount namespace (unshare --mount) and mounts a
small tmpfs as datastore-dir, then fills it.  Every write (edit-config of
running, candidate edit + commit, copy-config to startup, a bulk load) must
fail with an rpc-error, the stored data must stay as it was (read back by
the same session and by a new one; files well-formed), and the session
must go on; once space is freed, writes work again.
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw, q  # noqa: E402
from fault_util import fill, in_private_mount_namespace  # noqa: E402

in_private_mount_namespace(TAP(), "disk full on a tmpfs datastore-dir")

X = "urn:example:full"
NCOP = 'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"'
t = TAP()
env = SshEnv("fault-full")
procs = []


def session():
    return NcRaw.session(env.netconf_direct(), procs, timeout=30)


def edit(target, body, defop=None):
    return ("<edit-config><target><%s/></target>%s<config %s>%s</config></edit-config>" %
            (target, "<default-operation>%s</default-operation>" % defop if defop else "", NCOP, body))


def leaf(name, value):
    return '<top xmlns="%s"><item><name>%s</name><value>%s</value></item></top>' % (X, name, value)


def content(nc, ds):
    r = nc.rpc("<get-config><source><%s/></source></get-config>" % ds)
    d = r.find(q("data")) if r is not None else None
    return None if d is None else "".join(ET.tostring(c).decode() for c in d)


def same(got, want, desc):
    """Compares datastore texts without dumping them whole into the log."""
    if got == want:
        return t.ok(True, desc)
    i = next((k for k in range(min(len(got or ""), len(want or ""))) if got[k] != want[k]),
             min(len(got or ""), len(want or "")))
    return t.ok(False, desc, "first difference at %d: got ...%r... want ...%r..." %
                (i, (got or "")[max(0, i - 60):i + 60], (want or "")[max(0, i - 60):i + 60]))


def failed_with_error(r):
    return r is not None and not NcRaw.ok(r) and len(NcRaw.errors(r)) > 0


mounted = False
try:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "nchome-full",
                    env.datastore_dir], check=True)
    mounted = True
    nc = session()
    r = nc.rpc(edit("running", '<top xmlns="%s">%s</top>' % (X, "".join(
        "<item><name>i%d</name><value>v0</value></item>" % i for i in range(200)))))
    t.ok(NcRaw.ok(r), "200 entries stored on a 1 MiB tmpfs datastore-dir")
    nc.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    before = {ds: content(nc, ds) for ds in ("running", "startup", "candidate")}

    filler = os.path.join(env.datastore_dir, "filler")
    t.diag("filled the tmpfs with %d bytes" % fill(filler))

    # tmpfs hands out whole pages: a small append may still fit in the last
    # page of the journal.  A change of 16 KiB cannot.
    r = nc.rpc(edit("running", leaf("i1", "c" * 16384)))
    t.ok(failed_with_error(r), "disk full: edit-config of running gets an rpc-error",
         r is not None and ET.tostring(r)[:500])
    t.diag("rpc-error: %s" % NcRaw.errors(r))
    same(content(nc, "running"), before["running"], "disk full: running unchanged, same session")

    r = nc.rpc(edit("running", '<top xmlns="%s">%s</top>' % (X, "".join(
        "<item><name>n%d</name><value>%s</value></item>" % (i, "x" * 200) for i in range(2000)))))
    t.ok(failed_with_error(r), "disk full: a bulk edit-config gets an rpc-error")

    r1 = nc.rpc(edit("candidate", leaf("i2", "d" * 16384)))
    r2 = nc.rpc("<commit/>")
    t.ok(failed_with_error(r1) or failed_with_error(r2),
         "disk full: candidate edit + commit gets an rpc-error",
         "%s %s" % (NcRaw.errors(r1), NcRaw.errors(r2)))
    nc.rpc("<discard-changes/>")
    same(content(nc, "running"), before["running"], "disk full: running unchanged after the failed commit")

    r = nc.rpc("<copy-config><target><startup/></target><source><candidate/></source></copy-config>")
    nc.rpc(edit("running", leaf("i3", "x")))
    r = nc.rpc("<delete-config><target><startup/></target></delete-config>")
    same(content(nc, "startup"), before["startup"] if not NcRaw.ok(r) else "",
         "disk full: startup as before unless delete-config reported ok")

    r = nc.rpc("<get-config><source><running/></source></get-config>")
    t.ok(r is not None and r.find(q("data")) is not None and nc.proc.poll() is None,
         "disk full: the session goes on (get-config answers)")

    for name in ("running.xml", "startup.xml", "candidate.xml"):
        p = os.path.join(env.datastore_dir, name)
        if os.path.exists(p):
            try:
                ET.parse(p)
                t.ok(True, "disk full: %s is well-formed" % name)
            except ET.ParseError as e:
                t.ok(False, "disk full: %s is well-formed" % name, str(e))

    # A new session still starts on the full disk (it registers an empty,
    # locked entry; t_fault_diskfull_session covers the details) and reads
    # what the first session reads (the small i3 edit above may have fit).
    now = content(nc, "running")
    other = NcRaw(env.netconf_direct(), timeout=30)
    procs.append(other)
    try:
        other.hello("1.1")
        same(content(other, "running"), now, "disk full: a new session starts and reads running")
    except (EOFError, TimeoutError, ValueError) as e:
        t.ok(False, "disk full: a new session starts and reads running", repr(e))

    os.unlink(filler)
    r = nc.rpc(edit("running", leaf("i1", "after")))
    t.ok(NcRaw.ok(r), "space freed: the same session writes again", NcRaw.errors(r))
    t.ok('<ns0:value>after</ns0:value>' in (content(nc, "running") or "") or
         "after" in (content(nc, "running") or ""), "space freed: the change is there")
    nc.close()
finally:
    for p in procs:
        p.kill()
    if mounted:
        subprocess.run(["umount", "-l", env.datastore_dir])
    env.cleanup()
t.done()
