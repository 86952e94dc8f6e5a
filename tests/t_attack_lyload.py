#!/usr/bin/python3
"""A NETCONF account attacks libyang's load on first use, and NACM with ncclient.

nchome-netconf dlopen()s libyang.so.2 when a request first needs a YANG
context (subsystem/schema/lyload.c), long after the set-uid exec, and
libyang dlopen()s its plugins from LIBYANG_TYPES_PLUGINS_DIR and
LIBYANG_EXTENSIONS_PLUGINS_DIR.  mallory (a NETCONF account with a
shell, tests/lib/attack_account.py) builds her own libyang.so.2 and a
plugin, each writing a mark file (with its effective uid) when loaded,
and starts her set-uid session with LD_LIBRARY_PATH, LD_PRELOAD,
LD_AUDIT, the plugin folders, or her own library in its working
directory.  First the mark files are shown to work: a copy of the
program that is not set-uid, run by her, loads both.  The set-uid
session loads neither, and lists the modules (the real libyang).

When the load fails (her copy, not set-uid, on her stub library), a get
of the YANG library answers operation-failed, what
YANG would refuse stays refused and NACM stays enforced: an invalid
hostname (edit-config, validate of an inline config), an unknown
element, an edit of /nacm are refused, /nacm is not read, and running is
unchanged; for the recovery account too, a validate of running, a
copy-config that drops the modules' data, a commit of a candidate
holding it and a copy candidate -> running that changes nothing.

Over sshd, ncclient as mallory: an edit of /nacm, a subtree and an
XPath get of /nacm, copy-config of running from an inline config and
delete-config of running: refused, or nothing of /nacm.
"""
import os
import pwd
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import install_group, private_account_db  # noqa: E402
no_accounts = private_account_db()	# first: it may run this file again in a namespace
from nchome_test import TAP, InetdSshd, scaled  # noqa: E402
from nchome_auth import AuthEnv  # noqa: E402
from ncraw import NcRaw, kill_all  # noqa: E402
from attack_account import NS, NACM_NS, HELLO10, CLOSE, rpc10, as_user, install_with_account  # noqa: E402

t = TAP()
if no_accounts:
    t.skip("libyang's load attacked by a NETCONF account", "needs a private account database: " + no_accounts)
    t.done()

SYS = "urn:ietf:params:xml:ns:yang:ietf-system"
YL = "urn:ietf:params:xml:ns:yang:ietf-yang-library"
MARK = "lyload-secret-rule-list"
MARKER_C = r'''
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s-%d", MARKS, WHAT, (int)geteuid());
	close(open(p, O_WRONLY | O_CREAT, 0666));
}
'''
GET_YL = rpc10(3, '<get><filter type="subtree"><yang-library xmlns="%s"/></filter></get>' % YL)
READ_NACM = rpc10(4, '<get-config><source><running/></source><filter type="subtree"><nacm xmlns="%s"/>'
                  '</filter></get-config>' % NACM_NS)


def cc(out, what, marks):
    with open(out + ".c", "w") as f:
        f.write(MARKER_C)
    p = subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libyang.so.2", '-DMARKS="%s"' % marks,
                        '-DWHAT="%s"' % what, "-o", out, out + ".c"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    t.ok(p.returncode == 0, "builds her %s" % what, p.stdout)


def edit(mid, target, body):
    return rpc10(mid, "<edit-config><target><%s/></target><config>%s</config></edit-config>" % (target, body))


def host(name):
    return '<system xmlns="%s"><hostname>%s</hostname></system>' % (SYS, name)


def marks_now(marks):
    return sorted(os.listdir(marks))


def clear(marks):
    for f in os.listdir(marks):
        os.unlink(os.path.join(marks, f))


def reply_of(out, mid):
    """The text of the reply with message-id mid in a session's output."""
    for m in out.split("]]>]]>"):
        if 'message-id="%s"' % mid in m and "rpc-reply" in m:
            return m
    return ""


