#!/usr/bin/python3
"""The RELAX NG schema (netconf.schema) is not read before the hello
(issue 18: a session's start does not parse a file whose size is the
operator's): its list keys are read by the first request that needs them.

The schema path is a FIFO here: a process that opens it for reading
waits until a writer comes.  So the hello must arrive while nobody
writes it, and the first get-config (whose reply follows the schema's
keys) is answered once the test writes the schema into the FIFO."""
import os
import sys
import threading
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
X = "urn:example:lazykeys"
SCHEMA = """<grammar xmlns="http://relaxng.org/ns/structure/1.0"
  xmlns:nma="urn:ietf:params:xml:ns:netmod:dsdl-annotations:1">
 <start><element name="config" ns="%s">
  <optional><element name="top" ns="%s">
   <zeroOrMore><element name="item" nma:key="name">
     <element name="name"><text/></element>
     <optional><element name="port"><text/></element></optional>
   </element></zeroOrMore>
  </element></optional>
 </element></start>
</grammar>""" % (NS, X)

t = TAP()
env = SshEnv(name="schema-after-hello")
fifo = os.path.join(env.dir, "schema.rng")
os.mkfifo(fifo, 0o600)
env.netconf_conf = '  schema = "%s"' % fifo
env.write_nchome_conf("")

nc = NcRaw(env.netconf_direct(), timeout=10.0)
try:
    nc.hello()
    got = True
except (TimeoutError, EOFError):
    got = False
t.ok(got and nc.session_id is not None,
     "the hello comes while the schema file (a FIFO nobody writes) is not readable")

if got:
    def feed():
        with open(fifo, "w") as f:      # waits for the server to open it
            f.write(SCHEMA)
    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    r = nc.rpc("<get-config><source><running/></source></get-config>", timeout=10)
    t.ok(NcRaw.ok(r) or (r is not None and r.find("{%s}data" % NS) is not None),
         "the first get-config reads the schema's keys then, and is answered",
         ET.tostring(r) if r is not None else None)
    writer.join(5)
    t.ok(not writer.is_alive(), "the server opened the schema file for that request")
    t.eq(nc.close(), 0, "the session ends with status 0")
else:
    nc.kill()
env.cleanup()
t.done()
