#!/usr/bin/python3
"""RFC 6022 statistics kept in the sessions' registry entries (stats.c):
a session's per-RPC counts live in its own entry, are folded into
sessions/statistics once when it ends, and a reader sums the file and the
unfolded entries under the file's lock.  Checked: counts survive a
session's end (in the file, entry gone); a SIGKILLed session's counts are
counted exactly once, before and after its entry is folded, even when
several sessions find the dead entry at once; a reader that runs while a
fold is half done (file added to, entry not yet removed: the test holds
the lock as a folder would) waits and counts once; an entry left from an
earlier boot is neither summed nor folded.  Over pipes (no sshd)."""
import fcntl
import os
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, wait_for  # noqa: E402
from ncraw import NcRaw  # noqa: E402

NCM = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
GET_STATS = '<get><filter type="subtree"><netconf-state xmlns="%s"><statistics/></netconf-state></filter></get>' % NCM
GETCFG = "<get-config><source><running/></source></get-config>"

t = TAP()
env = SshEnv("stats-fold")
sessions_dir = os.path.join(env.datastore_dir, "sessions")
stats_file = os.path.join(sessions_dir, "statistics")
procs = []


def start():
    nc = NcRaw(env.netconf_direct())
    procs.append(nc.proc)
    nc.hello()
    return nc


def in_rpcs(nc):
    """in-rpcs as nc's <get> sees it (that <get> itself included)."""
    r = nc.rpc(GET_STATS)
    e = r.find(".//{%s}statistics/{%s}in-rpcs" % (NCM, NCM))
    return int(e.text) if e is not None else None


def file_in_rpcs():
    """in-rpcs in the statistics file; 0 before the first session made it
    (it counts in-sessions just after its hello, maybe after ours)."""
    try:
        with open(stats_file) as f:
            m = re.search(r"^in-rpcs (\d+)$", f.read(), re.M)
    except FileNotFoundError:
        return 0
    return int(m.group(1)) if m else 0


def entry_rpcs(sid, want):
    """Waits for entry sid to hold in-rpcs want (written just after each
    reply goes out); the last value seen."""
    deadline = time.monotonic() + 10
    while True:
        with open(os.path.join(sessions_dir, sid)) as f:
            m = re.search(r"^in-rpcs (\d+)$", f.read(), re.M)
        got = int(m.group(1)) if m else None
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.02)


def entries():
    return sorted(n for n in os.listdir(sessions_dir) if n.isdigit())


