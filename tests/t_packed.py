#!/usr/bin/python3
"""Packed subtrees (subsystem/packed.c) come back exactly as stored.

Through the real sshd and nchome-netconf: data that mixes list entries,
empty leaves, leaf-lists, nested containers, text that needs escaping
(& < > " ' CR tab, edge spaces, non-ASCII), prefixed and default
namespaces, a child in another namespace, attributes, mixed content, an
entry over the 2048-byte packing limit, nesting deeper than 32 levels and
more than 200 entries (list index) is loaded with edit-config; then
get-config must return it exactly (order-preserving tree comparison of
names, namespaces, attributes, text and tails) in the same session, a new
one, after another session's edit (journal replay), through startup,
candidate, commit, discard-changes, delete-config; after edits inside
packed entries (kept in a Python model); through subtree and XPath
filters (results computed in Python); under a RELAX NG schema; and in the
raw running.xml and journal records; and running's shared form, which
new sessions answer from, byte for byte what a session's tree gives."""
import copy
import os
import random
import struct
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, wait_for  # noqa: E402
from ncraw import NS, NcRaw, kill_all, q  # noqa: E402

X = "urn:packed:x"
X2 = "urn:packed:x"   # the same URI under a second prefix
D = "urn:packed:d"
O = "urn:packed:other"
NCOP = 'xmlns:nc="%s"' % NS
NSMAP = {"x": X, "d": D, "o": O}

t = TAP()
env = SshEnv(name="nc-packed")
procs = []


# ---------------------------------------------------------------- helpers

def session(e=None):
    return NcRaw.session((e or env).netconf_over_ssh(), procs, timeout=30.0)


def esc(s, attr=False):
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if attr:
        s = s.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return s


tags = NcRaw.tags


def data_of(reply):
    if reply is None:
        return None
    return reply.find(q("data"))


def get_config(nc, ds="running", filt=""):
    return data_of(nc.rpc("<get-config><source><%s/></source>%s</get-config>" % (ds, filt)))


def edit(nc, body, ds="running", opts=""):
    return nc.rpc("<edit-config><target><%s/></target>%s<config>%s</config></edit-config>" % (ds, opts, body))


def first_diff(a, b, path=""):
    """None when elements a and b are equal (order, names, namespaces,
    attributes, text, tails); else where they differ."""
    here = "%s/%s" % (path, a.tag if a is not None else "?")
    if a is None or b is None:
        return "%s: missing element" % here
    if a.tag != b.tag:
        return "%s: tag %r != %r" % (here, a.tag, b.tag)
    if a.attrib != b.attrib:
        return "%s: attributes %r != %r" % (here, a.attrib, b.attrib)
    if (a.text or "") != (b.text or ""):
        return "%s: text %r != %r" % (here, a.text, b.text)
    for i, (x, y) in enumerate(zip(a, b)):
        d = first_diff(x, y, here + "[%d]" % i)
        if d:
            return d
        if (x.tail or "") != (y.tail or ""):
            return "%s[%d]: tail %r != %r" % (here, i, x.tail, y.tail)
    if len(a) != len(b):
        return "%s: %d children != %d" % (here, len(a), len(b))
    return None


def norm(el):
    """A <data>-like element: the top-level tails (between top nodes) dropped."""
    if el is None:
        return None
    out = ET.Element("data")
    for c in el:
        c = copy.deepcopy(c)
        c.tail = None
        out.append(c)
    return out


def check(got, want, desc):
    got = norm(got)
    d = "no <data> in the reply" if got is None else first_diff(got, norm(want))
    t.ok(d is None, desc, d)
    return d is None


# ---------------------------------------------------------------- the data

TEXTS = [
    "plain",
    "  leading and trailing  ",
    "amp & lt < gt > quot \" apos '",
    "cr\rcrlf\r\nlf\nend",
    "\ttab\tinside\t",
    "caf\u00e9 \u4e2d\u6587 \U0001F600 \u00e9",
    "X",            # the packed string's own token letters
    "E\x20T X",
    "]]>",
    "&amp; is not an entity here",
]
SPECIAL_KEY = "k&<>\"' \u00e9\u4e2d\U0001F600"
NITEMS = 210


def item_xml(i, key=None, v=None):
    key = key if key is not None else "k%d" % i
    v = v if v is not None else TEXTS[i % len(TEXTS)]
    s = "<x:item><x:name>%s</x:name><x:v>%s</x:v>" % (esc(key), esc(v))
    if i % 3 == 0:
        s += "<x:enabled/>"
    s += "<x:tag>t%da</x:tag><x:tag>t%db</x:tag>" % (i, i)
    s += "<x:c1><x:c2><x:c3><x:leaf>%d</x:leaf><x:e/></x:c3></x:c2><x:n>%d</x:n></x:c1>" % (i, i % 7)
    return s + "</x:item>"


def deep(levels, leaf):
    return "<x:n>" * levels + esc(leaf) + "</x:n>" * levels


BLOB = "".join("%04d:%s|" % (i, TEXTS[i % len(TEXTS)]) for i in range(120))   # > 2048 bytes


def x_top():
    parts = [item_xml(i) for i in range(NITEMS)]
    parts += [
        "<x:item><x:name>%s</x:name><x:v>special key</x:v></x:item>" % esc(SPECIAL_KEY),
        # a child in another namespace inside an entry
        '<x:item><x:name>foreign</x:name><o:sub xmlns:o="%s"><o:z>1</o:z><o:z>2</o:z></o:sub>'
        "<x:v>after foreign</x:v></x:item>" % O,
        # the same URI under another prefix
        '<x:item><x:name>otherprefix</x:name><y:v xmlns:y="%s">same uri</y:v><x:w>w</x:w></x:item>' % X2,
        # attributes on leaves, and on the entry itself
        '<x:item><x:name>leafattr</x:name><x:v unit="ms" x:q="1 &amp; &quot;2&quot;">5</x:v><x:w>w</x:w></x:item>',
        '<x:item xmlns:o="%s" o:mark="m1" plain="p &amp; &quot;q&quot; &lt;r&gt;"><x:name>rootattr</x:name>'
        "<x:v>r</x:v><x:c1><x:c2><x:leaf>rr</x:leaf></x:c2></x:c1></x:item>" % O,
        # mixed content
        "<x:item><x:name>mixed</x:name><x:desc>pre &amp; <x:b>bold</x:b>mid<x:i/>post\ttail</x:desc></x:item>",
        # CDATA, character references, a comment and a PI, white-space-only leaves
        "<x:item><x:name>lexical</x:name><x:v><![CDATA[<raw> & ]]]]><![CDATA[> x]]></x:v>"
        "<x:w>&#x1F600;&#233;&#x4E2D;&apos;&quot;</x:w><!-- a comment --><x:u>c<?pi data?>d</x:u>"
        "<x:s>   </x:s><x:s2>\t\n&#13;</x:s2></x:item>",
        '<x:item tab="a&#9;b&#10;c&#13;d" lt="&lt;&amp;&gt;"><x:name>attrws</x:name><x:v>v</x:v></x:item>',
        # mixed content that cannot be packed (a child in another namespace), a packed child after it
        '<x:item><x:name>mixed2</x:name><x:desc>pre<x:b>bold</x:b>post<o:f xmlns:o="%s">f</o:f>'
        "<x:sub><x:q>1</x:q><x:q>2</x:q></x:sub>end</x:desc><x:after><x:q>3</x:q></x:after></x:item>" % O,
        # bigger than a packed string may be
        "<x:item><x:name>big</x:name><x:v>%s</x:v><x:tag>bt</x:tag></x:item>" % esc(BLOB),
        "<x:item><x:name>edge</x:name><x:v>%s</x:v></x:item>" % ("e" * 2010),
        # deeper than a packed string may be, and just within
        "<x:item><x:name>deep40</x:name>%s</x:item>" % deep(40, "bottom & 40"),
        "<x:item><x:name>deep32</x:name>%s</x:item>" % deep(31, "bottom 32"),
        "<x:item><x:name>deep33</x:name>%s</x:item>" % deep(32, "bottom 33"),
    ]
    return '<x:top xmlns:x="%s">%s<x:count>%d</x:count></x:top>' % (X, "".join(parts), NITEMS)


