#!/usr/bin/python3
"""max-session-memory with a YANG module (issue 15): a big edit of a
module's list fits in about what its entries take packed.

Before, the schema check unpacked every entry of the edit to look at its
keys and values and kept them unpacked until the reply, and a big edit
was validated as one copy of the whole list: an edit of N entries needed
several times their packed size, and under a cap it answered
resource-denied.  Now each entry is packed again once checked, and big
edits are validated in chunks.

With example-bench and max-session-memory = CAP (16 MiB): one edit of N
(20000) entries is taken.  Then, in a new session under REWRITE_CAP
(48 MiB, the store itself is most of it), an edit rewriting every entry
is taken, and get-config answers all of them with the new values.
Before, the first answered resource-denied.  (A big edit that is refused, a
unique clash, is still validated whole; test_validate_yang checks it.)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw  # noqa: E402
from memcap import N, MemcapEnv, bench_edit  # noqa: E402

CAP = int(os.environ.get("MEMCAP", 16 << 20))
REWRITE_CAP = int(os.environ.get("MEMCAP_REWRITE", 48 << 20))
t = TAP()
env = MemcapEnv("memcap-yang")


def entries(gen):
    return "".join("<item><name>item-%06d</name><cfg><alpha>value-alpha-%d-%06d</alpha><beta>"
                   "value-beta-%d-%06d</beta><gamma>value-gamma-%d-%06d-padding</gamma></cfg></item>"
                   % (i, gen, i, gen, i, gen, i) for i in range(N))


def edit(nc, inner):
    return nc.rpc(bench_edit(inner))


def get(nc):
    """get-config of running as text (the message-id left out)."""
    nc.send_msg(nc.rpc_text("<get-config><source><running/></source></get-config>", "g"))
    return nc.read_msg().decode()


try:
    a = env.session(CAP)
    r = edit(a, entries(0))
    t.ok(NcRaw.ok(r), "%d entries of a module's list in one edit fit under %d bytes" % (N, CAP),
         "errors %r" % NcRaw.errors(r))
    a.close()
    a = env.session(REWRITE_CAP)
    r = edit(a, entries(1))
    t.ok(NcRaw.ok(r), "in a new session, an edit rewriting every entry fits under %d bytes"
         % REWRITE_CAP, "errors %r" % NcRaw.errors(r))
    g = get(a)
    t.eq((g.count("<name>"), g.count("value-alpha-1-"), g.count("value-alpha-0-")), (N, N, 0),
         "get-config: every entry, with the new values")
    a.close()
finally:
    env.cleanup()
t.done()
