#!/usr/bin/python3
"""Durability order: every change is on disk before its reply leaves.

nchome-netconf runs over pipes under strace, which logs (with file names,
-y) the syscalls that make data durable (fsync, fdatasync), the renames
and unlinks, and the writes of replies to stdout.  For each operation the
test finds the write of its reply and checks what came before it:
  - one-leaf edit of running: fdatasync of running.journal;
  - first edit of candidate (it makes an overlay on running): fdatasync of
    candidate.journal, then the rename of candidate.overlay, then an fsync
    of datastore-dir (a crash must not lose an edit that was answered,
    nor pair a new overlay with an older journal);
  - commit: fdatasync of running.journal, and the removal of
    candidate.overlay followed by an fsync of datastore-dir (else the
    committed candidate could reappear as uncommitted after a crash);
  - a big edit (over the journal's fold size): the base rewritten
    (its temp file fsynced, then renamed to running.xml) and
    datastore-dir fsynced, and no record
    appended for it.
Then copy-config between datastores (written from the source's cached
tree) leaves the target equal to the source in a new session.
"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, NETCONF  # noqa: E402
from ncraw import NcRaw  # noqa: E402

X = "urn:example:durable"

t = TAP()
strace = shutil.which("strace")
if strace is None:
    t.skip_tool("durability order", "strace")
    t.done()
    sys.exit(0)

env = SshEnv("durable")
log = os.path.join(env.dir, "strace.log")
ds = env.datastore_dir


def edit(target, body):
    return ('<edit-config><target><%s/></target><config><top xmlns="%s">%s</top></config>'
            '</edit-config>' % (target, X, body))


def entries(n, tag):
    return "".join("<e><k>%d</k><v>%s-%d-padding-padding-padding</v></e>" % (i, tag, i)
                   for i in range(n))


try:
    penv = dict(os.environ, USER="root")
    proc = subprocess.Popen([strace, "-f", "-qq", "-y", "-s", "120", "-o", log,
                             "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,unlink,"
                             "unlinkat,write,writev",
                             NETCONF, "-f", env.conf],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=penv)
    nc = NcRaw(proc, timeout=60)
    nc.hello()
    ops = [
        ("setup", edit("running", entries(20, "a"))),
        ("running edit", edit("running", "<e><k>3</k><v>changed</v></e>")),
        ("candidate edit", edit("candidate", "<e><k>4</k><v>cand</v></e>")),
        ("commit", "<commit/>"),
        ("big edit", edit("running", entries(2000, "big"))),
    ]
    mids = {}
    for name, body in ops:
        mid = str(nc.next_id)
        reply = nc.rpc(body)
        t.ok(nc.ok(reply), "%s answered ok" % name,
             ET.tostring(reply)[:300] if reply is not None else "no reply")
        mids[name] = mid
    nc.close()

    with open(log) as f:
        lines = f.read().splitlines()

    def reply_index(mid):
        pat = 'message-id=\\"%s\\"' % mid
        for i, ln in enumerate(lines):
            if re.match(r"^\d+\s+(write|writev)\(1<", ln) and pat in ln:
                return i
        return None

    def between(a, b):
        return lines[a + 1:b] if a is not None and b is not None else []

    def find(seg, pred):
        for i, ln in enumerate(seg):
            if pred(ln):
                return i
        return None

    def synced(path_end):
        return lambda ln: re.search(r"\b(fsync|fdatasync)\(\d+<[^>]*%s>\) = 0" % re.escape(path_end), ln)

    # a name in datastore-dir: a full path, or relative to its descriptor (renameat, unlinkat)
    def names(name):
        return lambda ln: re.search(r'"(?:[^"]*/)?%s"' % re.escape(name), ln)

    def renamed_to(name):
        return lambda ln: "rename" in ln and names(name)(ln) and ln.endswith("= 0")

    def removed(name):
        return lambda ln: "unlink" in ln and names(name)(ln) and ln.endswith("= 0")

    idx = {name: reply_index(mids[name]) for name, _ in ops}
    for name, _ in ops:
        t.ok(idx[name] is not None, "strace shows the reply to the %s" % name)

    seg = between(idx["setup"], idx["running edit"])
    t.ok(find(seg, synced("/running.journal")) is not None,
         "running edit: running.journal fdatasync'ed before the reply")

    seg = between(idx["running edit"], idx["candidate edit"])
    j = find(seg, synced("/candidate.journal"))
    r = find(seg, renamed_to("candidate.overlay"))
    d = find(seg[r:], synced(ds)) if r is not None else None
    t.ok(j is not None, "candidate edit: candidate.journal fdatasync'ed before the reply", "\n".join(seg))
    t.ok(r is not None and j is not None and r > j,
         "candidate edit: the overlay file appears only after its journal record is durable")
    t.ok(d is not None,
         "candidate edit: datastore-dir fsync'ed after the overlay's rename, before the reply")

    seg = between(idx["candidate edit"], idx["commit"])
    u = find(seg, removed("candidate.overlay"))
    t.ok(find(seg, synced("/running.journal")) is not None,
         "commit: running.journal fdatasync'ed before the reply", "\n".join(seg))
    t.ok(u is not None and find(seg[u:], synced(ds)) is not None,
         "commit: candidate.overlay's removal made durable (folder fsync) before the reply")

    seg = between(idx["commit"], idx["big edit"])
    t.ok(find(seg, renamed_to("running.xml")) is not None and find(seg, synced(ds)) is not None,
         "big edit: running.xml rewritten atomically before the reply", "\n".join(seg[-20:]))
    r = find(seg, renamed_to("running.xml"))
    t.ok(r is not None and find(seg[:r], lambda ln: re.search(
        r"\b(fsync|fdatasync)\(\d+<[^>]*/running\.xml\.tmp[^/>]*>\) = 0", ln)) is not None,
         "big edit: the temp file fsync'ed before its rename to running.xml", "\n".join(seg[-20:]))
    t.ok(find(seg, lambda ln: re.search(r"\bfdatasync\(\d+<[^>]*/running.journal>", ln)) is None,
         "big edit: no journal record written for it (the base rewrite holds it)")

    # and the content is what was answered
    nc = NcRaw(env.netconf_direct())
    nc.hello()
    data = nc.rpc("<get-config><source><running/></source></get-config>")
    t.ok(data is not None and b"big-1999-padding" in ET.tostring(data),
         "running holds the big edit afterwards")
    # copy-config between datastores writes from the source's cached tree:
    # the target's older journal records must not come back on top
    t.ok(nc.ok(nc.rpc("<copy-config><target><startup/></target><source><running/></source>"
                      "</copy-config>")), "copy-config running -> startup")
    t.ok(nc.ok(nc.rpc(edit("candidate", "<e><k>5</k><v>cand-five</v></e>"))), "candidate edit")
    t.ok(nc.ok(nc.rpc("<copy-config><target><candidate/></target><source><startup/></source>"
                      "</copy-config>")), "copy-config startup -> candidate")
    nc.close()
    nc = NcRaw(env.netconf_direct())
    nc.hello()
    cand = nc.rpc("<get-config><source><candidate/></source></get-config>")
    start = nc.rpc("<get-config><source><startup/></source></get-config>")
    t.ok(cand is not None and b"cand-five" not in ET.tostring(cand) and
         b"big-1999-padding" in ET.tostring(cand), "a new session's candidate is startup's copy")
    t.ok(start is not None and ET.tostring(start).count(b"<") == ET.tostring(cand).count(b"<"),
         "startup and candidate hold the same")
    nc.close()
finally:
    env.cleanup()
t.done()
