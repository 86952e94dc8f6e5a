#!/usr/bin/python3
"""What a session answers when its libyang context cannot be built (a
stub libyang.so.2 on LD_LIBRARY_PATH; nchome-netconf here is not
set-uid, so the loader honours it), over pipes (NcRaw).

A <get> whose filter selects the YANG library (<yang-library>,
<modules-state>, by subtree or XPath) answers operation-failed naming
the reason, where it answered an empty <data/>; an unfiltered <get>
still answers the configuration and the other state, and a filter of
other state is answered as before.  A commit of a candidate that drops
running's module data (a copy-config of data no module covers onto the
candidate, an edit-config of it with default-operation replace, or a
delete of /system made while libyang loaded) is refused as a copy-config
onto running that drops it is;
running keeps its data, a discard-changes still works, and with the
real libyang the same commit is taken; a commit of a candidate that adds
module data to a running without any is refused too."""
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

    # ---- a commit that drops running's module data ----
    rep = r.rpc("<copy-config><target><candidate/></target><source><config>%s</config></source></copy-config>"
                % FREE)
    t.ok(NcRaw.ok(rep), "a copy-config of data no module covers onto the candidate is taken", text(rep)[-300:])
    refused(r.rpc("<commit/>"), "the commit of that candidate (it drops /system) is refused")
    refused(r.rpc('<commit><confirmed/><confirm-timeout>60</confirm-timeout></commit>'),
            "a confirmed commit of it too")
    x = text(r.rpc("<get-config><source><running/></source></get-config>"))
    t.ok("h-good" in x, "running keeps its hostname", x[-300:])
    t.ok(NcRaw.ok(r.rpc("<discard-changes/>")), "discard-changes is answered <ok/>")
    # the candidate as this session's edits on running (the overlay): one that replaces everything
    rep = r.rpc('<edit-config><target><candidate/></target><default-operation>replace</default-operation>'
                '<config>%s</config></edit-config>' % FREE)
    t.ok(NcRaw.ok(rep), "an edit-config of the candidate replacing everything with data no module covers "
         "is taken", text(rep)[-300:])
    refused(r.rpc("<commit/>"), "the commit of that candidate (it drops /system) is refused")
    t.ok(NcRaw.ok(r.rpc("<discard-changes/>")), "discard-changes is answered <ok/>")
    r.wait()
    # an edit made while libyang loaded, committed while it does not
    r = session(env, False)
    rep = r.edit_config("candidate", '<system xmlns="%s" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" '
                        'nc:operation="delete"/>' % SYS)
    t.ok(NcRaw.ok(rep), "with libyang: an edit-config deletes /system from the candidate", text(rep)[-300:])
    r.wait()
    r = session(env, True)
    refused(r.rpc("<commit/>"), "without: the commit of that candidate is refused")
    x = text(r.rpc("<get-config><source><running/></source></get-config>"))
    t.ok("h-good" in x, "running keeps its hostname", x[-300:])
    t.ok(NcRaw.ok(r.rpc("<discard-changes/>")), "discard-changes is answered <ok/>")
    r.wait()

    r = session(env, False)
    r.rpc("<copy-config><target><candidate/></target><source><config>%s</config></source></copy-config>" % FREE)
    rep = r.rpc("<commit/>")
    t.ok(NcRaw.ok(rep), "with libyang: the same commit is taken", text(rep)[-300:])
    x = text(r.rpc("<get-config><source><running/></source></get-config>"))
    t.ok("h-good" not in x and "urn:test:free" in x, "with libyang: running lost /system", x[-300:])
    rep = r.rpc("<copy-config><target><candidate/></target><source><config>%s%s</config></source>"
                "</copy-config>" % ('<system xmlns="%s"><hostname>h-new</hostname></system>' % SYS, FREE))
    t.ok(NcRaw.ok(rep), "with libyang: a copy-config onto the candidate adds /system", text(rep)[-300:])
    r.wait()
    # running holds no module data now: only the candidate's is looked at
    r = session(env, True)
    refused(r.rpc("<commit/>"), "without: the commit of a candidate that adds /system is refused")
    x = text(r.rpc("<get-config><source><running/></source></get-config>"))
    t.ok("h-new" not in x and "urn:test:free" in x, "running is unchanged", x[-300:])
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
