#!/usr/bin/python3
"""Fault: a new session starts while the disk holding datastore-dir is full.

Like t_fault_diskfull.py, in a private mount namespace with a small tmpfs
as datastore-dir.  A session registers itself in datastore-dir/sessions/
(its id must be unique on the host); with no space for its entry's text it
must still start, with a unique session-id and a clear log line, work
normally, show in netconf-state, and fill in its entry once space is
freed.  Host-wide statistics (a file rewritten in place) keep counting,
the full session's RPCs too (its empty entry cannot carry them: they go
to the file after each RPC), exactly once also after its entry is written.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, SshEnv, wait_for  # noqa: E402
from ncraw import NcRaw, q  # noqa: E402
from fault_util import fill, in_private_mount_namespace  # noqa: E402

in_private_mount_namespace(TAP(), "new session on a full datastore-dir")

NCM = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
t = TAP()
env = SshEnv("fault-full-sess")
procs = []


def session(log=None, peer="192.0.2.77"):
    e = dict(os.environ, USER="root", SSH_CLIENT="%s 40000 830" % peer)
    p = subprocess.Popen([NETCONF, "-d", "-f", env.conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=log if log is not None else subprocess.DEVNULL, env=e)
    nc = NcRaw(p, timeout=30)
    procs.append(nc)
    return nc


def monitoring(nc):
    r = nc.rpc('<get><filter type="subtree"><netconf-state xmlns="%s"><sessions/><statistics/>'
               '</netconf-state></filter></get>' % NCM)
    sess = {}
    for s in r.iter("{%s}session" % NCM):
        sess[int(s.findtext("{%s}session-id" % NCM))] = (s.findtext("{%s}username" % NCM),
                                                         s.findtext("{%s}source-host" % NCM))
    st = r.find(".//{%s}statistics" % NCM)
    return sess, (None if st is None else int(st.findtext("{%s}in-sessions" % NCM)))


def others_rpcs(nc):
    """Host-wide in-rpcs less nc's own session's, from one <get>."""
    r = nc.rpc('<get><filter type="subtree"><netconf-state xmlns="%s"><sessions/><statistics/>'
               '</netconf-state></filter></get>' % NCM)
    own = [int(s.findtext("{%s}in-rpcs" % NCM)) for s in r.iter("{%s}session" % NCM)
           if int(s.findtext("{%s}session-id" % NCM)) == nc.session_id]
    total = int(r.find(".//{%s}statistics/{%s}in-rpcs" % (NCM, NCM)).text)
    return total - own[0] if own else None


mounted = False
try:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "nchome-full-sess",
                    env.datastore_dir], check=True)
    mounted = True
    first = session(peer="192.0.2.1")
    first.hello("1.1")
    sess, ins0 = monitoring(first)
    t.ok(first.session_id in sess, "a session registers on the tmpfs datastore-dir")

    filler = os.path.join(env.datastore_dir, "filler")
    t.diag("filled the tmpfs with %d bytes" % fill(filler))
    logpath = os.path.join(env.dir, "full-session.log")
    with open(logpath, "w") as log:
        second = session(log=log)
    try:
        second.hello("1.1")
        started = True
    except (EOFError, TimeoutError, ValueError) as e:
        started = False
        t.diag("no hello: %r" % e)
    t.ok(started and second.session_id not in (None, first.session_id),
         "disk full: a new session still starts, with its own session-id (%s)" % second.session_id)
    with open(logpath) as f:
        text = f.read()
    t.ok(re.search(r"session %s: .*full: registered without details" % second.session_id, text),
         "disk full: the log says the session registered without details", text[-800:])
    if started:
        base = others_rpcs(first)
        r = second.rpc("<get-config><source><running/></source></get-config>")
        t.ok(r is not None and r.find(q("data")) is not None, "disk full: the new session answers get-config")
        # counted just after the reply goes out
        wait_for(lambda: others_rpcs(first) == base + 1, timeout=10)
        t.eq(others_rpcs(first), base + 1, "disk full: statistics count the new session's RPC")
        sess, ins1 = monitoring(first)
        t.ok(second.session_id in sess, "disk full: netconf-state lists the new session", sess)
        t.eq(ins1, ins0 + 1, "disk full: statistics still count the new session (in-sessions)")
        r = first.rpc("<kill-session><session-id>%d</session-id></kill-session>" % second.session_id)
        t.eq([e.get("error-tag") for e in NcRaw.errors(r)], ["operation-failed"],
             "disk full: kill-session of a session registered without details says why it cannot")

        os.unlink(filler)
        # Its next RPC refreshes its entry, just after the reply goes out.
        second.rpc("<get-config><source><running/></source></get-config>")
        wait_for(lambda: monitoring(first)[0].get(second.session_id) == ("root", "192.0.2.77"), timeout=10)
        t.eq(monitoring(first)[0].get(second.session_id), ("root", "192.0.2.77"),
             "space freed: the session's entry gets its user and address")
        t.eq(others_rpcs(first), base + 2, "space freed: its RPCs are counted once, not also from its entry")
        r = first.rpc("<kill-session><session-id>%d</session-id></kill-session>" % second.session_id)
        t.ok(NcRaw.ok(r), "space freed: kill-session ends it", NcRaw.errors(r))
    first.close()
finally:
    for p in procs:
        p.kill()
    if mounted:
        subprocess.run(["umount", "-l", env.datastore_dir])
    env.cleanup()
t.done()
