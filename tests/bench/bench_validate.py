#!/usr/bin/python3
"""Issue 16's validation figures: a 50,000-entry list edited with its YANG
module loaded (validation on) beside the same list without a module
(schema-less, today's behaviour), in the same run, alternating.

Three datastores, each its own nchome-netconf over pipes (tests/lib
NcRaw, no ssh: the figures are the server's), same entries:
  plain  no module covers the data (nothing validated)
  yang   tests/yang example-bench: keys, types, a pattern and a unique
  refs   example-bench-refs: the same plus a must and a leafref on the
         list (every tenth entry names a peer)
Each timed edit changes a value.  Figures per datastore:
  validate.<ds>.edit_ms      one-leaf edit-config on running (a unique
                             leaf, alpha), median; refs: the edit also
                             names a peer (leafref + must)
  validate.<ds>.commit_ms    edit-config on candidate + commit, median
  validate.<ds>.commit_unique_ms  the same, of a unique leaf (alpha)
  validate.<ds>.edit_after_commit_ms  a one-leaf edit of running (alpha)
                             right after such a commit
  validate.<ds>.get_config_ms  get-config of the whole running, median
  validate.<ds>.load_s       the bulk load (libyang validates it whole)
  validate.<ds>.copy_same_ms  last, running replaced by a small config
                             (SAME_ENTRIES entries) then copy-config of
                             that same <config> again, as an NMS pushing
                             its whole configuration idempotently: median
                             of COPIES (nothing changes, nothing to do)
Targets (issue 16): yang edit <= 5 ms, commit <= 10 ms, get-config as
plain; refs edit <= 50 ms.
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure  # noqa: E402
from ncraw import NcRaw  # noqa: E402

TOP = os.environ.get("NCHOME_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
N = int(os.environ.get("BENCH_ENTRIES", "50000"))
EDITS = int(os.environ.get("BENCH_EDITS", "300"))
COMMITS = int(os.environ.get("BENCH_COMMITS", "100"))
GETS = int(os.environ.get("BENCH_GETS", "5"))
COPIES = int(os.environ.get("BENCH_COPIES", "30"))
SAME_ENTRIES = int(os.environ.get("BENCH_SAME_ENTRIES", "1000"))

KINDS = [
    ("plain", "urn:example:bench", ""),
    ("yang", "urn:example:bench", 'module "example-bench" {}'),
    ("refs", "urn:example:bench-refs", 'module "example-bench-refs" {}'),
]


def entries(n, peers):
    return "".join('<item><name>item-%06d</name><cfg><alpha>value-alpha-%06d-padding</alpha>'
                   '<beta>value-beta-%06d-padding-padd</beta><gamma>value-gamma-%06d-padding-padding-pad</gamma>'
                   '%s</cfg></item>' % (i, i, i, i, "<peer>item-%06d</peer>" % ((i + 1) % n)
                                        if peers and i % 10 == 0 else "")
                   for i in range(n))


def edit(target, ns, body):
    return ('<edit-config><target><%s/></target><config><top xmlns="%s">%s</top></config></edit-config>'
            % (target, ns, body))


def rpc_ms(nc, inner):
    t0 = time.monotonic()
    nc.send_msg(nc.rpc_text(inner))
    reply = nc.read_msg(timeout=600)
    ms = (time.monotonic() - t0) * 1000
    if reply is None or (b"<ok/>" not in reply and b"<data" not in reply):
        raise RuntimeError("rpc failed: %r" % (reply or b"")[:600])
    return ms


envs, sessions = [], {}
try:
    for name, ns, mod in KINDS:
        env = SshEnv(name="bench-val-" + name,
                     netconf_conf='  yang-dir = "%s/tests/yang"\n  %s\n' % (TOP, mod) if mod else "")
        envs.append(env)
        nc = NcRaw(env.netconf_direct(), timeout=600)
        nc.hello("1.1")
        sessions[name] = nc
        figure("validate.%s.load_s" % name, rpc_ms(nc, edit("running", ns, entries(N, name == "refs"))) / 1000,
               "s", "one edit-config creating %d entries (%s)" % (N, name))
    lat = {name: [] for name, _, _ in KINDS}
    for i in range(EDITS):
        k = (i * 7919) % N
        for name, ns, _ in KINDS:
            peer = "<peer>item-%06d</peer>" % ((k + 3) % N) if name == "refs" else ""
            lat[name].append(rpc_ms(sessions[name], edit("running", ns, "<item><name>item-%06d</name><cfg>"
                                                          "<alpha>edited-%d</alpha>%s</cfg></item>"
                                                          % (k, i, peer))))
    for name, _, _ in KINDS:
        figure("validate.%s.edit_ms" % name, statistics.median(lat[name]), "ms",
               "one-leaf edit-config on running (unique leaf%s), median of %d, alternating with the others; "
               "target <= %s" % (", plus a leafref peer" if name == "refs" else "", EDITS,
                                 "50" if name == "refs" else "5"))
    lat = {name: [] for name, _, _ in KINDS}
    for i in range(COMMITS):
        k = (i * 104729) % N
        for name, ns, _ in KINDS:
            nc = sessions[name]
            t0 = time.monotonic()
            rpc_ms(nc, edit("candidate", ns, "<item><name>item-%06d</name><cfg><beta>cand-%d</beta></cfg></item>"
                            % (k, i)))
            rpc_ms(nc, "<commit/>")
            lat[name].append((time.monotonic() - t0) * 1000)
    for name, _, _ in KINDS:
        figure("validate.%s.commit_ms" % name, statistics.median(lat[name]), "ms",
               "edit-config on candidate + commit, median of %d; target <= 10" % COMMITS)
    # the same with a unique leaf: the commit checks the entry's unique values against every other's
    lat = {name: [] for name, _, _ in KINDS}
    for i in range(COMMITS):
        k = (i * 104729 + 17) % N
        for name, ns, _ in KINDS:
            nc = sessions[name]
            t0 = time.monotonic()
            rpc_ms(nc, edit("candidate", ns, "<item><name>item-%06d</name><cfg><alpha>ucand-%d</alpha></cfg></item>"
                            % (k, i)))
            rpc_ms(nc, "<commit/>")
            lat[name].append((time.monotonic() - t0) * 1000)
    for name, _, _ in KINDS:
        figure("validate.%s.commit_unique_ms" % name, statistics.median(lat[name]), "ms",
               "edit-config on candidate of a unique leaf + commit, median of %d" % COMMITS)
    # the first edit of running after a commit: the kept unique values follow the commit
    lat = {name: [] for name, _, _ in KINDS}
    for i in range(COMMITS):
        k = (i * 104729 + 31) % N
        for name, ns, _ in KINDS:
            nc = sessions[name]
            rpc_ms(nc, edit("candidate", ns, "<item><name>item-%06d</name><cfg><alpha>acand-%d</alpha></cfg></item>"
                            % (k, i)))
            rpc_ms(nc, "<commit/>")
            lat[name].append(rpc_ms(nc, edit("running", ns, "<item><name>item-%06d</name><cfg><alpha>after-%d"
                                             "</alpha></cfg></item>" % ((k + 1) % N, i))))
    for name, _, _ in KINDS:
        figure("validate.%s.edit_after_commit_ms" % name, statistics.median(lat[name]), "ms",
               "one-leaf edit-config on running (unique leaf) right after a candidate commit, median of %d"
               % COMMITS)
    lat = {name: [] for name, _, _ in KINDS}
    for _ in range(GETS):
        for name, _, _ in KINDS:
            lat[name].append(rpc_ms(sessions[name], "<get-config><source><running/></source></get-config>"))
    for name, _, _ in KINDS:
        figure("validate.%s.get_config_ms" % name, statistics.median(lat[name]), "ms",
               "get-config of the whole running over pipes, median of %d" % GETS)
    # last: it replaces the big list
    lat = {name: [] for name, _, _ in KINDS}
    same = {name: ('<copy-config><target><running/></target><source><config><top xmlns="%s">%s</top>'
                   '</config></source></copy-config>' % (ns, entries(SAME_ENTRIES, name == "refs")))
            for name, ns, _ in KINDS}
    for name, _, _ in KINDS:
        rpc_ms(sessions[name], same[name])	# a change: running becomes it
    for _ in range(COPIES):
        for name, _, _ in KINDS:
            lat[name].append(rpc_ms(sessions[name], same[name]))
    for name, _, _ in KINDS:
        figure("validate.%s.copy_same_ms" % name, statistics.median(lat[name]), "ms",
               "copy-config onto running of the %d-entry <config> it holds, median of %d"
               % (SAME_ENTRIES, COPIES))
    for nc in sessions.values():
        nc.close()
finally:
    for env in envs:
        env.cleanup()
