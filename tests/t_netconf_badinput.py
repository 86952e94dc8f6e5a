#!/usr/bin/python3
"""nchome-netconf under hostile input: broken framing, oversized and
deeply nested messages, entity bombs, external entities, invalid UTF-8,
bad hellos.  Each case must get an rpc-error or a clean end of session
(exit status 0: under ASan a crash or leak shows as another status), the
stored datastores must be unchanged, and no local file may be read."""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NS, NcRaw  # noqa: E402

MAX = 1 << 20
t = TAP()
env = SshEnv(name="nc-bad", netconf_conf="  max-message-size = %d\n" % MAX)
MARKER = "NCHOME-SECRET-MARKER-7f3a9c"
marker_file = os.path.join(env.dir, "secret.txt")
with open(marker_file, "w") as f:
    f.write(MARKER + "\n")
procs = []
outputs = []


def start(version="1.1", hello=True):
    nc = NcRaw(env.netconf_direct())
    procs.append(nc)
    if hello:
        nc.hello(version)
    return nc


def finish(nc, timeout=20):
    """Closes stdin, waits, collects all output; returns (status, stdout, stderr)."""
    status = nc.wait(timeout)
    rest = nc.buf + nc.proc.stdout.read()
    err = nc.proc.stderr.read()
    outputs.append(rest + err)
    return status, rest, err


def snapshot():
    snap = {}
    for root, dirs, files in os.walk(env.datastore_dir):
        if os.path.basename(root) in ("sessions", "notifications"):
            continue  # session registry and event log: not datastores
        for n in files:
            if n.endswith(".lock"):
                continue
            p = os.path.join(root, n)
            st = os.stat(p)
            with open(p, "rb") as f:
                snap[p] = (f.read(), st.st_mtime_ns)
    return snap


tags = NcRaw.tags


def still_works(nc, desc):
    r = nc.rpc("<lock><target><startup/></target></lock>")
    ok = NcRaw.ok(r)
    if ok:
        nc.rpc("<unlock><target><startup/></target></unlock>")
    t.ok(ok, desc + ": session still serves RPCs", r)


def ends_cleanly(nc, desc, want_error=None):
    """The session ends with status 0 (optionally after an rpc-error with tag want_error)."""
    got = None
    try:
        r = nc.reply(timeout=10)
        got = tags(r) if r is not None else None
    except (TimeoutError, ValueError) as e:
        got = "exception: %s" % e
    status, out, err = finish(nc)
    if want_error is not None:
        t.ok(got in (None, [want_error]), desc + ": rpc-error %s or nothing" % want_error, got)
    t.eq(status, 0, desc + ": clean end of session (exit 0)")


