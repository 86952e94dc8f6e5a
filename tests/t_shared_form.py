#!/usr/bin/python3
"""Running's shared form (subsystem/store/shared.c), over pipes (NcRaw).

A session holding no tree of running answers get-config from
datastore-dir/running.shared when it is stamped with running's current
identity; a session whose get-config found none writes it after its reply.
Checked: the form is written by such a session and served to the next
ones (byte-exact with the reply of a session holding the tree); a
changed running (another session's edit, a commit) is never answered
from an old form; a session sees its own edit; another session's
uncommitted candidate change is never seen; a truncated form is not
used; a publisher killed with SIGKILL at any point of its write leaves
no partial running.shared (readers get the old or the new running);
sessions started while another commits see one generation or the next,
never a mix; with-defaults modes other than explicit are not answered
from the form (a YANG module with defaults)."""
import os
import random
import signal
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, TOP, SshEnv, file_started, wait_for  # noqa: E402
from ncraw import Sessions, edit, getcfg, raw  # noqa: E402

B = "urn:shared:b"
HDR = struct.Struct("=8s12QQQ")   # magic, identity words, empty, len
t = TAP()
envs = []
sessions = Sessions(lambda e: e.netconf_direct())


def top(body):
    return '<top xmlns="%s">%s</top>' % (B, body)


def entries(n, gen):
    return "".join('<item><name>i%05d</name><v>g%d &amp; &lt;%d&gt;</v><w xmlns:p="urn:p">p:x</w></item>'
                   % (i, gen, i) for i in range(n))


