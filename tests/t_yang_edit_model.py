#!/usr/bin/python3
"""edit-config against a Python model of RFC 6241 7.2 / RFC 7950 7.8.6
(issue 16), with tests/yang's modules loaded: random edits (merge,
create, replace, delete, remove, none, on list entries and on their
non-key leaves, default-operation merge, none or replace) of a keyed
list (nchome-test-toplist's interface), a composite-key list (its peer),
a leaf-list (nchome-test's mtu) and an ordered-by user list (its rule,
with yang:insert) go to nchome and to the model; after each, the reply's
ok or first error (error-tag: data-exists, data-missing, bad-attribute;
and error-path) and get-config must be the model's: entries in their
order, leaves of an entry in any.  Then another
session (the journal replayed) sees the same data, and an edit of a
config false list (nchome-test's state/entry, keyless) is refused with
running unchanged.

The model follows nchome-netconf(8) where the RFCs leave room: entries
of system-ordered lists keep the order they were created in; an entry
merged or replaced without yang:insert keeps its place, a new one goes
last.  default-operation replace: <config> "completely replaces the
configuration in the target datastore" (RFC 6241 7.2).  Not generated:
operations inside a created or replaced entry, error-option.  The seed
is printed; NCHOME_MODEL_SEED sets another, NCHOME_MODEL_STEPS the
number of edits."""
import copy
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP, SshEnv  # noqa: E402
from ncraw import NcRaw, q  # noqa: E402

NT = "urn:nchome:test"
NTL = "urn:nchome:test-toplist"
YANG = "urn:ietf:params:xml:ns:yang:1"
BASE = "urn:ietf:params:xml:ns:netconf:base:1.0"
SEED = int(os.environ.get("NCHOME_MODEL_SEED", "6241"))
STEPS = int(os.environ.get("NCHOME_MODEL_STEPS", "600"))
PAIR = "<pair><id>1</id></pair>"    # nchome-test's pair has min-elements 1

IF_NAMES = ["eth0", "eth1", "eth2", "eth3"]
PEERS = [(h, p) for h in ("h1", "h2") for p in ("1", "2", "830")]
ROUTES = [(p, m) for p in ("10.0.0.0/8", "10.1.0.0/16") for m in ("1", "16")]
MTUS = ["68", "576", "1500", "9000"]
RULES = ["ra", "rb", "rc", "rd", "re"]
# per list: its non-key leaves and the values they take
LEAVES = {"if": {"description": ["d1", "d2"], "enabled": ["true", "false"]},
          "peer": {"note": ["n1", "n2"]},
          "route": {"nexthop": ["x", "y"]},
          "rule": {"action": ["accept", "drop"]}}


class EditError(Exception):
    def __init__(self, tag, path):
        Exception.__init__(self, tag)
        self.tag, self.path = tag, path


def item_path(it):
    """The error-path of an edit item: an instance-identifier, keys as predicates."""
    kind, key = it["kind"], it["key"]
    if kind == "mtu":
        return "/nt:top/nt:mtu[.='%s']" % key
    if kind == "if":
        return "/ntl:interface[ntl:name='%s']" % key
    if kind == "peer":
        return "/ntl:peer[ntl:host='%s'][ntl:port='%s']" % key
    if kind == "route":
        return "/nt:top/nt:route[nt:prefix='%s'][nt:metric='%s']" % key
    return "/nt:top/nt:rule[nt:name='%s']" % key


def empty():
    # if: {name: {leaf: v}}, peer: {(host, port): {...}}, mtu: set, rule: [[name, {...}]]
    # dicts keep the order entries were created in (a replaced entry keeps its place)
    return {"if": {}, "peer": {}, "route": {}, "mtu": {}, "rule": []}


def canon(st):
    """Comparable form of a model state or of what get-config gave."""
    return {"if": [(k, sorted(v.items())) for k, v in st["if"].items()],
            "peer": [(k, sorted(v.items())) for k, v in st["peer"].items()],
            "route": [(k, sorted(v.items())) for k, v in st["route"].items()],
            "mtu": list(st["mtu"]),
            "rule": [(k, sorted(v.items())) for k, v in st["rule"]]}


