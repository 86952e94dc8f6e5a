"""The commands doc/authentication.md gives an operator, run by the suite as written.

The doc marks each block the suite runs with an info string after the
fence, which GitHub shows as plain `sh`:

    ```sh test=account
    groupadd -f nchome-netconf
    ...
    ```

blocks(NAME) is the text of every block marked test=NAME, in the doc's
order, joined into one script; run(NAME, ...) runs it with `/bin/sh -e -x`
(a failing command fails the step), so the doc cannot drift from what works.

    from doc_commands import DOC_ACCOUNT, blocks, run, private_account_db, private_account_tap, install_group
    why = private_account_db()          # call first: re-runs this test in its own account db
    t = private_account_tap("what")     # the same, then the test's TAP (skip and end when why)
    install_group()                     # what `make install` does: group nchome
    r = run("account")                  # makes the doc's account, DOC_ACCOUNT ("netconf")
    r = run("account", account="nms2")  # the same commands for another name
    r = run("password", account=name, input="pw\\npw\\n")
    # r: CompletedProcess with .returncode and .output (stdout+stderr, with sh -x's trace)

Accounts are made for real, with the doc's useradd/usermod/groupadd and the
doc's group names, in a private account database: private_account_db()
runs the calling test again (same argv) in a mount namespace where /etc is
a copy and /home an empty tmpfs, so the host's /etc/passwd, /etc/group and
/etc/shadow are never touched and tests in parallel worktrees do not meet.
sshd and everything else the test starts see the same private database.
It returns None inside that namespace; outside (not root, no mount
namespaces) it returns why not, and the caller skips its account checks.
It does not return in the original process: that one waits for the rerun,
removes the /etc copy and exits with the rerun's status.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from nchome_test import TAP, TOP

DOC = os.path.join(TOP, "doc", "authentication.md")
# The account the doc's examples make and configure.
DOC_ACCOUNT = "netconf"
# Set in the rerun, so it does not rerun again.
_INSIDE = "NCHOME_PRIVATE_ACCOUNT_DB"
_FENCE = re.compile(r"^```sh[ \t]+test=([A-Za-z0-9_-]+)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def all_blocks(doc=DOC):
    """[(name, text)] of the marked blocks, in the doc's order."""
    with open(doc) as f:
        return [(m.group(1), m.group(2)) for m in _FENCE.finditer(f.read())]


def blocks(name, doc=DOC, account=None):
    """The blocks marked test=NAME, joined; account replaces the doc's account name
    where it stands alone as a word (also as a path's last part, principals/netconf),
    not inside another name (nchome-netconf)."""
    text = "".join(t for n, t in all_blocks(doc) if n == name)
    if not text:
        raise LookupError("%s: no ```sh test=%s block" % (doc, name))
    if account is not None and account != DOC_ACCOUNT:
        text = re.sub(r"(?<![\w.-])%s(?![\w.-])" % re.escape(DOC_ACCOUNT), account, text)
    return text


def run(name, account=None, env=None, cwd=None, input=None, doc=DOC, timeout=60):
    """Runs the blocks marked test=NAME with /bin/sh -e -x; env adds to os.environ."""
    script = blocks(name, doc, account)
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(["/bin/sh", "-e", "-x", "-c", script], env=e, cwd=cwd, input=input,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    p.output = "$ sh -e -x <<'EOF'\n%sEOF\n%s" % (script, p.stdout)
    return p


def install_group():
    """The group `make install` creates (Makefile.install, install-group): nchome."""
    if subprocess.run(["getent", "group", "nchome"], stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["groupadd", "-r", "nchome"], check=True)


def _mount_point(path):
    """Whether something is mounted on path (a bind mount on the same file system too)."""
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def private_account_db():
    """Runs this test again in a private account database (see the module's text).

    Returns None in the rerun, a reason string when it cannot be done.
    """
    if os.environ.get(_INSIDE) == "1":
        if not _mount_point("/etc"):
            return "the rerun's /etc is not the private copy"
        return None
    if os.geteuid() != 0:
        return "needs root"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux)"
    tmp = tempfile.mkdtemp(prefix="nchome-accounts-")
    try:
        etc = os.path.join(tmp, "etc")
        subprocess.run(["cp", "-a", "/etc", etc], check=True)
        # Lock files copied while another program held them would stop useradd.
        for name in os.listdir(etc):
            if name.endswith(".lock"):
                os.unlink(os.path.join(etc, name))
        script = ('mount --bind "$1" /etc && mount -t tmpfs -o mode=0755 nchome-test /home '
                  '&& shift && exec "$@"')
        probe = subprocess.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script,
                                "sh", etc, "true"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
        if probe.returncode != 0:
            return "no private mount namespace here: %s" % probe.stdout.strip()
        env = dict(os.environ)
        env[_INSIDE] = "1"
        sys.stdout.flush()
        # tests/run's time limit: still remove the /etc copy (the rerun is killed too).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script,
                            "sh", etc, sys.executable] + sys.argv, env=env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)


def private_account_tap(what):
    """private_account_db(), then the test's TAP; when the test cannot have
    a private account database, what is skipped with the reason and the
    test ends.  Call it first, as private_account_db."""
    why = private_account_db()
    t = TAP()
    if why:
        t.skip(what, "needs a private account database: " + why)
        t.done()
    return t
