"""The built programs, copied where every local account can run them.

Tests that make sshd start nchome-netconf as another account (a throwaway
NMS account logging in) must not depend on where the clone lives: under
/root (mode 0700 on Debian) or in a `mktemp -d` folder, other accounts
cannot traverse the path to the build tree, and the session fails with
"permission denied" (ssh exit 126).  PrivatePrefix copies what such an
account runs into a root-owned, mode 0755 folder under /tmp, laid out like
the build tree: subsystem/nchome-netconf beside yang/, where nchome-netconf
looks for the YANG modules it serves (it finds them from its own path).
Point the sshd_config's Subsystem line at prefix.netconf: that is what
`make install DESTDIR=...` would give, without the install's other steps.

    from private_prefix import PrivatePrefix
    prefix = PrivatePrefix()           # or: with PrivatePrefix() as prefix: ...
    prefix.netconf                     # <prefix>/subsystem/nchome-netconf, 0755, root-owned
    prefix.libexecdir                  # its folder (render_sshd_config(libexecdir=...))
    prefix.path("yang")                # <prefix>/yang, or any other copied path
    prefix.unreachable()               # [] when every account can reach what was copied
    prefix.cleanup()

PrivatePrefix(extra=("contrib/state.d",)) copies more paths (relative to
the top of the tree) the same way.  With SshEnv: env.netconf =
prefix.netconf; env.write_sshd_config().  Under make check-valgrind
(NCHOME_WRAP_BIN) the valgrind wrapper is copied too, pointing at the
copied program.  Nothing in the prefix is writable by any account but root.
"""
import os
import shutil
import stat
import tempfile

from nchome_test import NETCONF, TOP

REAL_NETCONF = os.path.join(TOP, "subsystem", "nchome-netconf")
# What an account's session runs: the NETCONF server and the YANG modules it serves.
DEFAULT = ("subsystem/nchome-netconf", "yang")


def _copy(src, dst):
    """src (file or folder) to dst: root-owned, 0755 folders and programs, 0644 other files."""
    if os.path.isdir(src):
        os.makedirs(dst, mode=0o755, exist_ok=True)
        os.chmod(dst, 0o755)
        for name in sorted(os.listdir(src)):
            _copy(os.path.join(src, name), os.path.join(dst, name))
        return
    os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o755 if os.stat(src).st_mode & stat.S_IXUSR else 0o644)


class PrivatePrefix:
    def __init__(self, extra=()):
        self.dir = tempfile.mkdtemp(prefix="nchome-prefix-")
        os.chmod(self.dir, 0o755)	# mkdtemp makes it 0700; /tmp above it is 1777
        for rel in DEFAULT + tuple(extra):
            src = os.path.join(TOP, rel)
            if os.path.exists(src):
                _copy(src, self.path(rel))
        self.netconf = self.path("subsystem/nchome-netconf")
        self.libexecdir = os.path.dirname(self.netconf)
        if NETCONF != REAL_NETCONF:
            self._wrap(NETCONF)

    def _wrap(self, wrapper):
        """The valgrind wrapper, running the copy: the copy moves aside, the wrapper takes its name."""
        real = self.netconf + ".real"
        os.rename(self.netconf, real)
        with open(wrapper) as f:
            text = f.read()
        with open(self.netconf, "w") as f:
            f.write(text.replace(REAL_NETCONF, real))
        os.chmod(self.netconf, 0o755)

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def unreachable(self):
        """Paths in the prefix (and folders above it) that an account other than root cannot use."""
        bad = []
        d = self.dir
        while d != "/":
            d = os.path.dirname(d)
            if not os.stat(d).st_mode & stat.S_IXOTH:
                bad.append(d)
        for root, dirs, files in os.walk(self.dir):
            st = os.stat(root)
            if (st.st_mode & 0o005) != 0o005 or st.st_uid != 0 or st.st_mode & 0o022:
                bad.append(root)
            for name in files:
                st = os.stat(os.path.join(root, name))
                if not st.st_mode & stat.S_IROTH or st.st_uid != 0 or st.st_mode & 0o022:
                    bad.append(os.path.join(root, name))
        if not os.stat(self.netconf).st_mode & stat.S_IXOTH:
            bad.append(self.netconf)
        return bad

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
