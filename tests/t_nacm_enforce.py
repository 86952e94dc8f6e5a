#!/usr/bin/env python3
"""NACM enforced in nchome-netconf (issue 14 phase 2): root, the recovery
session, loads a nacm config; a session of user nobody (setpriv: real uid
65534, group nogroup from the account database) is then refused an RPC a
rule of its Unix group denies (access-denied), and never reads the
default-deny-all nacm subtree in <get-config>, with or without a filter,
nor in <get>; root still reads it.  A change of the rules by another
session reaches an open session's next RPC (the view is cached).

A session's Unix groups are looked up only when a view needs them (a
rule-list to match; not the recovery session): strace sees no open of
/etc/group in a session of nobody's before any rules exist, nor in root's
once they do; the session opened before the rules still gets its group's
rule once they come; with rules, nobody's session looks them up after
its hello, before it reads its first request (server_prepare builds the
view there, not in the request), opening no libnss_ module (its groups
are its process's, not the group database's), and does not wait there
for another process's write lock.  Root's session (recovery: its view is bypassed)
reads no module file for NACM's module names after its hello either;
nobody's takes the names of the module set's files from the scan before
its hello (no module file is read twice) and reads only the first 4 kB of
the files outside the set (yang-dir's here) after it.  Root's bypassed
view is built after its hello too, not in its first request: its debug
line is written before the session reads its input."""
import fcntl
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, scaled  # noqa: E402
from ncraw import NcRaw, text  # noqa: E402
from as_nobody import NO_EXECVE, NobodyEnv, libnss_opened, netconf_trace_lines  # noqa: E402

t = TAP()
nobody_env = NobodyEnv(t, "nacm-", 0o777)
NACM = ('<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">'
        '<rule-list><name>nobodies</name><group>nogroup</group>'
        '<rule><name>no-lock</name><module-name>*</module-name><rpc-name>lock</rpc-name>'
        '<access-operations>exec</access-operations><action>deny</action></rule>'
        '<rule><name>open</name><path xmlns:w="urn:example:w">/w:open</path>'
        '<access-operations>create update delete</access-operations><action>permit</action></rule>'
        '</rule-list></nacm>')
W = "urn:example:w"
GET_RUNNING = "<get-config><source><running/></source></get-config>"


def session(as_nobody):
    return nobody_env.popen(as_nobody)


STRACE = shutil.which("strace")
trace_dir = tempfile.mkdtemp(prefix="nacm-trace-")


def traced(as_nobody, name):
    """A session under strace (its file opens into a log); None without strace."""
    if STRACE is None:
        return None, None
    log = os.path.join(trace_dir, name)
    wrap = [STRACE, "-f", "-qq", "-s", "100", "-e", "trace=open,openat,execve,write,writev,read",
            "-o", log]
    return NcRaw(nobody_env.popen(as_nobody, wrap=wrap)), log


def opened_group_db(log):
    """nchome-netconf's opens of /etc/group (not setpriv's)."""
    lines = netconf_trace_lines(log)
    if lines is None:
        return [NO_EXECVE]
    return [line.strip() for line in lines if '"/etc/group"' in line]


def yang_reads(log):
    """The module files nchome-netconf opened before it first read its input
    (the client's hello): [(path, bytes read, after our hello)], in order.
    The schema layer's scan reads the module set's files before the hello;
    NACM's module names, after it, only the files the scan did not read."""
    fds, out, hello = {}, [], False
    for line in netconf_trace_lines(log) or []:
        if re.search(r" read\(0, ", line):
            break
        if re.search(r" writev?\(1, .*<hello", line):
            hello = True
        m = re.search(r' open(at)?\(.* = (\d+)$', line)
        if m:
            fds.pop(m.group(2), None)	# a descriptor number is reused
            y = re.search(r'open(at)?\((AT_FDCWD|\d+), "([^"]*\.yang)"', line)
            if y:
                fds[m.group(2)] = len(out)
                out.append([y.group(3), 0, hello])
            continue
        m = re.search(r" read\((\d+), .* = (\d+)$", line)
        if m and m.group(1) in fds:
            out[fds[m.group(1)]][1] += int(m.group(2))
    return out


def yang_after_hello(log):
    """Module files opened after the hello, before the input is read."""
    return [r for r in yang_reads(log) if r[2]]


