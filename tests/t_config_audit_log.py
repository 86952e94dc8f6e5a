#!/usr/bin/python3
"""The audit line of every kept change of running or startup
(nchome-netconf(8) LOGGING; ops/config_audit.c): one LOG_NOTICE line,
"session N: user U changed DS (OPERATION, K edits)", for edit-config,
commit (the plain one, whose edits are not counted, a confirmed and a
confirming one), the rollbacks of cancel-commit and of a session's end,
copy-config and delete-config.
A failed edit-config, one that changes nothing and one of the candidate
log none.  The data never appears in the log (a configuration may hold
secrets).

The session runs with -d, so that its log is on its standard error,
which this test reads after each reply (the line is written before)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

EX = "urn:example:audit"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
SECRET = "s3cret-audit-value"
t = TAP()
env = SshEnv(name="nc-audit")
errlog = os.path.join(env.dir, "session.log")
with open(errlog, "w") as ef:
    p = subprocess.Popen([NETCONF, "-d", "-f", env.conf], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=ef, env=dict(os.environ, USER="root"))
r = NcRaw(p)
seen = 0


def new_lines():
    """The audit lines logged since the last call."""
    global seen
    with open(errlog) as f:
        text = f.read()
    lines = [ln for ln in text.splitlines()[seen:]]
    seen += len(lines)
    return [ln for ln in lines if " changed " in ln]


def rpc(inner):
    return r.rpc(inner)


def edit(target, config):
    return r.edit_config(target, config)


try:
    r.hello()
    sid = r.session_id
    who = "nchome-netconf: session %d: user root changed " % sid
    new_lines()

    rep = edit("running", '<a xmlns="%s">%s</a><b xmlns="%s">1</b>' % (EX, SECRET, EX))
    t.ok(NcRaw.ok(rep), "edit-config of running", rep)
    t.eq(new_lines(), [who + "running (edit-config, 2 edits)"],
         "edit-config of running: one line, with session, user and the number of edits")

    rep = edit("running", '<b xmlns="%s" xmlns:nc="%s" nc:operation="create">2</b>' % (EX, NC))
    t.ok(not NcRaw.ok(rep) and "data-exists" in NcRaw.tags(rep), "a failed edit-config", rep)
    t.eq(new_lines(), [], "a failed edit-config logs nothing")

    rep = edit("running", '<b xmlns="%s">1</b>' % EX)
    t.ok(NcRaw.ok(rep), "an edit-config that changes nothing", rep)
    t.eq(new_lines(), [], "an edit-config that changes nothing logs nothing")

    rep = edit("candidate", '<b xmlns="%s">3</b>' % EX)
    t.ok(NcRaw.ok(rep), "edit-config of the candidate", rep)
    t.eq(new_lines(), [], "a change of the candidate logs nothing")
    rep = rpc("<commit/>")
    t.ok(NcRaw.ok(rep), "commit", rep)
    t.eq(new_lines(), [who + "running (commit)"],
         "a plain commit (the fast path: its edits not counted)")

    edit("candidate", '<b xmlns="%s">4</b>' % EX)
    rep = rpc("<commit><confirmed/><confirm-timeout>120</confirm-timeout></commit>")
    t.ok(NcRaw.ok(rep), "confirmed commit", rep)
    t.eq(new_lines(), [who + "running (confirmed commit, 1 edit)"], "a confirmed commit")
    edit("candidate", '<c xmlns="%s">5</c>' % EX)
    rep = rpc("<commit/>")
    t.ok(NcRaw.ok(rep), "confirming commit", rep)
    t.eq(new_lines(), [who + "running (confirming commit, 1 edit)"], "a confirming commit")

    edit("candidate", '<b xmlns="%s">6</b>' % EX)
    rpc("<commit><confirmed/><confirm-timeout>120</confirm-timeout></commit>")
    t.eq(new_lines(), [who + "running (confirmed commit, 1 edit)"], "another confirmed commit")
    rep = rpc("<cancel-commit/>")
    t.ok(NcRaw.ok(rep), "cancel-commit", rep)
    t.eq(new_lines(), [who + "running (cancel-commit, 1 edit)"],
         "cancel-commit: the rollback of running")

    rep = rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    t.ok(NcRaw.ok(rep), "copy-config running to startup", rep)
    t.eq(new_lines(), [who + "startup (copy-config, 3 edits)"], "copy-config to startup")
    rep = rpc('<copy-config><target><running/></target><source><config><a xmlns="%s">%s</a>'
              '</config></source></copy-config>' % (EX, SECRET))
    t.ok(NcRaw.ok(rep), "copy-config of a <config> to running", rep)
    t.eq(new_lines(), [who + "running (copy-config, 2 edits)"], "copy-config to running")
    rep = rpc("<delete-config><target><startup/></target></delete-config>")
    t.ok(NcRaw.ok(rep), "delete-config of startup", rep)
    t.eq(new_lines(), [who + "startup (delete-config, 3 edits)"], "delete-config of startup")

    # a confirmed commit without persist: the session's end rolls it back
    edit("candidate", '<b xmlns="%s">7</b>' % EX)
    rpc("<commit><confirmed/><confirm-timeout>120</confirm-timeout></commit>")
    new_lines()
    rep = rpc("<close-session/>")
    t.ok(NcRaw.ok(rep), "close-session", rep)
    p.wait(timeout=30)
    t.eq(new_lines(), [who + "running (confirmed commit rolled back: session end, 1 edit)"],
         "the rollback at the session's end")

    with open(errlog) as f:
        text = f.read()
    t.ok(SECRET not in text, "the data never appears in the log")
    t.eq(len(re.findall(r"changed (running|startup)", text)), 11, "11 changes, 11 lines")
finally:
    p.kill()
    p.wait()
    env.cleanup()
t.done()
