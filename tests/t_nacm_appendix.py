#!/usr/bin/env python3
"""RFC 8341 Appendix A end to end: root loads A.1's groups with each of
A.2 (module rules), A.3 (protocol operation rules) and A.4 (data node
rules) through <edit-config>, the appendix's text as given (taken from
tests/unit/test_nacm_rfc.c, which checks every case on the engine), with
user nobody added to one group at a time; a session of user nobody (see
t_nacm_enforce.py) then sees the decisions the appendix describes.  A.4's
paths name data of namespaces no module covers
(http://example.com/ns/itf, .../netconf), which nchome stores and, with
the nchome-nacm-deviations deviation, lets rule paths name.  A.5 names
module acme-system, which a nacm config may only name when the server has
it: tests/yang/acme-system@2024-05-01.yang (its two events) is the
operator's module here (yang-dir and a module section in nchome.conf).
The host records an acme-system event the way nchome's own processes do
(a line appended to the event log under its lock: notify_log.c), and a
session of nobody replays the log's window: what it receives is what
A.5's rule lets its group read."""
import datetime
import fcntl
import os
import re
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

ACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NCM = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
ITF = "http://example.com/ns/itf"
ACME = "http://example.com/ns/netconf"
ACME_SYS = "http://example.com/ns/acme-system"
NOTIF = "urn:ietf:params:xml:ns:netconf:notification:1.0"
ACME_SYS_FILE = "acme-system@2024-05-01.yang"
NC_OP = 'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"'


def appendix():
    """The A*_GROUPS / A*_RULES macros of test_nacm_rfc.c as text."""
    with open(os.path.join(TOP, "tests", "unit", "test_nacm_rfc.c")) as f:
        src = f.read()
    out = {}
    for m in re.finditer(r'#define (A\d_\w+) \\\n((?:".*"(?: \\)?\n)+)', src):
        lits = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
        out[m.group(1)] = "".join(lits).encode().decode("unicode_escape")
    return out


t = TAP()
env = NobodyEnv(t, "nacm-appx-", 0o777)
A = appendix()
# acme-system as the operator's module, in a folder nobody can read
env.add_yang_dir(copies=[os.path.join(TOP, "tests", "yang", ACME_SYS_FILE)],
                 settings=['module "acme-system" {}'])


def load(root, group, rules):
    """A.1's groups with nobody in group, and the rule-lists, as running's nacm."""
    groups = A["A1_GROUPS"].replace("<name>%s</name>\n" % group,
                                    "<name>%s</name>\n<user-name>nobody</user-name>\n" % group, 1)
    return root.rpc('<edit-config><target><running/></target><config>'
                    '<nacm xmlns="%s" %s nc:operation="replace">%s%s</nacm></config></edit-config>'
                    % (ACM, NC_OP, groups, rules))


def edit(nc, config):
    return nc.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>" % config)


