"""A throwaway device set up the way doc/authentication.md tells an operator to.

AuthEnv renders the installed config/sshd_config.in with its paths pointed
into a temporary folder, makes a user CA and a host CA with
contrib/nchome-pki, signs the host key, and offers ways to run the NMS side
with OpenSSH's `ssh` through `sshd -i` (ProxyCommand, no network) and tell
whether the session reached NETCONF (the server's <hello> arrived).
Its Subsystem line runs a PrivatePrefix's copy of nchome-netconf
(env.prefix), so sessions of other accounts work wherever the clone is.
"""
import grp
import os
import shutil
import subprocess
import tempfile

from doc_commands import run as run_doc
from nchome_test import SSHD, TOP, ensure_sshd_runtime, keygen, scaled
from private_prefix import PrivatePrefix

PKI = os.path.join(TOP, "contrib", "nchome-pki")
SSHD_CONFIG_IN = os.path.join(TOP, "config", "sshd_config.in")
CLIENT_HELLO = (b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
                b'<capability>urn:ietf:params:netconf:base:1.0</capability>'
                b'</capabilities></hello>]]>]]>')
CLOSE = (b'<?xml version="1.0" encoding="UTF-8"?>'
         b'<rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
         b'<close-session/></rpc>]]>]]>')
DEVICE = "device-1"
# sshd_config.in's opt-in for root as a recovery account.
ROOT_OPT_IN = "PermitRootLogin prohibit-password\nAllowGroups root\n"


def render_sshd_config(sysconfdir, libexecdir, ssh_dir, group=None, prepend=""):
    """config/sshd_config.in with its placeholders substituted, as `make install` would.

    /etc/ssh/ (the host key and certificate) becomes ssh_dir; group replaces
    the NETCONF group name in AllowGroups; prepend goes first (sshd keeps the first
    value it reads, so these override the file's).
    """
    with open(SSHD_CONFIG_IN) as f:
        text = f.read()
    text = (text.replace("@sysconfdir@", sysconfdir).replace("@libexecdir@", libexecdir)
            .replace("/etc/ssh/", ssh_dir.rstrip("/") + "/"))
    if group:
        text = text.replace("AllowGroups nchome-netconf", "AllowGroups " + group)
    return prepend + text


