#!/usr/bin/python3
"""Commit hooks through the real server: ncclient through a real sshd whose
nchome-netconf runs in its own UTS namespace (unshare --uts), so the shipped
ietf-system-hostname hook really sets the host name there while the test
machine's own name never changes.  A state provider reports the
namespace's host name so the NMS can see it in <get>."""
import os
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, TOP, InetdSshd, SshEnv, scaled  # noqa: E402
from ncraw import NcRaw  # noqa: E402

from ncclient import manager  # noqa: E402
from ncclient.operations import RPCError  # noqa: E402

SYS = "urn:ietf:params:xml:ns:yang:ietf-system"
EX = "urn:example:test"
t = TAP()
real_hostname = socket.gethostname()

env = SshEnv(name="nc-hooks")
hooks = os.path.join(env.dir, "commit.d")
state = os.path.join(env.dir, "state.d")
log = os.path.join(env.dir, "hook.log")
etc_hostname = os.path.join(env.dir, "etc-hostname")
os.makedirs(hooks)
os.makedirs(state)
env.netconf_conf = 'commit-hooks = "%s"\nstate-providers = "%s"\n' % (hooks, state)
env.write_nchome_conf("")

# nchome-netconf in a UTS namespace of its own, per session.
have_unshare = shutil.which("unshare") is not None
unshare = have_unshare and subprocess.run(["unshare", "--uts", "true"]).returncode == 0
with open(env.sshd_config) as f:
    cfg = f.read()
if unshare:
    cfg = cfg.replace("Subsystem netconf %s" % NETCONF, "Subsystem netconf /usr/bin/unshare --uts %s" % NETCONF)
with open(env.sshd_config, "w") as f:
    f.write(cfg)


def script(d, name, body, mode=0o755):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    os.chmod(p, mode)
    return p


# 10: records every run; 20: the shipped hostname hook; 30: a policy gate.
script(hooks, "10-record",
       'echo "$NCHOME_REVERT $NCHOME_USER $NCHOME_SESSION_ID $(grep -c forbidden "$2")" >>%s' % log)
script(hooks, "20-hostname",
       'NCHOME_HOSTNAME_ETC=%s exec %s/contrib/commit.d/ietf-system-hostname "$@"' % (etc_hostname, TOP))
script(hooks, "30-gate",
       'if grep -q forbidden "$2"; then echo "forbidden by policy: <forbidden> & co" >&2; exit 4; fi')
script(hooks, ".disabled", "exit 1")
script(hooks, "40-notexec", "exit 1", mode=0o644)
script(state, "uts", 'printf \'<uts xmlns="%s"><hostname>%%s</hostname></uts>\' "$(hostname)"' % EX)

sshd = InetdSshd(env)
m = None


def connect():
    return manager.connect(host="127.0.0.1", port=sshd.port, username="root",
                           key_filename=env.user_key, hostkey_verify=False,
                           allow_agent=False, look_for_keys=False, timeout=scaled(30))


def cfg_hostname(name, extra=""):
    return ('<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
            '<system xmlns="%s"><hostname>%s</hostname></system>%s</config>' % (SYS, name, extra))


def uts_name():
    reply = m.get(filter=("subtree", '<uts xmlns="%s"/>' % EX))
    root = ET.fromstring(reply.data_xml.encode())
    return root.findtext("{%s}uts/{%s}hostname" % (EX, EX))


def running_hostname():
    reply = m.get_config(source="running", filter=("subtree", '<system xmlns="%s"/>' % SYS))
    root = ET.fromstring(reply.data_xml.encode())
    return root.findtext("{%s}system/{%s}hostname" % (SYS, SYS))


def log_lines():
    try:
        with open(log) as f:
            return f.read().split("\n")[:-1]
    except FileNotFoundError:
        return []


