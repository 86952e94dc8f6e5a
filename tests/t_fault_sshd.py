#!/usr/bin/python3
"""Fault: sshd missing or its configuration broken.

- At start: a broken sshd_config or a missing sshd binary stops the dialer
  at once with a message naming the problem (sshd -t's own words).
- While running (the binary removed, or sshd_config broken after start):
  every connection's sshd dies at once; the dialer logs each short session
  with sshd's exit status, backs off (waits grow, stay under max), and does
  not busy-loop: its own CPU time over the window stays small and the NMS
  sees only a handful of connections.
- After such a session the dialer runs `sshd -t` again and logs what sshd
  says (the broken keyword, the missing host key, the missing binary) once,
  not on every retry; when the file is repaired it says that sshd accepts
  it again, and sessions resume.  When sshd -t passes although sessions
  end at once (here: an NMS that hangs up), it says so and points to
  sshd's own log.
"""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, DIALER, SSHD, scaled, wait_for  # noqa: E402
from dialer_test import Dialer, Nms, client_conf, finish  # noqa: E402
from fault_util import cpu_seconds  # noqa: E402

WINDOW = 8.0		# seconds of watching a failing dialer
BACKOFF = (1, 4)

t = TAP()
env = SshEnv("fault-sshd")
nms = None
d = None


def set_sshd(path):
    with open(env.conf) as f:
        text = f.read()
    import re
    text = re.sub(r'^sshd = ".*"$', 'sshd = "%s"' % path, text, flags=re.M)
    with open(env.conf, "w") as f:
        f.write(text)


def waits(log):
    """The 'next round in N s' waits the dialer logged, in seconds."""
    out = []
    for line in log.splitlines():
        if "next round in " in line:
            try:
                out.append(float(line.rsplit("next round in ", 1)[1].split()[0]))
            except ValueError:
                pass
    return out


def start_dialer():
    """A dialer with a fresh log."""
    log = os.path.join(env.dir, "dialer.log")
    if os.path.exists(log):
        os.unlink(log)
    return Dialer(env)


def complaints(log, needle):
    """The dialer's lines that pass on sshd -t's complaint containing needle."""
    return [l for l in log.splitlines() if "sessions end at once" in l and needle in l]


def told_once(what, needle):
    """sshd -t's words were logged, once, though several sessions failed meanwhile."""
    log = d.log()
    short = log.count("too short to count")
    got = complaints(log, needle)
    t.ok(len(got) == 1 and short >= 2,
         "%s: sshd -t's complaint (%r) logged once over %d failed sessions" % (what, needle, short),
         log[-3000:])


def watch_failing(what, exit_word, needle, stop=True):
    """Runs the dialer WINDOW seconds against a failing sshd; checks log, backoff, CPU."""
    global d
    c0 = cpu_seconds(d.proc.pid)
    n0 = len(nms.conns)
    time.sleep(WINDOW)
    alive = d.proc.poll() is None
    c1 = cpu_seconds(d.proc.pid) if alive else None
    n1 = len(nms.conns)
    # The dialer runs sshd -t at most every 5 s: when the session before the
    # fault ended at once too, its (passing) check can hold the next one back
    # past the window.
    wait_for(lambda: complaints(d.log(), needle), 10)
    told_once(what, needle)
    if stop:
        d.stop()
    log = d.log()
    t.ok(alive, "%s: the dialer keeps running" % what, log[-2000:])
    t.ok(exit_word in log, "%s: the log says how sshd ended (%r)" % (what, exit_word), log[-2000:])
    w = waits(log)
    t.ok(len(w) >= 2 and max(w) <= BACKOFF[1] * 1.5 + 0.01 and max(w) > min(w),
         "%s: backoff between rounds grows and stays near max %d s: %s" % (what, BACKOFF[1], w),
         log[-2000:])
    # A busy loop would burn most of a core; a backing-off dialer uses a few ms.
    if c1 is not None:
        # (CPU, too, is what valgrind stretches: the bound scales with the others)
        t.ok(c1 - c0 < scaled(0.5), "%s: dialer CPU over %.0f s: %.3f s (no busy loop)" % (what, WINDOW, c1 - c0))
    else:
        t.ok(False, "%s: dialer CPU measured" % what)
    # With backoff 1,2,4,4..: a handful of rounds in the window, not hundreds.
    t.ok(1 <= n1 - n0 <= WINDOW / BACKOFF[0] + 2,
         "%s: %d connections in %.0f s (backoff respected)" % (what, n1 - n0, WINDOW))


