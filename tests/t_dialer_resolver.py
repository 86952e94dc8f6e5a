#!/usr/bin/python3
"""nchome-dialer: a host name whose lookup hangs stalls only its own client.

The dialer runs in a private mount namespace with the test's own /etc/hosts,
/etc/resolv.conf and /etc/nsswitch.conf: names listed in that hosts file
resolve (IPv4 and IPv6), and any other name goes to a DNS server on a
loopback address that reads the query and never answers (resolv.conf asks
for 30 s x 5 tries, so a blocking lookup would hang for minutes).

Checked while one client's lookup hangs:
- names from the hosts file are still resolved and called (IPv4, IPv6);
- a client with a numeric address connects at once and reconnects after
  each session without waiting for the stuck lookup;
- the lookup runs in a child that is not root, is killed after the
  address's `timeout` (logged), and leaves no zombie behind;
- SIGHUP is handled (reload logged) and SIGTERM ends the dialer promptly.
"""
import os
import pwd
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from dialer_test import (sanitizer_findings, BlackholeDns, Dialer, Nms, client_conf,  # noqa: E402
                         children, hold_for, hold_open, own_resolver_files)

SLOW_NAME = "nms.slow.nchome.test"
LOOKUP_TIMEOUT = 3	# the slow address's `timeout`
HOLD = 2.3		# seconds the fast NMS keeps each session (over the 2 s "too short" mark)
HANG = 30		# resolv.conf timeout (glibc's most): one blocking lookup try hangs this long,
			# and there are 5 tries
PROMPT = scaled(10)	# "at once" for this test: under HANG, generous for a loaded machine


def resolvers(d):
    """The dialer's children that are not sshd: its lookup children."""
    return [c for c in children(d.proc.pid) if c[1] != "sshd"]


t = TAP()
env = SshEnv("dialer-dns")
dns = fast = n4 = n6 = d = None
try:
    dns = BlackholeDns()
    fast = Nms(handler=hold_for(HOLD))
    n4 = Nms(host="127.0.0.3", handler=hold_open)
    n6 = Nms(host="::1", handler=hold_open)
    prefix = own_resolver_files(env.dir, ["127.0.0.3 nms4.nchome.test", "::1 nms6.nchome.test"],
                                dns.host, timeout=HANG)
    # The slow client comes first: a blocking lookup would hold up every client after it.
    env.write_nchome_conf(
        client_conf("slow", [(SLOW_NAME, 4334)], timeout=LOOKUP_TIMEOUT, backoff=(1, 2))
        + client_conf("fast", [("127.0.0.1", fast.port)], backoff=(1, 2))
        + client_conf("n4", [("nms4.nchome.test", n4.port)], timeout=int(scaled(5)))
        + client_conf("n6", [("nms6.nchome.test", n6.port)], timeout=int(scaled(5))))
    t0 = time.monotonic()
    d = Dialer(env, prefix=prefix)

    t.ok(wait_for(lambda: dns.queries >= 1, 10),
         "the slow name's lookup reaches the silent DNS server", d.log())
    t.ok(wait_for(lambda: n4.count() >= 1 and n6.count() >= 1, 10),
         "names from the hosts file are resolved and called meanwhile (IPv4 and IPv6)", d.log())
    t.ok(wait_for(lambda: fast.count() >= 1, 5), "the numeric client connects meanwhile", d.log())
    first = fast.conns[0]["time"] - t0 if fast.conns else None
    t.ok(first is not None and first < PROMPT,
         "... at once, not after the hanging lookup (after %s s)" % first)

    # Several sessions of the numeric client, each redialled as soon as the last one ends.
    t.ok(wait_for(lambda: fast.count() >= 4, 4 * HOLD + 10), "the numeric client keeps reconnecting",
         d.log())
    times = [c["time"] for c in fast.conns[:4]]
    gaps = [round(b - a, 2) for a, b in zip(times, times[1:])]
    # Each gap is the session (HOLD) plus sshd's start; a stalled loop would add the lookup's HANG.
    t.ok(len(gaps) == 3 and max(gaps) < HOLD + PROMPT / 2,
         "reconnects follow each session at once while the lookup hangs: gaps %s s" % gaps, d.log())
    t.ok(dns.queries >= 2 and "resolving %s timed out after %d s" % (SLOW_NAME, LOOKUP_TIMEOUT) in d.log(),
         "the hanging lookup is abandoned after the address's timeout and tried again (%d queries)"
         % dns.queries, d.log())

    # The lookup child: not root; gone after its timeout, no zombie.
    # (A child seen as root is one just forked: sshd before its exec, or a lookup
    # child before it drops root.  Look for the lookup child once it has.)
    nobody = pwd.getpwnam("nobody").pw_uid
    res = wait_for(lambda: [r for r in resolvers(d) if r[3] == nobody], 10)
    t.ok(res, "the lookup runs in a child as user nobody: %s" % resolvers(d))
    old = {r[0] for r in res or []}
    t.ok(wait_for(lambda: old and not (old & {r[0] for r in resolvers(d)}), LOOKUP_TIMEOUT + 5),
         "that child is killed and reaped after the timeout (no zombie)", resolvers(d))
    t.ok(wait_for(lambda: all(c[2] != "Z" for c in children(d.proc.pid)), 3),
         "no zombie among the dialer's children", children(d.proc.pid))

    # Signals while a lookup hangs.
    wait_for(lambda: resolvers(d), 10)
    n_before = d.log().count("configuration reloaded")
    th = time.monotonic()
    d.hup()
    ok = d.wait_log("configuration reloaded", PROMPT, count=n_before + 1)
    took = time.monotonic() - th
    t.ok(ok and took < PROMPT, "SIGHUP during a hanging lookup: reloaded in %.2f s" % took, d.log())
    wait_for(lambda: resolvers(d), 10)
    res = {r[0] for r in resolvers(d)}
    tt = time.monotonic()
    d.proc.send_signal(signal.SIGTERM)
    try:
        rc = d.proc.wait(PROMPT)
    except Exception:
        rc = None
    took = time.monotonic() - tt
    t.ok(rc == 0 and took < PROMPT, "SIGTERM during a hanging lookup: exit %s after %.2f s" % (rc, took),
         d.log())
    t.ok(res and not any(os.path.exists("/proc/%d" % p) for p in res),
         "the lookup child is gone with the dialer")
    d.stop()
    t.eq(sanitizer_findings(), [], "no sanitizer findings")
finally:
    if d is not None:
        d.stop()
    for x in (dns, fast, n4, n6):
        if x is not None:
            x.close()
    env.cleanup()
t.done()
