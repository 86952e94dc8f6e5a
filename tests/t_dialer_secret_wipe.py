#!/usr/bin/python3
"""Secrets are wiped in the dialer's forked children (issue 13).

Two clients hold secrets: one a secret-file's line, one an inline `secret`
in a root-only nchome.conf.  A third client's name resolves through a DNS
server that never answers, so the dialer's lookup child (forked, no exec)
stays alive.  This test, as root, reads that child's memory through
/proc/PID/mem, every readable mapping the child has pages in, and looks
for the secrets' bytes:

- the dialer itself holds both secrets (the control: the scan finds them
  where they are, so their absence below means something);
- the lookup child does not hold the secret-file's secret.  The inline
  secret is only reported (diagnostic): libconfuse's freed parse buffers
  still hold the file's text in the child (a known gap; secret-file is the
  documented way).

Under AddressSanitizer the shadow memory is a readable mapping of many
terabytes that holds no data; mappings larger than 1 GiB are skipped, in
both builds (the control shows the heap is still read).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, BlackholeDns, Dialer, Nms, client_conf, hold_open, \
    own_resolver_files  # noqa: E402

FILE_SECRET = "wipe-file-secret-%d-Qz" % os.getpid()
INLINE_SECRET = "wipe-inline-secret-%d-Kx" % os.getpid()
SLOW_NAME = "nms.wipe.nchome.test"
BIG = 1 << 30


def children(ppid):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/status" % entry) as f:
                fields = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == ppid:
            out.append((int(entry), fields["Name"].strip(), int(fields["Uid"].split()[1])))
    return out


def memory_has(pid, needles):
    """{needle: found} over pid's readable mappings (each under BIG bytes)."""
    found = {n: False for n in needles}
    with open("/proc/%d/maps" % pid) as f:
        maps = f.read().splitlines()
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            lo, hi, perms = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            if perms[0] != "r" or hi - lo > BIG or line.endswith("[vvar]") or line.endswith("[vsyscall]"):
                continue
            pos = lo
            tail = b""
            while pos < hi:
                n = min(hi - pos, 1 << 20)
                try:
                    mem.seek(pos)
                    chunk = tail + mem.read(n)
                except OSError:
                    break
                for k in needles:
                    if k in chunk:
                        found[k] = True
                tail = chunk[-64:]
                pos += n
    return found


t = TAP()
env = SshEnv("dialer-wipe")
dns = nms = d = None
try:
    dns = BlackholeDns()
    nms = Nms(handler=hold_open)
    prefix = own_resolver_files(env.dir, [], dns.host, timeout=30)
    sf = os.path.join(env.dir, "secret")
    with open(sf, "w") as f:
        f.write(FILE_SECRET + "\n")
    os.chmod(sf, 0o600)
    env.write_nchome_conf(
        client_conf("filesecret", [("127.0.0.1", nms.port)]).replace(
            "{\n", '{\n  secret-file = "%s"\n' % sf, 1)
        + client_conf("inline", [("127.0.0.1", nms.port)]).replace(
            "{\n", '{\n  secret = "%s"\n' % INLINE_SECRET, 1)
        + client_conf("slow", [(SLOW_NAME, 4334)], timeout=60))
    os.chmod(env.conf, 0o600)
    d = Dialer(env, prefix=prefix)
    t.ok(wait_for(lambda: nms.count() >= 2, 15), "both clients with secrets call home", d.log())
    nobody = __import__("pwd").getpwnam("nobody").pw_uid
    kids = wait_for(lambda: [c for c in children(d.proc.pid) if c[1] != "sshd" and c[2] == nobody], 15)
    t.ok(kids, "the lookup child hangs on the silent DNS server", children(d.proc.pid))
    needles = [FILE_SECRET.encode(), INLINE_SECRET.encode()]
    parent = memory_has(d.proc.pid, needles)
    t.ok(all(parent.values()), "control: the scan finds both secrets in the dialer's own memory",
         {k.decode(): v for k, v in parent.items()})
    child = memory_has(kids[0][0], needles) if kids else {}
    t.ok(kids and not child.get(needles[0], True),
         "the forked lookup child's memory does not hold the secret-file's secret",
         {k.decode(): v for k, v in child.items()})
    # Known gap, reported rather than hidden: an inline `secret` is wiped from
    # the dialer's own copies, but libconfuse's freed parse buffers still hold
    # the file's text, and a forked child inherits them.  secret-file is the
    # documented way (nchome.conf(5)).
    t.diag("inline secret in the lookup child: %s" % ("found (known gap)" if child.get(needles[1]) else "absent"))
    d.stop()
    t.ok(FILE_SECRET not in d.log() and INLINE_SECRET not in d.log(), "no secret is logged")
    t.eq(sanitizer_findings(), [], "no sanitizer findings")
finally:
    if d is not None:
        d.stop()
    for x in (nms, dns):
        if x is not None:
            x.close()
    env.cleanup()
t.done()
