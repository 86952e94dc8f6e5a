#!/usr/bin/python3
"""NACM's write check of a big edit, entry by entry as the edit goes
(issue 15): the changes inside a packed entry are checked when its edit
is done, so that it is packed again, not held unpacked till the check
after the whole edit.  The replies must be the old way's, which
NCHOME_NACM_REPACK=0 keeps: two datastores get the same RPCs, A as now,
Z with the old way.  User nobody (setpriv, a real account NACM checks)
may not update entries first, MID and last; its rewrites that reach one
of them are refused with A's reply byte for byte Z's (the first denial in
edit order: first, middle, last), also with an edit error after them
under continue-on-error (both errors), rollback-on-error and
stop-on-error (the edit error alone), and test-only; the datastore stays
as it was.  Rewrites that reach none are taken, the same in A and Z,
and the netconf-config-change of a small one lists the same edits in
the same order (a new entry before the rewritten ones).  Memory: under
max-session-memory = CAP, nobody's test-only rewrite of every entry
but the three fits in A; Z, holding them all unpacked, answers
resource-denied (at N = 2000, A needed 3 MB and Z 5 MB, counted the
sanitizer build's way).  An edit making a packed rule-list broken (a
group the host lacks) is refused, nobody's and root's: the entry packed
again still counts as touching the nacm container.  An edit entering an
entry twice (the same entry twice in one <top>, <top> twice, a merge of
it then an nc:operation on its key leaf, which names the first entry),
whose first change is allowed when made but denied once a later change
is made (a rule's predicate on a leaf the later one sets, a child under
a node the first one created), with an earlier denial of another entry
between them: A's reply and result are Z's, also when taken; and a rule
whose predicate reads a leaf above the entries (top's mode, set after
them) holds in A as in Z."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import getcfg, raw  # noqa: E402
from as_nobody import EnvPair  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
B = "urn:example:nacm-repack"
N = 2000
MID = N // 2
t = TAP()


pair = EnvPair("NCHOME_NACM_REPACK")
sessions = pair.sessions


def items(gen, lo, hi):
    return "".join("<item><name>item-%06d</name><v>v%d-%06d-padding-padding</v><w>w%d</w><x>x%d</x></item>"
                   % (i, gen, i, gen, gen) for i in range(lo, hi))


MISSING = ('<item xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="delete">'
           "<name>item-missing</name></item>")


def edit(r, body, opts=""):
    return raw(r, "<edit-config><target><running/></target>%s<config><top xmlns=\"%s\">%s</top>"
                  "</config></edit-config>" % (opts, B, body))


def rule(i, leaf):
    return ("<rule><name>deny-%d</name><path xmlns:f=\"%s\">/f:top/f:item[f:name='item-%06d']/f:%s</path>"
            "<access-operations>update</access-operations><action>deny</action></rule>" % (i, B, i, leaf))


def deny(name, path, ops):
    return ("<rule><name>%s</name><path xmlns:f=\"%s\">%s</path><access-operations>%s</access-operations>"
            "<action>deny</action></rule>" % (name, B, path, ops))


# read in the entry whose w changes (its v) or below it: entries are still checked as the edit goes
RULE_LOCKED = deny("locked", "/f:top/f:item[f:v='locked']/f:w", "update")
RULE_SUB_B = deny("sub-b", "/f:top/f:item/f:sub/f:b", "create")
RULE_LOCKED_E = deny("locked-e", "/f:small/f:e[f:v='locked']/f:w", "update")
# a list too short for an index (no entries there by key) but too big to be packed whole: an edit
# node whose first leaf carries an nc:operation takes its first entry
SMALL = '<small xmlns="%s">%s</small>' % (B, "".join("<e><k>e-%02d</k><v>%s</v><w>w</w></e>" % (i, "v" * 200)
                                                      for i in range(20)))
# read above the entries (top's mode): added last, entries then wait for the check after the edit
RULE_MODE = deny("mode", "/f:top[f:mode='locked']/f:item/f:x", "update")


def it(i, body, key_attrs=""):
    return "<item><name%s>item-%06d</name>%s</item>" % (key_attrs, i, body)


# the error-path (no keys without a schema) says which: v first, w middle, x last
# nobody may write the nacm container (the check of a broken one too)
NACM_OK = ("<rule><name>nacm-ok</name><module-name>ietf-netconf-acm</module-name>"
           "<access-operations>*</access-operations><action>permit</action></rule>")
RULES = ('<nacm xmlns="%s"><write-default>permit</write-default><rule-list><name>nobodies</name>'
         "<group>nogroup</group>%s%s%s%s</rule-list><rule-list><name>others</name><group>nogroup</group>"
         "%s</rule-list></nacm>" % (NACM_NS, rule(0, "v"), rule(MID, "w"), rule(N - 1, "x"),
                                   RULE_LOCKED + RULE_SUB_B + RULE_LOCKED_E + NACM_OK, NACM_OK))
# rule-list others is packed (no declarations in it), its change checked as the edit goes: a group
# the host lacks makes it broken (the config check, not YANG)
BROKEN = ('<nacm xmlns="%s"><rule-list><name>others</name><group>nosuchgroup</group></rule-list></nacm>'
          % NACM_NS)
FIRST, MIDDLE, LAST = (b"n1:item/n1:%s</error-path>" % x for x in (b"v", b"w", b"x"))
CAP = 4000000
CONT = "<error-option>continue-on-error</error-option>"
STOP = "<error-option>stop-on-error</error-option>"
ROLLBACK = "<error-option>rollback-on-error</error-option>"

try:
    envs = a_env, z_env = pair.make(t, ("nacm-repack-a-", "1"), ("nacm-repack-z-", "0"))
    for e in envs:
        root = sessions.session((e, False))
        r = raw(root, "<edit-config><target><running/></target><config><top xmlns=\"%s\">%s</top>%s"
                      "</config></edit-config>" % (B, items(0, 0, N), SMALL + RULES))
        t.ok(b"<ok/>" in r, "root loads %d entries and rules: nobody may not update 0, %d, %d"
             % (N, MID, N - 1), r[:300])
        root.close()
    before = sessions.fresh_get((a_env, False))
    t.ok(before == sessions.fresh_get((z_env, False)) and before.count(b"<item>") == N,
         "A and Z hold the same entries")
    every = items(4, 1, MID) + items(4, MID + 1, N - 1)
    confs = [e.add_netconf_settings("max-session-memory = %d" % CAP) for e in envs]
    ma, mz = sessions.session((a_env, True)), sessions.session((z_env, True))
    ra = edit(ma, every, "<test-option>test-only</test-option>")
    rz = edit(mz, every, "<test-option>test-only</test-option>")
    t.ok(b"<ok/>" in ra, "under max-session-memory %d, nobody's rewrite of every entry it may "
         "update fits: each entry packed again once checked" % CAP, ra[:400])
    t.ok(b"resource-denied" in rz, "the old way (every entry unpacked till the check) does not fit",
         rz[:400])
    for e in envs:	# root, whose edits NACM does not check, packs entries again as well
        r = sessions.session((e, False))
        rep = raw(r, "<edit-config><target><running/></target><config>%s</config></edit-config>" % BROKEN)
        t.ok(b"broken NACM configuration refused" in rep, "root's edit making a packed rule-list "
             "broken is refused", rep[:400])
        r.close()
    for r in (ma, mz):
        t.ok(r.close() == 0, "nobody's session under the cap ends cleanly")
    for e, conf in zip(envs, confs):
        e.write_conf(conf)
    a, z = sessions.session((a_env, True)), sessions.session((z_env, True))
    refusals = (
        ("first", items(1, 0, N), "", [b"access-denied", FIRST]),
        ("middle", items(1, 1, N), "", [b"access-denied", MIDDLE]),
        ("last", items(1, MID + 1, N), "", [b"access-denied", LAST]),
        ("middle, an edit error after it, continue-on-error", items(1, 1, N) + MISSING, CONT,
         [b"access-denied", MIDDLE, b"data-missing"]),
        ("middle, an edit error after it, rollback-on-error", items(1, 1, N) + MISSING, ROLLBACK,
         [b"data-missing"]),
        ("last, an edit error after it, stop-on-error", items(1, MID + 1, N) + MISSING, STOP,
         [b"data-missing"]),
        ("middle, test-only", items(1, 1, N), "<test-option>test-only</test-option>",
         [b"access-denied", MIDDLE]),
        ("a rule made broken", None, "", [b"invalid-value", b"broken NACM configuration refused"]),
    )
    for what, body, opts, want in refusals:
        if body is None:	# an edit of a rule (not of the list): the config check
            ra, rz = (raw(r, "<edit-config><target><running/></target><config>%s</config></edit-config>"
                          % BROKEN) for r in (a, z))
        else:
            ra, rz = edit(a, body, opts), edit(z, body, opts)
        t.ok(all(w in ra for w in want) and b"<ok/>" not in ra,
             "nobody's rewrite denied at %s is refused as it should" % what, ra[:600])
        t.ok(ra == rz, "%s: A's reply is Z's, byte for byte" % what, (ra[:600], rz[:600]))
        ga, gz, fa = getcfg(a), getcfg(z), sessions.fresh_get((a_env, False))
        t.ok(ga == gz and fa == before,
             "%s: the datastore is as before (nobody's get-config, a new session of root's)" % what,
             (ga == gz, len(ga), len(gz), len(fa), len(before), ga[:300], gz[:300]))
    NCOP = ' xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="merge"'
    top = '<top xmlns="%s">%%s</top>' % B
    W = b"n1:item/n1:w</error-path>"	# the entry's own, not LAST (x), the denial between
    revisits = (
        ("the same entry twice, its w allowed, then its v set to locked",
         top % (it(2, "<w>n</w>") + it(N - 1, "<x>n</x>") + it(2, "<v>locked</v>")), [W]),
        ("the same entry twice, its v set to locked, then its w", top % (it(2, "<v>locked</v>") + it(2, "<w>n</w>")),
         [W]),
        ("the same entry twice, one change permitted, one denied", top % (it(0, "<w>n</w>") + it(0, "<v>n</v>")),
         [FIRST]),
        ("a child under a node the entry's first edit created, a denial between",
         top % (it(3, "<sub><a>1</a></sub>") + it(MID, "<w>n</w>") + it(3, "<sub><b>2</b></sub>")),
         [b"n1:sub/n1:b</error-path>"]),
        ("<top> twice, the entry's w allowed, then its v set to locked",
         top % (it(5, "<w>n</w>") + it(N - 1, "<x>n</x>")) + top % it(5, "<v>locked</v>"), [W]),
        ("a merge of a short list's first entry, then an nc:operation on its key leaf (the first entry again)",
         '<small xmlns="%s">%s</small>' % (B, "<e><k>e-00</k><w>n</w></e><e><k%s>e-00</k><v>locked</v></e>" % NCOP),
         [b"n1:e/n1:w</error-path>"]),
    )
    for what, conf, want in revisits:
        ra, rz = (raw(r, "<edit-config><target><running/></target><config>%s</config></edit-config>" % conf)
                  for r in (a, z))
        t.ok(all(w in ra for w in want) and b"access-denied" in ra, "revisit: %s: refused" % what, ra[:600])
        t.ok(ra == rz, "revisit: %s: A's reply is Z's, byte for byte" % what, (ra[:600], rz[:600]))
        t.ok(getcfg(a) == getcfg(z) == before, "revisit: %s: the datastore is as before" % what)
    taken = top % (it(8, "<w>n</w>") + it(9, "<sub><a>1</a></sub>")) + top % (it(8, "<v>free</v>") +
                                                                               it(9, "<sub><c>2</c></sub>"))
    ra, rz = (raw(r, "<edit-config><target><running/></target><config>%s</config></edit-config>" % taken)
              for r in (a, z))
    t.ok(b"<ok/>" in ra and ra == rz, "revisit allowed twice: taken in A and Z", (ra[:400], rz[:400]))
    ga = getcfg(a)
    t.ok(ga == getcfg(z) and b"<v>free</v>" in ga and b"<c>2</c>" in ga, "its result is Z's, byte for byte")
    ra, rz = edit(a, items(2, 1, MID) + MISSING, CONT), edit(z, items(2, 1, MID) + MISSING, CONT)
    t.ok(b"data-missing" in ra and ra == rz, "a rewrite denied nowhere, an edit error after it, "
         "continue-on-error: the same reply in A and Z", (ra[:400], rz[:400]))
    after = sessions.fresh_get((a_env, False))
    t.ok(after == sessions.fresh_get((z_env, False)) and b"v2-%06d" % (MID - 1) in after and
         b"v0-%06d" % MID in after,
         "its result is Z's, byte for byte")
    for r in (a, z):
        r.send_msg(r.rpc_text('<create-subscription xmlns="%s"/>' % NOTIF_NS, message_id="6"))
        t.ok(b"<ok/>" in (r.read_msg() or b""), "nobody subscribes")
    small = "<item><name>new-a</name><v>n</v></item>" + items(3, 1, 6)
    notes = []
    for r in (a, z):
        rep = edit(r, small)
        t.ok(b"<ok/>" in rep, "a small rewrite after a new entry is taken", rep[:300])
        notes.append(re.sub(rb"<eventTime>[^<]*</eventTime>", b"", r.read_msg() or b""))
    t.ok(b"netconf-config-change" in notes[0] and notes[0].count(b"<edit>") == 16 and
         notes[0].index(b"new-a") < notes[0].index(b"item-000001"),
         "its netconf-config-change lists the new entry, then the 5 rewritten ones (3 leaves each)", notes[0][:800])
    t.ok(notes[0] == notes[1], "A's netconf-config-change is Z's", (notes[0][:600], notes[1][:600]))
    after = sessions.fresh_get((a_env, False))
    t.ok(after == sessions.fresh_get((z_env, False)) and b"v3-000005" in after and b"new-a" in after,
         "its result is Z's, byte for byte")
    for r in (a, z):
        r.send_msg(r.rpc_text("<close-session/>", message_id="7"))
        while True:	# notifications of its edits may come first
            rep = r.read_msg() or b"<rpc-reply"
            if b"<rpc-reply" in rep:
                break
        t.ok(b"<ok/>" in rep, "nobody's session ends cleanly", rep[:300])
    for e in envs:
        r = sessions.session((e, False))
        rep = raw(r, "<edit-config><target><running/></target><config><nacm xmlns=\"%s\"><rule-list>"
                     "<name>nobodies</name>%s</rule-list></nacm></config></edit-config>" % (NACM_NS, RULE_MODE))
        t.ok(b"<ok/>" in rep, "root adds a rule reading top's mode", rep[:300])
        r.close()
    a, z = sessions.session((a_env, True)), sessions.session((z_env, True))
    ra, rz = (edit(r, it(7, "<x>n</x>") + "<mode>locked</mode>") for r in (a, z))
    t.ok(b"access-denied" in ra and LAST in ra, "an entry's x, then top's mode locked: refused", ra[:600])
    t.ok(ra == rz, "A's reply is Z's, byte for byte", (ra[:600], rz[:600]))
    for r in (a, z):
        t.ok(r.close() == 0, "nobody's session ends cleanly")
finally:
    pair.cleanup()
t.done()
