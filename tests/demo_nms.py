#!/usr/bin/python3
"""The NMS half of `make demo` (tests/demo.sh sets up the device half).

Listens on 127.0.0.1, starts nchome-dialer (which calls this listener),
prints the Junos initiation sequence it receives and whether its HMAC
verifies, then opens an SSH session over the called-home connection with
OpenSSH's ssh (ProxyUseFdpass: contrib/nchome-nms-fdpass hands it the
socket), checking the device's host certificate against the host CA and
logging in with a user certificate, and runs NETCONF: hello, get-config,
edit-config, get-config again showing the change, close-session.
Exits non-zero as soon as a step fails.
"""
import argparse
import importlib.machinery
import os
import re
import select
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
FDPASS = os.path.join(TOP, "contrib", "nchome-nms-fdpass")
fdpass = importlib.machinery.SourceFileLoader("nchome_nms_fdpass", FDPASS).load_module()

EOM = b"]]>]]>"
NS = 'xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"'
SYS_NS = "urn:ietf:params:xml:ns:yang:ietf-system"


class StepFailed(Exception):
    pass


def step(msg):
    print("\n== " + msg, flush=True)


def show(label, xml, limit=1500):
    text = xml.decode(errors="replace").strip()
    if len(text) > limit:
        text = text[:limit] + " ... (%d bytes)" % len(text)
    print("%s %s" % (label, text), flush=True)