def group_lookup_before_request(log):
    """'' when nchome-netconf opened /etc/group before it first read its
    input (the client's hello and request), else what it did instead."""
    lines = netconf_trace_lines(log)
    if lines is None:
        return NO_EXECVE
    for line in lines:
        if '"/etc/group"' in line:
            return ""
        if re.search(r" read\(0, ", line):
            return "read its input first: %s" % line.strip()
    return "never opened /etc/group"


def view_built_before_request(log):
    """'' when nchome-netconf wrote its "NACM view built" debug line (-d:
    stderr) before it first read its input, else what it did instead."""
    lines = netconf_trace_lines(log)
    if lines is None:
        return NO_EXECVE
    for line in lines:
        if re.search(r" writev?\(2, .*NACM view built", line):
            return ""
        if re.search(r" read\(0, ", line):
            return "read its input first: %s" % line.strip()
    return "never built a view"


def traced_rpc(as_nobody, name, desc, request):
    """One request in a traced session after the hello: (session, reply,
    log), or Nones after a skip without strace."""
    nc, log = traced(as_nobody, name)
    if nc is None:
        t.skip_tool(desc, "strace")
        return None, None, None
    nc.hello()
    r = nc.rpc(request)
    nc.close()
    return nc, r, log


def check_root_view_after_hello(desc):
    """Root's (recovery) view, bypassed, is built after the hello, before
    the session reads its first request: the first request does not pay
    for it; the first request still succeeds."""
    nc, r, log = traced_rpc(False, "root-view", desc, GET_RUNNING)
    if nc is None:
        return
    why = view_built_before_request(log)
    t.ok(r is not None and not nc.errors(r) and "nobodies" in text(r) and not why, desc,
         "%r %s" % (r, why))


def check_view_after_hello(desc):
    """With rules of its group, nobody's session builds its view after its
    hello (server_prepare): its Unix groups looked up before it reads the
    request, not in the request."""
    nc, r, log = traced_rpc(True, "nobody-rules", desc, GET_RUNNING)
    if nc is None:
        return
    why = group_lookup_before_request(log)
    t.ok(r is not None and not nc.errors(r) and not why, desc, "%r %s" % (r, why))
    t.ok(not libnss_opened(log), "its groups are its process's: no libnss_ module opened "
         "(getgrouplist would load every NSS source)", repr(libnss_opened(log)))


def check_no_parse_ahead(desc):
    """running.nacm gone (not current): nobody's session does not parse
    running after its hello, before its request (held while the request is
    read, running's tree would add to the request's buffer); its first
    request reads the rules, which still apply."""
    os.unlink(os.path.join(nobody_env.ds, "running.nacm"))
    nc, r, log = traced_rpc(True, "nobody-noform", desc, "<lock><target><running/></target></lock>")
    if nc is None:
        return
    lines = netconf_trace_lines(log)
    ahead, read_input = [], False
    for line in lines or []:
        if re.search(r" read\(0, ", line):
            read_input = True
            break
        if '"running.xml"' in line:
            ahead.append(line.strip())
    errs = nc.errors(r) if r is not None else []
    t.ok(lines and read_input and not ahead and errs and errs[0].get("error-tag") == "access-denied",
         desc, "%r %r" % (ahead, errs))


def check_view_under_write_lock(desc):
    """Another process holds the write lock when nobody's session starts:
    the view built after the hello does not wait for it (the first RPC
    does, within lock-wait), so the first reply comes within one
    lock-wait, not two; once the lock goes the session's rules apply."""
    lock_wait, margin = scaled(2.0), scaled(1.5)
    conf = nobody_env.add_netconf_settings("lock-wait = %g" % lock_wait)
    lockfd = os.open(os.path.join(nobody_env.ds, ".ds-write.lock"), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lockfd, fcntl.LOCK_EX)
        nc = NcRaw(session(True))
        nc.hello()
        t0 = time.monotonic()
        try:
            r = nc.rpc(GET_RUNNING,
                       timeout=2 * lock_wait + margin)
        except TimeoutError:
            r = None
        took = time.monotonic() - t0
        t.ok(r is not None and nc.errors(r) and took < lock_wait + margin, desc,
             "%r after %.1fs (lock-wait %gs)" % (nc.errors(r) if r is not None else None, took, lock_wait))
        fcntl.flock(lockfd, fcntl.LOCK_UN)
        r = nc.rpc("<lock><target><running/></target></lock>")
        errs = nc.errors(r)
        t.ok(errs and errs[0].get("error-tag") == "access-denied",
             "once the write lock goes, its first view follows the rules: its Unix group's rule "
             "denies <lock>", repr(errs))
        nc.close()
    finally:
        os.close(lockfd)
        nobody_env.write_conf(conf)


