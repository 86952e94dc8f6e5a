"""Shared set-up of the t_attack_* tests: a NETCONF account with a shell.

A real `make install` into a scratch prefix (AuthEnv.install_scratch), the
doc's commands make the account (doc/authentication.md), and helpers to
run a command as that account and to write NETCONF 1.0 messages.
"""
import os
import subprocess

from doc_commands import run as run_doc
from nchome_test import scaled

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
HELLO10 = ('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
           '</capability></capabilities></hello>]]>]]>' % NS)


def rpc10(mid, inner):
    return '<rpc message-id="%s" xmlns="%s">%s</rpc>]]>]]>' % (mid, NS, inner)


CLOSE = rpc10(2, "<close-session/>")


def as_user(user, cmd, input=None, timeout=30):
    """(exit status, stdout and stderr) of `sh -c cmd` run as user."""
    p = subprocess.run(["runuser", "-u", user, "--", "/bin/sh", "-c", cmd], input=input,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=scaled(timeout))
    return p.returncode, p.stdout.decode(errors="replace")


def install_with_account(t, env, account):
    """env's scratch install with a commit.d folder, and account made by the
    doc's commands (a test point of t): (inst, netconf, ds).  Ends the test
    when the install left no nchome-netconf."""
    inst, dirs = env.install_scratch(t)
    netconf = inst + "/libexec/nchome-netconf"
    ds = inst + "/var/lib/nchome"
    if not os.path.exists(netconf):
        t.done()
    env.use_install(inst, dirs, ds, os.path.join(env.dir, "commit.d"))
    os.makedirs(os.path.join(env.dir, "commit.d"), mode=0o755)
    r = run_doc("account", account=account)
    t.ok(r.returncode == 0, "the doc's account commands make %s" % account, r.output)
    return inst, netconf, ds
