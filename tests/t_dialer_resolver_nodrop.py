#!/usr/bin/python3
"""The dialer's lookup child fails closed: when it cannot drop root to its
unprivileged user (here: no user `nobody` in the dialer's /etc/passwd, a
private mount namespace), it does not resolve as root; the name is not
called, the log says why, and numeric addresses are still called."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, wait_for  # noqa: E402
from dialer_test import sanitizer_findings, Dialer, Nms, client_conf, hold_open  # noqa: E402

t = TAP()
env = SshEnv("dialer-nodrop")
named = numeric = d = None
try:
    named = Nms(host="127.0.0.3", handler=hold_open)
    numeric = Nms(handler=hold_open)
    files = {}
    with open("/etc/passwd") as f:
        files["passwd"] = "".join(l for l in f if not l.startswith("nobody:"))
    files["hosts"] = "127.0.0.1 localhost\n127.0.0.3 nms.nchome.test\n"
    with open("/etc/nsswitch.conf") as f:
        nss = [l for l in f.read().splitlines() if not l.startswith(("hosts:", "passwd:"))]
    files["nsswitch.conf"] = "\n".join(nss) + "\npasswd: files\nhosts: files\n"
    paths = []
    for name, text in files.items():
        p = os.path.join(env.dir, "etc-" + name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o644)
        paths.append(p)
    script = ('mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/hosts && '
              'mount --bind "$3" /etc/nsswitch.conf && shift 3 && exec "$@"')
    prefix = ["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh"] + paths
    env.write_nchome_conf(client_conf("named", [("nms.nchome.test", named.port)], backoff=(1, 1))
                          + client_conf("numeric", [("127.0.0.1", numeric.port)]))
    d = Dialer(env, prefix=prefix)
    t.ok(wait_for(lambda: numeric.count() >= 1, 10), "a numeric address is still called", d.log())
    t.ok(d.wait_log("cannot drop root to user nobody", 10, count=2),
         "the lookup fails, saying the resolver cannot drop root (each attempt)", d.log())
    t.eq(named.count(), 0, "the name is not resolved as root: its NMS is never called")
    d.stop()
    t.eq(sanitizer_findings(), [], "no sanitizer findings")
finally:
    if d is not None:
        d.stop()
    for x in (named, numeric):
        if x is not None:
            x.close()
    env.cleanup()
t.done()
