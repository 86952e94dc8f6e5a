#!/usr/bin/python3
"""libnetconf2 2.x as the NMS (tests/nms/nms_libnetconf2.c), given no YANG
module: over ssh -s netconf through the device's real sshd, and then
called home by nchome-dialer (nc_accept_callhome, RFC 8071), it builds its
libyang context from what nchome-netconf announces (yang-library data,
get-schema), parses get-config replies against it and edits ietf-system
and ietf-interfaces data (an identityref value included), reading the
values back from its own parsed tree."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP, SshEnv, scaled  # noqa: E402
from dialer_test import Dialer, client_conf  # noqa: E402

NMS = os.path.join(TOP, "tests", "nms", "nms_libnetconf2")
t = TAP()
env = SshEnv(name="nc-lnc2")
work = tempfile.mkdtemp(prefix="nc-lnc2-")
N = 12
dialer = None


def facts_of(stdout):
    facts = {}
    for line in stdout.splitlines():
        k, _, v = line.partition(" ")
        if k == "module":
            name, _, state = v.partition(" ")
            facts["module " + name] = state
        else:
            facts[k] = v
    return facts


try:
    if not os.access(NMS, os.X_OK):
        for i in range(N):
            t.skip_tool("libnetconf2 NMS step %d" % (i + 1), "nms_libnetconf2",
                        "not built (libnetconf2-dev missing)")
    else:
        schema_dir = os.path.join(work, "modules")
        os.makedirs(schema_dir)
        p = subprocess.run([NMS] + env.ssh_proxy_args() + ["root@device", "-s", "netconf"],
                           capture_output=True, text=True, timeout=scaled(120),
                           env=dict(os.environ, NMS_SCHEMA_DIR=schema_dir))
        facts = facts_of(p.stdout)
        t.ok("connected" in facts, "libnetconf2 connects and builds its context from the device",
             p.stderr[-2000:])
        for mod in ("ietf-netconf", "ietf-netconf-monitoring", "ietf-system", "ietf-interfaces",
                    "iana-if-type", "ietf-yang-library"):
            t.eq(facts.get("module " + mod), "implemented", "its context implements %s" % mod)
        t.eq(facts.get("get-config"), "ok", "get-config of running parses against that context")
        t.ok(facts.get("edit") == "interfaces ok" and p.returncode == 0,
             "edit-config of ietf-system and ietf-interfaces data", p.stderr[-2000:])
        t.eq((facts.get("contact"), facts.get("if-type")),
             ("nms@example.net", "iana-if-type:ethernetCsmacd"),
             "the edited values read back from libnetconf2's parsed get-config")

        # ---- the same NMS called home by nchome-dialer (RFC 8071 over SSH) ----
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        ch_dir = os.path.join(work, "modules-ch")
        os.makedirs(ch_dir)
        nms = subprocess.Popen([NMS, "callhome", str(port), "root", env.user_key + ".pub", env.user_key],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, NMS_SCHEMA_DIR=ch_dir))
        first = nms.stdout.readline()
        env.write_nchome_conf(client_conf("nms", [("127.0.0.1", port)], initiation="none"))
        dialer = Dialer(env)
        try:
            out, err = nms.communicate(timeout=scaled(120))
        except subprocess.TimeoutExpired:
            nms.kill()
            out, err = nms.communicate()
        facts = facts_of(first + out)
        t.ok("listening" in facts and "connected" in facts and facts.get("module ietf-system") == "implemented",
             "called home by nchome-dialer, libnetconf2 builds its context from the device", err[-2000:])
        t.ok(nms.returncode == 0 and facts.get("contact") == "nms@example.net",
             "and edits ietf-system over the call home", (facts, err[-2000:]))
finally:
    if dialer is not None:
        dialer.stop()
    env.cleanup()
    shutil.rmtree(work, ignore_errors=True)
t.done()
