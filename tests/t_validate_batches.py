#!/usr/bin/python3
"""A list populated in batches (issue 15): each edit of more than 256
entries checks unique against the whole list, and a session that follows
one such edit with the next hashes only the new batch again
(tree/validate_distinct.c, nchome-netconf(8) Validation).

With example-bench (unique cfg/alpha), one session edits running in
batches of BATCH (300) entries: a batch whose value another batch wrote
(the one just before, the first one) is refused with data-not-unique and
leaves running as it was; the same batch without the clash is taken
right after; a rewrite of one batch frees its old values for the next.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

B = "urn:example:bench"
BATCH = 300
YANG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "yang")
t = TAP()
env = SshEnv(name="validate-batches",
             netconf_conf='  yang-dir = "%s"\n  module example-bench {}\n' % YANG)
nc = None


def batch(lo, alpha=None):
    """Entries lo.. of one batch; alpha: {i: value} in place of a<i>."""
    alpha = alpha or {}
    return "".join("<item><name>item-%06d</name><cfg><alpha>%s</alpha></cfg></item>"
                   % (i, alpha.get(i, "a%d" % i)) for i in range(lo, lo + BATCH))


def edit(inner):
    return nc.rpc('<edit-config><target><running/></target><config><top xmlns="%s">%s</top>'
                  "</config></edit-config>" % (B, inner))


def refused(r):
    return not NcRaw.ok(r) and any(e.get("error-app-tag") == "data-not-unique"
                                   for e in NcRaw.errors(r))


def count():
    nc.send_msg(nc.rpc_text("<get-config><source><running/></source></get-config>", "g"))
    return nc.read_msg().decode().count("<name>")


try:
    nc = NcRaw(env.netconf_direct(), timeout=120)
    nc.hello("1.1")
    for k in range(4):
        r = edit(batch(k * BATCH))
        t.ok(NcRaw.ok(r), "batch %d taken" % (k + 1), "errors %r" % NcRaw.errors(r))
    lo = 4 * BATCH
    t.ok(refused(edit(batch(lo, {lo + 10: "a%d" % (lo - 5)}))),
         "a batch holding a value of the batch before it: data-not-unique")
    t.ok(refused(edit(batch(lo, {lo + 20: "a7"}))),
         "a batch holding a value of the first batch: data-not-unique")
    t.eq(count(), lo, "running as before the refused batches")
    r = edit(batch(lo))
    t.ok(NcRaw.ok(r), "the same batch without the clash is taken", "errors %r" % NcRaw.errors(r))
    r = edit(batch(0, {i: "z%d" % i for i in range(BATCH)}))
    t.ok(NcRaw.ok(r), "the first batch rewritten with other values", "errors %r" % NcRaw.errors(r))
    lo += BATCH
    r = edit(batch(lo, {lo + 1: "a3"}))
    t.ok(NcRaw.ok(r), "a value the rewrite freed is taken", "errors %r" % NcRaw.errors(r))
    lo += BATCH
    t.ok(refused(edit(batch(lo, {lo + 1: "z3"}))), "a value the rewrite wrote: data-not-unique")
    t.eq(count(), lo, "every batch taken is in running")
finally:
    if nc is not None:
        nc.kill()
    env.cleanup()
t.done()
