#!/usr/bin/python3
"""nchome-dialer: SIGHUP checks the new configuration with `sshd -t` in the
background, and the running configuration serves meanwhile.

The configuration's `sshd` is a wrapper that runs the real sshd, except for
`-t` when the test says so: "hold" makes `sshd -t` wait until the test
releases it (a slow check, as long as the test needs, under the dialer's
10 s bound), "fail" makes it print sshd's words for a bad keyword and exit
255.  Checked:
- while the check of a new file runs, an existing client whose NMS hangs up
  calls again and its socket is handed to sshd (the NMS reads sshd's
  banner); the new file's client is not called yet;
- once sshd -t passes, the reload applies: "configuration reloaded: 2
  clients, 1 unchanged", the unchanged client keeps its sshd, the new one
  is called;
- a failing check refuses the reload with sshd's own words; the running
  configuration keeps serving (a client reconnects) and the refused file's
  client is never called;
- a second SIGHUP while a check runs: the first check is killed and reaped,
  the second file (not the first) is what gets applied;
- SIGTERM while a check runs is answered at once (under 0.5 s), the check
  is killed, the dialer exits 0;
- no zombie among the dialer's children, no descriptor left behind, no
  sanitizer report.
"""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, SSHD, scaled, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, hold_open  # noqa: E402
from fault_util import alive, children, fds as proc_fds  # noqa: E402

PROMPT = 0.5		# seconds: "at once" for SIGTERM, as the dialer's loop should answer it

t = TAP()
env = SshEnv("dialer-hup-async")
mode_file = os.path.join(env.dir, "sshd-t-mode")
release = os.path.join(env.dir, "sshd-t-release")
starts_file = os.path.join(env.dir, "sshd-t-starts")
wrapper = os.path.join(env.dir, "sshd-wrapper")
with open(wrapper, "w") as f:
    f.write("""#!/bin/sh
# sshd for the dialer under test: `-t` does what %(mode)s says, the rest is the real sshd.
check=
for a in "$@"; do [ "$a" = -t ] && check=1; done
if [ -n "$check" ]; then
	mode=$(cat %(mode)s 2>/dev/null)
	echo "$$ $mode" >> %(starts)s
	case $mode in
	hold)	i=0
		while [ ! -e %(release)s ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done ;;
	fail)	echo "%(cfg)s line 3: Bad configuration option: Frobnicate" >&2
		echo "%(cfg)s: terminating, 1 bad configuration options" >&2
		exit 255 ;;
	esac
fi
exec %(sshd)s "$@"
""" % {"mode": mode_file, "starts": starts_file, "release": release, "cfg": env.sshd_config, "sshd": SSHD})
os.chmod(wrapper, 0o755)

nms = {name: Nms(handler=hold_open) for name in ("keep", "added", "refused", "first", "second", "last")}
d = None


def write_conf(names):
    """nchome.conf with a client per name (each calling its own Nms), sshd = the wrapper."""
    env.write_nchome_conf("".join(client_conf(n, [("127.0.0.1", nms[n].port)]) for n in names))
    with open(env.conf) as f:
        text = f.read()
    with open(env.conf, "w") as f:
        f.write(re.sub(r'^sshd = ".*"$', 'sshd = "%s"' % wrapper, text, flags=re.M))


def set_mode(mode):
    if os.path.exists(release):
        os.unlink(release)
    with open(mode_file, "w") as f:
        f.write(mode + "\n")


def starts():
    """pids of the `sshd -t` runs so far, in order."""
    try:
        with open(starts_file) as f:
            return [int(l.split()[0]) for l in f if l.strip()]
    except OSError:
        return []


def zombies():
    return [c for c in children(d.proc.pid) if c[1] == "Z"]


def fds():
    try:
        return sorted(proc_fds(d.proc.pid).values())
    except OSError:
        return None


def pid_for(client):
    pids = re.findall(r"client %s: session started with .* \(sshd pid (\d+)\)" % client, d.log())
    return int(pids[-1]) if pids else None


def hang_up(name):
    """The NMS closes its newest connection once the session has run long enough to
    count as a session (so the client calls again at once, not after a backoff)."""
    conn = nms[name].conns[-1]
    time.sleep(max(0.0, conn["time"] + 2.3 - time.monotonic()))
    conn["sock"].close()


def check_started(before):
    """Waits for an `sshd -t` run after the first `before` ones; returns its pid."""
    got = wait_for(lambda: len(starts()) > before, 5)
    return starts()[before] if got else None