def check_no_group_lookup(as_nobody, name, desc, desc_yang=None):
    """A traced session's hello and get-config: no look-up of its Unix groups
    (desc_yang: nor of NACM's module names after the hello)."""
    nc, r, log = traced_rpc(as_nobody, name, desc, GET_RUNNING)
    if nc is None:
        if desc_yang:
            t.skip_tool(desc_yang, "strace")
        return
    t.ok(r is not None and not nc.errors(r) and not opened_group_db(log), desc,
         "%r %r" % (r, opened_group_db(log)))
    if desc_yang:
        t.ok(not yang_after_hello(log), desc_yang, repr(yang_after_hello(log)))
    if as_nobody:
        got = yang_reads(log)
        paths = [r[0] for r in got]
        after = yang_after_hello(log)
        t.ok(got and len(set(paths)) == len(paths),
             "nobody's session reads no module file twice before its first request "
             "(NACM's module names: the module set's, as the scan read them)", repr(got))
        t.ok(sorted(os.path.basename(r[0]) for r in after) == sorted(EXTRA) and
             all(r[1] <= 4096 for r in after),
             "after its hello it reads only yang-dir's files outside the module set, "
             "their first 4 kB", repr(after))


# yang-dir: modules outside the module set (no module section names them),
# which NACM's module names read after the hello; one longer than 4 kB
EXTRA = {"nchome-extra.yang": 'module nchome-extra { namespace "urn:example:extra"; prefix x; }\n',
         "nchome-extra-long.yang": 'module nchome-extra-long { namespace "urn:example:extra-long"; '
                                   'prefix l;\n' + "// padding\n" * 1000 + "}\n"}
nobody_env.add_yang_dir(EXTRA)

