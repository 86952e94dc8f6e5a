#!/usr/bin/python3
"""A big edit of running refused by NACM, undone by reading running again
(issue 15; t_undo_reload.py has the other refusals).  Two datastores get
the same RPCs: A with NCHOME_UNDO_MAX 4 kB (the rewrite passes it: the
old entries are freed as they are replaced), Z with no bound (the
in-memory undo).  User nobody may write everything but the last entry;
its rewrite of every entry is refused with A's reply byte for byte Z's,
and get-config, in nobody's session and in a new one of root's, is the
content before; a rewrite that leaves the last entry alone is taken, the
same in A as in Z."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import getcfg, raw  # noqa: E402
from as_nobody import EnvPair  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
B = "urn:example:undo-nacm"
N = 600
t = TAP()


pair = EnvPair("NCHOME_UNDO_MAX")
sessions = pair.sessions


def items(gen, upto=N):
    return "".join("<item><name>item-%06d</name><v>v%d-%06d-padding-padding</v><w>w%d</w></item>"
                   % (i, gen, i, gen) for i in range(upto))


def edit(r, body):
    return raw(r, '<edit-config><target><running/></target><config><top xmlns="%s">%s</top>'
                  "</config></edit-config>" % (B, body))


RULES = ('<nacm xmlns="%s"><write-default>permit</write-default><rule-list><name>nobodies</name>'
         "<group>nogroup</group><rule><name>last</name>"
         "<path xmlns:f=\"%s\">/f:top/f:item[f:name='item-%06d']</path>"
         "<access-operations>update</access-operations><action>deny</action></rule>"
         "</rule-list></nacm>" % (NACM_NS, B, N - 1))

try:
    envs = a_env, z_env = pair.make(t, ("undo-nacm-a-", "4096"), ("undo-nacm-z-", "0"))
    for e in envs:
        root = sessions.session((e, False))
        r = raw(root, "<edit-config><target><running/></target><config><top xmlns=\"%s\">%s</top>%s"
                      "</config></edit-config>" % (B, items(0), RULES))
        t.ok(b"<ok/>" in r, "root loads %d entries and a rule: nobody may not update the last" % N, r[:300])
        root.close()
    before = sessions.fresh_get((a_env, False))
    t.ok(before == sessions.fresh_get((z_env, False)) and before.count(b"<item>") == N,
         "A and Z hold the same entries")
    a, z = sessions.session((a_env, True)), sessions.session((z_env, True))
    ra, rz = edit(a, items(1)), edit(z, items(1))
    t.ok(b"access-denied" in ra, "nobody's rewrite of every entry is refused (access-denied)", ra[:400])
    t.ok(ra == rz, "A's refusal is Z's, byte for byte", (ra[:300], rz[:300]))
    t.ok(getcfg(a) == getcfg(z), "nobody's get-config after it: A's is Z's")
    t.ok(sessions.fresh_get((a_env, False)) == before, "a new session of root's sees the content before")
    ra, rz = edit(a, items(2, N - 1)), edit(z, items(2, N - 1))
    t.ok(b"<ok/>" in ra and ra == rz, "a rewrite that leaves the last entry alone is taken", ra[:300])
    after = sessions.fresh_get((a_env, False))
    t.ok(after == sessions.fresh_get((z_env, False)) and b"v2-%06d" % (N - 2) in after and
         b"v0-%06d" % (N - 1) in after,
         "its result is Z's, byte for byte")
    for r in (a, z):
        t.ok(r.close() == 0, "nobody's session ends cleanly")
finally:
    pair.cleanup()
t.done()
