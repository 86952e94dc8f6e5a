"""Shared helpers for nchome's integration tests (run with Debian's /usr/bin/python3).

TAP output, a throwaway SSH set-up (host key, user key, sshd_config for
`sshd -i`), and ways to reach that sshd over loopback without the dialer.
Tests may add helpers here; keep existing signatures stable.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.environ.get("NCHOME_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIALER = os.path.join(TOP, "dialer", "nchome-dialer")
NETCONF = os.path.join(TOP, "subsystem", "nchome-netconf")
if os.environ.get("NCHOME_WRAP_BIN"):
    # make check-valgrind: wrappers that run the programs under valgrind (tests/valgrind/run)
    DIALER = os.path.join(os.environ["NCHOME_WRAP_BIN"], "nchome-dialer")
    NETCONF = os.path.join(os.environ["NCHOME_WRAP_BIN"], "nchome-netconf")
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"

# One factor for every time bound of the tests: wait_for, NcRaw reads and
# the per-test limit of tests/run are multiplied by NCHOME_TIME_SCALE
# (default 1).  tests/valgrind/run sets it, because the programs under
# test run many times slower there; the normal suite keeps its bounds.
# A test with a bound of its own (a subprocess timeout, a margin) passes
# it through scaled().
try:
    TIME_SCALE = max(1.0, float(os.environ.get("NCHOME_TIME_SCALE") or 1))
except ValueError:
    TIME_SCALE = 1.0


def scaled(seconds):
    """seconds times NCHOME_TIME_SCALE: a test's own time bound, stretched under valgrind."""
    return seconds * TIME_SCALE


