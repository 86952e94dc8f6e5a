#!/usr/bin/python3
"""Peak resident memory of nchome-netconf on each path of issue 15, and
population in batches against one bulk edit, on the 50,000-entry list of
bench_netconf.py.

Each path runs in a session of its own (nchome-netconf over pipes, no
sshd: memory and CPU of the server only), so each VmHWM is that path's
peak.  The goal: within 3 x the serialised store + 8 MB.  Paths:
  memory.bulk_load        one edit-config creating the entries
  memory.bulk_get         then, in the same session, an unfiltered <get>
                          (running with the state data: netconf-state,
                          yang-library, /nacm's counters)
  memory.get              a new session: an unfiltered <get>
  memory.get_filtered     a new session on an empty store: the bulk load,
                          then a <get> with a subtree filter for /nacm
                          (its counters are state: the filtered merge)
  memory.batches          50 edit-configs of 1,000 entries (then get-config)
  memory.rewrite          a new session: one edit giving every entry new values
  memory.subtree_key / memory.xpath_key   a new session: a filter for one entry
  memory.copy_config      a new session: copy-config running -> startup
                          (no startup yet)
  memory.copy_config_equal   then the same again: onto a startup equal to
                          running (old and new compared node by node;
                          equal, nothing is written)
  memory.copy_config_changed a rewrite of every entry (untimed), then the
                          copy again: onto a startup that differs in
                          every entry
  memory.refused_*        a new session each: a rewrite of every entry as
                          memory.rewrite's, refused (rpc-error checked; the
                          store stays): refused_badkey the last entry's key
                          not of its type, refused_nokey the last entry
                          without its key, refused_leaf a non-key leaf of
                          the last entry not of its type, refused_unique
                          the last entry's alpha the first's (validation);
                          refused_unique_one: an edit of one entry only,
                          its alpha another entry's; refused_nacm: user
                          nobody (setpriv), whom a NACM rule denies the
                          update of the last entry
  memory.one_entry        (after the refused paths) a new session: one
                          merge changing one leaf of one entry, taken
                          (checked stored: the journal holds the value)
  memory.accepted_nacm    (after refused_nacm, same user and rule) a new
                          session: nobody's rewrite of every entry but the
                          last, taken (NACM checks each entry's changes)
  memory.nonlist          one edit of ~15 MB that is not a list (one container
                          of distinct leaves), into an empty store
  then, each in a new session on that store (goal from its size):
  memory.nonlist_filter   a subtree filter selecting one leaf of it
  memory.nonlist_xpath    an XPath filter selecting one leaf of it
  memory.nonlist_get      get-config (all of it)
  memory.nonlist_leaf     a merge edit of one leaf of the container
  memory.nonlist_reload   get-config again, the store now base + that edit's
                          journal record (nonlist_leaf runs first)
  memory.leaflist_add     one entry appended to a ~15 MB leaf-list (a
                          container of ~15 MB of same-named leaves, made by
                          one edit into an empty store: memory.leaflist)
Figures: memory.<path>_mb (VmHWM), memory.goal_mb, and the times
memory.bulk_load_s, memory.batches_s and their ratio memory.batches_vs_bulk.

The list's module (tests/yang/example-bench) is loaded unless BENCH_YANG=0.
BENCH_OLD_NETCONF=<path of another build's nchome-netconf> runs every path
with that build too, alternating (figures named memory.old.*).
BENCH_PATHS=rewrite,copy_config,... measures only those paths (bulk_load
always runs: it makes the store the others start from; nonlist runs for
any nonlist_* path, leaflist for leaflist_add; nonlist_reload needs
nonlist_leaf).
"""
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from nchome_test import SshEnv, figure, NETCONF  # noqa: E402
from netconf_pipes import Direct  # noqa: E402

B = "urn:example:bench"
N = int(os.environ.get("BENCH_ENTRIES", "50000"))
BATCH = 1000
PATHS = set(filter(None, os.environ.get("BENCH_PATHS", "").split(",")))


def wanted(name):
    return not PATHS or name in PATHS


