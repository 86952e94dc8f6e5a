#!/usr/bin/python3
"""contrib/nchome-nms-fdpass: the NMS-side ProxyUseFdpass helper for OpenSSH's ssh.

A fake device (Python, independent of nchome-dialer) connects to the
helper, writes a Junos initiation sequence with its own HMAC computation,
and runs the real `sshd -i` on that socket.  ssh takes the socket from the
helper and must reach NETCONF only when the helper's checks pass: the
HMAC-verified HOST-KEY pinned in known_hosts, DEVICE-ID equal to ssh's
host name, or RFC 8071 (no sequence) with the host CA.
"""
import hashlib
import hmac
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import SSHD, TAP, scaled  # noqa: E402
from nchome_auth import DEVICE, TOP, AuthEnv  # noqa: E402

FDPASS = os.path.join(TOP, "contrib", "nchome-nms-fdpass")
t = TAP()
env = AuthEnv()
secret = b"s3cret-shared"
secret_file = os.path.join(env.nms_dir, "secret")
with open(secret_file, "wb") as f:
    f.write(secret + b"\n")
with open(env.host_key + ".pub") as f:
    host_pub = " ".join(f.read().split()[:2])
env.principals("root", "nms-operator")
key = env.user_key("nms")
cert = env.sign_user(key, "nms-operator")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class FakeDevice(threading.Thread):
    """Connects (retrying until the helper listens), writes `initiation`, runs sshd -i."""

    def __init__(self, port, initiation, log):
        super().__init__(daemon=True)
        self.port, self.initiation, self.log = port, initiation, log
        self.sshd = None

    def run(self):
        end = time.monotonic() + scaled(15)
        while time.monotonic() < end:
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                break
            except OSError:
                time.sleep(0.05)
        else:
            return
        s.settimeout(None)
        s.sendall(self.initiation)
        self.sshd = subprocess.Popen([SSHD, "-i", "-f", env.sshd_config, "-E", self.log],
                                     stdin=s, stdout=s, stderr=subprocess.DEVNULL)
        s.close()
        self.sshd.wait(scaled(30))


def junos(device_id, with_key=True, mac_secret=secret, key_sent=host_pub):
    lines = "MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: %s\r\n" % device_id
    if with_key:
        mac = hmac.new(mac_secret, key_sent.encode(), hashlib.sha1).hexdigest()
        lines += "HOST-KEY: %s\r\nHMAC: %s\r\n" % (key_sent, mac)
    return lines.encode()


def call(initiation, helper_args, known_hosts=None, desc=""):
    port = free_port()
    n = env.logs + 1
    log = os.path.join(env.dir, "fdpass-sshd-%d.log" % n)
    report = os.path.join(env.dir, "report-%d.json" % n)
    dev = FakeDevice(port, initiation, log)
    dev.start()
    proxy = "/usr/bin/python3 %s -t 15 -r %s %s 127.0.0.1 %d" % (FDPASS, report, helper_args, port)
    r = env.netconf("root", key, cert, fdpass_proxy=proxy, known_hosts=known_hosts, log=log)
    dev.join(20)
    if dev.sshd and dev.sshd.poll() is None:
        dev.sshd.kill()
    r.report = open(report).read() if os.path.exists(report) else ""
    return r


