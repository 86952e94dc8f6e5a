#!/usr/bin/python3
"""A real ordinary account's unfiltered get-config from running.shared's top-level nodes (issue 15).

Every real NMS session is an ordinary account's: /nacm is hidden from it
(default-deny-all), so it cannot send running.shared as it is.  When its
read rules decide each top-level node of running whole, its new session
sends the form's ranges of the readable ones (running.index records
them).  Checked as a throwaway account (useradd in a private account
database; its NACM group a supplementary Unix group), nchome-netconf on
pipes as that account:
  - /nacm hidden alone, and a module denied whole (ietf-interfaces): the
    reply is the parse's byte for byte (forms removed), and comes from
    the form (a change planted in it shows);
  - a node of the denied module inside a readable top-level node, a
    rule denying a node inside one: the parse answers
    (the planted change never shows), the same bytes;
  - a readable range whose bytes say a denied top-level node (planted)
    is never sent: the parse answers;
  - a stale form (running changed since) is not used;
  - a session that read the old form checks the new one's ranges again,
    though the index names the same ones: a denied node planted in it
    never shows."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("top-level ranges of a real account")
from ncraw import Sessions, edit, getcfg, raw  # noqa: E402
from as_nobody import NobodyEnv, make_account  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
# a readable top-level node named as the denied one, its namespace as long
LOOK_NS = "urn:example:" + "l" * (len(IF_NS) - len("urn:example:"))
B = "urn:example:tna"
USER, GROUP = "tna", "nchome-tops"
REPLACE = ' xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="replace"'

account = make_account(USER, GROUP)
env = NobodyEnv(t, "tops-nacm-account-", 0o777)
sessions = Sessions(lambda as_account: env.popen_account(account if as_account else None),
                    close_session=True)


def path(name):
    return os.path.join(env.ds, name)


def nacm(rules):
    return ('<nacm xmlns="%s"%s><rule-list><name>tops</name><group>%s</group>%s</rule-list></nacm>'
            % (NACM_NS, REPLACE, GROUP, rules))


def set_rules(rules):
    root = sessions.session(False)
    ok = edit(root, nacm(rules))
    root.close()
    return ok


def plant(old, new):
    """Replaces bytes old (once) by new of the same length in running.shared."""
    assert len(old) == len(new)
    with open(path("running.shared"), "rb") as f:
        data = f.read()
    i = data.index(old)
    with open(path("running.shared"), "r+b") as f:
        f.seek(i)
        f.write(new)


def parsed_and_formed():
    """The account's reply parsing running (forms removed: it writes them), then from the forms."""
    for f in ("running.shared", "running.index"):
        if os.path.exists(path(f)):
            os.unlink(path(f))
    parsed = sessions.fresh_get(True)
    formed = sessions.fresh_get(True)
    return parsed, formed


