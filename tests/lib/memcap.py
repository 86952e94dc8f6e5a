"""max-session-memory tests on example-bench's list (tests/yang).

    from memcap import MemcapEnv, least_cap, bench_edit
    env = MemcapEnv("memcap-x")          # an SshEnv; sessions run nchome-netconf directly
    nc = env.session()                   # a cap of 1 GiB: fills running
    r = env.replies_under(cap, bench_edit("<item>...</item>"))
    lo, hi = least_cap(lambda cap: NcRaw.ok(env.replies_under(cap, ...)), lo, hi)
    env.cleanup()                        # kills the sessions left
"""
import os

from nchome_test import SshEnv
from ncraw import NcRaw

B = "urn:example:bench"
YANG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "yang")
N = int(os.environ.get("MEMCAP_N", 20000))  # entries of the list
STEP = 64 << 10                             # least_cap's precision, bytes
NO_CAP = 1 << 30
CONF = '  max-session-memory = %d\n  yang-dir = "%s"\n  module example-bench {}\n'


def bench_edit(inner, ns=B, top="top"):
    """An edit-config of running's top (example-bench's unless ns, top say) holding inner."""
    return ('<edit-config><target><running/></target><config><%s xmlns="%s">%s</%s></config>'
            '</edit-config>' % (top, ns, inner, top))


def least_cap(taken, lo, hi, step=STEP):
    """Bisection between lo (refused) and hi (taken): (lo, hi) at most step
    apart, taken(hi) true and taken(lo) false where taken is monotone."""
    while hi - lo > step:
        mid = (lo + hi) // 2
        if taken(mid):
            hi = mid
        else:
            lo = mid
    return lo, hi


class MemcapEnv(SshEnv):
    """A device loading example-bench whose sessions each run under a cap of their own."""

    def __init__(self, name):
        super().__init__(name=name, netconf_conf=CONF % (NO_CAP, YANG))
        self.procs = []

    def session(self, cap=NO_CAP):
        """A new session (hello done) under max-session-memory cap."""
        self.netconf_conf = CONF % (cap, YANG)
        self.write_nchome_conf("")
        return NcRaw.session(self.netconf_direct(), self.procs, timeout=120)

    def replies_under(self, cap, *requests):
        """In a new session under cap, requests in turn until one is not
        taken: the last reply.  The session is killed after: one over the
        cap may refuse even its close-session."""
        nc = self.session(cap)
        for request in requests:
            r = nc.rpc(request)
            if not NcRaw.ok(r):
                break
        nc.kill()
        return r

    def running_files(self):
        """running's files (running.xml, running.journal) as they are, concatenated."""
        out = b""
        for name in ("running.xml", "running.journal"):
            p = os.path.join(self.datastore_dir, name)
            if os.path.exists(p):
                with open(p, "rb") as f:
                    out += f.read()
        return out

    def cleanup(self):
        for p in self.procs:
            p.kill()
        super().cleanup()
