#!/usr/bin/python3
"""Datastore locks keep other sessions out (RFC 6241 7.5, nchome-netconf(8)),
over the real program on pipes.

With session A holding the lock on running, on candidate and on startup in
turn, session B's writes of that datastore (edit-config, copy-config from
inline config and from another datastore, delete-config, commit for
running, discard-changes for candidate) are each refused with in-use
naming A, B's <lock> with lock-denied naming A, and every data file
(running.xml and running.journal among them) stays byte for byte as it
was, as does what get-config shows of all three datastores.  Controls: A
itself may write what it holds, and B may write the datastores A does not
hold.  Unlocking the candidate discards its uncommitted changes.  Then
the lock goes with A's session however it ends: close-session,
kill-session, SIGKILL, and a dropped connection (A's pipes closed)."""
import os
import signal
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from ncraw import NS, NcRaw, kill_all, q  # noqa: E402

X = "urn:example:locks"
DATASTORES = ("running", "candidate", "startup")
t = TAP()
env = SshEnv(name="locks")
procs = []


def session():
    return NcRaw.session(env.netconf_direct(), procs)


tags = NcRaw.tags


def holder(reply):
    """The session-id the (first) rpc-error's error-info names."""
    errs = NcRaw.errors(reply)
    return errs[0].get("error-info", {}).get("session-id") if errs else None


def cfg(inner):
    return '<top xmlns="%s">%s</top>' % (X, inner)


def edit(nc, ds, inner):
    # <a> is <top>'s first leaf: without a module, a merge naming another
    # value of it names another <top> (nchome-netconf(8)); an operation on
    # <a> changes the leaf itself
    inner = inner.replace("<a>", '<a xmlns:nc="%s" nc:operation="replace">' % NS, 1)
    return nc.rpc("<edit-config><target><%s/></target><config>%s</config></edit-config>" % (ds, cfg(inner)))


def copy_inline(nc, ds, inner):
    return nc.rpc("<copy-config><target><%s/></target><source><config>%s</config></source></copy-config>"
                  % (ds, cfg(inner)))


def copy_from(nc, ds, src):
    return nc.rpc("<copy-config><target><%s/></target><source><%s/></source></copy-config>" % (ds, src))


def lock(nc, ds):
    return nc.rpc("<lock><target><%s/></target></lock>" % ds)


def unlock(nc, ds):
    return nc.rpc("<unlock><target><%s/></target></unlock>" % ds)


def data_files():
    """Every datastore file (running.xml, running.journal, candidate.*, startup.xml)
    and its bytes; lock files, the session registry, running.shared,
    running.index and running.nacm (caches of running that a session
    reading running writes) are not data."""
    out = {}
    for name in sorted(os.listdir(env.datastore_dir)):
        base, _, ext = name.partition(".")
        if base in DATASTORES and ext != "lock" and not ext.startswith(("shared", "index", "nacm")):
            with open(os.path.join(env.datastore_dir, name), "rb") as f:
                out[name] = f.read()
    return out


def contents(nc):
    """What get-config shows of each datastore (serialized <data> children)."""
    out = {}
    for ds in DATASTORES:
        r = nc.rpc("<get-config><source><%s/></source></get-config>" % ds)
        d = r.find(q("data")) if r is not None else None
        out[ds] = None if d is None else "".join(ET.tostring(c).decode() for c in d)
    return out


def value(nc, ds):
    """The text of <top><a> in ds."""
    r = nc.rpc("<get-config><source><%s/></source></get-config>" % ds)
    el = r.find("%s/{%s}top/{%s}a" % (q("data"), X, X)) if r is not None else None
    return None if el is None else el.text


