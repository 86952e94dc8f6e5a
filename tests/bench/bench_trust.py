#!/usr/bin/python3
"""What the service identity (issue 13, doc/security.md) costs.

The same nchome-netconf binary, run two ways in the same run, alternating:
  shared   as the account, in a shared 2770 folder (how every session ran
           before the service identity; what a build tree still does)
  setuid   a copy set-uid to the unprivileged account `nobody`, in a 0700
           folder of its own: the set-id path of identity.c (sanitizing,
           the account lookup: name, the process's groups; the switch) on every start
A third binary may join: BENCH_OLD_NETCONF=path (e.g. main's build) runs as
`old`, like shared.  Over pipes, no sshd (its handshake would hide the
difference).  Figures (p50 of each, ms):
  trust.<mode>.setup_ms     spawn, server hello, client hello, close-session
  trust.<mode>.edit_ms      one-leaf edit-config on running (changes a value)
  trust.<mode>.commit_ms    edit-config on candidate + commit
  trust.<mode>.get_ms       get-config of BENCH_TRUST_ENTRIES list entries
Root only (it makes the set-uid copy).
"""
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import NETCONF, figure  # noqa: E402
from ncraw import NcRaw  # noqa: E402

B = "urn:example:bench"
N = int(os.environ.get("BENCH_TRUST_ENTRIES", "5000"))
ROUNDS = int(os.environ.get("BENCH_TRUST_ROUNDS", "5"))
SETUPS, EDITS, COMMITS, GETS = 20, 40, 20, 3

if os.geteuid() != 0:
    print("bench_trust: needs root (a set-uid copy)")
    sys.exit(0)
nobody = pwd.getpwnam("nobody")
top = tempfile.mkdtemp(prefix="nchome-bench-trust-")
os.chmod(top, 0o755)


def mode_dir(name, setuid, binary):
    d = os.path.join(top, name)
    os.makedirs(d, mode=0o755)
    ds = os.path.join(d, "ds")
    os.makedirs(ds)
    if setuid:
        prog = os.path.join(d, "nchome-netconf")
        shutil.copy(binary, prog)
        os.chown(prog, nobody.pw_uid, 0)
        os.chmod(prog, 0o4755)
        os.chown(ds, nobody.pw_uid, nobody.pw_gid)
        os.chmod(ds, 0o700)
    else:
        prog = binary
        os.chmod(ds, 0o2770)
    conf = os.path.join(d, "nchome.conf")
    with open(conf, "w") as f:
        f.write('netconf {\n  datastore-dir = "%s"\n  commit-hooks = "%s/none"\n'
                '  state-providers = "%s/none"\n}\n' % (ds, d, d))
    os.chmod(conf, 0o644)
    return prog, conf


modes = {"shared": mode_dir("shared", False, NETCONF), "setuid": mode_dir("setuid", True, NETCONF)}
if os.environ.get("BENCH_OLD_NETCONF"):
    modes["old"] = mode_dir("old", False, os.environ["BENCH_OLD_NETCONF"])
env = dict(os.environ, HOME=top)


def start(prog, conf):
    p = subprocess.Popen([prog, "-f", conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    nc = NcRaw(p, timeout=120)
    nc.hello()
    return nc


def ms(f):
    t0 = time.perf_counter()
    f()
    return (time.perf_counter() - t0) * 1000


def edit(nc, target, inner):
    r = nc.rpc("<edit-config><target><%s/></target><config><top xmlns=\"%s\">%s</top></config>"
               "</edit-config>" % (target, B, inner))
    assert NcRaw.ok(r), NcRaw.errors(r)


times = {m: {"setup": [], "edit": [], "commit": [], "get": []} for m in modes}
for name, (prog, conf) in modes.items():
    nc = start(prog, conf)
    edit(nc, "running", "".join("<item><name>n%d</name><v>%d</v></item>" % (i, i) for i in range(N)))
    nc.close()
counter = 0
for rnd in range(ROUNDS):
    for name, (prog, conf) in modes.items():
        t = times[name]
        for _ in range(SETUPS // ROUNDS or 1):
            t["setup"].append(ms(lambda: start(prog, conf).close()))
        nc = start(prog, conf)
        for _ in range(EDITS // ROUNDS or 1):
            counter += 1
            t["edit"].append(ms(lambda: edit(nc, "running", "<item><name>n7</name><v>%d</v></item>" % counter)))
        for _ in range(COMMITS // ROUNDS or 1):
            counter += 1

            def cc():
                edit(nc, "candidate", "<item><name>n9</name><v>%d</v></item>" % counter)
                assert NcRaw.ok(nc.rpc("<commit/>"))
            t["commit"].append(ms(cc))
        for _ in range(GETS):
            t["get"].append(ms(lambda: nc.rpc("<get-config><source><running/></source></get-config>")))
        nc.close()
for name in modes:
    for k, v in times[name].items():
        figure("trust.%s.%s_ms" % (name, k), statistics.median(v), "ms",
               "p50 of %d, over pipes, %d entries; %s" % (len(v), N,
                                                          "set-uid to nobody, 0700 folder" if name == "setuid"
                                                          else "as root, shared 2770 folder"))
for k in ("setup", "edit", "commit", "get"):
    a, b = statistics.median(times["shared"][k]), statistics.median(times["setuid"][k])
    figure("trust.setuid_vs_shared.%s" % k, b / a, "ratio", "p50 setuid / p50 shared, same run")
shutil.rmtree(top, ignore_errors=True)
