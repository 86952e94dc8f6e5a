#!/usr/bin/python3
"""Call-home session set-up and reconnects (issue 18), through nchome-dialer,
the real sshd -i and nchome-netconf, on loopback.  Figures, not pass/fail.

  callhome.<tree>.<nms>.hello_p50/p99   NMS accept() -> NETCONF hellos exchanged
  callhome.<tree>.<nms>.floor_p50/p99   the same NMS, same way, with a subsystem
                                        that is /bin/cat of "]]>]]>" instead
  callhome.<tree>.reconnect_long_p50    NMS closes a 2.5 s session -> next accept
  callhome.<tree>.reconnect_short_p50   NMS closes right after one get-config -> next accept
  netconf.<tree>.exec_hello_p50         nchome-netconf exec -> <hello> over pipes
  netconf.<tree>.load.<lib>, .own_start, .yang_folder_read   where that time goes
  callhome.<tree>.<nms>.over_floor_p50  hello_p50 - floor_p50: what nchome-netconf adds
Each hello figure's note quotes its floor (measured in the same run, alternating).

NMS kinds (<nms>):
  ncclient         ncclient.manager.call_home() as shipped (paramiko, Nagle on);
                   "hellos exchanged" = call_home() returned (the server's hello
                   read, ncclient's own queued and sent by its thread)
  ncclient_nodelay the same with TCP_NODELAY set on the accepted socket, as
                   doc/authentication.md tells NMS authors to
  ssh_fdpass_c25519  the same ssh with -o KexAlgorithms=curve25519-sha256: what an
                   OpenSSH NMS saves by not choosing the post-quantum hybrid
                   sntrup761x25519 (ssh's first choice; its key generation is the
                   NMS's, ~60-70 ms of CPU here; the device's share is a few ms)
  ssh_fdpass_unix_c25519  an NMS that accepts the call itself, then starts ssh
                   (curve25519-sha256) with `nchome-nms-fdpass -u` (unix mode) as
                   its ProxyCommand, as tests/demo_nms.py does: t0 = accept(),
                   so ssh's start and the helper's are inside the figure
  ssh_fdpass       OpenSSH ssh -s netconf through contrib/nchome-nms-fdpass
                   (ProxyUseFdpass) of the same tree, listening; t0 = the helper's
                   "call home from" line (written right after accept()), t1 = the
                   server's hello read on ssh's stdout and ours written
The floor: paramiko (same TCP_NODELAY setting as the kind) or ssh through the
helper, `Subsystem floor /bin/cat <file holding "]]>]]>">`: accept -> key
exchange, public-key auth, channel open, subsystem started, its "]]>]]>" read.  That is sshd's own
start, key exchange, auth and channel set-up plus the login shell exec'ing a
trivial program that writes at once: everything but nchome-netconf's start.
(/bin/true writes nothing, so the only thing to time would be its exit and
the exit-status/close exchange, which a NETCONF set-up does not have.)

Trees (<tree>): NCHOME_BENCH_TREES="name=/path name2=/path2" compares builds
(e.g. main before a change and the branch after it) in the same run,
alternating sample by sample; default: this tree ("this") and, when make bench
linked it, the same nchome-netconf linked the other way (tests/bench/netconf-static
or netconf-shared, see ./configure --enable-static-deps) as "static" or "shared"
(its sshd sets NCHOME_YANG_DIR to this tree's yang/).  Each tree
gets its own dialer, sshd_config (Subsystem netconf = its nchome-netconf)
and nchome.conf (dialer-socket only where the tree knows the key).
sshd sets HOME to a folder of its own (no root ~/.bashrc in the login shell,
see /work/shared/measuring.md); one extra series for the last tree keeps
root's HOME: callhome.<tree>.ncclient_nodelay_home_rc.hello_p50.

Backoff of the clients: initial 1 max 1 for the set-up series (a missed
listener costs at most 1 s); initial 1 max 4 for the short-session series.
Knobs: NCHOME_CALLHOME_RUNS (20), NCHOME_CALLHOME_RECONNECTS (8).
"""
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import NETCONF, SshEnv, figure  # noqa: E402
import dialer_test  # noqa: E402
from dialer_test import Dialer, client_conf  # noqa: E402

import paramiko  # noqa: E402
import ncclient.manager  # noqa: E402

RUNS = int(os.environ.get("NCHOME_CALLHOME_RUNS", "20"))
RECONNECTS = int(os.environ.get("NCHOME_CALLHOME_RECONNECTS", "8"))
NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
HELLO = ('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
         '</capability></capabilities></hello>]]>]]>' % NS).encode()
