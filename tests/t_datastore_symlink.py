#!/usr/bin/python3
"""Links planted in datastore-dir are never followed.

datastore-dir is writable by every NETCONF user (group nchome), so one user
could plant a symbolic link there named like a file another user's session
opens (the write lock, a journal) and make that session create, chmod or
write the file the link points at, with the victim's rights.  Each case:
plant the link, run the operation that opens the file, check the target is
untouched (content and mode) and the session answered.
"""
import os
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw  # noqa: E402

X = "urn:example:symlink"
t = TAP()
env = SshEnv(name="symlink")
nc = None


def edit(target, value):
    return ('<edit-config><target><%s/></target><config><top xmlns="%s"><leaf>%s</leaf></top>'
            '</config></edit-config>' % (target, X, value))


def victim_file(name):
    path = os.path.join(env.dir, name)
    with open(path, "w") as f:
        f.write("victim\n")
    os.chmod(path, 0o600)
    return path


def untouched(path, desc):
    with open(path) as f:
        body = f.read()
    mode = stat.S_IMODE(os.stat(path).st_mode)
    t.ok(body == "victim\n" and mode == 0o600, desc, "content %r mode %o" % (body[:80], mode))


try:
    # Session 1 stores something, so running.xml exists and the journal is next.
    nc = NcRaw(env.netconf_direct())
    nc.hello()
    t.ok(NcRaw.ok(nc.rpc(edit("running", "one"))), "a first edit-config is stored")
    nc.close()
    nc = None

    cases = [
        (".ds-write.lock", "running", "two"),
        ("running.journal", "running", "three"),
        ("candidate.journal", "candidate", "four"),
    ]
    for name, target, value in cases:
        path = os.path.join(env.datastore_dir, name)
        saved = None
        if os.path.lexists(path):
            saved = path + ".saved"
            os.rename(path, saved)
        victim = victim_file("victim-" + name.lstrip("."))
        os.symlink(victim, path)
        nc = NcRaw(env.netconf_direct())
        try:
            # Refusing to start is fine too: a group member can always deny
            # service (it may delete files); it must not borrow our rights.
            nc.hello()
            r = nc.rpc(edit(target, value))
            outcome = "answered with " + ("ok" if NcRaw.ok(r) else "an rpc-error")
        except (EOFError, TimeoutError, ValueError):
            outcome = "ended"
        t.diag("%s planted as a link: the session %s" % (name, outcome))
        untouched(victim, "%s planted as a link: its target is not written or chmod'ed" % name)
        nc.kill()
        nc = None
        os.unlink(path)
        if saved is not None:
            os.rename(saved, path)
finally:
    if nc is not None:
        nc.kill()
    env.cleanup()
t.done()