class Netconf:
    """NETCONF 1.0 framing (]]>]]>) over an ssh child's stdin/stdout."""

    def __init__(self, proc, timeout):
        self.p = proc
        self.buf = b""
        self.timeout = timeout
        self.msgid = 0

    def send(self, xml):
        self.p.stdin.write(xml.encode() + EOM)
        self.p.stdin.flush()

    def recv(self):
        deadline = time.monotonic() + self.timeout
        fd = self.p.stdout.fileno()
        while EOM not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise StepFailed("no NETCONF message within %gs" % self.timeout)
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    try:
                        rc = self.p.wait(2)
                    except subprocess.TimeoutExpired:
                        rc = None
                    raise StepFailed("the session ended (ssh exit status %s)" % rc)
                self.buf += chunk
        msg, _, self.buf = self.buf.partition(EOM)
        return msg

    def rpc(self, body):
        self.msgid += 1
        self.send('<?xml version="1.0" encoding="UTF-8"?><rpc message-id="%d" %s>%s</rpc>'
                  % (self.msgid, NS, body))
        reply = self.recv()
        if b"rpc-reply" not in reply or (b'message-id="%d"' % self.msgid) not in reply:
            raise StepFailed("not the rpc-reply to message %d: %r" % (self.msgid, reply[:300]))
        return reply


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="the demo's temporary folder")
    ap.add_argument("--dialer", required=True)
    ap.add_argument("--conf", required=True, help="nchome.conf with @NMS_PORT@ in it")
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--device-id", required=True)
    ap.add_argument("--user", default="root")
    ap.add_argument("--key", required=True, help="NMS user key (its -cert.pub beside it)")
    ap.add_argument("--known-hosts", required=True, help="@cert-authority line for the host CA")
    ap.add_argument("--timeout", type=float, default=15.0)
    a = ap.parse_args()

    dialer = None
    ssh = None
    try:
        step("NMS: listening for call home on 127.0.0.1")
        lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(("127.0.0.1", 0))
        lst.listen(1)
        port = lst.getsockname()[1]
        print("NMS: port %d" % port, flush=True)
        with open(a.conf) as f:
            conf = f.read().replace("@NMS_PORT@", str(port))
        with open(a.conf, "w") as f:
            f.write(conf)

        step("device: starting nchome-dialer -d -f %s" % a.conf)
        dlog = open(os.path.join(a.dir, "dialer.log"), "w")
        dialer = subprocess.Popen([a.dialer, "-d", "-f", a.conf], stdout=dlog, stderr=dlog)
        with open(os.path.join(a.dir, "dialer.pid"), "w") as f:
            f.write("%d\n" % dialer.pid)

        lst.settimeout(a.timeout)
        try:
            conn, peer = lst.accept()
        except socket.timeout:
            raise StepFailed("the dialer did not call home within %gs" % a.timeout)
        lst.close()
        print("NMS: call home from %s port %d" % peer[:2], flush=True)

        step("NMS: initiation sequence received")
        fields = fdpass.read_initiation(conn, a.timeout)
        for k, v in fields:
            print("    %s: %s" % (k, v), flush=True)
        with open(a.secret_file, "rb") as f:
            secret = f.read().splitlines()[0]
        report = fdpass.check_initiation(fields, a.device_id, secret)
        print("NMS: DEVICE-ID is %s" % report["device_id"], flush=True)
        print("NMS: HMAC verifies: %s" % ("yes" if report["hmac_ok"] else "NO"), flush=True)

        step("NMS: ssh over the called-home socket (ProxyUseFdpass), certificates both ways")
        upath = os.path.join(a.dir, "fdpass.sock")
        usock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        usock.bind(upath)
        usock.listen(1)
        cmd = ["ssh", "-F", "/dev/null",
               "-o", "ProxyUseFdpass=yes",
               "-o", "ProxyCommand=/usr/bin/python3 %s -u %s" % (FDPASS, upath),
               "-o", "UserKnownHostsFile=" + a.known_hosts,
               "-o", "GlobalKnownHostsFile=/dev/null",
               "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
               "-o", "PasswordAuthentication=no", "-o", "IdentityAgent=none",
               "-o", "IdentitiesOnly=yes", "-i", a.key,
               "-o", "CertificateFile=%s-cert.pub" % a.key, "-v",
               "-s", "%s@%s" % (a.user, a.device_id), "netconf"]
        print("NMS: " + " ".join(cmd), flush=True)
        elog_path = os.path.join(a.dir, "ssh.log")
        elog = open(elog_path, "w")
        ssh = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=elog)
        fdpass.serve_socket(usock, conn, a.timeout, alive=lambda: ssh.poll() is None)
        conn.close()
        usock.close()
        nc = Netconf(ssh, a.timeout)
        server_hello = nc.recv()
        with open(elog_path) as f:
            slog = f.read()
        for pat in (r"Server host certificate: .*", r"Host '[^']*' is known and matches.*",
                    r"Server accepts key: .*", r"Authenticated to .*"):
            m = re.search(pat, slog)
            if m:
                print("ssh: " + m.group(0).replace("debug1: ", ""), flush=True)
        if "ED25519-CERT" not in slog or "using \"publickey\"" not in slog:
            raise StepFailed("ssh did not log certificate authentication:\n" + slog[-2000:])

        step("NETCONF: the server's hello")
        show("<<", server_hello)
        if b"<hello" not in server_hello or b"urn:ietf:params:netconf:base:1.0" not in server_hello:
            raise StepFailed("no NETCONF hello from the device")
        if SYS_NS.encode() + b"?module=ietf-system&amp;revision=" not in server_hello:
            raise StepFailed("the hello does not announce ietf-system, whose data the demo edits")
        print("NMS: the device announces ietf-system (RFC 7317), the model of the data edited next",
              flush=True)
        nc.send('<?xml version="1.0" encoding="UTF-8"?><hello %s><capabilities>'
                '<capability>urn:ietf:params:netconf:base:1.0</capability>'
                '</capabilities></hello>' % NS)
        print(">> <hello> (base:1.0)", flush=True)

        step("NETCONF: get-config running (before)")
        before = nc.rpc("<get-config><source><running/></source></get-config>")
        show("<<", before)
        if b"<data" not in before:
            raise StepFailed("get-config returned no <data>")

        stamp = "called home at %s" % time.strftime("%H:%M:%S")
        step("NETCONF: edit-config running (merge of ietf-system's contact)")
        edit = ('<edit-config><target><running/></target><config>'
                '<system xmlns="%s"><contact>%s</contact></system>'
                '</config></edit-config>' % (SYS_NS, stamp))
        print(">> " + edit, flush=True)
        r = nc.rpc(edit)
        show("<<", r)
        if b"<ok/>" not in r and b"<ok></ok>" not in r:
            raise StepFailed("edit-config was not <ok/>")

        step("NETCONF: get-config running (after)")
        after = nc.rpc("<get-config><source><running/></source></get-config>")
        show("<<", after)
        if stamp.encode() not in after:
            raise StepFailed("the change is not in running")
        print("NMS: the change is in running", flush=True)

        step("NETCONF: close-session")
        r = nc.rpc("<close-session/>")
        show("<<", r)
        ssh.stdin.close()
        ssh.wait(a.timeout)

        step("device: what nchome-dialer logged")
        with open(os.path.join(a.dir, "dialer.log"), errors="replace") as f:
            for line in f.read().splitlines()[:12]:
                print("    " + line, flush=True)
                if " ended " in line:   # it reconnects next; the demo is over
                    break
        print("\nDEMO OK: called home, initiation + HMAC verified, certificates both ways, NETCONF edit shown",
              flush=True)
        return 0
    except (StepFailed, fdpass.InitiationError, OSError, subprocess.TimeoutExpired) as e:
        print("\nDEMO FAILED: %s" % e, flush=True)
        for name in ("dialer.log", "ssh.log"):
            path = os.path.join(a.dir, name)
            if os.path.exists(path):
                print("--- last lines of %s" % name, flush=True)
                with open(path, errors="replace") as f:
                    for line in f.read().splitlines()[-15:]:
                        print("    " + line, flush=True)
        return 1
    finally:
        if ssh and ssh.poll() is None:
            ssh.kill()
            ssh.wait()
        if dialer and dialer.poll() is None:
            dialer.terminate()
            try:
                dialer.wait(5)
            except subprocess.TimeoutExpired:
                dialer.kill()
                dialer.wait()


if __name__ == "__main__":
    sys.exit(main())
