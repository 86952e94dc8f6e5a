#!/usr/bin/python3
"""Free heap goes back before a big message is taken (issue 15).

A copy-config running -> startup is a small request, but it holds a copy
of running until it is written; freed, those pages stay resident (the
heap is fragmented: glibc keeps them).  The next big request's buffer is
a mapping of its own, so it came on top of them: bench_netconf's
re-merge with example-bench peaked at 38.2 MB against a goal of 37.9.
The framer calls malloc_trim as a message's buffer first grows past
1 MB (netconf/framing.c), once per big message; small requests, a <get>
among them, never pay for it (tests/unit/test_framing_trim counts the
calls).

Here, with example-bench and 50,000 entries, in one session with
end-of-message framing: after two copies running -> startup, a 1.5 MB
message that is almost all white space before a small <rpc> (the framer
skips it, so the request parsed and the reply are tiny, and the trim
after a big request, session/rpc.c, does not run).  Only the framer's
trim can then give the copy's pages back: VmRSS after the message is at
least 2 MB under VmRSS before it (about 5 MB is given back; without the
trim it stays where it was).

Under sanitizers the session's blocks come from ASan's allocator, which
malloc_trim does not reach: the test then checks only that the requests
are taken (the mutation run, built without sanitizers, is where the
memory check bites), as t_session_trim does; and loads fewer entries.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from memcap import CONF, NO_CAP, YANG, MemcapEnv, bench_edit  # noqa: E402

COPY = "<copy-config><target><startup/></target><source><running/></source></copy-config>"
PAD = 3 << 19		# 1.5 MB of white space before the <rpc>
DROP = 2.0		# MB VmRSS must fall by
t = TAP()
env = MemcapEnv("trim-message")


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def sanitized():
    with open(NETCONF, "rb") as f:
        return b"__asan_init" in f.read()


def entries(lo, hi):
    return "".join("<item><name>item-%06d</name><cfg><alpha>value-alpha-%06d</alpha>"
                   "<beta>value-beta-%06d</beta></cfg></item>" % (i, i, i) for i in range(lo, hi))


try:
    asan = sanitized()
    n = 10000 if asan else 50000
    env.netconf_conf = CONF % (NO_CAP, YANG)
    env.write_nchome_conf("")
    nc = NcRaw.session(env.netconf_direct(), env.procs, version="1.0", timeout=120)
    r = nc.rpc(bench_edit(entries(0, n)), timeout=120)
    t.ok(NcRaw.ok(r), "%d entries stored" % n, "errors %r" % NcRaw.errors(r))
    t.ok(all(NcRaw.ok(nc.rpc(COPY, timeout=60)) for _ in range(2)), "two copies running -> startup taken")
    pid = nc.proc.pid
    time.sleep(0.2)
    before = rss_mb(pid)
    nc.send_raw(b" " * PAD + nc.rpc_text("<no-such-operation/>").encode() + b"]]>]]>")
    r = nc.reply(timeout=60)
    t.ok(r is not None and any(e.get("error-tag") == "operation-not-supported" for e in NcRaw.errors(r)),
         "a %d-byte message (white space, then an unknown operation) answered operation-not-supported"
         % PAD, "errors %r" % (NcRaw.errors(r) if r is not None else "no reply"))
    time.sleep(0.2)		# the message buffer is unmapped as the next is awaited
    after = rss_mb(pid)
    if asan:
        t.diag("sanitizer build: ASan's allocator holds the session's blocks; VmRSS check not applicable"
               " (before %.1f MB, after %.1f MB)" % (before, after))
    else:
        t.ok(after < before - DROP, "VmRSS after the big message (%.1f MB) at least %.1f MB under VmRSS "
             "before it (%.1f MB): the copies' freed heap went back" % (after, DROP, before))
    r = nc.rpc("<get-config><source><running/></source><filter type=\"subtree\"><top xmlns=\"urn:example:bench\">"
               "<item><name>item-000007</name></item></top></filter></get-config>", timeout=60)
    t.ok("value-alpha-000007" in text(r), "the session still answers (one entry read back)", text(r)[:300])
    nc.close()
finally:
    env.cleanup()
t.done()