install_group()
env = AuthEnv(install_only=True)
sessions = []
srv = None
try:
    inst, netconf, ds = install_with_account(t, env, "mallory")
    home = pwd.getpwnam("mallory").pw_dir
    uid = pwd.getpwnam("mallory").pw_uid
    root = env.recovery_session(netconf, sessions)
    r = root.rpc('<edit-config><target><running/></target><config><nacm xmlns="%s"><rule-list><name>%s</name>'
                 '<group>root</group></rule-list></nacm></config></edit-config>' % (NACM_NS, MARK))
    t.ok(NcRaw.ok(r), "root writes a rule list only root may read", NcRaw.errors(r))
    root.close()

    # her library, her plugin, her copy of the program (not set-uid) and its files
    marks = os.path.join(env.dir, "marks")
    os.makedirs(marks)
    os.chmod(marks, 0o1777)
    for d in ("lib", "plug", "own", "own/ds"):
        os.makedirs(os.path.join(home, d), exist_ok=True)
    cc(os.path.join(home, "lib", "libyang.so.2"), "her-libyang", marks)
    cc(os.path.join(home, "plug", "evil.so"), "her-plugin", marks)
    shutil.copy(os.path.join(home, "lib", "libyang.so.2"), os.path.join(home, "libyang.so.2"))
    own = os.path.join(home, "own", "nchome-netconf")
    shutil.copy(netconf, own)
    os.chmod(own, 0o755)
    with open(env.conf) as f:
        conf = f.read().replace(ds, os.path.join(home, "own", "ds"))
    own_conf = os.path.join(home, "own", "c.conf")
    seed_conf = os.path.join(home, "own", "seed.conf")
    with open(own_conf, "w") as f:
        f.write(conf)
    with open(seed_conf, "w") as f:
        f.write(conf.replace("netconf {\n", 'netconf {\n  nacm-recovery-account = "mallory"\n', 1))
    subprocess.run(["chown", "-R", "%d:%d" % (uid, pwd.getpwnam("mallory").pw_gid), home], check=True)
    os.chmod(home, 0o755)

    # ---- the mark files work: her copy, not set-uid, honours the environment ----
    hello_yl = (HELLO10 + GET_YL + CLOSE).encode()
    rc, out = as_user("mallory", "cd ~ && LD_LIBRARY_PATH=~/lib %s -f %s" % (own, own_conf), input=hello_yl)
    t.ok(marks_now(marks) == ["her-libyang-%d" % uid] and "<name>ietf-netconf</name>" not in reply_of(out, 3),
         "her copy (not set-uid) loads her libyang.so.2 from LD_LIBRARY_PATH, and lists no module",
         (marks_now(marks), reply_of(out, 3)[-400:]))
    clear(marks)
    rc, out = as_user("mallory", "cd ~ && LIBYANG_TYPES_PLUGINS_DIR=~/plug %s -f %s" % (own, own_conf),
                      input=hello_yl)
    t.ok(marks_now(marks) == ["her-plugin-%d" % uid],
         "her copy (not set-uid) loads her plugin from LIBYANG_TYPES_PLUGINS_DIR", (marks_now(marks), out[-300:]))
    clear(marks)

    # ---- the set-uid session: none of them ----
    attacks = [("LD_LIBRARY_PATH", "LD_LIBRARY_PATH=~/lib"),
               ("LD_LIBRARY_PATH of an empty element (the working directory)", "LD_LIBRARY_PATH=:"),
               ("LD_PRELOAD by path", "LD_PRELOAD=~/lib/libyang.so.2"),
               ("LD_PRELOAD by name", "LD_LIBRARY_PATH=~/lib LD_PRELOAD=libyang.so.2"),
               ("LD_AUDIT", "LD_AUDIT=~/lib/libyang.so.2"),
               ("LIBYANG_TYPES_PLUGINS_DIR", "LIBYANG_TYPES_PLUGINS_DIR=~/plug"),
               ("LIBYANG_EXTENSIONS_PLUGINS_DIR", "LIBYANG_EXTENSIONS_PLUGINS_DIR=~/plug"),
               ("her library in the working directory", ""),
               ("all at once, with stderr closed",
                "LD_LIBRARY_PATH=~/lib LIBYANG_TYPES_PLUGINS_DIR=~/plug LIBYANG_EXTENSIONS_PLUGINS_DIR=~/plug")]
    for what, assign in attacks:
        tail = " 2>&-" if what.startswith("all") else ""
        rc, out = as_user("mallory", "cd ~ && %s %s -f %s%s" % (assign, netconf, env.conf, tail),
                          input=hello_yl)
        yl = reply_of(out, 3)
        t.ok(rc == 0 and "<name>ietf-netconf</name>" in yl and "rpc-error" not in yl,
             "%s: her set-uid session loads the system's libyang and lists the modules" % what, out[-400:])
        t.ok(marks_now(marks) == [], "%s: neither her library nor her plugin is loaded" % what,
             marks_now(marks))
        clear(marks)

    # ---- the load fails: YANG's refusals and NACM hold ----
    seed = (HELLO10 + edit(1, "running", '<nacm xmlns="%s"><write-default>permit</write-default><rule-list>'
                                         "<name>%s</name><group>root</group></rule-list></nacm>" % (NACM_NS, MARK))
            + edit(5, "running", host("h-good")) + CLOSE)
    rc, out = as_user("mallory", "cd ~ && %s -f %s" % (own, seed_conf), input=seed.encode())
    t.ok(out.count("<ok/>") == 3, "her copy as its own recovery account writes /nacm and a hostname", out[-400:])
    bad = [(edit(6, "running", host("bad name!")), 6, "an invalid hostname"),
           (edit(7, "running", '<system xmlns="%s"><no-such-leaf>1</no-such-leaf></system>' % SYS), 7,
            "an unknown element"),
           (edit(8, "running", '<nacm xmlns="%s"><enable-nacm>false</enable-nacm></nacm>' % NACM_NS), 8,
            "an edit of /nacm"),
           (edit(9, "candidate", host("bad name!")), 9, "an invalid hostname in candidate"),
           (rpc10(12, "<validate><source><config>%s</config></source></validate>" % host("bad name!")), 12,
            "a validate of an inline invalid hostname")]
    msgs = HELLO10 + GET_YL + READ_NACM + rpc10(10, "<get/>") + "".join(b[0] for b in bad)
    msgs += rpc10(11, "<commit/>") + CLOSE
    for how, pre in (("the system's libyang", ""), ("a failed load", "LD_LIBRARY_PATH=~/lib ")):
        rc, out = as_user("mallory", "cd ~ && %s%s -f %s" % (pre, own, own_conf), input=msgs.encode())
        yl = reply_of(out, 3)
        if pre:
            t.ok("<name>ietf-netconf</name>" not in yl and "operation-failed" in yl and "cannot load libyang" in yl,
                 "%s: the yang-library get answers operation-failed saying why" % how, yl[-300:])
        else:
            t.ok("<name>ietf-netconf</name>" in yl, "%s: the yang-library get lists the modules" % how, yl[-300:])
        if pre:
            t.ok("cannot load libyang" in reply_of(out, 6), "a failed load: the error says why", reply_of(out, 6))
        t.ok(MARK not in reply_of(out, 4) and "<data" in reply_of(out, 4) and MARK not in reply_of(out, 10),
             "%s: neither a get-config of /nacm nor a get shows it" % how, (reply_of(out, 4) + reply_of(out, 10))[-400:])
        for _, mid, what in bad:
            t.ok("rpc-error" in reply_of(out, mid),
                 "%s: %s is refused" % (how, what), reply_of(out, mid)[-300:])
        rc, out = as_user("mallory", "cd ~ && %s -f %s" % (own, seed_conf),
                          input=(HELLO10 + rpc10(1, "<get-config><source><running/></source></get-config>")
                                 + CLOSE).encode())
        x = reply_of(out, 1)
        t.ok("h-good" in x and "bad name" not in x and MARK in x and "<enable-nacm>false" not in x,
             "%s: running still holds h-good and the rule list, NACM on" % how, x[-400:])
    # as her copy's recovery account (no NACM in the way): what would drop or commit module data unchecked
    free = '<x xmlns="urn:attack:free">1</x>'
    msgs = (HELLO10 + rpc10(20, "<validate><source><running/></source></validate>") +
            rpc10(21, "<copy-config><target><running/></target><source><config>%s</config></source>"
                  "</copy-config>" % free) +
            edit(22, "candidate", free) + rpc10(23, "<commit/>") + rpc10(24, "<discard-changes/>") +
            rpc10(27, "<copy-config><target><running/></target><source><candidate/></source>"
                  "</copy-config>") +
            rpc10(25, "<get-config><source><running/></source></get-config>") +
            rpc10(26, "<copy-config><target><candidate/></target><source><config>%s</config></source>"
                  "</copy-config>" % host("bad name!")) + CLOSE)
    rc, out = as_user("mallory", "cd ~ && LD_LIBRARY_PATH=~/lib %s -f %s" % (own, seed_conf), input=msgs.encode())
    for mid, what in ((20, "a validate of running"), (21, "a copy-config onto running of data no module covers "
                                                          "(it drops the modules' data)"),
                      (23, "a commit of a candidate holding module data"),
                      (27, "a copy-config candidate -> running that changes nothing"),
                      (26, "a copy-config of an inline invalid hostname to candidate")):
        t.ok("cannot load libyang" in reply_of(out, mid), "a failed load: %s is refused" % what,
             reply_of(out, mid)[-300:])
    x = reply_of(out, 25)
    t.ok("h-good" in x and "urn:attack:free" not in x, "a failed load: running is unchanged", x[-300:])
    t.ok(marks_now(marks) == ["her-libyang-%d" % uid], "(the failed load was her stub's)", marks_now(marks))

    # ---- ncclient as mallory over sshd ----
    from ncclient import manager
    from ncclient.operations import RPCError
    key = env.user_key("mallory")
    env.authorize_key("mallory", key + ".pub")
    srv = InetdSshd(env)
    m = manager.connect(host="127.0.0.1", port=srv.port, username="mallory", key_filename=key,
                        hostkey_verify=False, allow_agent=False, look_for_keys=False, timeout=scaled(30))

    def refused(call, what):
        try:
            r = call()
        except RPCError as e:
            t.ok(MARK not in str(e.xml if hasattr(e, "xml") else e), "ncclient: %s is refused (%s)" % (what, e.tag))
            return
        t.ok(False, "ncclient: %s is refused" % what, getattr(r, "xml", r))

    refused(lambda: m.edit_config(target="running", config='<config xmlns="%s"><nacm xmlns="%s">'
                                  '<enable-nacm>false</enable-nacm></nacm></config>' % (NS, NACM_NS)),
            "an edit-config of /nacm")
    refused(lambda: m.edit_config(target="running", config='<config xmlns="%s"><nacm xmlns="%s" xmlns:nc="%s" '
                                  'nc:operation="delete"/></config>' % (NS, NACM_NS, NS)), "a delete of /nacm")
    for flt in (("subtree", '<nacm xmlns="%s"/>' % NACM_NS), ("xpath", ("a", NACM_NS), "/a:nacm"),
                ("xpath", "//*[local-name()='rule-list']")):
        try:
            if len(flt) == 3:
                r = m.get(filter=("xpath", (dict([flt[1]]), flt[2])))
            else:
                r = m.get(filter=flt)
            text = r.xml
            t.ok("<data" in text.replace("nc:", "") and MARK not in text and "rule-list" not in text,
                 "ncclient: a get with filter %r answers nothing of /nacm" % (flt,), text[-300:])
        except RPCError as e:
            t.ok(MARK not in e.xml if hasattr(e, "xml") else True,
                 "ncclient: a get with filter %r answers nothing of /nacm (%s)" % (flt, e.tag))
    refused(lambda: m.copy_config(source='<source><config xmlns="%s"><system xmlns="%s"><hostname>h-copy'
                                  '</hostname></system></config></source>' % (NS, SYS), target="running"),
            "a copy-config of an inline config (without /nacm) to running")
    refused(lambda: m.delete_config(target="running"), "a delete-config of running")
    m.close_session()

    root = env.recovery_session(netconf, sessions)
    r = root.rpc('<get-config><source><running/></source></get-config>')
    x = ET.tostring(r, encoding="unicode") if r is not None else "(no reply)"
    t.ok(MARK in x and "h-copy" not in x and "<ns0:enable-nacm>false" not in x,
         "root's rule list is still in running, NACM on, no copy applied", x[-400:])
    root.close()
finally:
    if srv is not None:
        srv.close()
    kill_all(sessions)
    env.cleanup()
t.done()
