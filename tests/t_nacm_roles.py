#!/usr/bin/env python3
"""The ready-made NACM roles of contrib/nacm (issue 14), loaded as given
(one <edit-config> each, by root, the recovery session) with the role's
group renamed to the test account's: user nobody (setpriv: real uid
65534, group nogroup) then gets what the role promises.
  read-only   reads, cannot write or kill-session
  operator    writes /if:interfaces only, may lock
  super-user  writes anything, reads and changes the nacm rules"""
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
t = TAP()
nobody_env = NobodyEnv(t, "nacm-roles-", 0o777)
IF = ('<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>%s</name>'
      '<type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:other</type>'
      '</interface></interfaces>')
SYS = '<system xmlns="urn:ietf:params:xml:ns:yang:ietf-system"><contact>%s</contact></system>'
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


def session(as_nobody):
    nc = NcRaw(nobody_env.popen(as_nobody))
    nc.hello()
    return nc


def edit(nc, config):
    return nc.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>" % config)


def tag(nc, r):
    errs = nc.errors(r)
    return errs[0].get("error-tag") if errs else ("ok" if nc.ok(r) else "?")


def running(nc):
    r = nc.rpc("<get-config><source><running/></source></get-config>")
    return ET.tostring(r, encoding="unicode") if r is not None else ""


def load(role):
    """root replaces the nacm rules by contrib/nacm/ROLE.xml, group -> nogroup."""
    with open(os.path.join(TOP, "contrib", "nacm", role + ".xml")) as f:
        text = f.read()
    text = re.sub(r"<group>[^<]*</group>", "<group>nogroup</group>", text)
    text = text.replace('<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">',
                        '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm" '
                        'xmlns:nc="%s" nc:operation="replace">' % NC, 1)
    root = session(False)
    r = edit(root, text)
    t.ok(root.ok(r), "root loads contrib/nacm/%s.xml with one edit-config" % role, repr(root.errors(r)))
    root.close()


try:
    root = session(False)
    t.ok(root.ok(edit(root, IF % "base0")), "root adds interface base0")
    root.close()
    load("read-only")
    nc = session(True)
    seen = running(nc)
    t.ok("base0" in seen and "ietf-netconf-acm" not in seen,
         "read-only: reads running, the nacm subtree left out", seen)
    t.eq(tag(nc, edit(nc, IF % "ro0")), "access-denied", "read-only: cannot write the interfaces")
    t.eq(tag(nc, edit(nc, SYS % "ro")), "access-denied", "read-only: cannot write ietf-system")
    t.eq(tag(nc, nc.rpc("<kill-session><session-id>999999</session-id></kill-session>")),
         "access-denied", "read-only: cannot kill-session")
    nc.close()

    # an update of a leaf that exists (the datastore holds it packed)
    root = session(False)
    t.ok(root.ok(edit(root, SYS % "root-set")), "root sets the contact")
    root.close()
    load("operator")
    nc = session(True)
    t.eq(tag(nc, edit(nc, IF % "op0")), "ok", "operator: writes the interfaces")
    t.ok("op0" in running(nc), "operator: the interface is in running")
    t.eq(tag(nc, edit(nc, SYS % "op")), "access-denied",
         "operator: cannot change ietf-system's contact (an update inside a packed node)")
    t.ok("root-set" in running(nc), "operator: the contact is unchanged")
    t.eq(tag(nc, nc.rpc("<lock><target><running/></target></lock>")), "ok", "operator: locks running")
    t.eq(tag(nc, nc.rpc("<unlock><target><running/></target></unlock>")), "ok", "operator: unlocks it")
    r = nc.rpc("<kill-session><session-id>999999</session-id></kill-session>")
    t.ok(tag(nc, r) not in ("access-denied", "ok"),
         "operator: kill-session is permitted (an unknown session is another error)", repr(nc.errors(r)))
    nc.close()

    load("super-user")
    nc = session(True)
    t.eq(tag(nc, edit(nc, SYS % "su")), "ok", "super-user: writes ietf-system")
    t.ok("super-user" in running(nc), "super-user: reads the nacm rules")
    t.eq(tag(nc, edit(nc, '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">'
                          '<read-default>permit</read-default></nacm>')), "ok",
         "super-user: changes the nacm rules")
    nc.close()
finally:
    nobody_env.cleanup()
t.done()
