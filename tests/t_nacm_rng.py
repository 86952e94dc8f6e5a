#!/usr/bin/env python3
"""NACM and RELAX NG messages (RFC 8341 3.4.3): a schema check's message
has no error-path that NACM could check, but it quotes the node and the
value that failed, which may be anything in the document.  A session of
user nobody that may not read everything gets the error's tag with a
general message; root (recovery) gets the schema's own message.

- root puts an invalid /w:secret (not an unsignedShort) in candidate;
  nobody may not read /w:secret: its <validate> and <commit> fail with
  invalid-value, and nothing in the reply names secret or its value.
- root's <validate> of the same candidate names the failing element.
- the general message says the schema's message is withheld (it is not
  about where the error is: NACM cannot tell that for RELAX NG).
- with enable-nacm false, nobody gets the schema's message again: only
  sessions NACM restricts lose it (with NACM on, the nacm container's
  default-deny-all restricts every session but recovery's)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

t = TAP()
env = NobodyEnv(t, "nacm-rng-", 0o777)
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
ACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
W = "urn:example:w"
SCHEMA = """<grammar xmlns="http://relaxng.org/ns/structure/1.0"
  datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
 <start><element name="config" ns="%s"><interleave>
  <optional><element name="secret" ns="%s"><data type="unsignedShort"/></element></optional>
  <zeroOrMore><element><anyName><except><nsName ns="%s"/></except></anyName>
   <ref name="any"/></element></zeroOrMore>
 </interleave></element></start>
 <define name="any"><zeroOrMore><choice><attribute><anyName/></attribute><text/>
  <element><anyName/><ref name="any"/></element></choice></zeroOrMore></define>
</grammar>""" % (NC, W, W)
# nobody (group nogroup) may write by default, may not read /w:secret.
RULE = ('<rule-list><name>secret-list</name><group>nogroup</group>'
        '<rule><name>hide-secret</name><path xmlns:w="%s">/w:secret</path>'
        '<access-operations>read</access-operations><action>deny</action></rule>'
        '</rule-list>' % W)
NACM = '<nacm xmlns="%s"><write-default>permit</write-default>%s</nacm>' % (ACM, RULE)
VALUE = "topsecret-424242"


def edit(nc, ds, config, op=""):
    return nc.rpc("<edit-config><target><%s/></target>%s<config>%s</config></edit-config>"
                  % (ds, op, config))


def message(r):
    errs = NcRaw.errors(r)
    return errs[0].get("error-message") or "" if errs else ""


try:
    schema = os.path.join(env.top, "schema.rng")
    with open(schema, "w") as f:
        f.write(SCHEMA)
    os.chmod(schema, 0o644)
    env.add_netconf_settings('schema = "%s"' % schema)

    root = NcRaw(env.popen(False))
    root.hello()
    t.ok(root.ok(edit(root, "running", NACM + '<secret xmlns="%s">7</secret>' % W)),
         "root loads the nacm config and a valid /w:secret under the RELAX NG schema")
    t.ok(root.ok(edit(root, "candidate", '<secret xmlns="%s">%s</secret>' % (W, VALUE))),
         "root puts an invalid /w:secret in candidate")
    r = root.rpc("<validate><source><candidate/></source></validate>")
    t.ok(NcRaw.tags(r) == ["invalid-value"] and "secret" in message(r),
         "root's validate names the failing element", text(r))

    nb = NcRaw(env.popen(True))
    nb.hello()
    r = nb.rpc("<validate><source><candidate/></source></validate>")
    t.eq(NcRaw.tags(r), ["invalid-value"], "nobody's validate of that candidate: invalid-value")
    t.ok("secret" not in text(r) and VALUE not in text(r),
         "... naming neither /w:secret nor its value", text(r))
    t.ok("withheld" in message(r), "... saying the schema's message is withheld", text(r))
    r = nb.rpc("<commit/>")
    t.ok(NcRaw.tags(r) == ["invalid-value"] and "secret" not in text(r) and VALUE not in text(r),
         "nobody's commit of it fails the same way, naming nothing", text(r))

    t.ok(root.ok(edit(root, "running", '<nacm xmlns="%s"><enable-nacm>false</enable-nacm></nacm>' % ACM)),
         "root turns NACM off")
    nb2 = NcRaw(env.popen(True))
    nb2.hello()
    r = nb2.rpc("<validate><source><candidate/></source></validate>")
    t.ok(NcRaw.tags(r) == ["invalid-value"] and "secret" in message(r),
         "with NACM off, nobody gets the schema's own message", text(r))
    for s in (nb2, nb, root):
        s.close()
finally:
    env.cleanup()
t.done()
