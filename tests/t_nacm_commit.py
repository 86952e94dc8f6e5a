#!/usr/bin/env python3
"""NACM on whole-datastore changes and on the NACM config itself (issue 14).

A broken nacm config (a rule-list naming a group that is neither in
/nacm/groups nor a group of this host, a path that does not parse, a
module-name no module of the server has) is refused with invalid-value,
an error-path naming the failing rule-list or rule
(/nacm:nacm/nacm:rule-list[nacm:name='x']/nacm:rule[nacm:name='y']) and a
message naming it, and nothing
is applied: at edit-config of running, at commit of a candidate holding
it, and at copy-config onto running; even root (the recovery session)
cannot load one, so nobody is ever locked out by a typo.  A module-name
may name a module of the module set (ietf-netconf, nchome's
ietf-netconf-monitoring) or of a yang-dir file outside it (read to its
first 4 kB: not a dot-file's, nor one whose module statement lies
further in), and the rule matches it.

commit and copy-config are write-checked on what they change (a diff):
a commit by user nobody of a candidate that root filled with a change
nobody may not write is denied (access-denied, nothing committed), a
change of only an attribute too (data no module covers keeps it); a
copy-config candidate -> running whose only change nobody may write is
allowed, though it would delete and create every other top-level node
if checked coarsely."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

t = TAP()
env = NobodyEnv(t, "nacmc-", 0o777)
# yang-dir: modules outside the module set, which NACM's module names read
# (the first 4 kB of each; dot-files are not module files)
env.add_yang_dir({
    "nchome-extra.yang": 'module nchome-extra { namespace "urn:example:extra"; prefix x; }\n',
    ".nchome-hidden.yang": 'module nchome-hidden { namespace "urn:example:hidden"; prefix h; }\n',
    "nchome-late.yang": "// padding\n" * 500 + 'module nchome-late { namespace '
                        '"urn:example:late"; prefix l; }\n'})
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
W = "urn:example:w"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
GOOD = ('<nacm xmlns="%s"><rule-list><name>nobodies</name><group>nogroup</group>'
        '<rule><name>open</name><path xmlns:w="%s">/w:open</path>'
        '<access-operations>create update delete</access-operations><action>permit</action></rule>'
        '</rule-list></nacm>' % (NACM_NS, W))


def rule_list(name, group, rule):
    return ('<nacm xmlns="%s"><rule-list><name>%s</name><group>%s</group>%s</rule-list></nacm>'
            % (NACM_NS, name, group, rule))


BROKEN = [
    ("an unknown group", rule_list("typo", "no-such-group-nchome",
                                   '<rule><name>r</name><module-name>*</module-name>'
                                   '<access-operations>*</access-operations>'
                                   '<action>permit</action></rule>'), "no-such-group-nchome"),
    ("a path that does not parse", rule_list("badpath", "nogroup",
                                             '<rule><name>p</name><path>/undeclared:x</path>'
                                             '<action>permit</action></rule>'), "badpath"),
    ("an unknown module-name", rule_list("badmod", "nogroup",
                                         '<rule><name>m</name><module-name>no-such-module-x'
                                         '</module-name><action>permit</action></rule>'),
     "no-such-module-x"),
]


# where each broken config fails: the error-path names that rule-list or rule
WHERE = {
    "no-such-group-nchome": "/nacm:nacm/nacm:rule-list[nacm:name='typo']",
    "badpath": "/nacm:nacm/nacm:rule-list[nacm:name='badpath']/nacm:rule[nacm:name='p']",
    "no-such-module-x": "/nacm:nacm/nacm:rule-list[nacm:name='badmod']/nacm:rule[nacm:name='m']",
}


def refused(nc, r, what, needle):
    errs = nc.errors(r)
    e = errs[0] if errs else {}
    t.ok(e.get("error-tag") == "invalid-value" and
         (e.get("error-path") or "").strip() == WHERE[needle] and
         needle in (e.get("error-message") or ""),
         "%s: invalid-value, error-path %s, the message names it" % (what, WHERE[needle]),
         repr(errs))


def config(nc, source="running"):
    return text(nc.rpc("<get-config><source><%s/></source></get-config>" % source))


try:
    root = NcRaw(env.popen(False))
    root.hello()
    t.ok(root.ok(root.edit_config("running", GOOD + '<open xmlns="%s"><v>1</v></open>'
                      '<closed xmlns="%s"><v>1</v></closed>' % (W, W))),
         "root loads a good nacm config and data")
    for what, xml, needle in BROKEN:
        refused(root, root.edit_config("running", xml), "edit-config of running with " + what, needle)
        c = config(root)
        t.ok("typo" not in c and "badpath" not in c and "badmod" not in c and "nobodies" in c,
             "... nothing of it applied, the good config stands", c)
    what, xml, needle = BROKEN[0]
    t.ok(root.ok(root.edit_config("candidate", xml)), "the candidate may hold it meanwhile")
    refused(root, root.rpc("<commit/>"), "commit of a candidate with an unknown group", needle)
    t.ok("typo" not in config(root), "... running unchanged")
    refused(root, root.rpc("<commit><confirmed/></commit>"), "a confirmed commit of it", needle)
    t.ok(root.ok(root.rpc("<discard-changes/>")), "root discards it")
    badmod = BROKEN[2][1].replace('<nacm xmlns="%s">' % NACM_NS, "").replace("</nacm>", "")
    refused(root, root.rpc("<copy-config><target><running/></target><source><config>%s"
                           "</config></source></copy-config>" % GOOD.replace("</nacm>",
                                                                             badmod + "</nacm>")),
            "copy-config onto running with an unknown module-name", "no-such-module-x")
    t.ok("badmod" not in config(root), "... running unchanged")

    # commit is checked on its changes, for the committing session
    nb = NcRaw(env.popen(True))
    nb.hello()
    t.ok(root.ok(root.edit_config("candidate", '<closed xmlns="%s"><v>2</v></closed>' % W)),
         "root changes /w:closed in the candidate")
    r = nb.rpc("<commit/>")
    errs = nb.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied" and
         "closed" in (errs[0].get("error-path") or ""),
         "nobody's commit of it: access-denied at /w:closed", repr(errs))
    t.ok(">2</" not in config(root), "... running unchanged", config(root))
    r = nb.rpc("<commit><confirmed/><confirm-timeout>60</confirm-timeout></commit>")
    errs = nb.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied" and ">2</" not in config(root),
         "nobody's confirmed commit of it: access-denied, nothing committed", repr(errs))
    t.ok(root.ok(root.rpc("<discard-changes/>")), "root discards it")
    # an attribute is kept data: changing only one is an update of /w:closed
    t.ok(root.ok(root.rpc('<edit-config><target><candidate/></target><config xmlns:nc="%s">'
                          '<closed xmlns="%s" nc:operation="replace" a="1"><v>1</v></closed>'
                          '</config></edit-config>' % (NC, W))) and
         'a="1"' in config(root, "candidate"),
         "root changes only an attribute of /w:closed in the candidate")
    r = nb.rpc("<commit/>")
    errs = nb.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied" and 'a="1"' not in config(root),
         "nobody's commit of it: access-denied, running unchanged", repr(errs))
    t.ok(root.ok(root.rpc("<discard-changes/>")), "root discards it")
    t.ok(nb.ok(nb.edit_config("candidate", '<open xmlns="%s"><v>3</v></open>' % W)),
         "nobody changes /w:open in the candidate")
    r = nb.rpc("<commit/>")
    t.ok(nb.ok(r) and ">3</" in config(root), "nobody commits it (only /w:open changes)",
         "%r %s" % (nb.errors(r), config(root)))
    # copy-config: a diff, not every top-level node
    t.ok(nb.ok(nb.edit_config("candidate", '<open xmlns="%s"><v>4</v></open>' % W)),
         "nobody changes /w:open in the candidate again")
    r = nb.rpc("<copy-config><target><running/></target><source><candidate/></source></copy-config>")
    t.ok(nb.ok(r) and ">4</" in config(root),
         "copy-config candidate -> running whose only change is /w:open is allowed",
         repr(nb.errors(r)))
    r = nb.rpc('<copy-config><target><running/></target><source><config>'
               '<open xmlns="%s"><v>5</v></open></config></source></copy-config>' % W)
    errs = nb.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied" and ">5</" not in config(root),
         "copy-config that would delete /w:closed and the nacm subtree is denied", repr(errs))
    nb.close()
    root.close()

    # module-name: every module of the YANG folders, as nchome-netconf(8) says
    extra = ('<extra xmlns="urn:example:extra"><v>1</v></extra>'
             '<hidden xmlns="urn:example:hidden"><v>1</v></hidden>')
    mods = rule_list("mods", "nogroup",
                     '<rule><name>no-lock</name><module-name>ietf-netconf</module-name>'
                     '<rpc-name>lock</rpc-name><access-operations>exec</access-operations>'
                     '<action>deny</action></rule>'
                     '<rule><name>no-schema</name><module-name>ietf-netconf-monitoring</module-name>'
                     '<rpc-name>get-schema</rpc-name><access-operations>exec</access-operations>'
                     '<action>deny</action></rule>'
                     '<rule><name>no-extra</name><module-name>nchome-extra</module-name>'
                     '<access-operations>read</access-operations><action>deny</action></rule>'
                     '<rule><name>all</name><module-name>*</module-name>'
                     '<access-operations>*</access-operations><action>permit</action></rule>')
    root = NcRaw(env.popen(False))
    root.hello()
    r = root.edit_config("running", mods + extra)
    t.ok(root.ok(r), "rules naming modules of the set (ietf-netconf, nchome's "
         "ietf-netconf-monitoring) and of yang-dir outside it (nchome-extra) are accepted",
         repr(root.errors(r)))
    for name, why in (("nchome-hidden", "a dot-file's (.nchome-hidden.yang)"),
                      ("nchome-late", "a module statement past the first 4 kB")):
        r = root.edit_config("running", rule_list("late", "nogroup",
                                            '<rule><name>m</name><module-name>%s</module-name>'
                                            '<action>permit</action></rule>' % name))
        errs = root.errors(r)
        t.ok(errs and errs[0].get("error-tag") == "invalid-value" and name in
             (errs[0].get("error-message") or ""),
             "module-name of %s is no module of the server: refused" % why, repr(errs))
    nb = NcRaw(env.popen(True))
    nb.hello()
    errs = nb.errors(nb.rpc("<lock><target><running/></target></lock>"))
    t.ok(errs and errs[0].get("error-tag") == "access-denied",
         "nobody: module-name ietf-netconf (built-in) denies <lock>", repr(errs))
    errs = nb.errors(nb.rpc('<get-schema xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring">'
                            '<identifier>ietf-netconf</identifier></get-schema>'))
    t.ok(errs and errs[0].get("error-tag") == "access-denied",
         "nobody: module-name ietf-netconf-monitoring (nchome's folder) denies <get-schema>",
         repr(errs))
    c = config(nb)
    t.ok("urn:example:hidden" in c and "urn:example:extra" not in c,
         "nobody: module-name nchome-extra (yang-dir, outside the module set) hides its data", c)
    nb.close()
    root.close()
finally:
    env.cleanup()
t.done()
