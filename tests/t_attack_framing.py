#!/usr/bin/python3
"""Crafted framing against the parser that spends the framer's buffer.

rpc_parse_message (session/rpc.c) parses a request straight from the
framer's message buffer and gives back its whole pages as the parser
reads them (netconf/message.c nc_parse_spending; on Linux they read as
zeros afterwards).  A peer controls where its messages start and end in
that buffer, so here it sends, over 1.0 (end-of-message) and 1.1
(chunked) framing:

- edit-configs whose size is just under, at and over the 256 kB spend
  step and the 1 MB buffer the framer keeps (msg_reset), each replacing
  the whole of a list, followed by a smaller one in the same write (the
  reused, partly spent buffer) and a get-config: every reply comes in
  order with its message-id, and running holds exactly the last edit;
- a big message after 5000 bytes of whitespace (the message does not
  start at the buffer's start), and one cut into odd-sized chunks;
- a big message that is malformed half way, and one whose DOCTYPE comes
  after 300 kB of comment, then a good request in the same write: the
  error names no file content, the next reply is right;
- a spent message followed by one whose first bytes shared its last
  page.
"""
import hashlib
import os
import sys
import threading
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw, NS  # noqa: E402

X = "urn:attack:framing"
STEP = 256 * 1024
t = TAP()
env = SshEnv("t-attack-framing")
procs = []


def items_of(n, tag, pad):
    """n list entries whose desc is pad bytes long, all named by tag."""
    return "".join("<item><name>%s-%d</name><desc>%s</desc></item>" % (tag, i, (tag[0] * pad)[:pad])
                   for i in range(n))


