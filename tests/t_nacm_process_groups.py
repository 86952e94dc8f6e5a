#!/usr/bin/python3
"""A session's NACM groups are its process's credentials (issue 15).

sshd gives a session's process the account's groups with initgroups()
at login; nchome-netconf takes them from there (the real gid and
getgroups(), host/account.c), not from the group database, which loads
the host's NSS modules (libnss_systemd) on an account's first request.
Checked as a throwaway account (useradd in a private account database:
primary group npg, supplementary npg-held), nchome-netconf on pipes as
that account (setpriv), rule-lists that each deny one RPC to one group:
  - a session started before the account is added to group npg-late
    (/etc/group) does not get npg-late's rule, as a login's shell keeps
    its groups; a session started after the change does;
  - the supplementary group the process holds is matched (initgroups,
    or setpriv --groups alone); one the database lists but the process
    does not hold (setpriv --clear-groups) is not;
  - the primary gid counts though it is not in the supplementary list;
  - a group whose entry is longer than 8 kB (2,000 members) is named;
  - strace: a session whose rule-lists need its groups opens no libnss_
    module (its groups' names are in /etc/group)."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("NACM groups from the session's process")
from ncraw import NcRaw, edit  # noqa: E402
from as_nobody import NobodyEnv, make_account, libnss_opened  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
USER, HELD, LATE = "npg", "npg-held", "npg-late"
# each group's rule-list denies one RPC: (group, rpc-name, the request)
DENIES = {
    HELD: ("lock", "<lock><target><running/></target></lock>"),
    USER: ("discard-changes", "<discard-changes/>"),
    LATE: ("get", "<get/>"),
}

account = make_account(USER, HELD)
name, uid, gid = account
subprocess.run(["groupadd", LATE], check=True)
held_gid = int(subprocess.run(["getent", "group", HELD], stdout=subprocess.PIPE, text=True,
                              check=True).stdout.split(":")[2])
env = NobodyEnv(t, "nacm-process-groups-", 0o777)
STRACE = shutil.which("strace")
trace_dir = tempfile.mkdtemp(prefix="npg-trace-")


def start(groups, wrap=()):
    """nchome-netconf as the account: groups are setpriv's options for the
    supplementary groups (--init-groups: as sshd starts it)."""
    cmd = list(wrap) + [env.setpriv, "--reuid=%d" % uid, "--regid=%d" % gid] + groups + \
        [env.prefix.netconf, "-d", "-f", env.conf]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=dict(os.environ, USER=name, HOME=env.top), cwd=env.top)
    nc = NcRaw(p)
    nc.hello()
    return nc


def rules():
    lists = "".join('<rule-list><name>for-%s</name><group>%s</group><rule><name>no-%s</name>'
                    '<module-name>*</module-name><rpc-name>%s</rpc-name>'
                    '<access-operations>exec</access-operations><action>deny</action></rule>'
                    '</rule-list>' % (g, g, rpc, rpc) for g, (rpc, _) in DENIES.items())
    return '<nacm xmlns="%s">%s</nacm>' % (NACM_NS, lists)


def denied(nc, group):
    """Whether the RPC group's rule-list denies is refused (access-denied)."""
    r = nc.rpc(DENIES[group][1])
    errs = nc.errors(r) if r is not None else [{"error-tag": "no reply"}]
    return any(e.get("error-tag") == "access-denied" for e in errs), errs


def expect(nc, who, seen):
    """seen: {group: whether its rule-list applies to the session}."""
    for group, want in seen.items():
        got, errs = denied(nc, group)
        t.ok(got == want, "%s: %s's rule-list %s" % (who, group, "applies" if want else "does not apply"),
             repr(errs))


try:
    early = start(["--init-groups"])
    r = early.rpc("<get-config><source><running/></source></get-config>")
    t.ok(r is not None and not early.errors(r), "the account's session starts before any rules",
         repr(early.errors(r)) if r is not None else "no reply")
    subprocess.run(["gpasswd", "-a", USER, LATE], check=True, stdout=subprocess.DEVNULL)
    root = NcRaw(env.popen(False))
    root.hello()
    t.ok(edit(root, rules()), "root loads rule-lists for %s, %s and %s" % (HELD, USER, LATE))
    root.close()
    expect(early, "a session started before the account joined %s" % LATE,
           {LATE: False, HELD: True, USER: True})
    early.close()

    later = start(["--init-groups"])
    expect(later, "a session started after it joined %s (initgroups)" % LATE,
           {LATE: True, HELD: True, USER: True})
    later.close()

    only_held = start(["--groups=%d" % held_gid])
    expect(only_held, "a session holding %s alone, its primary gid not among them" % HELD,
           {USER: True, HELD: True, LATE: False})
    only_held.close()

    none = start(["--clear-groups"])
    expect(none, "a session holding no supplementary group (the database lists two)",
           {USER: True, HELD: False, LATE: False})
    none.close()

    desc = "with rule-lists that need its groups, the account's session opens no libnss_ module"
    if STRACE is None:
        t.skip_tool(desc, "strace")
    else:
        log = os.path.join(trace_dir, "session")
        nc = start(["--init-groups"], wrap=[STRACE, "-f", "-qq", "-e", "trace=open,openat,execve",
                                             "-o", log])
        got, errs = denied(nc, HELD)
        nc.close()
        t.ok(got and not libnss_opened(log), desc, "%r %r" % (errs, libnss_opened(log)))

    # A group of many members: its entry is longer than getgrgid_r's first
    # buffer (8 kB, ERANGE), and its name is still found.
    with open("/etc/group") as f:
        lines = f.read().split("\n")
    many = ",".join("npgm%05d" % i for i in range(2000))
    lines = [line + ("" if line.endswith(":") else ",") + many if line.startswith(HELD + ":")
             else line for line in lines]
    with open("/etc/group", "w") as f:
        f.write("\n".join(lines))
    big = start(["--groups=%d" % held_gid])
    expect(big, "a session holding %s, whose entry lists 2,000 members" % HELD, {HELD: True})
    big.close()
finally:
    env.cleanup()
    shutil.rmtree(trace_dir, ignore_errors=True)
t.done()