def traced_child(pid):
    """The process strace (pid) runs: the one to kill, so that strace
    sees it die rather than detach from it alive."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
    except OSError:
        return None
    return int(kids[0]) if kids else None


def form_path(env):
    return os.path.join(env.datastore_dir, "running.shared")


def form_ok(env):
    """None when running.shared is absent or whole (size = header + its len); else why not."""
    try:
        with open(form_path(env), "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    if len(data) < HDR.size:
        return "running.shared of %d bytes: shorter than its header" % len(data)
    fields = HDR.unpack_from(data)
    if fields[0] != b"NCSHARE1" or fields[-1] != len(data) - HDR.size:
        return "running.shared partial: magic %r, len %d, file %d" % (fields[0], fields[-1], len(data))
    return None


env = SshEnv(name="nc-shared")
envs.append(env)
try:
    # ---- the form is written by a reader that parsed, served to the next ones ----
    a = sessions.session(env)
    t.ok(edit(a, top(entries(300, 0))), "300 entries loaded")
    warm = getcfg(a)                        # a holds the tree: today's reply
    t.ok(not os.path.exists(form_path(env)), "the writer wrote no shared form (its edit paid nothing)")
    first = sessions.fresh_get(env)         # parses, then publishes
    t.ok(first == warm, "a new session's first get-config (parsed) is the tree's reply, byte for byte")
    t.ok(os.path.exists(form_path(env)) and form_ok(env) is None,
         "that session left running.shared, whole", form_ok(env))
    second = sessions.fresh_get(env)
    t.ok(second == warm, "the next session's reply (from the form) is byte-exact", (len(second), len(warm)))
    # the form is what such a session serves: a same-length change in it shows
    with open(form_path(env), "r+b") as f:
        data = f.read()
        i = data.index(b"g0 &amp;")
        f.seek(i)
        f.write(b"G")
    t.ok(b"G0 &amp;" in sessions.fresh_get(env), "a new session answers from the form (no parse)")
    with open(form_path(env), "r+b") as f:
        f.seek(i)
        f.write(b"g")
    again = sessions.session(env)
    t.ok(getcfg(again) == warm and getcfg(again) == warm, "a form session's second get-config is the same")

    # ---- a changed running is never answered from the old form ----
    # a session sets up after its hello (the form opened while the client's
    # hello is on its way, store_prepare) and asks only after running changed
    early = sessions.session(env)
    raw(early, "<get-config><source><candidate/></source></get-config>")   # it is past its set-up
    t.ok(edit(a, top('<item><name>i00007</name><v>changed-by-a</v></item>')), "a: one-leaf edit of running")
    late = sessions.session(env)            # sets up while the form is stale
    raw(late, "<get-config><source><candidate/></source></get-config>")
    rep = getcfg(early)
    t.ok(b"changed-by-a" in rep and rep == getcfg(a),
         "a session set up before another's edit answers its first get-config with the edit")
    rep = getcfg(late)
    t.ok(b"changed-by-a" in rep and rep == getcfg(a),
         "a session set up while the form was stale answers running, not the form")
    rep = sessions.fresh_get(env)
    t.ok(b"changed-by-a" in rep, "a new session after another's edit sees it (the form is stale)")
    rep = getcfg(again)
    t.ok(b"changed-by-a" in rep, "a session that answered from the form sees the edit too")
    t.ok(rep == getcfg(a), "and byte-exact with the writer's tree")
    # its own edit
    t.ok(edit(again, top('<item><name>i00008</name><v>mine</v></item>')), "a form session edits running")
    rep = getcfg(again)
    t.ok(b"mine" in rep and b"changed-by-a" in rep, "it sees its own edit")
    t.ok(sessions.fresh_get(env) == rep and sessions.fresh_get(env) == rep,
         "new sessions see it, parsed and then from the form")

    # ---- another session's uncommitted candidate change is never seen ----
    c = sessions.session(env)
    t.ok(edit(c, top('<item><name>i00009</name><v>uncommitted</v></item>'), "candidate"),
         "c: edit of the candidate, not committed")
    r1 = sessions.fresh_get(env)
    r2 = sessions.fresh_get(env)
    t.ok(b"uncommitted" not in r1 and b"uncommitted" not in r2 and r1 == r2 == getcfg(a),
         "new sessions (parsed, then from the form) do not see it")
    t.ok(b"<ok/>" in raw(c, "<commit/>"), "c commits")
    r3 = sessions.fresh_get(env)
    t.ok(b"uncommitted" in r3 and sessions.fresh_get(env) == r3, "after the commit they do")

    # ---- a form not whole is not used ----
    full = sessions.fresh_get(env)
    with open(form_path(env), "rb") as f:
        data = f.read()
    with open(form_path(env), "wb") as f:
        f.write(data[:len(data) // 2])
    t.ok(sessions.fresh_get(env) == full, "a truncated running.shared is not served: the reply is whole")
    t.ok(form_ok(env) is None and sessions.fresh_get(env) == full, "and the next reader wrote a whole one again")
    with open(form_path(env), "wb") as f:
        f.write(data[:HDR.size])
    t.ok(sessions.fresh_get(env) == full, "a running.shared of its header only is not served")

    # ---- kill -9 of the publisher at any point of its write ----
    t.ok(edit(a, top(entries(12000, 1))), "12000 entries (a form of a few MB, a write that takes a while)")
    want = getcfg(a)
    bad = []
    for k in range(8):
        try:
            os.unlink(form_path(env))
        except FileNotFoundError:
            pass
        r = sessions.session(env)
        t0 = time.monotonic()
        got = getcfg(r)          # parsed: the form is written after this reply
        delay = [0, 0.001, 0.003, 0.006, 0.01, 0.02, 0.04, 0.08][k]
        if k % 2 == 0:
            # the moment a file with the form's name appears and grows
            wait_for(lambda: file_started(env.datastore_dir, "running.shared"), 10, step=0)
        else:
            time.sleep(delay)
        r.proc.send_signal(signal.SIGKILL)
        r.proc.wait(30)
        why = form_ok(env)
        if got != want or why is not None:
            bad.append("kill %d: %s" % (k, why or "reply differs"))
            continue
        rep = sessions.fresh_get(env)
        if rep != want:
            bad.append("kill %d: the next session's reply differs (%d vs %d bytes)" % (k, len(rep), len(want)))
    t.ok(not bad, "a publisher killed at 8 points: no partial running.shared, readers get running", bad)

    # The kills above land where the clock puts them: on a busy machine a
    # few MB are written before any of them.  Here the publisher's writes
    # to running.shared itself are each held 20 ms (strace -P): written in
    # place, a kill finds it half-written every time; written to a temp
    # file and renamed, running.shared never has a partial content.
    for n in os.listdir(env.datastore_dir):
        if n.startswith("running.shared"):
            os.unlink(os.path.join(env.datastore_dir, n))
    slow = subprocess.Popen(
        ["strace", "-f", "-qq", "-o", "/dev/null", "-P", form_path(env),
         "-e", "trace=write,writev,pwrite64",
         "-e", "inject=write,writev,pwrite64:delay_enter=20000",
         NETCONF, "-f", env.conf],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=dict(os.environ, USER=os.environ.get("USER", "root")))
    r = sessions.session(None, slow)
    got = getcfg(r)
    # the moment a file of the form's name holds more than its header (the
    # header alone, written first, may still say an empty form)
    wait_for(lambda: any(os.path.getsize(os.path.join(env.datastore_dir, n)) > HDR.size
                         for n in os.listdir(env.datastore_dir)
                         if n.startswith("running.shared")), 20, step=0.001)
    tracee = traced_child(slow.pid)
    if tracee is not None:
        os.kill(tracee, signal.SIGKILL)
    slow.wait(30)
    why = form_ok(env)
    t.ok(got == want and tracee is not None and why is None,
         "a publisher held in its writes and killed: running.shared is whole or absent",
         why or "reply differs or no traced child")
    t.ok(sessions.fresh_get(env) == want, "and the next session's reply is running")
    for n in os.listdir(env.datastore_dir):
        if n.startswith("running.shared.tmp"):
            os.unlink(os.path.join(env.datastore_dir, n))

    # ---- sessions started during commits see one generation or the next ----
    t.ok(edit(a, top('<gen><x>0</x><y>0</y></gen>')), "a pair of leaves that commits change together")
    stop = threading.Event()
    errs = []

    def committer():
        w = sessions.session(env)
        n = 0
        while not stop.is_set():
            n += 1
            if not edit(w, top("<gen><x>%d</x><y>%d</y></gen>" % (n, n)), "candidate") or \
                    b"<ok/>" not in raw(w, "<commit/>"):
                errs.append("commit %d failed" % n)
                return
        w.wait()

    th = threading.Thread(target=committer)
    th.start()
    mixed, seen = [], set()
    try:
        for k in range(12):
            rep = sessions.fresh_get(env).decode()
            x = rep.split("<x>")[1].split("</x>")[0]
            y = rep.split("<y>")[1].split("</y>")[0]
            seen.add(x)
            if x != y:
                mixed.append((x, y))
    finally:
        stop.set()
        th.join(60)
    t.ok(not mixed and not errs, "12 sessions started during commits: never half of one (%d generations seen)"
         % len(seen), mixed or errs)
    a.wait()
    c.wait()
    again.wait()

    # ---- with-defaults: only explicit is the form ----
    NT = "urn:nchome:test"
    WD = "urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults"
    yenv = SshEnv(name="nc-shared-wd", netconf_conf='  yang-dir = "%s"\n  module nchome-test { }\n'
                  % os.path.join(TOP, "tests", "yang"))
    envs.append(yenv)
    y = sessions.session(yenv)
    rep = raw(y, '<edit-config><target><running/></target><config><top xmlns="%s"><rule><name>ra</name></rule>'
              "<pair><id>1</id></pair></top></config></edit-config>" % NT)
    t.ok(rep is not None and b"<ok/>" in rep, "a YANG store with defaults", rep)
    wdp = lambda m: '<with-defaults xmlns="%s">%s</with-defaults>' % (WD, m)
    want = {m: raw(y, "<get-config><source><running/></source>%s</get-config>" % (wdp(m) if m else ""))
            for m in ("", "explicit", "report-all", "trim", "report-all-tagged")}
    t.ok(b"<action>accept</action>" in want["report-all"] and b"<action>" not in want[""],
         "report-all adds the default, explicit does not")
    sessions.fresh_get(yenv)     # parses and writes the form
    t.ok(os.path.exists(form_path(yenv)), "the form is written")
    got = {m: sessions.fresh_get(yenv, wdp(m) if m else "") for m in want}
    t.ok(got == want, "every with-defaults mode of a new session equals the tree's reply",
         [m for m in want if got[m] != want[m]])
    y.wait()
finally:
    sessions.kill()
    for e in envs:
        e.cleanup()
t.done()
