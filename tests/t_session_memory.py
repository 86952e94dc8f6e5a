#!/usr/bin/python3
"""max-session-memory (issue 13): an edit that needs more memory than the
cap answers resource-denied instead of growing the session until the OOM
killer picks a process; the session goes on and the store is unchanged.

Over the real program on pipes, in both builds: the cap counts libxml2's
allocations with malloc_usable_size(), which AddressSanitizer provides
too (RLIMIT_AS cannot be used under ASan, which reserves terabytes).

1. cap 4 MiB: an edit-config of about 3.3 MB of XML (30000 list
   entries; in memory, packed as they stay in the store, about 6 MiB)
   answers resource-denied; running is byte for byte as it was; the same
   session's next small edit, a <lock> and <unlock> work.
2. A quarter of the same entries in pieces that each fit works (the cap is per
   request, not per datastore).
"""
import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

X = "urn:example:memcap"
CAP = int(os.environ.get("MEMCAP", 4 << 20))
t = TAP()
env = SshEnv(name="memcap", netconf_conf="  max-session-memory = %d\n" % CAP)
procs = []


def session():
    return NcRaw.session(env.netconf_direct(), procs, timeout=60)


tags = NcRaw.tags


def edit(nc, inner):
    return nc.rpc('<edit-config><target><running/></target><config><top xmlns="%s">%s</top>'
                  "</config></edit-config>" % (X, inner))


def entries(lo, hi):
    return "".join("<e><k>%d</k><v>%s</v></e>" % (i, "m" * 60) for i in range(lo, hi))


def running_bytes():
    """running's files as digests (a failure prints them, not megabytes)."""
    out = {}
    for name in ("running.xml", "running.journal"):
        p = os.path.join(env.datastore_dir, name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                out[name] = hashlib.sha256(f.read()).hexdigest()[:16]
    return out


N = int(os.environ.get("MEMCAP_N", 30000))
try:
    a = session()
    t.ok(NcRaw.ok(edit(a, "<leaf>small</leaf>")), "a small edit fits under max-session-memory")
    before = running_bytes()
    r = edit(a, entries(0, N))
    t.ok("resource-denied" in tags(r), "an edit that needs more than the cap: resource-denied",
         "errors %r" % NcRaw.errors(r))
    t.eq(running_bytes(), before, "running byte for byte unchanged")
    t.ok(NcRaw.ok(edit(a, "<leaf>next</leaf>")), "the same session's next small edit works")
    t.ok(NcRaw.ok(a.rpc("<lock><target><running/></target></lock>")) and
         NcRaw.ok(a.rpc("<unlock><target><running/></target></unlock>")),
         "and it can lock and unlock running")
    ok = all(NcRaw.ok(edit(a, entries(i, i + N // 16))) for i in range(0, N // 4, N // 16))
    t.ok(ok, "the same entries in pieces that each fit are taken")
    a.close()
finally:
    for p in procs:
        p.kill()
    env.cleanup()
t.done()