try:
    # A first normal session creates whatever the datastore creates.
    nc = start()
    nc.rpc("<get-config><source><running/></source></get-config>")
    nc.close()
    before = snapshot()

    # ---- framing ----
    nc = start()
    nc.send_raw(b"\n#100\n<rpc xmlns='%s' message-id='1'><lo" % NS.encode())
    status, out, err = finish(nc)
    t.eq(status, 0, "truncated chunk then EOF: clean end")

    nc = start()
    nc.send_raw(b"\n#4294967296\n<rpc/>\n##\n")
    ends_cleanly(nc, "chunk-size 4294967296", "malformed-message")

    nc = start()
    nc.send_raw(b"\n#4294967295\n<rpc/>")
    ends_cleanly(nc, "chunk-size 4294967295 above max-message-size", "too-big")

    nc = start()
    nc.send_raw(b"\n#0\n\n##\n")
    ends_cleanly(nc, "chunk-size #0", "malformed-message")

    nc = start()
    nc.send_raw(b"\n#007\n<rpc/>\n##\n")
    ends_cleanly(nc, "chunk-size with leading zeros", "malformed-message")

    nc = start()
    nc.send_raw(b"GET / HTTP/1.0\r\n\r\n")
    ends_cleanly(nc, "garbage instead of a chunk", "malformed-message")

    nc = start(hello=False)
    nc.read_msg()
    nc.send_raw(b"SSH-2.0-garbage\r\n\x00\xff\xfe" + b"<hello xmlns='%s'><capabilities><capability>"
                b"urn:ietf:params:netconf:base:1.1</capability></capabilities></hello>]]>]]>" % NS.encode())
    ends_cleanly(nc, "garbage before the client hello")

    nc = start(hello=False)
    nc.read_msg()
    nc.send_raw(b"x" * (MAX + 10))
    ends_cleanly(nc, "EOM message without delimiter beyond max-message-size")

    nc = start()
    big = b"<rpc xmlns='%s' message-id='1'><get><filter>" % NS.encode() + b"x" * MAX + b"</filter></get></rpc>"
    nc.send_raw(b"\n#%d\n" % 1000 + big[:1000] + b"\n#%d\n" % (len(big) - 1000) + big[1000:] + b"\n##\n")
    ends_cleanly(nc, "chunks adding up beyond max-message-size", "too-big")

    # ---- hellos ----
    for desc, hello in [
        ("client hello with a session-id",
         "<hello xmlns='%s'><capabilities><capability>urn:ietf:params:netconf:base:1.1</capability>"
         "</capabilities><session-id>4</session-id></hello>" % NS),
        ("client hello without base capability",
         "<hello xmlns='%s'><capabilities><capability>urn:example:foo</capability>"
         "</capabilities></hello>" % NS),
        ("client hello in the wrong namespace",
         "<hello xmlns='urn:example:x'><capabilities><capability>urn:ietf:params:netconf:base:1.1"
         "</capability></capabilities></hello>"),
        ("an rpc instead of a hello",
         "<rpc xmlns='%s' message-id='1'><close-session/></rpc>" % NS),
        ("hello that is not XML", "<hello"),
    ]:
        nc = start(hello=False)
        nc.read_msg()
        nc.send_raw(hello.encode() + b"]]>]]>")
        status, out, err = finish(nc)
        t.ok(status == 0 and b"rpc-reply" not in out, desc + ": session ends without reply",
             (status, out[:300], err[-500:]))

    # ---- XML ----
    nc = start()
    deep = b"<a>" * (10 * 1024 * 1024 // 3)
    msg = b"<rpc xmlns='%s' message-id='deep'><edit-config><target><running/></target><config>" % NS.encode()
    msg += deep
    env_big = msg
    # this session has max-message-size 1 MiB: use a session with the default for 10 MB
    nc.kill()
    env2 = SshEnv(name="nc-bad2")
    try:
        nc2 = NcRaw(env2.netconf_direct())
        procs.append(nc2)
        nc2.hello()
        nc2.send_msg(env_big)
        r = nc2.reply(timeout=60)
        t.ok(tags(r) == ["malformed-message"] and r.get("message-id") is None,
             "10 MB of <a><a><a>...: malformed-message", r)
        still_works(nc2, "after 10 MB of nesting")
        t.eq(nc2.close(), 0, "after 10 MB of nesting: close-session, exit 0")
    finally:
        env2.cleanup()

    bomb = ("<?xml version='1.0'?><!DOCTYPE rpc [<!ENTITY a 'aaaaaaaaaa'>"
            + "".join("<!ENTITY %s '%s'>" % (chr(ord('b') + i), ("&%s;" % chr(ord('a') + i)) * 10)
                      for i in range(9))
            + "]><rpc xmlns='%s' message-id='bomb'><edit-config><target><running/></target>"
              "<config><x xmlns='urn:example:x'>&j;</x></config></edit-config></rpc>" % NS)
    xxe = ("<?xml version='1.0'?><!DOCTYPE rpc [<!ENTITY x SYSTEM 'file://%s'>]>"
           "<rpc xmlns='%s' message-id='xxe'><edit-config><target><running/></target>"
           "<config><x xmlns='urn:example:x'>&x;</x></config></edit-config></rpc>" % (marker_file, NS))
    xxe_param = ("<?xml version='1.0'?><!DOCTYPE rpc [<!ENTITY %% p SYSTEM 'file://%s'> %%p;]>"
                 "<rpc xmlns='%s' message-id='xxp'><get/></rpc>" % (marker_file, NS))
    ext_dtd = ("<?xml version='1.0'?><!DOCTYPE rpc SYSTEM 'file://%s'>"
               "<rpc xmlns='%s' message-id='dtd'><get/></rpc>" % (marker_file, NS))
    # a DOCTYPE is refused as such, even one that declares nothing
    plain_dtd = "<?xml version='1.0'?><!DOCTYPE rpc []><rpc xmlns='%s' message-id='pd'><get/></rpc>" % NS
    nc = start()
    for desc, text in [("billion laughs", bomb), ("external entity (local file)", xxe),
                       ("external parameter entity", xxe_param), ("external DTD", ext_dtd),
                       ("empty internal DTD subset", plain_dtd)]:
        nc.send_msg(text)
        r = nc.reply()
        outputs.append(ET.tostring(r) if r is not None else b"")
        t.ok(tags(r) == ["malformed-message"], desc + ": malformed-message", r)
        if desc == "external entity (local file)":
            t.diag(ET.tostring(r).decode())
    for desc, raw in [
        ("invalid UTF-8", b"<rpc xmlns='%s' message-id='u'><get><filter>\xff\xfe\xc3(</filter></get></rpc>"),
        ("overlong UTF-8", b"<rpc xmlns='%s' message-id='u'><get><filter>\xc0\xbc</filter></get></rpc>"),
        ("NUL byte", b"<rpc xmlns='%s' message-id='u'><get>\x00</get></rpc>"),
        ("latin-1 declaration with invalid UTF-8",
         b"<?xml version='1.0' encoding='ISO-8859-1'?><rpc xmlns='%s' message-id='u'><get>\xe9</get></rpc>"),
        ("undeclared prefix", b"<rpc xmlns='%s' message-id='u'><x:get/></rpc>"),
        ("two root elements", b"<rpc xmlns='%s' message-id='u'><get/></rpc><rpc/>"),
        ("empty-looking message", b"<?xml version='1.0'?>"),
    ]:
        nc.send_msg(raw % NS.encode() if b"%s" in raw else raw)
        r = nc.reply()
        outputs.append(ET.tostring(r) if r is not None else b"")
        t.ok(tags(r) == ["malformed-message"], desc + ": malformed-message", r)
    still_works(nc, "after entity and encoding attacks")
    t.eq(nc.close(), 0, "after entity and encoding attacks: close-session, exit 0")
    outputs.append(nc.proc.stderr.read())

    after = snapshot()
    t.ok(before == after, "datastore files unchanged (bytes and mtime)",
         "before: %r\nafter: %r" % ({k: v[1] for k, v in before.items()},
                                     {k: v[1] for k, v in after.items()}))
    leaked = [o for o in outputs if MARKER.encode() in o]
    t.ok(not leaked, "the marker file's content never appears in any output")
finally:
    for p in procs:
        p.kill()
    env.cleanup()
t.done()