try:
    root = sessions.session(False)
    items = "".join("<item><name>e%d</name><v>v%d</v></item>" % (i, i) for i in range(100))
    rep = raw(root, '<edit-config><target><running/></target><config>'
              '<top xmlns="%s">%s</top><other xmlns="urn:example:other"><a>1</a></other>'
              '<interfaces xmlns="%s"><interface><name>eth0</name><description>d0</description>'
              '<type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type>'
              '</interface></interfaces><interfaces xmlns="%s"><x>lookalike</x></interfaces>%s'
              '</config></edit-config>' % (B, items, IF_NS, LOOK_NS, nacm("")))
    t.ok(b"<ok/>" in rep,
         "root loads top (100 entries), other, ietf-interfaces, a look-alike and a rule-list with no rules",
         rep[:600])
    root.close()

    # /nacm hidden alone
    parsed, formed = parsed_and_formed()
    t.ok(formed == parsed and b"<nacm" not in parsed and b"<description>d0</description>" in parsed,
         "/nacm hidden: the form's reply is the parse's, byte for byte", (parsed[:400], formed[:400]))
    plant(b"<v>v5</v>", b"<v>P5</v>")
    r = sessions.fresh_get(True)
    t.ok(b"<v>P5</v>" in r and b"<nacm" not in r, "/nacm hidden: the reply comes from the form", r[:400])

    # a module denied whole
    t.ok(set_rules('<rule><name>no-if</name><module-name>ietf-interfaces</module-name>'
                   '<access-operations>*</access-operations><action>deny</action></rule>'),
         "root: the group may not read ietf-interfaces")
    parsed, formed = parsed_and_formed()
    t.ok(formed == parsed and b"d0" not in parsed and b"lookalike" in parsed and b"<nacm" not in parsed,
         "module denied: the form's reply is the parse's, byte for byte", (parsed[:400], formed[:400]))
    plant(b"<v>v5</v>", b"<v>P5</v>")
    r = sessions.fresh_get(True)
    t.ok(b"<v>P5</v>" in r and b"d0" not in r, "module denied: the reply comes from the form", r[:400])

    # a denied top-level node planted in a readable node's range
    plant(('<interfaces xmlns="%s"><x>' % LOOK_NS).encode(), ('<interfaces xmlns="%s"><x>' % IF_NS).encode())
    r = sessions.fresh_get(True)
    t.ok(r == parsed, "a denied top-level node planted in running.shared never shows: the parse's reply",
         (parsed[-300:], r[-300:]))

    # one session, running changed between its replies: the new form's ranges are checked
    # again, though the index names the same ones (a value changed in place) as the old form's
    parsed, formed = parsed_and_formed()
    acct = sessions.session(True)
    first = getcfg(acct)
    t.ok(first == parsed, "a kept session's get-config comes from the form", first[:400])
    root = sessions.session(False)
    t.ok(edit(root, '<top xmlns="%s"><item><name>e7</name><v>w7</v></item></top>' % B),
         "root changes e7's value (the same length: every range stays where it was)")
    root.close()
    after = sessions.fresh_get(True)
    t.ok(b"<v>w7</v>" in after and sessions.fresh_get(True) == after,
         "the new form is written and answers as the parse", after[:400])
    plant(('<interfaces xmlns="%s"><x>' % LOOK_NS).encode(), ('<interfaces xmlns="%s"><x>' % IF_NS).encode())
    second = getcfg(acct)
    acct.close()
    t.ok(second == after, "the same session: a denied node planted in the new form never shows "
         "(its ranges checked again)", (after[-300:], second[-300:]))

    # a stale form: running changed since it was written
    parsed_and_formed()
    root = sessions.session(False)
    t.ok(edit(root, '<other xmlns="urn:example:other"><a>2</a></other>'), "root changes other")
    root.close()
    r = sessions.fresh_get(True)
    t.ok(b"<a>2</a>" in r, "a stale form is not used", r[:400])
    again = sessions.fresh_get(True)
    t.ok(again == r and b"<a>2</a>" in again, "the form written again gives the same reply", again[:400])

    # a node of the denied module inside a readable top-level node: the parse answers
    root = sessions.session(False)
    t.ok(edit(root, '<mixed xmlns="urn:example:mixed"><m>1</m><z xmlns="%s">zz</z></mixed>' % IF_NS),
         "root adds a top-level node holding a node of ietf-interfaces")
    root.close()
    parsed, formed = parsed_and_formed()
    t.ok(formed == parsed and b"<m>1</m>" in parsed and b"zz" not in parsed and b"<v>v5</v>" in parsed,
         "a denied module's node inside a readable one: the same bytes", (parsed[:400], formed[:400]))
    plant(b"<v>v5</v>", b"<v>P5</v>")
    r = sessions.fresh_get(True)
    t.ok(r == parsed and b"P5" not in r, "a denied module's node inside: running answers, not the form",
         r[:400])

    # a rule inside a top-level node: the parse answers
    t.ok(set_rules('<rule><name>hide</name><path xmlns:f="%s">/f:top/f:item[f:name=\'e3\']</path>'
                   '<access-operations>read</access-operations><action>deny</action></rule>' % B),
         "root: the group may not read entry e3")
    parsed, formed = parsed_and_formed()
    t.ok(formed == parsed and b"<name>e3</name>" not in parsed and b"<name>e4</name>" in parsed,
         "a rule inside top: the same bytes", (parsed[:400], formed[:400]))
    plant(b"<v>v5</v>", b"<v>P5</v>")
    r = sessions.fresh_get(True)
    t.ok(r == parsed and b"P5" not in r, "a rule inside top: running answers, not the form", r[:400])
finally:
    sessions.kill()
    env.cleanup()
t.done()
