"""What a process holds, as the kernel sees it, for the fault and dialer
tests (tests/t_fault_*, tests/t_dialer_*).  Linux /proc only."""
import os


def cpu_seconds(pid):
    """utime + stime of pid (not its children), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    """VmRSS of pid in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    """{fd: target} of pid's open descriptors."""
    out = {}
    d = "/proc/%d/fd" % pid
    for fd in os.listdir(d):
        try:
            out[int(fd)] = os.readlink(os.path.join(d, fd))
        except OSError:
            pass
    return out


def proc_state(pid):
    """pid's state letter from /proc (R, S, T, Z...), or "gone"."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def alive(pid):
    """pid runs (a zombie does not)."""
    return proc_state(pid) not in ("Z", "gone")


def children(pid):
    """[(child pid, state)] of pid's direct children (state 'Z' = zombie)."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append((int(p), fields[0]))
    return out


def full_run():
    """NCHOME_FULL=1 asks for the long variants (issue 6 counts)."""
    return os.environ.get("NCHOME_FULL", "") not in ("", "0")


def in_private_mount_namespace(t, what):
    """Re-runs the calling test in a private mount namespace (so the tmpfs
    it mounts is seen by nobody else) and returns there; skips the test
    when that is impossible (not root, no unshare)."""
    import shutil
    import sys
    inner = "NCHOME_FAULT_MOUNTNS_INNER"
    if os.environ.get(inner) == "1":
        return
    if shutil.which("unshare") is None:
        t.skip_tool(what, "unshare", "not installed (util-linux)")
        t.done()
    if os.geteuid() != 0:
        t.skip(what, "needs root")
        t.done()
    env = dict(os.environ)
    env[inner] = "1"
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", sys.executable,
                           os.path.abspath(sys.argv[0])], env)


def fill(path):
    """Writes zeros to path until the file system is full; returns bytes written."""
    n = 0
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                n += f.write(b"\0" * 4096)
        except OSError:
            pass
    return n
