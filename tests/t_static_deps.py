#!/usr/bin/python3
"""./configure --enable-static-deps (README, Building): nchome-netconf links
libxml2 (with ICU, libstdc++, zlib, liblzma) and libconfuse from their
archives, libyang and libc stay shared.

configure runs in a scratch folder (it writes only Makefile and config.h
there); nchome-netconf is linked there from this tree's objects with the
NETCONF_LIBS configure chose, and must then load none of those libraries
and still serve a session over pipes: hello, and a get-config and an
edit-config that libxml2 parses.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP, NETCONF, SshEnv, scaled  # noqa: E402

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
STATIC = ("libxml2.", "libicu", "libstdc++.", "libconfuse.", "liblzma.", "libz.")

t = TAP()


def make_vars(path):
    """NAME = value lines of a Makefile written by configure."""
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^([A-Z_]+)\s*=\s*(.*)$", line.rstrip("\n"))
            if m:
                out[m.group(1)] = m.group(2).strip()
    return out


def needed(binary):
    out = subprocess.run(["readelf", "-d", binary], stdout=subprocess.PIPE, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def session(binary, env, requests):
    p = subprocess.Popen([binary, "-f", env.conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=dict(os.environ, NCHOME_YANG_DIR=os.path.join(TOP, "yang")))
    try:
        out, err = p.communicate(requests, timeout=scaled(30))
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")


tmp = tempfile.mkdtemp(prefix="t_static_deps-")
env = SshEnv("t_static_deps")
try:
    top_vars = make_vars(os.path.join(TOP, "Makefile"))
    for f in ("configure", "Makefile.in", "VERSION"):
        if os.path.exists(os.path.join(TOP, f)):
            shutil.copy(os.path.join(TOP, f), tmp)
    args = ["./configure", "--enable-static-deps"]
    if top_vars.get("SANITIZERS") == "yes":
        args.append("--enable-sanitizers")	# the objects below are built with them
    r = subprocess.run(args, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t.ok(r.returncode == 0 and "static-deps=yes" in r.stdout, "./configure --enable-static-deps succeeds",
         r.stdout)
    v = make_vars(os.path.join(tmp, "Makefile")) if r.returncode == 0 else {}
    libs = v.get("NETCONF_LIBS", "")
    t.ok(re.search(r"-Wl,-Bstatic\b.*-lxml2\b.*-Wl,-Bdynamic", libs) is not None and "-lconfuse" in libs,
         "NETCONF_LIBS links libxml2 and libconfuse from their archives", libs)
    t.eq(v.get("LIBS"), top_vars.get("LIBS"), "the dialer's and unit tests' libraries stay as without the option")

    binary = os.path.join(tmp, "nchome-netconf")
    link = [top_vars.get("CC", "cc")] + (top_vars.get("LDFLAGS", "") + " " + top_vars.get("SAN_FLAGS", "")).split() + [
        "-o", binary, os.path.join(TOP, "subsystem", "main.o"), os.path.join(TOP, "subsystem", "libsubsys.a"),
        os.path.join(TOP, "common", "libnchome.a")] + libs.split() + v.get("YANG_LIBS", "").split()
    r = subprocess.run(link, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t.ok(r.returncode == 0, "nchome-netconf links with them", " ".join(link) + "\n" + r.stdout)

    shared = needed(NETCONF)
    t.ok(any(n.startswith("libxml2.") for n in shared), "(the build's own nchome-netconf loads libxml2.so)",
         shared)
    # the shared link: where libxml2 brings libstdc++ (ICU), libstdc++ comes first in the
    # loader's search order (configure; doc/callhome-timing.md)
    ldd = subprocess.run(["ldd", NETCONF], stdout=subprocess.PIPE, text=True).stdout
    if "libstdc++." in ldd and any(n.startswith("libxml2.") for n in shared):
        plain = tempfile.mkdtemp(prefix="t_static_deps-shared-", dir=tmp)
        for f in ("configure", "Makefile.in", "VERSION"):
            if os.path.exists(os.path.join(TOP, f)):
                shutil.copy(os.path.join(TOP, f), plain)
        r = subprocess.run(["./configure"], cwd=plain, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        pv = make_vars(os.path.join(plain, "Makefile")) if r.returncode == 0 else {}
        words = pv.get("NETCONF_LIBS", "").split()
        t.ok("-lstdc++" in words and "-lxml2" in words and words.index("-lstdc++") < words.index("-lxml2"),
             "the default NETCONF_LIBS names libstdc++ before libxml2", r.stdout[-500:] + " ".join(words))
        t.eq(pv.get("NETCONF_SHARED_LIBS"), pv.get("NETCONF_LIBS"), "make bench's netconf-shared links the same way")
        own = [n for n in shared if n.startswith(("libstdc++.", "libxml2."))]
        t.ok(len(own) == 2 and own[0].startswith("libstdc++."),
             "the build's own nchome-netconf needs libstdc++ before libxml2", shared)
    else:
        t.ok(True, "(libxml2 brings no libstdc++ here: no order to check)")
    got = needed(binary) if r.returncode == 0 else []
    t.ok(got and not [n for n in got if n.startswith(STATIC)],
         "the static-deps nchome-netconf loads none of libxml2, ICU, libstdc++, libconfuse, zlib, liblzma", got)
    t.ok(any(n.startswith("libyang.") for n in got), "libyang stays shared", got)

    hello = ('<hello xmlns="%s"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability>'
             '</capabilities></hello>]]>]]>' % NS)
    edit = ('<rpc xmlns="%s" message-id="1"><edit-config><target><running/></target><config>'
            '<system xmlns="urn:ietf:params:xml:ns:yang:ietf-system"><hostname>static-deps</hostname></system>'
            '</config></edit-config></rpc>]]>]]>' % NS)
    get = ('<rpc xmlns="%s" message-id="2"><get-config><source><running/></source></get-config></rpc>]]>]]>'
           % NS)
    rc, out, err = session(binary, env, (hello + edit + get).encode()) if got else (None, "", "")
    t.ok("<hello" in out and "<session-id>" in out, "it sends its hello over pipes", out[:300] + err[-500:])
    t.ok('message-id="1"' in out and "<ok/>" in out, "it parses an edit-config (libxml2) and applies it",
         out[-800:] + err[-500:])
    t.ok("<hostname>static-deps</hostname>" in out, "get-config returns the edit", out[-800:])
finally:
    env.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
t.done()
