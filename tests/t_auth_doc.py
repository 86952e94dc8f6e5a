#!/usr/bin/python3
"""doc/authentication.md's set-up, run as written, works.

The doc's command blocks (```sh test=NAME, see tests/lib/doc_commands.py)
run with /bin/sh -e in the doc's order: the account (section 0), the CAs
and the certificate on the operator's machine, the user CA and principals
on the device (1), the plain key (2), the password (3).  The device is
what `make install` leaves (AuthEnv install_only: nchome.conf 0640 and the
datastore 2770, group nchome); $sysconfdir, root's and the operator's
homes and the current folders are scratch folders, the account database a
private copy.  After each step the NMS (OpenSSH's ssh through `sshd -i`)
logs in the way that step enables and reaches NETCONF.

Also: every marked block is one this test runs; the doc's commands name
nchome's files through $sysconfdir only; the doc's sysconfdir for the
README's install line is the --sysconfdir of that line.
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import DOC, DOC_ACCOUNT, all_blocks, install_group, private_account_db  # noqa: E402
from doc_commands import run as run_doc  # noqa: E402
no_accounts = private_account_db()	# first: it may run this file again in a namespace
from nchome_test import TAP, TOP, keygen  # noqa: E402
from nchome_auth import AuthEnv  # noqa: E402

STEPS = ["account", "operator", "device-ca", "plain-key", "password"]
t = TAP()

with open(DOC) as f:
    doc = f.read()
names = [n for n, _ in all_blocks()]
t.eq(sorted(set(names)), sorted(STEPS), "the doc's marked blocks are exactly the steps this test runs")
t.eq([n for i, n in enumerate(names) if n not in names[:i]], STEPS, "...in the doc's order")

# Every command in the doc (fenced or indented blocks) names nchome's
# configuration as $sysconfdir/nchome/..., never a fixed folder.
code = "\n".join(re.findall(r"^```[^\n]*\n(.*?)^```", doc, re.M | re.S) +
                 re.findall(r"^(?: {4}|\t)(.*)$", doc, re.M))
code = re.sub(r"(^|\s)#.*", "", code)		# comments may say what the values are
fixed = sorted(set(re.findall(r"\S*(?:/usr/local/etc|/etc/nchome)\S*", code)))
t.eq(fixed, [], "the doc's commands name nchome's files through $sysconfdir, no fixed folder")
with open(os.path.join(TOP, "README.md")) as f:
    readme = f.read()
install_line = re.search(r"^ +\./configure [^\n]*--sysconfdir=(\S+)", readme, re.M)
doc_value = re.search(r"^sysconfdir=(\S+)\s+#[^\n]*README", doc, re.M)
t.ok(install_line and doc_value and install_line.group(1) == doc_value.group(1),
     "the doc's sysconfdir for the README's install line is that line's --sysconfdir",
     "README: %r, doc: %r" % (install_line and install_line.group(0), doc_value and doc_value.group(0)))

if no_accounts:
    for s in STEPS:
        t.skip("the doc's %s step" % s, "needs a private account database: " + no_accounts)
    t.done()

user = DOC_ACCOUNT
password = "Doc-step-3:%d" % os.getpid()
install_group()
env = AuthEnv(install_only=True)
try:
    op_home = os.path.join(env.dir, "operator")
    dev_home = os.path.join(env.dir, "device-root")
    # The device's commands run from a folder of their own: they may rely
    # on $sysconfdir and ~ (where the doc copies files to), not on the
    # folder the reader happens to be in.
    dev_cwd = os.path.join(env.dir, "device-cwd")
    for d in (op_home, dev_home, dev_cwd):
        os.makedirs(d, mode=0o700)
    os.environ.pop("NCHOME_PKI_DIR", None)
    path = os.path.join(TOP, "contrib") + ":" + os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    device = {"HOME": dev_home, "sysconfdir": env.sysconfdir, "PATH": path}
    operator = {"HOME": op_home, "PATH": path}

    def step(name, env_, cwd, input=None):
        r = run_doc(name, env=env_, cwd=cwd, input=input)
        return t.ok(r.returncode == 0, "the doc's %s block runs" % name, r.output)

    def reaches(r, method, desc, cert=None):
        ok = r.accepted(method) and r.hello
        if ok and cert is not None:
            accepted = [l for l in r.sshd_log.splitlines() if "Accepted %s for %s" % (method, user) in l]
            ok = accepted and (("ED25519-CERT" in accepted[0]) == cert)
        t.ok(ok, desc, r.detail())

    # 0. The account: it exists, but nothing lets it in yet.
    step("account", device, dev_cwd)
    nms_key = keygen(os.path.join(env.nms_dir, "nms_key"), "ed25519", "nms")
    r = env.netconf(user, nms_key)
    t.ok(not r.accepted("publickey") and "account is locked" not in r.sshd_log,
         "after section 0: the account is not locked, but no key is authorized yet", r.detail())

    # 1. Certificates: CAs and the certificate on the operator's machine ...
    shutil.copy(nms_key + ".pub", op_home)		# the NMS's public key, given to the operator
    step("operator", operator, op_home)
    cert = os.path.join(op_home, "nms_key-cert.pub")
    t.ok(os.path.exists(os.path.join(op_home, "nchome-ca", "user_ca")) and os.path.exists(cert),
         "the operator's machine has the CAs in $HOME/nchome-ca and nms_key-cert.pub", os.listdir(op_home))
    if os.path.exists(cert):
        shutil.copy(cert, env.nms_dir)			# back to the NMS, beside nms_key
    # ... the user CA's public key copied to root's home on the device (scp).
    ca_pub = os.path.join(op_home, "nchome-ca", "user_ca.pub")
    if os.path.exists(ca_pub):
        shutil.copy(ca_pub, dev_home)
    step("device-ca", device, dev_cwd)
    r = env.netconf(user, nms_key, nms_key + "-cert.pub")
    reaches(r, "publickey", "after section 1: %s logs in with the certificate and reaches NETCONF" % user,
            cert=True)

    # 2. A plain key: the same key, offered without its certificate.
    shutil.copy(nms_key + ".pub", dev_home)		# the NMS's public key, copied to the device
    step("plain-key", device, dev_cwd)
    plain_dir = os.path.join(env.nms_dir, "plain")
    os.makedirs(plain_dir)
    plain = os.path.join(plain_dir, "nms_key")
    shutil.copy(nms_key, plain)
    os.chmod(plain, 0o600)
    r = env.netconf(user, plain)
    reaches(r, "publickey", "after section 2: %s logs in with the plain key and reaches NETCONF" % user,
            cert=False)
    r = env.netconf(user, plain, command="id")
    t.ok(r.rc != 0 and b"uid=" not in r.out and "NETCONF only" in r.err,
         "the doc's account gets NETCONF only: a command is refused", r.detail())
    r = env.netconf(user, password=password)
    t.ok(not r.accepted("password"), "before section 3: no password logs in", r.detail())

    # 3. The password, typed twice at passwd's prompts.
    step("password", device, dev_cwd, input="%s\n%s\n" % (password, password))
    r = env.netconf(user, password=password)
    reaches(r, "password", "after section 3: %s logs in with the password and reaches NETCONF" % user)
finally:
    env.cleanup()
t.done()