try:
    # ---- counts survive the session's end ----
    a = start()
    base = file_in_rpcs()
    for _ in range(7):
        a.rpc(GETCFG)
    a_id = str(a.session_id)
    t.eq(entry_rpcs(a_id, 7), 7, "a live session's entry holds its RPCs")
    t.eq(file_in_rpcs(), base, "which are not written to the statistics file after each RPC")
    a.close()
    t.eq(file_in_rpcs(), base + 8, "at its end they are folded into the file (7 + close-session)")
    t.ok(a_id not in entries(), "and its entry is gone")
    b = start()
    t.eq(in_rpcs(b), base + 9, "a reader counts them once (8 + its own <get>)")
    b.close()

    # ---- a SIGKILLed session's counts: kept, exactly once ----
    base = file_in_rpcs()
    k = start()
    for _ in range(5):
        k.rpc(GETCFG)
    k_id = str(k.session_id)
    t.eq(entry_rpcs(k_id, 5), 5, "the session to be killed has its 5 RPCs in its entry")
    k.proc.kill()
    k.proc.wait()
    t.ok(k_id in entries(), "a SIGKILLed session leaves its entry")
    # Three sessions start while the test holds the file as a folder
    # would: each finds the dead entry unlocked and waits to fold it;
    # only the first may.
    fd = os.open(stats_file, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    starters = []
    for _ in range(3):
        th = threading.Thread(target=lambda: starters.append(start()))
        th.start()
        starters.append(th)
    time.sleep(1.0)
    os.close(fd)
    threads = [s for s in starters if isinstance(s, threading.Thread)]
    for th in threads:
        th.join(30)
    late = [s for s in starters if isinstance(s, NcRaw)]
    t.eq(len(late), 3, "three sessions started meanwhile")
    # each sweeps for dead entries right after its hello (issue 18), so
    # the lock's release, not the hello, lets the first of them fold
    t.ok(wait_for(lambda: k_id not in entries(), 15), "the dead entry is removed")
    t.eq(file_in_rpcs(), base + 5, "its 5 RPCs are folded into the file once")
    c = start()
    t.eq(in_rpcs(c), base + 6, "a reader counts the killed session's RPCs once (+ its own <get>)")
    for s in late:
        s.close()
    # + c's second <get> and the three close-sessions
    t.eq(in_rpcs(c), base + 10, "and still once after more sessions ended")

    # ---- a reader during a half-done fold waits and counts once ----
    base = in_rpcs(c)  # c's <get> so far included
    d = start()
    for _ in range(4):
        d.rpc(GETCFG)
    d_id = str(d.session_id)
    entry_rpcs(d_id, 4)
    d.proc.kill()
    d.proc.wait()
    # act as d ending: its entry locked (so the <get>'s session list sees
    # it live and leaves it), the file locked, d's counts added, ...
    d_entry = os.open(os.path.join(sessions_dir, d_id), os.O_RDONLY)
    fcntl.flock(d_entry, fcntl.LOCK_EX)
    fd = os.open(stats_file, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    text = os.pread(fd, 4096, 0).decode()
    n = int(re.search(r"^in-rpcs (\d+)$", text, re.M).group(1))
    new = re.sub(r"^in-rpcs \d+$", "in-rpcs %d" % (n + 4), text, flags=re.M).encode()
    os.pwrite(fd, new, 0)
    os.ftruncate(fd, len(new))
    got = []
    reader = threading.Thread(target=lambda: got.append(in_rpcs(c)))
    reader.start()
    time.sleep(1.0)
    # ... and remove the entry before letting go, as a fold does
    os.unlink(os.path.join(sessions_dir, d_id))
    os.close(fd)
    os.close(d_entry)
    reader.join(30)
    t.eq(got, [base + 4 + 1], "a reader during a fold counts the folded session once")

    # ---- a dead entry of an earlier boot: counted in that boot only ----
    base = in_rpcs(c)
    old = os.path.join(sessions_dir, "99999")
    with open(old, "w") as f:
        f.write("pid 1\nuser x\npeer \nlogin 1\nin-rpcs 1000\nfold-boot an-earlier-boot\n")
    # locked by the test while c reads, so the <get>'s session list does
    # not remove it first: the sum itself must leave it out
    hold = os.open(old, os.O_RDONLY)
    fcntl.flock(hold, fcntl.LOCK_EX)
    t.eq(in_rpcs(c), base + 1, "a reader leaves out an entry of an earlier boot")
    os.close(hold)
    before = file_in_rpcs()
    start().close()
    t.ok(not os.path.exists(old), "the next session removes it")
    t.eq(file_in_rpcs(), before + 1, "without folding its counts into this boot's (+ its close-session)")

    # ---- a torn or malformed entry of this boot is left out of the sum ----
    def fnv1a64(b):
        h = 0xcbf29ce484222325
        for x in b:
            h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        return h

    with open("/proc/sys/kernel/random/boot_id") as f:
        boot = f.read().strip()
    body = ("pid 1\nuser x\npeer \nlogin 1\nin-rpcs 1000\nfold-boot %s\n" % boot).encode()

    def sum_with(text, what):
        base = in_rpcs(c)
        p = os.path.join(sessions_dir, "99998")
        with open(p, "wb") as f:
            f.write(text)
        hold = os.open(p, os.O_RDONLY)
        fcntl.flock(hold, fcntl.LOCK_EX)  # live: the <get> must not fold it
        got = in_rpcs(c) - base
        os.close(hold)
        os.unlink(p)
        return got

    t.eq(sum_with(body + b"check %016x\n" % fnv1a64(body), "whole"), 1000 + 1,
         "an entry whose check matches is summed")
    t.eq(sum_with(body + b"check %016x\n" % (fnv1a64(body) ^ 1), "torn"), 1,
         "an entry whose check never matches (a torn read) is left out")
    t.eq(sum_with(body.replace(b"in-rpcs 1000", b"in-rpcs 1000\nin-bad-rpcs -5"), "bad"), 1,
         "an entry with a malformed counter (-5) is left out")
    # dead and never whole: its session died mid-write, nobody will finish it
    dead = os.path.join(sessions_dir, "99997")
    with open(dead, "wb") as f:
        f.write(body + b"check %016x\n" % (fnv1a64(body) ^ 1))
    before = file_in_rpcs()
    start().close()
    t.ok(not os.path.exists(dead), "a dead entry that never reads whole is removed by the next session")
    t.eq(file_in_rpcs(), before + 1, "... without folding its counts (+ the close-session)")
    c.close()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
    env.cleanup()
t.done()
