#!/usr/bin/python3
"""nchome-dialer signals: SIGHUP keeps the sessions of unchanged clients (same
sshd, same TCP connection), restarts changed ones, ends removed ones, refuses
a broken file and keeps running on the old one; SIGTERM ends every sshd."""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, hold_open, is_open  # noqa: E402
from fault_util import alive  # noqa: E402

t = TAP()
env = SshEnv("dialer-hup")
listeners = [Nms(handler=hold_open), Nms(handler=hold_open), Nms(handler=hold_open)]
n1, n2, n3 = listeners
d = None


def pid_for(client):
    import re
    pids = re.findall(r"client %s: session started with .* \(sshd pid (\d+)\)" % client, d.log())
    return int(pids[-1]) if pids else None


try:
    keep = client_conf("keep", [("127.0.0.1", n1.port)])
    change = client_conf("change", [("127.0.0.1", n2.port)])
    gone = client_conf("gone", [("127.0.0.1", n3.port)])
    env.write_nchome_conf(keep + change + gone)
    d = Dialer(env)
    wait_for(lambda: n1.count() and n2.count() and n3.count(), 10)
    wait_for(lambda: pid_for("keep") and pid_for("change") and pid_for("gone"), 5)
    pk, pc, pg = pid_for("keep"), pid_for("change"), pid_for("gone")
    s1, s2, s3 = n1.conns[0]["sock"], n2.conns[0]["sock"], n3.conns[0]["sock"]

    # A broken file is refused; everything stays.
    with open(env.conf, "a") as f:
        f.write("client broken {\n  bogus = 1\n}\n")
    d.hup()
    t.ok(d.wait_log("reload refused", 10), "SIGHUP with a broken file: reload refused and logged", d.log())
    t.ok("nchome.conf:" in d.log().split("reload refused")[-1].splitlines()[0],
         "the refusal names the file and line", d.log())
    st = [alive(pk), alive(pc), alive(pg), is_open(s1), is_open(s2), is_open(s3)]
    t.ok(all(st), "after a refused reload every session is still up", "%s\n%s" % (st, d.log()))

    # keep unchanged, change's backoff edited, gone removed, new added.
    n4 = Nms(handler=hold_open)
    listeners.append(n4)
    env.write_nchome_conf(keep + change.replace("max = 2", "max = 5") +
                          client_conf("new", [("127.0.0.1", n4.port)]))
    d.hup()
    t.ok(d.wait_log("configuration reloaded", 10), "SIGHUP reloads", d.log())
    t.ok(wait_for(lambda: not alive(pg), 5) and wait_for(lambda: not is_open(s3), 5),
         "removed client: its sshd ended and its connection closed")
    t.ok(wait_for(lambda: not alive(pc), 5) and wait_for(lambda: n2.count() >= 2, 10),
         "changed client: session ended and called again", d.log())
    t.ok(wait_for(lambda: n4.count() >= 1, 10), "new client: called")
    st = [alive(pk), is_open(s1), n1.count(), pid_for("keep"), pk]
    t.ok(st[:2] == [True, True] and st[2] == 1 and st[3] == pk,
         "unchanged client: same sshd, same TCP connection, no new call", "%s\n%s" % (st, d.log()))
    t.ok("1 unchanged" in d.log(), "the reload logs how many clients were kept", d.log())

    # SIGTERM: every sshd ends, the dialer exits 0.
    pids = [pid_for("keep"), pid_for("change"), pid_for("new")]
    d.proc.send_signal(signal.SIGTERM)
    try:
        rc = d.proc.wait(scaled(10))
    except Exception:
        rc = None
    t.eq(rc, 0, "SIGTERM: the dialer exits 0")
    t.ok(all(p and not alive(p) for p in pids), "SIGTERM: every sshd child has ended", pids)
    t.ok(wait_for(lambda: not is_open(s1), 5), "SIGTERM: the NMS sees the connection close")
    t.eq(sanitizer_findings(), [], "no sanitizer report from the dialer")
finally:
    if d:
        d.stop()
    for n in listeners:
        n.close()
    env.cleanup()
t.done()
