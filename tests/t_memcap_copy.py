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
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw  # noqa: E402
from memcap import N, STEP, MemcapEnv, bench_edit, least_cap  # noqa: E402

MARGIN = N * 40
COPY = "<copy-config><target><startup/></target><source><running/></source></copy-config>"
t = TAP()
env = MemcapEnv("memcap-copy")


def startup():
    with open(os.path.join(env.datastore_dir, "startup.xml"), "rb") as f:
        return f.read()


def copy_under(cap, first=None):
    """The reply to a copy in a new session under cap (after the edit first)."""
    return env.replies_under(cap, *([first] if first else []), COPY)


try:
    nc = env.session()
    r = nc.rpc(bench_edit("".join("<item><name>item-%06d</name><cfg><alpha>value-alpha-%06d</alpha>"
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
    lo, base = least_cap(lambda cap: NcRaw.ok(copy_under(cap)), lo, hi)
    r = copy_under(lo)
    t.ok(NcRaw.tags(r) == ["resource-denied"] and startup() == before,
         "under %d bytes (BASE %d less up to %d) a copy answers resource-denied: the target's parse "
         "passed the cap; startup stays" % (lo, base, STEP), "tags %r" % NcRaw.tags(r))
    one = bench_edit('<item><name>item-%06d</name><cfg><beta>edited-first</beta></cfg></item>' % (N // 2))
    r = copy_under(base + MARGIN, first=one)
    t.ok(NcRaw.ok(r), "under BASE (%d) + %d bytes, a session that edits one entry (indexing the list) "
         "then copies is taken: the index goes before startup is parsed" % (base, MARGIN),
         "tags %r" % NcRaw.tags(r))
    t.eq(startup().count(b"edited-first"), 1, "startup holds the edit")
finally:
    env.cleanup()
t.done()