class TAP:
    """Prints TAP lines; tests/run counts them."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc), flush=True)
            if detail is not None:
                for line in str(detail).splitlines()[-30:]:
                    print("#   " + line, flush=True)
        return bool(cond)

    def eq(self, got, want, desc):
        return self.ok(got == want, desc, "got:  %r\nwant: %r" % (got, want))

    def skip(self, desc, why):
        """A skip for any reason but a missing optional tool: tests/run counts it as a failure."""
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, why), flush=True)

    def skip_tool(self, desc, tool, note="not installed"):
        """The one honest skip: the optional program `tool` is not on PATH.
        Prints "# SKIP tool: <tool> <note>"; tests/run checks the tool is missing."""
        self.skip(desc, "tool: %s %s" % (tool, note))

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


def wait_for(pred, timeout=10.0, step=0.05):
    """Polls pred() until it returns a true value or timeout (times NCHOME_TIME_SCALE); returns the value."""
    end = time.monotonic() + scaled(timeout)
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


def file_started(folder, prefix):
    """True when a file in folder whose name starts with prefix has bytes
    (a writer's temp file has begun); for wait_for(..., step=0), to catch
    a writer in the middle of its write."""
    for n in os.listdir(folder):
        if n.startswith(prefix):
            try:
                if os.path.getsize(os.path.join(folder, n)) > 0:
                    return True
            except FileNotFoundError:
                pass        # renamed or swept between listdir and stat
    return False


def ensure_sshd_runtime():
    """sshd -i needs its privilege-separation folder; a host without a running sshd may lack it."""
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)


def keygen(path, kind="ed25519", comment="nchome-test"):
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", comment, "-f", path], check=True)
    return path


def shipped_algorithms():
    """config/sshd_config.in's KexAlgorithms, Ciphers and MACs lines, so the NMS
    clients the suite runs (OpenSSH, ncclient/paramiko) are tried against the
    algorithm set nchome ships (after `extra`:
    sshd keeps the first value, so a test's own choice wins)."""
    with open(os.path.join(TOP, "config", "sshd_config.in")) as f:
        return "".join(l for l in f if l.split(" ", 1)[0] in ("KexAlgorithms", "Ciphers", "MACs"))


class SshEnv:
    """A throwaway device: host key, user key, sshd_config, nchome.conf, datastore dir.

    All under one temporary folder (removed by cleanup()).  The sshd_config
    runs the built nchome-netconf as `Subsystem netconf` (self.netconf: set
    it to a PrivatePrefix's copy, then write_sshd_config(), when sessions
    run as other accounts).
    """

    def __init__(self, name="nchome", host_key_type="ed25519", extra_sshd="", netconf_conf=""):
        ensure_sshd_runtime()
        self.dir = tempfile.mkdtemp(prefix=name + "-")
        os.chmod(self.dir, 0o700)
        self.host_key = keygen(os.path.join(self.dir, "host_key"), host_key_type, "host")
        self.user_key = keygen(os.path.join(self.dir, "user_key"), "ed25519", "user")
        self.authorized_keys = os.path.join(self.dir, "authorized_keys")
        shutil.copy(self.user_key + ".pub", self.authorized_keys)
        self.datastore_dir = os.path.join(self.dir, "datastore")
        os.makedirs(self.datastore_dir)
        self.state_dir = os.path.join(self.dir, "state")
        os.makedirs(self.state_dir)
        self.conf = os.path.join(self.dir, "nchome.conf")
        # Each env's dialer and sessions talk over a socket of their own (not /run/nchome);
        # None leaves the key out (a build that predates it: tests/bench comparisons).
        self.dialer_socket = os.path.join(self.dir, "dialer.sock")
        self.sshd_config = os.path.join(self.dir, "sshd_config")
        self.known_hosts = os.path.join(self.dir, "known_hosts")
        with open(self.host_key + ".pub") as f:
            self.host_pub = " ".join(f.read().split()[:2])
        self.netconf_conf = netconf_conf
        self.netconf = NETCONF
        self.write_nchome_conf("")
        self.write_sshd_config(extra_sshd)

    def write_sshd_config(self, extra=""):
        with open(self.sshd_config, "w") as f:
            f.write(
                "HostKey %s\n"
                "AuthorizedKeysFile %s\n"
                "PermitRootLogin prohibit-password\n"
                "PasswordAuthentication no\n"
                "KbdInteractiveAuthentication no\n"
                "UsePAM no\n"
                "StrictModes no\n"
                "PidFile none\n"
                "LogLevel VERBOSE\n"
                "SetEnv HOME=%s\n"
                "Subsystem netconf %s -f %s\n"
                "%s\n%s" % (self.host_key, self.authorized_keys, self.dir, self.netconf, self.conf, extra,
                             shipped_algorithms()))

    def write_nchome_conf(self, clients, globals_extra=""):
        """Writes nchome.conf with the given client stanzas (text)."""
        with open(self.conf, "w") as f:
            f.write(
                'device-id = "test-device"\n'
                'sshd = "%s"\n'
                'sshd-config = "%s"\n'
                'host-key = "%s.pub"\n'
                'state-dir = "%s"\n'
                '%s'
                "%s\n%s\n"
                'netconf {\n  datastore-dir = "%s"\n%s\n}\n'
                % (SSHD, self.sshd_config, self.host_key, self.state_dir,
                   'dialer-socket = "%s"\n' % self.dialer_socket if self.dialer_socket else "", globals_extra,
                   clients, self.datastore_dir, self.netconf_conf))
        os.chmod(self.conf, 0o600)

    def ssh_base_args(self):
        """ssh options that trust this env's host key and use its user key."""
        with open(self.known_hosts, "w") as f:
            f.write("* %s\n" % self.host_pub)
        return ["ssh", "-F", "/dev/null", "-i", self.user_key,
                "-o", "UserKnownHostsFile=" + self.known_hosts,
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR"]

    def ssh_proxy_args(self):
        """ssh options that reach sshd -i directly through ProxyCommand (no network)."""
        return self.ssh_base_args() + ["-o", "ProxyCommand=%s -i -f %s" % (SSHD, self.sshd_config)]

    def netconf_over_ssh(self):
        """A Popen of `ssh -s netconf` through sshd -i: stdin/stdout speak NETCONF."""
        return subprocess.Popen(self.ssh_proxy_args() + ["root@device", "-s", "netconf"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def netconf_direct(self, extra_env=None):
        """A Popen of nchome-netconf itself over pipes (no sshd): for protocol tests."""
        env = dict(os.environ)
        env.setdefault("USER", "root")
        if extra_env:
            env.update(extra_env)
        return subprocess.Popen([NETCONF, "-f", self.conf], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class InetdSshd:
    """Listens on 127.0.0.1 and runs `sshd -i` on each accepted socket, as inetd would.

    Lets tests reach sshd over real TCP without the dialer.
    """

    def __init__(self, env):
        self.env = env
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.children = []
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            p = subprocess.Popen([SSHD, "-i", "-f", self.env.sshd_config], stdin=conn, stdout=conn,
                                 stderr=open(os.path.join(self.env.dir, "sshd.log"), "a"))
            conn.close()
            self.children.append(p)

    def close(self):
        self.stop = True
        self.sock.close()
        for p in self.children:
            if p.poll() is None:
                p.terminate()
        for p in self.children:
            try:
                p.wait(scaled(5))
            except subprocess.TimeoutExpired:
                p.kill()


def figure(name, value, unit, note=""):
    """Prints one benchmark figure in the format tests/bench/run collects into its table:
    FIGURE <name>\\t<value>\\t<unit>\\t<note> (name without spaces; value as measured)."""
    if isinstance(value, float):
        value = "%.4g" % value
    print("FIGURE %s\t%s\t%s\t%s" % (name, value, unit, str(note).replace("\t", " ").replace("\n", " ")),
          flush=True)