def iso(us):
    return datetime.datetime.fromtimestamp(us / 1e6, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def record_event(name):
    """An acme-system event into the host's event log, as nlog_append writes one:
    under notifications/lock, seq counted in the lock's state, then the line."""
    folder = os.path.join(env.ds, "notifications")
    us = int(time.time() * 1e6)
    xml = ('<notification xmlns="%s"><eventTime>%s</eventTime><%s xmlns="%s"><detail>%s</detail>'
           '</%s></notification>' % (NOTIF, iso(us), name, ACME_SYS, name, name))
    fd = os.open(os.path.join(folder, "lock"), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        state = dict(ln.split(" ", 1) for ln in os.pread(fd, 256, 0).decode().splitlines()
                     if " " in ln)
        if int(state.get("seq", "0")) == 0 or "created" not in state:
            raise RuntimeError("the event log has no state yet: %r" % state)
        state["seq"] = str(int(state["seq"]) + 1)
        new = "seq %s\ncreated %s\naged %s\n" % (state["seq"], state["created"],
                                                  state.get("aged", "0"))
        os.pwrite(fd, new.encode(), 0)
        os.ftruncate(fd, len(new))
        with open(os.path.join(folder, "log"), "a") as f:
            f.write("%d %s %s\n" % (us, state["seq"], xml))
    finally:
        os.close(fd)
    return us


def replayed(start_us, stop_us):
    """The event names a new session of nobody gets replaying [start, stop]."""
    s = NcRaw(env.popen(True))
    s.hello()
    r = s.rpc('<create-subscription xmlns="%s"><startTime>%s</startTime><stopTime>%s</stopTime>'
              '</create-subscription>' % (NOTIF, iso(start_us), iso(stop_us)))
    names = [] if s.ok(r) else ["(subscription refused: %s)" % text(r)]
    while s.ok(r) and "notificationComplete" not in names:
        m = s.read_msg(timeout=10)   # scaled by NCHOME_TIME_SCALE
        if m is None:
            names.append("(EOF)")
            break
        ev = [c for c in ET.fromstring(m) if c.tag != "{%s}eventTime" % NOTIF]
        names.append(ev[0].tag.split("}")[-1] if ev else "(empty)")
    s.close()
    return names


def mtu(name, value):
    return ('<interfaces xmlns="%s"><interface><name>%s</name><mtu>%s</mtu></interface></interfaces>'
            % (ITF, name, value))


try:
    t.ok(all(k in A for k in ("A1_GROUPS", "A2_RULES", "A3_RULES", "A4_RULES", "A5_RULES")),
         "the appendix's text is read from test_nacm_rfc.c (%s)" % sorted(A))
    root = NcRaw(env.popen(False))
    root.hello()
    t.ok(root.ok(edit(root, mtu("dummy", "1500") + mtu("eth0", "1500") +
                      '<acme-netconf xmlns="%s"><config-parameters><p>1</p></config-parameters>'
                      '<other>1</other></acme-netconf>' % ACME)),
         "root stores the appendix's acme data (no module covers it)")
    nb = NcRaw(env.popen(True))
    nb.hello()

    # ---- A.2: module rules ----
    r = load(root, "guest", A["A2_RULES"])
    t.ok(root.ok(r), "A.1 + A.2 load with one edit-config (nobody a guest)", text(r))
    ncm_filter = '<get><filter><netconf-state xmlns="%s"><schemas/></netconf-state></filter></get>' % NCM
    r = nb.rpc(ncm_filter)
    t.ok(r is not None and not NcRaw.errors(r) and
         r.find(".//{%s}netconf-state" % NCM) is None,
         "A.2 guest: no access to the monitoring data (deny-ncm), silently left out", text(r)[:300])
    t.eq(NcRaw.tags(edit(nb, mtu("dummy", "1400"))), ["access-denied"],
         "A.2 guest: writes denied (write-default deny)")
    load(root, "limited", A["A2_RULES"])
    r = nb.rpc(ncm_filter)
    t.ok(r is not None and r.find(".//{%s}schema" % NCM) is not None,
         "A.2 limited: reads the monitoring data (permit-ncm)")
    load(root, "admin", A["A2_RULES"])
    t.ok(nb.ok(edit(nb, mtu("dummy", "1400"))), "A.2 admin: writes (permit-all)")
    r = nb.rpc("<get-config><source><running/></source></get-config>")
    t.ok(r is not None and r.find(".//{%s}nacm" % ACM) is not None,
         "A.2 admin: reads the nacm subtree (permit-all comes before default-deny-all)")

    # ---- A.3: protocol operation rules ----
    r = load(root, "limited", A["A3_RULES"])
    t.ok(root.ok(r), "A.1 + A.3 load with one edit-config (nobody limited)", text(r))
    r = nb.rpc("<kill-session><session-id>999</session-id></kill-session>")
    t.eq(NcRaw.tags(r), ["access-denied"], "A.3 limited: kill-session denied (deny-kill-session)")
    r = nb.rpc("<delete-config><target><startup/></target></delete-config>")
    t.eq(NcRaw.tags(r), ["access-denied"], "A.3 limited: delete-config denied (deny-delete-config)")
    t.ok(nb.ok(nb.rpc("<lock><target><candidate/></target></lock>")) and
         nb.ok(nb.rpc("<unlock><target><candidate/></target></unlock>")),
         "A.3 limited: other operations run (exec-default permit)")
    r = edit(nb, mtu("dummy", "1300"))
    t.eq(NcRaw.tags(r), ["access-denied"],
         "A.3 limited: edit-config runs (permit-edit-config) but its write is still data-checked")

    # ---- A.4: data node rules ----
    r = load(root, "guest", A["A4_RULES"])
    t.ok(root.ok(r), "A.1 + A.4 load with one edit-config: paths with their own prefixes, "
         "to data no module covers", text(r))
    t.ok(nb.ok(edit(nb, mtu("dummy", "1200"))),
         "A.4 guest: updates the dummy interface (permit-dummy-interface)")
    t.eq(NcRaw.tags(edit(nb, mtu("eth0", "1200"))), ["access-denied"],
         "A.4 guest: not another interface")
    r = nb.rpc("<get-config><source><running/></source></get-config>")
    t.ok(r is not None and r.find(".//{%s}nacm" % ACM) is None and
         r.find(".//{%s}interfaces" % ITF) is not None,
         "A.4 guest: no /nacm (deny-nacm), the interfaces read", text(r)[:300])
    load(root, "limited", A["A4_RULES"])
    t.ok(nb.ok(edit(nb, '<acme-netconf xmlns="%s"><config-parameters><p>2</p></config-parameters>'
                    '</acme-netconf>' % ACME)),
         "A.4 limited: changes the acme config-parameters (permit-acme-config)")
    t.eq(NcRaw.tags(edit(nb, '<acme-netconf xmlns="%s"><other>2</other></acme-netconf>' % ACME)),
         ["access-denied"], "A.4 limited: not the rest of acme-netconf")
    load(root, "admin", A["A4_RULES"])
    t.ok(nb.ok(edit(nb, mtu("eth0", "9000"))), "A.4 admin: full access to every acme interface "
         "(permit-interface)")
    r = root.rpc("<get-config><source><running/></source></get-config>")
    got = {i.findtext("{%s}name" % ITF): i.findtext("{%s}mtu" % ITF)
           for i in (r.iter("{%s}interface" % ITF) if r is not None else [])}
    t.eq(got, {"dummy": "1200", "eth0": "9000"}, "running holds exactly the permitted writes")

    # ---- A.5: notification rules ----
    r = load(root, "guest", A["A5_RULES"])
    t.ok(root.ok(r), "A.1 + A.5 load with one edit-config: module-name acme-system, "
         "the operator's module", text(r))
    start = record_event("sys-other") - 1
    record_event("sys-config-change")
    stop = int(time.time() * 1e6) + 1
    for group in ("guest", "limited"):
        load(root, group, A["A5_RULES"])
        names = replayed(start, stop)
        t.ok("sys-other" in names and "sys-config-change" not in names and
             names[-2:] == ["replayComplete", "notificationComplete"],
             "A.5 %s: does not receive sys-config-change (deny-config-change), "
             "still gets other acme-system events" % group, names)
    load(root, "admin", A["A5_RULES"])
    names = replayed(start, stop)
    t.ok("sys-other" in names and "sys-config-change" in names,
         "A.5 admin: not in sys-acl's groups, receives sys-config-change (read-default permit)",
         names)
    nb.close()
    root.close()
finally:
    env.cleanup()
t.done()
