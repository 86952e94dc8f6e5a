#!/usr/bin/python3
"""nchome-dialer: the initiation sequence on the wire and sessions through real sshd.

- junos without and with a secret: the exact bytes before "SSH-2.0-", the
  HMAC recomputed with Python's hmac module;
- none: nothing before "SSH-2.0-";
- paramiko as a Junos-style NMS: skips the initiation lines, checks the host
  key it is shown against HOST-KEY, logs in and runs a command; the socket
  sshd gets (seen from a wrapper in front of it) has TCP keepalive and
  TCP_NODELAY set;
- ncclient.manager.call_home with initiation = none (needs nchome-netconf).
"""
import hashlib
import hmac
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for, SSHD  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, closed_port  # noqa: E402

import paramiko  # noqa: E402

t = TAP()
env = SshEnv("dialer-init")
SECRET = "s3cr3t-shared"


def run_once(clients, nms):
    """Starts the dialer on clients, waits for one connection to nms, stops it."""
    env.write_nchome_conf(clients)
    d = Dialer(env)
    try:
        wait_for(lambda: nms.count() >= 1, 15)
    finally:
        d.stop()
    return d


try:
    # 1. junos, no secret
    nms = Nms()
    d = run_once(client_conf("nms1", [("127.0.0.1", nms.port)], device_id="edge-17"), nms)
    got = nms.conns[0]["prebanner"] if nms.conns else None
    t.eq(got, b"MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: edge-17\r\n",
         "junos without secret: exact DEVICE-CONN-INFO bytes")
    t.ok(nms.conns and nms.conns[0]["peer"][0] == "127.0.0.1", "the NMS sees the dialer's TCP connection")
    log = d.log()
    t.ok("connecting to 127.0.0.1 port %d" % nms.port in log and "session started with 127.0.0.1" in log,
         "attempt and session start are logged", log)
    nms.close()

    # 2. junos with secret: HOST-KEY without comment, HMAC from Python's hmac
    nms = Nms()
    d = run_once(client_conf("nms1", [("127.0.0.1", nms.port)], secret=SECRET), nms)
    got = nms.conns[0]["prebanner"] if nms.conns else b""
    alg, b64 = env.host_pub.split()
    mac = hmac.new(SECRET.encode(), ("%s %s" % (alg, b64)).encode(), hashlib.sha1).hexdigest()
    want = ("MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: test-device\r\n"
            "HOST-KEY: %s %s\r\nHMAC: %s\r\n" % (alg, b64, mac)).encode()
    t.eq(got, want, "junos with secret: exact bytes, HOST-KEY and HMAC-SHA1 (Python hmac)")
    t.ok(SECRET not in d.log(), "the secret is not in the log")
    nms.close()

    # 3. none: the first bytes are sshd's identification
    nms = Nms()
    run_once(client_conf("nms1", [("127.0.0.1", nms.port)], initiation="none", secret=SECRET), nms)
    t.eq(nms.conns[0]["prebanner"] if nms.conns else None, b"", "initiation = none: nothing before SSH-2.0-")
    nms.close()

    # 4. paramiko NMS, Junos flavour: parse the lines, check the host key, run a command.
    result = {}

    def paramiko_nms(sock, rec):
        lines = rec["prebanner"].decode().split("\r\n")
        info = dict(line.split(": ", 1) for line in lines if line)
        tr = paramiko.Transport(sock)
        tr.start_client(timeout=scaled(10))
        key = tr.get_remote_server_key()
        result["shown"] = "%s %s" % (key.get_name(), key.get_base64())
        result["hostkey_line"] = info.get("HOST-KEY")
        result["hmac_ok"] = hmac.compare_digest(
            info.get("HMAC", ""), hmac.new(SECRET.encode(), info.get("HOST-KEY", "").encode(),
                                           hashlib.sha1).hexdigest())
        tr.auth_publickey("root", paramiko.Ed25519Key.from_private_key_file(env.user_key))
        ch = tr.open_session()
        ch.exec_command("echo called-home-$((6*7))")
        out = b""
        while True:
            b = ch.recv(4096)
            if not b:
                break
            out += b
        result["out"] = out
        result["peer_seen"] = None
        tr.close()

    # A wrapper in front of sshd records the argv and open descriptors it is started with.
    wrapper = os.path.join(env.dir, "sshd-wrapper")
    record = os.path.join(env.dir, "sshd-start")
    with open(wrapper, "w") as f:
        f.write("#!/usr/bin/python3 -I\n"
                "import os, sys\n"
                "if sys.argv[1:2] == ['-i']:\n"
                "    fds = {}\n"
                "    for fd in os.listdir('/proc/self/fd'):\n"
                "        try:\n"
                "            fds[fd] = os.readlink('/proc/self/fd/' + fd)\n"
                "        except OSError:\n"
                "            pass\n"
                "    import socket\n"
                "    so = socket.socket(fileno=os.dup(0))\n"
                "    ka = [so.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),\n"
                "          so.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),\n"
                "          so.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),\n"
                "          so.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT)]\n"
                "    nodelay = so.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)\n"
                "    so.close()\n"
                "    with open(%r, 'w') as out:\n"
                "        out.write(' '.join(map(str, ka)) + '\\n')\n"
                "        out.write('nodelay %%d\\n' %% (nodelay != 0))\n"
                "        out.write('\\n'.join(sys.argv[1:]) + '\\n--fds--\\n')\n"
                "        out.write(''.join('%%s %%s\\n' %% kv for kv in fds.items()"
                " if not kv[1].startswith('/proc/')))\n"
                "    os.rename(%r, %r)\n"
                "os.execv(%r, [%r] + sys.argv[1:])\n"
                % (record + ".tmp", record + ".tmp", record, SSHD, SSHD))
    os.chmod(wrapper, 0o755)

    nms = Nms(handler=paramiko_nms)
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)], secret=SECRET,
                                      keepalive=(4, 9)))
    with open(env.conf) as f:
        text = f.read().replace('sshd = "%s"' % SSHD, 'sshd = "%s"' % wrapper)
    with open(env.conf, "w") as f:
        f.write(text)
    d = Dialer(env)
    wait_for(lambda: "out" in result or (nms.conns and nms.conns[0]["error"]), 20)
    err = nms.conns[0]["error"] if nms.conns else "no connection"
    t.diag("handler error: %r" % err)
    t.ok(result.get("shown") and result.get("shown") == result.get("hostkey_line") == env.host_pub,
         "paramiko: host key shown by sshd equals HOST-KEY and the env's key", "%r %r" % (result, err))
    t.ok(result.get("hmac_ok"), "paramiko NMS: HMAC over HOST-KEY verifies")
    t.eq(result.get("out"), b"called-home-42\n", "paramiko: command ran over the called-home connection")
    argv, fds, keepalive, nodelay = [], {}, None, None
    if os.path.exists(record):
        with open(record) as f:
            head, _, tail = f.read().partition("--fds--\n")
        argv = head.splitlines()
        keepalive = argv.pop(0)
        nodelay = argv.pop(0) if argv else None
        fds = dict(line.split(" ", 1) for line in tail.splitlines() if " " in line)
    t.eq(argv, ["-i", "-f", env.sshd_config, "-o", "ClientAliveInterval=9", "-o", "ClientAliveCountMax=4"],
         "sshd runs as sshd -i -f <sshd-config> with the keep-alive options")
    t.eq(keepalive, "1 9 9 4", "TCP keepalive on the socket, idle/interval = timeout, count = retry")
    t.eq(nodelay, "nodelay 1", "TCP_NODELAY on the socket sshd gets (no Nagle/delayed-ACK stalls)")
    sock_fds = sorted(k for k, v in fds.items() if v.startswith("socket:"))
    t.ok(sock_fds == ["0", "1"] and fds["0"] == fds["1"],
         "sshd gets one socket as fd 0 and 1 and no other socket", fds)
    extra = sorted(k for k, v in fds.items() if k not in ("0", "1", "2") and wrapper not in v)
    t.eq(extra, [], "no other descriptor leaks into sshd")
    t.ok(d.wait_log("session with 127.0.0.1", 10), "session end logged with address and duration", d.log())
    t.ok(" ended after " in d.log(), "session end logs its duration")
    d.stop()
    nms.close()

    # 5. ncclient call_home with initiation = none.  First nchome-netconf's own
    #    hello over pipes, so a failure below is told apart from a silent server.
    p = env.netconf_direct()
    try:
        hello = b""
        import select
        end = time.monotonic() + scaled(10)
        while b"]]>]]>" not in hello and time.monotonic() < end:
            r, _, _ = select.select([p.stdout], [], [], 0.2)
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                hello += chunk
    finally:
        p.kill()
        p.wait()
    t.ok(b"<hello" in hello and b"]]>]]>" in hello, "nchome-netconf sends its hello", hello[:300])
    from ncclient import manager
    port = closed_port()
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", port)], initiation="none",
                                      backoff=(1, 1)))
    d = Dialer(env)
    try:
        m = manager.call_home(host="127.0.0.1", port=port, username="root",
                              key_filename=env.user_key, hostkey_verify=True,
                              hostkey_b64=env.host_pub.split()[1], allow_agent=False,
                              look_for_keys=False, timeout=scaled(20))
        caps = list(m.server_capabilities)
        t.ok(any("base:1.0" in c or "base:1.1" in c for c in caps),
             "ncclient call_home: NETCONF session with verified host key", caps)
        m.close_session()
    except Exception as e:
        t.ok(False, "ncclient call_home: NETCONF session with verified host key", repr(e) + "\n" + d.log())
    d.stop()
    t.eq(sanitizer_findings(), [], "no sanitizer report from the dialer")
finally:
    env.cleanup()
t.done()
