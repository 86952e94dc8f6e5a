#!/usr/bin/python3
"""libnetconf2 2.x as the NMS (tests/nms/nms_libnetconf2.c), given no YANG
module: over ssh -s netconf through the device's real sshd, it builds its
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

NMS = os.path.join(TOP, "tests", "nms", "nms_libnetconf2")
t = TAP()
env = SshEnv(name="nc-lnc2")
work = tempfile.mkdtemp(prefix="nc-lnc2-")
N = 10
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
        facts = {}
        for line in p.stdout.splitlines():
            k, _, v = line.partition(" ")
            if k == "module":
                name, _, state = v.partition(" ")
                facts["module " + name] = state
            else:
                facts[k] = v
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
finally:
    env.cleanup()
    shutil.rmtree(work, ignore_errors=True)
t.done()
