#!/usr/bin/python3
"""No secret reaches the dialer's children (issue 13).

Two clients hold secrets: one a secret-file's line, one an inline `secret`
in a root-only nchome.conf.  A third client's name resolves through a DNS
server that never answers, so the dialer's lookup child stays alive.  This
test, as root, reads the children's memory through /proc/PID/mem, every
readable mapping a child has pages in, and looks for the secrets' bytes:

- the dialer itself holds both secrets (the control: the scan finds them
  where they are, so their absence below means something);
- the lookup child is a fresh image (`nchome-dialer -R`, not a fork that
  still holds libconfuse's freed parse buffers, nchome.conf's text among
  them) and holds neither secret;
- the sshd children hold neither;
- after SIGHUP adds a client with another inline secret and another slow
  name, the dialer holds the new secret (control) and the new lookup child
  holds none of the three.

Under AddressSanitizer the shadow memory is a readable mapping of many
terabytes that holds no data; mappings larger than 1 GiB are skipped, in
both builds (the control shows the heap is still read).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, BlackholeDns, Dialer, Nms, children, client_conf, \
    hold_open, own_resolver_files  # noqa: E402

FILE_SECRET = "wipe-file-secret-%d-Qz" % os.getpid()
INLINE_SECRET = "wipe-inline-secret-%d-Kx" % os.getpid()
RELOAD_SECRET = "wipe-reload-secret-%d-Jw" % os.getpid()
SLOW_NAME = "nms.wipe.nchome.test"
SLOW_NAME2 = "nms2.wipe.nchome.test"
BIG = 1 << 30


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


def cmdline(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return f.read().split(b"\0")[:-1]


def shown(found):
    return {k.decode(): v for k, v in found.items()}


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
    first = (client_conf("filesecret", [("127.0.0.1", nms.port)]).replace(
        "{\n", '{\n  secret-file = "%s"\n' % sf, 1)
        + client_conf("inline", [("127.0.0.1", nms.port)]).replace(
            "{\n", '{\n  secret = "%s"\n' % INLINE_SECRET, 1)
        + client_conf("slow", [(SLOW_NAME, 4334)], timeout=60))
    env.write_nchome_conf(first)
    os.chmod(env.conf, 0o600)
    d = Dialer(env, prefix=prefix)
    t.ok(wait_for(lambda: nms.count() >= 2, 15), "both clients with secrets call home", d.log())
    nobody = __import__("pwd").getpwnam("nobody").pw_uid

    def lookups():
        return [c for c in children(d.proc.pid) if c[1] != "sshd" and c[3] == nobody]
    kids = wait_for(lookups, 15)
    t.ok(kids, "the lookup child hangs on the silent DNS server", children(d.proc.pid))
    needles = [FILE_SECRET.encode(), INLINE_SECRET.encode()]
    parent = memory_has(d.proc.pid, needles)
    t.ok(all(parent.values()), "control: the scan finds both secrets in the dialer's own memory",
         shown(parent))
    argv = cmdline(kids[0][0]) if kids else []
    t.eq(argv[1:], [b"-R"], "the lookup child is a fresh image of the dialer (nchome-dialer -R)")
    child = memory_has(kids[0][0], needles) if kids else {}
    t.ok(kids and not any(child.values()),
         "the lookup child's memory holds neither the secret-file's nor the inline secret",
         shown(child))
    sshds = [c for c in children(d.proc.pid) if c[1] == "sshd"]
    held = {pid: shown(memory_has(pid, needles)) for pid, *_ in sshds}
    t.ok(len(sshds) >= 2 and not any(any(f.values()) for f in held.values()),
         "the sshd children (%d) hold neither secret" % len(sshds), held)

    # SIGHUP: a new client with its own inline secret, and a new slow name.
    old = set(pid for pid, *_ in kids)
    env.write_nchome_conf(first
                          + client_conf("inline2", [("127.0.0.1", nms.port)]).replace(
                              "{\n", '{\n  secret = "%s"\n' % RELOAD_SECRET, 1)
                          + client_conf("slow2", [(SLOW_NAME2, 4334)], timeout=60))
    os.chmod(env.conf, 0o600)
    d.hup()
    t.ok(d.wait_log("configuration reloaded", 15) and wait_for(lambda: nms.count() >= 3, 15),
         "after SIGHUP the new client with an inline secret calls home", d.log())
    new = wait_for(lambda: [c for c in lookups() if c[0] not in old], 15)
    needles.append(RELOAD_SECRET.encode())
    parent = memory_has(d.proc.pid, needles[2:])
    t.ok(all(parent.values()), "control: the dialer holds the reloaded inline secret",
         shown(parent))
    child = memory_has(new[0][0], needles) if new else {}
    t.ok(new and not any(child.values()),
         "the lookup child started after the reload holds none of the three secrets",
         (new, shown(child)))
    d.stop()
    t.ok(all(x not in d.log() for x in (FILE_SECRET, INLINE_SECRET, RELOAD_SECRET)),
         "no secret is logged")
    t.eq(sanitizer_findings(), [], "no sanitizer findings")
finally:
    if d is not None:
        d.stop()
    for x in (nms, dns):
        if x is not None:
            x.close()
    env.cleanup()
t.done()
