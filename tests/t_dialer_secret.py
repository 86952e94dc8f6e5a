#!/usr/bin/python3
"""secret-file: a client's secret read by the dialer from a file root alone
may read or change, never from what NETCONF sessions read.

- the dialer keys its HMAC with the secret-file's line (Python's hmac agrees);
- it refuses (at -t and start, naming the file, never the secret) a
  secret-file others may read, one owned by another user, one below a
  group-writable folder, a FIFO (without hanging), a link, and a client with
  both secret and secret-file; an inline secret in a file the group may
  read (0640, as installed) is refused, pointing to secret-file;
- as a real NETCONF account (doc/authentication.md's commands, private
  account database): nchome.conf (0640 root:nchome) is readable and holds
  no secret, the secret-file is not readable.
"""
import hashlib
import hmac
import os
import pwd
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import DOC_ACCOUNT, install_group, private_account_db, run as run_doc  # noqa: E402
no_accounts = private_account_db()	# first: it may run this file again in a namespace
from nchome_test import TAP, SshEnv, DIALER, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, hold_for, finish  # noqa: E402

SECRET = "file-secret-%d" % os.getpid()
t = TAP()
env = SshEnv("dialer-secret")
NOBODY = pwd.getpwnam("nobody").pw_uid
nms = d = None


def dialer_t():
    p = subprocess.run([DIALER, "-t", "-f", env.conf], capture_output=True, text=True, timeout=scaled(30))
    return p.returncode, p.stderr.strip()


def with_secret_file(path, extra=""):
    stanza = client_conf("c1", [("127.0.0.1", nms.port)]).replace(
        "{\n", '{\n  secret-file = "%s"\n%s' % (path, extra), 1)
    env.write_nchome_conf(stanza)


def secret_file(name, mode=0o600, uid=0, text=SECRET + "\n"):
    path = os.path.join(env.dir, name)
    with open(path, "w") as f:
        f.write(text)
    os.chown(path, uid, 0)
    os.chmod(path, mode)
    return path


def refused(desc, want):
    rc, err = dialer_t()
    t.ok(rc != 0 and want in err and SECRET not in err, "-t refuses %s" % desc, err)


try:
    nms = Nms(handler=hold_for(0.5))
    good = secret_file("secret")
    with_secret_file(good)
    rc, err = dialer_t()
    t.ok(rc == 0, "-t accepts a root 0600 secret-file", err)
    d = Dialer(env)
    t.ok(wait_for(lambda: nms.count() >= 1, 10), "the dialer calls home", d.log())
    pre = nms.conns[0].get("prebanner", b"").decode(errors="replace") if nms.conns else ""
    fields = dict(l.split(": ", 1) for l in pre.splitlines() if ": " in l)
    want = hmac.new(SECRET.encode(), fields.get("HOST-KEY", "").encode(), hashlib.sha1).hexdigest()
    t.ok(fields.get("HMAC") == want, "its HMAC is keyed with the secret-file's line", pre)
    d.stop()
    t.ok(SECRET not in d.log(), "the secret is never logged")

    if True:
        with_secret_file(secret_file("s-0640", 0o640))
        refused("a secret-file the group may read (0640)", "is owned by uid 0 with mode 0640")
        with_secret_file(secret_file("s-nobody", 0o600, NOBODY))
        refused("a secret-file owned by nobody", "is owned by uid %d with mode 0600" % NOBODY)
        gw = os.path.join(env.dir, "gw")
        os.mkdir(gw)
        os.chmod(gw, 0o770)
        with_secret_file(secret_file("gw/s", 0o600))
        refused("a secret-file in a group-writable folder", "folder %s" % gw)
        fifo = os.path.join(env.dir, "s-fifo")
        os.mkfifo(fifo, 0o600)
        with_secret_file(fifo)
        refused("a FIFO as secret-file, without waiting on it", "not a regular file")
        link = os.path.join(env.dir, "s-link")
        os.symlink(good, link)
        with_secret_file(link)
        refused("a link as secret-file", "s-link")
        with_secret_file(good, '  secret = "inline"\n')
        refused("a client with both secret and secret-file", "both secret and secret-file")
        p = subprocess.run([DIALER, "-d", "-f", env.conf], capture_output=True, text=True, timeout=scaled(10))
        t.ok(p.returncode != 0 and "both secret and secret-file" in p.stderr, "... and does not start with it",
             p.stderr)

    if no_accounts:
        for what in ("nchome.conf", "the secret-file"):
            t.skip("a NETCONF account and %s" % what, "needs a private account database: " + no_accounts)
    else:
        install_group()
        r = run_doc("account")
        user = DOC_ACCOUNT
        with_secret_file(good)
        import grp
        os.chown(env.conf, 0, grp.getgrnam("nchome").gr_gid)
        os.chmod(env.conf, 0o640)
        os.chmod(env.dir, 0o755)
        rc, err = dialer_t()
        cat = subprocess.run(["runuser", "-u", user, "--", "cat", env.conf], capture_output=True, text=True)
        t.ok(r.returncode == 0 and rc == 0 and cat.returncode == 0 and SECRET not in cat.stdout
             and good in cat.stdout,
             "a NETCONF account reads nchome.conf (0640 root:nchome, accepted by -t): no secret in it",
             "%s\n-t: %s\n%s%s" % (r.output, err, cat.stdout, cat.stderr))
        cat = subprocess.run(["runuser", "-u", user, "--", "cat", good], capture_output=True, text=True)
        t.ok(cat.returncode != 0 and SECRET not in cat.stdout, "... and cannot read the secret-file",
             cat.stdout + cat.stderr)
    t.eq(sanitizer_findings(), [], "no sanitizer findings")
finally:
    finish(env, [d], [nms])
t.done()
