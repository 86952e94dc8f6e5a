#!/usr/bin/python3
"""Authentication through the installed sshd_config (config/sshd_config.in).

Device side: the real sshd run as `sshd -i` with the rendered config, CAs
and certificates made by contrib/nchome-pki.  NMS side: OpenSSH's `ssh`,
the strictest verifier, trusting the device only through the host CA
(@cert-authority).  "Reaches NETCONF" means nchome-netconf's <hello>
came back over `ssh -s netconf`.

The local account is made with doc/authentication.md's own commands (its
`account` block, then its `password` block fed the password at the
prompts), in a private account database (doc_commands), and its sessions
run a copy of nchome-netconf in a private prefix every account can reach
(private_prefix), so the test passes from a clone in any folder.
"""
import grp
import os
import pwd
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import DOC_ACCOUNT, install_group, private_account_db, run as run_doc  # noqa: E402
no_accounts = private_account_db()	# first: it may run this file again in a namespace
from nchome_test import SSHD, TAP  # noqa: E402
from nchome_auth import DEVICE, AuthEnv, pki  # noqa: E402

t = TAP()
puser = DOC_ACCOUNT
password = "Call-home:%d!" % os.getpid()
env = AuthEnv()


def accepted(r, method, desc):
    t.ok(r.accepted(method), desc + ": sshd accepts it (%s)" % method, r.detail())
    t.ok(r.hello, desc + ": the session reaches NETCONF", r.detail())


def refused(r, desc, why=None):
    ok = (r.rc == 255 and not r.hello and "Accepted " not in r.sshd_log)
    if ok and why:
        ok = re.search(why, r.sshd_log + r.err) is not None
    t.ok(ok, desc + ": refused, never reaches NETCONF", r.detail())


