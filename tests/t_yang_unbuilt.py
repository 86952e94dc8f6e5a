#!/usr/bin/python3
"""What a session answers when its libyang context cannot be built (a
stub libyang.so.2 on LD_LIBRARY_PATH; nchome-netconf here is not
set-uid, so the loader honours it), over pipes (NcRaw).

A <get> whose filter selects the YANG library (<yang-library>,
<modules-state>, by subtree or XPath) answers operation-failed naming
the reason, where it answered an empty <data/>; an unfiltered <get>
still answers the configuration and the other state, and a filter of
other state is answered as before."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw, q  # noqa: E402

YL = "urn:ietf:params:xml:ns:yang:ietf-yang-library"
NCM = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
SYS = "urn:ietf:params:xml:ns:yang:ietf-system"
FREE = '<x xmlns="urn:test:free">1</x>'
t = TAP()
envs = []
sessions = []
work = tempfile.mkdtemp(prefix="nc-yang-unbuilt-")


def session(env, stub):
    r = NcRaw(env.netconf_direct({"LD_LIBRARY_PATH": work} if stub else None))
    sessions.append(r)
    r.hello()
    return r


def text(rep):
    import xml.etree.ElementTree as ET
    return ET.tostring(rep, encoding="unicode") if rep is not None else "(no reply)"


def refused(rep, what, needle="cannot load libyang"):
    errs = NcRaw.errors(rep)
    t.ok(len(errs) == 1 and errs[0].get("error-tag") == "operation-failed" and
         needle in (errs[0].get("error-message") or ""), what, text(rep)[-400:])


def get(r, flt):
    return r.rpc("<get>%s</get>" % flt)


try:
    stub = os.path.join(work, "libyang.so.2")
    with open(stub + ".c", "w") as f:
        f.write("int nchome_test_stub;\n")
    p = subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libyang.so.2", "-o", stub, stub + ".c"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t.ok(p.returncode == 0, "a stub libyang.so.2 builds", p.stdout)

    env = SshEnv(name="nc-yang-unbuilt")
    envs.append(env)
    r = session(env, False)
    t.ok(NcRaw.ok(r.edit_config("running", '<system xmlns="%s"><hostname>h-good</hostname></system>%s'
                                % (SYS, FREE))), "with libyang: running gets a hostname and data no module covers")
    r.wait()

    # ---- the YANG library: an error when asked for, the rest as before ----
    r = session(env, True)
    yl_sub = '<filter type="subtree"><yang-library xmlns="%s"/></filter>' % YL
    refused(get(r, yl_sub), "a subtree get of <yang-library> answers operation-failed naming the reason")
    refused(get(r, '<filter type="subtree"><modules-state xmlns="%s"/></filter>' % YL),
            "a subtree get of <modules-state> too")
    refused(get(r, '<filter type="xpath" xmlns:yl="%s" select="/yl:yang-library/yl:content-id"/>' % YL),
            "an XPath get of /yang-library/content-id too")
    refused(get(r, '<filter type="subtree"><yang-library xmlns="%s"/><netconf-state xmlns="%s"/></filter>'
                % (YL, NCM)), "a filter of <yang-library> and <netconf-state> too")
    rep = get(r, "")
    x = text(rep)
    t.ok(not NcRaw.errors(rep) and "h-good" in x and "netconf-state" in x and
         rep.find(".//{%s}yang-library" % YL) is None and rep.find(".//{%s}modules-state" % YL) is None,
         "an unfiltered get answers running and the other state, without the yang-library", x[-400:])
    rep = get(r, '<filter type="subtree"><netconf-state xmlns="%s"><sessions/></netconf-state></filter>' % NCM)
    t.ok(not NcRaw.errors(rep) and rep.find(q("data")) is not None and "session-id" in text(rep),
         "a get of other state is answered", text(rep)[-300:])
    rep = get(r, '<filter type="subtree"><x xmlns="urn:test:free"/></filter>')
    t.ok(not NcRaw.errors(rep) and "urn:test:free" in text(rep), "a get of configuration is answered",
         text(rep)[-300:])

    r.wait()
finally:
    for s in sessions:
        try:
            s.proc.kill()
        except OSError:
            pass
    for e in envs:
        e.cleanup()
    subprocess.run(["rm", "-rf", work])
t.done()