NONLIST_AFTER = ("nonlist_filter", "nonlist_xpath", "nonlist_get", "nonlist_leaf", "nonlist_reload")
NLEAVES = 15000000 // 70


def ok(reply):
    if b"<ok/>" not in reply and b":ok/>" not in reply:
        raise RuntimeError("rpc failed: %r" % reply[:600])


def entries(lo, hi, gen=0):
    return "".join('<item><name>item-%06d</name><cfg><alpha>value-alpha-%d-%06d-padding</alpha>'
                   '<beta>value-beta-%d-%06d-padding-padd</beta><gamma>value-gamma-%d-%06d-padding-padding-'
                   'padding-pad</gamma></cfg></item>' % (i, gen, i, gen, i, gen, i) for i in range(lo, hi))


def edit(body, ns=B, top="top"):
    return ('<edit-config><target><running/></target><config><%s xmlns="%s">%s</%s></config></edit-config>'
            % (top, ns, body, top))


# The last entry of a rewrite that is refused, each way; the error-tag and
# a word of the message the reply must hold.
REFUSED = {
    "refused_badkey": ('<item><name>item-bad</name><cfg><alpha>x</alpha></cfg></item>',
                       b"invalid-value", b"item-bad"),
    "refused_nokey": ('<item><cfg><alpha>x</alpha></cfg></item>', b"missing-element", b"name"),
    "refused_leaf": ('<item><name>item-%06d</name><cfg><weight>heavy</weight></cfg></item>' % (N - 1),
                     b"invalid-value", b"weight"),
    "refused_unique": ('<item><name>item-%06d</name><cfg><alpha>value-alpha-1-000000-padding</alpha>'
                       '</cfg></item>' % (N - 1), b"operation-failed", b"data-not-unique"),
    "refused_unique_one": ('<item><name>item-000007</name><cfg><alpha>value-alpha-GEN-000003-padding</alpha>'
                           '</cfg></item>', b"operation-failed", b"data-not-unique"),
}


NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
# nobody (group nogroup) may write everything but the last entry
NACM_RULES = ('<write-default>permit</write-default><rule-list><name>nobodies</name><group>nogroup</group>'
              '<rule><name>last</name><path xmlns:eb="%s">/eb:top/eb:item[eb:name=\'item-%%06d\']</path>'
              '<access-operations>update</access-operations><action>deny</action></rule></rule-list>' % B)


def refused(reply, tag, word):
    """reply is an rpc-error with error-tag tag, naming word, and no <ok/>."""
    if b"<ok/>" in reply or b"<error-tag>%s</error-tag>" % tag not in reply or word not in reply:
        raise RuntimeError("not refused with %r (%r): %r" % (tag, word, reply[:1200]))


def dechunk(reply):
    """A NETCONF 1.1 reply's message, without its chunk headers."""
    out, i = [], 0
    while reply.startswith(b"\n#", i) and not reply.startswith(b"\n##", i):
        j = reply.index(b"\n", i + 2)
        n = int(reply[i + 2:j])
        out.append(reply[j + 1:j + 1 + n])
        i = j + 1 + n
    return b"".join(out)


def stored(ds):
    """running.xml and its journal (a small edit is a journal record)."""
    out = b""
    for name in ("running.xml", "running.journal"):
        if os.path.exists(os.path.join(ds, name)):
            with open(os.path.join(ds, name), "rb") as f:
                out += f.read()
    return out