try:
    m = connect()
    sid = m.session_id
    if not have_unshare:
        t.skip_tool("hooks in a UTS namespace", "unshare", "not installed (util-linux)")
    elif not unshare:
        t.skip("hooks in a UTS namespace", "unshare --uts fails here")
    before = uts_name()
    t.ok(before is not None, "state provider shows the session's host name (%s)" % before)

    # ---- a change that passes every hook ----
    m.edit_config(target="running", config=cfg_hostname("edge-42"))
    t.eq(running_hostname(), "edge-42", "edit-config on running stored the hostname")
    if unshare:
        t.eq(uts_name(), "edge-42", "the hostname hook set the host name (in the session's UTS namespace)")
        t.eq(open(etc_hostname).read() if os.path.exists(etc_hostname) else None, "edge-42\n",
             "and wrote the boot-time hostname file")
    t.eq(log_lines(), ["0 root %s 0" % sid], "hooks ran once, with NCHOME_USER and NCHOME_SESSION_ID; "
         "dotfiles and non-executables skipped")

    # ---- a hook that fails undoes the change and reverts earlier hooks ----
    os.unlink(log)
    try:
        m.edit_config(target="running",
                      config=cfg_hostname("edge-43", '<forbidden xmlns="%s">rm -rf</forbidden>' % EX))
        err = None
    except RPCError as e:
        err = e
    t.ok(err is not None and err.tag == "operation-failed", "a failing hook fails edit-config with operation-failed")
    msg = err.message if err is not None else ""
    t.ok("30-gate" in (msg or "") and "forbidden by policy: <forbidden> & co" in (msg or ""),
         "error-message names the hook and carries its stderr", msg)
    t.eq(running_hostname(), "edge-42", "running is restored")
    t.eq(log_lines(), ["0 root %s 1" % sid, "1 root %s 0" % sid],
         "the earlier hook ran, then ran again as a revert with the files swapped")
    if unshare:
        t.eq(uts_name(), "edge-42", "the hostname hook's change was reverted on the host")

    # ---- candidate + commit runs the hooks too ----
    os.unlink(log)
    m.edit_config(target="candidate", config=cfg_hostname("edge-44"))
    t.eq(log_lines(), [], "edit-config on candidate runs no hook")
    m.commit()
    t.eq(log_lines(), ["0 root %s 0" % sid], "commit runs the hooks")
    if unshare:
        t.eq(uts_name(), "edge-44", "commit applied the new host name")
    m.edit_config(target="candidate",
                  config=cfg_hostname("edge-45", '<forbidden xmlns="%s">x</forbidden>' % EX))
    try:
        m.commit()
        tag = None
    except RPCError as e:
        tag = e.tag
    t.eq(tag, "operation-failed", "commit refused by a hook fails")
    t.eq(running_hostname(), "edge-44", "running unchanged after the refused commit")
    m.discard_changes()

    # ---- a hostname ietf-system's type refuses never reaches the hooks ----
    try:
        m.edit_config(target="running", config=cfg_hostname("bad name!"))
        err = None
    except RPCError as e:
        err = e
    t.ok(err is not None and err.tag == "invalid-value" and
         "hostname" in (err.path or ""),
         "the ietf-system module refuses an invalid domain name: invalid-value, error-path")
    t.eq(running_hostname(), "edge-44", "running unchanged after the module's refusal")

    # ---- a domain name that is no host name is refused by the shipped hook ----
    try:
        m.edit_config(target="running", config=cfg_hostname("bad_name"))
        err = None
    except RPCError as e:
        err = e
    t.ok(err is not None and "invalid hostname" in (err.message or ""),
         "the hostname hook refuses an invalid name, its reason in the rpc-error")
    t.eq(running_hostname(), "edge-44", "running unchanged")
    m.close_session()
    m = None

    # ---- a hung hook is killed and counts as failed (over pipes, short timeout) ----
    # This session runs outside the UTS namespace: the hostname hook must not
    # be there, or it (and its revert) would rename the test machine.
    os.unlink(os.path.join(hooks, "20-hostname"))
    script(hooks, "35-hang", "case $NCHOME_REVERT in 0) sleep 60 ;; esac")
    nc = NcRaw(env.netconf_direct(extra_env={"NCHOME_HOOK_TIMEOUT": "1"}))
    nc.hello()
    rep = nc.rpc('<edit-config><target><running/></target>%s</edit-config>' % cfg_hostname("edge-46"))
    errs = NcRaw.errors(rep)
    t.ok(len(errs) == 1 and errs[0].get("error-tag") == "operation-failed" and
         "timed out" in (errs[0].get("error-message") or ""), "a hung hook times out and fails the change", errs)
    rep = nc.rpc('<get-config><source><running/></source></get-config>')
    t.ok(b"edge-44" in ET.tostring(rep), "running unchanged after the timeout")
    nc.close()
    os.unlink(os.path.join(hooks, "35-hang"))

    # ---- inputs on descriptors: no name in a folder that anyone could swap ----
    seen = os.path.join(env.dir, "seen")
    script(hooks, "05-look", 'ls -a "%s" > %s.ls; ls -l /proc/$$/fd/ > %s.fd; cat "$2" > %s.new'
           % (env.datastore_dir, seen, seen, seen))
    nc = NcRaw(env.netconf_direct())
    nc.hello()
    rep = nc.rpc('<edit-config><target><running/></target>%s</edit-config>' % cfg_hostname("edge-47"))
    nc.close()
    t.ok(NcRaw.ok(rep), "an edit with a hook that looks at its inputs", NcRaw.errors(rep))
    listing = open(seen + ".ls").read().split()
    t.eq([n for n in listing if n.startswith(".hook")], [],
         "while a hook runs, its inputs have no name in datastore-dir")
    t.ok("edge-47" in open(seen + ".new").read() and " 3 -> " in open(seen + ".fd").read() and
         " 4 -> " in open(seen + ".fd").read(),
         "the hook reads the new content through its descriptors 3 and 4 (\"$2\" = /dev/fd/4)",
         open(seen + ".fd").read())
    os.unlink(os.path.join(hooks, "05-look"))
finally:
    if m is not None:
        try:
            m.close_session()
        except Exception:
            pass
    sshd.close()
    t.eq(socket.gethostname(), real_hostname, "the test machine's hostname never changed")
    env.cleanup()
t.done()
