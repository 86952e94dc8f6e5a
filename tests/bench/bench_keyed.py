#!/usr/bin/python3
"""A new session's keyed filter (issue 15): its first get-config of running
with a filter selecting entries by key, subtree and XPath, at 5,000 and
50,000 entries (BENCH_SIZES), nchome-netconf over pipes (no sshd: the
server's own time; raw NETCONF 1.1, no ncclient).

Trees: NCHOME_BENCH_TREES="old=/path new=/path" compares builds (each
tree's subsystem/nchome-netconf, e.g. main before the change and the
branch after it, both built without sanitizers) in the same run,
alternating sample by sample, each on a datastore of its own with the
same content; default: this tree alone ("this").

Each size: one session loads N entries (list item, key name, three more
leaves) with one edit-config; one new session reads running unfiltered
(as sessions that follow each other do: it writes running.shared and, in
a build that has it, running.index).  Then per sample and tree, a new
session's first request, timed from the request's first byte to the
reply's last:
  keyed.<tree>.subtree_<N>_ms  <filter><top><item><name>K</name></item></top>
  keyed.<tree>.xpath_<N>_ms    /top/item[name='K']
median over BENCH_SAMPLES keys (a different entry each sample); a reply
that does not hold its key, or differs between the trees, stops the run.
keyed.<tree>.<kind>_50k_vs_5k is the ratio of the two sizes' medians
(independent of list size: ~1); keyed.new_vs_old.* when two trees.

BENCH_ACCOUNT=<account>: the timed sessions run as that ordinary account,
with running's NACM group rules (tests/lib/bench_account.py), as every
real NMS session does; the loading session stays root (the unfiltered
read that follows it is the account's); every figure's name ends in .nonroot.
"""
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure, NETCONF  # noqa: E402
from netconf_pipes import Direct, deframed  # noqa: E402
from bench_account import BenchAccount  # noqa: E402

B = "urn:example:bench"
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "5000 50000").split()]
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "9"))
ACCOUNT = BenchAccount.from_env()
SUFFIX = ACCOUNT.suffix if ACCOUNT else ""


def entries(n):
    return "".join('<item><name>item-%06d</name><cfg><alpha>value-alpha-%06d-padding</alpha>'
                   '<beta>value-beta-%06d-padding-padd</beta><gamma>value-gamma-%06d-padding-padding-'
                   'padding-pad</gamma></cfg></item>' % (i, i, i, i) for i in range(n))


def request(kind, key):
    if kind == "subtree":
        f = ('<filter type="subtree"><top xmlns="%s"><item><name>%s</name></item></top></filter>' % (B, key))
    else:
        f = ('<filter type="xpath" xmlns:b="%s" select="/b:top/b:item[b:name=\'%s\']"/>' % (B, key))
    return "<get-config><source><running/></source>%s</get-config>" % f


class Tree:
    def __init__(self, tag, top):
        self.tag = tag
        self.prog = os.path.join(top, "subsystem", "nchome-netconf") if top else NETCONF
        self.env = SshEnv(name="bench-keyed-" + tag)
        self.res = {}
        if ACCOUNT:
            ACCOUNT.share(self.env)
            ACCOUNT.check_prog(self.prog)

    def load(self, n):
        ds = self.env.datastore_dir
        shutil.rmtree(ds, ignore_errors=True)
        os.makedirs(ds)
        if ACCOUNT:
            os.chmod(ds, 0o777)
        s = Direct(self.prog, self.env.conf)
        r = s.rpc('<edit-config><target><running/></target><config><top xmlns="%s">%s</top>%s</config>'
                  '</edit-config>' % (B, entries(n), ACCOUNT.nacm if ACCOUNT else ""))
        s.close()
        if b"<ok/>" not in r:
            raise RuntimeError("%s: load failed: %r" % (self.tag, r[:300]))
        # the read that follows: the account's when BENCH_ACCOUNT (no root session, as in
        # a real deployment: whatever forms there are, an ordinary account's session wrote)
        s = Direct(argv=ACCOUNT.argv(self.prog, self.env.conf)) if ACCOUNT else Direct(self.prog, self.env.conf)
        s.rpc("<get-config><source><running/></source></get-config>")
        s.close()

    def sample(self, n, kind, key):
        s = Direct(argv=ACCOUNT.argv(self.prog, self.env.conf)) if ACCOUNT else Direct(self.prog, self.env.conf)
        r = s.rpc(request(kind, key))
        ms = s.last_ms
        s.close()
        r = deframed(r)
        if ("<name>%s</name>" % key).encode() not in r:
            raise RuntimeError("%s %s %s: %r" % (self.tag, kind, key, r[:300]))
        self.res.setdefault("%s_%d" % (kind, n), []).append(ms)
        return r


spec = os.environ.get("NCHOME_BENCH_TREES", "").split()
trees = [Tree(*s.split("=", 1)) for s in spec] if spec else [Tree("this", None)]
try:
    for n in SIZES:
        for t in trees:
            t.load(n)
        for i in range(SAMPLES):
            key = "item-%06d" % ((i * 7919 + 11) % n)
            for kind in ("subtree", "xpath"):
                replies = {t.tag: t.sample(n, kind, key) for t in (trees if i % 2 == 0 else trees[::-1])}
                if len(set(replies.values())) != 1:
                    raise RuntimeError("%d %s %s: the trees' replies differ" % (n, kind, key))
    for t in trees:
        for k, v in t.res.items():
            figure("keyed.%s.%s_ms%s" % (t.tag, k, SUFFIX), statistics.median(v), "ms",
                   "median of %d (%s)" % (len(v), ", ".join("%.3g" % x for x in v)))
        if len(SIZES) == 2:
            for kind in ("subtree", "xpath"):
                a, b = (statistics.median(t.res["%s_%d" % (kind, n)]) for n in SIZES)
                figure("keyed.%s.%s_%dk_vs_%dk%s" % (t.tag, kind, SIZES[1] // 1000, SIZES[0] // 1000, SUFFIX),
                       b / a, "x",
                       "median at %d entries / median at %d" % (SIZES[1], SIZES[0]))
    if len(trees) == 2:
        for k in trees[0].res:
            new, old = (statistics.median(t.res[k]) for t in (trees[1], trees[0]))
            figure("keyed.%s_vs_%s.%s%s" % (trees[1].tag, trees[0].tag, k, SUFFIX), new / old, "x",
                   "%s median / %s median" % (trees[1].tag, trees[0].tag))
    print("every reply held its key; the trees' replies were byte-identical")
finally:
    for t in trees:
        t.env.cleanup()