def d_lists():
    ents = []
    for i in range(40):
        ents.append("<entry><id>%d</id><text>%s</text>%s<sub><deeper><leaf>%s</leaf></deeper></sub></entry>"
                    % (i, esc(TEXTS[(i + 3) % len(TEXTS)]), "<on/>" if i % 2 else "", esc(TEXTS[i % len(TEXTS)])))
    ents.append('<entry><id>nons</id><plain xmlns=""><q>1</q><q>2</q></plain><text>t</text></entry>')
    return ('<lists xmlns="%s">%s<bare xmlns=""><row><k>1</k><w>a &amp; b</w></row>'
            "<row><k>2</k><w/></row></bare></lists>" % (D, "".join(ents)))


def split(tag):
    return tag[1:].split("}", 1) if tag.startswith("{") else ("", tag)


def ser(e, parent_ns=None):
    """XML text of model element e, declaring each namespace change
    (xmlns="" too): ElementTree's own writer would leave a no-namespace
    element in the <rpc>'s default namespace, and writes CR raw."""
    ns, local = split(e.tag)
    s = "<" + local
    if ns != parent_ns:
        s += ' xmlns="%s"' % esc(ns, True)
    for i, (k, v) in enumerate(sorted(e.attrib.items())):
        ans, alocal = split(k)
        if ans:
            s += ' xmlns:a%d="%s" a%d:%s="%s"' % (i, esc(ans, True), i, alocal, esc(v, True))
        else:
            s += ' %s="%s"' % (alocal, esc(v, True))
    s += ">" + esc(e.text or "")
    for c in e:
        s += ser(c, ns) + esc(c.tail or "")
    return s + "</%s>" % local


def model_of(xml):
    return ET.fromstring('<data>%s</data>' % xml)


def find_item(m, key):
    for it in m.find("{%s}top" % X).findall("{%s}item" % X):
        if it.findtext("{%s}name" % X) == key:
            return it
    raise KeyError(key)


def journal_records(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, "rb") as f:
        buf = f.read()
    off = 0
    while off + 24 <= len(buf) and buf[off:off + 4] == b"NCJ1":
        (n,) = struct.unpack("<I", buf[off + 4:off + 8])
        out.append(buf[off + 24:off + 24 + n])
        off += 24 + n
    return out


def file_data(path):
    """running.xml's content as a <data> element (its root's children)."""
    with open(path, "rb") as f:
        root = ET.fromstring(f.read())
    out = ET.Element("data")
    for c in root:
        out.append(c)
    return out


# ------------------------------------------------- filters computed in Python

def py_keys(p, d):
    """The schema-less key rule (replykeys.c): d, next to a sibling of its tag, is a list
    entry keyed by its first child when that is a leaf."""
    if p is None:
        return []
    sibs = list(p)
    i = sibs.index(d)
    if not ((i > 0 and sibs[i - 1].tag == d.tag) or (i + 1 < len(sibs) and sibs[i + 1].tag == d.tag)):
        return []
    return [d[0]] if len(d) and not len(d[0]) else []


def py_subtree(fparent, dparent, outp, keys=()):
    """RFC 6241 6.2 on ElementTree, as a reference; list entries bring their keys."""
    added = 0
    for dc in dparent:
        sub = None
        for fc in fparent:
            kind = "contain" if len(fc) else ("content" if (fc.text or "").strip() else "select")
            if not f_match(fc, dc):
                continue
            if kind == "content":
                if (fc.text or "").strip() == (dc_text(dc)).strip():
                    sub = copy.deepcopy(dc)
            elif kind == "select":
                sub = copy.deepcopy(dc)
            else:
                n = ET.Element(dc.tag, dc.attrib)
                if py_contain(fc, dc, n, dparent):
                    sub = n
            if sub is not None:
                break
        if sub is not None:
            sub.tail = None
            outp.append(sub)
            added += 1
        elif any(dc is k for k in keys):
            k = copy.deepcopy(dc)
            k.tail = None
            outp.append(k)
    return added


def dc_text(e):
    return "".join(e.itertext())


def f_match(f, d):
    if f.tag.split("}")[-1] != d.tag.split("}")[-1]:
        return False
    if f.tag.startswith("{") and f.tag[1:].split("}")[0] not in ("", NS):
        if f.tag != d.tag:
            return False
    return all(d.get(k) == v for k, v in f.attrib.items())


def py_contain(f, d, n, p):
    cms = [fc for fc in f if not len(fc) and (fc.text or "").strip()]
    for cm in cms:
        if not any(f_match(cm, dc) and (cm.text or "").strip() == dc_text(dc).strip() for dc in d):
            return False
    if len(cms) == len(f):
        n.text = d.text
        for dc in d:
            n.append(copy.deepcopy(dc))
        return True
    return py_subtree(f, d, n, py_keys(p, d)) > 0


def py_filter(model, fxml):
    f = ET.fromstring('<filter xmlns="%s">%s</filter>' % (NS, fxml))
    out = ET.Element("data")
    py_subtree(f, model, out)
    return out


def py_xpath(model, nodes):
    """nodes: data elements selected; returns <data> with each node whole and its
    ancestors as childless copies, in document order."""
    parent = {c: p for p in model.iter() for c in p}
    order = {e: i for i, e in enumerate(model.iter())}
    wanted = set(nodes)
    out = ET.Element("data")
    copies = {model: out}
    brought = set()

    def out_for(e):
        if e in copies:
            return copies[e]
        p = out_for(parent[e])
        n = ET.SubElement(p, e.tag, e.attrib)
        copies[e] = n
        for k in py_keys(parent[e], e):
            kc = copy.deepcopy(k)
            kc.tail = None
            n.append(kc)
            brought.add(k)
        return n

    for e in sorted(wanted, key=lambda e: order[e]):
        a, inside = parent.get(e), False
        while a is not None:
            inside = inside or a in wanted
            a = parent.get(a)
        if inside:
            continue
        p = out_for(parent[e])
        if e in brought:
            continue
        c = copy.deepcopy(e)
        c.tail = None
        p.append(c)
    return out


def xpath_rpc(nc, sel):
    return get_config(nc, filt='<filter type="xpath" xmlns:x="%s" xmlns:s="urn:packed:s" select="%s"/>'
                      % (X, esc(sel, True)))


# ------------------------------------------------------------------- tests

