#!/usr/bin/python3
"""The tests that run programs as other accounts pass from a clone in a 0700 folder.

Root may clone anywhere: under /root (mode 0700 on Debian) or in a
`mktemp -d` folder, which other accounts cannot traverse.  This copies the
built tree (sources, programs, docs; no .git, objects or logs) into a fresh
0700 folder, checks that an unprivileged account indeed cannot reach the
programs there, and runs t_auth.py and t_auth_doc.py from the copy: every
check passes and none is skipped, because their sessions run nchome-netconf
from a private prefix (tests/lib/private_prefix.py), not from the clone.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP, scaled  # noqa: E402

TESTS = ("t_auth.py", "t_auth_doc.py")
t = TAP()
if os.geteuid() != 0:
    for name in TESTS:
        t.skip("%s from a clone in a 0700 folder" % name, "needs root")
    t.done()

parent = tempfile.mkdtemp(prefix="nchome-0700-")
try:
    clone = os.path.join(parent, "nchome")
    os.makedirs(clone)
    tar = subprocess.run(
        "tar -C '%s' --exclude=./.git --exclude='*.o' --exclude='*.a' --exclude=./tests/out "
        "--exclude=./tests/fuzz/bin -cf - . | tar -C '%s' -xf -" % (TOP, clone),
        shell=True, stderr=subprocess.PIPE, text=True)
    t.ok(tar.returncode == 0 and os.path.exists(os.path.join(clone, "subsystem", "nchome-netconf")),
         "the built tree copied into %s" % clone, tar.stderr)
    mode = os.stat(parent).st_mode & 0o777
    netconf = os.path.join(clone, "subsystem", "nchome-netconf")
    probe = subprocess.run(["runuser", "-u", "nobody", "--", "test", "-x", netconf])
    t.ok(mode == 0o700 and probe.returncode != 0,
         "the clone's parent is 0700: another account cannot run the clone's nchome-netconf",
         "mode %o, runuser test -x: %d" % (mode, probe.returncode))

    env = dict(os.environ, NCHOME_TOP=clone)
    env.pop("NCHOME_PRIVATE_ACCOUNT_DB", None)
    for name in TESTS:
        try:
            p = subprocess.run([sys.executable, os.path.join(clone, "tests", name)], cwd=clone, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=scaled(300))
            rc, out = p.returncode, p.stdout
        except subprocess.TimeoutExpired as e:
            rc, out = None, (e.stdout or b"").decode(errors="replace") + "\n(timed out)"
        lines = out.splitlines()
        oks = [l for l in lines if l.startswith("ok ")]
        bad = [l for l in lines if l.startswith("not ok") or "# SKIP" in l]
        t.ok(rc == 0 and len(oks) >= 10 and not bad,
             "%s from a clone in a 0700 folder: %d checks pass, none fails or is skipped"
             % (name, len(oks)), "exit %r\n%s" % (rc, out))
finally:
    shutil.rmtree(parent, ignore_errors=True)
t.done()
