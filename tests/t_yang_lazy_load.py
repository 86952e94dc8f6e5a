#!/usr/bin/python3
"""libyang loaded when a request first needs it (issue 18,
subsystem/schema/lyload.c): nchome-netconf's program headers do not name
libyang or pcre2, a session maps neither up to its hello nor for a
get-config, the first request that needs the libyang context (a <get> of
yang-library) loads it and is answered, and a session that never loaded
it ends cleanly (its teardown frees nothing of libyang's)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, SshEnv, scaled  # noqa: E402
from ncraw import NcRaw  # noqa: E402

YL = "urn:ietf:params:xml:ns:yang:ietf-yang-library"
t = TAP()
envs = []


def mapped(proc, name):
    with open("/proc/%d/maps" % proc.pid) as f:
        return name in f.read()


try:
    dyn = subprocess.run(["readelf", "-d", NETCONF], stdout=subprocess.PIPE, text=True).stdout
    needed = [ln.split("[", 1)[1].rstrip("]") for ln in dyn.splitlines() if "(NEEDED)" in ln]
    t.ok(needed and not any(n.startswith(("libyang", "libpcre2")) for n in needed),
         "nchome-netconf does not name libyang or pcre2 as needed libraries", needed)

    env = SshEnv(name="nc-lazy-yang")
    envs.append(env)
    r = NcRaw(env.netconf_direct())
    r.hello()
    t.ok(not mapped(r.proc, "libyang.so"), "after the hellos libyang is not mapped")
    rep = r.rpc("<get-config><source><running/></source></get-config>")
    t.ok(NcRaw.ok(rep) or (rep is not None and rep.find("{urn:ietf:params:xml:ns:netconf:base:1.0}data")
                            is not None), "get-config is answered")
    t.ok(not mapped(r.proc, "libyang.so"), "get-config does not load libyang")
    rep = r.rpc('<get><filter type="subtree"><yang-library xmlns="%s"/></filter></get>' % YL)
    names = [m.findtext("{%s}name" % YL) for m in rep.iter("{%s}module" % YL)] if rep is not None else []
    t.ok("ietf-netconf" in names, "the yang-library <get> loads libyang and lists the modules", names[:5])
    t.ok(mapped(r.proc, "libyang.so"), "libyang is mapped after it")
    t.eq(r.wait(), 0, "the session that loaded libyang ends with status 0")

    # only the hellos: the teardown's libyang frees (of nothing) before any load
    r = NcRaw(env.netconf_direct())
    r.hello()
    t.eq(r.wait(), 0, "a session that never loaded libyang ends with status 0")
    p = subprocess.run([NETCONF, "-f", env.conf], input=b"", capture_output=True, timeout=scaled(20))
    t.ok(p.returncode == 0 and b"<hello" in p.stdout,
         "end of input right after the server's hello: status 0", (p.returncode, p.stderr[-300:]))
finally:
    for e in envs:
        e.cleanup()
t.done()
