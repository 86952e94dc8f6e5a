#!/usr/bin/python3
"""RFC 6022 monitoring: get-schema and netconf-state, with ncclient as the
NMS through a real sshd, plus a raw session over pipes (a second session
process with its own user/address) to see sessions of other processes."""
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP, InetdSshd, SshEnv, scaled  # noqa: E402
from ncraw import NcRaw  # noqa: E402

from ncclient import manager  # noqa: E402
from ncclient.operations import RPCError  # noqa: E402

NCM = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
LIBYANG_OWN = {"ietf-inet-types", "ietf-yang-types"}
t = TAP()
env = SshEnv(name="nc-mon")
sshd = InetdSshd(env)
raw = None
m = None


def ncm(path):
    return "/".join("{%s}%s" % (NCM, p) for p in path.split("/"))


def connect():
    return manager.connect(host="127.0.0.1", port=sshd.port, username="root",
                           key_filename=env.user_key, hostkey_verify=False,
                           allow_agent=False, look_for_keys=False, timeout=scaled(30))


def rpc_error_tag(fn):
    try:
        fn()
    except RPCError as e:
        return e.tag
    return None


try:
    m = connect()
    caps = list(m.server_capabilities)
    t.ok(NCM in caps, "hello advertises the monitoring capability")
    mods = {c.split("module=")[1].split("&")[0] for c in caps if "module=" in c}
    t.ok({"ietf-netconf-monitoring", "ietf-netconf", "ietf-system", "ietf-interfaces"} <= mods,
         "hello advertises the implemented YANG modules (%s)" % sorted(mods))

    nc_caps = [c for c in caps if "module=ietf-netconf&" in c]
    t.ok(len(nc_caps) == 1 and "features=" in nc_caps[0] and
         set(nc_caps[0].split("features=")[1].split("&")[0].split(",")) ==
         {"writable-running", "candidate", "confirmed-commit", "rollback-on-error", "validate",
          "startup", "xpath"},
         "hello announces ietf-netconf with the features served (not url)", nc_caps)
    acm = [c for c in caps if "module=ietf-netconf-acm&" in c]
    t.eq(acm, ["urn:ietf:params:xml:ns:yang:ietf-netconf-acm?module=ietf-netconf-acm"
               "&revision=2018-02-14&deviations=nchome-nacm-deviations"],
         "hello announces ietf-netconf-acm (NACM is enforced) with nchome's deviation")
    t.ok("nchome-nacm-deviations" in mods, "hello announces the deviation module")

    # ---- get-schema ----
    text = m.get_schema("ietf-netconf-acm").data
    t.ok(text.lstrip().startswith("module ietf-netconf-acm"),
         "get-schema serves ietf-netconf-acm, which ietf-netconf imports")
    text = m.get_schema("ietf-netconf-monitoring").data
    with open(os.path.join(TOP, "yang", "ietf-netconf-monitoring@2010-10-04.yang")) as f:
        t.eq(text, f.read(), "get-schema returns the module file byte for byte")
    text = m.get_schema("ietf-inet-types", version="2013-07-15", format="yang").data
    t.ok(text.lstrip().startswith("module ietf-inet-types"), "get-schema with version and format")
    t.eq(rpc_error_tag(lambda: m.get_schema("no-such-module")), "invalid-value",
         "unknown schema: invalid-value")
    t.eq(rpc_error_tag(lambda: m.get_schema("ietf-inet-types", version="1999-01-01")), "invalid-value",
         "unknown version: invalid-value")
    t.eq(rpc_error_tag(lambda: m.get_schema("ietf-inet-types", format="yin")), "invalid-value",
         "format other than yang: invalid-value")
    r = NcRaw(env.netconf_direct(extra_env={"SSH_CLIENT": "192.0.2.9 40000 830", "USER": "root"}))
    raw = r
    r.hello()
    rep = r.rpc('<get-schema xmlns="%s"/>' % NCM)
    t.eq([e.get("error-tag") for e in NcRaw.errors(rep)], ["missing-element"],
         "get-schema without identifier: missing-element")
    # A session writes its counters just after each reply goes out, before it
    # reads the next request: one more reply means the get-schema's are in
    # for m's <get> below (else a loaded machine can let m read them first).
    r.rpc("<get-config><source><running/></source></get-config>")

    # ---- netconf-state in <get> ----
    reply = m.get(filter=("subtree", '<netconf-state xmlns="%s"/>' % NCM))
    root = ET.fromstring(reply.data_xml.encode() if isinstance(reply.data_xml, str) else reply.data_xml)
    st = root.find(ncm("netconf-state"))
    t.ok(st is not None, "get with a subtree filter returns netconf-state")
    if st is not None:
        listed = [c.text for c in st.findall(ncm("capabilities/capability"))]
        t.eq(sorted(listed), sorted(caps), "capabilities are those of the hello")
        names = [d.findtext(ncm("name")) for d in st.findall(ncm("datastores/datastore"))]
        t.eq(names, ["running", "candidate", "startup"], "datastores listed")
        sch = {(s.findtext(ncm("identifier")), s.findtext(ncm("version")), s.findtext(ncm("format")))
               for s in st.findall(ncm("schemas/schema"))}
        t.ok(("ietf-netconf-monitoring", "2010-10-04", "yang") in sch, "schemas list the monitoring module")
        t.ok({("ietf-netconf-acm", "2018-02-14", "yang"),
              ("nchome-nacm-deviations", "2026-12-05", "yang")} <= sch,
             "schemas list ietf-netconf-acm and its deviation module")
        sess = {int(s.findtext(ncm("session-id"))): s for s in st.findall(ncm("sessions/session"))}
        t.ok(set(sess) >= {int(m.session_id), r.session_id},
             "sessions list both session processes (%s)" % sorted(sess))
        mine, other = sess.get(int(m.session_id)), sess.get(r.session_id)
        if mine is not None and other is not None:
            t.eq((mine.findtext(ncm("username")), mine.findtext(ncm("source-host")),
                  mine.findtext(ncm("transport"))), ("root", "127.0.0.1", "netconf-ssh"),
                 "own session: user, source address, transport")
            t.eq(other.findtext(ncm("source-host")), "192.0.2.9", "other session's source address")
            t.ok(int(mine.findtext(ncm("in-rpcs"))) >= 6, "own in-rpcs counts our RPCs")
            t.ok(int(other.findtext(ncm("in-rpcs"))) >= 1 and int(other.findtext(ncm("out-rpc-errors"))) >= 1,
                 "other session's counters come from its process")
            t.ok(mine.findtext(ncm("login-time")).endswith("Z"), "login-time is a date-and-time")
        # A lock shows with its holder.
        rep = r.rpc("<lock><target><candidate/></target></lock>")
        t.ok(NcRaw.ok(rep), "other session locks candidate")
        reply = m.get(filter=("subtree", '<netconf-state xmlns="%s"><datastores/></netconf-state>' % NCM))
        root = ET.fromstring(reply.data_xml.encode())
        holders = {d.findtext(ncm("name")): d.findtext(ncm("locks/global-lock/locked-by-session"))
                   for d in root.iter("{%s}datastore" % NCM)}
        t.eq(holders.get("candidate"), str(r.session_id), "candidate's lock names its holder")
        t.eq(holders.get("running"), None, "running is not locked")
        r.close()
        raw = None
        reply = m.get(filter=("subtree", '<netconf-state xmlns="%s"><sessions/></netconf-state>' % NCM))
        root = ET.fromstring(reply.data_xml.encode())
        ids = [int(x.text) for x in root.iter("{%s}session-id" % NCM)]
        t.eq(ids, [int(m.session_id)], "a closed session leaves the list")

    # ---- the shipped modules: all served and listed, only the implemented announced ----
    ydir = os.path.join(TOP, "yang")
    files = sorted(f for f in os.listdir(ydir) if f.endswith(".yang"))
    announced = {"notifications", "nc-notifications", "ietf-netconf-notifications"}
    t.ok(announced <= mods, "hello announces the RFC 5277 and RFC 6470 modules (%s)" % sorted(mods))
    t.ok({"ietf-system", "ietf-interfaces", "iana-if-type"} <= mods and "iana-crypt-hash" not in mods,
         "ietf-system, ietf-interfaces and iana-if-type are announced (implemented), "
         "iana-crypt-hash (only imported) is not")
    reply = m.get(filter=("subtree", '<netconf-state xmlns="%s"><schemas/></netconf-state>' % NCM))
    listed = {(s.findtext(ncm("identifier")), s.findtext(ncm("version")), s.findtext(ncm("namespace")))
              for s in ET.fromstring(reply.data_xml.encode()).iter("{%s}schema" % NCM)}
    bad = []
    texts = {}
    for f in files:
        name, rev = f[:-5].split("@")
        with open(os.path.join(ydir, f)) as fh:
            text = fh.read()
        texts[name] = text
        ns = re.search(r'\bnamespace\s+"([^"]+)"', text).group(1)
        if (name, rev, ns) not in listed:
            bad.append("%s not listed as %s %s" % (name, rev, ns))
        served = m.get_schema(name, version=rev).data
        # libyang has its own copy of a few (ietf-inet-types, ietf-yang-types): printed by it
        if served != text and not (name in LIBYANG_OWN and
                                   served.lstrip().startswith("module %s " % name) and
                                   'revision %s' % rev in served):
            bad.append("get-schema %s differs from %s" % (name, f))
    t.ok(not bad and len(listed) >= len(files),
         "every module in yang/ (%d) is listed with its revision and namespace and served byte for "
         "byte (libyang's own ones as libyang prints them)" % len(files), bad)
    missing = sorted({i for text in texts.values() for i in re.findall(r"\bimport\s+([\w-]+)", text)}
                     - set(texts))
    t.eq(missing, [], "every module imported by a served module is served too")
    want_ns = {"notifications": "urn:ietf:params:xml:ns:netconf:notification:1.0",
               "nc-notifications": "urn:ietf:params:xml:ns:netmod:notification",
               "ietf-netconf-notifications": "urn:ietf:params:xml:ns:yang:ietf-netconf-notifications",
               "ietf-system": "urn:ietf:params:xml:ns:yang:ietf-system",
               "ietf-interfaces": "urn:ietf:params:xml:ns:yang:ietf-interfaces",
               "iana-if-type": "urn:ietf:params:xml:ns:yang:iana-if-type"}
    t.eq({n: ns for n, v, ns in listed if n in want_ns}, want_ns,
         "the notification, system and interfaces modules have their published namespaces")

    # ---- RFC 5277 /netconf/streams ----
    NCEV = "urn:ietf:params:xml:ns:netmod:notification"
    reply = m.get(filter=("subtree", '<netconf xmlns="%s"><streams/></netconf>' % NCEV))
    root = ET.fromstring(reply.data_xml.encode())
    streams = root.findall("{%s}netconf/{%s}streams/{%s}stream" % (NCEV, NCEV, NCEV))
    st = streams[0] if streams else None
    t.ok(len(streams) == 1 and st.findtext("{%s}name" % NCEV) == "NETCONF" and
         st.findtext("{%s}replaySupport" % NCEV) == "true" and
         re.match(r"\d{4}-\d\d-\d\dT", st.findtext("{%s}replayLogCreationTime" % NCEV) or ""),
         "get returns /netconf/streams: the NETCONF stream with replay and its log's creation time",
         reply.data_xml[:600])
    t.ok(root.find("{%s}netconf-state" % NCM) is None, "the streams filter leaves netconf-state out")
    reply = m.get(filter=("subtree", '<netconf-state xmlns="%s"><schemas/></netconf-state>' % NCM))
    t.ok(ET.fromstring(reply.data_xml.encode()).find("{%s}netconf" % NCEV) is None,
         "a netconf-state filter leaves the streams out")

    # ---- statistics: host-wide, counted by every session process ----
    def stats():
        rep = m.get(filter=("subtree", '<netconf-state xmlns="%s"><statistics/></netconf-state>' % NCM))
        e = ET.fromstring(rep.data_xml.encode()).find(ncm("netconf-state/statistics"))
        return None if e is None else {c.tag.split("}")[1]: c.text for c in e}

    s0 = stats()
    t.ok(s0 is not None and s0.get("netconf-start-time", "").endswith("Z") and
         all(k in s0 for k in ("in-bad-hellos", "in-sessions", "dropped-sessions", "in-rpcs",
                               "in-bad-rpcs", "out-rpc-errors", "out-notifications")),
         "netconf-state/statistics has all the RFC 6022 counters", s0)
    r1 = NcRaw(env.netconf_direct())
    raw = r1
    r1.hello()
    r1.rpc("<get-config><source><running/></source></get-config>")
    rep = r1.rpc('<no-such-op xmlns="urn:example:none"/>')
    r1.send_msg("<rpc message-id='x' xmlns='urn:ietf:params:xml:ns:netconf:base:1.0'><get></rpc>")
    rep2 = r1.reply()
    t.ok(NcRaw.errors(rep) and NcRaw.errors(rep2), "an unknown operation and a malformed message get errors")
    r1.close()
    r2 = NcRaw(env.netconf_direct())
    raw = r2
    r2.hello()
    r2.wait()                         # end of input: dropped
    r3 = NcRaw(env.netconf_direct())
    raw = r3
    r3.read_msg()
    r3.send_msg('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
                '<capability>urn:example:no-base</capability></capabilities></hello>')
    r3.wait()
    raw = None
    s1 = stats()
    delta = {k: int(s1[k]) - int(s0[k]) for k in s0 if k != "netconf-start-time"}
    t.eq(delta, {"in-sessions": 3, "in-bad-hellos": 1, "dropped-sessions": 1, "in-rpcs": 5,
                 "in-bad-rpcs": 1, "out-rpc-errors": 2, "out-notifications": 0},
         "statistics count what three other session processes did (and this get)")
    t.eq(s1["netconf-start-time"], s0["netconf-start-time"], "netconf-start-time stays")

    # A user of the shared datastore-dir must not make another user's
    # session write through a symlink it planted there.
    stats_file = os.path.join(env.datastore_dir, "sessions", "statistics")
    victim = os.path.join(env.dir, "victim")
    with open(victim, "w") as f:
        f.write("not statistics\n")
    os.rename(stats_file, stats_file + ".saved")
    os.symlink(victim, stats_file)
    r4 = NcRaw(env.netconf_direct())
    raw = r4
    r4.hello()
    r4.rpc("<get-config><source><running/></source></get-config>")
    r4.close()
    raw = None
    with open(victim) as f:
        t.eq(f.read(), "not statistics\n", "a symlink planted as sessions/statistics is not written through")
    os.unlink(stats_file)
    os.rename(stats_file + ".saved", stats_file)
finally:
    if m is not None:
        try:
            m.close_session()
        except Exception:
            pass
    if raw is not None:
        raw.proc.kill()
    sshd.close()
    env.cleanup()
t.done()
