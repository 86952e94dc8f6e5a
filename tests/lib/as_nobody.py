"""nchome-netconf run directly (no sshd) as root or as user nobody.

setpriv gives the process real uid 65534 and group nogroup, so a test sees
what a non-root account gets (NACM, shared folders) without making
accounts.  The program runs from a PrivatePrefix copy: nobody cannot reach
the build tree of a clone under /root (mode 0700).

    from as_nobody import NobodyEnv
    env = NobodyEnv(t, "nacm-", 0o777)   # skips (tool: setpriv) and exits when absent
    p = env.popen(as_nobody=True)            # Popen, pipes on stdin/stdout
    p = env.popen_account(make_account("u", "g"))  # a real account (private account database)
    env.cleanup()
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from ncraw import NcRaw, Sessions
from private_prefix import PrivatePrefix


def make_account(user, group):
    """A throwaway account user (shell /bin/sh, no home) whose supplementary
    group is group, both made here: in a private account database only
    (doc_commands.private_account_db).  (user, uid, gid)."""
    subprocess.run(["groupadd", group], check=True)
    subprocess.run(["useradd", "-M", "-U", "-G", group, "-s", "/bin/sh", user], check=True)
    ids = [int(subprocess.run(["id", opt, user], stdout=subprocess.PIPE, text=True, check=True).stdout)
           for opt in ("-u", "-g")]
    return user, ids[0], ids[1]


class NobodyEnv:
    def __init__(self, t, name, ds_mode):
        self.setpriv = shutil.which("setpriv")
        if self.setpriv is None:
            t.skip_tool("nchome-netconf as nobody", "setpriv", "not installed (util-linux)")
            t.done()
            sys.exit(0)
        self.prefix = PrivatePrefix()
        self.top = tempfile.mkdtemp(prefix=name)
        os.chmod(self.top, 0o755)
        self.ds = os.path.join(self.top, "datastore")
        os.mkdir(self.ds)
        os.chmod(self.ds, ds_mode)
        self.conf = os.path.join(self.top, "nchome.conf")
        with open(self.conf, "w") as f:
            f.write('netconf {\n  datastore-dir = "%s"\n  commit-hooks = "%s/none"\n'
                    '  state-providers = "%s/none"\n}\n' % (self.ds, self.top, self.top))
        os.chmod(self.conf, 0o644)

    def write_conf(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def add_netconf_settings(self, *settings):
        """Puts settings (one a line) first in nchome.conf's netconf
        section; returns the file's text before, for write_conf to restore."""
        with open(self.conf) as f:
            before = f.read()
        self.write_conf(before.replace("netconf {\n", "netconf {\n" +
                                       "".join("  %s\n" % s for s in settings), 1))
        return before

    def add_yang_dir(self, files=None, copies=(), settings=()):
        """A yang-dir beside the conf (nobody cannot read under root's 0700
        home), mode 0755, holding files ({name: text}) and copies of the
        files at paths copies, each mode 0644; named first in nchome.conf's
        netconf section, then settings.  Returns its path."""
        path = os.path.join(self.top, "yang")
        os.mkdir(path)
        os.chmod(path, 0o755)
        for name, body in (files or {}).items():
            with open(os.path.join(path, name), "w") as f:
                f.write(body)
        for src in copies:
            shutil.copyfile(src, os.path.join(path, os.path.basename(src)))
        for name in os.listdir(path):
            os.chmod(os.path.join(path, name), 0o644)
        self.add_netconf_settings('yang-dir = "%s"' % path, *settings)
        return path

    def popen(self, as_nobody, stderr=subprocess.DEVNULL, wrap=()):
        """wrap: a command run in front (e.g. strace ... ), as root."""
        ids = ["--reuid=65534", "--regid=65534", "--clear-groups"] if as_nobody else None
        return self._popen(ids, "nobody" if as_nobody else "root", stderr, wrap)

    def popen_account(self, account):
        """As account ((name, uid, gid), from make_account), with its groups
        from the account database; None: as root."""
        if account is None:
            return self.popen(False)
        name, uid, gid = account
        return self._popen(["--reuid=%d" % uid, "--regid=%d" % gid, "--init-groups"], name,
                           subprocess.DEVNULL, ())

    def _popen(self, setpriv_ids, user, stderr, wrap):
        cmd = [self.prefix.netconf, "-d", "-f", self.conf]
        if setpriv_ids is not None:
            cmd = [self.setpriv] + setpriv_ids + cmd
        cmd = list(wrap) + cmd
        env = dict(os.environ, USER=user, HOME=self.top)
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=stderr, env=env, cwd=self.top)

    def cleanup(self):
        shutil.rmtree(self.top, ignore_errors=True)
        self.prefix.cleanup()


class LoggedSessions:
    """NcRaw sessions of a NobodyEnv, past their hello, each logging (-d: its
    standard error) to a file of its own, so that a test reads the audit
    lines of every session."""
    def __init__(self, env):
        self.env, self.logs, self.procs = env, [], []

    def start(self, as_nobody=False):
        log = open(os.path.join(self.env.top, "session%d.log" % len(self.logs)), "w+")
        self.logs.append(log)
        p = self.env.popen(as_nobody, stderr=log)
        self.procs.append(p)
        nc = NcRaw(p)
        nc.hello()
        return nc

    def audit_lines(self, marker=" changed "):
        """Every audit line logged so far, by every session."""
        out = []
        for log in self.logs:
            log.flush()
            with open(log.name) as f:
                out += [ln for ln in f.read().splitlines() if marker in ln]
        return out

    def close(self):
        for p in self.procs:
            p.kill()
            p.wait()
        for log in self.logs:
            log.close()


class EnvPair:
    """Two NobodyEnvs, A and Z, whose servers differ only in an environment
    variable nchome-netconf reads (the way now, the old way), for tests
    that give both the same RPCs; sessions: Sessions whose who is (env, as
    nobody).  envs, made inside the test's try; cleanup in its finally."""

    def __init__(self, var):
        self.var = var
        self.envs = []
        self.sessions = Sessions(self._start, close_session=True, timeout=120.0)

    def _start(self, who):
        env, nobody = who
        os.environ[self.var] = env.var_value
        return env.popen(nobody)

    def make(self, t, a, z):
        """a, z: (tempdir prefix, value of var) each; returns the two envs."""
        for name, value in (a, z):
            e = NobodyEnv(t, name, 0o777)
            e.var_value = value
            self.envs.append(e)
        return self.envs

    def cleanup(self):
        self.sessions.kill()
        for e in self.envs:
            e.cleanup()


NO_EXECVE = "no execve of nchome-netconf in the trace"


def netconf_trace_lines(log):
    """The lines of an strace -f log from nchome-netconf's last execve on
    (not setpriv's or another wrapper's before it); None when the log has
    no execve of nchome-netconf."""
    with open(log) as f:
        lines = f.read().splitlines()
    execs = [i for i, line in enumerate(lines) if " execve(" in line and "nchome-netconf" in line]
    return lines[execs[-1]:] if execs else None


def libnss_opened(log):
    """The libnss_ modules nchome-netconf opened in an strace -f log."""
    lines = netconf_trace_lines(log)
    if lines is None:
        return [NO_EXECVE]
    return [line.strip() for line in lines if re.search(r'open(at)?\(.*libnss_', line)]
