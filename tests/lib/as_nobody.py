"""nchome-netconf run directly (no sshd) as root or as user nobody.

setpriv gives the process real uid 65534 and group nogroup, so a test sees
what a non-root account gets (NACM, shared folders) without making
accounts.  The program runs from a PrivatePrefix copy: nobody cannot reach
the build tree of a clone under /root (mode 0700).

    from as_nobody import NobodyEnv
    env = NobodyEnv(t, "nacm-", 0o777)   # skips (tool: setpriv) and exits when absent
    p = env.popen(as_nobody=True)            # Popen, pipes on stdin/stdout
    env.cleanup()
"""
import os
import shutil
import subprocess
import sys
import tempfile

from private_prefix import PrivatePrefix


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

    def popen(self, as_nobody, stderr=subprocess.DEVNULL, wrap=()):
        """wrap: a command run in front (e.g. strace ... ), as root."""
        cmd = [self.prefix.netconf, "-d", "-f", self.conf]
        if as_nobody:
            cmd = [self.setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        cmd = list(wrap) + cmd
        env = dict(os.environ, USER="nobody" if as_nobody else "root", HOME=self.top)
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=stderr, env=env, cwd=self.top)

    def cleanup(self):
        shutil.rmtree(self.top, ignore_errors=True)
        self.prefix.cleanup()