try:
    p = subprocess.run([SSHD, "-t", "-f", env.sshd_config], stderr=subprocess.PIPE, text=True)
    t.ok(p.returncode == 0, "sshd -t accepts the rendered config/sshd_config.in", p.stderr)
    with open(env.sshd_config) as f:
        subsystem = [l for l in f if l.startswith("Subsystem netconf ")]
    t.ok(subsystem and subsystem[0].split()[2] == env.prefix.netconf and not env.prefix.unreachable(),
         "the Subsystem runs the private prefix's nchome-netconf, which every account can reach",
         "%r %r" % (subsystem, env.prefix.unreachable()))
    t.ok(env.netconf_sends_hello(), "nchome-netconf answers with a <hello> over pipes")

    # root's credentials: a certificate principal and a plain key.
    env.principals("root", "nms-operator", "nms-backup")
    certkey = env.user_key("certkey")
    cert = env.sign_user(certkey, "nms-operator")
    r = env.netconf("root", certkey, cert)
    accepted(r, "publickey", "user certificate with a listed principal")
    t.ok("ED25519-CERT" in r.sshd_log and "CA ED25519" in r.sshd_log,
         "the sshd log names the certificate and its CA", r.detail())

    plain = env.user_key("plain")
    env.authorize_key("root", plain + ".pub")
    r = env.netconf("root", plain)
    accepted(r, "publickey", "plain authorized key")

    # Refused certificates.
    pki(env.dir + "/other-ca", "init-ca", "user")
    k = env.user_key("otherca")
    c = env.sign_user(k, "nms-operator", ca_dir=env.dir + "/other-ca")
    refused(env.netconf("root", k, c), "certificate signed by another CA")

    k = env.user_key("unlisted")
    c = env.sign_user(k, "intruder")
    refused(env.netconf("root", k, c), "certificate whose principal is not listed")

    k = env.user_key("expired")
    c = env.sign_user(k, "nms-operator", "20200101:20200102")
    refused(env.netconf("root", k, c), "expired certificate", r"expired|not yet valid|invalid")

    k = env.user_key("future")
    c = env.sign_user(k, "nms-operator", "+1d:+2d")
    refused(env.netconf("root", k, c), "not-yet-valid certificate", r"not yet valid|invalid")

    # Revocation: a plain key listed in RevokedKeys, and a certificate whose key is.
    k = env.user_key("revoked")
    env.authorize_key("root", k + ".pub")
    r = env.netconf("root", k)
    t.ok(r.accepted("publickey"), "the key to be revoked works before", r.detail())
    env.revoke(k + ".pub")
    refused(env.netconf("root", k), "authorized key listed in RevokedKeys", r"revoked|REVOKED")
    k = env.user_key("revokedcert")
    c = env.sign_user(k, "nms-operator")
    env.revoke(k + ".pub")
    refused(env.netconf("root", k, c), "certificate whose key is in RevokedKeys", r"revoked|REVOKED")
    r = env.netconf("root", certkey, cert)
    t.ok(r.accepted("publickey"), "revoking other keys leaves a good certificate working", r.detail())

    # The NMS side refuses a device whose host certificate the NMS's host CA did not sign.
    good = open(env.host_cert, "rb").read()
    pki(env.dir + "/rogue-ca", "init-ca", "host")
    pki(env.dir + "/rogue-ca", "sign-host", "-n", DEVICE, env.host_key + ".pub")
    r = env.netconf("root", certkey, cert)
    refused(r, "host certificate from a CA the NMS does not trust (NMS refuses)",
            r"Host key verification failed")
    with open(env.host_cert, "wb") as f:
        f.write(good)
    pki(env.ca_dir, "sign-host", "-n", "some-other-device", env.host_key + ".pub")
    r = env.netconf("root", certkey, cert)
    refused(r, "host certificate for another device name (NMS refuses)",
            r"Host key verification failed|not in principal|principal")
    with open(env.host_cert, "wb") as f:
        f.write(good)

    # A local account made as the doc makes it (NETCONF-only group), first
    # with keys only, then with a password.
    if no_accounts:
        for d in ("the doc's account", "certificate login", "password accepted",
                  "wrong password refused", "order", "NETCONF-only"):
            t.skip(d, "needs a private account database: " + no_accounts)
    else:
        install_group()
        r = run_doc("account")
        t.ok(r.returncode == 0, "doc/authentication.md's account block makes %s" % puser, r.output)
        # Keys only: the doc's account has no password yet.  Its own
        # principal, so that root's certificate stays refused below.
        env.principals(puser, "nms-netconf")
        k = env.user_key("netconfkey")
        c = env.sign_user(k, "nms-netconf")
        accepted(env.netconf(puser, k, c), "publickey", "the doc's account, no password: certificate")
        r = run_doc("password", env={"sysconfdir": env.sysconfdir}, input="%s\n%s\n" % (password, password))
        t.ok(r.returncode == 0, "doc/authentication.md's password block sets the password", r.output)
        # Same device as root's sessions above: the datastore folder
        # (1777) is shared by the sessions of both accounts.
        r = env.netconf(puser, password=password)
        accepted(r, "password", "password of a local account")
        refused(env.netconf(puser, password=password + "x"), "wrong password", r"Failed password")

        # Order: with a certificate, a key and a password at hand, the
        # OpenSSH client offers them in that order, and sshd offers
        # publickey and password to continue.  The certificate's
        # principal and the key are not authorized for this user, so the
        # password is what gets in.
        r = env.netconf(puser, certkey, cert, password=password, verbose=True)
        accepted(r, "password", "certificate and key refused, then password")
        err = r.err
        i_cert = err.find("Offering public key: %s-cert.pub ED25519-CERT" % certkey)
        i_key = err.find("Offering public key: %s ED25519 " % certkey)
        i_pass = err.find("Next authentication method: password")
        t.ok(0 <= i_cert < i_key < i_pass, "ssh offers certificate, then key, then password",
             "cert@%d key@%d password@%d\n%s" % (i_cert, i_key, i_pass, err))
        t.ok("Authentications that can continue: publickey,password" in err,
             "sshd offers exactly publickey and password (the methods turned on)", err)
        log = r.sshd_log
        j_cert = log.find("Failed publickey for %s" % puser)
        j_key = log.find("Failed publickey for %s" % puser, j_cert + 1)
        j_pass = log.find("Accepted password for %s" % puser)
        t.ok(0 <= j_cert < j_key < j_pass and "ED25519-CERT" in log[j_cert:j_key],
             "sshd log: certificate failed, then key failed, then password accepted", log)

        # NETCONF-only group: no shell, no command.
        r = env.netconf(puser, password=password, command="id")
        t.ok(r.rc != 0 and b"uid=" not in r.out and "NETCONF only" in r.err,
             "a NETCONF-only account gets no command or shell", r.detail())
        r = env.netconf(puser, password=password, command="", verbose=True)
        t.ok(r.rc != 0 and "Sending command" not in r.err and "Sending subsystem" not in r.err
             and "NETCONF only" in r.err, "a NETCONF-only account gets no login shell", r.detail())
        pw = pwd.getpwnam(puser)
        t.ok(pw.pw_gid != 0 and pw.pw_shell == "/bin/sh" and puser in grp.getgrnam("nchome").gr_mem
             and grp.getgrnam("nchome-netconf").gr_mem == [puser],
             "the account is in nchome and nchome-netconf, with /bin/sh")
finally:
    env.cleanup()
t.done()
