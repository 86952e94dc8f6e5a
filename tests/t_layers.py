#!/usr/bin/python3
"""The layers of nchome-netconf hold (README.md, "Layers").

subsystem/ is in folders, one layer each, top to bottom:

    main.c, server.c   the assembly
    session/
    ops/  observe/     siblings: never call each other
    store/
    host/
    tree/
    netconf/
    common/            (../common, shared with the dialer)

A file may call (and #include) only its own folder or a lower one; no two
folders call each other, directly or round a cycle.  Checked twice: from
the compiled objects (nm: every undefined symbol of an object that another
object of ours defines is a call or a use of that file) and from the
#include lines of the sources.  Another folder may include only a
folder's public header (<folder>/<folder>.h), never its private ones;
headers include no cycle.  Each violation is reported with its file and
symbol (or header).  Cycles between files of one folder are listed as TAP
comments; those not in ALLOWED_FILE_CYCLES fail.

Usage: tests/t_layers.py [TOP]   (TOP: the built tree, default this one)
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP  # noqa: E402

# Higher may use lower; equal rank in different folders may not (siblings).
RANK = {
    "": 8,          # subsystem/main.c, subsystem/server.c: the assembly
    "session": 7,
    "ops": 6,
    "observe": 6,
    "store": 5,
    "host": 4,
    "access": 3.5,  # NACM rules: read the trees, used by ops/ and observe/
    "tree": 3,
    "schema": 2.5,  # YANG (libyang): the edit engine and filters ask it
    "netconf": 2,
    "common": 1,
}

# File-level cycles inside a folder that are natural (see README.md);
# each as the sorted tuple of its files.
ALLOWED_FILE_CYCLES = {
    # the candidate overlay is part of the cache: refreshing loads an
    # overlay (candidate.c), replacing running pins it first; journal.c
    # replays into the cache and folds by rewriting the base (store.c),
    # and a settled edit writes the overlay's file (candidate.c)
    ("subsystem/store/candidate.c", "subsystem/store/journal.c",
     "subsystem/store/store.c"),
    # packing while parsing: packed.c's end-tag handler hands each leaf to
    # packed_grow.c, which builds the string with packed.c's allocator and
    # puts leaves back with its unpacker
    ("subsystem/tree/packed.c", "subsystem/tree/packed_grow.c"),
}

top = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sub = os.path.join(top, "subsystem")
t = TAP()


def folder_of(rel):
    """rel: path under top ("subsystem/store/x.c", "common/log.c") -> layer key."""
    parts = rel.split("/")
    if parts[0] == "common":
        return "common"
    if parts[0] == "subsystem":
        return parts[1] if len(parts) == 3 else ""
    return None


def name(folder):
    return folder + "/" if folder else "subsystem/ (top)"


def allowed(src, dst):
    if src == dst:
        return True
    return RANK[dst] < RANK[src]


def sources(exts):
    out = []
    for d in [os.path.join(top, "common"), sub] + \
            [os.path.join(sub, f) for f in sorted(os.listdir(sub))
             if os.path.isdir(os.path.join(sub, f))]:
        for f in sorted(os.listdir(d)):
            if f.endswith(exts):
                out.append(os.path.relpath(os.path.join(d, f), top))
    return out


def find_cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(tuple(sorted(comp)))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


# ---- symbols ----

objs = [s[:-2] + ".o" for s in sources((".c",))]
missing = [o for o in objs if not os.path.exists(os.path.join(top, o))]
if missing:
    t.ok(False, "objects built (missing: %s; run make)" % " ".join(missing[:5]))
    t.done()
    sys.exit(1)


def nm(obj, *flags):
    r = subprocess.run(["nm", *flags, os.path.join(top, obj)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("nm %s: %s" % (obj, r.stderr))
    return r.stdout.splitlines()


defined = {}
for o in objs:
    for line in nm(o, "--defined-only", "-g"):
        f = line.split()
        if len(f) >= 3 and f[1] in "TDBRCVWG" and not f[2].startswith("__"):
            defined.setdefault(f[2], o)
uses = []      # (user file, defining file, symbol)
for o in objs:
    for line in nm(o, "-u"):
        sym = line.split()[-1]
        d = defined.get(sym)
        if d is not None and d != o:
            uses.append((o[:-2] + ".c", d[:-2] + ".c", sym))
t.ok(len(uses) > 50, "the objects' symbols were read (%d uses between files)" % len(uses))

upward = [(u, d, s) for u, d, s in uses if not allowed(folder_of(u), folder_of(d))]
for u, d, s in upward:
    t.diag("%s calls %s (%s, in %s): %s may not use %s" % (
        u, s, d, name(folder_of(d)), name(folder_of(u)), name(folder_of(d))))
t.ok(not upward, "no file calls a higher layer or a sibling (nm): %d violations" % len(upward))



def no_folder_cycle(edges, how):
    """edges: (file, file) pairs; one TAP line."""
    graph = {}
    for x, y in edges:
        a, b = folder_of(x), folder_of(y)
        if a != b:
            graph.setdefault(a, set()).add(b)
    cycles = find_cycles(graph)
    for c in cycles:
        t.diag("folders that %s each other: %s" % (how, ", ".join(name(f) for f in c)))
    t.ok(not cycles, "no cycle between folders (%s)" % how)


no_folder_cycle([(u, d) for u, d, s in uses], "call")

file_graph = {}
for u, d, s in uses:
    if folder_of(u) == folder_of(d):
        file_graph.setdefault(u, set()).add(d)
file_cycles = find_cycles(file_graph)
for c in file_cycles:
    t.diag("files of one folder that call each other: %s%s" % (
        ", ".join(c), "" if c in ALLOWED_FILE_CYCLES else "  (not allowed)"))
bad = [c for c in file_cycles if c not in ALLOWED_FILE_CYCLES]
t.ok(not bad, "no file-level cycle inside a folder but the allowed ones (%d found)" %
     len(file_cycles))

# ---- includes ----

inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
inc_graph = {}
inc_bad = []
for f in sources((".c", ".h")):
    here = os.path.dirname(f)
    with open(os.path.join(top, f)) as fp:
        text = fp.read()
    for hdr in inc_re.findall(text):
        cands = [os.path.join(here, hdr), os.path.join("subsystem", hdr),
                 os.path.join("common", hdr)]
        target = next((c for c in cands if os.path.exists(os.path.join(top, c))), None)
        if target is None:
            if hdr != "config.h":
                inc_bad.append("%s includes %s, which is none of ours" % (f, hdr))
            continue
        target = os.path.normpath(target)
        inc_graph.setdefault(f, set()).add(target)
        a, b = folder_of(f), folder_of(target)
        if not allowed(a, b):
            inc_bad.append("%s includes %s: %s may not use %s" % (f, target, name(a), name(b)))
        elif a != b and b not in ("", "common") and \
                os.path.basename(target) != b + ".h":
            inc_bad.append("%s includes %s: only %s/%s.h is for other folders" % (
                f, target, b, b))
for m in inc_bad:
    t.diag(m)
t.ok(not inc_bad, "#include lines: only own folder, lower layers, their public headers "
     "(%d violations)" % len(inc_bad))

no_folder_cycle([(f, h) for f, hs in inc_graph.items() for h in hs], "include")

hdr_cycles = find_cycles(inc_graph)
for c in hdr_cycles:
    t.diag("include cycle: %s" % ", ".join(c))
t.ok(not hdr_cycles, "no include cycle")
t.done()