try:
    set_mode("pass")
    write_conf(["keep"])
    d = Dialer(env)
    t.ok(wait_for(lambda: nms["keep"].count() >= 1 and pid_for("keep"), 10),
         "start: the client calls and its session runs", d.log())
    wait_for(lambda: not children(d.proc.pid) or all(c[0] == pid_for("keep") for c in children(d.proc.pid)), 5)
    fds_before = fds()

    # A slow check that passes.
    set_mode("hold")
    write_conf(["keep", "added"])
    n0 = len(starts())
    keep_pid = pid_for("keep")
    d.hup()
    held = check_started(n0)
    t.ok(held and alive(held), "SIGHUP: sshd -t of the new file runs (held by the test)", d.log())
    hang_up("keep")
    t.ok(wait_for(lambda: nms["keep"].count() >= 2, 5),
         "while the check runs, a client whose NMS hung up calls again and is handed to sshd",
         d.log())
    t.ok(held and alive(held) and "configuration reloaded" not in d.log() and nms["added"].count() == 0,
         "... and the check is still running, not applied yet (the new file's client not called)",
         d.log())
    keep_pid = pid_for("keep")
    open(release, "w").close()
    t.ok(d.wait_log("configuration reloaded: 2 clients, 1 unchanged", 10),
         "once sshd -t passes, the reload applies (2 clients, 1 unchanged)", d.log())
    t.ok(wait_for(lambda: nms["added"].count() >= 1, 10), "the new file's client is called", d.log())
    t.ok(pid_for("keep") == keep_pid and alive(keep_pid) and nms["keep"].count() == 2,
         "the unchanged client kept its sshd and connection", d.log())
    t.ok(held and wait_for(lambda: not alive(held), 5) and wait_for(lambda: not zombies(), 5),
         "the check's child is reaped (no zombie)", children(d.proc.pid))

    # A check that fails: refused with sshd's words, the running configuration serves on.
    set_mode("fail")
    write_conf(["keep", "added", "refused"])
    n0 = len(starts())
    d.hup()
    t.ok(d.wait_log("reload refused, keeping the running configuration:", 10),
         "a failing sshd -t: reload refused", d.log())
    line = [l for l in d.log().splitlines() if "reload refused" in l][-1:]
    t.ok(line and "Bad configuration option: Frobnicate" in line[0] and "terminating" in line[0],
         "the refusal carries sshd's own words", line)
    t.ok(len(starts()) == n0 + 1, "sshd -t ran once for that SIGHUP", starts())
    hang_up("added")
    t.ok(wait_for(lambda: nms["added"].count() >= 2, 5),
         "after the refusal the running configuration still serves: a client calls again", d.log())
    t.ok(nms["refused"].count() == 0 and "configuration reloaded" not in d.log().split("reload refused")[-1],
         "the refused file's client was never called", d.log())
    t.ok(wait_for(lambda: not zombies(), 5), "no zombie after the refused check", children(d.proc.pid))

    # SIGHUP twice: the first check is cancelled, the file as it is at the second is applied.
    set_mode("hold")
    write_conf(["keep", "added", "first"])
    n0 = len(starts())
    d.hup()
    first = check_started(n0)
    write_conf(["keep", "added", "second"])
    d.hup()
    second = check_started(n0 + 1)
    t.ok(first and second and first != second, "a second SIGHUP starts a new check", starts())
    t.ok(first and wait_for(lambda: not alive(first), 5) and second and alive(second),
         "... and kills (and reaps) the first one", children(d.proc.pid))
    t.ok("abandons the check of the previous file" in d.log(), "... and says so", d.log())
    open(release, "w").close()
    t.ok(d.wait_log("configuration reloaded: 3 clients, 2 unchanged", 10),
         "the second file is applied once its check passes", d.log())
    t.ok(wait_for(lambda: nms["second"].count() >= 1, 10) and nms["first"].count() == 0,
         "its client is called; the first file's is not", d.log())
    t.eq(d.log().count("configuration reloaded"), 2, "two SIGHUPs in a row gave one reload (two in the log so far)")
    t.ok(wait_for(lambda: not zombies() and not [c for c in children(d.proc.pid) if c[0] in (first, second)], 5),
         "no zombie, no check left running", children(d.proc.pid))
    # Same state as at the start (sessions only, no check, no connection in progress):
    # the same descriptors.
    t.eq(fds(), fds_before, "no descriptor left behind by the checks")

    # SIGTERM while a check runs.
    set_mode("hold")
    write_conf(["keep", "added", "second", "last"])
    n0 = len(starts())
    d.hup()
    last = check_started(n0)
    t.ok(last and alive(last), "another slow check runs", d.log())
    sessions = [pid_for(n) for n in ("keep", "added", "second")]
    t0 = time.monotonic()
    d.proc.send_signal(signal.SIGTERM)
    t.ok(d.wait_log("signal 15: ending", 5), "SIGTERM while a check runs: handled", d.log())
    took = [round(x - t0, 2) for x in d.times("signal 15: ending")][:1]
    t.ok(took and took[0] < scaled(PROMPT),
         "... at once: after %s s (the check holds for seconds)" % (took[0] if took else "over 5"))
    try:
        rc = d.proc.wait(scaled(10))
    except Exception:
        rc = None
    t.eq(rc, 0, "the dialer exits 0")
    t.ok(last and wait_for(lambda: not alive(last), 5), "the running check was killed")
    t.ok(all(p and wait_for(lambda: not alive(p), 5) for p in sessions), "every sshd session ended",
         sessions)
    t.ok(nms["last"].count() == 0, "the unchecked file was never applied")
    d.stop()
    t.eq(sanitizer_findings(), [], "no sanitizer report from the dialer")
finally:
    open(release, "w").close()	# lets a held wrapper go
    if d:
        d.stop()
    for n in nms.values():
        n.close()
    env.cleanup()
t.done()
