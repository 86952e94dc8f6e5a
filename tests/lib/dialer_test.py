"""Helpers for the nchome-dialer integration tests (Debian's /usr/bin/python3).

A Dialer runs the built nchome-dialer in the foreground (-d) on an SshEnv's
nchome.conf; an Nms is a loopback listener that records what each called-home
connection sent before sshd's "SSH-2.0-" identification.
"""
import errno
import os
import signal
import socket
import subprocess
import threading
import time

from nchome_test import DIALER, scaled, wait_for


def client_conf(name, addrs, initiation="junos", secret=None, strategy="in-order",
                connection="persistent", period=None, backoff=(1, 2), retry=1, timeout=2,
                device_id=None, keepalive=None):
    """A `client` stanza; addrs is a list of (host, port)."""
    lines = ["client %s {" % name, "  initiation = %s" % initiation,
             "  reconnect-strategy = %s" % strategy, "  connection = %s" % connection,
             "  backoff { initial = %d max = %d }" % backoff]
    if secret is not None:
        lines.append('  secret = "%s"' % secret)
    if period is not None:
        lines.append("  period = %d" % period)
    if device_id is not None:
        lines.append('  device-id = "%s"' % device_id)
    if keepalive is not None:
        lines.append("  keep-alive { retry = %d timeout = %d }" % keepalive)
    for host, port in addrs:
        lines.append('  address "%s" { port = %d retry = %d timeout = %d }' % (host, port, retry, timeout))
    lines.append("}")
    return "\n".join(lines) + "\n"


def closed_port(host="127.0.0.1"):
    """A port with nothing listening (connect is refused)."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def read_prebanner(sock, timeout=10.0):
    """Bytes sent before "SSH-2.0-", consumed from sock (the banner itself is left unread).

    Uses MSG_PEEK so paramiko can read the identification line afterwards.
    """
    timeout = scaled(timeout)
    sock.settimeout(timeout)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        data = sock.recv(65536, socket.MSG_PEEK)
        if not data:
            raise EOFError("closed before SSH-2.0-; got %r" % data)
        i = data.find(b"SSH-2.0-")
        if i >= 0:
            got = b""
            while len(got) < i:
                got += sock.recv(i - len(got))
            return got
        time.sleep(0.02)
    raise TimeoutError("no SSH-2.0- within %.1f s" % timeout)


ALL_DIALERS = []


def sanitizer_findings():
    """ASan/UBSan/LSan reports in the stderr of every Dialer started so far."""
    found = []
    for d in ALL_DIALERS:
        inside = False
        for line in d.log().splitlines():
            if "Sanitizer" in line or "runtime error:" in line:
                inside = "SUMMARY" not in line
                found.append(line)
            elif inside and line.strip().startswith("#"):
                found.append(line)
    return found


class Dialer:
    """nchome-dialer -d -f <conf>; its stderr goes to a log file, and each line
    is also kept with the time it was read (self.lines: (monotonic, text))."""

    def __init__(self, env, args=(), prefix=()):
        """prefix: a command that execs the dialer (e.g. in a namespace; it keeps the pid)."""
        self.env = env
        self.log_path = os.path.join(env.dir, "dialer.log")
        self.lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(list(prefix) + [DIALER, "-d", "-f", env.conf] + list(args),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        ALL_DIALERS.append(self)

    def _read(self):
        with open(self.log_path, "a") as logf:
            for raw in self.proc.stderr:
                line = raw.decode(errors="replace").rstrip("\n")
                with self.lock:
                    self.lines.append((time.monotonic(), line))
                logf.write(line + "\n")
                logf.flush()

    def log(self):
        with self.lock:
            return "\n".join(l for _, l in self.lines) + "\n"

    def times(self, text):
        """Times of the log lines containing text."""
        with self.lock:
            return [t for t, l in self.lines if text in l]

    def wait_log(self, text, timeout=10.0, count=1):
        return wait_for(lambda: self.log().count(text) >= count, timeout)

    def session_pids(self):
        import re
        return [int(p) for p in re.findall(r"session started with .* \(sshd pid (\d+)\)", self.log())]

    def hup(self):
        self.proc.send_signal(signal.SIGHUP)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(scaled(10))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(scaled(5))
        return self.proc.returncode


def finish(env, dialers=(), listeners=()):
    """A dialer test's end (its finally:): stops the Dialers, closes the Nms
    listeners (None entries: never started), then removes env's files."""
    for d in dialers:
        if d is not None:
            d.stop()
    for n in listeners:
        if n is not None:
            n.close()
    env.cleanup()