# ---- the model ----

def apply_leaf(entry, name, value, op, path):
    if op in ("merge", "replace"):
        entry[name] = value
    elif op == "create":
        if name in entry:
            raise EditError("data-exists", path)
        entry[name] = value
    elif op == "delete":
        if name not in entry:
            raise EditError("data-missing", path)
        del entry[name]
    elif op == "remove":
        entry.pop(name, None)
    elif op == "none" and name not in entry:
        raise EditError("data-missing", path)


def rule_at(rules, name):
    for i, (k, _) in enumerate(rules):
        if k == name:
            return i
    return None


def apply_item(st, it, inherited):
    """One edit item (a list entry or leaf-list value) on model state st."""
    op = it["op"] or inherited
    kind, key = it["kind"], it["key"]
    path = item_path(it)
    if kind == "mtu":
        have = key in st["mtu"]
        if op == "create" and have:
            raise EditError("data-exists", path)
        if op in ("delete", "none") and not have:
            raise EditError("data-missing", path)
        if op in ("merge", "replace", "create"):
            st["mtu"].setdefault(key, True)
        elif op in ("delete", "remove"):
            st["mtu"].pop(key, None)
        return
    writes = op in ("merge", "replace", "create")
    if kind == "rule":
        i = rule_at(st["rule"], key)
        cur = st["rule"][i][1] if i is not None else None
        ins = it.get("insert")
        if writes and ins in ("before", "after") and (it["ref"] == key or
                                                       rule_at(st["rule"], it["ref"]) is None):
            raise EditError("bad-attribute", path)
    else:
        cur = st[kind].get(key)
    if op == "create" and cur is not None:
        raise EditError("data-exists", path)
    if op in ("delete", "none") and cur is None:
        raise EditError("data-missing", path)
    if op in ("delete", "remove"):
        if cur is not None:
            if kind == "rule":
                del st["rule"][i]
            else:
                del st[kind][key]
        return
    if op in ("replace", "create"):
        new = {n: v for n, v, _ in it["leaves"]}
    else:       # merge, none: leaf by leaf
        new = {} if cur is None else dict(cur)
        for n, v, lop in it["leaves"]:
            apply_leaf(new, n, v, lop or op, "%s/%s:%s" % (path, path[1:path.index(":")], n))
    if kind != "rule":     # none too: its leaves may carry operations
        st[kind][key] = new
        return
    ins = it.get("insert")
    if i is not None:
        if ins is None:
            st["rule"][i][1] = new
            return
        del st["rule"][i]
    if ins in (None, "last"):
        st["rule"].append([key, new])
    elif ins == "first":
        st["rule"].insert(0, [key, new])
    else:
        j = rule_at(st["rule"], it["ref"])
        st["rule"].insert(j if ins == "before" else j + 1, [key, new])


def model_edit(st, items, defop):
    """(new state, None) or (state unchanged, (error-tag, error-path)): stop-on-error is
    atomic."""
    if defop == "replace":
        new = empty()
        inherited = "merge"
    else:
        new = copy.deepcopy(st)
        inherited = defop or "merge"
    try:
        for it in items:
            apply_item(new, it, inherited)
    except EditError as e:
        return st, (e.tag, e.path)
    return new, None


# ---- the XML of an edit ----

def opattr(op):
    return ' nc:operation="%s"' % op if op else ""


