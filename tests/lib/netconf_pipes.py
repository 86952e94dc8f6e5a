"""NETCONF 1.1 over the pipes of one nchome-netconf process, no sshd: the
server's own time and memory (tests/bench/bench_memory.py, bench_keyed.py,
bench_cold.py, bench_nacm_server.py)."""
import os
import subprocess
import time

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"


def touch_by_kernel(buf):
    """Fills buf through read(2) from /dev/zero.  Touching each page from
    Python is not enough: on this machine kind (a paravirtualized guest)
    the kernel's first write into each user page costs about 5 us more,
    whether or not user space touched it first, so a fresh 10 MB receive
    buffer added about 14 ms of the client's own system time to every
    new session's first reply (measured with `cat` into a pipe, no
    nchome involved): a third of the first/warm gap bench_cold used to
    report."""
    z = os.open("/dev/zero", os.O_RDONLY)
    try:
        mv = memoryview(buf)
        n = 0
        while n < len(buf):
            n += os.readv(z, [mv[n:]])
        mv.release()
    finally:
        os.close(z)


def deframed(reply):
    """The message of a chunked reply (chunk boundaries are the framer's, not the reply's)."""
    out, i = [], 0
    while reply[i:i + 2] == b"\n#" and reply[i + 2:i + 3] != b"#":
        j = reply.index(b"\n", i + 2)
        n = int(reply[i + 2:j])
        out.append(reply[j + 1:j + 1 + n])
        i = j + 1 + n
    return b"".join(out)


class Direct:
    """prog -f conf started here, or argv instead (e.g. ssh -s netconf), or
    proc, a Popen the caller started (pipes on stdin and stdout).
    touched_buffer: replies are read into one 32 MB buffer whose pages the
    kernel wrote before any timing (touch_by_kernel; grown and touched
    again when a reply is larger), so that a first reply does not pay the
    client's page faults that later ones do not.  t0: the monotonic time
    just before the process started (after the buffer)."""

    def __init__(self, prog=None, conf=None, argv=None, proc=None, touched_buffer=False):
        if proc is None:
            env = dict(os.environ)
            env.setdefault("USER", "root")
        self.buf = None
        if touched_buffer:
            self.buf = bytearray(1 << 25)
            touch_by_kernel(self.buf)
        self.t0 = time.monotonic()
        self.p = proc or subprocess.Popen(argv or [prog, "-f", conf], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.fd = self.p.stdout.fileno()
        self.mid = 0
        self.last_ms = 0.0
        buf = bytearray()
        while not buf.endswith(b"]]>]]>"):
            d = os.read(self.fd, 65536)
            if not d:
                raise EOFError("no hello")
            buf += d
        self.p.stdin.write(('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.1'
                            '</capability></capabilities></hello>]]>]]>' % NS).encode())
        self.p.stdin.flush()

    def rpc(self, inner):
        """The framed reply's bytes; self.last_ms: request's first byte -> reply's last."""
        self.mid += 1
        msg = ('<rpc xmlns="%s" message-id="%d">%s</rpc>' % (NS, self.mid, inner)).encode()
        t0 = time.monotonic()
        self.p.stdin.write(b"\n#%d\n" % len(msg) + msg + b"\n##\n")
        self.p.stdin.flush()
        if self.buf is not None:
            n = self._read_touched()
            self.last_ms = (time.monotonic() - t0) * 1000
            return bytes(self.buf[:n])
        buf = bytearray()
        while not buf.endswith(b"\n##\n"):
            d = os.read(self.fd, 1 << 20)
            if not d:
                raise EOFError("peer closed")
            buf += d
        self.last_ms = (time.monotonic() - t0) * 1000
        return bytes(buf)

    def _read_touched(self):
        """Reads a reply into self.buf; its length."""
        n = 0
        mv = memoryview(self.buf)
        while n < 4 or mv[n - 4:n] != b"\n##\n":
            if n == len(self.buf):
                mv.release()
                self.buf.extend(bytes(len(self.buf)))
                touch_by_kernel(self.buf)
                mv = memoryview(self.buf)
            got = os.readv(self.fd, [mv[n:]])
            if got == 0:
                raise EOFError("peer closed")
            n += got
        mv.release()
        return n

    def hwm_mb(self):
        """VmHWM, the process's peak resident memory, in MB."""
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0

    def mem_kb(self):
        """(VmRSS, Pss) of the process, in kB."""
        rss = pss = 0
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open("/proc/%d/smaps_rollup" % self.p.pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
        return rss, pss

    def close(self):
        self.p.stdin.close()
        self.p.wait(60)