def refused(desc, reply, want_tag, a, b, before_files, before_data):
    """B's write was refused with want_tag naming A, and nothing changed."""
    t.ok(tags(reply) == [want_tag] and holder(reply) == str(a.session_id),
         "%s -> %s naming session %s" % (desc, want_tag, a.session_id),
         ET.tostring(reply).decode() if reply is not None else "no reply")
    after = data_files()
    t.ok(after == before_files, "%s: datastore files byte-identical (%s)" % (desc, ", ".join(sorted(after))),
         "changed: %s" % sorted(k for k in set(after) | set(before_files) if after.get(k) != before_files.get(k)))
    t.eq(contents(b), before_data, "%s: get-config of running, candidate and startup unchanged" % desc)


def seed():
    """Distinct content in each datastore, so an unwanted write shows."""
    s = session()
    assert NcRaw.ok(edit(s, "running", "<a>start</a><b>start-only</b>"))
    assert NcRaw.ok(copy_from(s, "startup", "running"))
    assert NcRaw.ok(edit(s, "running", "<a>run</a>"))
    s.close()


try:
    seed()

    for ds in DATASTORES:
        a, b = session(), session()
        t.ok(NcRaw.ok(lock(a, ds)), "A (session %s) locks %s" % (a.session_id, ds))
        if ds == "candidate":
            # A's own change in the locked candidate, which B must not drop or commit over
            t.ok(NcRaw.ok(edit(a, "candidate", "<a>a-cand</a>")), "A edits the candidate it holds")
        if ds == "running":
            # a change of B's own in the (unlocked) candidate, for B's commit below
            t.ok(NcRaw.ok(edit(b, "candidate", "<a>b-cand</a>")), "B may edit candidate while A holds running")
        files0, data0 = data_files(), contents(b)
        t.ok(any(n.startswith("running.") for n in files0), "running's files are there to compare (%s)"
             % sorted(files0))

        refused("B's lock of %s" % ds, lock(b, ds), "lock-denied", a, b, files0, data0)
        if ds != "startup":
            refused("B's edit-config of %s" % ds, edit(b, ds, "<a>b-edit</a>"), "in-use", a, b, files0, data0)
        refused("B's copy-config of an inline config to %s" % ds, copy_inline(b, ds, "<a>b-copy</a>"),
                "in-use", a, b, files0, data0)
        src = "startup" if ds != "startup" else "running"
        refused("B's copy-config %s -> %s" % (src, ds), copy_from(b, ds, src), "in-use", a, b, files0, data0)
        if ds == "running":
            # running cannot be deleted at all: refused, and nothing written
            r = b.rpc("<delete-config><target><running/></target></delete-config>")
            t.ok(not NcRaw.ok(r) and tags(r) != [], "B's delete-config of running is refused", tags(r))
            t.ok(data_files() == files0, "B's delete-config of running: datastore files byte-identical")
            refused("B's commit", b.rpc("<commit/>"), "in-use", a, b, files0, data0)
            refused("B's confirmed commit", b.rpc("<commit><confirmed/><confirm-timeout>60</confirm-timeout>"
                                                  "</commit>"), "in-use", a, b, files0, data0)
        else:
            refused("B's delete-config of %s" % ds, b.rpc("<delete-config><target><%s/></target></delete-config>"
                                                          % ds), "in-use", a, b, files0, data0)
        if ds == "candidate":
            refused("B's discard-changes", b.rpc("<discard-changes/>"), "in-use", a, b, files0, data0)
        r = unlock(b, ds)
        t.ok(tags(r) == ["operation-failed"] and data_files() == files0,
             "B's unlock of A's %s lock -> operation-failed, nothing changed" % ds, tags(r))

        # Controls: the refusals are about A's lock, not about B or the operation.
        other = "candidate" if ds != "candidate" else "running"
        r = edit(b, other, "<a>b-other</a>")
        t.ok(NcRaw.ok(r) and value(b, other) == "b-other",
             "B may still edit %s, which A does not hold" % other, tags(r))
        if ds == "startup":
            r = copy_from(a, "startup", "running")
            t.ok(NcRaw.ok(r) and contents(a)["startup"] == contents(a)["running"],
                 "A writes the startup it holds (copy-config running -> startup)", tags(r))
        elif ds == "candidate":
            r = a.rpc("<discard-changes/>")
            t.ok(NcRaw.ok(r) and value(a, "candidate") == value(a, "running"),
                 "A may discard the changes in the candidate it holds", tags(r))
        else:
            r = edit(a, "running", "<a>a-run</a>")
            t.ok(NcRaw.ok(r) and value(b, "running") == "a-run", "A edits the running it holds", tags(r))
        t.ok(NcRaw.ok(unlock(a, ds)), "A unlocks %s" % ds)
        r = edit(b, ds, "<a>b-after</a>") if ds != "startup" else copy_inline(b, ds, "<a>b-after</a>")
        t.ok(NcRaw.ok(r) and value(b, ds) == "b-after", "after A's unlock B writes %s" % ds, tags(r))
        # the next round starts from a candidate nobody changed (else A's lock is refused)
        t.ok(NcRaw.ok(b.rpc("<discard-changes/>")), "B discards its candidate changes")
        a.close()
        b.close()

    # ---- unlocking the candidate discards its uncommitted changes (store.h:
    # store_ds_unlock) ----
    a = session()
    t.ok(NcRaw.ok(lock(a, "candidate")), "A locks the candidate")
    t.ok(NcRaw.ok(edit(a, "candidate", "<a>uncommitted</a>")) and value(a, "candidate") == "uncommitted",
         "A edits the candidate it holds")
    t.ok(NcRaw.ok(unlock(a, "candidate")), "A unlocks the candidate without a commit")
    t.ok(value(a, "candidate") == value(a, "running") != "uncommitted",
         "the unlock discarded the candidate's uncommitted change", value(a, "candidate"))
    a.close()

    # ---- the locks go with A's session, however it ends ----
    def end_close(a, b):
        return a.close() == 0

    def end_kill_session(a, b):
        r = b.rpc("<kill-session><session-id>%d</session-id></kill-session>" % a.session_id)
        a.proc.wait(scaled(10))
        return NcRaw.ok(r)

    def end_sigkill(a, b):
        a.proc.send_signal(signal.SIGKILL)
        return a.proc.wait(scaled(10)) == -signal.SIGKILL

    def end_dropped(a, b):
        # the connection goes away under A: both pipes closed, as when ssh dies
        a.proc.stdin.close()
        a.proc.stdout.close()
        return wait_for(lambda: a.proc.poll() is not None, 10)

    for how, end in (("close-session", end_close), ("kill-session", end_kill_session),
                     ("SIGKILL", end_sigkill), ("a dropped connection", end_dropped)):
        a, b = session(), session()
        held = [ds for ds in DATASTORES if NcRaw.ok(lock(a, ds))]
        t.eq(held, list(DATASTORES), "%s: A holds running, candidate and startup" % how)
        t.eq(tags(edit(b, "running", "<a>blocked</a>")), ["in-use"], "%s: before, B's edit of running -> in-use"
             % how)
        t.ok(end(a, b), "%s: A's session ends" % how)
        got = {}
        for ds in DATASTORES:
            word = "<a>after-%s</a>" % how.replace(" ", "-")
            r = edit(b, ds, word) if ds != "startup" else copy_inline(b, ds, word)
            got[ds] = tags(r) if not NcRaw.ok(r) else "ok"
        t.eq(got, {ds: "ok" for ds in DATASTORES}, "%s: B writes running, candidate and startup" % how)
        got = {ds: "ok" if NcRaw.ok(lock(b, ds)) else "denied" for ds in DATASTORES}
        t.eq(got, {ds: "ok" for ds in DATASTORES}, "%s: B locks all three" % how)
        b.rpc("<discard-changes/>")
        b.close()
finally:
    kill_all(procs)
    env.cleanup()
t.done()