def item_xml(it):
    kind, key = it["kind"], it["key"]
    if kind == "mtu":
        return "<mtu%s>%s</mtu>" % (opattr(it["op"]), key)
    # a leaf deleted or removed is sent with a value of its type (an empty
    # boolean is refused as invalid-value before the operation is looked at)
    leaves = "".join("<%s%s>%s</%s>" % (n, opattr(lop), v, n) for n, v, lop in it["leaves"])
    if kind == "if":
        return '<interface xmlns="%s"%s><name>%s</name>%s</interface>' % (
            NTL, opattr(it["op"]), key, leaves)
    if kind == "peer":
        return '<peer xmlns="%s"%s><host>%s</host><port>%s</port>%s</peer>' % (
            NTL, opattr(it["op"]), key[0], key[1], leaves)
    if kind == "route":
        return '<route%s><prefix>%s</prefix><metric>%s</metric>%s</route>' % (
            opattr(it["op"]), key[0], key[1], leaves)
    ins = ""
    if it.get("insert"):
        ins = ' yang:insert="%s"' % it["insert"]
        if it["insert"] in ("before", "after"):
            ins += " yang:key=\"[name='%s']\"" % it["ref"]
    return "<rule%s%s><name>%s</name>%s</rule>" % (opattr(it["op"]), ins, key, leaves)


def edit_xml(items, defop, target):
    """toplist items first, then nchome-test's in one <top>: the model applies them so too."""
    tl = [it for it in items if it["kind"] in ("if", "peer")]
    nt = [it for it in items if it["kind"] in ("mtu", "rule", "route")]
    items[:] = tl + nt
    body = "".join(item_xml(it) for it in tl)
    if nt or defop == "replace":
        body += '<top xmlns="%s">%s%s</top>' % (NT, PAIR if defop == "replace" else "",
                                               "".join(item_xml(it) for it in nt))
    d = "<default-operation>%s</default-operation>" % defop if defop else ""
    return ('<edit-config><target><%s/></target>%s<config xmlns:nc="%s" xmlns:yang="%s">'
            '%s</config></edit-config>' % (target, d, BASE, YANG, body))


# ---- random edits ----

def rand_item(rnd, st, defop):
    kind = rnd.choice(["if", "peer", "route", "mtu", "rule"])
    ops = ["merge", "create", "replace", "delete", "remove"]
    op = rnd.choice(ops + [None, None])     # "none" is no operation attribute value
    if kind == "mtu":
        return {"kind": kind, "key": rnd.choice(MTUS), "op": op}
    key = rnd.choice({"if": IF_NAMES, "peer": PEERS, "route": ROUTES, "rule": RULES}[kind])
    it = {"kind": kind, "key": key, "op": op, "leaves": []}
    eff = op or defop or "merge"
    for n, vals in LEAVES[kind].items():
        if rnd.random() < 0.5:
            continue
        lop = None
        if eff in ("merge", "none") and rnd.random() < 0.4:
            lop = rnd.choice(["merge", "create", "replace", "delete", "remove"])
        it["leaves"].append((n, rnd.choice(vals), lop))
    if kind == "rule" and eff in ("merge", "create", "replace") and rnd.random() < 0.5:
        others = [k for k, _ in st["rule"] if k != key]
        it["insert"] = rnd.choice(["first", "last"] + (["before", "after"] if others else []))
        if it["insert"] in ("before", "after"):
            it["ref"] = rnd.choice(others)
    return it


def rand_replace(rnd, st):
    """default-operation replace: a whole new datastore, much of it the old one's."""
    items = []
    for kind in ("if", "peer", "route"):
        keys = list(st[kind]) + [rnd.choice({"if": IF_NAMES, "peer": PEERS,
                                             "route": ROUTES}[kind])]
        for k in dict.fromkeys(keys):
            if rnd.random() < 0.75:
                lv = dict(st[kind].get(k, {}))
                for n, vals in LEAVES[kind].items():
                    if rnd.random() < 0.3:
                        lv[n] = rnd.choice(vals)
                    elif rnd.random() < 0.2:
                        lv.pop(n, None)
                items.append({"kind": kind, "key": k, "op": None,
                              "leaves": [(n, v, None) for n, v in lv.items()]})
    mtus = list(st["mtu"]) + [rnd.choice(MTUS)]
    rnd.shuffle(mtus)
    for m in dict.fromkeys(mtus):
        if rnd.random() < 0.75:
            items.append({"kind": "mtu", "key": m, "op": None})
    rules = [k for k, _ in st["rule"]] + [rnd.choice(RULES)]
    rules = list(dict.fromkeys(rules))
    rnd.shuffle(rules)
    old = dict((k, v) for k, v in st["rule"])
    for k in rules:
        if rnd.random() < 0.75:
            items.append({"kind": "rule", "key": k, "op": None,
                          "leaves": [(n, v, None) for n, v in old.get(k, {}).items()]})
    return items


