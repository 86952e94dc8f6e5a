#!/usr/bin/python3
"""A sticky datastore-dir (mode 1777) shared by two users.

In a sticky folder only a file's owner may rename over it, so a session
of one user cannot replace a datastore file another user's session
wrote.  make install avoids this (2770, group nchome); an operator who
chose 1777 must be told what is wrong, not get a bare "operation
failed".  Root writes the datastores first; then a session of user
nobody (setpriv) must log the problem at start and answer a write that
needs a replacement (a copy-config that changes startup) with an rpc-error naming
the sticky folder and the way out.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402
from ncraw import NcRaw  # noqa: E402
from as_nobody import NobodyEnv  # noqa: E402

t = TAP()
if os.geteuid() != 0:
    t.skip("sticky datastore-dir", "needs root")
    t.done()
    sys.exit(0)
nobody_env = NobodyEnv(t, "sticky-", 0o1777)
ds = nobody_env.ds


def session(as_nobody):
    return nobody_env.popen(as_nobody, stderr=subprocess.PIPE)


try:
    nc = NcRaw(session(False))
    nc.hello()
    t.ok(nc.ok(nc.edit_config("running", '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">'
                              '<write-default>permit</write-default></nacm>')) and
         nc.ok(nc.rpc("<copy-config><target><startup/></target><source><running/></source>"
                      "</copy-config>")), "root writes the datastores in the sticky folder")
    t.ok(nc.ok(nc.edit_config("running", '<x xmlns="urn:example:sticky">1</x>')),
         "root changes running: startup differs")
    nc.close()
    t.ok(os.stat(os.path.join(ds, "startup.xml")).st_uid == 0, "startup.xml belongs to root")

    p = session(True)
    nc = NcRaw(p)
    nc.hello()
    r = nc.rpc("<get-config><source><running/></source></get-config>")
    t.ok(r is not None and not nc.errors(r), "nobody's session reads running")
    # a change (a copy equal to startup writes nothing: ops/config_write.c
    # copy_unchanged), which nobody may write (write-default permit)
    r = nc.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    errs = nc.errors(r)
    msg = (errs[0].get("error-message") or "") if errs else ""
    t.ok(errs and errs[0].get("error-tag") == "operation-failed", "replacing root's startup.xml fails",
         repr(errs))
    t.ok("sticky" in msg, "the rpc-error says the folder is sticky", msg)
    t.ok("2770" in msg, "the rpc-error says what to use instead", msg)
    nc.close()
    err = p.stderr.read().decode(errors="replace")
    t.ok("sticky" in err and "nchome-netconf(8)" in err, "the session's log says it at start", err[-600:])
finally:
    nobody_env.cleanup()
t.done()