try:
    full = x_top() + d_lists()
    model = model_of(full)
    a = session()
    r = edit(a, full)
    t.ok(NcRaw.ok(r), "edit-config loads the mixed data", ET.tostring(r)[:400] if r is not None else None)
    check(get_config(a), model, "get-config returns exactly what was stored (same session)")
    r = a.rpc("<get/>")
    got = data_of(r)
    if got is not None:   # state data (netconf-state) joins the configuration
        for ch in [ch for ch in got if ch.tag.split("}")[0][1:] not in (X, D)]:
            got.remove(ch)
    check(got, model, "get returns it exactly too")

    b = session()
    check(get_config(b), model, "a new session (running.xml reloaded) returns it exactly")

    # running's shared form (store/shared.c): b parsed running and wrote
    # it; a newer session answers from it, byte for byte what a tree gives
    def raw_get(nc):
        nc.send_msg(nc.rpc_text("<get-config><source><running/></source></get-config>", message_id="77"))
        return nc.read_msg()

    tree_bytes = raw_get(a)
    # b writes the form after its reply went out: wait for it
    t.ok(wait_for(lambda: os.path.exists(os.path.join(env.datastore_dir, "running.shared"))),
         "the new session left running's shared form")
    form_bytes = raw_get(session())
    t.ok(form_bytes == tree_bytes and form_bytes == raw_get(b),
         "a newer session's reply from the shared form is byte-exact with the trees'",
         (len(form_bytes or b""), len(tree_bytes or b"")))

    # ---- edits inside packed entries, with the model kept alongside ----
    def xtop(inner):
        return '<x:top xmlns:x="%s" %s>%s</x:top>' % (X, NCOP, inner)

    steps = []
    # merge a leaf change
    steps.append(("merge changes one leaf of an entry",
                  xtop("<x:item><x:name>k5</x:name><x:v>new &amp; &lt;value&gt; \u00e9&#13;</x:v></x:item>"),
                  lambda m: setattr(find_item(m, "k5").find("{%s}v" % X), "text", "new & <value> \u00e9\r")))

    def create_leaf(m):
        ET.SubElement(find_item(m, "k6"), "{%s}extra" % X).text = "E x"
    steps.append(("create adds a leaf to an entry",
                  xtop('<x:item><x:name>k6</x:name><x:extra nc:operation="create">E x</x:extra></x:item>'),
                  create_leaf))

    def delete_leaf(m):
        it = find_item(m, "k7")
        it.remove(it.find("{%s}v" % X))
    steps.append(("delete removes a leaf of an entry",
                  xtop('<x:item><x:name>k7</x:name><x:v nc:operation="delete"/></x:item>'), delete_leaf))

    def delete_ll(m):
        it = find_item(m, "k8")
        it.remove([c for c in it if c.text == "t8a"][0])
    steps.append(("delete of one leaf-list value",
                  xtop('<x:item><x:name>k8</x:name><x:tag nc:operation="delete">t8a</x:tag></x:item>'), delete_ll))

    def replace_entry(m):
        top_ = m.find("{%s}top" % X)
        old = find_item(m, "k9")
        new = ET.fromstring('<x:item xmlns:x="%s"><x:name>k9</x:name><x:v> replaced\t</x:v><x:enabled/>'
                            "<x:c1><x:n>9</x:n></x:c1></x:item>" % X)
        top_[list(top_).index(old)] = new
    steps.append(("replace of an entry",
                  xtop('<x:item nc:operation="replace"><x:name>k9</x:name><x:v> replaced\t</x:v><x:enabled/>'
                       "<x:c1><x:n>9</x:n></x:c1></x:item>"), replace_entry))

    def remove_entry(m):
        m.find("{%s}top" % X).remove(find_item(m, "k10"))
    steps.append(("remove of an entry",
                  xtop('<x:item nc:operation="remove"><x:name>k10</x:name></x:item>'), remove_entry))

    def deep_change(m):
        find_item(m, "k13").find("{%s}c1/{%s}c2/{%s}c3/{%s}leaf" % (X, X, X, X)).text = "changed <13>"
    steps.append(("merge three containers deep inside an entry",
                  # leaf is c3's first child: an operation on it, else it names another c3
                  xtop("<x:item><x:name>k13</x:name><x:c1><x:c2><x:c3>"
                       "<x:leaf nc:operation=\"merge\">changed &lt;13&gt;</x:leaf>"
                       "</x:c3></x:c2></x:c1></x:item>"), deep_change))

    def deep40_change(m):
        n = find_item(m, "deep40")
        for _ in range(40):
            n = n.find("{%s}n" % X)
        n.text = "new bottom \U0001F600"
    steps.append(("merge at the bottom of the 40-level entry",
                  # the bottom n is its parent's first leaf: an operation on it, else it names another n
                  xtop("<x:item><x:name>deep40</x:name>%s</x:item>" % deep(40, "new bottom \U0001F600").replace(
                      "<x:n>" * 40, "<x:n>" * 39 + '<x:n nc:operation="merge">', 1)),
                  deep40_change))

    def big_change(m):
        ET.SubElement(find_item(m, "big"), "{%s}tag" % X).text = "bt2"
    steps.append(("merge a leaf-list value into the big entry",
                  xtop("<x:item><x:name>big</x:name><x:tag>bt</x:tag><x:tag>bt2</x:tag></x:item>"), big_change))

    def new_entry(m):
        top_ = m.find("{%s}top" % X)
        top_.append(ET.fromstring(('<x:item xmlns:x="%s">' % X) + item_xml(999)[len("<x:item>"):]))
    steps.append(("merge of a new entry into the indexed list", xtop(item_xml(999)), new_entry))

    def foreign_change(m):
        # z is a leaf-list without schema: 1&1 matches none of 1, 2 (two of them): a new value
        ET.SubElement(find_item(m, "foreign").find("{%s}sub" % O), "{%s}z" % O).text = "1&1"
    steps.append(("merge inside the other-namespace child of an entry",
                  xtop('<x:item><x:name>foreign</x:name><o:sub xmlns:o="%s"><o:z>1&amp;1</o:z></o:sub>'
                       "</x:item>" % O), foreign_change))

    def mixed_change(m):
        find_item(m, "rootattr").find("{%s}v" % X).text = "r2"
    steps.append(("merge into the entry that carries attributes",
                  xtop("<x:item><x:name>rootattr</x:name><x:v>r2</x:v></x:item>"), mixed_change))

    def default_ns_change(m):
        ents = m.find("{%s}lists" % D).findall("{%s}entry" % D)
        e = [x for x in ents if x.findtext("{%s}id" % D) == "7"][0]
        e.find("{%s}sub/{%s}deeper/{%s}leaf" % (D, D, D)).text = "d7 \u4e2d"
    steps.append(("merge inside a default-namespace entry",
                  # leaf is deeper's first leaf: an operation on it, else it names another deeper
                  '<lists xmlns="%s"><entry><id>7</id><sub><deeper><leaf %s nc:operation="merge">d7 \u4e2d</leaf>'
                  '</deeper></sub></entry></lists>' % (D, NCOP),
                  default_ns_change))

    def bare2(m):
        ET.SubElement(m.find("{%s}lists" % D), "bare2").append(ET.fromstring("<k>1</k>"))
    steps.append(("merge of a new no-namespace child (xmlns=\"\") under a default-namespace node",
                  '<lists xmlns="%s"><bare2 xmlns=""><k>1</k></bare2></lists>' % D, bare2))

    def clear_leaf(m):
        find_item(m, "k42").find("{%s}v" % X).text = None
    steps.append(("merge of an empty leaf clears its text",
                  xtop("<x:item><x:name>k42</x:name><x:v/></x:item>"), clear_leaf))

    def replace_inner(m):
        it = find_item(m, "k43")
        old = it.find("{%s}c1" % X)
        new = ET.fromstring('<x:c1 xmlns:x="%s"><x:n>new &lt;n&gt;</x:n><x:X><x:T>E</x:T><x:E/></x:X>'
                            '<x:caf\u00e9>\u4e2d</x:caf\u00e9></x:c1>' % X)
        it[list(it).index(old)] = new
    steps.append(("replace of a container inside an entry (elements named X, T, E, non-ASCII)",
                  xtop('<x:item><x:name>k43</x:name><x:c1 nc:operation="replace"><x:n>new &lt;n&gt;</x:n>'
                       "<x:X><x:T>E</x:T><x:E/></x:X><x:caf\u00e9>\u4e2d</x:caf\u00e9></x:c1></x:item>"),
                  replace_inner))

    def delete_inner(m):
        it = find_item(m, "k44")
        it.remove(it.find("{%s}c1" % X))
    steps.append(("delete of a container inside an entry",
                  xtop('<x:item><x:name>k44</x:name><x:c1 nc:operation="delete"/></x:item>'), delete_inner))

    def create_inner(m):
        it = find_item(m, "k44")
        c1 = ET.SubElement(it, "{%s}c1" % X)
        ET.SubElement(ET.SubElement(c1, "{%s}c2" % X), "{%s}leaf" % X).text = "again"
    steps.append(("create of a container inside an entry",
                  xtop('<x:item><x:name>k44</x:name><x:c1 nc:operation="create"><x:c2><x:leaf>again</x:leaf>'
                       "</x:c2></x:c1></x:item>"), create_inner))

    def default_ns_edit(m):
        find_item(m, "k45").find("{%s}v" % X).text = "default ns edit"
        top_ = m.find("{%s}top" % X)
        it = ET.SubElement(top_, "{%s}item" % X)
        ET.SubElement(it, "{%s}name" % X).text = "new-default"
        ET.SubElement(it, "{%s}v" % X).text = "d"
        ET.SubElement(ET.SubElement(it, "{%s}c1" % X), "{%s}n" % X).text = "1"
    steps.append(("edit in the default namespace of data stored under a prefix",
                  '<top xmlns="%s"><item><name>k45</name><v>default ns edit</v></item>'
                  "<item><name>new-default</name><v>d</v><c1><n>1</n></c1></item></top>" % X, default_ns_edit))

    def other_prefix_edit(m):
        find_item(m, "k46").find("{%s}c1/{%s}n" % (X, X)).text = "y"
        it = ET.SubElement(m.find("{%s}top" % X), "{%s}item" % X)
        ET.SubElement(it, "{%s}name" % X).text = "new-y"
        ET.SubElement(it, "{%s}enabled" % X)
    steps.append(("edit under another prefix for the same namespace",
                  '<y:top xmlns:y="%s"><y:item><y:name>k46</y:name><y:c1><y:n>y</y:n></y:c1></y:item>'
                  "<y:item><y:name>new-y</y:name><y:enabled/></y:item></y:top>" % X, other_prefix_edit))

    def twice_new(m):
        m.find("{%s}top" % X).append(ET.fromstring(
            '<x:item xmlns:x="%s"><x:name>newdup</x:name><x:c1><x:n>1</x:n><x:m>2 &amp;</x:m></x:c1></x:item>' % X))
    # a new entry with an operation inside is built off the tree: the first
    # c1 goes in packed, the second (same first leaf) merges into it
    steps.append(("new entry built node by node, one container given twice",
                  xtop('<x:item><x:name>newdup</x:name><x:c1><x:n>1</x:n></x:c1>'
                       "<x:c1><x:n>1</x:n><x:m>2 &amp;</x:m></x:c1>"
                       '<x:tag>a</x:tag><x:tag nc:operation="delete">a</x:tag></x:item>'), twice_new))

    def mixed2_delete(m):
        d = find_item(m, "mixed2").find("{%s}desc" % X)
        b = d.find("{%s}b" % X)
        d.text = (d.text or "") + (b.tail or "")
        d.remove(b)
    steps.append(("delete inside mixed content leaves two texts side by side",
                  xtop('<x:item><x:name>mixed2</x:name><x:desc><x:b nc:operation="delete"/></x:desc></x:item>'),
                  mixed2_delete))

    for desc, body, fn in steps:
        r = edit(a, body)
        if NcRaw.ok(r):
            fn(model)
        check(get_config(a), model, desc + (" (reply: %s)" % tags(r) if not NcRaw.ok(r) else ""))

    # ---- edits of many packed entries at once ----
    items = [it for it in model.find("{%s}top" % X).findall("{%s}item" % X)
             if it.findtext("{%s}name" % X).startswith("k") and it.find("{%s}v" % X) is not None]
    every = "".join("<x:item><x:name>%s</x:name><x:v>bulk %d &amp; \u00e9</x:v></x:item>"
                    % (esc(it.findtext("{%s}name" % X)), i) for i, it in enumerate(items))
    for opt in ("rollback-on-error", "stop-on-error"):
        r = edit(a, xtop(every + '<x:item nc:operation="create"><x:name>k20</x:name></x:item>'),
                 opts="<error-option>%s</error-option>" % opt)
        t.eq(tags(r), ["data-exists"], "%s: %d entries changed, then a failure" % (opt, len(items)))
        check(get_config(a), model, "%s: all %d entries back as they were" % (opt, len(items)))
    r = edit(a, xtop(every))
    t.ok(NcRaw.ok(r), "merge changes a leaf in %d entries" % len(items), tags(r))
    for i, it in enumerate(items):
        it.find("{%s}v" % X).text = "bulk %d & \u00e9" % i
    check(get_config(a), model, "all %d entries changed exactly" % len(items))
    r = edit(a, xtop("".join('<x:item nc:operation="delete"><x:name>%s</x:name></x:item>'
                             % esc(it.findtext("{%s}name" % X)) for it in items[:5]) +
                     "<x:item><x:name>gone</x:name><x:v nc:operation=\"delete\"/></x:item>" +
                     '<x:item><x:name>k20</x:name><x:v>continued</x:v></x:item>'),
             opts="<error-option>continue-on-error</error-option>")
    t.eq(tags(r), ["data-missing"], "continue-on-error: deletes, a failure, a change")
    for it in items[:5]:
        model.find("{%s}top" % X).remove(it)
    # the missing entry is merged in, without the leaf whose delete failed
    ET.SubElement(ET.SubElement(model.find("{%s}top" % X), "{%s}item" % X), "{%s}name" % X).text = "gone"
    find_item(model, "k20").find("{%s}v" % X).text = "continued"
    check(get_config(a), model, "continue-on-error: the good parts applied exactly")

    # the same entry twice in one edit, then a failure: both undone
    r = edit(a, xtop("<x:item><x:name>k30</x:name><x:v>first</x:v></x:item>"
                     "<x:item><x:name>k30</x:name><x:tag>second</x:tag><x:tag>t30a</x:tag></x:item>"
                     '<x:item nc:operation="create"><x:name>k31</x:name></x:item>'),
             opts="<error-option>rollback-on-error</error-option>")
    t.eq(tags(r), ["data-exists"], "one entry edited twice, then a failure")
    check(get_config(a), model, "both edits of the entry undone")
    r = edit(a, xtop("<x:item><x:name>k30</x:name><x:v>first</x:v></x:item>"
                     "<x:item><x:name>k30</x:name><x:tag>t30a</x:tag><x:tag>second</x:tag></x:item>"))
    find_item(model, "k30").find("{%s}v" % X).text = "first"
    ET.SubElement(find_item(model, "k30"), "{%s}tag" % X).text = "second"
    check(get_config(a), model, "one entry edited twice in one edit (%s)" % tags(r))

    # an entry grows past the packing limit, a leaf gets attributes: they stay unpacked
    grow = "g" * 2100
    r = edit(a, xtop("<x:item><x:name>k32</x:name><x:v>%s</x:v></x:item>"
                     '<x:item><x:name>k33</x:name><x:v nc:operation="replace" unit="s" x:q="&amp;">9</x:v></x:item>'
                     '<x:item nc:operation="create"><x:name>k34</x:name></x:item>' % grow),
             opts="<error-option>rollback-on-error</error-option>")
    check(get_config(a), model, "growing and attribute edits rolled back (%s)" % tags(r))
    r = edit(a, xtop("<x:item><x:name>k32</x:name><x:v>%s</x:v></x:item>"
                     '<x:item><x:name>k33</x:name><x:v nc:operation="replace" unit="s" x:q="&amp;">9</x:v></x:item>'
                     % grow))
    find_item(model, "k32").find("{%s}v" % X).text = grow
    it33 = find_item(model, "k33")
    old = it33.find("{%s}v" % X)
    nv = ET.Element("{%s}v" % X, {"unit": "s", "{%s}q" % X: "&"})
    nv.text = "9"
    it33[list(it33).index(old)] = nv
    check(get_config(a), model, "an entry grown past 2048 bytes and a leaf with attributes (%s)" % tags(r))
    r = edit(a, xtop("<x:item><x:name>k32</x:name><x:v>short again</x:v></x:item>"))
    find_item(model, "k32").find("{%s}v" % X).text = "short again"
    check(get_config(a), model, "the grown entry shrinks again")

    # a top-level container that is packed whole
    r = edit(a, '<sys xmlns="urn:packed:s"><hostname>h &amp; &lt;1&gt;</hostname><on/>'
                "<dns><server>a</server><server>b</server></dns></sys>")
    model.append(ET.fromstring('<sys xmlns="urn:packed:s"><hostname>h &amp; &lt;1&gt;</hostname><on/>'
                               "<dns><server>a</server><server>b</server></dns></sys>"))
    check(get_config(a), model, "a packed top-level container (%s)" % tags(r))
    # hostname is sys's first leaf: an operation on it, else it names another sys
    r = edit(a, '<sys xmlns="urn:packed:s"><hostname %s nc:operation="merge">h2</hostname></sys>' % NCOP)
    model.find("{urn:packed:s}sys/{urn:packed:s}hostname").text = "h2"
    check(get_config(a), model, "merge into a packed top-level container (%s)" % tags(r))

    # an entry with 40 leaf-list values: the entry itself gets a list index while edited
    many = "".join("<x:tag>m%02d</x:tag>" % i for i in range(40))
    r = edit(a, xtop("<x:item><x:name>many</x:name>%s</x:item>" % many))
    it = ET.SubElement(model.find("{%s}top" % X), "{%s}item" % X)
    ET.SubElement(it, "{%s}name" % X).text = "many"
    for i in range(40):
        ET.SubElement(it, "{%s}tag" % X).text = "m%02d" % i
    check(get_config(a), model, "an entry with 40 leaf-list values (%s)" % tags(r))
    r = edit(a, xtop('<x:item><x:name>many</x:name><x:tag nc:operation="delete">m07</x:tag><x:tag>m40</x:tag>'
                     '<x:tag nc:operation="create">m39</x:tag></x:item>'))
    t.eq(tags(r), ["data-exists"], "edit of the 40-value entry, then a failure")
    check(get_config(a), model, "the 40-value entry back as it was")
    r = edit(a, xtop('<x:item><x:name>many</x:name><x:tag nc:operation="delete">m07</x:tag><x:tag>m40</x:tag>'
                     '<x:tag>m39</x:tag></x:item>'))
    it.remove([c for c in it if c.text == "m07"][0])
    ET.SubElement(it, "{%s}tag" % X).text = "m40"
    check(get_config(a), model, "delete and add values in the 40-value entry (%s)" % tags(r))

    # errors: nothing changes
    r = edit(a, xtop('<x:item nc:operation="create"><x:name>k11</x:name></x:item>'))
    t.eq(tags(r), ["data-exists"], "create of an existing packed entry -> data-exists")
    check(get_config(a), model, "data-exists changed nothing")
    r = edit(a, xtop('<x:item nc:operation="delete"><x:name>nope</x:name></x:item>'))
    t.eq(tags(r), ["data-missing"], "delete of a missing entry -> data-missing")
    r = edit(a, xtop('<x:item><x:name>k11</x:name><x:v nc:operation="delete"/><x:v nc:operation="delete"/></x:item>'))
    check(get_config(a), model, "a failing delete inside an entry changed nothing (%s)" % tags(r))
    r = edit(a, xtop("<x:item><x:name>k11</x:name><x:v>test only</x:v></x:item>"),
             opts="<test-option>test-only</test-option>")
    t.ok(NcRaw.ok(r), "test-only edit accepted")
    check(get_config(a), model, "test-only changed nothing")
    r = edit(a, xtop("<x:item><x:name>k11</x:name><x:v>rolled back</x:v><x:tag>t11c</x:tag></x:item>"
                     '<x:item nc:operation="create"><x:name>k12</x:name></x:item>'),
             opts="<error-option>rollback-on-error</error-option>")
    t.eq(tags(r), ["data-exists"], "rollback-on-error with a failing second part")
    check(get_config(a), model, "rollback-on-error: the first part inside an entry was undone")

    # ---- the same data across every path ----
    check(get_config(b), model, "another session sees the edits (journal replay)")
    r = edit(b, xtop("<x:item><x:name>k14</x:name><x:v>from b</x:v></x:item>"))
    find_item(model, "k14").find("{%s}v" % X).text = "from b"
    t.ok(NcRaw.ok(r), "second session edits an entry")
    check(get_config(a), model, "first session after the second session's edit")
    c = session()
    check(get_config(c), model, "a third, new session")
    t.ok(raw_get(session()) == raw_get(a), "and the form it wrote, byte-exact with the first session's tree")
    # journal records parse and hold the special text as sent
    recs = journal_records(os.path.join(env.datastore_dir, "running.journal"))
    good = 0
    for rec in recs:
        try:
            ET.fromstring(rec)
            good += 1
        except ET.ParseError:
            pass
    t.ok(recs and good == len(recs), "every journal record is well-formed XML (%d of %d)" % (good, len(recs)))

    r = a.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    t.ok(NcRaw.ok(r), "copy-config running -> startup")
    check(get_config(b, "startup"), model, "get-config startup (another session)")
    check(get_config(session(), "startup"), model, "get-config startup (a new session)")
    p = os.path.join(env.datastore_dir, "startup.xml")
    check(file_data(p), model, "startup.xml equals the data")

    # copy-config of the whole data inline
    r = a.rpc("<copy-config><target><startup/></target><source><config>%s</config></source></copy-config>"
              % "".join(ser(ch) for ch in model))
    t.ok(NcRaw.ok(r), "copy-config of the data inline to startup", tags(r))
    check(get_config(b, "startup"), model, "get-config startup after an inline copy-config")
    check(file_data(p), model, "startup.xml after an inline copy-config")

    r = edit(a, xtop("<x:item><x:name>k47</x:name><x:v>not in startup</x:v></x:item>"))
    r = a.rpc("<copy-config><target><running/></target><source><startup/></source></copy-config>")
    t.ok(NcRaw.ok(r), "copy-config startup -> running", tags(r))
    check(get_config(b), model, "running equals startup again")

    # confirmed commit, cancelled: running back exactly
    r = edit(a, xtop('<x:item nc:operation="remove"><x:name>k48</x:name></x:item>'
                     "<x:item><x:name>k49</x:name><x:v>to cancel</x:v></x:item>"), ds="candidate")
    r = a.rpc("<commit><confirmed/><confirm-timeout>60</confirm-timeout></commit>")
    t.ok(NcRaw.ok(r), "confirmed commit", tags(r))
    r = a.rpc("<cancel-commit/>")
    t.ok(NcRaw.ok(r), "cancel-commit", tags(r))
    check(get_config(b), model, "running exact after cancel-commit")

    # candidate edit + commit
    check(get_config(a, "candidate"), model, "candidate equals running")
    r = edit(a, xtop('<x:item><x:name>k15</x:name><x:v>cand &amp; \u00e9</x:v></x:item>'
                     '<x:item nc:operation="delete"><x:name>k16</x:name></x:item>'), ds="candidate")
    t.ok(NcRaw.ok(r), "candidate edit inside entries")
    cmodel = copy.deepcopy(model)
    find_item(cmodel, "k15").find("{%s}v" % X).text = "cand & \u00e9"
    cmodel.find("{%s}top" % X).remove(find_item(cmodel, "k16"))
    check(get_config(b, "candidate"), cmodel, "another session sees the candidate exactly")
    check(get_config(b), model, "running unchanged before commit")
    r = b.rpc("<commit/>")
    t.ok(NcRaw.ok(r), "commit")
    model = cmodel
    check(get_config(a), model, "running after commit (the other session)")
    check(get_config(session()), model, "running after commit (a new session)")
    running = os.path.join(env.datastore_dir, "running.xml")
    check(file_data(running), model, "running.xml equals get-config after commit")

    r = edit(a, xtop('<x:item nc:operation="replace"><x:name>k17</x:name></x:item>'), ds="candidate")
    r = b.rpc("<discard-changes/>")
    t.ok(NcRaw.ok(r), "discard-changes")
    check(get_config(a, "candidate"), model, "candidate after discard-changes equals running")
    r = a.rpc("<delete-config><target><startup/></target></delete-config>")
    t.ok(NcRaw.ok(r), "delete-config startup")
    check(get_config(b, "startup"), ET.Element("data"), "startup empty after delete-config")
    check(get_config(b), model, "running intact after delete-config startup")

    # default-operation replace with the whole (edited) data: same data again
    body = "".join(ser(ch) for ch in model)
    r = edit(a, body, opts="<default-operation>replace</default-operation>")
    t.ok(NcRaw.ok(r), "default-operation replace with the data as get-config gave it")
    check(get_config(b), model, "default-operation replace round trip")
    small = xtop("<x:item><x:name>only</x:name><x:v>one</x:v></x:item>")
    r = edit(a, small, opts="<default-operation>replace</default-operation>")
    check(get_config(b), model_of('<x:top xmlns:x="%s"><x:item><x:name>only</x:name><x:v>one</x:v></x:item></x:top>' % X),
          "default-operation replace with one entry leaves only it")
    r = edit(a, body, opts="<default-operation>replace</default-operation>")
    check(get_config(b), model, "and back")

    # ---- subtree filters ----
    def fcheck(fxml, desc, nc=None):
        got = get_config(nc or a, filt='<filter type="subtree">%s</filter>' % fxml)
        want = py_filter(model, fxml)
        if len(want) == 0:
            t.diag("python filter selects nothing for " + desc)
        check(got, want, desc)

    fx = '<x:top xmlns:x="%s">%%s</x:top>' % X
    fcheck(fx % "<x:item><x:name>k17</x:name></x:item>", "subtree: content match on a key leaf")
    fcheck(fx % ("<x:item><x:name>%s</x:name></x:item>" % esc(SPECIAL_KEY)), "subtree: content match on a key that needs escaping")
    fcheck(fx % "<x:item><x:v/></x:item>", "subtree: one leaf from every entry")
    fcheck(fx % "<x:item><x:name/><x:c1><x:n/></x:c1></x:item>", "subtree: key and a nested leaf from every entry")
    fcheck(fx % "<x:item><x:name>k40</x:name><x:tag>t40a</x:tag><x:c1/></x:item>",
           "subtree: containment with two content matches and a selection")
    fcheck(fx % "<x:item><x:name>k40</x:name><x:tag>t40a</x:tag></x:item>",
           "subtree: two content matches only (whole entry)")
    fcheck(fx % "<x:item><x:name>k40</x:name><x:tag>t41a</x:tag></x:item>",
           "subtree: two content matches, one failing (nothing)")
    fcheck(fx % '<x:item plain="p &amp; &quot;q&quot; &lt;r&gt;"/>', "subtree: attribute match on an entry")
    fcheck(fx % '<x:item><x:v unit="ms"/></x:item>', "subtree: attribute match on a leaf")
    fcheck(fx % "<x:item><x:c1><x:c2><x:c3><x:leaf>20</x:leaf></x:c3></x:c2></x:c1></x:item>",
           "subtree: content match three levels inside entries")
    fcheck('<lists xmlns="%s"><entry><id>3</id></entry><bare xmlns=""/></lists>' % D,
           "subtree: default namespace and no namespace")
    fcheck(fx % "<x:item><x:name>mixed</x:name><x:desc/></x:item>", "subtree: mixed content")
    fcheck(fx % "<x:item><x:desc>pre &amp; boldmidpost\ttail</x:desc></x:item>",
           "subtree: content match on mixed content")
    fcheck(fx % "<x:item><x:tag>t41b</x:tag></x:item>", "subtree: content match on a second leaf-list value")
    fcheck(fx % "<x:item><x:c1><x:n>3</x:n></x:c1></x:item>", "subtree: containment inside entries")
    fcheck('<lists xmlns="%s"><entry><text>leading and trailing</text><id/></entry></lists>' % D,
           "subtree: content match ignores surrounding white space")
    fcheck('<top><item><name>k41</name></item></top>', "subtree: filter nodes in no namespace match any")
    fcheck(fx % "<x:item><x:name>k41</x:name><x:nosuch>1</x:nosuch></x:item>",
           "subtree: content match on a leaf no entry has")
    fcheck(fx % "<x:item><x:name>deep40</x:name></x:item>", "subtree: the 40-level entry")

    fcheck('<sys xmlns="urn:packed:s"><dns/></sys>', "subtree: one container of a packed top-level node")
    fcheck('<sys xmlns="urn:packed:s"><dns><server>b</server></dns></sys>',
           "subtree: content match two levels into a packed top-level node")

    # ---- XPath filters ----
    mtop = model.find("{%s}top" % X)
    items = mtop.findall("{%s}item" % X)
    xp = [
        ("/x:top/x:item[x:name='k5']/x:v",
         [c for it in items if it.findtext("{%s}name" % X) == "k5" for c in it.findall("{%s}v" % X)]),
        ("//x:v", [e for e in model.iter("{%s}v" % X)]),
        ("/x:top/x:item[count(x:tag)=2]/x:name",
         [it.find("{%s}name" % X) for it in items if len(it.findall("{%s}tag" % X)) == 2]),
        ("/x:top/x:item[x:c1/x:n='3']",
         [it for it in items if any(n.text == "3" for n in it.findall("{%s}c1/{%s}n" % (X, X)))]),
        ("/x:top/x:item[x:name='mixed']/x:desc/x:b", [find_item(model, "mixed").find("{%s}desc/{%s}b" % (X, X))]),
        ("/x:top/x:item[@plain]", [it for it in items if "plain" in it.attrib]),
        ("/x:top/x:item[contains(x:v, 'tab')]",
         [it for it in items if "tab" in (it.findtext("{%s}v" % X) or "")]),
    ]
    xp += [
        ("//x:v/text()", [e for e in model.iter("{%s}v" % X) if e.text]),
        ("//@plain", [it for it in items if "plain" in it.attrib]),
        ("//x:X", [e for e in model.iter("{%s}X" % X)]),
        ("//s:server[.='b']", [e for e in model.iter("{urn:packed:s}server") if e.text == "b"]),
        ("/x:top/x:item[x:name='many']/x:tag[position() > 37]",
         find_item(model, "many").findall("{%s}tag" % X)[37:]),
    ]
    for sel, nodes in xp:
        check(xpath_rpc(a, sel), py_xpath(model, nodes), "xpath %s (%d nodes)" % (sel, len(nodes)))
    check(get_config(a), model, "whole data exact after the filters (repacked)")

    # ---- raw files after an edit ----
    r = edit(a, xtop("<x:item><x:name>k18</x:name><x:v>file check \u00e9 &amp;&#13;</x:v></x:item>"))
    find_item(model, "k18").find("{%s}v" % X).text = "file check \u00e9 &\r"
    check(get_config(b), model, "edit before reading the files")
    recs = journal_records(os.path.join(env.datastore_dir, "running.journal"))
    try:
        last = ET.fromstring(recs[-1]) if recs else None
    except ET.ParseError as ex:
        last = None
        t.diag("last journal record: %r" % ex)
    t.ok(last is not None and [v.text for v in last.iter("{%s}v" % X)] == ["file check \u00e9 &\r"],
         "the journal record of that edit holds the text exactly", recs[-1][:300] if recs else None)
    # an edit as big as the datastore is not journaled: running.xml is rewritten
    find_item(model, "k19").find("{%s}v" % X).text = "whole \u00e9 <edit>"
    pad = ET.SubElement(model, "{urn:packed:pad}pad")
    for i in range(400):
        row = ET.SubElement(pad, "{urn:packed:pad}row")
        ET.SubElement(row, "{urn:packed:pad}id").text = "p%d" % i
        ET.SubElement(row, "{urn:packed:pad}val").text = TEXTS[i % len(TEXTS)] + " padding padding padding"
    body = "".join(ser(ch) for ch in model)
    r = edit(a, body)
    t.ok(NcRaw.ok(r), "merge of the whole data with one change", tags(r))
    recs = journal_records(os.path.join(env.datastore_dir, "running.journal"))
    t.eq(len(recs), 0, "running.xml rewritten, journal empty (%d bytes of edit)" % len(body))
    check(file_data(running), model, "running.xml after an edit equals the data")
    check(get_config(b), model, "get-config after that edit equals the data")
    r = edit(a, xtop("<x:item><x:name>k19</x:name><x:v>commit file</x:v></x:item>"), ds="candidate")
    r = a.rpc("<commit/>")
    find_item(model, "k19").find("{%s}v" % X).text = "commit file"
    t.ok(NcRaw.ok(r), "commit of a candidate edit")
    check(get_config(session()), model, "a new session after that commit")
    check(get_config(b), model, "another session after that commit")

    # ---- random edits inside packed entries against the model ----
    rng = random.Random(int(os.environ.get("PACKED_SEED", "1128")))
    t.diag("random edits with PACKED_SEED=%s" % os.environ.get("PACKED_SEED", "1128"))
    top_m = model.find("{%s}top" % X)
    serial = [0]

    def entries():
        return [it for it in top_m.findall("{%s}item" % X)
                if (it.findtext("{%s}name" % X) or "").startswith(("k", "r"))]

    def rnd_text():
        serial[0] += 1
        return rng.choice(TEXTS) + " #%d" % serial[0]

    def op_set_v(m_it, key):
        v = rnd_text()
        e = m_it.find("{%s}v" % X)
        if e is None:
            e = ET.SubElement(m_it, "{%s}v" % X)
        e.text = v
        return "<x:item><x:name>%s</x:name><x:v>%s</x:v></x:item>" % (esc(key), esc(v))

    def op_delete_v(m_it, key):
        e = m_it.find("{%s}v" % X)
        if e is None:
            return None
        m_it.remove(e)
        return '<x:item><x:name>%s</x:name><x:v nc:operation="delete"/></x:item>' % esc(key)

    def op_replace_c1(m_it, key):
        n = rnd_text()
        new = ET.Element("{%s}c1" % X)
        ET.SubElement(ET.SubElement(new, "{%s}c2" % X), "{%s}leaf" % X).text = n
        old = m_it.find("{%s}c1" % X)
        if old is None:
            m_it.append(new)
        else:
            m_it[list(m_it).index(old)] = new
        return ('<x:item><x:name>%s</x:name><x:c1 nc:operation="replace"><x:c2><x:leaf>%s</x:leaf></x:c2></x:c1>'
                "</x:item>" % (esc(key), esc(n)))

    def op_remove(m_it, key):
        top_m.remove(m_it)
        return '<x:item nc:operation="remove"><x:name>%s</x:name></x:item>' % esc(key)

    def op_new(m_it, key):
        serial[0] += 1
        key = "r%d" % serial[0]
        v = rnd_text()
        xml = ('<x:item><x:name>%s</x:name><x:v>%s</x:v><x:c1><x:c2><x:leaf>%d</x:leaf></x:c2></x:c1></x:item>'
               % (esc(key), esc(v), serial[0]))
        top_m.append(ET.fromstring('<r xmlns:x="%s">%s</r>' % (X, xml))[0])
        return xml

    def op_tags(m_it, key):
        have = [e.text for e in m_it.findall("{%s}tag" % X)]
        new = ["n%d" % (serial[0] + 1), "n%d" % (serial[0] + 2)]
        serial[0] += 2
        send = ([have[0]] if have else [new[1]]) + new[:1]
        for v in send:
            if v not in have:
                ET.SubElement(m_it, "{%s}tag" % X).text = v
                have.append(v)
        return "<x:item><x:name>%s</x:name>%s</x:item>" % (esc(key), "".join("<x:tag>%s</x:tag>" % v for v in send))

    def op_twice(m_it, key):
        first, second = rnd_text(), rnd_text()
        e = m_it.find("{%s}v" % X)
        if e is None:
            e = ET.SubElement(m_it, "{%s}v" % X)
        e.text = second
        return ("<x:item><x:name>%s</x:name><x:v>%s</x:v></x:item><x:item><x:name>%s</x:name><x:v>%s</x:v></x:item>"
                % (esc(key), esc(first), esc(key), esc(second)))

    ops = [op_set_v, op_set_v, op_delete_v, op_replace_c1, op_remove, op_new, op_tags, op_twice]
    bad_random = 0
    for step in range(60):
        before = copy.deepcopy(model)
        picked = rng.sample(entries(), 3)
        parts = []
        for m_it in picked:
            frag = rng.choice(ops)(m_it, m_it.findtext("{%s}name" % X))
            if frag:
                parts.append(frag)
        fail = rng.random() < 0.25
        if fail:
            live = entries()[0].findtext("{%s}name" % X)
            parts.append('<x:item nc:operation="create"><x:name>%s</x:name></x:item>' % esc(live))
        ds = "candidate" if rng.random() < 0.2 else "running"
        who = a if rng.random() < 0.6 else b
        r = edit(who, xtop("".join(parts)), ds=ds,
                 opts="<error-option>rollback-on-error</error-option>" if fail else "")
        if fail:
            model.clear()
            model.extend(list(before))
            top_m = model.find("{%s}top" % X)
        ok_ = (tags(r) == ["data-exists"]) if fail else NcRaw.ok(r)
        if ok_ and ds == "candidate" and not fail:
            ok_ = NcRaw.ok(who.rpc("<commit/>"))
        got = get_config(b if step % 2 else a)
        d = "no data" if got is None else first_diff(norm(got), norm(model))
        if not ok_ or d:
            bad_random += 1
            t.diag("random step %d (%s, fail=%s): reply %s, %s" % (step, ds, fail, tags(r), d))
            t.diag("edit was: %s" % xtop("".join(parts))[:600])
            break
    t.ok(bad_random == 0, "60 random edits inside packed entries, compared after each")
    bad_filters = []
    for i in range(8):
        key = rng.choice(entries()).findtext("{%s}name" % X)
        kind = i % 4
        if kind == 0:
            fxml = fx % ("<x:item><x:name>%s</x:name></x:item>" % esc(key))
        elif kind == 1:
            fxml = fx % ("<x:item><x:name>%s</x:name><x:v/><x:tag/></x:item>" % esc(key))
        elif kind == 2:
            fxml = fx % "<x:item><x:name/><x:c1><x:c2/></x:c1></x:item>"
        else:
            fxml = fx % ("<x:item><x:name>%s</x:name><x:c1><x:c2><x:leaf/></x:c2></x:c1></x:item>" % esc(key))
        got = get_config(a, filt='<filter type="subtree">%s</filter>' % fxml)
        d = "no data" if got is None else first_diff(norm(got), norm(py_filter(model, fxml)))
        if d:
            bad_filters.append((fxml, d))
    t.ok(not bad_filters, "subtree filters after the random edits match the model", bad_filters[:2])
    check(get_config(session()), model, "a new session after the random edits")

    for s in (a, b, c):
        t.eq(s.close(), 0, "session %d ends with status 0 (no sanitizer report)" % s.session_id)

    # ---- RELAX NG schema: invalid data inside entries, then valid ----
    SCHEMA = """<grammar xmlns="http://relaxng.org/ns/structure/1.0"
  xmlns:nma="urn:ietf:params:xml:ns:netmod:dsdl-annotations:1"
  datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
 <start><element name="config" ns="%s"><interleave>
  <optional><element name="rules" ns="%s">
   <zeroOrMore><element name="rule" nma:key="proto port">
     <element name="label"><text/></element>
     <element name="proto"><text/></element>
     <element name="port"><data type="unsignedShort"/></element>
     <optional><element name="action"><text/></element></optional>
   </element></zeroOrMore>
  </element></optional>
  <optional><element name="top" ns="%s">
   <zeroOrMore><element name="item" nma:key="name">
     <element name="name"><text/></element>
     <optional><element name="v"><text/></element></optional>
     <optional><element name="enabled"><empty/></element></optional>
     <zeroOrMore><element name="tag"><text/></element></zeroOrMore>
     <optional><element name="c1"><element name="c2"><element name="c3">
       <element name="leaf"><data type="unsignedShort"/></element>
       <optional><element name="e"><empty/></element></optional>
     </element></element><optional><element name="n"><data type="int"/></element></optional></element></optional>
   </element></zeroOrMore>
  </element></optional>
 </interleave></element></start>
</grammar>""" % (NS, X, X)
    senv = SshEnv(name="nc-packed-schema")
    schema = os.path.join(senv.dir, "schema.rng")
    with open(schema, "w") as f:
        f.write(SCHEMA)
    senv.netconf_conf = '  schema = "%s"' % schema
    senv.write_nchome_conf("")
    sdata = '<x:top xmlns:x="%s">%s</x:top>' % (X, "".join(item_xml(i) for i in range(40)))
    smodel = model_of(sdata)
    s1 = session(senv)
    r = edit(s1, sdata)
    t.ok(NcRaw.ok(r), "valid data under a schema", tags(r))
    check(get_config(s1), smodel, "schema: data exact")
    # leaf is c3's first child: an operation on it, else it names another c3
    bad = ('<x:top xmlns:x="%s" %s><x:item><x:name>k21</x:name><x:c1><x:c2><x:c3>'
           '<x:leaf nc:operation="merge">notanumber</x:leaf>'
           "</x:c3></x:c2></x:c1></x:item></x:top>" % (X, NCOP))
    r = edit(s1, bad)
    t.eq(tags(r), ["invalid-value"], "schema: invalid leaf deep inside an entry refused in running")
    check(get_config(s1), smodel, "schema: running unchanged")
    r = edit(s1, bad, ds="candidate")
    r = s1.rpc("<validate><source><candidate/></source></validate>")
    t.eq(tags(r), ["invalid-value"], "schema: validate of a candidate invalid inside an entry")
    r = s1.rpc("<commit/>")
    t.eq(tags(r), ["invalid-value"], "schema: commit of it fails")
    check(get_config(s1), smodel, "schema: running unchanged after the failed commit")
    good_ = bad.replace("notanumber", "4242")
    r = edit(s1, good_, ds="candidate")
    r = s1.rpc("<validate><source><candidate/></source></validate>")
    t.ok(NcRaw.ok(r), "schema: validate after the fix", tags(r))
    r = s1.rpc("<commit/>")
    t.ok(NcRaw.ok(r), "schema: commit after the fix", tags(r))
    find_item(smodel, "k21").find("{%s}c1/{%s}c2/{%s}c3/{%s}leaf" % (X, X, X, X)).text = "4242"
    check(get_config(s1), smodel, "schema: running exact after the commit")
    check(get_config(session(senv)), smodel, "schema: a new session sees it exactly")
    r = s1.rpc('<validate><source><config><x:top xmlns:x="%s">%s</x:top></config></source></validate>'
               % (X, item_xml(3).replace("<x:leaf>3</x:leaf>", "<x:leaf>-3</x:leaf>")))
    t.eq(tags(r), ["invalid-value"], "schema: validate of an inline config invalid inside an entry")

    # composite schema keys that are not the first leaves; every label the same
    def rule(proto, port, action=None):
        return ("<x:rule><x:label>same &amp; label</x:label><x:proto>%s</x:proto><x:port>%d</x:port>%s</x:rule>"
                % (proto, port, "<x:action>%s</x:action>" % action if action else ""))

    def rules(inner):
        return '<x:rules xmlns:x="%s" %s>%s</x:rules>' % (X, NCOP, inner)

    def find_rule(m, proto, port):
        for ru in m.find("{%s}rules" % X):
            if ru.findtext("{%s}proto" % X) == proto and ru.findtext("{%s}port" % X) == str(port):
                return ru
        raise KeyError((proto, port))

    rdata = "".join(rule(("tcp", "udp")[i % 2], 1000 + i // 2, "accept" if i % 3 else None) for i in range(40))
    r = edit(s1, rules(rdata))
    t.ok(NcRaw.ok(r), "schema: 40 rules keyed by proto and port", tags(r))
    rmodel = model_of(rules(rdata))
    smodel.append(rmodel[0])

    def set_action(m, proto, port, v):
        ru = find_rule(m, proto, port)
        a_ = ru.find("{%s}action" % X)
        if a_ is None:
            a_ = ET.SubElement(ru, "{%s}action" % X)
        a_.text = v
    r = edit(s1, rules(rule("udp", 1005, "drop")))
    set_action(smodel, "udp", 1005, "drop")
    check(get_config(s1), smodel, "schema keys: merge into the entry with both keys (%s)" % tags(r))
    r = edit(s1, rules(rule("tcp", 1003).replace("<x:rule>", '<x:rule nc:operation="create">')))
    t.eq(tags(r), ["data-exists"], "schema keys: create of an existing entry -> data-exists")
    r = edit(s1, rules(rule("udp", 5555).replace("<x:rule>", '<x:rule nc:operation="delete">')))
    t.eq(tags(r), ["data-missing"], "schema keys: delete of a missing entry -> data-missing")
    r = edit(s1, rules(rule("udp", 1019).replace("<x:rule>", '<x:rule nc:operation="delete">') +
                       rule("sctp", 7, "new")))
    smodel.find("{%s}rules" % X).remove(find_rule(smodel, "udp", 1019))
    ET.SubElement(smodel.find("{%s}rules" % X), "{%s}rule" % X).extend(
        ET.fromstring('<r xmlns:x="%s">%s</r>' % (X, rule("sctp", 7, "new")))[0])
    check(get_config(s1), smodel, "schema keys: delete one entry, add another (%s)" % tags(r))
    r = edit(s1, rules(rule("tcp", 1000, "changed") + rule("tcp", 1001).replace("<x:rule>", '<x:rule nc:operation="create">')),
             opts="<error-option>rollback-on-error</error-option>")
    t.eq(tags(r), ["data-exists"], "schema keys: a change, then a failure")
    check(get_config(s1), smodel, "schema keys: the change was undone")
    check(get_config(session(senv)), smodel, "schema keys: a new session sees it exactly")
    t.eq(s1.close(), 0, "schema session ends with status 0")
    senv.cleanup()
finally:
    kill_all(procs)
    env.cleanup()
t.done()