def edit_text(nc, mid, tag, size):
    """An edit-config replacing /top with entries, the whole <rpc> size bytes long."""
    head = ('<rpc xmlns="%s" message-id="%s"><edit-config><target><running/></target><config>'
            '<top xmlns="%s" xmlns:nc="%s" nc:operation="replace">' % (NS, mid, X, NS))
    tail = "</top></config></edit-config></rpc>"
    one = len(items_of(1, tag, 100))
    n = max(1, (size - len(head) - len(tail)) // one)
    body = items_of(n, tag, 100)
    short = size - len(head) - len(tail) - len(body)
    if short > 0:		# make the size exact with one more entry of the right length
        extra = "<item><name>%s-x</name><desc></desc></item>" % tag
        body += extra.replace("<desc>", "<desc>" + "z" * max(0, short - len(extra)))
    text = head + body + tail
    return text, digest_of(text)


def digest_of(text):
    root = ET.fromstring(text)
    pairs = sorted((i.findtext("{%s}name" % X), i.findtext("{%s}desc" % X) or "")
                   for i in root.iter("{%s}item" % X))
    return len(pairs), hashlib.sha256(repr(pairs).encode()).hexdigest()


def frame(nc, text):
    data = text.encode()
    if nc.chunked:
        return b"\n#%d\n" % len(data) + data + b"\n##\n"
    return data + b"]]>]]>"


def send(nc, data):
    """Writes data from a thread: the server's replies may fill the pipe first."""
    th = threading.Thread(target=nc.send_raw, args=(data,))
    th.start()
    return th


def replies(nc, n, th):
    out = []
    for _ in range(n):
        try:
            m = nc.read_msg(timeout=120)
        except TimeoutError:
            m = None
        out.append(ET.fromstring(m) if m else None)
    th.join()
    return out


def running(nc, mid):
    return '<rpc xmlns="%s" message-id="%s"><get-config><source><running/></source><filter type="subtree">' \
           '<top xmlns="%s"/></filter></get-config></rpc>' % (NS, mid, X)


def held(reply):
    data = reply.find("{%s}data" % NS) if reply is not None else None
    if data is None:
        return None
    pairs = sorted((i.findtext("{%s}name" % X), i.findtext("{%s}desc" % X) or "")
                   for i in data.iter("{%s}item" % X))
    return len(pairs), hashlib.sha256(repr(pairs).encode()).hexdigest()


def mid_ok(reply, mid):
    return reply is not None and reply.get("message-id") == mid


def session(version):
    nc = NcRaw(env.netconf_direct(), timeout=120.0)
    procs.append(nc)
    nc.hello(version)
    return nc


try:
    sizes = [STEP - 1, STEP, STEP + 4097, 2 * STEP + 1, 4 * STEP - 1, 4 * STEP, 4 * STEP + 7, 3 * STEP]
    for version in ("1.0", "1.1"):
        nc = session(version)
        for k, size in enumerate(sizes):
            big, _ = edit_text(nc, "b%d" % k, "big%d" % k, size)
            small, want = edit_text(nc, "s%d" % k, "sm%d" % k, 3000 + 977 * k)
            data = frame(nc, big) + frame(nc, small) + frame(nc, running(nc, "g%d" % k))
            r = replies(nc, 3, send(nc, data))
            t.ok(mid_ok(r[0], "b%d" % k) and NcRaw.ok(r[0]) and mid_ok(r[1], "s%d" % k) and NcRaw.ok(r[1]),
                 "%s: an edit of %d bytes, then a smaller one in the same write: both <ok/>, in order"
                 % (version, size), [NcRaw.errors(x) for x in r[:2]])
            t.ok(mid_ok(r[2], "g%d" % k) and held(r[2]) == want,
                 "%s: running holds exactly the smaller edit after the %d-byte one" % (version, size),
                 (held(r[2]), want))
            # the big one alone, then read back: nothing of it lost or zeroed
            r = replies(nc, 2, send(nc, frame(nc, big) + frame(nc, running(nc, "h%d" % k))))
            t.ok(NcRaw.ok(r[0]) and held(r[1]) == digest_of(big),
                 "%s: the %d-byte edit alone: running holds all of it" % (version, size), held(r[1]))

        # a message that does not start at the buffer's start
        big, want = edit_text(nc, "w", "ws", 3 * STEP + 123)
        if nc.chunked:
            data = b"\n#5000\n" + b" " * 5000 + b"\n#%d\n" % len(big) + big.encode() + b"\n##\n"
        else:
            data = b" \n" * 2500 + big.encode() + b"]]>]]>"
        r = replies(nc, 2, send(nc, data + frame(nc, running(nc, "wg"))))
        t.ok(mid_ok(r[0], "w") and NcRaw.ok(r[0]) and held(r[1]) == want,
             "%s: a big edit after 5000 bytes of whitespace is whole" % version, held(r[1]))
        if nc.chunked:
            big, want = edit_text(nc, "c", "chunks", 5 * STEP + 11)
            raw = big.encode()
            parts, at, n = [], 0, 1
            while at < len(raw):
                step = (4093, 1, 65537, 4096, 300001)[n % 5]
                parts.append(b"\n#%d\n" % len(raw[at:at + step]) + raw[at:at + step])
                at += step
                n += 1
            r = replies(nc, 2, send(nc, b"".join(parts) + b"\n##\n" + frame(nc, running(nc, "cg"))))
            t.ok(mid_ok(r[0], "c") and NcRaw.ok(r[0]) and held(r[1]) == want,
                 "1.1: a big edit in %d odd-sized chunks is whole" % len(parts), held(r[1]))

        # malformed half way, then a good request in the same write
        keep = held(replies(nc, 1, send(nc, frame(nc, running(nc, "k"))))[0])
        big, _ = edit_text(nc, "m", "mal", 3 * STEP)
        half = len(big) // 2
        bad = big[:half] + "<broken></mismatch>" + big[half:]
        r = replies(nc, 2, send(nc, frame(nc, bad) + frame(nc, running(nc, "mg"))))
        t.ok(r[0] is not None and NcRaw.tags(r[0]) in (["malformed-message"], ["operation-failed"]),
             "%s: a big message malformed half way is refused" % version, NcRaw.errors(r[0]))
        t.ok(mid_ok(r[1], "mg") and held(r[1]) == keep,
             "%s: the next request in the same write is answered, running unchanged" % version, held(r[1]))
        # a DOCTYPE after 300 kB of comment, then after a whole big <rpc>
        dt = '<!DOCTYPE rpc [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        late = ('<?xml version="1.0"?><!--%s-->%s<rpc xmlns="%s" message-id="d"><get-config><source>'
                '<running/></source><filter type="subtree"><top xmlns="%s"><item><name>&e;</name></item>'
                '</top></filter></get-config></rpc>' % ("c" * (300 * 1024), dt, NS, X))
        after = big + dt
        r = replies(nc, 3, send(nc, frame(nc, late) + frame(nc, after) + frame(nc, running(nc, "dg"))))
        for x, what in ((r[0], "after 300 kB of comment"), (r[1], "after a big <rpc>")):
            text = ET.tostring(x, encoding="unicode") if x is not None else "(none)"
            t.ok(x is not None and NcRaw.errors(x) and not NcRaw.ok(x) and "root:" not in text,
                 "%s: a DOCTYPE %s is refused, nothing of the file read" % (version, what), text[-300:])
        t.ok(mid_ok(r[2], "dg") and held(r[2]) == keep,
             "%s: the request after them is answered, running unchanged" % version, held(r[2]))

        # a spent message followed by one whose first bytes share its last page
        big, _ = edit_text(nc, "p", "page", 2 * STEP + 4096 - 6)
        small, want = edit_text(nc, "q", "tail", 2000)
        r = replies(nc, 3, send(nc, frame(nc, big) + frame(nc, small) + frame(nc, running(nc, "pg"))))
        t.ok(NcRaw.ok(r[0]) and NcRaw.ok(r[1]) and held(r[2]) == want,
             "%s: a message starting in the last page of a spent one is whole" % version, held(r[2]))
        t.eq(nc.close(), 0, "%s: the session ends with status 0" % version)
finally:
    for p in procs:
        if p.proc.poll() is None:
            p.kill()
    env.cleanup()
t.done()
