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
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

X = "urn:example:bench"
YANG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "yang")
N = int(os.environ.get("MEMCAP_N", 20000))
STEP = 128 << 10
t = TAP()
CONF = '  max-session-memory = %d\n  yang-dir = "%s"\n  module example-bench {}\n'
env = SshEnv(name="memcap-replay", netconf_conf=CONF % (1 << 30, YANG))
procs = []


def entries(gen):
    return "".join("<item><name>item-%06d</name><cfg><alpha>value-alpha-%d-%06d</alpha><beta>value-beta-"
                   "%06d</beta></cfg></item>" % (i, gen, i, i) for i in range(N))


def under(cap, inner, ns=X, top="top"):
    """The reply to edit inner (of top in ns) in a new session under cap."""
    env.netconf_conf = CONF % (cap, YANG)
    env.write_nchome_conf("")
    nc = NcRaw.session(env.netconf_direct(), procs, timeout=120)
    r = nc.rpc('<edit-config><target><running/></target><config><%s xmlns="%s">%s</%s>'
               "</config></edit-config>" % (top, ns, inner, top))
    nc.kill()   # a session over the cap may refuse even its close-session
    nc.proc.wait()
    return r


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
    while hi - lo > STEP:
        mid = (lo + hi) // 2
        if other(mid):
            hi = mid
        else:
            lo = mid
    base = hi
    shutil.rmtree(env.datastore_dir)
    shutil.copytree(saved, env.datastore_dir)
    t.ok(NcRaw.ok(under(1 << 30, "<item><name>item-%06d</name><cfg><beta>one</beta></cfg></item>" % (N // 3))) and journal() > 0,
         "a one-entry edit is a journal record")
    shutil.rmtree(saved)
    shutil.copytree(env.datastore_dir, saved)
    t.ok(other(base + STEP), "after it, the same edit in a new session is taken under BASE (%d) + %d" % (base, STEP))
finally:
    for p in procs:
        p.kill()
    env.cleanup()
t.done()
