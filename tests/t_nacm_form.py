#!/usr/bin/python3
"""Running's NACM rules published alone (subsystem/store/nacm_form.c).

A session that NACM applies to (user nobody, setpriv) and holds no tree
of running reads running's nacm container from datastore-dir/running.nacm
when it is stamped with running's current identity and its checksum
holds; else it reads running, and writes the form after its reply.
Checked: the form is written by such a session and read by the next one;
a commit or edit that changes the rules is seen by the next session and
by an open one, even with the old form put back (stale stamp); a form
whose body is corrupt, truncated, of its header only, of another magic,
or not a nacm element is not used: the rules are running's own (fail
closed); a missing form is written again; a publisher killed with
SIGKILL during its write leaves the old form or the new one, never part
of one, and the next session's decisions are running's."""
import os
import signal
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, file_started, wait_for  # noqa: E402
from ncraw import Sessions, edit, getcfg, raw  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
B = "urn:example:nf"
HDR = struct.Struct("=8s12QQQQ")   # magic, identity words, present, len, sum
t = TAP()
env = NobodyEnv(t, "nacm-form-", 0o777)
FORM = os.path.join(env.ds, "running.nacm")
sessions = Sessions(env.popen)


def fnv(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def rules(lock_rpc, hidden, extra=0):
    """nobody's rule-list: <lock_rpc> denied, entry `hidden` unreadable, extra padding rules."""
    pad = "".join('<rule><name>pad%d</name><module-name>ietf-netconf</module-name><rpc-name>x-pad-%d'
                  '</rpc-name><access-operations>exec</access-operations><action>deny</action></rule>'
                  % (i, i) for i in range(extra))
    return ('<nacm xmlns="%s"><rule-list><name>nobodies</name><group>nogroup</group>'
            '<rule><name>no-lock</name><module-name>*</module-name><rpc-name>%s</rpc-name>'
            '<access-operations>exec</access-operations><action>deny</action></rule>'
            '<rule><name>hide</name><path xmlns:f="%s">/f:top/f:item[f:name=\'%s\']</path>'
            '<access-operations>read</access-operations><action>deny</action></rule>%s'
            '</rule-list></nacm>' % (NACM_NS, lock_rpc, B, hidden, pad))


def replace_rules(r, lock_rpc, hidden, extra=0, target="running"):
    body = rules(lock_rpc, hidden, extra).replace("<nacm ", '<nacm xmlns:nc="urn:ietf:params:xml:ns:netconf:'
                                                  'base:1.0" nc:operation="replace" ', 1)
    return edit(r, body, target)


def views(r):
    """(lock allowed, entries read) as r sees them now."""
    rep = raw(r, "<lock><target><running/></target></lock>")
    locked = b"<ok/>" in rep
    if locked:
        raw(r, "<unlock><target><running/></target></unlock>")
    elif b"access-denied" not in rep:
        return ("lock: %r" % rep[:300], None)
    got = getcfg(r, '<filter type="subtree"><top xmlns="%s"/></filter>' % B)
    names = set(x.split(b"</name>")[0].decode() for x in got.split(b"<name>")[1:])
    return (locked, names)


def fresh_view():
    r = sessions.session(True)
    v = views(r)
    r.close()
    return v


ALL = set("e%d" % i for i in range(40))


def want(lock_rule, hidden):
    return (lock_rule != "lock", ALL - {hidden})


def form_ok():
    """None when running.nacm is absent or whole (size, magic, checksum); else why not."""
    try:
        with open(FORM, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    if len(data) < HDR.size:
        return "running.nacm of %d bytes: shorter than its header" % len(data)
    f = HDR.unpack_from(data)
    body = data[HDR.size:]
    if f[0] != b"NCNACM01" or f[-2] != len(body) or f[-1] != fnv(body):
        return "running.nacm partial: magic %r, len %d of %d" % (f[0], f[-2], len(body))
    return None


def form_body():
    with open(FORM, "rb") as f:
        data = f.read()
    return HDR.unpack_from(data), data[HDR.size:]


def write_form(fields, body, fix_sum=True):
    fields = list(fields)
    if fix_sum:
        fields[-2], fields[-1] = len(body), fnv(body)
    with open(FORM, "wb") as f:
        f.write(HDR.pack(*fields) + body)


try:
    root = sessions.session(False)
    items = "".join("<item><name>e%d</name><v>%d</v></item>" % (i, i) for i in range(40))
    t.ok(edit(root, '<top xmlns="%s">%s</top>%s' % (B, items, rules("lock", "e3"))),
         "root loads 40 entries and nobody's rules (lock denied, e3 hidden)")
    t.ok(not os.path.exists(FORM), "the writer wrote no running.nacm (its edit paid nothing)")

    # ---- written by a session that read running, read by the next ----
    t.ok(fresh_view() == want("lock", "e3"), "nobody: lock denied, e3 hidden (rules read from running)")
    t.ok(os.path.exists(FORM) and form_ok() is None, "that session left running.nacm, whole", form_ok())
    t.ok(fresh_view() == want("lock", "e3"), "the next session (rules from the form) decides the same")
    fields, body = form_body()
    saved = (fields, body)
    t.ok(b"<rpc-name>lock</rpc-name>" in body and b'xmlns:f="%s"' % B.encode() in body,
         "the form is the nacm container alone, its path prefix declared")
    # the form is what such a session reads: a change in it (checksum made right) shows
    write_form(fields, body.replace(b"<rpc-name>lock<", b"<rpc-name>lick<"))
    t.ok(fresh_view()[0] is True, "a new session takes the rules from the form (no parse of running)")
    write_form(*saved)
    t.ok(fresh_view() == want("lock", "e3"), "the form put back: lock denied again")

    # ---- a change of the rules is seen by the next session, and by an open one ----
    open_s = sessions.session(True)
    t.ok(views(open_s) == want("lock", "e3"), "an open session (rules from the form)")
    t.ok(replace_rules(root, "kill-session", "e5"), "root: edit-config of running changes the rules")
    t.ok(fresh_view() == want("kill-session", "e5"), "a session started right after sees the new rules")
    t.ok(fresh_view() == want("kill-session", "e5"), "and the next one (from the new form)")
    t.ok(views(open_s) == want("kill-session", "e5"), "the open session's next RPC sees them too")
    write_form(*saved)   # the old form, whole, its checksum right, stamped with old running
    t.ok(fresh_view() == want("kill-session", "e5"), "the old form put back is stale: not used")
    t.ok(form_ok() is None and form_body()[0][1:13] != saved[0][1:13],
         "and the session that read running published a current one")
    # through the candidate and a commit
    t.ok(replace_rules(root, "lock", "e7", target="candidate"), "root: new rules in the candidate")
    t.ok(fresh_view() == want("kill-session", "e5"), "not yet committed: not seen")
    t.ok(b"<ok/>" in raw(root, "<commit/>"), "root commits")
    t.ok(fresh_view() == want("lock", "e7"), "a session started right after the commit sees the new rules")
    t.ok(fresh_view() == want("lock", "e7") and views(open_s) == want("lock", "e7"),
         "the next one and the open one too")
    open_s.close()

    # ---- a broken form is not used: the rules are running's (fail closed) ----
    good = form_body()
    lies = good[1].replace(b"<rpc-name>lock<", b"<rpc-name>lack<")
    cases = [
        ("a body changed, checksum not", lambda: write_form(good[0], lies, fix_sum=False)),
        ("truncated", lambda: open(FORM, "wb").write(HDR.pack(*good[0]) + good[1][:len(good[1]) // 2])),
        ("its header only", lambda: open(FORM, "wb").write(HDR.pack(*good[0]))),
        ("another magic", lambda: write_form((b"NCNACM00",) + good[0][1:], lies)),
        ("not a nacm element", lambda: write_form(good[0], b'<nacm xmlns="urn:other"/>')),
        ("not XML", lambda: write_form(good[0], b"<nacm xmlns=")),
        ("empty", lambda: open(FORM, "wb").close()),
        ("missing", lambda: os.unlink(FORM)),
    ]
    for what, spoil in cases:
        spoil()
        v = fresh_view()
        t.ok(v == want("lock", "e7"), "a running.nacm %s: lock still denied, e7 still hidden" % what, v)
        t.ok(form_ok() is None and fresh_view() == want("lock", "e7"),
             "and the next session finds a whole form again (%s)" % what)

    # ---- kill -9 of the publisher during its write ----
    t.ok(replace_rules(root, "lock", "e9", extra=3000), "root: 3000 more rules (a form of some 500 KB)")
    bad = []
    for k in range(8):
        try:
            os.unlink(FORM)
        except FileNotFoundError:
            pass
        r = sessions.session(True)
        # its first RPC reads running: the form is written right after this reply
        rep = getcfg(r, '<filter type="subtree"><top xmlns="%s"/></filter>' % B)
        got = (True, set(x.split(b"</name>")[0].decode() for x in rep.split(b"<name>")[1:]))
        if k % 2 == 0:
            wait_for(lambda: file_started(env.ds, "running.nacm"), 10, step=0)
        else:
            time.sleep([0, 0.001, 0.003, 0.01][k // 2])
        r.proc.send_signal(signal.SIGKILL)
        r.proc.wait(30)
        why = form_ok()
        if got != (True, want("lock", "e9")[1]) or why is not None:
            bad.append("kill %d: %s" % (k, why or "views differ: %r" % (got,)))
            continue
        v = fresh_view()
        if v != want("lock", "e9"):
            bad.append("kill %d: the next session sees %r" % (k, v))
    t.ok(not bad, "a publisher killed at 8 points: no partial running.nacm, sessions decide by running", bad)
    for n in os.listdir(env.ds):
        if n.startswith("running.nacm.tmp"):
            os.unlink(os.path.join(env.ds, n))
    root.close()
finally:
    sessions.kill()
    env.cleanup()
t.done()
