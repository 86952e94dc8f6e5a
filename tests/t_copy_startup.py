#!/usr/bin/python3
"""copy-config running -> startup onto an existing startup (issue 15).

The copy compares the old startup with running node by node for NACM's
write check (ops/nacm_pair.c, no flattened copies) and drops running's
list indexes before startup is parsed.  Whatever it compares, startup
must end up exactly running's content: get-config of startup is, byte
for byte, get-config of running (its <data> alike), after root's copies
(no NACM: the recovery account) onto a startup that differs and onto
one that is equal, with a list indexed by an earlier edit of the same
session.

With NACM, as user nobody (setpriv, an account NACM checks; write-default
permit), whom rules deny the update of entry k1 and of the top-level
leaf flag: copies where k1 and flag are equal in old and new startup are
taken (a denied node that does not change needs no right), with
startup then running's content; a copy where k1 differs in its last
leaf only, the same length (k1 stays packed: the comparison must read
its whole string), or where flag differs in text of the same length
(an unpacked leaf: the text itself compared), is refused with
access-denied and startup stays as it was, byte for byte."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import Sessions, raw, getcfg  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
T = "urn:example:copy-startup"
N = 200
t = TAP()


def item(i, last="tail"):
    return ("<item><name>k%d</name><a>alpha-%d</a><b>beta-beta-beta-%d</b><c>gamma-%s</c></item>"
            % (i, i, i, last))


def config(k1_last="tail", flag="aaaa", k0_a="alpha-0"):
    items = [item(i) for i in range(N)]
    items[0] = items[0].replace("<a>alpha-0</a>", "<a>%s</a>" % k0_a)
    items[1] = item(1, k1_last)
    return ('<top xmlns="%s">%s</top><flag xmlns="%s">%s</flag>' % (T, "".join(items), T, flag))


def deny(name, path):
    return ('<rule><name>%s</name><path xmlns:t="%s">%s</path><access-operations>update'
            '</access-operations><action>deny</action></rule>' % (name, T, path))


RULES = ('<nacm xmlns="%s"><write-default>permit</write-default><rule-list><name>nobodies</name>'
         '<group>nogroup</group>%s%s</rule-list></nacm>'
         % (NACM_NS, deny("k1", "/t:top/t:item[t:name='k1']"), deny("flag", "/t:flag")))
COPY = "<copy-config><target><startup/></target><source><running/></source></copy-config>"


def startup(r):
    return raw(r, "<get-config><source><startup/></source></get-config>")


env = NobodyEnv(t, "copy-startup-", 0o777)
sessions = Sessions(lambda nobody: env.popen(nobody), close_session=True)
try:
    root = sessions.session(False)

    def set_running(cfg):
        r = raw(root, "<edit-config><target><running/></target><default-operation>replace"
                      "</default-operation><config>%s%s</config></edit-config>" % (cfg, RULES))
        return b"<ok/>" in r

    t.ok(set_running(config()), "root loads %d entries, a leaf and the rules" % N)
    r = raw(root, COPY)
    t.ok(b"<ok/>" in r, "root copies running to startup (none yet)", r[:300])
    t.ok(set_running(config(k1_last="TAIL", flag="bbbb")), "root changes k1's last leaf and flag")
    r = raw(root, "<edit-config><target><running/></target><config><top xmlns=\"%s\"><item><name>k7</name>"
                  "<a>seven</a></item></top></config></edit-config>" % T)
    t.ok(b"<ok/>" in r, "an edit of one entry (running's list indexed in this session)", r[:300])
    r = raw(root, COPY)
    t.ok(b"<ok/>" in r, "root copies running onto the startup that differs", r[:300])
    run = getcfg(root)
    t.ok(b"seven" in run and b"TAIL" in run, "running holds the changes", run[:200])
    t.eq(startup(root), run, "startup is running's content, byte for byte")
    r = raw(root, COPY)
    t.ok(b"<ok/>" in r, "root copies again, onto an equal startup", r[:300])
    t.eq(startup(root), run, "startup is still running's content")
    t.eq(sessions.fresh_get(False), run, "a new session reads the same running")

    # nobody: NACM checks what the copy changes in startup
    t.ok(set_running(config()), "root: running as at first, startup differs in k1, flag, k7")
    nb = sessions.session(True)
    before = startup(root)
    r = raw(nb, COPY)
    t.ok(b"access-denied" in r and b"<ok/>" not in r,
         "nobody's copy changing k1 and flag (denied to it) is refused", r[:500])
    t.eq(startup(root), before, "startup stays as it was")
    r = raw(root, COPY)
    t.ok(b"<ok/>" in r, "root copies: startup equals running", r[:300])
    t.ok(set_running(config(k0_a="alpha-X")), "root changes k0 (nobody may update it)")
    r = raw(nb, COPY)
    t.ok(b"<ok/>" in r, "nobody's copy changing k0 only (k1 and flag equal) is taken", r[:500])
    t.eq(startup(root), getcfg(root), "startup is running's content, byte for byte")
    for what, cfg in (("k1's last leaf (packed entry, same length)", config(k0_a="alpha-X", k1_last="TAIL")),
                      ("flag's text (unpacked leaf, same length)", config(k0_a="alpha-X", flag="bbbb"))):
        t.ok(set_running(cfg), "root changes %s" % what)
        before = startup(root)
        r = raw(nb, COPY)
        t.ok(b"access-denied" in r and b"<ok/>" not in r,
             "nobody's copy changing %s is refused" % what, r[:500])
        t.eq(startup(root), before, "startup stays as it was")
    t.ok(set_running(config(k0_a="alpha-Y")), "root: k1 and flag as in startup, k0 changed again")
    r = raw(nb, COPY)
    t.ok(b"<ok/>" in r, "nobody's copy is taken", r[:500])
    t.eq(startup(root), getcfg(root), "startup is running's content, byte for byte")
    for s in (nb, root):
        t.ok(s.close() == 0, "the session ends cleanly")
finally:
    sessions.kill()
    env.cleanup()
t.done()
