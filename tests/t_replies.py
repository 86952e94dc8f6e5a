#!/usr/bin/python3
"""Issue 16, every reply path is right, over the real program: filtered
replies carry each list entry's keys (subtree and XPath, entries
separate); namespace declarations that values use (identityref) come
back in unfiltered, subtree- and XPath-filtered replies, also when the
edit declared the prefix on <config> (new leaf, changed leaf, copy-config,
read back by another session from the journal); yanglint accepts the
filtered reply given the modules; protocol elements in no namespace inside
a base-namespace <rpc> (ncclient's and Ansible's style) are accepted,
anything else stays strict."""
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NS, NcRaw  # noqa: E402

NB = "urn:nchome:bench"
IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
IANAIFT = "urn:ietf:params:xml:ns:yang:iana-if-type"
TOP = os.environ.get("NCHOME_TOP", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

t = TAP()
env = SshEnv(name="nc-replies")
procs = []


def session():
    return NcRaw.session(env.netconf_direct(), procs)


def raw(nc, inner, envelope=None):
    """Sends an rpc, returns the reply as text (declarations intact)."""
    nc.send_msg(envelope if envelope is not None else nc.rpc_text(inner))
    msg = nc.read_msg()
    return msg.decode() if msg is not None else ""


def data_of(text):
    """The children of <data> in reply text, as text."""
    m = re.search(r"<data[^>]*>(.*)</data>", text, re.S)
    return m.group(1) if m else ""


def entries(text):
    """[(name, c)] of every <item> of the bench list in reply text."""
    root = ET.fromstring(text)
    out = []
    for it in root.iter("{%s}item" % NB):
        n, c = it.find("{%s}name" % NB), it.find("{%s}c" % NB)
        out.append((n.text if n is not None else None, c.text if c is not None else None))
    return out


def ok(text):
    return "<ok/>" in text


def edit(nc, config, attrs=""):
    return raw(nc, "<edit-config><target><running/></target><config%s>%s</config></edit-config>"
               % (attrs, config))


a = session()

# ---- keys in filtered replies (the example) ----
r = edit(a, '<bench xmlns="%s"><item><name>a</name><c>ca</c></item>'
         '<item><name>b</name><c>cb</c></item></bench>' % NB)
t.ok(ok(r), "two bench entries a and b stored", r)
r = raw(a, '<get-config><source><running/></source><filter type="subtree">'
        '<bench xmlns="%s"><item><c/></item></bench></filter></get-config>' % NB)
t.eq(entries(r), [("a", "ca"), ("b", "cb")], "subtree filter of a non-key leaf: each entry with its key")
r = raw(a, '<get-config><source><running/></source><filter type="xpath" xmlns:nb="%s" '
        'select="/nb:bench/nb:item/nb:c"/></get-config>' % NB)
t.eq(entries(r), [("a", "ca"), ("b", "cb")], "XPath filter of a non-key leaf: entries separate, with keys")
r = raw(a, '<get-config><source><running/></source><filter type="xpath" '
        'select="/bench/item/c"/></get-config>')
t.eq(entries(r), [("a", "ca"), ("b", "cb")], "XPath filter without prefixes: names resolved by the data")
r = raw(a, '<get><filter type="subtree"><bench xmlns="%s"><item><c/></item></bench></filter></get>' % NB)
t.eq(entries(r), [("a", "ca"), ("b", "cb")], "<get> with a subtree filter: the same")

# ---- identityref prefixes ----
IFCONF = ('<interfaces xmlns="%s"><interface><name>eth0</name>'
          '<type xmlns:ianaift="%s">ianaift:ethernetCsmacd</type></interface>'
          '<interface><name>eth1</name><type xmlns:ianaift="%s">ianaift:other</type>'
          '</interface></interfaces>' % (IF, IANAIFT, IANAIFT))
r = edit(a, IFCONF)
t.ok(ok(r), "interfaces with identityref types stored", r)


def scoped_ok(text, value, prefix, href):
    """True when value occurs in text and prefix is bound to href wherever it does
    (ElementTree drops declarations: the scopes are tracked from start-ns events)."""
    scopes = [{}]
    pend = {}
    good = seen = 0
    for ev, obj in ET.iterparse(io.StringIO(text), events=("start-ns", "start", "end")):
        if ev == "start-ns":
            pend[obj[0]] = obj[1]
        elif ev == "start":
            sc = dict(scopes[-1])
            sc.update(pend)
            pend = {}
            scopes.append(sc)
        else:
            sc = scopes.pop()
            if (obj.text or "").strip() == value:
                seen += 1
                good += sc.get(prefix) == href
    return seen > 0 and good == seen


def check_ifaces(nc, what):
    r = raw(nc, '<get-config><source><running/></source></get-config>')
    t.ok(scoped_ok(r, "ianaift:ethernetCsmacd", "ianaift", IANAIFT),
         "%s: unfiltered get-config declares the identityref prefix" % what, r)
    r = raw(nc, '<get-config><source><running/></source><filter type="subtree">'
            '<interfaces xmlns="%s"><interface><type/></interface></interfaces></filter>'
            '</get-config>' % IF)
    t.ok(scoped_ok(r, "ianaift:ethernetCsmacd", "ianaift", IANAIFT) and
         "<name>eth0</name>" in r, "%s: subtree-filtered reply declares it, with the keys" % what, r)
    r2 = raw(nc, '<get-config><source><running/></source><filter type="xpath" xmlns:if="%s" '
             'select="/if:interfaces/if:interface/if:type"/></get-config>' % IF)
    t.ok(scoped_ok(r2, "ianaift:ethernetCsmacd", "ianaift", IANAIFT) and "<name>eth0</name>" in r2,
         "%s: XPath-filtered reply declares it, with the keys" % what, r2)
    return r


r = check_ifaces(a, "prefix declared on the leaf")

if shutil.which("yanglint") is None:
    t.skip_tool("yanglint accepts the filtered reply", "yanglint")
else:
    d = tempfile.mkdtemp(prefix="nc-replies-yl-")
    f = os.path.join(d, "data.xml")
    with open(f, "w") as fp:
        fp.write(data_of(r))
    yl = subprocess.run(["yanglint", "-t", "config", "-p", os.path.join(TOP, "yang"),
                         os.path.join(TOP, "yang", "ietf-interfaces@2014-05-08.yang"),
                         os.path.join(TOP, "yang", "iana-if-type@2014-05-08.yang"), f],
                        capture_output=True, text=True)
    t.ok(yl.returncode == 0, "yanglint accepts the subtree-filtered reply given the modules",
         yl.stderr + data_of(r))
    shutil.rmtree(d, ignore_errors=True)

# prefix declared on <config>: a new leaf, then a changed leaf
r = edit(a, '<interfaces xmlns="%s"><interface><name>v0</name><type>x:softwareLoopback</type>'
         '</interface></interfaces>' % IF, attrs=' xmlns:x="%s"' % IANAIFT)
t.ok(ok(r), "edit with the prefix declared on <config>", r)
r = edit(a, '<interfaces xmlns="%s"><interface><name>eth1</name><type>y:ieee8023adLag</type>'
         '</interface></interfaces>' % IF, attrs=' xmlns:y="%s"' % IANAIFT)
t.ok(ok(r), "change of an existing leaf, prefix declared on <config>", r)
b = session()       # reads running.xml and the journal
for who, nc in (("same session", a), ("other session (journal)", b)):
    r = raw(nc, '<get-config><source><running/></source></get-config>')
    # stored in the module's own prefix (issue 16: normalised when a module covers it)
    t.ok(scoped_ok(r, "ianaift:softwareLoopback", "ianaift", IANAIFT),
         "%s: <config>'s prefix stored with a new leaf, normalised" % who, r)
    t.ok(scoped_ok(r, "ianaift:ieee8023adLag", "ianaift", IANAIFT),
         "%s: <config>'s prefix stored with a changed leaf, normalised" % who, r)
check_ifaces(b, "other session")
# a prefix on <rpc> itself, through copy-config to candidate
r = raw(a, None, envelope='<rpc xmlns="%s" xmlns:z="%s" message-id="cc"><copy-config>'
        '<target><candidate/></target><source><config><interfaces xmlns="%s"><interface>'
        '<name>l0</name><type>z:softwareLoopback</type></interface></interfaces></config>'
        '</source></copy-config></rpc>' % (NS, IANAIFT, IF))
t.ok(ok(r), "copy-config of inline config with the prefix on <rpc>", r)
r = raw(a, '<get-config><source><candidate/></source><filter type="subtree">'
        '<interfaces xmlns="%s"/></filter></get-config>' % IF)
t.ok(scoped_ok(r, "z:softwareLoopback", "z", IANAIFT), "copy-config: <rpc>'s prefix stored", r)

# ---- no-namespace protocol elements (ncclient, Ansible) ----
NCP = '<nc:rpc xmlns:nc="%s" message-id="%s">%s</nc:rpc>'
r = raw(a, None, NCP % (NS, "l1", '<nc:edit-config><target><running/></target>'
        '<config><bench xmlns="%s"><item><name>n</name><c>cn</c></item></bench></config>'
        '</nc:edit-config>' % NB))
t.ok(ok(r), "ncclient style: <target>, <running/>, <config> in no namespace", r)
r = raw(a, None, NCP % (NS, "l2", '<nc:get-config><source><running/></source>'
        '<filter type="subtree"><bench xmlns="%s"><item><name>n</name></item></bench></filter>'
        '</nc:get-config>' % NB))
t.eq(entries(r), [("n", "cn")], "ncclient style: <source> and <filter> in no namespace")
r = raw(a, None, NCP % (NS, "l3", '<lock><target><running/></target></lock>'))
t.ok(ok(r), "an operation in no namespace (<lock>)", r)
r = raw(a, None, NCP % (NS, "l4", '<unlock><target><running/></target></unlock>'))
t.ok(ok(r), "<unlock> in no namespace", r)
r = raw(a, None, '<rpc xmlns="%s" message-id="l5"><get-config xmlns=""><source><running/></source>'
        '<filter type="subtree"><bench xmlns="%s"><item><name>n</name></item></bench></filter>'
        '</get-config></rpc>' % (NS, NB))
t.eq(entries(r), [("n", "cn")], "xmlns=\"\" on the operation: accepted too")
r = raw(a, None, NCP % (NS, "s1", '<frob/>'))
t.ok("unknown-namespace" in r, "strict: an unknown operation in no namespace", r)
r = raw(a, None, NCP % (NS, "s2", '<nc:get-config><source xmlns="urn:other"><running/></source>'
        '</nc:get-config>'))
t.ok("<rpc-error" in r and "<data" not in r, "strict: <source> in a foreign namespace", r)
r = raw(a, None, '<rpc xmlns="urn:example:wrong" message-id="s5"><lock><target><running/></target>'
        '</lock></rpc>')
t.ok("malformed-message" in r, "strict: an <rpc> outside the base namespace", r)

# ---- keys from the YANG module: a one-entry list, which the schema-less rule
# cannot tell from a container ----
r = edit(a, '<interfaces xmlns="%s" xmlns:nc="%s" nc:operation="replace"><interface>'
         '<name>only0</name><description>one</description>'
         '<type xmlns:ianaift="%s">ianaift:other</type></interface></interfaces>' % (IF, NS, IANAIFT))
t.ok(ok(r), "interfaces replaced by one entry", r)
r = raw(a, '<get-config><source><running/></source><filter type="subtree">'
        '<interfaces xmlns="%s"><interface><description/></interface></interfaces></filter>'
        '</get-config>' % IF)
t.ok(re.search(r"<name>only0</name>\s*<description>one</description>", r) is not None,
     "one-entry list, filter on a non-key leaf: the key comes from ietf-interfaces", r)

for nc in procs:
    try:
        nc.close()
    except Exception:
        pass
env.cleanup()
t.done()
