#!/usr/bin/python3
"""max-session-memory and a list's kept unique values (issue 15): a
one-entry edit in a new session costs about what an edit that changes
nothing costs, plus a few dozen bytes per entry of the list for the
unique values the check keeps (validate_unique.c), which count toward
the cap; an edit whose check passes the cap answers resource-denied.

Before, the kept values were xmlHash tables of the values' strings and
of "%p" keys: about 14 MB for 50,000 entries, and a one-entry edit in a
new session peaked at 41.7 MB, over the 37.9 MB goal (bench_memory
one_entry).

With example-bench and N (20000) entries: BASE, the least cap (to STEP
bytes) under which a new session's edit that changes nothing (an entry's
beta set to the value it has: the store is read and the edit applied,
nothing is checked) is taken, is found by bisection.  Then, in a new
session under BASE + N * PER_ENTRY (100 bytes): an edit of one entry's
alpha (the unique leaf) is taken, and stored.  The values are two tables
of two words a slot per entry, at most 3/4 and at least 3/8 full (43 to
85 bytes an entry); before, about 170 bytes an entry counted.  Under
BASE + STEP the same edit answers resource-denied (the values kept by
its check pass the cap; before, the check's memory was not looked at)
and the store stays as it was.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw  # noqa: E402
from memcap import N, STEP, MemcapEnv, bench_edit, least_cap  # noqa: E402

PER_ENTRY = 100
t = TAP()
env = MemcapEnv("memcap-unique")


def under(cap, inner):
    """The reply to edit inner in a new session under cap."""
    return env.replies_under(cap, bench_edit(inner))


SAME = "<item><name>item-000100</name><cfg><beta>value-beta-000100</beta></cfg></item>"
ONE = "<item><name>item-000200</name><cfg><alpha>one-entry-%s</alpha></cfg></item>"

try:
    nc = env.session()
    r = nc.rpc(bench_edit("".join("<item><name>item-%06d</name><cfg><alpha>value-alpha-%06d</alpha><beta>"
                                  "value-beta-%06d</beta><gamma>value-gamma-%06d-padding</gamma></cfg></item>"
                                  % (i, i, i, i) for i in range(N))))
    nc.close()
    t.ok(NcRaw.ok(r), "%d entries stored" % N, "errors %r" % NcRaw.errors(r))
    lo, hi = 1 << 20, 256 << 20   # lo refused, hi taken
    t.ok(not NcRaw.ok(under(lo, SAME)) and NcRaw.ok(under(hi, SAME)),
         "an edit changing nothing is refused under %d bytes and taken under %d" % (lo, hi))
    lo, base = least_cap(lambda cap: NcRaw.ok(under(cap, SAME)), lo, hi)
    before = env.running_files()
    r = under(base + STEP, ONE % "refused")
    t.ok(NcRaw.tags(r) == ["resource-denied"] and env.running_files() == before,
         "under BASE + STEP (%d) a one-entry edit answers resource-denied (its check's unique values "
         "pass the cap); the store is as it was" % (base + STEP), "tags %r" % NcRaw.tags(r))
    cap = base + N * PER_ENTRY
    r = under(cap, ONE % "taken")
    t.ok(NcRaw.ok(r), "a one-entry edit of the unique leaf in a new session is taken under BASE (%d) "
         "+ %d bytes per entry" % (base, PER_ENTRY), "errors %r" % NcRaw.errors(r))
    t.eq(env.running_files().count(b"one-entry-taken"), 1, "and stored")
finally:
    env.cleanup()
t.done()
