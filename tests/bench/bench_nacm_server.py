#!/usr/bin/python3
"""The whole server with NACM on vs off (issue 14's performance targets).

nchome-netconf run directly (no sshd: the figures are the server's, not
the handshake's) as user nobody (setpriv; root is the recovery session,
which NACM never applies to), on a BENCH_ENTRIES-entry list (default
50,000, the netconf bench's shape: `item` keyed by `name`, three leaves
in `cfg`).  running holds 100 NACM rules for nobody's group, 20 of them
path rules (read denied to 20 entries by key, so every read is masked,
and writes permitted to the list); "off" is the same rules with
enable-nacm false, switched by root between runs, which alternate.
Client: raw NETCONF 1.1 on the pipes, RPCs written from the calling
thread.  Figures (medians; ratio = on / off, measured in the same run):
  nacm.get_config_ms_on/off, nacm.get_config_ratio  whole running
  nacm.edit_ms_p50_on/off, nacm.edit_ratio  one-leaf edit-config of running,
      each changing a value (BENCH_EDITS each)
  nacm.setup_ms_on/off, nacm.setup_diff_ms  start of the process to the
      reply of its first RPC (<get-config> of one entry): the view is
      built on the first RPC
  nacm.setup_cpu_ms_on/off, nacm.setup_cpu_diff_ms  the same short
      sessions' CPU time (user + system, from their rusage when waited)
"""
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import TAP, figure  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402
from netconf_pipes import Direct  # noqa: E402

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
B = "urn:example:bench"
N = int(os.environ.get("BENCH_ENTRIES", "50000"))
EDITS = int(os.environ.get("BENCH_EDITS", "200"))
GETS = int(os.environ.get("BENCH_GETS", "5"))
SETUPS = int(os.environ.get("BENCH_SETUPS", "10"))


def ok(reply):
    if b"<ok/>" not in reply and b":ok/>" not in reply:
        raise RuntimeError("rpc failed: %r" % reply[:600])


def edit(nc, config):
    return nc.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>" % config)


def rules(enable):
    r = []
    for i in range(80):
        r.append('<rule><name>op%d</name><module-name>ietf-netconf</module-name><rpc-name>x-op-%d'
                 '</rpc-name><access-operations>exec</access-operations><action>deny</action></rule>'
                 % (i, i))
    for i in range(19):
        r.append('<rule><name>hide%d</name><path xmlns:b="%s">/b:bench/b:item[b:name=\'n%d\']</path>'
                 '<access-operations>read</access-operations><action>deny</action></rule>'
                 % (i, B, i * (N // 20)))
    r.append('<rule><name>bench-writes</name><path xmlns:b="%s">/b:bench</path>'
             '<access-operations>create update delete</access-operations><action>permit</action></rule>'
             % B)
    return ('<nacm xmlns="%s"><enable-nacm>%s</enable-nacm><rule-list><name>bench</name>'
            '<group>nogroup</group>%s</rule-list></nacm>' % (NACM_NS, enable, "".join(r)))


def children_cpu_ms():
    """CPU (user + system) of the waited-for children so far, in ms."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (ru.ru_utime + ru.ru_stime) * 1000


def main():
    t = TAP()
    env = NobodyEnv(t, "bench-nacm-", 0o777)
    try:
        root = Direct(proc=env.popen(False))
        items = "".join('<item><name>n%d</name><cfg><a>%d</a><b>x%d</b><c>true</c></cfg></item>'
                        % (i, i, i) for i in range(N))
        t0 = time.monotonic()
        ok(edit(root, '<bench xmlns="%s">%s</bench>%s' % (B, items, rules("true"))))
        print("bulk load of %d entries and 100 rules: %.1f s" % (N, time.monotonic() - t0))
        res = {m: {"get": [], "edit": [], "setup": [], "setup_cpu": []} for m in ("on", "off")}
        val = 0
        for rnd in range(2):
            for mode in ("on", "off"):
                ok(edit(root, '<nacm xmlns="%s"><enable-nacm>%s</enable-nacm></nacm>'
                        % (NACM_NS, "true" if mode == "on" else "false")))
                for _ in range(SETUPS // 2):
                    c0 = children_cpu_ms()
                    t0 = time.monotonic()
                    nc = Direct(proc=env.popen(True))
                    nc.rpc('<get-config><source><running/></source><filter type="subtree">'
                           '<bench xmlns="%s"><item><name>n1</name></item></bench></filter></get-config>' % B)
                    res[mode]["setup"].append((time.monotonic() - t0) * 1000)
                    nc.close()
                    res[mode]["setup_cpu"].append(children_cpu_ms() - c0)
                nc = Direct(proc=env.popen(True))
                for _ in range(max(1, GETS // 2) + (1 if rnd == 0 else 0)):
                    t0 = time.monotonic()
                    r = nc.rpc("<get-config><source><running/></source></get-config>")
                    res[mode]["get"].append((time.monotonic() - t0) * 1000)
                    if b"rpc-error" in r[:4096]:
                        raise RuntimeError("get-config failed: %r" % r[:600])
                for _ in range(EDITS // 2):
                    val += 1
                    t0 = time.monotonic()
                    ok(edit(nc, '<bench xmlns="%s"><item><name>n%d</name><cfg><b>v%d</b></cfg></item></bench>'
                            % (B, 1 + val % (N - 1), val)))
                    res[mode]["edit"].append((time.monotonic() - t0) * 1000)
                nc.close()
        root.close()
        med = {m: {k: statistics.median(v) for k, v in res[m].items()} for m in res}
        note = "nobody over pipes, %d entries, 100 rules (20 path)" % N
        for m in ("on", "off"):
            figure("nacm.get_config_ms_" + m, med[m]["get"], "ms", "median, " + note)
            figure("nacm.edit_ms_p50_" + m, med[m]["edit"], "ms", "median of %d, %s" % (len(res[m]["edit"]), note))
            figure("nacm.setup_ms_" + m, med[m]["setup"], "ms", "process start to first reply, median")
            figure("nacm.setup_cpu_ms_" + m, med[m]["setup_cpu"], "ms",
                   "CPU of the whole short session (user + system), median")
        figure("nacm.get_config_ratio", med["on"]["get"] / med["off"]["get"], "x", "target <= 1.5")
        figure("nacm.edit_ratio", med["on"]["edit"] / med["off"]["edit"], "x", "target <= 1.5")
        figure("nacm.setup_diff_ms", med["on"]["setup"] - med["off"]["setup"], "ms", "target <= 2")
        # Wall time of a 200 ms start moves by tens of ms on a shared
        # machine; the session's own CPU is what NACM adds to it.
        figure("nacm.setup_cpu_diff_ms", med["on"]["setup_cpu"] - med["off"]["setup_cpu"], "ms",
               "target <= 2 (the same, as CPU: steadier on a shared machine)")
        t.ok(True, "measured")
    finally:
        env.cleanup()
    t.done()


if __name__ == "__main__":
    main()
