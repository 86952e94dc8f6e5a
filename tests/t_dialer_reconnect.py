#!/usr/bin/python3
"""nchome-dialer reconnection behaviour, observed on the wire with loopback
NMS listeners and real sshd: reconnect after the NMS closes, failover to the
next address, sticky vs in-order (and sticky across a restart), backoff that
grows but stays under max, a returning NMS, periodic connections, IPv6 and
host names."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, closed_port, hold_for, finish  # noqa: E402

t = TAP()
env = SshEnv("dialer-rc")
dialers, listeners = [], []


def start(clients):
    env.write_nchome_conf(clients)
    d = Dialer(env)
    dialers.append(d)
    return d


def nms(**kw):
    n = Nms(**kw)
    listeners.append(n)
    return n


# Bounds below are what the configuration asks for (exact) plus a margin
# for scheduling, and only the margin grows with NCHOME_TIME_SCALE: a slow
# dialer (valgrind) is late, never early.
def gaps(times):
    return [round(b - a, 3) for a, b in zip(times, times[1:])]


try:
    # 1. The NMS closes: the dialer calls again.
    a = nms()
    d = start(client_conf("c", [("127.0.0.1", a.port)], backoff=(1, 2)))
    t.ok(wait_for(lambda: a.count() >= 3, 10), "NMS closes the session -> the dialer calls again",
         d.log())
    d.stop()
    a.close()

    # 2. The first address refuses (retry = 2 there), the second is used.
    refusing = closed_port()
    b = nms(host="127.0.0.2")	# address titles are unique: a second loopback address
    d = start(client_conf("c", [("127.0.0.1", refusing), ("127.0.0.2", b.port)], retry=2))
    t.ok(wait_for(lambda: b.count() >= 1, 10), "first address refuses -> second address called")
    # The first round only: B's session ends at once, and a loaded machine may
    # let the next round's attempts at the refusing address into the log.
    log = d.log().split("session started with", 1)[0]
    t.eq(log.count("connecting to 127.0.0.1 port %d" % refusing), 2,
         "the refusing address got its `retry` attempts before moving on")
    t.ok("Connection refused" in log, "the refusal is logged with its reason", log)
    d.stop()
    b.close()

    # 3. sticky vs in-order: A refuses at first, B takes the session; then A comes up and B
    #    ends its session.  in-order goes back to A, sticky stays on B.
    for strategy in ("in-order", "sticky"):
        port_a = closed_port()
        b = nms(host="127.0.0.2", handler=hold_for(2.5))
        for f in os.listdir(env.state_dir):
            os.unlink(os.path.join(env.state_dir, f))
        d = start(client_conf("c", [("127.0.0.1", port_a), ("127.0.0.2", b.port)], strategy=strategy))
        wait_for(lambda: b.count() >= 1, 10)
        a = nms(port=port_a)
        wait_for(lambda: a.count() + b.count() >= 2, 10)
        order = "A" if a.count() >= 1 else "B"
        t.eq(order, "A" if strategy == "in-order" else "B",
             "%s: after the session on the second address the next call goes to %s"
             % (strategy, "the first" if strategy == "in-order" else "the same one"))
        if strategy == "sticky":
            saved = open(os.path.join(env.state_dir, "last-address.c")).read()
            t.eq(saved, "127.0.0.2 %d\n" % b.port, "sticky: the last address is kept in state-dir")
            d.stop()
            # After a restart, sticky starts with B although A answers.
            na, nb = a.count(), b.count()
            d = start(client_conf("c", [("127.0.0.1", port_a), ("127.0.0.2", b.port)], strategy=strategy))
            wait_for(lambda: a.count() + b.count() > na + nb, 10)
            t.ok(b.count() > nb and a.count() == na, "sticky: the remembered address survives a restart",
                 "A %d->%d B %d->%d" % (na, a.count(), nb, b.count()))
        d.stop()
        a.close()
        b.close()

    # 4. Backoff: only a refusing address; rounds at growing intervals, none over max.
    d = start(client_conf("c", [("127.0.0.1", closed_port())], backoff=(1, 3)))
    wait_for(lambda: len(d.times("connecting to")) >= 6, 15)
    g = gaps(d.times("connecting to"))
    d.stop()
    t.ok(len(g) >= 5, "backoff: rounds keep coming (%d gaps)" % len(g), g)
    t.ok(g and g[0] <= 1 + scaled(0.6), "backoff: the first wait is at most `initial`", g)
    # the third wait is in [1.5, 3]; the gaps are times the lines were read, so
    # 0.3 s less for a late read (still over the first wait's 1 s at most)
    t.ok(len(g) >= 3 and g[2] >= 1.5 - 0.3 and g[2] > g[0],
         "backoff: the wait grows (jitter in [b/2, b])", g)
    t.ok(g and max(g) <= 3 + scaled(0.8), "backoff: no wait exceeds `max` (+ scheduling slack)", g)
    import re
    waits = [float(x) for x in re.findall(r"next round in ([0-9.]+) s", d.log())]
    t.ok(waits and max(waits) <= 3.0 and min(waits) >= 0.5, "backoff: logged waits stay in [initial/2, max]",
         waits)

    # 5. The NMS goes down and comes back: called again within initial + one attempt.
    a = nms(handler=hold_for(2.5))
    port = a.port
    d = start(client_conf("c", [("127.0.0.1", port)], backoff=(1, 8), timeout=2))
    wait_for(lambda: a.count() >= 1, 10)
    time.sleep(2.2)		# long enough to count as a session that ran (backoff reset)
    a.close()			# listener and session down
    wait_for(lambda: "ended after" in d.log(), 10)
    time.sleep(0.3)
    a2 = nms(port=port)
    up = time.monotonic()
    ok = wait_for(lambda: a2.conns, 10)
    took = time.monotonic() - up
    t.ok(ok and took <= 1 + 2 + scaled(0.5), "NMS down then up: called again within initial + one attempt "
         "(%.2f s)" % took, d.log())
    d.stop()
    a2.close()

    # 6. periodic: the next call comes `period` after the previous session started.
    a = nms()
    d = start(client_conf("c", [("127.0.0.1", a.port)], connection="periodic", period=3, backoff=(1, 1)))
    wait_for(lambda: len(a.conns) >= 2, 10)
    g = gaps([c["time"] for c in a.conns])
    t.ok(g and 3 - scaled(0.3) <= g[0] <= 3 + scaled(1.5), "periodic: next call one period after the last (%s)" % g,
         d.log())
    d.stop()
    a.close()

    # 7. IPv6 literal and a host name (resolved at each attempt).
    a6 = nms(host="::1")
    a4 = nms()
    d = start(client_conf("v6", [("::1", a6.port)]) + client_conf("name", [("localhost", a4.port)]))
    t.ok(wait_for(lambda: a6.count() >= 1, 10) and a6.conns[0]["peer"][0] == "::1",
         "IPv6 address ::1 is called", d.log())
    t.ok(wait_for(lambda: a4.count() >= 1, 10) and a4.conns[0]["prebanner"].startswith(b"MSG-ID"),
         "a host name (localhost) is resolved and called", d.log())
    d.stop()

    # 7b. One NMS on two ports: address titles must differ, so the second spells ::1 as 0::1
    #     (nchome.conf(5)); the first port refuses, the second is called.
    a6 = nms(host="::1")
    d = start(client_conf("two-ports", [("::1", closed_port("::1")), ("0::1", a6.port)]))
    t.ok(wait_for(lambda: a6.count() >= 1, 10),
         "one IPv6 NMS listed on two ports (::1 and 0::1): the second port is called", d.log())
    d.stop()

    # 8. An unresolvable name is a logged failure, then the next address is used.
    b = nms()
    d = start(client_conf("c", [("no-such-host.invalid", 4334), ("127.0.0.1", b.port)]))
    t.ok(wait_for(lambda: b.count() >= 1, 15), "unresolvable name -> next address", d.log())
    t.ok("cannot resolve no-such-host.invalid" in d.log(), "resolve failure logged with its reason", d.log())
    d.stop()
    t.eq(sanitizer_findings(), [], "no sanitizer report from the dialer")
finally:
    finish(env, dialers, listeners)
t.done()