try:
    hello_ok = env.netconf_sends_hello()

    def reached(r, desc):
        if hello_ok:
            t.ok(r.hello, desc, r.detail() + "\nreport: " + r.report)
        else:
            t.ok(r.accepted("publickey"), desc + " (sshd accepted; nchome-netconf has no hello yet)",
                 r.detail() + "\nreport: " + r.report)

    def refused(r, desc):
        t.ok(r.rc == 255 and not r.hello and "Accepted " not in r.sshd_log, desc,
             r.detail() + "\nreport: " + r.report)

    # Junos with a secret: only the HMAC-verified HOST-KEY is trusted (pinned).
    pinned = os.path.join(env.nms_dir, "pinned_known_hosts")
    r = call(junos(DEVICE), "-i %%n -s %s -w %s" % (secret_file, pinned), pinned)
    reached(r, "junos + HMAC: ssh trusts the HMAC-verified HOST-KEY and reaches the device")
    t.eq(open(pinned).read() if os.path.exists(pinned) else "", "%s %s\n" % (DEVICE, host_pub),
         "the helper pinned exactly the HOST-KEY the device sent")
    t.ok('"hmac_ok": true' in r.report and '"device_id": "%s"' % DEVICE in r.report,
         "report: DEVICE-ID and HMAC verified", r.report)

    os.unlink(pinned)
    r = call(junos(DEVICE, mac_secret=b"wrong"), "-i %%n -s %s -w %s" % (secret_file, pinned), pinned)
    refused(r, "junos with an HMAC made with another secret: refused")
    t.ok(not os.path.exists(pinned) and "HMAC does not verify" in r.err,
         "nothing pinned, the helper says why", r.err)

    other = env.user_key("rogue-host")
    with open(other + ".pub") as f:
        rogue_pub = " ".join(f.read().split()[:2])
    r = call(junos(DEVICE, key_sent=rogue_pub), "-i %%n -s %s -w %s" % (secret_file, pinned), pinned)
    refused(r, "valid HMAC over a key that is not the one sshd shows: ssh refuses")

    r = call(junos("someone-else"), "-i %%n -s %s" % secret_file)
    refused(r, "DEVICE-ID other than the host ssh was asked for: refused")
    t.ok("DEVICE-ID 'someone-else'" in r.err, "the helper names the wrong DEVICE-ID", r.err)

    # Without a secret the host certificate does the trusting.
    r = call(junos(DEVICE, with_key=False), "-i %n")
    reached(r, "junos without secret, host certificate via @cert-authority: reaches the device")
    r = call(b"", "-n -i %n")
    reached(r, "RFC 8071 (no initiation sequence, -n): reaches the device")
    r = call(b"", "-i %n")
    reached(r, "no initiation sequence, detected from the SSH- identification")

    # The socket ssh gets has TCP_NODELAY (ssh sets it only with a tty).  The
    # test stands in for ssh: the helper's stdout is our end of a socketpair.
    def passed_socket(args, connect):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        helper = subprocess.Popen(["/usr/bin/python3", FDPASS, "-q", "-t", "15"] + args,
                                  stdout=theirs, stderr=subprocess.PIPE)
        theirs.close()
        dev = connect()
        try:
            ours.settimeout(15)
            _, fds, _, _ = socket.recv_fds(ours, 1, 1)
            helper.wait(15)
            if not fds:
                return None, helper.stderr.read().decode()
            got = socket.socket(fileno=fds[0])
            try:
                return got.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), ""
            finally:
                got.close()
        finally:
            ours.close()
            dev.close()
            if helper.poll() is None:
                helper.kill()
                helper.wait()

    def connect_retrying(port):
        end = time.monotonic() + 15
        while True:
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=2)
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.05)

    port = free_port()
    nodelay, err = passed_socket(["-n", "127.0.0.1", str(port)], lambda: connect_retrying(port))
    t.ok(nodelay, "listen mode: the socket passed to ssh has TCP_NODELAY", err)

    # After the handover the helper exits at once: ssh waits for its
    # ProxyCommand (waitpid) before writing its SSH identification, so the
    # interpreter's shutdown would sit in every session's set-up.  A
    # sitecustomize planted on the helper's PYTHONPATH stands for a slow
    # shutdown: an atexit handler that leaves a mark and sleeps 3 s.
    plant = os.path.join(env.dir, "slow-shutdown")
    os.makedirs(plant, exist_ok=True)
    mark = os.path.join(env.dir, "shutdown-ran")
    with open(os.path.join(plant, "sitecustomize.py"), "w") as f:
        f.write("import atexit, time\n"
                "def slow():\n"
                "    open(%r, 'w').close()\n"
                "    time.sleep(3)\n"
                "atexit.register(slow)\n" % mark)
    port = free_port()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    helper = subprocess.Popen(["/usr/bin/python3", FDPASS, "-t", "15", "-n", "127.0.0.1", str(port)],
                              stdout=theirs, stderr=subprocess.PIPE,
                              env=dict(os.environ, PYTHONPATH=plant))
    theirs.close()
    dev = connect_retrying(port)
    try:
        ours.settimeout(15)
        _, fds, _, _ = socket.recv_fds(ours, 1, 1)
        t_got = time.monotonic()
        try:
            rc = helper.wait(15)
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - t_got
        err = helper.stderr.read().decode()
        t.ok(rc == 0, "handover: the helper exits with status 0", "status %r\n%s" % (rc, err))
        t.ok(not os.path.exists(mark) and took < 2.0,
             "handover: the helper exits at once, without the interpreter's shutdown",
             "atexit handler ran: %s; exited %.3f s after the socket arrived\n%s"
             % (os.path.exists(mark), took, err))
        t.ok("call home from 127.0.0.1" in err, "handover: what the helper said on stderr is all there", err)
        ours.settimeout(5)
        t.eq(ours.recv(100), b"", "handover: nothing else on the helper's stdout after the socket")
        got = socket.socket(fileno=fds[0]) if fds else None
        if got is not None:
            got.settimeout(5)
            dev.sendall(b"SSH-2.0-device\r\n")
            got.sendall(b"SSH-2.0-nms\r\n")
            t.eq((got.recv(100), dev.recv(100)), (b"SSH-2.0-device\r\n", b"SSH-2.0-nms\r\n"),
                 "handover: the socket passed works both ways after the helper is gone")
            got.close()
        else:
            t.ok(False, "handover: the socket passed works both ways after the helper is gone", err)
    finally:
        ours.close()
        dev.close()
        if helper.poll() is None:
            helper.kill()
            helper.wait()

    from importlib.machinery import SourceFileLoader
    serve_socket = SourceFileLoader("nchome_nms_fdpass", FDPASS).load_module().serve_socket
    upath = os.path.join(env.dir, "fdpass-unix.sock")
    lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lst.bind(upath)
    lst.listen(1)
    tl = socket.socket()
    tl.bind(("127.0.0.1", 0))
    tl.listen(1)

    def nms_hands_over():
        dev = socket.create_connection(tl.getsockname(), timeout=5)
        conn, _ = tl.accept()	# the NMS process accepted the call home itself
        serve_socket(lst, conn)
        conn.close()
        return dev
    nodelay, err = passed_socket(["-u", upath], nms_hands_over)
    t.ok(nodelay, "unix mode (-u): the socket passed on to ssh has TCP_NODELAY", err)
    lst.close()
    tl.close()

    # Unix mode starts after the NMS accepted the call, so its start is part of
    # the set-up (issue 18): a plain -u command line imports nothing it does
    # not use, under the interpreter flags of the helper's #! line.
    with open(FDPASS) as f:
        shebang = f.readline().split()
    t.eq(shebang[1:], ["-IS"], "the helper runs isolated and without the site module (#! ... -IS)")
    r = subprocess.run(["/usr/bin/python3"] + shebang[1:] + ["-X", "importtime", FDPASS, "-q", "-t", "1",
                        "-u", os.path.join(env.dir, "nobody-listens")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=scaled(30))
    loaded = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    unused = sorted(loaded & {"argparse", "hashlib", "hmac", "json"})
    t.ok(r.returncode == 1 and "socket" in loaded and not unused,
         "unix mode (-u PATH -t -q) starts without importing argparse, hashlib, hmac or json",
         "rc %d, imported %s" % (r.returncode, unused))
finally:
    env.cleanup()
t.done()
