#!/usr/bin/python3
"""The state providers and commit hook shipped in contrib/, run directly.

ietf-interfaces runs inside a network namespace we create (veth pair and
loopback with traffic), ietf-system-hostname inside a UTS namespace
(unshare --uts) and against a scratch file, so the test machine's own
hostname never changes.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP, scaled  # noqa: E402

SYS_NS = "urn:ietf:params:xml:ns:yang:ietf-system"
IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
BASE_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
STATE_D = os.path.join(TOP, "contrib", "state.d")
COMMIT_D = os.path.join(TOP, "contrib", "commit.d")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

t = TAP()


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=scaled(30), **kw)


def q(ns, path):
    return "/".join("{%s}%s" % (ns, p) for p in path.split("/"))


# --- ietf-system ------------------------------------------------------------
p = run([os.path.join(STATE_D, "ietf-system")])
t.eq(p.returncode, 0, "ietf-system provider exits 0")
try:
    root = ET.fromstring(p.stdout)
except ET.ParseError as e:
    root = None
    t.ok(False, "ietf-system output is XML", str(e) + "\n" + p.stdout.decode(errors="replace"))
if root is not None:
    t.eq(root.tag, "{%s}system-state" % SYS_NS, "ietf-system prints system-state in its namespace")
    u = os.uname()
    t.eq(root.findtext(q(SYS_NS, "platform/os-name")), u.sysname, "os-name is uname -s")
    t.eq(root.findtext(q(SYS_NS, "platform/os-release")), u.release, "os-release is uname -r")
    t.eq(root.findtext(q(SYS_NS, "platform/os-version")), u.version, "os-version is uname -v")
    t.eq(root.findtext(q(SYS_NS, "platform/machine")), u.machine, "machine is uname -m")
    cur = root.findtext(q(SYS_NS, "clock/current-datetime")) or ""
    boot = root.findtext(q(SYS_NS, "clock/boot-datetime")) or ""
    t.ok(DATETIME.match(cur), "current-datetime is a date-and-time (%s)" % cur)
    t.ok(DATETIME.match(boot) and boot <= cur, "boot-datetime is a date-and-time before now (%s)" % boot)

# --- ietf-interfaces in a network namespace ---------------------------------
ns = "nchome-t%d" % os.getpid()
have_ip = shutil.which("ip") is not None
made = have_ip and run(["ip", "netns", "add", ns]).returncode == 0
if not have_ip:
    t.skip_tool("ietf-interfaces in a network namespace", "ip", "not installed (iproute2)")
elif not made:
    t.skip("ietf-interfaces in a network namespace", "cannot create a network namespace")
else:
    try:
        setup = [["ip", "-n", ns, "link", "add", "nct0", "type", "veth", "peer", "name", "nct1"],
                 ["ip", "-n", ns, "link", "set", "lo", "up"],
                 ["ip", "-n", ns, "link", "set", "nct0", "up"]]
        ok = all(run(c).returncode == 0 for c in setup)
        t.ok(ok, "namespace with loopback and a veth pair (one end up, one down)")
        # 5 UDP datagrams over the namespace's loopback: counters move.
        sender = ("import socket\n"
                  "r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(('127.0.0.1', 0))\n"
                  "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                  "for i in range(5): s.sendto(b'x' * 100, r.getsockname())\n")
        run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", sender])
        p = run(["ip", "netns", "exec", ns, os.path.join(STATE_D, "ietf-interfaces")])
        t.eq(p.returncode, 0, "ietf-interfaces provider exits 0 in the namespace")
        root = ET.fromstring(p.stdout)
        t.eq(root.tag, "{%s}interfaces-state" % IF_NS, "prints interfaces-state in the ietf-interfaces namespace")
        ifs = {i.findtext(q(IF_NS, "name")): i for i in root.findall(q(IF_NS, "interface"))}
        t.eq(sorted(ifs), ["lo", "nct0", "nct1"], "exactly the namespace's interfaces")
        lo, v0, v1 = ifs.get("lo"), ifs.get("nct0"), ifs.get("nct1")
        if lo is not None and v0 is not None and v1 is not None:
            t.eq(lo.findtext(q(IF_NS, "type")), "ianaift:softwareLoopback", "lo has type softwareLoopback")
            t.eq(lo.findtext(q(IF_NS, "oper-status")), "up", "lo (up, carrier) is oper-status up")
            lo_in = int(lo.findtext(q(IF_NS, "statistics/in-octets")) or -1)
            lo_out = int(lo.findtext(q(IF_NS, "statistics/out-unicast-pkts")) or -1)
            t.ok(lo_in >= 500 and lo_out >= 5, "lo counters count the traffic (in-octets %d, out pkts %d)" % (lo_in, lo_out))
            t.eq(v0.findtext(q(IF_NS, "admin-status")), "up", "nct0 admin-status up")
            t.eq(v1.findtext(q(IF_NS, "admin-status")), "down", "nct1 admin-status down")
            t.ok(v0.findtext(q(IF_NS, "oper-status")) in ("down", "lower-layer-down"),
                 "nct0 (peer down) is not oper up: %s" % v0.findtext(q(IF_NS, "oper-status")))
            t.eq(v1.findtext(q(IF_NS, "oper-status")), "down", "nct1 is oper-status down")
            mac = run(["ip", "netns", "exec", ns, "cat", "/sys/class/net/nct0/address"]).stdout.decode().strip()
            t.eq(v0.findtext(q(IF_NS, "phys-address")), mac, "phys-address is the MAC")
            t.ok(DATETIME.match(v0.findtext(q(IF_NS, "statistics/discontinuity-time")) or ""),
                 "statistics carry discontinuity-time")
            # Bring the peer up: both ends become oper up.
            run(["ip", "-n", ns, "link", "set", "nct1", "up"])
            p = run(["ip", "netns", "exec", ns, os.path.join(STATE_D, "ietf-interfaces")])
            root = ET.fromstring(p.stdout)
            st = {i.findtext(q(IF_NS, "name")): i.findtext(q(IF_NS, "oper-status"))
                  for i in root.findall(q(IF_NS, "interface"))}
            t.eq((st.get("nct0"), st.get("nct1")), ("up", "up"), "with both ends up, both are oper up")
            t.ok("nct0" not in {i.findtext(q(IF_NS, "name")) for i in
                                ET.fromstring(run([os.path.join(STATE_D, "ietf-interfaces")]).stdout)
                                .findall(q(IF_NS, "interface"))},
                 "outside the namespace the provider does not see it")
    finally:
        run(["ip", "netns", "del", ns])

# --- ietf-system-hostname ---------------------------------------------------
hook = os.path.join(COMMIT_D, "ietf-system-hostname")
tmp = tempfile.mkdtemp(prefix="nchome-contrib-")


def config(path, hostname):
    body = "" if hostname is None else (
        '<system xmlns="%s"><hostname>%s</hostname><contact>x</contact></system>' % (SYS_NS, hostname))
    with open(path, "w") as f:
        f.write('<config xmlns="%s">%s<other xmlns="urn:example"/></config>\n' % (BASE_NS, body))
    return path


old = config(os.path.join(tmp, "old.xml"), "before")
new = config(os.path.join(tmp, "new.xml"), "edge-42.example.net")
bad = config(os.path.join(tmp, "bad.xml"), "not a hostname!")
none = config(os.path.join(tmp, "none.xml"), None)
scratch = os.path.join(tmp, "hostname")
env = dict(os.environ, NCHOME_HOSTNAME_FILE=scratch)

p = run([hook, old, new], env=env)
t.eq(p.returncode, 0, "hostname hook applies a new hostname to the scratch file")
t.eq(open(scratch).read() if os.path.exists(scratch) else None, "edge-42.example.net\n", "scratch file holds the new hostname")
os.unlink(scratch)
p = run([hook, new, new], env=env)
t.ok(p.returncode == 0 and not os.path.exists(scratch), "unchanged hostname: nothing written")
p = run([hook, new, none], env=env)
t.ok(p.returncode == 0 and not os.path.exists(scratch), "hostname removed from the config: host left as is")
p = run([hook, old, bad], env=env)
t.ok(p.returncode == 1 and b"invalid hostname" in p.stderr and not os.path.exists(scratch),
     "invalid hostname: exit 1 with the reason on stderr", p.stderr)

# For real: sethostname(2) and the boot file, inside a UTS namespace.
real_name = socket.gethostname()
etc = os.path.join(tmp, "etc-hostname")
script = "%s %s %s && hostname" % (hook, old, new)
p = run(["unshare", "--uts", "sh", "-c", script], env=dict(os.environ, NCHOME_HOSTNAME_ETC=etc))
if p.returncode != 0 and b"unshare" in p.stderr:
    t.skip("hostname hook sets the host name in a UTS namespace", "unshare --uts failed")
else:
    t.eq(p.stdout.decode().strip(), "edge-42.example.net", "in a UTS namespace the hook sets the host name")
    t.eq(open(etc).read() if os.path.exists(etc) else None, "edge-42.example.net\n", "and writes the boot-time file")
    # Revert as nchome-netconf does it: files swapped.
    script = "hostname edge-42.example.net; NCHOME_REVERT=1 %s %s %s && hostname" % (hook, new, old)
    p = run(["unshare", "--uts", "sh", "-c", script], env=dict(os.environ, NCHOME_HOSTNAME_ETC=etc))
    t.eq(p.stdout.decode().strip(), "before", "run with the files swapped, it puts the old name back")
t.eq(socket.gethostname(), real_name, "the test machine's hostname is unchanged")

subprocess.run(["rm", "-rf", tmp])
t.done()
