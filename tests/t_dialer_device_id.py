#!/usr/bin/python3
"""nchome-dialer: the default device-id, the host name, in a UTS namespace of
its own (unshare -u, host name set with sethostname, any bytes allowed):

- a host name that is no valid device-id (space, CR/LF + a forged line,
  non-ASCII, empty) is refused by -t and at start, the error naming it
  (escaped, on one line) and asking for device-id; nothing reaches the NMS;
- it is not refused when no client sends it: a global or per-client
  device-id, or initiation = none;
- a valid host name, a short one and one of 64 bytes (HOST_NAME_MAX, the
  Linux limit), is the DEVICE-ID on the wire, whole.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, DIALER, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf  # noqa: E402

t = TAP()
env = SshEnv("dialer-devid")

# Runs argv[2:] with the host name argv[1] (bytes given as latin-1), in a new
# UTS namespace; exec keeps the pid for Dialer.stop().
SETHOST = ("import os, socket, sys\n"
           "socket.sethostname(sys.argv[1].encode('latin-1'))\n"
           "os.execv(sys.argv[2], sys.argv[2:])\n")


def with_host(name):
    return ["unshare", "-u", "/usr/bin/python3", "-I", "-c", SETHOST, name.decode("latin-1")]


def write_conf(clients, global_device_id=None):
    """nchome.conf with clients; no global device-id unless given."""
    env.write_nchome_conf(clients)
    with open(env.conf) as f:
        text = f.read()
    line = 'device-id = "test-device"\n'
    assert line in text
    text = text.replace(line, 'device-id = "%s"\n' % global_device_id if global_device_id else "")
    with open(env.conf, "w") as f:
        f.write(text)


def check(name):
    p = subprocess.run(with_host(name) + [DIALER, "-t", "-f", env.conf], capture_output=True,
                       timeout=scaled(30))
    return p.returncode, p.stderr.decode("latin-1")


def wire_device_id(name):
    """Starts the dialer with host name name; returns the NMS's prebanner."""
    nms = Nms()
    write_conf(client_conf("nms1", [("127.0.0.1", nms.port)]))
    d = Dialer(env, prefix=with_host(name))
    try:
        wait_for(lambda: nms.count() >= 1 and nms.conns[0]["prebanner"] is not None, 15)
    finally:
        d.stop()
        nms.close()
    return nms.conns[0]["prebanner"] if nms.conns else None, d.log()


try:
    probe = subprocess.run(with_host(b"probe") + ["/bin/hostname"], capture_output=True)
    if probe.returncode != 0 or probe.stdout != b"probe\n":
        t.skip("host name in a UTS namespace", "unshare -u failed: %r" % probe.stderr)
        t.done()

    write_conf(client_conf("nms1", [("127.0.0.1", 4334)]))
    bad = [
        (b"bad name", '"bad name"', "a space"),
        (b"edge\r\nDEVICE-ID: forged", '"edge\\x0d\\x0aDEVICE-ID: forged"', "CR/LF and a forged line"),
        (b"caf\xc3\xa9", '"caf\\xc3\\xa9"', "non-ASCII bytes"),
        (b"q\"\\", '"q\\x22\\x5c"', "a quote and a backslash"),
        (b"", '""', "empty"),
    ]
    for name, shown, what in bad:
        rc, err = check(name)
        t.ok(rc != 0 and err.startswith(env.conf + ": the host name " + shown + " is not a valid device-id")
             and "client nms1 would send it: set device-id" in err and err.count("\n") == 1,
             "-t: a host name with %s is refused, shown escaped on one line" % what, "rc=%d %r" % (rc, err))

    rc, err = check(b"good-host.example")
    t.ok(rc == 0 and err == "", "-t: a valid host name as device-id is accepted", "rc=%d %r" % (rc, err))

    # not sent, not refused
    write_conf(client_conf("nms1", [("127.0.0.1", 4334)]), global_device_id="edge-17")
    rc, err = check(b"bad name")
    t.ok(rc == 0, "-t: a bad host name is fine with a global device-id", err)
    write_conf(client_conf("nms1", [("127.0.0.1", 4334)], device_id="edge-17") +
               client_conf("nms2", [("127.0.0.1", 4335)], initiation="none"))
    rc, err = check(b"bad name")
    t.ok(rc == 0, "-t: ... and with a client's own device-id or initiation = none", err)
    write_conf(client_conf("nms1", [("127.0.0.1", 4334)], device_id="edge-17") +
               client_conf("nms2", [("127.0.0.1", 4335)]))
    rc, err = check(b"bad name")
    t.ok(rc != 0 and "client nms2 would send it" in err,
         "-t: the client that inherits the host name is named", err)

    # start: refused before dialing, nothing on the wire
    nms = Nms()
    write_conf(client_conf("nms1", [("127.0.0.1", nms.port)]))
    d = Dialer(env, prefix=with_host(b"edge\r\nDEVICE-ID: forged"))
    try:
        rc = d.proc.wait(scaled(15))
    except subprocess.TimeoutExpired:
        rc = None
    d.stop()
    log = d.log()
    t.ok(rc not in (None, 0) and 'the host name "edge\\x0d\\x0aDEVICE-ID: forged"' in log,
         "start: the dialer exits naming the bad host name", "rc=%r %s" % (rc, log))
    t.eq(nms.count(), 0, "start: nothing reaches the NMS")
    nms.close()

    # a valid host name is the device-id, whole
    got, log = wire_device_id(b"edge-18.example")
    t.eq(got, b"MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: edge-18.example\r\n",
         "a valid host name is the DEVICE-ID on the wire")
    long_name = (b"h" + b"0123456789" * 7)[:64]
    got, log = wire_device_id(long_name)
    t.eq(got, b"MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: " + long_name + b"\r\n",
         "a 64-byte host name (HOST_NAME_MAX) is sent whole")
    t.eq(sanitizer_findings(), [], "no sanitizer report from the dialer")
finally:
    env.cleanup()
t.done()
