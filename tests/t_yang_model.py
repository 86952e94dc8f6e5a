#!/usr/bin/python3
"""Model semantics with a YANG module loaded (issue 16), over pipes
(NcRaw), tests/yang's nchome-test: ordered-by user lists and leaf-lists
edited with yang:insert against a Python model (random operations, the
order compared after each, and in another session that replays the
journal), choice/case replacement, RFC 6243 with-defaults (every mode on
get-config, get, a filter, tagging, a bad mode, the capability and the
module announced), identityref values stored in the module's prefix, and
unprefixed XPath names resolved by the modules; list entries named by
another key than running holds, at the top level and nested, with a
module (its keys) and without (never "the only node of that name")."""
import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, TOP, SshEnv  # noqa: E402
from ncraw import NcRaw, q  # noqa: E402

NT = "urn:nchome:test"
YANG = "urn:ietf:params:xml:ns:yang:1"
WD = "urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults"
WDA = "urn:ietf:params:xml:ns:netconf:default:1.0"
WDCAP = ("urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit"
         "&also-supported=report-all,trim,report-all-tagged")
t = TAP()
env = SshEnv(name="nc-yangmodel", netconf_conf='  yang-dir = "%s"\n  module nchome-test { }\n'
             '  module nchome-test-toplist { }\n' % os.path.join(TOP, "tests", "yang"))
sessions = []


def session():
    r = NcRaw(env.netconf_direct())
    sessions.append(r)
    r.hello()
    return r


def edit(r, body, attrs=""):
    return r.rpc('<edit-config><target><running/></target><config xmlns:yang="%s"'
                 ' xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"%s>'
                 '<top xmlns="%s">%s</top></config></edit-config>' % (YANG, attrs, NT, body))


def edit_cfg(r, body):
    """edit-config of running with body as the children of <config>."""
    return r.rpc('<edit-config><target><running/></target><config'
                 ' xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">%s</config>'
                 '</edit-config>' % body)


def entries(r, ns, elem, parent=None):
    """{first leaf: {leaf: text}} of running's elem entries (in parent, a top-level element)."""
    flt = "<%s xmlns=\"%s\"/>" % (parent or elem, ns)
    rep = r.rpc('<get-config><source><running/></source><filter type="subtree">%s</filter>'
                '</get-config>' % flt)
    d = rep.find(q("data")) if rep is not None else None
    if d is None:
        return None
    if parent is not None:
        d = d.find("{%s}%s" % (ns, parent))
        if d is None:
            return {}
    out = {}
    for e in d.findall("{%s}%s" % (ns, elem)):
        kids = list(e)
        out[kids[0].text if kids else None] = {c.tag.split("}")[-1]: c.text for c in kids}
    return out


def top_of(rep):
    d = rep.find(q("data")) if rep is not None else None
    return None if d is None else d.find("{%s}top" % NT)


def get_top(r, extra="", op="get-config"):
    src = "<source><running/></source>" if op == "get-config" else ""
    return top_of(r.rpc("<%s>%s%s</%s>" % (op, src, extra, op)))


def names(r):
    tp = get_top(r)
    rules = [e.findtext("{%s}name" % NT) for e in tp.findall("{%s}rule" % NT)] if tp is not None else []
    tags = [e.text for e in tp.findall("{%s}tag" % NT)] if tp is not None else []
    return rules, tags


def wd(mode):
    return '<with-defaults xmlns="%s">%s</with-defaults>' % (WD, mode)


