#!/usr/bin/python3
"""The model nchome-netconf announces (issue 16), over pipes (NcRaw):
the hello's module and yang-library capabilities, RFC 8525/7895
ietf-yang-library data in <get> checked with yanglint against the
modules the device serves, get-schema of every listed module and
submodule parsed by yanglint, a content-id that changes when the module
set changes, and filters that leave the yang-library data out."""
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, TOP, SshEnv, scaled  # noqa: E402
from ncraw import NS, NcRaw, q  # noqa: E402

NCM = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
YL = "urn:ietf:params:xml:ns:yang:ietf-yang-library"
YL10 = "urn:ietf:params:netconf:capability:yang-library:1.0?"
YL11 = "urn:ietf:params:netconf:capability:yang-library:1.1?"
t = TAP()
envs = []
sessions = []
work = tempfile.mkdtemp(prefix="nc-yanglib-")
yanglint = shutil.which("yanglint")


def session(netconf_conf=""):
    env = SshEnv(name="nc-yanglib", netconf_conf=netconf_conf)
    envs.append(env)
    r = NcRaw(env.netconf_direct())
    sessions.append(r)
    r.hello()
    return r


def capparams(caps, prefix):
    """The parameters of the capability that starts with prefix, as a dict (None: absent)."""
    for c in caps:
        if c.startswith(prefix):
            return dict(p.split("=", 1) for p in c[len(prefix):].split("&"))
    return None


def get(r, filt):
    rep = r.rpc("<get><filter type=\"subtree\">%s</filter></get>" % filt)
    d = rep.find(q("data")) if rep is not None else None
    return [] if d is None else list(d)


def schemas(r):
    out = []
    for top in get(r, '<netconf-state xmlns="%s"><schemas/></netconf-state>' % NCM):
        for s in top.iter("{%s}schema" % NCM):
            out.append((s.findtext("{%s}identifier" % NCM), s.findtext("{%s}version" % NCM)))
    return out


def fetch_all(r, folder):
    """get-schema of every listed schema into folder/<name>@<rev>.yang; returns the failures."""
    os.makedirs(folder, exist_ok=True)
    bad = []
    for name, rev in schemas(r):
        rep = r.rpc('<get-schema xmlns="%s"><identifier>%s</identifier><version>%s</version>'
                    '</get-schema>' % (NCM, name, rev))
        d = rep.find("{%s}data" % NCM) if rep is not None else None
        if d is None or not (d.text or "").strip():
            bad.append("%s@%s: no text" % (name, rev))
            continue
        with open(os.path.join(folder, "%s@%s.yang" % (name, rev) if rev else name + ".yang"), "w") as f:
            f.write(d.text)
    return bad


def lint(*args):
    p = subprocess.run([yanglint] + list(args), capture_output=True, text=True)
    return p.returncode, (p.stdout + p.stderr).strip()


