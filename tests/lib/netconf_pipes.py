"""NETCONF 1.1 over the pipes of one nchome-netconf process, no sshd: the
server's own time and memory (tests/bench/bench_memory.py, bench_keyed.py)."""
import os
import subprocess
import time

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"


class Direct:
    def __init__(self, prog, conf):
        env = dict(os.environ)
        env.setdefault("USER", "root")
        self.p = subprocess.Popen([prog, "-f", conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env)
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
        buf = bytearray()
        while not buf.endswith(b"\n##\n"):
            d = os.read(self.fd, 1 << 20)
            if not d:
                raise EOFError("peer closed")
            buf += d
        self.last_ms = (time.monotonic() - t0) * 1000
        return bytes(buf)

    def hwm_mb(self):
        """VmHWM, the process's peak resident memory, in MB."""
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0

    def close(self):
        self.p.stdin.close()
        self.p.wait(60)
