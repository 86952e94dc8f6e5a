#!/usr/bin/python3
"""A real ordinary account's new session and running.index (issue 15).

Every real NMS session is an ordinary account's (the shipped sshd_config
refuses root), and NACM applies to it: /nacm alone is default-deny-all,
so no such session may read running as it is.  Checked here with an
account made for the test (useradd, in a private account database: its
NACM group is a supplementary Unix group), nchome-netconf on pipes as
that account (setpriv with initgroups, as sshd starts it), group rules
that hide entry e3 and deny module ietf-system:
  - the account's session that parses running for an unfiltered
    get-config leaves running.shared, running.index and running.nacm
    (its own files) for the sessions after it;
  - its later sessions answer a keyed filter (subtree and XPath) from
    the index, through the same read check: a change planted in
    running.shared shows for e5, e3 stays hidden even planted, and the
    replies are byte for byte those of the parse (index removed);
  - a top-level node the account may not read (kept, bare, for one
    readable entry) is never answered from the index: the parse's reply,
    the planted change unseen;
  - a warm session holding running's tree as loaded looks at the forms
    once, not at each poll;
  - a recovery session (root) that writes running.shared writes
    running.nacm too."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("keyed filters of a real account")
from ncraw import Sessions, edit, getcfg  # noqa: E402
from as_nobody import NobodyEnv, make_account  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
B = "urn:example:kna"
USER, GROUP = "kna", "nchome-pollers"
SUBTREE = '<filter type="subtree"><top xmlns="%s"><item><name>%%s</name></item></top></filter>' % B
XPATH = '<filter type="xpath" xmlns:f="%s" select="/f:top/f:item[f:name=\'%%s\']"/>' % B

account = make_account(USER, GROUP)
uid = account[1]
env = NobodyEnv(t, "keyed-nacm-account-", 0o777)
sessions = Sessions(lambda as_account: env.popen_account(account if as_account else None),
                    close_session=True)


def rules(first=""):
    return ('<nacm xmlns="%s"><rule-list><name>pollers</name><group>%s</group>%s'
            '<rule><name>hide</name><path xmlns:f="%s">/f:top/f:item[f:name=\'e3\']</path>'
            '<access-operations>read</access-operations><action>deny</action></rule>'
            '<rule><name>no-system</name><module-name>ietf-system</module-name>'
            '<access-operations>*</access-operations><action>deny</action></rule>'
            '</rule-list></nacm>' % (NACM_NS, GROUP, first, B))


def path(name):
    return os.path.join(env.ds, name)


def plant(key, letter):
    """Changes key's v value in running.shared (same length): a reply from the form shows it."""
    with open(path("running.shared"), "rb") as f:
        data = f.read()
    i = data.index(b"<name>%s</name><v>v" % key.encode()) + len(b"<name>%s</name><v>" % key.encode())
    with open(path("running.shared"), "r+b") as f:
        f.seek(i)
        f.write(letter)


