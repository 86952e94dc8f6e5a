#!/usr/bin/env python3
"""NACM and what errors and defaults tell (RFC 8341 3.4.3, 3.4.5): a
session of user nobody (see t_nacm_enforce.py) never learns from an
<rpc-error> about data it may not read, and <validate> is checked as the
RFC says: a datastore source is read, so its errors name nothing the
session may not read; an inline config reads no datastore (exec check
only).

- <validate> and <commit> of a candidate that is invalid inside the nacm
  subtree (default-deny-all): the error keeps its tag, loses error-path,
  app-tag and the model's message; root still gets them all.  An error in
  data nobody may read keeps its error-path.
- edit-config create of an existing node, delete of a missing one, where
  nobody may not read: access-denied instead of data-exists /
  data-missing, which would tell whether the node is there; where it may
  read, the usual tag.
- with-defaults report-all adds no default of the nacm container to
  nobody's get-config (defaults are read-checked like data)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

t = TAP()
env = NobodyEnv(t, "nacm-err-", 0o777)
ACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
SYS = "urn:ietf:params:xml:ns:yang:ietf-system"
W = "urn:example:w"
NC_OP = 'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"'
# nobody (group nogroup) may write by default, may not read /w:hidden.
NACM = ('<nacm xmlns="%s"><write-default>permit</write-default>'
        '<rule-list><name>secret-list</name><group>nogroup</group>'
        '<rule><name>hide-w</name><path xmlns:w="%s">/w:hidden</path>'
        '<access-operations>read</access-operations><action>deny</action></rule>'
        '</rule-list></nacm>' % (ACM, W))
# Invalid inside the nacm subtree: a rule without its mandatory action.
BAD_NACM = ('<nacm xmlns="%s"><rule-list><name>secret-list</name>'
            '<rule><name>secret-rule</name><module-name>*</module-name></rule>'
            '</rule-list></nacm>' % ACM)
# Invalid where nobody may read: a DNS server without its mandatory transport.
BAD_DNS = '<system xmlns="%s"><dns-resolver><server><name>d1</name></server></dns-resolver></system>' % SYS


try:
    root = NcRaw(env.popen(False))
    root.hello()
    t.ok(root.ok(root.edit_config("running", NACM + '<hidden xmlns="%s">h</hidden><open xmlns="%s">o</open>'
                      % (W, W))), "root loads the nacm config and /w:hidden, /w:open")
    t.ok(root.ok(root.edit_config("candidate", BAD_NACM)), "root puts a rule without action in candidate")
    r = root.rpc("<validate><source><candidate/></source></validate>")
    errs = NcRaw.errors(r)
    t.ok(len(errs) == 1 and errs[0].get("error-tag") == "data-missing" and
         "nacm:rule-list" in (errs[0].get("error-path") or "") and
         "action" in (errs[0].get("error-message") or ""),
         "root (recovery) validating candidate gets the full error", errs)

    nb = NcRaw(env.popen(True))
    nb.hello()
    r = nb.rpc("<validate><source><candidate/></source></validate>")
    errs = NcRaw.errors(r)
    t.ok(len(errs) == 1 and errs[0].get("error-tag") == "data-missing",
         "nobody validating candidate: still invalid, with the error's tag", errs)
    t.ok(len(errs) == 1 and "error-path" not in errs[0] and "error-app-tag" not in errs[0] and
         "error-info" not in errs[0] and "action" not in text(r) and "secret" not in text(r) and
         "nacm" not in text(r), "... without error-path, app-tag or message naming the nacm subtree",
         text(r))
    r = nb.rpc("<commit/>")
    t.ok(NcRaw.errors(r) and "secret" not in text(r) and "action" not in text(r),
         "nobody's commit of that candidate fails naming nothing inside it", text(r))
    r = nb.rpc("<discard-changes/>")
    t.ok(nb.ok(r), "nobody discards the changes", text(r))

    t.ok(nb.ok(nb.edit_config("candidate", BAD_DNS)), "nobody puts a DNS server without transport in candidate")
    r = nb.rpc("<validate><source><candidate/></source></validate>")
    errs = NcRaw.errors(r)
    t.ok(len(errs) == 1 and "dns-resolver" in (errs[0].get("error-path") or "") and
         "the data is not valid where" not in (errs[0].get("error-message") or ""),
         "an error in data nobody may read keeps its error-path and message", errs)
    nb.rpc("<discard-changes/>")
    r = nb.rpc("<validate><source><config>%s</config></source></validate>" % BAD_NACM.replace(
        "<module-name>*</module-name>", "<module-name>*</module-name><action>deny</action>"))
    t.ok(nb.ok(r), "validate of an inline config accesses no datastore: exec check only "
         "(RFC 8341 3.4.4), even with a nacm subtree in it", text(r))

    # data-exists / data-missing would tell whether an unreadable node exists.
    r = nb.edit_config("running", '<hidden xmlns="%s" %s nc:operation="create">x</hidden>' % (W, NC_OP))
    t.eq([e.get("error-tag") for e in NcRaw.errors(r)], ["access-denied"],
         "nobody's create of the existing /w:hidden it may not read: access-denied, not data-exists")
    r = nb.edit_config("running", '<nacm xmlns="%s" %s><rule-list nc:operation="delete"><name>nope</name>'
             '</rule-list></nacm>' % (ACM, NC_OP))
    t.eq([e.get("error-tag") for e in NcRaw.errors(r)], ["access-denied"],
         "nobody's delete of a missing rule-list: access-denied, not data-missing")
    r = nb.edit_config("running", '<open xmlns="%s" %s nc:operation="create">x</open>' % (W, NC_OP))
    t.eq([e.get("error-tag") for e in NcRaw.errors(r)], ["data-exists"],
         "nobody's create of the existing /w:open it may read: data-exists")
    r = nb.edit_config("running", '<gone xmlns="%s" %s nc:operation="delete"/>' % (W, NC_OP))
    t.eq([e.get("error-tag") for e in NcRaw.errors(r)], ["data-missing"],
         "nobody's delete of a missing node it may read: data-missing")

    r = nb.rpc('<get-config><source><running/></source><with-defaults xmlns="urn:ietf:params:xml:'
               'ns:yang:ietf-netconf-with-defaults">report-all</with-defaults></get-config>')
    t.ok(r is not None and not NcRaw.errors(r) and "{%s}nacm" % ACM not in
         [e.tag for e in r.iter()] and "{%s}hidden" % W not in [e.tag for e in r.iter()],
         "with-defaults report-all: no nacm defaults and no /w:hidden for nobody", text(r))
    r = root.rpc('<get-config><source><running/></source><with-defaults xmlns="urn:ietf:params:xml:'
                 'ns:yang:ietf-netconf-with-defaults">report-all</with-defaults></get-config>')
    t.ok("{%s}enable-nacm" % ACM in [e.tag for e in r.iter()] if r is not None else False,
         "... while root gets them (ietf-netconf-acm is implemented)", text(r))
    nb.close()
    root.close()
finally:
    env.cleanup()
t.done()