# ---- nchome ----

def observe(r, source="running"):
    """A datastore as canon gives a model state, and what else it holds."""
    rep = r.rpc("<get-config><source><%s/></source></get-config>" % source)
    d = rep.find(q("data")) if rep is not None else None
    if d is None:
        return None, ["no data: %s" % NcRaw.errors(rep)]
    st, other = {"if": [], "peer": [], "route": [], "mtu": [], "rule": []}, []

    def leaves(e, keys):
        kv = {c.tag.split("}")[-1]: (c.text or "") for c in e}
        k = tuple(kv.pop(n, None) for n in keys)
        return (k[0] if len(k) == 1 else k), kv
    for c in d:
        if c.tag == "{%s}interface" % NTL:
            st["if"].append(leaves(c, ["name"]))
        elif c.tag == "{%s}peer" % NTL:
            st["peer"].append(leaves(c, ["host", "port"]))
        elif c.tag == "{%s}top" % NT:
            for e in c:
                tag = e.tag.split("}")[-1]
                if tag == "mtu":
                    st["mtu"].append(e.text)
                elif tag == "rule":
                    st["rule"].append(list(leaves(e, ["name"])))
                elif tag == "route":
                    st["route"].append(leaves(e, ["prefix", "metric"]))
                elif not (tag == "pair" and e.findtext("{%s}id" % NT) == "1"):
                    other.append(tag)
        else:
            other.append(c.tag)
    # duplicates must show: lists of pairs, not dicts
    return {"if": [(k, sorted(v.items())) for k, v in st["if"]],
            "peer": [(k, sorted(v.items())) for k, v in st["peer"]],
            "route": [(k, sorted(v.items())) for k, v in st["route"]],
            "mtu": st["mtu"],
            "rule": [(k, sorted(v.items())) for k, v in st["rule"]]}, other


def reply_tag(rep):
    """None for <ok/>, else the first error's (error-tag, error-path)."""
    if NcRaw.ok(rep):
        return None
    e = NcRaw.errors(rep)
    return (e[0].get("error-tag"), e[0].get("error-path")) if e else ("no reply", None)


def run(r, rnd, st, steps, target):
    """steps random edits of target through session r, each checked against the model
    from state st; the candidate is committed now and then and running checked too.
    Returns (state, first mismatch or None, {(kind, op, error-tag): count}, most entries)."""
    bad = None
    seen = {}
    most = {k: 0 for k in st}   # the most entries each list held
    for step in range(steps):
        defop = rnd.choice([None, None, "merge", "none", "replace"] if step % 10 == 9
                           else [None, None, "merge", "none"])
        if defop == "replace":
            items = rand_replace(rnd, st)
        else:
            items = [rand_item(rnd, st, defop) for _ in range(1 if rnd.random() < 0.75 else 2)]
        text = edit_xml(items, defop, target)
        want_st, want_tag = model_edit(st, items, defop)
        got_tag = reply_tag(r.rpc(text))
        got_st, other = observe(r, target)
        for it in items[:1]:    # (commits counted under "commits")
            k = (it["kind"], it["op"] or defop or "merge", want_tag and want_tag[0])
            seen[k] = seen.get(k, 0) + 1
        if target == "candidate" and not other and rnd.random() < 0.1:
            committed = reply_tag(r.rpc("<commit/>"))
            seen["commits"] = seen.get("commits", 0) + 1
            run_st, other = observe(r, "running")
            if committed is not None or run_st != canon(want_st):
                other = other + ["commit: %s, running %s" % (committed, run_st)]
        if got_tag != want_tag or got_st != canon(want_st) or other:
            bad = {"step": step, "edit": text, "tag": (got_tag, want_tag),
                   "got": got_st, "want": canon(want_st), "other": other, "before": canon(st)}
            break
        st = want_st
        most = {k: max(most[k], len(st[k])) for k in st}
    return st, bad, seen, most


