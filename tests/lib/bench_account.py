"""Benchmark sessions as an ordinary account (BENCH_ACCOUNT), with NACM.

The shipped sshd_config refuses root (AllowGroups nchome-netconf,
PermitRootLogin no), so every real NMS session is an ordinary account's,
with NACM enforced: its Unix groups are its NACM groups, and NACM's
module names come from the YANG files.  BENCH_ACCOUNT=NAME runs the
reading sessions of bench_cold.py and bench_keyed.py as that account
(setpriv: real and effective uid and gid, supplementary groups from
initgroups, as sshd gives them), with running holding a nacm container
of group rules: the account's primary group may read the benchmark
list, and a deny rule elsewhere (module ietf-system).  The writers
(loads, edits) stay root, the recovery session.

NAME may be an existing account (nobody); otherwise the bench runs again
in a private account database (doc_commands.private_account_db: /etc a
copy in a mount namespace of its own) and makes NAME there with useradd,
so the host's accounts are never touched and the account goes with the
copy.

    from bench_account import BenchAccount
    acct = BenchAccount.from_env()      # None when BENCH_ACCOUNT is unset
    acct.share(env)                     # env.dir, its datastore-dir, nchome.conf usable by the account
    argv = acct.argv(prog, conf)        # prog -f conf as the account
    acct.nacm                           # the nacm container (XML) to load into running
    acct.suffix                         # ".nonroot": appended to the figures' names
"""
import grp
import os
import pwd
import shutil
import subprocess

from doc_commands import private_account_db

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
BENCH_NS = "urn:example:bench"


class BenchAccount:
    suffix = ".nonroot"

    def __init__(self, name):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            why = private_account_db()	# does not return outside: reruns the bench
            if why:
                raise RuntimeError("BENCH_ACCOUNT=%s: no such account, and no private account database "
                                   "to make it in: %s" % (name, why))
            subprocess.run(["useradd", "--system", "-M", "-U", "-s", "/usr/sbin/nologin", name], check=True)
            pw = pwd.getpwnam(name)
        self.name, self.uid, self.gid = name, pw.pw_uid, pw.pw_gid
        self.group = grp.getgrgid(pw.pw_gid).gr_name
        self.setpriv = shutil.which("setpriv")
        if self.setpriv is None:
            raise RuntimeError("BENCH_ACCOUNT needs setpriv (util-linux)")
        self.nacm = ('<nacm xmlns="%s"><rule-list><name>bench-readers</name><group>%s</group>'
                     '<rule><name>read-bench</name><path xmlns:b="%s">/b:top</path>'
                     '<access-operations>read</access-operations><action>permit</action></rule>'
                     '<rule><name>no-system</name><module-name>ietf-system</module-name>'
                     '<access-operations>*</access-operations><action>deny</action></rule>'
                     '</rule-list></nacm>' % (NACM_NS, self.group, BENCH_NS))

    @classmethod
    def from_env(cls):
        name = os.environ.get("BENCH_ACCOUNT", "")
        return cls(name) if name else None

    def argv(self, prog, conf):
        """prog -f conf as the account (as sshd starts a subsystem: its groups from initgroups)."""
        return [self.setpriv, "--reuid=%d" % self.uid, "--regid=%d" % self.gid, "--init-groups",
                prog, "-f", conf]

    def share(self, env):
        """env's folder passable, its datastore-dir shared (files made there
        get its mode: 0666), nchome.conf readable."""
        os.chmod(env.dir, 0o711)
        os.chmod(env.datastore_dir, 0o777)
        os.chmod(env.conf, 0o644)

    def check_prog(self, prog):
        """Stops the bench when the account cannot reach prog (a tree under /root, 0700)."""
        if subprocess.run(self.argv("/usr/bin/test", "")[:-2] + ["-x", prog], stdin=subprocess.DEVNULL).returncode:
            raise RuntimeError("%s cannot run %s: build in a folder every account can reach" % (self.name, prog))