try:
    # ---- the default module set ----
    r = session()
    caps = r.server_caps
    mods = {c.split("module=")[1].split("&")[0]: c for c in caps if "?module=" in c}
    t.ok({"ietf-netconf", "ietf-netconf-monitoring", "ietf-system", "ietf-interfaces",
          "iana-if-type"} <= set(mods), "hello: the implemented modules (%s)" % sorted(mods))
    t.ok(all("&revision=" in c for c in mods.values()), "hello: every module with its revision")
    t.ok("features=if-mib" in mods.get("ietf-interfaces", ""), "hello: ietf-interfaces with its feature")
    p10, p11 = capparams(caps, YL10), capparams(caps, YL11)
    t.ok(p10 is not None and p10.get("revision") == "2019-01-04" and len(p10.get("module-set-id", "")) == 16,
         "hello: yang-library:1.0 with revision and module-set-id (RFC 7950 5.6.4)", p10)
    t.ok(p11 is not None and p11.get("revision") == "2019-01-04" and
         p11.get("content-id") == (p10 or {}).get("module-set-id"),
         "hello: yang-library:1.1 with revision and content-id (RFC 8526)", p11)

    data = get(r, '<yang-library xmlns="%s"/><modules-state xmlns="%s"/>' % (YL, YL))
    tags = [e.tag for e in data]
    t.eq(tags, ["{%s}yang-library" % YL, "{%s}modules-state" % YL],
         "get: yang-library and modules-state")
    yl = data[0] if data else ET.Element("x")
    t.eq(yl.findtext("{%s}content-id" % YL), (p11 or {}).get("content-id"),
         "yang-library's content-id is the hello's")
    ms = data[1] if len(data) > 1 else ET.Element("x")
    t.eq(ms.findtext("{%s}module-set-id" % YL), (p10 or {}).get("module-set-id"),
         "modules-state's module-set-id is the hello's")
    listed = {m.findtext("{%s}name" % YL) for m in yl.iter("{%s}module" % YL)}
    t.ok(set(mods) <= listed, "yang-library lists every announced module")

    # NACM is enforced, so ietf-netconf-acm is implemented and announced, with the
    # deviation that makes a rule's path a string (nchome checks paths itself).
    acm = [m for m in yl.iter("{%s}module" % YL) if m.findtext("{%s}name" % YL) == "ietf-netconf-acm"]
    t.ok(len(acm) == 1 and acm[0].findtext("{%s}revision" % YL) == "2018-02-14" and
         [d.text for d in acm[0].findall("{%s}deviation" % YL)] == ["nchome-nacm-deviations"] and
         "nchome-nacm-deviations" in listed,
         "yang-library: ietf-netconf-acm implemented, deviated by nchome-nacm-deviations (also listed)")
    ms_acm = [m for m in ms.iter("{%s}module" % YL) if m.findtext("{%s}name" % YL) == "ietf-netconf-acm"]
    t.ok(len(ms_acm) == 1 and ms_acm[0].findtext("{%s}conformance-type" % YL) == "implement" and
         [(d.findtext("{%s}name" % YL), d.findtext("{%s}revision" % YL))
          for d in ms_acm[0].findall("{%s}deviation" % YL)] == [("nchome-nacm-deviations", "2026-12-05")],
         "modules-state: ietf-netconf-acm implemented, with its deviation")
    t.ok("ietf-netconf-acm" in mods and "deviations=nchome-nacm-deviations" in mods["ietf-netconf-acm"]
         and "nchome-nacm-deviations" in mods, "hello: ietf-netconf-acm with its deviation, and the "
         "deviation module")

    # Rule paths with the rule's own prefixes (RFC 8341 node-instance-identifier),
    # one to data no module covers: libyang's check against the schema would refuse
    # them all; nchome's own check accepts them and still refuses a bad one.
    nacm = ('<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"><rule-list>'
            '<name>paths</name><group>*</group>'
            '<rule><name>contact</name>'
            '<path xmlns:s="urn:ietf:params:xml:ns:yang:ietf-system">/s:system/s:contact</path>'
            '<access-operations>update</access-operations><action>permit</action></rule>'
            '<rule><name>eth0</name>'
            '<path xmlns:x="urn:ietf:params:xml:ns:yang:ietf-interfaces">'
            "/x:interfaces/x:interface[x:name='eth0']</path>"
            '<access-operations>*</access-operations><action>permit</action></rule>'
            '<rule><name>unmodeled</name>'
            '<path xmlns:u="urn:example:unmodeled">/u:box/u:lid</path>'
            '<access-operations>read</access-operations><action>deny</action></rule>'
            '%s</rule-list></nacm>')
    rep = r.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>"
                % (nacm % ""))
    t.ok(NcRaw.ok(rep), "edit-config loads a nacm config whose path rules use their own prefixes",
         NcRaw.errors(rep))
    got = get(r, '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"/>')
    paths = [e.text for e in got[0].iter("{urn:ietf:params:xml:ns:yang:ietf-netconf-acm}path")] \
        if got else []
    t.eq(paths, ["/s:system/s:contact", "/x:interfaces/x:interface[x:name='eth0']", "/u:box/u:lid"],
         "running holds the three paths as written")
    rep = r.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>"
                % (nacm % '<rule><name>bad</name><path>/s:system</path>'
                   '<action>deny</action></rule>'))
    errs = NcRaw.errors(rep)
    t.ok(len(errs) == 1 and errs[0].get("error-tag") == "invalid-value" and
         "bad" in (errs[0].get("error-message") or ""),
         "a path with an undeclared prefix is still refused (nchome's own check)", errs)

    only = get(r, '<netconf-state xmlns="%s"><schemas/></netconf-state>' % NCM)
    t.ok(only and all(e.tag == "{%s}netconf-state" % NCM for e in only),
         "a netconf-state filter leaves the yang-library data out")
    full = [e.tag for e in r.rpc("<get/>").find(q("data"))]
    t.ok("{%s}yang-library" % YL in full and "{%s}modules-state" % YL in full,
         "an unfiltered get has the yang-library data")
    rep = r.rpc('<get><filter type="xpath" xmlns:yl="%s" select="/yl:yang-library/yl:content-id"/></get>' % YL)
    t.eq([e.tag for e in rep.find(q("data"))] if rep is not None else None, ["{%s}yang-library" % YL],
         "an XPath filter selects yang-library")

    listed_schemas = schemas(r)
    names = {n for n, v in listed_schemas}
    t.ok({"ietf-yang-metadata", "ietf-yang-library", "ietf-datastores", "ietf-netconf-acm",
          "iana-crypt-hash"} <= names, "netconf-state lists imports and libyang's own modules (%d)"
         % len(names))

    if yanglint is None:
        for d in ("every listed schema is served and yanglint parses it",
                  "yang-library data validates with yanglint against the served modules"):
            t.skip_tool(d, "yanglint")
    else:
        folder = os.path.join(work, "default")
        bad = fetch_all(r, folder)
        for f in sorted(os.listdir(folder)):
            rc, out = lint("-D", "-p", folder, os.path.join(folder, f))
            if rc != 0:
                bad.append("%s: %s" % (f, out[:300]))
        t.ok(not bad and len(os.listdir(folder)) == len(listed_schemas),
             "every listed schema (%d) is served and yanglint parses it" % len(listed_schemas), bad)
        # The unfiltered reply's own bytes: values such as ds:running carry their
        # namespace declarations, which ElementTree would drop.
        from lxml import etree
        r.send_msg(r.rpc_text("<get/>"))
        reply = etree.fromstring(r.read_msg())
        ylfile = os.path.join(work, "yl.xml")
        with open(ylfile, "wb") as f:
            for e in reply.iterfind("{%s}data/*" % NS):
                if e.tag in ("{%s}yang-library" % YL, "{%s}modules-state" % YL):
                    f.write(etree.tostring(e))
        rc, out = lint("-D", "-p", folder, "-t", "data",
                       os.path.join(folder, "ietf-yang-library@2019-01-04.yang"),
                       os.path.join(folder, "ietf-datastores@2018-02-14.yang"), ylfile)
        t.ok(rc == 0 and data, "yang-library data validates with yanglint against the served modules", out)
    r.close()

    # ---- the operator's module (YANG 1.1, with a submodule): another content-id ----
    r2 = session('  yang-dir = "%s"\n  module nchome-test { features = {"extra"} }\n'
                 % os.path.join(TOP, "tests", "yang"))
    p11b = capparams(r2.server_caps, YL11)
    t.ok(p11b is not None and p11b.get("content-id") != (p11 or {}).get("content-id"),
         "an implemented module of the operator's changes the content-id", (p11, p11b))
    t.ok(not any("module=nchome-test" in c for c in r2.server_caps),
         "a YANG 1.1 module is announced through the YANG library only (RFC 7950 5.6.4)")
    data = get(r2, '<yang-library xmlns="%s"/>' % YL)
    mod = [m for m in (data[0].iter("{%s}module" % YL) if data else [])
           if m.findtext("{%s}name" % YL) == "nchome-test"]
    t.ok(len(mod) == 1 and mod[0].findtext("{%s}feature" % YL) == "extra" and
         [s.findtext("{%s}name" % YL) for s in mod[0].findall("{%s}submodule" % YL)] ==
         ["nchome-test-types"], "yang-library lists it with its feature and submodule")
    t.eq(data[0].findtext("{%s}content-id" % YL) if data else None, (p11b or {}).get("content-id"),
         "its content-id is the hello's")
    rep = r2.rpc('<get-schema xmlns="%s"><identifier>nchome-test-types</identifier></get-schema>' % NCM)
    d = rep.find("{%s}data" % NCM) if rep is not None else None
    t.ok(d is not None and (d.text or "").lstrip().startswith("submodule nchome-test-types"),
         "get-schema serves a submodule")
    r2.close()

    # ---- a module no folder holds: no session at all, rather than a wrong model ----
    env = SshEnv(name="nc-yanglib", netconf_conf="  module no-such-module { }\n")
    envs.append(env)
    p = subprocess.Popen([NETCONF, "-d", "-f", env.conf], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=scaled(20))
    t.ok(p.returncode != 0 and b"<hello" not in out and b"no-such-module" in err,
         "an unknown module ends the session before its hello, saying which",
         (p.returncode, out[:200], err[-300:]))
finally:
    for s in sessions:
        s.kill()
    for e in envs:
        e.cleanup()
    shutil.rmtree(work, ignore_errors=True)
t.done()
