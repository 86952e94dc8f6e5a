#!/usr/bin/python3
"""State providers in <get> replies through the real server: the shipped
ietf-system and ietf-interfaces providers (the latter with nchome-netconf
running inside a network namespace we create), filters applied to state,
and broken providers (failing, bad XML, entity tricks, hung) skipped
while the reply still comes."""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, TOP, InetdSshd, SshEnv, scaled  # noqa: E402
from ncraw import NcRaw  # noqa: E402

from ncclient import manager  # noqa: E402

SYS = "urn:ietf:params:xml:ns:yang:ietf-system"
IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
EX = "urn:example:state"
t = TAP()

env = SshEnv(name="nc-state")
state = os.path.join(env.dir, "state.d")
os.makedirs(state)
env.netconf_conf = 'state-providers = "%s"\n' % state
env.write_nchome_conf("")
os.symlink(os.path.join(TOP, "contrib", "state.d", "ietf-system"), os.path.join(state, "ietf-system"))
os.symlink(os.path.join(TOP, "contrib", "state.d", "ietf-interfaces"), os.path.join(state, "ietf-interfaces"))


def script(name, body, mode=0o755):
    p = os.path.join(state, name)
    with open(p, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    os.chmod(p, mode)


secret = os.path.join(env.dir, "secret.txt")
with open(secret, "w") as f:
    f.write("TOP-SECRET-CONTENT\n")
script("a-fails", "echo '<fails xmlns=\"%s\"/>'; echo oops >&2; exit 2" % EX)
script("b-badxml", "echo '<broken xmlns=\"%s\"><a></broken>'" % EX)
script("c-xxe", "echo '<!DOCTYPE x [<!ENTITY e SYSTEM \"file://%s\">]><x xmlns=\"%s\">&e;</x>'" % (secret, EX))
script("d-good", "echo '<?xml version=\"1.0\"?><counter xmlns=\"%s\"><n>7</n><m>8</m></counter>'" % EX)
script("e-hidden-dotfile", "exit 0")
os.rename(os.path.join(state, "e-hidden-dotfile"), os.path.join(state, ".hidden"))

sshd = InetdSshd(env)
m = None
ns = None


def data_of(reply):
    return ET.fromstring(reply.data_xml.encode())


try:
    m = manager.connect(host="127.0.0.1", port=sshd.port, username="root",
                        key_filename=env.user_key, hostkey_verify=False,
                        allow_agent=False, look_for_keys=False, timeout=scaled(30))
    root = data_of(m.get())
    tops = sorted(c.tag for c in root)
    t.ok("{%s}system-state" % SYS in tops and "{%s}interfaces-state" % IF in tops and
         "{%s}counter" % EX in tops, "get without filter: the good providers' state is there", tops)
    t.ok(not any(x in tops for x in ("{%s}fails" % EX, "{%s}broken" % EX, "{%s}x" % EX)),
         "failing, malformed and DOCTYPE providers are skipped", tops)
    t.ok(b"TOP-SECRET" not in ET.tostring(root), "an external entity is never expanded")

    root = data_of(m.get(filter=("subtree", '<system-state xmlns="%s"><platform/></system-state>' % SYS)))
    t.eq([c.tag for c in root], ["{%s}system-state" % SYS], "a subtree filter selects one provider's state")
    t.eq(root.findtext("{%s}system-state/{%s}platform/{%s}os-name" % (SYS, SYS, SYS)), os.uname().sysname,
         "ietf-system platform through NETCONF")
    t.eq(root.find("{%s}system-state/{%s}clock" % (SYS, SYS)), None, "the filter left the clock out")
    root = data_of(m.get(filter=("subtree", '<counter xmlns="%s"><m/></counter>' % EX)))
    t.eq((root.findtext("{%s}counter/{%s}m" % (EX, EX)), root.find("{%s}counter/{%s}n" % (EX, EX))), ("8", None),
         "filter selects inside provider output")
    root = data_of(m.get(filter=("subtree", '<interfaces-state xmlns="%s"><interface><name>lo</name>'
                                 '</interface></interfaces-state>' % IF)))
    t.ok(root.find("{%s}interfaces-state/{%s}interface/{%s}statistics" % (IF, IF, IF)) is not None,
         "ietf-interfaces: lo with its statistics through NETCONF")
    m.close_session()
    m = None

    # ---- nchome-netconf inside a network namespace ----
    ns = "nchome-s%d" % os.getpid()
    if shutil.which("ip") is None:
        ns = None
        t.skip_tool("ietf-interfaces inside a network namespace", "ip", "not installed (iproute2)")
    elif subprocess.run(["ip", "netns", "add", ns]).returncode != 0:
        ns = None
        t.skip("ietf-interfaces inside a network namespace", "cannot create a network namespace")
    else:
        for c in (["ip", "-n", ns, "link", "add", "ncs0", "type", "veth", "peer", "name", "ncs1"],
                  ["ip", "-n", ns, "link", "set", "lo", "up"],
                  ["ip", "-n", ns, "link", "set", "ncs0", "up"],
                  ["ip", "-n", ns, "link", "set", "ncs1", "up"]):
            subprocess.run(c, check=True)
        p = subprocess.Popen(["ip", "netns", "exec", ns, NETCONF, "-f", env.conf],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=dict(os.environ, USER="root"))
        nc = NcRaw(p)
        nc.hello()
        rep = nc.rpc('<get><filter type="subtree"><interfaces-state xmlns="%s"/></filter></get>' % IF)
        ifs = {i.findtext("{%s}name" % IF): i for i in rep.iter("{%s}interface" % IF)}
        t.eq(sorted(ifs), ["lo", "ncs0", "ncs1"], "in the namespace, <get> shows exactly its interfaces")
        v = ifs.get("ncs0")
        t.ok(v is not None and v.findtext("{%s}oper-status" % IF) == "up" and
             v.find("{%s}statistics/{%s}out-octets" % (IF, IF)) is not None,
             "veth end: oper-status up with counters")
        nc.close()
finally:
    if m is not None:
        try:
            m.close_session()
        except Exception:
            pass
    if ns is not None:
        subprocess.run(["ip", "netns", "del", ns])
    sshd.close()
    env.cleanup()
t.done()