FORMS = ("running.shared", "running.index", "running.nacm")
try:
    root = sessions.session(False)
    items = "".join("<item><name>e%d</name><v>v%d</v></item>" % (i, i) for i in range(200))
    t.ok(edit(root, '<top xmlns="%s">%s</top>%s' % (B, items, rules())),
         "root loads 200 entries and the group's rules (hide e3, deny ietf-system)")
    root.close()
    t.ok(not any(os.path.exists(path(f)) for f in FORMS), "no shared form yet")

    whole = sessions.fresh_get(True)
    t.ok(b"<name>e5</name>" in whole and b"<name>e3</name>" not in whole and b"<nacm" not in whole,
         "the account's unfiltered get-config: e5, no e3, no nacm", whole[:300])
    t.ok(all(os.path.exists(path(f)) and os.stat(path(f)).st_uid == uid for f in FORMS),
         "the account's session (parsing running) left running.shared, .index and .nacm",
         [(f, os.path.exists(path(f)) and os.stat(path(f)).st_uid) for f in FORMS])

    for kind, flt in (("subtree", SUBTREE), ("XPath", XPATH)):
        for key in ("e5", "e3"):
            os.unlink(path("running.index"))
            parsed = sessions.fresh_get(True, flt % key)	# parses running, writes the index again
            t.ok(os.path.exists(path("running.index")), "%s %s: the index written again" % (kind, key))
            indexed = sessions.fresh_get(True, flt % key)
            t.ok(indexed == parsed, "%s filter by %s's key: the index's reply is the parse's, byte for byte"
                 % (kind, key), (parsed[:300], indexed[:300]))
        t.ok(b"<name>e3</name>" not in parsed and b"<rpc-reply" in parsed, "%s: e3 hidden" % kind, parsed[:300])

    plant("e5", b"P")
    plant("e3", b"Q")
    for kind, flt in (("subtree", SUBTREE), ("XPath", XPATH)):
        r5 = sessions.fresh_get(True, flt % "e5")
        r3 = sessions.fresh_get(True, flt % "e3")
        t.ok(b"<name>e5</name><v>P5</v>" in r5, "the account's new session, %s by e5: from the index" % kind,
             r5[:300])
        t.ok(b"e3" not in r3 and b"Q3" not in r3 and b"<rpc-reply" in r3,
             "the account's new session, %s by e3: hidden through the index too" % kind, r3[:300])

    # the top-level node denied, kept bare for e5 (rules in order: the permit first)
    root = sessions.session(False)
    permit5 = ('<rule><name>e5-only</name><path xmlns:f="%s">/f:top/f:item[f:name=\'e5\']</path>'
               '<access-operations>read</access-operations><action>permit</action></rule>'
               '<rule><name>no-top</name><path xmlns:f="%s">/f:top</path>'
               '<access-operations>read</access-operations><action>deny</action></rule>' % (B, B))
    t.ok(edit(root, rules(permit5).replace("<nacm ", '<nacm xmlns:nc="urn:ietf:params:xml:ns:netconf:'
                                           'base:1.0" nc:operation="replace" ', 1)),
         "root: the group may read e5 alone of top")
    root.close()
    sessions.fresh_get(True)	# forms for the new running
    for kind, flt in (("subtree", SUBTREE), ("XPath", XPATH)):
        for key in ("e5", "e7"):
            os.unlink(path("running.index"))
            parsed = sessions.fresh_get(True, flt % key)
            plant(key, b"Z")
            again = sessions.fresh_get(True, flt % key)
            t.ok(again == parsed and b"Z" not in again,
                 "top denied, %s by %s: read from running, not the index" % (kind, key),
                 (parsed[:300], again[:300]))
            os.unlink(path("running.shared"))
            sessions.fresh_get(False)	# root writes the form again
    t.ok(b"<name>e5</name><v>v5</v>" in sessions.fresh_get(True, SUBTREE % "e5"), "e5 readable, bare top")

    # a warm session (its tree as loaded) looks at the forms once, not at every poll
    w = sessions.session(True)
    getcfg(w)
    getcfg(w, SUBTREE % "e5")
    os.unlink(path("running.shared"))
    polls = [getcfg(w, SUBTREE % "e5") for _ in range(3)]
    t.ok(not os.path.exists(path("running.shared")) and all(b"<name>e5</name>" in p for p in polls),
         "the account's warm session polls from its tree, without looking at the forms again")
    w.close()
    sessions.fresh_get(False)	# root writes the form again

    # a recovery session's form brings running.nacm with it
    for f in FORMS:
        os.unlink(path(f))
    sessions.fresh_get(False)
    t.ok(all(os.path.exists(path(f)) and os.stat(path(f)).st_uid == 0 for f in FORMS),
         "root's get-config wrote running.shared, .index and .nacm",
         [(f, os.path.exists(path(f))) for f in FORMS])
finally:
    sessions.kill()
    env.cleanup()
t.done()
