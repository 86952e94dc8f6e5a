#!/usr/bin/python3
"""nchome-dialer -t and start-up checks: broken configurations give the file
and line of the first error, a secret in a file others can read is refused,
and a missing sshd privilege-separation folder is named before any dialing."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, DIALER, SSHD, scaled  # noqa: E402
from dialer_test import client_conf  # noqa: E402

t = TAP()
env = SshEnv("dialer-conf")


def check(text=None, mode=0o600, extra=()):
    if text is not None:
        with open(env.conf, "w") as f:
            f.write(text)
    os.chmod(env.conf, mode)
    p = subprocess.run([DIALER, "-t", "-f", env.conf] + list(extra), capture_output=True,
                       text=True, timeout=scaled(30))
    return p.returncode, p.stderr.strip()


def head(secret=False):
    # 5 lines, so the client stanza starts on line 6
    return ('device-id = "dev1"\n'
            'sshd = "%s"\n'
            'sshd-config = "%s"\n'
            'host-key = "%s.pub"\n'
            'state-dir = "%s"\n' % (SSHD, env.sshd_config, env.host_key, env.state_dir))


try:
    env.write_nchome_conf(client_conf("nms1", [("127.0.0.1", 4334), ("::1", 7804), ("localhost", 4334)],
                                      secret="abc"))
    rc, err = check()
    t.ok(rc == 0 and err == "", "-t accepts a good configuration with v4, v6 and name addresses",
         "rc=%d %s" % (rc, err))

    broken = [
        ("unknown key", head() + "client a {\n  address \"h\" { port = 1 }\n  bogus = 3\n}\n", 8),
        ("port out of range", head() + "client a {\n  address \"h\" {\n    port = 70000\n  }\n}\n", 8),
        ("bad initiation keyword", head() + "\n\nclient a {\n  initiation = telnet\n"
         "  address \"h\" { }\n}\n", 9),
        ("bad strategy", head() + "client a {\n  reconnect-strategy = random\n  address \"h\" { }\n}\n", 7),
        ("syntax error", head() + "client a {\n  address \"h\" { port = = 4334 }\n}\n", 7),
        ("unclosed section at the end", head() + "client a {\n  address \"h\" { port = 4334\n}\n", 6),
        ("unclosed section, braces in strings and comments ignored",
         head() + "# }\nclient a { // }\n  device-id = \"x}\"\n  /* } */ address \"h\" { }\n", 7),
        ("retry zero", head() + "client a {\n  address \"h\" { retry = 0 }\n}\n", 7),
        ("missing sshd binary", 'sshd = "/nonexistent/sshd"\n' + head().split("\n", 2)[2] +
         "client a {\n  address \"h\" { }\n}\n", None),
    ]
    for what, text, line in broken:
        rc, err = check(text)
        if line is None:
            t.ok(rc != 0 and err.startswith(env.conf + ":") and "/nonexistent/sshd" in err,
                 "-t: %s is an error naming it" % what, "rc=%d %s" % (rc, err))
        else:
            t.ok(rc != 0 and err.startswith("%s:%d:" % (env.conf, line)),
                 "-t: %s is reported at line %d" % (what, line), "rc=%d %s" % (rc, err))

    # one address listed twice (say, for two ports): a clear error at the second one's line
    rc, err = check(head() + 'client a {\n  address "192.0.2.10" { port = 4334 }\n'
                    '  address "192.0.2.10" { port = 4335 }\n}\n')
    t.ok(rc != 0 and err.startswith("%s:8:" % env.conf) and 'address "192.0.2.10" twice' in err
         and "nchome.conf(5)" in err,
         "-t: an address listed twice in a client is named, at its line, with where to look", err)
    rc, err = check(head() + 'client a {\n  address "h" { }\n}\nclient a {\n  address "h" { }\n}\n')
    t.ok(rc != 0 and err.startswith("%s:9:" % env.conf) and 'client "a" is defined twice' in err,
         "-t: a client defined twice is named, at its line", err)
    # the documented way around: another spelling of the same IPv6 address
    rc, err = check(head() + 'client a {\n  address "2001:db8::10" { port = 4334 }\n'
                    '  address "2001:db8:0::10" { port = 7804 }\n}\n')
    t.ok(rc == 0, "-t: one IPv6 NMS on two ports, spelled two ways, is accepted", err)

    # unreadable host-key with a secret
    rc, err = check(head().replace(env.host_key + ".pub", "/nonexistent/key.pub") +
                    'client a {\n  secret = "x"\n  address "h" { }\n}\n')
    t.ok(rc != 0 and "/nonexistent/key.pub" in err, "-t: unreadable host-key with a secret is an error", err)

    # world-readable secret: refused by -t and at start
    good = head() + 'client a {\n  secret = "topsecret"\n  address "127.0.0.1" { }\n}\n'
    rc, err = check(good, 0o644)
    t.ok(rc != 0 and "readable by other users" in err and "topsecret" not in err,
         "-t refuses a world-readable config holding a secret", err)
    p = subprocess.run([DIALER, "-d", "-f", env.conf], capture_output=True, text=True, timeout=scaled(30))
    t.ok(p.returncode != 0 and "readable by other users" in p.stderr,
         "the dialer refuses to start on a world-readable secret", p.stderr)
    rc, err = check(good, 0o640)
    t.ok(rc != 0 and "secret-file" in err and "0640" in err,
         "the same file with mode 0640 (group nchome reads it) is refused, pointing to secret-file", err)
    rc, err = check(good, 0o600)
    t.ok(rc == 0, "the same file with mode 0600 is accepted", err)
    rc, err = check(head() + 'client a {\n  address "127.0.0.1" { }\n}\n', 0o644)
    t.ok(rc == 0, "a world-readable config without a secret is accepted", err)

    # sshd preflight: sshd -t problems are reported by -t and at start
    with open(env.sshd_config + ".bad", "w") as f:
        f.write("HostKey /nonexistent/host_key\nNoSuchOption yes\n")
    rc, err = check(head().replace(env.sshd_config, env.sshd_config + ".bad") +
                    'client a {\n  address "127.0.0.1" { }\n}\n')
    t.ok(rc != 0 and "NoSuchOption" in err, "-t runs sshd -t and relays what it says", err)

    # a missing /run/sshd is named (in a private mount namespace, so the host is untouched)
    check(head() + 'client a {\n  address "127.0.0.1" { }\n}\n')
    unshare = subprocess.run(["unshare", "-m", "sh", "-c",
                              "mount -t tmpfs none /run && %s -t -f %s" % (DIALER, env.conf)],
                             capture_output=True, text=True, timeout=scaled(30))
    if "unshare failed" in unshare.stderr or "Operation not permitted" in unshare.stderr:
        t.skip("missing /run/sshd is named", "cannot make a mount namespace here")
    else:
        t.ok(unshare.returncode != 0 and "/run/sshd" in unshare.stderr,
             "a missing privilege separation folder (/run/sshd) is named", unshare.stderr)
finally:
    env.cleanup()
t.done()