a = session()
try:
    # the model's list pair has min-elements 1: running needs one for any edit of top
    seed = edit(a, "<pair><id>1</id></pair>")
    if not NcRaw.ok(seed):
        raise SystemExit("seeding pair failed: %s" % NcRaw.errors(seed))
    # ---- ordered-by user: random inserts against a model ----
    rnd = random.Random(16)
    rules, tags = [], []
    bad = []
    for step in range(60):
        if rnd.random() < 0.65:
            model, elem, pool, attr = rules, "rule", ["r%s" % c for c in "abcdefgh"], "key"
        else:
            model, elem, pool, attr = tags, "tag", ["t1", "t2", "t3", "t4"], "value"
        v = rnd.choice(pool)
        if elem == "rule":
            def body(extra, nm=v):
                return "<rule%s><name>%s</name></rule>" % (extra, nm)
        else:
            def body(extra, nm=v):
                return "<tag%s>%s</tag>" % (extra, nm)
        if v in model and rnd.random() < 0.3:
            r = edit(a, body(' nc:operation="delete"'))
            model.remove(v)
        else:
            if elem == "tag" and v not in model and len(model) == 3:
                continue        # max-elements 3
            how = rnd.choice(["first", "last", "before", "after", None])
            others = [x for x in model if x != v]
            if how in ("before", "after") and not others:
                how = "first"
            extra = ""
            if how is not None:
                extra = ' yang:insert="%s"' % how
            if how in ("before", "after"):
                ref = rnd.choice(others)
                extra += (' yang:key="[name=\'%s\']"' % ref if elem == "rule"
                          else ' yang:value="%s"' % ref)
            op = rnd.choice(["", ' nc:operation="replace"']) if v in model else \
                rnd.choice(["", ' nc:operation="create"'])
            r = edit(a, body(op + extra))
            if v in model:
                if how is None:
                    pass        # stays where it is
                else:
                    model.remove(v)
            if v not in model:
                if how in (None, "last"):
                    model.append(v)
                elif how == "first":
                    model.insert(0, v)
                else:
                    i = model.index(ref)
                    model.insert(i if how == "before" else i + 1, v)
        if not NcRaw.ok(r):
            bad.append((step, "edit failed", NcRaw.errors(r)))
            break
        got = names(a)
        if got != (rules, tags):
            bad.append((step, got, (rules, tags)))
            break
    t.ok(not bad and len(rules) > 2, "60 random ordered-by user edits keep the model's order "
         "(%s, %s)" % (rules, tags), bad)
    b = session()       # running.xml and the journal, replayed
    t.eq(names(b), (rules, tags), "another session (the journal replayed) sees the same order")
    b.close()
    r = edit(a, "<rule yang:insert=\"after\"><name>zz</name></rule>")
    e = NcRaw.errors(r)
    t.ok(e and e[0].get("error-tag") == "missing-attribute" and
         e[0].get("error-info", {}).get("bad-attribute") == "key",
         "after without key: missing-attribute, bad-attribute key", e)
    r = edit(a, "<rule yang:insert=\"before\" yang:key=\"[name='nosuch']\"><name>zz</name></rule>")
    e = NcRaw.errors(r)
    t.ok(e and e[0].get("error-tag") == "bad-attribute" and
         e[0].get("error-app-tag") == "missing-instance",
         "before an entry that is not there: bad-attribute, missing-instance (RFC 7950 15.7)", e)
    t.eq(names(a), (rules, tags), "refused inserts change nothing")

    # ---- choice/case ----
    edit(a, "<tcp-port>8080</tcp-port>")
    r = edit(a, "<udp-port>53</udp-port>")
    tp = get_top(a)
    t.ok(NcRaw.ok(r) and tp.find("{%s}tcp-port" % NT) is None and
         tp.findtext("{%s}udp-port" % NT) == "53", "a case's node replaces the other case's")

    # ---- identityref stored in the module's prefix ----
    r = edit(a, "<pet>x:cat</pet>", attrs=' xmlns:x="%s"' % NT)
    raw = a.send_msg(a.rpc_text('<get-config><source><running/></source><filter type="subtree">'
                                '<top xmlns="%s"><pet/></top></filter></get-config>' % NT))
    msg = a.read_msg().decode()
    t.ok(NcRaw.ok(r) and 'xmlns:nt="%s"' % NT in msg and ">nt:cat</pet>" in msg,
         "an identityref written x:cat is stored and served as nt:cat", msg)

    # ---- with-defaults ----
    t.ok(WDCAP in a.server_caps, "hello: the with-defaults capability, basic mode explicit")
    t.ok(any(c.startswith(WD + "?module=ietf-netconf-with-defaults") for c in a.server_caps),
         "hello: ietf-netconf-with-defaults announced")
    # the rule list stays; rule zz gets action accept, equal to its default
    edit(a, "<rule><name>zz</name><action>accept</action></rule><pet2>nt:dog</pet2>",
         attrs=' xmlns:nt="%s"' % NT)
    # explicit: as stored
    tp = get_top(a, wd("explicit"))
    acts = {e.findtext("{%s}name" % NT): e.findtext("{%s}action" % NT)
            for e in tp.findall("{%s}rule" % NT)}
    t.ok(acts.get("zz") == "accept" and acts.get(rules[0]) is None and
         tp.find("{%s}level" % NT) is None, "explicit: what was written, defaults not added", acts)
    t.ok(ET.tostring(tp) == ET.tostring(get_top(a)), "explicit is what no parameter gives")
    # report-all
    tp = get_top(a, wd("report-all"))
    acts = {e.findtext("{%s}name" % NT): e.findtext("{%s}action" % NT)
            for e in tp.findall("{%s}rule" % NT)}
    t.ok(all(v == "accept" for v in acts.values()) and len(acts) == len(rules) + 1,
         "report-all: every rule has its action", acts)
    t.eq([e.text for e in tp.findall("{%s}level" % NT)], ["1", "2"],
         "report-all: leaf-list defaults")
    t.ok(tp.find("{%s}tcp-port" % NT) is None and tp.findtext("{%s}udp-port" % NT) == "53",
         "report-all: no default of a case other than the one with data")
    t.ok(tp.find("{%s}options" % NT) is None, "report-all: a presence container is not added")
    # report-all-tagged
    tp = get_top(a, wd("report-all-tagged"))
    tagged = {e.findtext("{%s}name" % NT): e.find("{%s}action" % NT).get("{%s}default" % WDA)
              for e in tp.findall("{%s}rule" % NT)}
    t.ok(all(v == "true" for v in tagged.values()),
         "report-all-tagged: added and stored defaults carry wd:default", tagged)
    t.ok(tp.find("{%s}pet2" % NT).get("{%s}default" % WDA) == "true" and
         tp.find("{%s}udp-port" % NT).get("{%s}default" % WDA) is None,
         "report-all-tagged: a stored default is tagged, another value is not")
    # trim
    tp = get_top(a, wd("trim"))
    t.ok(all(e.find("{%s}action" % NT) is None for e in tp.findall("{%s}rule" % NT)) and
         tp.find("{%s}pet2" % NT) is None and tp.findtext("{%s}udp-port" % NT) == "53",
         "trim: values equal to their default are left out")
    # after the case changes back: the default case's default
    edit(a, '<udp-port nc:operation="delete"/>')
    tp = get_top(a, wd("report-all"))
    t.eq(tp.findtext("{%s}tcp-port" % NT) if tp is not None else None, "80",
         "report-all: the default case's default when no case has data")
    # get and a filter
    tp = get_top(a, wd("report-all"), op="get")
    t.ok(tp is not None and [e.text for e in tp.findall("{%s}level" % NT)] == ["1", "2"],
         "get: report-all too")
    tp = get_top(a, '<filter type="subtree"><top xmlns="%s"><level/></top></filter>%s'
                 % (NT, wd("report-all")))
    t.ok(tp is not None and [e.text for e in tp.findall("{%s}level" % NT)] == ["1", "2"] and
         tp.find("{%s}rule" % NT) is None, "a filter selects defaults added by report-all")
    r = a.rpc("<get-config><source><running/></source>%s</get-config>" % wd("all-of-it"))
    e = NcRaw.errors(r)
    t.ok(e and e[0].get("error-tag") == "invalid-value", "an unknown mode: invalid-value", e)
    r = a.rpc("<copy-config><target><candidate/></target><source><running/></source>%s"
              "</copy-config>" % wd("report-all"))
    t.ok(NcRaw.ok(r), "copy-config takes with-defaults (datastores are copied as stored)")

    # ---- XPath names without a prefix, by the modules ----
    r = a.rpc('<edit-config><target><running/></target><config><other xmlns="urn:other">'
              '<pet2>not-a-pet</pet2></other></config></edit-config>')
    tp = get_top(a, '<filter type="xpath" select="/top/pet2"/>')
    t.ok(NcRaw.ok(r) and tp is not None and tp.findtext("{%s}pet2" % NT) == "nt:dog",
         "/top/pet2: pet2 is nchome-test's (only its module has one), though the data has two")
    # ---- issue 16: an entry named by another key is another entry ----
    # (with a module or without, at the top level too, for a merge of the
    # key alone too: keys first, never "the only node of that name")
    NTL = "urn:nchome:test-toplist"
    for where, ns, parent, keys in (
            ("top-level list of a module", NTL, None, ("eth1", "eth2", "eth0", "eth9")),
            ("top-level data no module has", "urn:nomodule", None, ("eth1", "eth2", "eth0", "eth9")),
            ("list nested in a module (pair)", NT, "top", ("11", "12", "10", "19")),
            ("list nested in data no module has", "urn:nomodule2", "box",
             ("eth1", "eth2", "eth0", "eth9"))):
        elem, key, more1, more2 = ("pair", "id", "<a>keep-me</a>", "<b>x</b>") if ns == NT else \
            ("interface", "name", "<description>keep-me</description>", "<enabled>true</enabled>")
        k1, k2, k0, k9 = keys
        kept = more1[1:more1.index(">")]

        def ent(k, more="", op="", elem=elem, key=key, ns=ns, parent=parent):
            x = '<%s%s%s><%s>%s</%s>%s</%s>' % (elem, "" if parent else ' xmlns="%s"' % ns,
                                                ' nc:operation="%s"' % op if op else "", key,
                                                k, key, more, elem)
            return '<%s xmlns="%s">%s</%s>' % (parent, ns, x, parent) if parent else x

        def ours(got, want):
            # nchome-test's seeded pair 1 stays: only this loop's keys count
            return got is not None and sorted(k for k in got if k != "1") == sorted(want)
        r = edit_cfg(a, ent(k1, more1))
        t.ok(NcRaw.ok(r) and ours(entries(a, ns, elem, parent), [k1]), "%s: %s added" % (where, k1),
             NcRaw.errors(r))
        for more, how in ((more2, "a merge of %s" % k2), ("", "a merge of %s's key alone" % k2)):
            r = edit_cfg(a, ent(k2, more))
            got = entries(a, ns, elem, parent)
            t.ok(NcRaw.ok(r) and ours(got, [k1, k2]) and got[k1].get(kept) == "keep-me",
                 "%s: %s adds it, %s kept with its data" % (where, how, k1),
                 (got, NcRaw.errors(r)))
            edit_cfg(a, ent(k2, op="delete"))
        for op in ("replace", "create"):
            r = edit_cfg(a, ent(k2, more2, op=op))
            got = entries(a, ns, elem, parent)
            t.ok(NcRaw.ok(r) and ours(got, [k1, k2]) and got[k1].get(kept) == "keep-me",
                 "%s: a %s of %s (only %s there) adds it, %s kept" % (where, op, k2, k1, k1),
                 (got, NcRaw.errors(r)))
            edit_cfg(a, ent(k2, op="delete"))
        edit_cfg(a, ent(k1, op="delete"))
        edit_cfg(a, ent(k9))
        r = edit_cfg(a, ent(k0, op="delete"))
        e = NcRaw.errors(r)
        got = entries(a, ns, elem, parent)
        t.ok(e and e[0].get("error-tag") == "data-missing" and ours(got, [k9]),
             "%s: a delete of %s (only %s there) -> data-missing, %s kept" % (where, k0, k9, k9),
             (e, got))
        if ns == NTL:
            t.eq(e[0].get("error-path") if e else None,
                 "/ntl:interface[ntl:name='eth0']", "%s: the error-path is the model's" % where)
        r = edit_cfg(a, ent(k9, op="delete"))
        t.ok(NcRaw.ok(r) and ours(entries(a, ns, elem, parent), []),
             "%s: a delete of %s deletes it" % (where, k9), NcRaw.errors(r))
    # ---- filtered replies carry the keys of a list nested in a module (RFC 7950
    # 7.8.5: with its keys, first, in the key statement's order), one entry too ----
    r = edit(a, '<route nc:operation="replace"><prefix>10.9.0.0/16</prefix><metric>3</metric>'
             '<nexthop>hop</nexthop></route>')
    for how, flt in (("subtree", '<filter type="subtree"><top xmlns="%s"><route><nexthop/>'
                      '</route></top></filter>' % NT),
                     ("XPath", '<filter type="xpath" xmlns:nt="%s" select="/nt:top/nt:route/'
                      'nt:nexthop"/>' % NT)):
        for op in ("get-config", "get"):
            tp = get_top(a, flt, op=op)
            rts = tp.findall("{%s}route" % NT) if tp is not None else []
            kids = [[c.tag.split("}")[-1] for c in e] for e in rts]
            t.ok(NcRaw.ok(r) and kids == [["prefix", "metric", "nexthop"]] and
                 rts[0].findtext("{%s}prefix" % NT) == "10.9.0.0/16" and
                 rts[0].findtext("{%s}metric" % NT) == "3",
                 "%s filter of a non-key leaf (%s), one-entry list with a composite key: both "
                 "keys, in the key statement's order" % (how, op),
                 (kids, NcRaw.errors(r), ET.tostring(tp) if tp is not None else None))
    # a list in a list, one entry each: every level with its key
    r = edit_cfg(a, '<interface xmlns="%s"><name>nest0</name><description>d</description>'
                 '<address><ip>192.0.2.1</ip><opts><prefix-length>24</prefix-length></opts>'
                 '</address></interface>' % NTL)
    for how, flt in (("subtree", '<filter type="subtree"><interface xmlns="%s"><address><opts>'
                      '<prefix-length/></opts></address></interface></filter>' % NTL),
                     ("XPath", '<filter type="xpath" xmlns:l="%s" select="/l:interface/'
                      'l:address/l:opts/l:prefix-length"/>' % NTL)):
        rep = a.rpc("<get-config><source><running/></source>%s</get-config>" % flt)
        d = rep.find(q("data")) if rep is not None else None
        ifs = d.findall("{%s}interface" % NTL) if d is not None else []
        shape = [([c.tag.split("}")[-1] for c in i],
                  [[c.tag.split("}")[-1] for c in ad] for ad in i.findall("{%s}address" % NTL)])
                 for i in ifs]
        t.ok(NcRaw.ok(r) and shape == [(["name", "address"], [["ip", "opts"]])],
             "%s filter of a leaf in a list in a list (one entry each): each entry with its "
             "key" % how, (shape, NcRaw.errors(r)))
    a.close()

    # ---- the log names data no module covers, at its first use (nchome-netconf(8)) ----
    p = subprocess.Popen([NETCONF, "-d", "-f", env.conf], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, USER=os.environ.get("USER", "root")))
    d = NcRaw(p)
    sessions.append(d)
    d.hello()
    r1 = edit_cfg(d, '<fresh xmlns="urn:fresh"><v>1</v></fresh>')
    r2 = edit_cfg(d, '<fresh xmlns="urn:fresh"><v>2</v></fresh>'
                  '<other xmlns="urn:other"><pet2>x</pet2></other>')
    d.close()
    log = p.stderr.read().decode()
    held = [x for x in log.splitlines() if "the datastore holds top-level data no YANG module" in x]
    brought = [x for x in log.splitlines() if "an edit brings top-level data no YANG module" in x]
    t.ok(NcRaw.ok(r1) and NcRaw.ok(r2) and len(held) == 1 and "{urn:other}other" in held[0] and
         "{urn:nomodule2}box" in held[0] and "urn:nchome" not in held[0] and
         "schema-less rules (nchome-netconf(8)" in held[0],
         "the first edit logs the datastore's top-level data no module covers, once", log)
    t.ok(len(brought) == 1 and "{urn:fresh}fresh" in brought[0] and "other" not in brought[0],
         "data an edit brings is logged when first edited, once per session", log)
finally:
    for s in sessions:
        s.kill()
    env.cleanup()
t.done()