try:
    # -- at start --------------------------------------------------------
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", 9)], backoff=BACKOFF))
    good_sshd_config = open(env.sshd_config).read()
    with open(env.sshd_config, "a") as f:
        f.write("NoSuchSshdKeyword yes\n")
    t0 = time.monotonic()
    p = subprocess.run([DIALER, "-d", "-f", env.conf], capture_output=True, text=True, timeout=scaled(30))
    t.ok(p.returncode != 0 and "NoSuchSshdKeyword" in p.stderr and env.sshd_config in p.stderr,
         "start with a broken sshd_config: refused, naming the file and sshd's complaint",
         p.stderr)
    t.ok(time.monotonic() - t0 < scaled(10), "start with a broken sshd_config: refused at once")
    with open(env.sshd_config, "w") as f:
        f.write(good_sshd_config)

    set_sshd("/nonexistent/sbin/sshd")
    p = subprocess.run([DIALER, "-d", "-f", env.conf], capture_output=True, text=True, timeout=scaled(30))
    t.ok(p.returncode != 0 and "/nonexistent/sbin/sshd" in p.stderr,
         "start with a missing sshd: refused, naming the path", p.stderr)

    # -- sshd binary disappears while the dialer runs ----------------------
    nms = Nms()
    copy = os.path.join(env.dir, "sshd-copy")
    shutil.copy(SSHD, copy)
    os.chmod(copy, 0o755)
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)], backoff=BACKOFF))
    set_sshd(copy)
    d = start_dialer()
    ok = wait_for(lambda: "session started" in d.log(), 15)
    t.ok(ok, "with the sshd copy in place, a session starts", d.log())
    os.unlink(copy)
    watch_failing("sshd binary removed while running", "exit status 127", "cannot execute " + copy)
    nms.close()

    # -- sshd_config broken while the dialer runs ----------------------------
    nms = Nms()
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)], backoff=BACKOFF))
    d = start_dialer()
    ok = wait_for(lambda: "session started" in d.log(), 15)
    t.ok(ok, "with a good sshd_config, a session starts", d.log())
    with open(env.sshd_config, "a") as f:
        f.write("NoSuchSshdKeyword yes\n")
    # sshd's fatal() exits 255, its status for every closed connection: the
    # session line says "connection closed", sshd -t's words say why.
    watch_failing("sshd_config broken while running", "(connection closed)", "NoSuchSshdKeyword", stop=False)
    # Repaired: the dialer says so and sessions resume.
    with open(env.sshd_config, "w") as f:
        f.write(good_sshd_config)
    def greeted():
        """Connections on which sshd got as far as its SSH-2.0- identification."""
        return len([c for c in list(nms.conns) if c["prebanner"] is not None])
    n = greeted()
    t.ok(d.wait_log("accepts the configuration again", 15),
         "sshd_config repaired: the dialer logs that sshd -t accepts it again", d.log()[-2000:])
    t.ok(wait_for(lambda: greeted() > n, 10), "sshd_config repaired: sshd greets the NMS again")
    d.stop()

    # -- host key removed while the dialer runs: sshd -t names the missing key ----
    nms.close()
    nms = Nms()
    key2 = os.path.join(env.dir, "host_key2")
    shutil.copy(env.host_key, key2)
    os.chmod(key2, 0o600)
    env.write_sshd_config("")
    with open(env.sshd_config) as f:
        text = f.read()
    with open(env.sshd_config, "w") as f:
        f.write(text.replace("HostKey %s\n" % env.host_key, "HostKey %s\n" % key2))
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", nms.port)], backoff=BACKOFF))
    d = start_dialer()
    t.ok(wait_for(lambda: "session started" in d.log(), 15), "with its host key in place, a session starts",
         d.log())
    # This NMS hangs up at once, so sessions are short although sshd is fine: sshd -t
    # runs, passes, and the dialer says so (once) and where the reason is.
    t.ok(d.wait_log("accepts the configuration: sshd's own log", 15),
         "short sessions with a sound sshd: the log says sshd -t passes and points to sshd's log",
         d.log()[-2000:])
    os.unlink(key2)
    watch_failing("host key removed while running", "(sshd exit status 1)", key2)
finally:
    finish(env, [d], [nms])
t.done()
