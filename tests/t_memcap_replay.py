#!/usr/bin/python3
"""max-session-memory and a journal record replayed (issue 15): a new
session that reads running with a few journal records replays them
without indexing the big list they name (store/journal.c), so what it
does next needs no more memory after a one-entry edit than before it.

Before, the replay of one record built the list's index (about 85 bytes
an entry, 4 MB at 50,000), and the rewrite after a one-entry edit
peaked at 41.5 MB instead of 36.4 (bench_memory accepted_nacm, over its
37.9 MB goal).

With example-bench and N (20000) entries: BASE, the least cap (to STEP
bytes) under which a new session's edit of another top-level node (it
reads running, list and all) is taken, is found by bisection, the
store's journal empty.  Then one entry's leaf is changed (a journal
record), and the same edit in a new session is taken under BASE + STEP
(the list's index: about 1.7 MB).
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw  # noqa: E402
from memcap import B, N, MemcapEnv, bench_edit, least_cap  # noqa: E402

STEP = 128 << 10
t = TAP()
env = MemcapEnv("memcap-replay")


def entries(gen):
    return "".join("<item><name>item-%06d</name><cfg><alpha>value-alpha-%d-%06d</alpha><beta>value-beta-"
                   "%06d</beta></cfg></item>" % (i, gen, i, i) for i in range(N))


def under(cap, inner, ns=B, top="top"):
    """The reply to edit inner (of top in ns) in a new session under cap."""
    return env.replies_under(cap, bench_edit(inner, ns, top))


def journal():
    p = os.path.join(env.datastore_dir, "running.journal")
    return os.path.getsize(p) if os.path.exists(p) else 0


try:
    t.ok(NcRaw.ok(under(1 << 30, entries(0))), "%d entries stored" % N)
    saved = os.path.join(env.dir, "saved")
    shutil.copytree(env.datastore_dir, saved)
    gen = [0]

    def other(cap):
        """An edit of another top-level node under cap, on the store as saved."""
        gen[0] += 1
        shutil.rmtree(env.datastore_dir)
        shutil.copytree(saved, env.datastore_dir)
        return NcRaw.ok(under(cap, "<x>%d</x>" % gen[0], "urn:example:other", "other"))

    lo, hi = 1 << 20, 256 << 20   # lo refused, hi taken
    t.ok(not other(lo) and other(hi), "an edit of another node is refused under %d bytes and taken under %d" % (lo, hi))
    lo, base = least_cap(other, lo, hi, STEP)
    shutil.rmtree(env.datastore_dir)
    shutil.copytree(saved, env.datastore_dir)
    t.ok(NcRaw.ok(under(1 << 30, "<item><name>item-%06d</name><cfg><beta>one</beta></cfg></item>" % (N // 3))) and journal() > 0,
         "a one-entry edit is a journal record")
    shutil.rmtree(saved)
    shutil.copytree(env.datastore_dir, saved)
    t.ok(other(base + STEP), "after it, the same edit in a new session is taken under BASE (%d) + %d" % (base, STEP))
finally:
    env.cleanup()
t.done()