try:
    check_no_group_lookup(True, "nobody-before",
                          "without rules, nobody's session never looks up its Unix groups")
    early = NcRaw(session(True))
    early.hello()
    r = early.rpc("<lock><target><running/></target></lock>")
    t.ok(early.ok(r), "without rules nobody locks running", repr(early.errors(r)))
    early.rpc("<unlock><target><running/></target></unlock>")
    nc = NcRaw(session(False))
    nc.hello()
    t.ok(nc.ok(nc.rpc("<edit-config><target><running/></target><config>%s</config>"
                      "</edit-config>" % NACM)), "root loads a nacm config")
    r = nc.rpc(GET_RUNNING)
    t.ok(r is not None and "nobodies" in text(r), "root (recovery) reads the nacm subtree", r)
    nc.close()
    check_no_group_lookup(False, "root-after",
                          "with rules, root's (recovery) session never looks up its Unix groups",
                          "nor reads a module file after its hello (NACM's module names)")
    check_root_view_after_hello("root's (recovery) bypassed view is built after its hello, before "
                                "it reads its first request")
    check_view_after_hello("with rules of its group, nobody's session looks up its Unix groups "
                           "after its hello, before it reads its first request")
    check_no_parse_ahead("without a current running.nacm, nobody's session does not parse running "
                         "before its first request, which still applies its group's rule")
    check_view_under_write_lock("under another process's write lock, nobody's first reply comes "
                                "within one lock-wait (the view after the hello does not wait)")
    r = early.rpc("<lock><target><running/></target></lock>")
    errs = early.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied",
         "a session opened before the rules: its Unix group's rule denies <lock> now",
         repr(errs))
    early.close()

    nc = NcRaw(session(True))
    nc.hello()
    r = nc.rpc(GET_RUNNING)
    t.ok(r is not None and not nc.errors(r), "nobody reads running", r)
    t.ok(r is not None and "nobodies" not in text(r) and "rule-list" not in text(r),
         "nobody's get-config leaves the nacm subtree out", r)
    r = nc.rpc('<get-config><source><running/></source><filter type="subtree">'
               '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"/></filter></get-config>')
    t.ok(r is not None and "nobodies" not in text(r) and not nc.errors(r),
         "a subtree filter selecting it finds nothing", r)
    r = nc.rpc("<get/>")
    t.ok(r is not None and "nobodies" not in text(r) and not nc.errors(r), "nor does <get>", r)
    # a filter, with state in reach (the nacm counters): get joins state to a copy of running
    r = nc.rpc('<get><filter type="subtree">'
               '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"/></filter></get>')
    t.ok(r is not None and "nobodies" not in text(r) and "rule-list" not in text(r) and
         not nc.errors(r), "nor a <get> filtered for it", r)
    r = nc.rpc("<lock><target><running/></target></lock>")
    errs = nc.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied",
         "a rule of nobody's Unix group denies <lock>: access-denied", repr(errs))
    r = nc.rpc("<unlock><target><running/></target></unlock>")
    errs = nc.errors(r)
    t.ok(not errs or errs[0].get("error-tag") != "access-denied", "<unlock> is not denied",
         repr(errs))
    # The view is cached per session: a change of running's nacm subtree
    # by another session must reach this one's next RPC.
    root = NcRaw(session(False))
    root.hello()
    t.ok(root.ok(root.rpc('<edit-config><target><running/></target><config>'
                          '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"><rule-list>'
                          '<name>nobodies</name><rule nc:operation="delete" '
                          'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><name>no-lock</name></rule>'
                          '</rule-list></nacm></config></edit-config>')), "root deletes the rule")
    root.close()
    r = nc.rpc("<lock><target><running/></target></lock>")
    t.ok(nc.ok(r), "nobody's open session sees the change: <lock> is permitted now", repr(nc.errors(r)))
    # Writes (3.4.5): write-default is deny; a rule permits /w:open only.
    def edit(target, inner, erropt=None):
        return nc.rpc("<edit-config><target><%s/></target>%s<config>%s</config></edit-config>"
                      % (target, "<error-option>%s</error-option>" % erropt if erropt else "",
                         inner))

    def open_v():
        r = nc.rpc('<get-config><source><running/></source><filter type="subtree">'
                   '<open xmlns="%s"/></filter></get-config>' % W)
        return text(r)
    r = edit("running", '<open xmlns="%s"><v>1</v></open>' % W)
    t.ok(nc.ok(r), "nobody creates /w:open (a rule permits it)", repr(nc.errors(r)))
    for target in ("running", "candidate"):
        for erropt in (None, "stop-on-error", "continue-on-error", "rollback-on-error"):
            r = edit(target, '<open xmlns="%s"><v>2</v></open><closed xmlns="%s"><v>1</v></closed>'
                     % (W, W), erropt)
            errs = nc.errors(r)
            t.ok(errs and errs[0].get("error-tag") == "access-denied" and
                 "closed" in (errs[0].get("error-path") or "") and ">1<" in open_v() and
                 ">2<" not in open_v(),
                 "%s, %s: writing /w:closed is denied (error-path), nothing applied"
                 % (target, erropt or "default"), "%r %s" % (errs, open_v()))
    r = nc.rpc("<commit/>")
    t.ok(">2<" not in open_v(), "a commit brings nothing denied to running", open_v())
    # copy-config replaces a whole datastore: checked as deleting what was
    # there and creating what comes (the nacm subtree is default-deny-all).
    r = nc.rpc('<copy-config><target><running/></target><source><config>'
               '<open xmlns="%s"><v>9</v></open></config></source></copy-config>' % W)
    errs = nc.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied" and ">1<" in open_v() and
         ">9<" not in open_v(), "copy-config of inline config over running is denied, nothing applied",
         "%r %s" % (errs, open_v()))
    r = nc.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    errs = nc.errors(r)
    t.ok(errs and errs[0].get("error-tag") == "access-denied",
         "copy-config running -> startup (would create the nacm subtree there) is denied", repr(errs))
    r = edit("running", '<open xmlns="%s" xmlns:nc="%s" nc:operation="delete"/>'
             % (W, "urn:ietf:params:xml:ns:netconf:base:1.0"))
    t.ok(nc.ok(r) and "<v>" not in open_v(), "nobody deletes /w:open", repr(nc.errors(r)))
    t.ok(nc.ok(nc.rpc("<close-session/>")), "<close-session> is always allowed")
finally:
    nobody_env.cleanup()
    shutil.rmtree(trace_dir, ignore_errors=True)
t.done()
