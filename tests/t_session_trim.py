#!/usr/bin/python3
"""A session gives back what its set-up read and freed (subsystem/main.c,
malloc_trim once the session has been quiet for 50 ms, out of the way of
its first request): the module files, scanned for the hello, were read
into heap buffers and freed; without the trim their pages stayed resident
under the blocks that reused them (ten resident heap pages, about 40 kB
of each session's own memory; ten sessions' ten times).  The framer's
input buffer is allocated before the scan, so it does not keep them.

Checked over pipes, after the hellos and one get-config, within 5 s of
quiet: no more than two resident pages of the session's heap (a freed
buffer's first and last pages may share live blocks) hold text of
iana-if-type.yang, the largest module read at set-up (34 kB: seven such
pages without the trim).  The pages are read through /proc/PID/pagemap
and /proc/PID/mem.

Under sanitizers the session's blocks come from ASan's allocator, not
glibc's heap, and malloc_trim has nothing to give back: the test then
checks only that the session answers (the mutation run, built without
sanitizers, is where the heap check bites)."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, SshEnv, wait_for  # noqa: E402
from ncraw import NcRaw  # noqa: E402

MARK = b"iana-interface-type"	# in nearly every statement of iana-if-type.yang
PAGE = os.sysconf("SC_PAGE_SIZE")
t = TAP()
env = SshEnv("t-session-trim")


def heap_pages(pid):
    """The contents of every resident page of pid's [heap]."""
    lo = hi = 0
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            if line.rstrip().endswith("[heap]"):
                lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
    out = []
    if hi <= lo:
        return out
    with open("/proc/%d/pagemap" % pid, "rb") as pm, open("/proc/%d/mem" % pid, "rb") as mem:
        pm.seek(lo // PAGE * 8)
        for i, (v,) in enumerate(struct.iter_unpack("Q", pm.read((hi - lo) // PAGE * 8))):
            if v >> 63 & 1:
                mem.seek(lo + i * PAGE)
                out.append(mem.read(PAGE))
    return out


try:
    with open(NETCONF, "rb") as f:
        sanitized = b"__asan_init" in f.read()
    proc = env.netconf_direct()
    r = NcRaw(proc, timeout=60.0)
    r.hello()
    r.send_msg(r.rpc_text("<get-config><source><running/></source></get-config>"))
    reply = r.read_msg()
    t.ok(b"<data" in reply and b"rpc-error" not in reply, "the session answers get-config after the trim",
         reply[:300])
    if sanitized:
        t.diag("sanitizer build: ASan's allocator holds the session's blocks; heap check not applicable")
    else:
        # the trim waits for 50 ms of quiet
        wait_for(lambda: sum(1 for p in heap_pages(proc.pid) if MARK in p) <= 2, 5)
        pages = heap_pages(proc.pid)
        held = sum(1 for p in pages if MARK in p)
        t.ok(len(pages) > 0, "the session's heap is readable (%d resident pages)" % len(pages))
        t.ok(held <= 2, "set-up's freed module text is not resident: %d heap pages hold iana-if-type.yang "
             "text (at most 2)" % held)
    r.send_msg(r.rpc_text("<close-session/>"))
    r.read_msg()
    r.wait()
finally:
    env.cleanup()
t.done()