t = TAP()
env = SshEnv(name="nc-editmodel", netconf_conf='  yang-dir = "%s"\n  module nchome-test { }\n'
             '  module nchome-test-toplist { }\n' % os.path.join(TOP, "tests", "yang"))
sessions = []


def session():
    r = NcRaw(env.netconf_direct())
    sessions.append(r)
    r.hello()
    return r


try:
    a = session()
    print("# seed %d, %d edits (NCHOME_MODEL_SEED, NCHOME_MODEL_STEPS)" % (SEED, STEPS))
    rnd = random.Random(SEED)
    seeded = a.rpc('<edit-config><target><running/></target><config><top xmlns="%s">%s</top>'
                   '</config></edit-config>' % (NT, PAIR))
    if not NcRaw.ok(seeded):
        raise SystemExit("seeding pair failed: %s" % NcRaw.errors(seeded))
    st, bad, seen, most = run(a, rnd, empty(), STEPS, "running")
    tags = {k[2] for k in seen}
    t.ok(bad is None, "%d random edits of a keyed list, composite-key lists (top-level and "
         "nested), an ordered-by user list and a leaf-list: each reply (error-tag, error-path) "
         "and get-config as the model's (seed %d)" % (STEPS, SEED), bad)
    t.ok({"data-exists", "data-missing", None} <= tags and
         all(any(k[0] == kind and k[1] == op for k in seen)
             for kind in ("if", "peer", "route", "mtu", "rule")
             for op in ("merge", "create", "replace", "delete", "remove", "none")),
         "every list saw every operation, and both data-exists and data-missing came",
         sorted(seen.items(), key=str))
    t.ok(all(n >= 3 for n in most.values()), "every list held 3 entries or more at some time",
         most)
    # the same on the candidate, committed now and then
    rep = a.rpc("<discard-changes/>")
    cst, cbad, cseen, _ = run(a, rnd, st, STEPS // 3, "candidate")
    rep = a.rpc("<commit/>")
    got, other = observe(a)
    t.ok(cbad is None and NcRaw.ok(rep) and got == canon(cst) and not other and
         {"data-exists", "data-missing"} <= {k[2] for k in cseen if k != "commits"} and
         cseen.get("commits", 0) >= 5,
         "%d random edits of the candidate, %d commits: each reply, the candidate and running "
         "after each commit as the model's" % (STEPS // 3, cseen.get("commits", 0)),
         (cbad, got, other))
    st = cst
    b = session()
    got, other = observe(b)
    t.ok(got == canon(st) and not other, "another session (the journal replayed) sees the model's "
         "data", (got, other))
    b.close()
    # config false: state/entry is a keyless list in a config false container
    for how, body in (("a config false container", '<state xmlns="%s"><entry><x>1</x></entry>'
                       '</state>' % NT),
                      ("a config false keyless list, delete", '<state xmlns="%s"><entry '
                       'nc:operation="delete"><x>1</x></entry></state>' % NT)):
        rep = a.rpc('<edit-config><target><running/></target><config xmlns:nc="%s">%s</config>'
                    '</edit-config>' % (BASE, body))
        got, other = observe(a)
        t.ok(reply_tag(rep) == ("invalid-value", "/nt:state") and got == canon(st) and not other,
             "an edit of %s is refused (invalid-value, error-path /nt:state), running "
             "unchanged" % how,
             (NcRaw.errors(rep), other))
    a.close()
finally:
    for s in sessions:
        s.kill()
    env.cleanup()
t.done()
