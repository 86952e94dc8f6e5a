#!/usr/bin/python3
"""nchome-netconf protocol layer: hello, both framings, the <rpc> envelope,
close-session, locks across sessions, kill-session; over pipes and over a
real sshd."""
import os
import signal
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled  # noqa: E402
from ncraw import NS, BASE10, BASE11, NcRaw  # noqa: E402

t = TAP()
env = SshEnv(name="nc-proto")
procs = []


def session(version="1.1", **kw):
    return NcRaw.session(env.netconf_direct(**kw), procs, version)


tags = NcRaw.tags


LOCK = "<lock><target><%s/></target></lock>"
UNLOCK = "<unlock><target><%s/></target></unlock>"

try:
    # ---- hello ----
    a = session()
    want = [BASE10, BASE11,
            "urn:ietf:params:netconf:capability:writable-running:1.0",
            "urn:ietf:params:netconf:capability:candidate:1.0",
            "urn:ietf:params:netconf:capability:confirmed-commit:1.1",
            "urn:ietf:params:netconf:capability:validate:1.1",
            "urn:ietf:params:netconf:capability:startup:1.0",
            "urn:ietf:params:netconf:capability:rollback-on-error:1.0",
            "urn:ietf:params:netconf:capability:xpath:1.0",
            "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"]
    t.ok(all(c in a.server_caps for c in want), "server hello has every capability",
         a.server_caps)
    t.ok(a.session_id is not None and a.session_id > 0, "server hello has a session-id")
    others = [session() for _ in range(4)]
    ids = [a.session_id] + [o.session_id for o in others]
    t.eq(len(set(ids)), 5, "session-ids unique across 5 concurrent sessions")
    for o in others:
        o.close()
    # started all at once: registration races on next-id
    burst = [NcRaw(env.netconf_direct()) for _ in range(12)]
    procs.extend(burst)
    for o in burst:
        o.hello()
    bids = [o.session_id for o in burst]
    t.ok(len(set(bids)) == 12 and a.session_id not in bids,
         "session-ids unique across 12 sessions started at once", bids)
    for o in burst:
        o.close()
    live = sorted(int(n) for n in os.listdir(os.path.join(env.datastore_dir, "sessions")) if n.isdigit())
    t.eq(live, [a.session_id], "registry holds only the live session after others closed")

    # ---- envelope, base:1.1 ----
    r = a.rpc("<lock><target><running/></target></lock>", message_id="m-1",
              attrs=' xmlns:ex="urn:example:x" ex:user-id="fred" other="a&amp;&lt;b&quot;"')
    t.ok(NcRaw.ok(r), "lock over chunked framing", ET.tostring(r) if r is not None else None)
    t.eq(r.get("message-id"), "m-1", "message-id echoed")
    t.eq(r.get("{urn:example:x}user-id"), "fred", "namespaced attribute echoed with its namespace")
    t.eq(r.get("other"), 'a&<b"', "attribute value with special characters echoed exactly")
    r = a.rpc(UNLOCK % "running")
    t.ok(NcRaw.ok(r), "unlock")

    a.send_msg('<rpc xmlns="%s"><lock><target><running/></target></lock></rpc>' % NS)
    r = a.reply()
    errs = NcRaw.errors(r)
    t.ok(len(errs) == 1 and errs[0].get("error-tag") == "missing-attribute" and
         errs[0].get("error-type") == "rpc" and
         errs[0].get("error-info", {}).get("bad-attribute") == "message-id" and
         errs[0].get("error-info", {}).get("bad-element") == "rpc",
         "missing message-id -> missing-attribute with bad-attribute/bad-element", errs)
    t.eq(lock_state := os.path.getsize(os.path.join(env.datastore_dir, "running.lock")), 0,
         "rpc without message-id was not executed")

    r = a.rpc("<frobnicate/>")
    t.eq(tags(r), ["operation-not-supported"], "unknown operation -> operation-not-supported")
    r = a.rpc('<frob xmlns="urn:example:nothing"/>')
    e = NcRaw.errors(r)
    t.ok(tags(r) == ["unknown-namespace"] and
         e[0].get("error-info", {}).get("bad-namespace") == "urn:example:nothing",
         "operation in a foreign namespace -> unknown-namespace", e)
    a.send_msg('<rpc xmlns="urn:example:wrong" message-id="7"><get/></rpc>')
    r = a.reply()
    t.eq(tags(r), ["malformed-message"], "<rpc> in the wrong namespace -> malformed-message")
    a.send_msg('<rpc xmlns="%s" message-id="8"><get>' % NS)
    r = a.reply()
    t.ok(tags(r) == ["malformed-message"] and r.get("message-id") is None,
         "bad XML -> malformed-message without message-id")
    a.send_msg('<rpc xmlns="%s" message-id="9"/>' % NS)
    t.eq(tags(a.reply()), ["missing-element"], "<rpc> without operation -> missing-element")

    # several RPCs in one write, one RPC over many writes
    blob = b"".join(b"\n#%d\n%s\n##\n" % (len(m), m) for m in
                    [a.rpc_text(LOCK % "startup", "s1").encode(),
                     a.rpc_text(UNLOCK % "startup", "s2").encode(),
                     a.rpc_text("<bogus/>", "s3").encode()])
    a.send_raw(blob)
    rs = [a.reply() for _ in range(3)]
    t.ok([x.get("message-id") for x in rs] == ["s1", "s2", "s3"] and NcRaw.ok(rs[0]) and
         NcRaw.ok(rs[1]) and tags(rs[2]) == ["operation-not-supported"],
         "three RPCs in one write: three replies in order")
    msg = a.rpc_text(LOCK % "startup", "slow").encode()
    framed = b"\n#%d\n" % 10 + msg[:10] + b"\n#%d\n" % (len(msg) - 10) + msg[10:] + b"\n##\n"
    for i in range(len(framed)):
        a.send_raw(framed[i:i + 1])
    r = a.reply()
    t.ok(r.get("message-id") == "slow" and NcRaw.ok(r), "one RPC sent byte by byte in two chunks")
    a.rpc(UNLOCK % "startup")
    m = ("  \n<?xml version='1.0' encoding='UTF-8'?>\n" + a.rpc_text(LOCK % "startup", "ws")).encode()
    a.send_raw(b"\r\n \t\n" + b"\n#%d\n" % len(m) + m + b"\n##\n\n\n")
    r = a.reply()
    t.ok(NcRaw.ok(r) and r.get("message-id") == "ws",
         "whitespace between chunked messages and before the XML declaration", r)
    a.rpc(UNLOCK % "startup")

    # ---- base:1.0 end-of-message framing ----
    b = session("1.0")
    t.ok(not b.chunked, "client with only base:1.0 stays in EOM framing")
    r = b.rpc(LOCK % "candidate", message_id="e1")
    t.ok(NcRaw.ok(r) and r.get("message-id") == "e1", "lock over EOM framing")
    b.send_raw(b"".join(b.rpc_text(UNLOCK % "candidate", "e%d" % i).encode() + b"]]>]]>\n"
                        for i in (2, 3)))
    r2, r3 = b.reply(), b.reply()
    t.ok(NcRaw.ok(r2) and tags(r3) == ["operation-failed"],
         "two EOM RPCs in one write (unlock, then unlock of unheld -> operation-failed)")
    b.send_msg("<rpc xmlns='%s' message-id='x'><get>" % NS)
    t.eq(tags(b.reply()), ["operation-failed"],
         "bad XML on a base:1.0 session -> operation-failed (malformed-message is 1.1 only)")
    t.eq(b.close(), 0, "close-session over EOM: ok and exit status 0")
    b = session("1.0")
    b.send_msg('<rpc xmlns="urn:example:wrong" message-id="w"><get/></rpc>')
    t.eq(tags(b.reply()), ["operation-failed"],
         "<rpc> in the wrong namespace on a base:1.0 session -> operation-failed")
    b.send_msg('<nc:rpc xmlns:nc="%s" message-id="p1"><nc:lock><nc:target><nc:startup/></nc:target>'
               '</nc:lock></nc:rpc>' % NS)
    r = b.reply()
    t.ok(NcRaw.ok(r) and r.get("message-id") == "p1", "<rpc> with a prefix for the base namespace", r)
    t.eq(b.close(), 0, "base:1.0 session with a prefixed lock closes")

    # ---- pipelining around the hello and close-session ----
    for version, caps in (("1.1", [BASE10, BASE11]), ("1.0", [BASE10])):
        h = NcRaw(env.netconf_direct())
        procs.append(h)
        h.read_msg()
        first = h.rpc_text(LOCK % "startup", "first").encode()
        hello = ('<hello xmlns="%s"><capabilities>%s</capabilities></hello>]]>]]>' %
                 (NS, "".join("<capability>%s</capability>" % c for c in caps))).encode()
        h.chunked = version == "1.1"
        h.send_raw(hello + (b"\n#%d\n%s\n##\n" % (len(first), first) if h.chunked else first + b"]]>]]>"))
        r = h.reply()
        t.ok(NcRaw.ok(r) and r.get("message-id") == "first",
             "base:%s hello and the first RPC in one write: the RPC is answered in the negotiated framing" % version, r)
        t.eq(h.close(), 0, "base:%s pipelined session closes" % version)
    h = session()
    late = ('<edit-config><target><running/></target><config><after-close xmlns="urn:example:x">1'
            '</after-close></config></edit-config>')
    h.send_raw(b"".join(b"\n#%d\n%s\n##\n" % (len(m), m) for m in
                        [h.rpc_text("<close-session/>", "bye").encode(), h.rpc_text(late, "late").encode()]))
    r = h.reply()
    t.ok(NcRaw.ok(r) and r.get("message-id") == "bye", "close-session with an edit-config behind it: <ok/>")
    t.ok(h.read_msg(5) is None and h.proc.wait(scaled(5)) == 0,
         "RFC 6241 7.8: the RPC after close-session gets no reply, and the session ends")
    h = session()
    r = h.rpc("<get-config><source><running/></source></get-config>")
    t.ok(r is not None and b"after-close" not in ET.tostring(r), "... and was not executed",
         r is not None and ET.tostring(r)[:300])
    h.close()

    # ---- locks across sessions ----
    c = session()
    t.ok(NcRaw.ok(a.rpc(LOCK % "running")), "A locks running")
    r = c.rpc(LOCK % "running")
    e = NcRaw.errors(r)
    t.ok(tags(r) == ["lock-denied"] and e[0].get("error-info", {}).get("session-id") == str(a.session_id),
         "B's lock of running -> lock-denied naming A's session-id", e)
    r = c.rpc(UNLOCK % "running")
    t.eq(tags(r), ["operation-failed"], "B's unlock of A's lock -> operation-failed")
    r = a.rpc(LOCK % "running")
    t.eq(tags(r), ["lock-denied"], "A locking running twice -> lock-denied")

    r = c.rpc("<kill-session><session-id>%d</session-id></kill-session>" % c.session_id)
    t.eq(tags(r), ["invalid-value"], "kill-session of own id -> invalid-value")
    r = c.rpc("<kill-session><session-id>999999</session-id></kill-session>")
    t.eq(tags(r), ["invalid-value"], "kill-session of unknown id -> invalid-value")
    r = c.rpc("<kill-session><session-id>%d</session-id></kill-session>" % a.session_id)
    t.ok(NcRaw.ok(r), "B kills A", r is not None and ET.tostring(r))
    t.eq(a.proc.wait(scaled(5)), 0, "A's process ended, with status 0 (SIGTERM, not SIGKILL)")
    t.ok(a.read_msg(2) is None, "A's output ended cleanly")
    t.ok(NcRaw.ok(c.rpc(LOCK % "running")), "B can lock running after kill-session")
    t.ok(NcRaw.ok(c.rpc(UNLOCK % "running")), "B unlocks running")

    d = session()
    t.ok(NcRaw.ok(d.rpc(LOCK % "candidate")), "C locks candidate")
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait(scaled(5))
    r = c.rpc(LOCK % "candidate")
    t.ok(NcRaw.ok(r), "after C is SIGKILLed, B locks candidate (no stale lock)",
         r is not None and ET.tostring(r))
    r = c.rpc("<kill-session><session-id>%d</session-id></kill-session>" % d.session_id)
    t.eq(tags(r), ["invalid-value"], "kill-session of the SIGKILLed session -> invalid-value")
    t.ok(str(d.session_id) not in os.listdir(os.path.join(env.datastore_dir, "sessions")),
         "the SIGKILLed session's registry entry is cleaned up")

    # SIGTERM ends a session cleanly and releases its locks
    t.ok(c.proc.poll() is None, "B still running")
    c.proc.send_signal(signal.SIGTERM)
    t.eq(c.proc.wait(scaled(5)), 0, "SIGTERM: exit status 0")
    e = session()
    t.ok(NcRaw.ok(e.rpc(LOCK % "candidate")), "lock free again after SIGTERM")
    f = session()
    f.proc.send_signal(signal.SIGHUP)
    t.eq(f.proc.wait(scaled(5)), 0, "SIGHUP: exit status 0")
    # EOF ends a session
    t.eq(e.wait(), 0, "EOF: exit status 0")

    # ---- over a real sshd ----
    s = NcRaw(env.netconf_over_ssh())
    procs.append(s)
    s.hello()
    t.ok(s.session_id is not None and s.chunked, "hello over sshd (ssh -s netconf), chunked")
    r = s.rpc(LOCK % "running", message_id="ssh-1")
    t.ok(NcRaw.ok(r) and r.get("message-id") == "ssh-1", "lock over sshd")
    r = s.rpc("<nope/>")
    t.eq(tags(r), ["operation-not-supported"], "error reply over sshd")
    t.eq(s.close(), 0, "close-session over sshd: ssh exits 0")
finally:
    for p in procs:
        p.kill()
    env.cleanup()
t.done()