def run_paths(prog, env, tag):
    """Every path with nchome-netconf prog; figures named memory.<tag>..."""
    ds = env.datastore_dir
    res = {}

    def fresh():
        shutil.rmtree(ds, ignore_errors=True)
        os.makedirs(ds)

    def session():
        return Direct(prog, env.conf)

    fresh()
    s = session()
    t0 = time.monotonic()
    ok(s.rpc(edit(entries(0, N))))
    res["bulk_load_s"] = time.monotonic() - t0
    res["bulk_load"] = s.hwm_mb()
    if wanted("bulk_get"):
        if dechunk(s.rpc("<get/>")).count(b"<name>item-") != N:
            raise RuntimeError("bulk_get: not every entry")
        res["bulk_get"] = s.hwm_mb()
    s.close()
    size = os.path.getsize(os.path.join(ds, "running.xml")) / 1e6
    if wanted("get"):
        s = session()
        if dechunk(s.rpc("<get/>")).count(b"<name>item-") != N:
            raise RuntimeError("get: not every entry")
        res["get"] = s.hwm_mb()
        s.close()
    if wanted("get_filtered"):
        fresh()
        s = session()
        ok(s.rpc(edit(entries(0, N))))
        reply = dechunk(s.rpc('<get><filter type="subtree"><nacm xmlns="urn:ietf:params:xml:ns:yang:'
                              'ietf-netconf-acm"/></filter></get>'))
        if b"<denied-operations>" not in reply or b"<name>item-" in reply:
            raise RuntimeError("get_filtered: not /nacm alone: %r" % reply[:300])
        res["get_filtered"] = s.hwm_mb()
        s.close()

    if wanted("rewrite"):
        s = session()
        ok(s.rpc(edit(entries(0, N, gen=1))))
        res["rewrite"] = s.hwm_mb()
        s.close()
    key = "item-%06d" % (N // 2)
    for name, req in (("subtree_key", '<get-config><source><running/></source><filter type="subtree">'
                       '<top xmlns="%s"><item><name>%s</name></item></top></filter></get-config>' % (B, key)),
                      ("xpath_key", '<get-config><source><running/></source><filter type="xpath" '
                       'xmlns:b="%s" select="/b:top/b:item[b:name=\'%s\']"/></get-config>' % (B, key))):
        if not wanted(name):
            continue
        s = session()
        if s.rpc(req).count(b"<name>") != 1:
            raise RuntimeError(name + ": not one entry")
        res[name] = s.hwm_mb()
        s.close()
    before = stored(ds)
    for name, (last, tag, word) in REFUSED.items():
        if not wanted(name):
            continue
        s = session()
        if name == "refused_unique_one":   # the store's values: memory.rewrite's if it ran
            body = last.replace("GEN", "1" if wanted("rewrite") else "0")
        else:
            body = entries(0, N - 1, gen=1) + last
        refused(s.rpc(edit(body)), tag, word)
        res[name] = s.hwm_mb()
        s.close()
        if stored(ds) != before:
            raise RuntimeError(name + ": the store changed")
    if wanted("one_entry"):
        one = "item-%06d" % (N // 3)
        s = session()
        ok(s.rpc(edit('<item><name>%s</name><cfg><beta>one-entry-beta</beta></cfg></item>' % one)))
        res["one_entry"] = s.hwm_mb()
        s.close()
        if stored(ds).count(b"one-entry-beta") != 1:
            raise RuntimeError("one_entry: the leaf did not change")
    if wanted("refused_nacm") or wanted("accepted_nacm"):
        s = session()
        ok(s.rpc(edit(NACM_RULES % (N - 1), NACM_NS, "nacm")))
        s.close()
        # nobody reaches the configuration and writes the datastore
        os.chmod(env.dir, 0o755)
        os.chmod(env.conf, 0o644)
        for top, dirs, files in os.walk(ds):
            os.chmod(top, 0o777)
            for name in files:
                os.chmod(os.path.join(top, name), 0o666)
        nobody = ["env", "USER=nobody", "HOME=" + env.dir, "setpriv", "--reuid=65534", "--regid=65534",
                  "--clear-groups", prog, "-f", env.conf]
        if wanted("refused_nacm"):
            was = stored(ds)
            s = Direct(argv=nobody)
            refused(s.rpc(edit(entries(0, N, gen=2))), b"access-denied", b"access denied: update")
            res["refused_nacm"] = s.hwm_mb()
            s.close()
            if stored(ds) != was:
                raise RuntimeError("refused_nacm: the store changed")
        if wanted("accepted_nacm"):
            s = Direct(argv=nobody)
            ok(s.rpc(edit(entries(0, N - 1, gen=3))))
            res["accepted_nacm"] = s.hwm_mb()
            s.close()
        s = session()   # root: the rules go, for the paths after
        ok(s.rpc('<edit-config><target><running/></target><config><nacm xmlns="%s" '
                 'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="remove"/></config>'
                 '</edit-config>' % NACM_NS))
        s.close()
    copy = "<copy-config><target><startup/></target><source><running/></source></copy-config>"
    if wanted("copy_config") or wanted("copy_config_equal") or wanted("copy_config_changed"):
        s = session()   # onto no startup (the first copy)
        ok(s.rpc(copy))
        res["copy_config"] = s.hwm_mb()
        s.close()
    if wanted("copy_config_equal"):
        s = session()   # onto a startup that holds the same
        ok(s.rpc(copy))
        res["copy_config_equal"] = s.hwm_mb()
        s.close()
    if wanted("copy_config_changed"):
        s = session()   # untimed: every entry of running changes
        ok(s.rpc(edit(entries(0, N, gen=4))))
        s.close()
        s = session()   # onto a startup that differs in every entry
        ok(s.rpc(copy))
        res["copy_config_changed"] = s.hwm_mb()
        s.close()
        with open(os.path.join(ds, "startup.xml"), "rb") as f:
            if f.read().count(b"value-beta-4-") != N:
                raise RuntimeError("copy_config_changed: startup is not running's")

    if wanted("batches"):
        fresh()
        s = session()
        t0 = time.monotonic()
        for lo in range(0, N, BATCH):
            ok(s.rpc(edit(entries(lo, min(N, lo + BATCH)))))
        res["batches_s"] = time.monotonic() - t0
        s.rpc("<get-config><source><running/></source></get-config>")
        res["batches"] = s.hwm_mb()
        s.close()

    nsize = 0
    if any(wanted(k) for k in ("nonlist",) + NONLIST_AFTER):
        fresh()
        s = session()
        blob = "".join("<leaf%06d>value-%06d-padding-padding-padding-padding-pad</leaf%06d>" % (i, i, i)
                       for i in range(NLEAVES))
        ok(s.rpc(edit(blob, "urn:example:blob", "blob")))
        res["nonlist"] = s.hwm_mb()
        nsize = os.path.getsize(os.path.join(ds, "running.xml")) / 1e6
        s.close()
        mid = NLEAVES // 2
        one_leaf = {   # a filter for one leaf of the big container, each kind
            "nonlist_filter": '<filter type="subtree"><blob xmlns="urn:example:blob">'
                              '<leaf%06d/></blob></filter>' % (mid + 1),
            "nonlist_xpath": '<filter type="xpath" xmlns:b="urn:example:blob" '
                             'select="/b:blob/b:leaf%06d"/>' % (mid + 1),
        }
        for path, filt in one_leaf.items():
            if not wanted(path):
                continue
            s = session()
            r = s.rpc("<get-config><source><running/></source>%s</get-config>" % filt)
            if r.count(b"<leaf") != 1 or b"value-%06d-" % (mid + 1) not in r:
                raise RuntimeError("%s: not one leaf: %r" % (path, r[:300]))
            res[path] = s.hwm_mb()
            s.close()
        if wanted("nonlist_get"):
            s = session()
            r = s.rpc("<get-config><source><running/></source></get-config>")
            if dechunk(r).count(b"-padding-pad</leaf") != NLEAVES:
                raise RuntimeError("nonlist_get: leaves missing")
            res["nonlist_get"] = s.hwm_mb()
            s.close()
        if wanted("nonlist_leaf"):
            s = session()
            ok(s.rpc(edit("<leaf%06d>changed-%06d</leaf%06d>" % (mid, mid, mid), "urn:example:blob", "blob")))
            res["nonlist_leaf"] = s.hwm_mb()
            s.close()
            if stored(ds).count(b"changed-%06d" % mid) != 1:
                raise RuntimeError("nonlist_leaf: the leaf did not change")
        if wanted("nonlist_reload"):
            s = session()
            r = dechunk(s.rpc("<get-config><source><running/></source></get-config>"))
            if r.count(b"-padding-pad</leaf") != NLEAVES - 1 or b"changed-%06d" % mid not in r:
                raise RuntimeError("nonlist_reload: not the edited store")
            res["nonlist_reload"] = s.hwm_mb()
            s.close()

    lsize = 0
    if wanted("leaflist") or wanted("leaflist_add"):
        fresh()
        s = session()
        tags = "".join("<tag>value-%07d-padding-padding-padding-padding-padding-pad</tag>" % i
                       for i in range(NLEAVES))
        ok(s.rpc(edit(tags, "urn:example:blob", "blob")))
        res["leaflist"] = s.hwm_mb()
        s.close()
        lsize = os.path.getsize(os.path.join(ds, "running.xml")) / 1e6
        if wanted("leaflist_add"):
            s = session()
            ok(s.rpc(edit("<tag>new-entry</tag>", "urn:example:blob", "blob")))
            res["leaflist_add"] = s.hwm_mb()
            s.close()
        st = stored(ds)
        if wanted("leaflist_add") and (st.count(b"<tag>") != NLEAVES + 1 or b"<tag>new-entry</tag>" not in st):
            raise RuntimeError("leaflist_add: not stored: %r" % st[-200:])
    return res, size, nsize, lsize


def report(tag, res, size, nsize, lsize):
    pre = "memory." + tag
    goal = 3 * size + 8
    for k in ("bulk_load", "bulk_get", "get", "get_filtered", "batches", "rewrite", "subtree_key", "xpath_key", "copy_config", "copy_config_equal",
              "copy_config_changed") + tuple(REFUSED) + (
            "one_entry", "refused_nacm", "accepted_nacm"):
        if k not in res:
            continue
        figure("%s%s_mb" % (pre, k), res[k], "MB", "VmHWM of a session doing only this; goal <= %.1f "
               "(3 x %.1f MB store + 8)%s" % (goal, size, "" if res[k] <= goal else " MISSED"))
    ngoal = 3 * nsize + 8
    if "nonlist" in res:
        figure(pre + "nonlist_mb", res["nonlist"], "MB", "one ~15 MB edit that is not a list (store %.1f MB); "
               "goal <= %.1f%s" % (nsize, ngoal, "" if res["nonlist"] <= ngoal else " MISSED"))
    for k, what in (("nonlist_filter", "a subtree filter for one leaf of"),
                    ("nonlist_xpath", "an XPath filter for one leaf of"), ("nonlist_get", "get-config of"),
                    ("nonlist_leaf", "a one-leaf merge edit of"),
                    ("nonlist_reload", "get-config after nonlist_leaf (its journal record) of")):
        if k in res:
            figure("%s%s_mb" % (pre, k), res[k], "MB", "new session: %s the nonlist store (%.1f MB); goal <= "
                   "%.1f%s" % (what, nsize, ngoal, "" if res[k] <= ngoal else " MISSED"))
    lgoal = 3 * lsize + 8
    for k, what in (("leaflist", "one edit making a leaf-list"), ("leaflist_add", "new session: one entry "
                    "appended to a leaf-list")):
        if k in res:
            figure("%s%s_mb" % (pre, k), res[k], "MB", "%s (store %.1f MB); goal <= %.1f%s"
                   % (what, lsize, lgoal, "" if res[k] <= lgoal else " MISSED"))
    figure(pre + "bulk_load_s", res["bulk_load_s"], "s", "one edit-config of %d entries, pipes" % N)
    if "batches" in res:
        figure(pre + "batches_s", res["batches_s"], "s", "%d edit-configs of %d entries" % (N // BATCH, BATCH))
        figure(pre + "batches_vs_bulk", res["batches_s"] / res["bulk_load_s"], "x", "goal <= 1.5")


# BENCH_YANG=0: no module for the list (schema-less keys); else example-bench's
yang = os.environ.get("BENCH_YANG", "1") != "0"
env = SshEnv(name="bench-mem", netconf_conf='yang-dir = "%s"\nmodule example-bench {}\n' % os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "yang") if yang else "")
try:
    old = os.environ.get("BENCH_OLD_NETCONF")
    runs = [("", NETCONF)] + ([("old.", old)] if old else [])
    for tag, prog in runs:
        res, size, nsize, lsize = run_paths(prog, env, tag)
        report(tag, res, size, nsize, lsize)
finally:
    env.cleanup()