def pki(ca_dir, *args, check=True):
    return subprocess.run([PKI, "-d", ca_dir] + list(args), check=check,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class AuthEnv:
    """Device side: sysconfdir layout, CAs, host cert; NMS side: known_hosts, keys.

    install_only: the device has only what `make install` leaves (empty
    principals/ and authorized_keys/, an empty revoked_keys, nchome.conf
    0640 and the datastore folder 2770, both group nchome, which must
    exist): no user CA, for tests that follow the doc's set-up steps.
    root_login: root may log in, the recovery account the shipped sshd_config
    documents as an opt-in (its two lines, prepended: sshd keeps the first
    PermitRootLogin and adds up AllowGroups); False: the file as shipped.
    """

    def __init__(self, group=None, install_only=False, root_login=True):
        ensure_sshd_runtime()
        self.prefix = PrivatePrefix()
        self.dir = tempfile.mkdtemp(prefix="nchome-auth-")
        # Readable by the throwaway password user, whose nchome-netconf
        # reads nchome.conf; the CA keys sit in a 0700 folder below.
        os.chmod(self.dir, 0o755)
        self.sysconfdir = os.path.join(self.dir, "etc")
        self.etc = os.path.join(self.sysconfdir, "nchome")
        self.ssh_dir = os.path.join(self.dir, "ssh")
        self.ca_dir = os.path.join(self.dir, "ca")
        self.nms_dir = os.path.join(self.dir, "nms")
        for d in (self.etc, os.path.join(self.etc, "principals"),
                  os.path.join(self.etc, "authorized_keys"), self.ssh_dir, self.nms_dir):
            os.makedirs(d, mode=0o755, exist_ok=True)
        self.datastore_dir = os.path.join(self.dir, "datastore")
        os.makedirs(self.datastore_dir, mode=0o777)
        os.chmod(self.datastore_dir, 0o1777)
        if not install_only:
            pki(self.ca_dir, "init-ca", "user")
            shutil.copy(os.path.join(self.ca_dir, "user_ca.pub"), os.path.join(self.etc, "user_ca.pub"))
        pki(self.ca_dir, "init-ca", "host")
        self.host_key = keygen(os.path.join(self.ssh_dir, "ssh_host_ed25519_key"), "ed25519", "host")
        pki(self.ca_dir, "sign-host", "-n", DEVICE, self.host_key + ".pub")
        self.host_cert = self.host_key + "-cert.pub"
        self.krl = os.path.join(self.etc, "revoked_keys")
        if install_only:
            open(self.krl, "w").close()
            os.chmod(self.krl, 0o644)
        else:
            pki(self.ca_dir, "empty-krl", "-k", self.krl)
        self.conf = os.path.join(self.etc, "nchome.conf")
        with open(self.conf, "w") as f:
            f.write('sshd = "%s"\nsshd-config = "%s/sshd_config"\nhost-key = "%s.pub"\n'
                    'netconf {\n  datastore-dir = "%s"\n}\n'
                    % (SSHD, self.etc, self.host_key, self.datastore_dir))
        os.chmod(self.conf, 0o644)
        if install_only:
            gid = grp.getgrnam("nchome").gr_gid
            os.chown(self.conf, 0, gid)
            os.chmod(self.conf, 0o640)
            os.chown(self.datastore_dir, 0, gid)
            os.chmod(self.datastore_dir, 0o2770)
        self.sshd_config = os.path.join(self.etc, "sshd_config")
        # StrictModes would refuse key files below /tmp (world-writable).
        with open(self.sshd_config, "w") as f:
            f.write(render_sshd_config(self.sysconfdir, self.prefix.libexecdir, self.ssh_dir,
                                       group, "# test override: files live below /tmp\nStrictModes no\n"
                                       + (ROOT_OPT_IN if root_login else "") + "\n"))
        self.known_hosts = os.path.join(self.nms_dir, "known_hosts")
        with open(self.known_hosts, "w") as f:
            f.write(pki(self.ca_dir, "known-hosts", DEVICE).stdout)
        self.logs = 0

    # --- device-side files -------------------------------------------------
    def principals(self, user, *names):
        pki(self.ca_dir, "principals", "-o", os.path.join(self.etc, "principals", user), *names)

    def authorize_key(self, user, pub):
        with open(os.path.join(self.etc, "authorized_keys", user), "a") as f:
            with open(pub) as k:
                f.write(k.read())

    def revoke(self, *files):
        pki(self.ca_dir, "revoke", "-k", self.krl, *files)

    # --- NMS-side keys -----------------------------------------------------
    def user_key(self, name):
        return keygen(os.path.join(self.nms_dir, name), "ed25519", name)

    def sign_user(self, key, principals, validity=None, ca_dir=None):
        args = ["sign-user", "-n", principals]
        if validity:
            args += ["-V", validity]
        pki(ca_dir or self.ca_dir, *(args + [key + ".pub"]))
        return key + "-cert.pub"

    # --- running the NMS side ---------------------------------------------
    def ssh_args(self, log, key=None, cert=None, password=False, verbose=False,
                 fdpass_proxy=None, known_hosts=None):
        """`ssh` through `sshd -i -f sshd_config -E log`, trusting only the host CA.

        fdpass_proxy: a ProxyCommand that passes a connected socket instead
        (ProxyUseFdpass); known_hosts: another known_hosts file.
        """
        if fdpass_proxy:
            proxy = ["-o", "ProxyUseFdpass=yes", "-o", "ProxyCommand=" + fdpass_proxy]
        else:
            proxy = ["-o", "ProxyCommand=%s -i -f %s -E %s" % (SSHD, self.sshd_config, log)]
        args = ["ssh", "-F", "/dev/null"] + proxy + [
                "-o", "UserKnownHostsFile=" + (known_hosts or self.known_hosts),
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "IdentityAgent=none",
                "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10",
                "-o", "NumberOfPasswordPrompts=1"]
        if key:
            args += ["-i", key]
        else:
            args += ["-o", "PubkeyAuthentication=no"]
        if cert:
            args += ["-o", "CertificateFile=" + cert]
        if password:
            args += ["-o", "BatchMode=no"]
        else:
            args += ["-o", "BatchMode=yes", "-o", "PasswordAuthentication=no"]
        args += ["-v"] if verbose else ["-o", "LogLevel=ERROR"]
        return args

    def netconf(self, user, key=None, cert=None, password=None, verbose=False, command=None,
                fdpass_proxy=None, known_hosts=None, log=None):
        """Runs `ssh -s USER@device netconf` (or COMMAND); returns a Result.

        log: the sshd log to report (default: the one this call's sshd writes).
        """
        self.logs += 1
        log = log or os.path.join(self.dir, "sshd-%d.log" % self.logs)
        args = self.ssh_args(log, key, cert, password is not None, verbose, fdpass_proxy, known_hosts)
        env = dict(os.environ)
        if password is not None:
            askpass = os.path.join(self.nms_dir, "askpass-%d" % self.logs)
            with open(askpass, "w") as f:
                f.write("#!/bin/sh\nprintf '%%s\\n' '%s'\n" % password.replace("'", "'\\''"))
            os.chmod(askpass, 0o700)
            env.update(SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE="force", DISPLAY=":0")
        if command is None:
            args += ["-s", "%s@%s" % (user, DEVICE), "netconf"]
            data = CLIENT_HELLO + CLOSE
        else:
            args += ["%s@%s" % (user, DEVICE), command]
            data = b""
        try:
            p = subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, timeout=scaled(30), start_new_session=True)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = None, e.stdout or b"", (e.stderr or b"") + b"\n(timed out)"
        sshd_log = ""
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                sshd_log = f.read()
        return Result(rc, out, err.decode(errors="replace"), sshd_log)

    def netconf_sends_hello(self):
        """Whether the built nchome-netconf answers with a <hello> (not a placeholder)."""
        try:
            p = subprocess.run([self.prefix.netconf, "-f", self.conf], input=CLIENT_HELLO + CLOSE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=scaled(10))
        except (OSError, subprocess.TimeoutExpired):
            return False
        return Result(p.returncode, p.stdout, "", "").hello

    # ---- a real `make install` (for the tests of the installed trust) ----

    def install_scratch(self, t):
        """`make install`, for real (no DESTDIR), into a scratch prefix below
        self.dir, checked as a test point of t; returns the prefix and the
        folders given to make (prefix, libexecdir, datadir, ...)."""
        inst = os.path.join(self.dir, "inst")
        os.makedirs(inst, mode=0o755)
        dirs = dict(prefix=inst, bindir=inst + "/bin", sbindir=inst + "/sbin", libexecdir=inst + "/libexec",
                    sysconfdir=self.sysconfdir, localstatedir=inst + "/var", mandir=inst + "/man",
                    datadir=inst + "/share")
        p = subprocess.run(["make", "-s", "-C", TOP, "install", "INIT=none"] +
                           ["%s=%s" % kv for kv in dirs.items()],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=scaled(300))
        t.ok(p.returncode == 0, "make install (no DESTDIR) into a scratch prefix", p.stdout)
        return inst, dirs

    def install_netconf(self, t, use=True):
        """install_scratch, then the installed nchome-netconf and datastore
        folder: (inst, dirs, netconf, ds); ends the test (t.done) when the
        install left no nchome-netconf.  With use: use_install with ds and
        no commit hooks."""
        inst, dirs = self.install_scratch(t)
        netconf = inst + "/libexec/nchome-netconf"
        ds = inst + "/var/lib/nchome"
        if not os.path.exists(netconf):
            t.done()
        if use:
            self.use_install(inst, dirs, ds, self.dir + "/none")
        return inst, dirs, netconf, ds

    def use_install(self, inst, dirs, ds, hooks):
        """nchome.conf: datastore-dir ds, commit-hooks hooks and the installed
        YANG folder (the binary's compiled-in one is configure's datadir, not
        this scratch prefix's: the named folder is searched first); the
        test's sshd_config: the installed rules, Subsystem at the installed
        program, StrictModes off (files live below /tmp)."""
        with open(self.conf) as f:
            conf = f.read().replace(self.datastore_dir, ds)
        conf = conf.replace("netconf {\n", 'netconf {\n  commit-hooks = "%s"\n  yang-dir = "%s"\n'
                            % (hooks, dirs["datadir"] + "/nchome/yang"))
        with open(self.conf, "w") as f:
            f.write(conf)
        with open(self.sshd_config, "w") as f:
            f.write(render_sshd_config(self.sysconfdir, inst + "/libexec", self.ssh_dir, None,
                                       "# test override: files live below /tmp\nStrictModes no\n\n"))

    def ssh_session(self, user, key, log, keep):
        """user's NETCONF session over ssh with key (an NcRaw past the hello,
        appended to keep before the hello, for the caller's clean-up); sshd
        logs to log."""
        from ncraw import NcRaw
        proc = subprocess.Popen(self.ssh_args(log, key) + ["-s", "%s@%s" % (user, DEVICE), "netconf"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        nc = NcRaw(proc)
        keep.append(nc)
        nc.hello()
        return nc

    def recovery_session(self, netconf, keep):
        """root's session straight to the installed program netconf (the
        recovery session; group nchome reads nchome.conf), as ssh_session."""
        from ncraw import NcRaw
        proc = subprocess.Popen(["setpriv", "--regid=%d" % grp.getgrnam("nchome").gr_gid,
                                 "--clear-groups", netconf, "-d", "-f", self.conf],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        nc = NcRaw(proc)
        keep.append(nc)
        nc.hello()
        return nc

    def group_account(self, t, user, group):
        """user made by the doc's account commands (a test point of t), in a
        Unix group group made here (for a NACM rule-list to name), with a
        key authorized for ssh_session; returns the key.  In a private
        account database only (doc_commands.private_account_db)."""
        r = run_doc("account", account=user)
        t.ok(r.returncode == 0, "the doc's account commands make %s" % user, r.output)
        subprocess.run(["groupadd", group], check=True)
        subprocess.run(["usermod", "-aG", group, user], check=True)
        key = self.user_key(user)
        self.authorize_key(user, key + ".pub")
        return key

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        self.prefix.cleanup()


class Result:
    def __init__(self, rc, out, err, sshd_log):
        self.rc, self.out, self.err, self.sshd_log = rc, out, err, sshd_log

    @property
    def hello(self):
        """True when the NETCONF server's <hello> came back: the session reached NETCONF."""
        return b"<hello" in self.out and b"urn:ietf:params:netconf:base:1." in self.out

    def accepted(self, method):
        return ("Accepted %s for" % method) in self.sshd_log

    def detail(self):
        return "ssh exit %r\nstdout: %r\nssh stderr:\n%s\nsshd log:\n%s" % (
            self.rc, self.out[:300], self.err[-1500:], self.sshd_log[-2500:])