GET_CONFIG = ('<rpc xmlns="%s" message-id="1"><get-config><source><running/></source>'
              '</get-config></rpc>]]>]]>' % NS).encode()
TOP = os.environ.get("NCHOME_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def links_libxml2(binary):
    return any(so.startswith("libxml2.") for so in needed_libs(binary))


def trees():
    """[(name, tree path, nchome-netconf to run or None for the tree's own)]."""
    spec = os.environ.get("NCHOME_BENCH_TREES", "").split()
    if spec:
        return [tuple(s.split("=", 1)) + (None,) for s in spec]
    out = [("this", TOP, None)]
    own = os.path.join(TOP, "subsystem", "nchome-netconf")
    other = ("static", "netconf-static") if links_libxml2(own) else ("shared", "netconf-shared")
    path = os.path.join(TOP, "tests", "bench", other[1])
    if os.access(path, os.X_OK):
        out.append((other[0], TOP, path))
    return out


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return xs[k]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    return s


class Tree:
    """One build: its dialer calling one client at self.port, its own env."""

    def __init__(self, name, path, netconf=None, keep_home=False):
        self.name = name
        self.dialer_bin = os.path.join(path, "dialer", "nchome-dialer")
        self.netconf_bin = netconf or os.path.join(path, "subsystem", "nchome-netconf")
        # a program outside <tree>/subsystem does not find the tree's yang/ by itself
        self.yang_env = {"NCHOME_YANG_DIR": os.path.join(path, "yang")} if netconf else {}
        self.fdpass = os.path.join(path, "contrib", "nchome-nms-fdpass")
        knows_socket = False	# the key table: conf.c, or conf_schema.c since the split
        for name in ("conf.c", "conf_schema.c"):
            p = os.path.join(path, "common", name)
            if os.path.exists(p):
                with open(p) as f:
                    knows_socket = knows_socket or "CFG_STR(\"dialer-socket\"" in f.read()
        self.env = SshEnv("bench-ch-" + name)
        floor = os.path.join(self.env.dir, "floor-output")
        with open(floor, "w") as f:
            f.write("]]>]]>\n")
        self.env.write_sshd_config("Subsystem floor /bin/cat %s\n" % floor)
        if not knows_socket:
            self.env.dialer_socket = None
        with open(self.env.sshd_config) as f:
            text = f.read().replace("Subsystem netconf %s " % NETCONF,
                                    "Subsystem netconf %s " % self.netconf_bin)
        setenv = [] if keep_home else ["HOME=" + self.env.dir]
        setenv += ["%s=%s" % kv for kv in self.yang_env.items()]
        text = "\n".join(l if not l.startswith("SetEnv HOME=") else ("SetEnv " + " ".join(setenv) if setenv else "")
                         for l in text.splitlines()) + "\n"
        with open(self.env.sshd_config, "w") as f:
            f.write(text)
        self.user_key = paramiko.Ed25519Key.from_private_key_file(self.env.user_key)
        self.port = free_port()
        self.dialer = None

    def start(self, backoff=(1, 1)):
        self.stop()
        self.env.write_nchome_conf(client_conf("bench", [("127.0.0.1", self.port)], initiation="none",
                                               backoff=backoff, retry=1, timeout=5))
        dialer_test.DIALER = self.dialer_bin
        self.dialer = Dialer(self.env)

    def stop(self):
        if self.dialer is not None:
            self.dialer.stop()
            self.dialer = None

    def cleanup(self):
        self.stop()
        self.env.cleanup()


# --- NMS kinds ---------------------------------------------------------------

class _Accepted:
    t = None
    listeners = []	# call_home() never closes its listening socket: we do


def _timed_socket_class(nodelay):
    class TimedSocket(socket.socket):
        """What manager.call_home() listens with: SO_REUSEADDR (it binds the same
        port again for each call), and the accept() time kept."""

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            if kw.get("fileno") is None:
                self.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                _Accepted.listeners.append(self)

        def accept(self):
            s, a = super().accept()
            _Accepted.t = time.monotonic()
            if nodelay:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return s, a
    return TimedSocket


def ncclient_hello(tree, nodelay):
    """manager.call_home(): accept -> hellos exchanged."""
    orig = ncclient.manager.socket
    ncclient.manager.socket = types.SimpleNamespace(
        socket=_timed_socket_class(nodelay), AF_INET=socket.AF_INET, SOCK_STREAM=socket.SOCK_STREAM)
    try:
        _Accepted.t = None
        m = ncclient.manager.call_home(host="127.0.0.1", port=tree.port, username="root",
                                       key_filename=tree.env.user_key, hostkey_verify=False,
                                       allow_agent=False, look_for_keys=False, timeout=20)
        t1 = time.monotonic()
    finally:
        ncclient.manager.socket = orig
        while _Accepted.listeners:
            _Accepted.listeners.pop().close()
    m._session.close()
    return t1 - _Accepted.t


def paramiko_floor(tree, nodelay):
    """paramiko on an accepted socket: `Subsystem floor` (cat) started and its output read."""
    lst = listener(tree.port)
    lst.settimeout(20)
    try:
        sock, _ = lst.accept()
    finally:
        lst.close()
    t0 = time.monotonic()
    if nodelay:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    tr = paramiko.Transport(sock)
    try:
        tr.start_client(timeout=20)
        tr.auth_publickey("root", tree.user_key)
        ch = tr.open_session()
        ch.invoke_subsystem("floor")
        read_until(ch, b"]]>]]>")
        t1 = time.monotonic()
    finally:
        tr.close()
    return t1 - t0


def ssh_fdpass(tree, subsystem, kex=None):
    """ssh through the tree's nchome-nms-fdpass: helper's accept -> the subsystem's "]]>]]>"."""
    args = tree.env.ssh_base_args() + (["-o", "KexAlgorithms=" + kex] if kex else []) + [
        "-o", "ProxyUseFdpass=yes",
        "-o", "ProxyCommand=/usr/bin/python3 %s -n -t 20 127.0.0.1 %d" % (tree.fdpass, tree.port),
        "root@device", "-s", subsystem]
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    accepted = []

    def read_err():
        for line in p.stderr:
            if b"call home from" in line and not accepted:
                accepted.append(time.monotonic())
    th = threading.Thread(target=read_err, daemon=True)
    th.start()
    fd = p.stdout.fileno()
    buf = b""
    t1 = None
    try:
        while True:
            d = os.read(fd, 65536)
            if not d:
                break
            buf += d
            if b"]]>]]>" in buf:
                if subsystem == "netconf":
                    p.stdin.write(HELLO)
                    p.stdin.flush()
                t1 = time.monotonic()
                break
    finally:
        try:
            p.stdin.close()
        except OSError:
            pass
        p.wait(20)
        th.join(5)
    if not accepted or t1 is None:
        raise RuntimeError("ssh via fdpass failed (rc %s)" % p.returncode)
    return t1 - accepted[0]


def ssh_fdpass_unix(tree, subsystem, kex=None):
    """An NMS that accepts the call itself (t0) and only then starts ssh, with the
    tree's nchome-nms-fdpass -u as its ProxyCommand (tests/demo_nms.py's way, one
    listener for many devices): ssh's start and the helper's are in the set-up.
    The helper is run as installed (its #! line), not through /usr/bin/python3."""
    from importlib.machinery import SourceFileLoader
    serve_socket = SourceFileLoader("fdpass_" + tree.name, tree.fdpass).load_module().serve_socket
    upath = os.path.join(tree.env.dir, "fdpass.sock")
    if os.path.exists(upath):
        os.unlink(upath)
    us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    us.bind(upath)
    us.listen(1)
    lst = listener(tree.port)
    lst.settimeout(20)
    try:
        conn, _ = lst.accept()
    finally:
        lst.close()
    t0 = time.monotonic()
    args = tree.env.ssh_base_args() + (["-o", "KexAlgorithms=" + kex] if kex else []) + [
        "-o", "ProxyUseFdpass=yes", "-o", "ProxyCommand=%s -q -t 20 -u %s" % (tree.fdpass, upath),
        "root@device", "-s", subsystem]
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    buf = b""
    t1 = None
    try:
        serve_socket(us, conn, 20, alive=lambda: p.poll() is None)
        conn.close()
        while b"]]>]]>" not in buf:
            d = os.read(p.stdout.fileno(), 65536)
            if not d:
                break
            buf += d
        if b"]]>]]>" in buf:
            if subsystem == "netconf":
                p.stdin.write(HELLO)
                p.stdin.flush()
            t1 = time.monotonic()
    finally:
        conn.close()
        us.close()
        try:
            p.stdin.close()
        except OSError:
            pass
        p.wait(20)
    if t1 is None:
        raise RuntimeError("ssh via fdpass -u failed (rc %s)" % p.returncode)
    return t1 - t0


# --- reconnects --------------------------------------------------------------

def read_until(ch, end):
    buf = b""
    while end not in buf:
        d = ch.recv(65536)
        if not d:
            raise EOFError(buf[-200:])
        buf += d
    return buf


def netconf_session(tree, sock, hold):
    """Hellos, one get-config, `hold` seconds; returns the time the NMS closed (FIN sent)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    tr = paramiko.Transport(sock)
    try:
        tr.start_client(timeout=20)
        tr.auth_publickey("root", tree.user_key)
        ch = tr.open_session()
        ch.invoke_subsystem("netconf")
        read_until(ch, b"]]>]]>")
        ch.sendall(HELLO + GET_CONFIG)
        read_until(ch, b"</rpc-reply>]]>]]>")
        if hold:
            time.sleep(hold)
        t_close = time.monotonic()
        sock.shutdown(socket.SHUT_RDWR)
    finally:
        tr.close()
    return t_close


def reconnect_series(trs, hold, n):
    """n times per tree, alternating: session, NMS closes, time to the dialer's next accept."""
    out = {t.name: [] for t in trs}
    lsts = {t.name: listener(t.port) for t in trs}
    held = {}
    try:
        for t in trs:
            lsts[t.name].settimeout(30)
            held[t.name], _ = lsts[t.name].accept()
        for _ in range(n):
            for t in trs:
                t_close = netconf_session(t, held[t.name], hold)
                held[t.name], _ = lsts[t.name].accept()
                out[t.name].append(time.monotonic() - t_close)
    finally:
        for s in list(held.values()) + list(lsts.values()):
            s.close()
    return out


# --- nchome-netconf exec -> hello over pipes ---------------------------------

def exec_hello(path, conf, env=None):
    t0 = time.monotonic()
    p = subprocess.Popen([path, "-f", conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=dict(os.environ, **env) if env else None)
    buf = b""
    while b"]]>]]>" not in buf:
        d = os.read(p.stdout.fileno(), 65536)
        if not d:
            break
        buf += d
    t1 = time.monotonic()
    p.stdin.close()
    p.wait(10)
    return t1 - t0


def exec_exit(argv):
    t0 = time.monotonic()
    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t0


def cpu_of(fn):
    """fn() -> (its value, CPU seconds (user + system) of the children it waited for).
    On a shared machine the CPU a start costs is steadier than its wall time."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    v = fn()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return v, (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)


def needed_libs(binary):
    """The DT_NEEDED sonames of binary (readelf -d), in order."""
    out = subprocess.run(["readelf", "-d", binary], stdout=subprocess.PIPE, text=True).stdout
    return [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines() if "(NEEDED)" in line]


def build_stub(folder, name, sonames):
    """A do-nothing program that loads exactly sonames (and what they need)."""
    path = os.path.join(folder, name)
    args = ["cc", "-O2", "-x", "c", "-", "-o", path, "-Wl,--no-as-needed"] + ["-l:" + so for so in sonames]
    subprocess.run(args, input=b"int main(void) { return 0; }\n", check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return path


def loading_breakdown(tree, n):
    """Where exec -> <hello> goes: loading the libraries (do-nothing programs that load
    the same DT_NEEDED list, or libc and one library of it), the YANG folder read
    (NCHOME_YANG_DIR pointing nowhere), and the rest: nchome-netconf's own start."""
    libs = [so for so in needed_libs(tree.netconf_bin) if not so.startswith("libc.so")]
    folder = os.path.join(tree.env.dir, "stubs")
    os.makedirs(folder, exist_ok=True)
    try:
        cases = [("libc", build_stub(folder, "libc", [])),
                 ("all", build_stub(folder, "all", libs))]
        cases += [(so, build_stub(folder, "one-%d" % i, [so])) for i, so in enumerate(libs)]
    except (OSError, subprocess.CalledProcessError) as e:
        print("no loading breakdown (cannot build the stubs: %r)" % e, flush=True)
        return
    noyang = dict(os.environ, NCHOME_YANG_DIR="/nonexistent")

    def no_yang():
        t0 = time.monotonic()
        p = subprocess.Popen([tree.netconf_bin, "-f", tree.env.conf], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=noyang)
        buf = b""
        while b"]]>]]>" not in buf:
            d = os.read(p.stdout.fileno(), 65536)
            if not d:
                break
            buf += d
        t1 = time.monotonic()
        p.stdin.close()
        p.wait(10)
        # A build that loads its module set (issue 16) needs the folder: no hello.
        return t1 - t0 if b"<hello" in buf else float("nan")
    runs = [(name, (lambda path=path: exec_exit([path]))) for name, path in cases]
    runs += [("hello", lambda: exec_hello(tree.netconf_bin, tree.env.conf)), ("hello_no_yang", no_yang)]
    got = {name: [] for name, _ in runs}
    for _ in range(n):
        for name, fn in runs:
            got[name].append(fn())
    med = {k: statistics.median(v) * 1000 for k, v in got.items()}
    figure("netconf.%s.exec_libs_stub_p50" % tree.name, round(med["all"], 2), "ms",
           "a do-nothing program loading nchome-netconf's DT_NEEDED libraries -> exit; median of %d" % n)
    figure("netconf.%s.exec_libc_stub_p50" % tree.name, round(med["libc"], 2), "ms",
           "a do-nothing program with libc only -> exit; median of %d" % n)
    for so in libs:
        figure("netconf.%s.load.%s" % (tree.name, so.split(".so")[0]), round(med[so] - med["libc"], 2), "ms",
               "loading %s and what it pulls in (do-nothing program with libc + it, minus libc only)" % so)
    if any(x != x for x in got["hello_no_yang"]):
        figure("netconf.%s.yang_folder_read" % tree.name, "nan", "ms",
               "no hello without the YANG folder: this build needs its module set to start "
               "(tests/bench/bench_hello.py measures the start with it)")
    else:
        figure("netconf.%s.yang_folder_read" % tree.name, round(med["hello"] - med["hello_no_yang"], 2),
               "ms", "exec -> hello minus the same with NCHOME_YANG_DIR=/nonexistent (medians)")
    figure("netconf.%s.own_start" % tree.name, round(med["hello"] - med["all"], 2), "ms",
           "exec -> hello minus the do-nothing program with the same libraries: nchome-netconf's own "
           "start (conf, registry, YANG folder, hello), as measured from here")


def series(trs, fn, n):
    """fn(tree) n times per tree, alternating; {tree: [seconds]}."""
    out = {t.name: [] for t in trs}
    for _ in range(n):
        for t in trs:
            try:
                out[t.name].append(fn(t))
            except Exception as e:  # a failed sample is reported, not timed
                print("%s: sample failed: %r" % (t.name, e), flush=True)
    return out


def report(prefix, what, res, note, floor=None):
    """p50 and p99 of each tree's series; with floor ({tree: [s]} of the same run),
    each figure's note quotes the floor's and an over_floor_p50 figure follows."""
    for name, xs in res.items():
        if not xs:
            figure("%s.%s.%s" % (prefix, name, what), "nan", "ms", "no sample: " + note)
            continue
        fl = floor.get(name) if floor else None
        f50 = f99 = ""
        if fl:
            f50 = "; floor p50 %.1f ms" % (statistics.median(fl) * 1000)
            f99 = "; floor p99 %.1f ms" % (pct(fl, 99) * 1000)
        figure("%s.%s.%s_p50" % (prefix, name, what), round(statistics.median(xs) * 1000, 1), "ms",
               "%s; median of %d%s" % (note, len(xs), f50))
        figure("%s.%s.%s_p99" % (prefix, name, what), round(pct(xs, 99) * 1000, 1), "ms",
               "%s; p99 of %d (= max below 100 samples)%s" % (note, len(xs), f99))
        if fl:
            figure("%s.%s.%s_over_floor_p50" % (prefix, name, what),
                   round((statistics.median(xs) - statistics.median(fl)) * 1000, 1), "ms",
                   "p50 minus its floor's p50 (same run): what nchome-netconf adds")


trs = [Tree(n, p, nc) for n, p, nc in trees()]
extra = None
try:
    print("trees: " + ", ".join("%s=%s" % (t.name, os.path.dirname(os.path.dirname(t.dialer_bin)))
                                 for t in trs), flush=True)
    for t in trs:
        t.start()
    # Warm-up: one of each, untimed (page cache, datastore files created).
    series(trs, lambda t: ncclient_hello(t, True), 1)

    for kind, fn, floor, note in [
            ("ncclient", lambda t: ncclient_hello(t, False), lambda t: paramiko_floor(t, False),
             "ncclient manager.call_home as shipped (Nagle on at the NMS)"),
            ("ncclient_nodelay", lambda t: ncclient_hello(t, True), lambda t: paramiko_floor(t, True),
             "ncclient manager.call_home, TCP_NODELAY on the accepted socket"),
            ("ssh_fdpass", lambda t: ssh_fdpass(t, "netconf"), lambda t: ssh_fdpass(t, "floor"),
             "ssh -s netconf via the tree's nchome-nms-fdpass (ProxyUseFdpass)"),
            ("ssh_fdpass_c25519", lambda t: ssh_fdpass(t, "netconf", "curve25519-sha256"),
             lambda t: ssh_fdpass(t, "floor", "curve25519-sha256"),
             "as ssh_fdpass, the NMS's ssh with -o KexAlgorithms=curve25519-sha256"),
            ("ssh_fdpass_unix_c25519", lambda t: ssh_fdpass_unix(t, "netconf", "curve25519-sha256"),
             lambda t: ssh_fdpass_unix(t, "floor", "curve25519-sha256"),
             "the NMS accepts, then starts ssh (curve25519-sha256) with nchome-nms-fdpass -u")]:
        # hello and floor samples alternate, so both see the same load
        both = series(trs, lambda t: (fn(t), floor(t)), RUNS)
        res = {k: [a for a, _ in v] for k, v in both.items()}
        fres = {k: [b for _, b in v] for k, v in both.items()}
        report("callhome", kind + ".floor", fres,
               "floor: NMS accept -> output of Subsystem /bin/cat read, same NMS and TCP_NODELAY setting")
        report("callhome", kind + ".hello", res, "NMS accept -> hellos exchanged, " + note, fres)

    # Root's HOME: the login shell reads root's ~/.bashrc (here: pyenv init).
    last = trs[-1]
    extra = Tree(last.name + "_home_rc", os.path.dirname(os.path.dirname(last.dialer_bin)),
                 last.netconf_bin if last.yang_env else None, keep_home=True)
    for t in trs:
        t.stop()
    extra.start()
    res = series([extra], lambda t: ncclient_hello(t, True), max(5, RUNS // 2))
    report("callhome", "ncclient_nodelay.hello_home_rc", res,
           "as ncclient_nodelay, but sshd_config without SetEnv HOME (root's ~/.bashrc runs)")
    extra.cleanup()
    extra = None

    # Reconnects.
    for t in trs:
        t.start(backoff=(1, 1))
    res = reconnect_series(trs, 2.5, RECONNECTS)
    report("callhome", "reconnect_long", res,
           "NMS closes (FIN) after a 2.5 s NETCONF session -> the dialer's next call accepted")
    for t in trs:
        t.start(backoff=(1, 4))
    res = reconnect_series(trs, 0, RECONNECTS)
    report("callhome", "reconnect_short", res,
           "NMS closes (FIN) right after hellos + one get-config -> next call accepted "
           "(backoff initial 1 max 4)")
    for t in trs:
        t.stop()

    # nchome-netconf over pipes from this Python process.
    res = series(trs, lambda t: exec_hello(t.netconf_bin, t.env.conf, t.yang_env), 1)
    both = series(trs, lambda t: (cpu_of(lambda: exec_hello(t.netconf_bin, t.env.conf, t.yang_env)),
                                  cpu_of(lambda: exec_exit(["/bin/true"]))), max(30, RUNS))
    fres = {k: [b[0] for _, b in v] for k, v in both.items()}
    report("netconf", "exec_bin_true", fres, "Popen(/bin/true) -> exit (the floor), alternating with the next")
    report("netconf", "exec_hello", {k: [a[0] for a, _ in v] for k, v in both.items()},
           "Popen(nchome-netconf -f conf) -> <hello> read on its stdout", fres)
    fres = {k: [b[1] for _, b in v] for k, v in both.items()}
    report("netconf", "exec_bin_true_cpu", fres, "CPU (user+sys) of Popen(/bin/true) -> exit (the floor)")
    report("netconf", "exec_hello_cpu", {k: [a[1] for a, _ in v] for k, v in both.items()},
           "CPU (user+sys) of nchome-netconf from exec to its exit at stdin's EOF right after the hello "
           "(the steadier figure on a shared machine)", fres)
    res = series(trs, lambda t: exec_exit([t.netconf_bin, "-f", "/nonexistent"]), max(30, RUNS))
    report("netconf", "exec_bad_conf", res, "Popen(nchome-netconf -f /nonexistent) -> exit (loading only)")
    loading_breakdown(trs[0], max(30, RUNS))
finally:
    if extra is not None:
        extra.cleanup()
    for t in trs:
        t.cleanup()