def children(ppid):
    """(pid, name, state, uid) of the processes whose parent is ppid."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/status" % entry) as f:
                fields = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == ppid:
            out.append((int(entry), fields["Name"].strip(), fields["State"].strip()[0],
                        int(fields["Uid"].split()[1])))
    return out


def own_resolver_files(dirpath, hosts_lines, nameserver, timeout=30, attempts=5):
    """A prefix for Dialer: the dialer runs in a private mount namespace whose
    /etc/hosts, /etc/resolv.conf and /etc/nsswitch.conf (hosts: files dns) are
    the test's own, so names resolve, or hang on `nameserver`, as the test wants."""
    files = {}
    with open("/etc/nsswitch.conf") as f:
        nss = [l for l in f.read().splitlines() if not l.startswith("hosts:")]
    contents = {
        "hosts": "127.0.0.1 localhost\n" + "".join(l + "\n" for l in hosts_lines),
        "resolv.conf": "nameserver %s\noptions timeout:%d attempts:%d\n" % (nameserver, timeout, attempts),
        "nsswitch.conf": "\n".join(nss) + "\nhosts: files dns\n",
    }
    for name, text in contents.items():
        files[name] = os.path.join(dirpath, "etc-" + name)
        with open(files[name], "w") as f:
            f.write(text)
        os.chmod(files[name], 0o644)
    script = ('mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && '
              'mount --bind "$3" /etc/nsswitch.conf && shift 3 && exec "$@"')
    return ["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh",
            files["hosts"], files["resolv.conf"], files["nsswitch.conf"]]


class BlackholeDns:
    """A UDP socket on a loopback address, port 53, that reads queries and never answers.

    resolv.conf takes no port, so each instance takes port 53 on a random
    127.53.x.y of its own: test runs in several worktrees at once do not collide."""

    def __init__(self):
        import random
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(200):
            host = "127.53.%d.%d" % (random.randint(0, 255), random.randint(1, 254))
            try:
                self.sock.bind((host, 53))
                break
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise
        else:
            raise OSError(errno.EADDRINUSE, "no free 127.53.x.y:53")
        self.sock.settimeout(0.2)
        self.host = host
        self.queries = 0
        self.closed = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.closed:
            try:
                self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.queries += 1

    def close(self):
        self.closed = True
        self.thread.join(2)
        self.sock.close()


class Nms:
    """A loopback NMS listener.  For each connection it records the accept
    time and the bytes before "SSH-2.0-", then calls handler(sock, prebanner)
    (default: close at once).  Connections are kept in self.conns."""

    def __init__(self, host="127.0.0.1", port=0, handler=None):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.handler = handler
        self.conns = []		# dicts: time, peer, prebanner, error
        self.lock = threading.Lock()
        self.threads = []
        self.closed = False
        t = threading.Thread(target=self._accept_loop, daemon=True)
        t.start()

    def _accept_loop(self):
        while True:
            try:
                s, peer = self.sock.accept()
            except OSError:
                return
            rec = {"time": time.monotonic(), "peer": peer, "prebanner": None, "error": None, "sock": s}
            with self.lock:
                self.conns.append(rec)
            t = threading.Thread(target=self._serve, args=(s, rec), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, s, rec):
        try:
            rec["prebanner"] = read_prebanner(s)
            if self.handler:
                self.handler(s, rec)
        except Exception as e:  # recorded for the test to report
            rec["error"] = repr(e)
        finally:
            if not rec.get("keep"):
                try:
                    s.close()
                except OSError:
                    pass

    def count(self):
        with self.lock:
            return len([c for c in self.conns if c["prebanner"] is not None or c["error"]])

    def close(self):
        self.closed = True
        try:
            # shutdown() wakes the thread blocked in accept(); close() alone would not
            # release the port until that accept() returned.
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            for c in self.conns:
                try:
                    c["sock"].close()
                except OSError:
                    pass


def hold_open(sock, rec):
    """Nms handler: keep the connection open (the test closes it)."""
    rec["keep"] = True


def hold_for(seconds):
    """Nms handler: keep the connection for a while, then close it."""
    def handler(sock, rec):
        time.sleep(seconds)
    return handler


def is_open(sock):
    """True while the peer has not closed sock (reads and drops pending data)."""
    import select
    while True:
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return True
            if not sock.recv(65536):
                return False
        except (OSError, ValueError):
            return False
