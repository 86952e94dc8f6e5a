#!/usr/bin/python3
"""yuma123's yangcli as the NMS, non-interactive (--batch-mode with a
script), through a real sshd over TCP: it reads the hello's module and
yang-library capabilities, the yang-library module set, and edits
ietf-system's contact through candidate and commit (the demo's edit)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, InetdSshd, SshEnv, scaled  # noqa: E402
from ncraw import NcRaw  # noqa: E402

SCRIPT = """get-config source=running
merge /system/contact value=yangcli@example.net
commit
sget-config /system source=running
"""
N = 6
t = TAP()
yangcli = shutil.which("yangcli")
if yangcli is None:
    for i in range(N):
        t.skip_tool("yangcli step %d" % (i + 1), "yangcli")
    t.done()
    sys.exit(0)

env = SshEnv(name="nc-yangcli")
sshd = InetdSshd(env)
work = tempfile.mkdtemp(prefix="nc-yangcli-")
try:
    r = NcRaw(env.netconf_direct())
    r.hello()
    msid = [c.split("module-set-id=")[1] for c in r.server_caps if "module-set-id=" in c]
    r.close()
    script = os.path.join(work, "script")
    with open(script, "w") as f:
        f.write(SCRIPT)
    home = os.path.join(work, "home")
    os.makedirs(home)
    p = subprocess.run([yangcli, "--batch-mode", "--run-script=" + script, "--server=127.0.0.1",
                        "--ncport=%d" % sshd.port, "--user=root",
                        "--public-key=" + env.user_key + ".pub", "--private-key=" + env.user_key,
                        "--password=", "--timeout=%d" % scaled(30)],
                       capture_output=True, text=True, timeout=scaled(120), stdin=subprocess.DEVNULL,
                       env=dict(os.environ, HOME=home))
    out = p.stdout
    detail = (out + p.stderr)[-3000:]
    t.ok(p.returncode == 0 and "NETCONF session established" in out, "yangcli connects", detail)
    t.ok(re.search(r"^\s+yang-library:1\.0$", out, re.M) is not None,
         "yangcli sees the yang-library:1.0 capability", detail)
    mods = set(re.findall(r"^\s+([\w-]+)@\d{4}-\d\d-\d\d$", out, re.M))
    t.ok({"ietf-system", "ietf-interfaces", "ietf-netconf", "ietf-netconf-monitoring"} <= mods,
         "yangcli lists the module capabilities (%s)" % sorted(mods), detail)
    t.ok(msid and ("Current module-set-id: %s." % msid[0]) in out,
         "yangcli reads the yang-library module set with the hello's module-set-id", detail)
    t.ok("RPC Error" not in out and out.count("RPC OK Reply") == 2,
         "merge of /system/contact and commit answer ok", detail)
    t.ok(re.search(r"system \{\s+contact yangcli@example\.net\s+\}", out) is not None,
         "sget-config shows the new contact", detail)
finally:
    sshd.close()
    env.cleanup()
    shutil.rmtree(work, ignore_errors=True)
t.done()
