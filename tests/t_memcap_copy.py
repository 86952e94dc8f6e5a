#!/usr/bin/python3
"""max-session-memory and copy-config running -> startup (issue 15): the
parse of the target counts, and a session that indexed running's list
by an edit drops those indexes (and the unique values kept with them)
before startup is parsed, so that its copy needs no more than a new
session's.  A copy whose parse of the target passes the cap answers
resource-denied and writes nothing.

With example-bench and N (20000) entries, startup a copy of running:
BASE, the least cap (to STEP bytes) under which a new session's copy
running -> startup is taken, is found by bisection; under BASE - STEP
the copy answers resource-denied and startup stays.  Then, under BASE + MARGIN
(N * 40 bytes, well under the N * ~170 bytes of the list index and
unique values), a new session edits one entry (the list gets its
index) and copies running -> startup: taken, and startup holds the
edit.  Kept, the index would pass the cap."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

B = "urn:example:bench"
N = int(os.environ.get("MEMCAP_N", 20000))
STEP = 64 << 10
MARGIN = N * 40
YANG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "yang")
COPY = "<copy-config><target><startup/></target><source><running/></source></copy-config>"
CONF = '  max-session-memory = %d\n  yang-dir = "%s"\n  module example-bench {}\n'
t = TAP()
env = SshEnv(name="memcap-copy", netconf_conf=CONF % (1 << 30, YANG))
procs = []


def session(cap):
    env.netconf_conf = CONF % (cap, YANG)
    env.write_nchome_conf("")
    return NcRaw.session(env.netconf_direct(), procs, timeout=120)


def startup():
    with open(os.path.join(env.datastore_dir, "startup.xml"), "rb") as f:
        return f.read()


def copy_under(cap, first=None):
    """The reply to a copy in a new session under cap (after the edit first)."""
    nc = session(cap)
    r = nc.rpc(first) if first else None
    if first and not NcRaw.ok(r):
        nc.kill()
        return r
    r = nc.rpc(COPY)
    nc.kill()   # a session over the cap may refuse even its close-session
    nc.proc.wait()
    return r


try:
    nc = session(1 << 30)
    r = nc.rpc('<edit-config><target><running/></target><config><top xmlns="%s">%s</top></config>'
               '</edit-config>' % (B, "".join("<item><name>item-%06d</name><cfg><alpha>value-alpha-%06d</alpha>"
                                              "<beta>value-beta-%06d</beta></cfg></item>" % (i, i, i)
                                              for i in range(N))))
    t.ok(NcRaw.ok(r), "%d entries stored" % N, "errors %r" % NcRaw.errors(r))
    t.ok(NcRaw.ok(nc.rpc(COPY)), "startup: a copy of running")
    nc.close()
    before = startup()
    lo, hi = 1 << 20, 256 << 20   # lo refused, hi taken
    r = copy_under(lo)
    t.ok(not NcRaw.ok(r) and startup() == before, "under %d bytes a copy is refused; startup stays" % lo,
         "tags %r" % NcRaw.tags(r))
    t.ok(NcRaw.ok(copy_under(hi)), "under %d bytes it is taken" % hi)
    while hi - lo > STEP:
        mid = (lo + hi) // 2
        if NcRaw.ok(copy_under(mid)):
            hi = mid
        else:
            lo = mid
    base = hi
    r = copy_under(lo)
    t.ok(NcRaw.tags(r) == ["resource-denied"] and startup() == before,
         "under %d bytes (BASE %d less up to %d) a copy answers resource-denied: the target's parse "
         "passed the cap; startup stays" % (lo, base, STEP), "tags %r" % NcRaw.tags(r))
    one = ('<edit-config><target><running/></target><config><top xmlns="%s"><item><name>item-%06d</name>'
           '<cfg><beta>edited-first</beta></cfg></item></top></config></edit-config>' % (B, N // 2))
    r = copy_under(base + MARGIN, first=one)
    t.ok(NcRaw.ok(r), "under BASE (%d) + %d bytes, a session that edits one entry (indexing the list) "
         "then copies is taken: the index goes before startup is parsed" % (base, MARGIN),
         "tags %r" % NcRaw.tags(r))
    t.eq(startup().count(b"edited-first"), 1, "startup holds the edit")
finally:
    for p in procs:
        p.kill()
    env.cleanup()
t.done()
