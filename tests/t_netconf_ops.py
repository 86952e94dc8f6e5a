#!/usr/bin/python3
"""nchome-netconf data operations over the real program: get, get-config,
edit-config (every operation, options), copy-config, delete-config,
validate (RELAX NG), candidate + commit shared by two sessions,
discard-changes, confirmed commit (timer rollback after the session is
gone, rollback at session end, confirm, cancel), datastore files unchanged
after failed operations, journal torn tail, filters, ncclient over sshd."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv, InetdSshd, scaled, wait_for  # noqa: E402
from ncraw import NS, NcRaw, kill_all, q  # noqa: E402

X = "urn:example:x"
NCOP = 'xmlns:nc="%s"' % NS
SCHEMA = """<grammar xmlns="http://relaxng.org/ns/structure/1.0"
  xmlns:nma="urn:ietf:params:xml:ns:netmod:dsdl-annotations:1"
  datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
 <start><element name="config" ns="%s">
  <optional><element name="top" ns="%s"><interleave>
   <optional><element name="a"><text/></element></optional>
   <zeroOrMore><element name="item" nma:key="name">
     <element name="name"><text/></element>
     <optional><element name="port"><data type="unsignedShort"/></element></optional>
   </element></zeroOrMore>
  </interleave></element></optional>
 </element></start>
</grammar>""" % (NS, X)

t = TAP()
env = SshEnv(name="nc-ops")
procs = []


def session(e=None):
    return NcRaw.session((e or env).netconf_direct(), procs)


tags = NcRaw.tags


def data(reply):
    d = reply.find(q("data")) if reply is not None else None
    return d


def xs(el):
    """Canonical-ish text of the children of <data>, for comparisons."""
    if el is None:
        return None
    return "".join(ET.tostring(c).decode() for c in el)


def get_config(nc, ds="running", filt=""):
    return data(nc.rpc("<get-config><source><%s/></source>%s</get-config>" % (ds, filt)))


def edit(nc, body, ds="running", opts=""):
    return nc.rpc('<edit-config><target><%s/></target>%s<config>%s</config></edit-config>' % (ds, opts, body))


def files(e=None):
    d = (e or env).datastore_dir
    out = {}
    for p in sorted(glob.glob(os.path.join(d, "*.xml")) + glob.glob(os.path.join(d, "*.journal"))):
        with open(p, "rb") as f:
            out[os.path.basename(p)] = f.read()
    return out


def top(inner):
    return '<top xmlns="%s">%s</top>' % (X, inner)


def seta(v):
    """<a> changed: an operation on it, as <a> is <top>'s first leaf, which
    without a module names an entry (nchome-netconf(8), data without a module)."""
    return '<a %s nc:operation="replace">%s</a>' % (NCOP, v)


def val(el, path):
    r = el.find(path, {"x": X}) if el is not None else None
    return None if r is None else r.text


try:
    a = session()
    t.eq(xs(get_config(a)), "", "fresh running is empty")

    # ---- edit-config operations ----
    r = edit(a, top("<a>1</a><item><name>i1</name><port>1</port></item><item><name>i2</name><port>2</port></item>"))
    t.ok(NcRaw.ok(r), "merge creates nodes", ET.tostring(r))
    a.send_msg(a.rpc_text("<get-config><source><running/></source></get-config>"))
    raw = a.read_msg()
    t.ok(b"urn:nchome:datastore" not in raw, "replies never carry the datastore file's own namespace", raw[:300])
    d = get_config(a)
    t.eq(val(d, "x:top/x:a"), "1", "merged leaf is there")
    t.eq(len(d.findall("x:top/x:item", {"x": X})), 2, "two list entries")

    r = edit(a, top("<item><name>i2</name><port>22</port></item>"))
    d = get_config(a)
    t.ok(NcRaw.ok(r) and val(d, "x:top/x:item[x:name='i2']/x:port") == "22" and
         len(d.findall("x:top/x:item", {"x": X})) == 2, "merge into a list entry matched by its first leaf")

    before = files()
    r = edit(a, top('<item %s nc:operation="create"><name>i1</name></item>' % NCOP))
    t.eq(tags(r), ["data-exists"], "create of an existing entry -> data-exists")
    t.ok(files() == before, "datastore files unchanged after data-exists")
    r = edit(a, top('<item %s nc:operation="delete"><name>nope</name></item>' % NCOP))
    t.eq(tags(r), ["data-missing"], "delete of a missing entry -> data-missing")
    t.ok(files() == before, "datastore files unchanged after data-missing")
    r = edit(a, top('<item %s nc:operation="remove"><name>nope</name></item>' % NCOP))
    t.ok(NcRaw.ok(r), "remove of a missing entry is fine")

    r = edit(a, top('<item><name>i1</name><port %s nc:operation="delete"/></item>' % NCOP))
    d = get_config(a)
    t.ok(NcRaw.ok(r) and d.find("x:top/x:item[x:name='i1']/x:port", {"x": X}) is None and
         d.find("x:top/x:item[x:name='i1']", {"x": X}) is not None, "delete at depth 3 removes only the leaf")
    r = edit(a, top('<item %s nc:operation="replace"><name>i2</name></item>' % NCOP))
    d = get_config(a)
    t.ok(NcRaw.ok(r) and d.find("x:top/x:item[x:name='i2']/x:port", {"x": X}) is None,
         "replace of an entry drops its other children")
    r = edit(a, top('<item %s nc:operation="create"><name>i3</name><port>3</port></item>' % NCOP))
    d = get_config(a)
    t.ok(NcRaw.ok(r) and val(d, "x:top/x:item[x:name='i3']/x:port") == "3", "create of a new entry")
    r = edit(a, top('<b %s nc:operation="bogus">1</b>' % NCOP))
    t.eq(tags(r), ["bad-attribute"], "unknown operation value -> bad-attribute")

    # default-operation none
    r = edit(a, top('<item><name>i3</name><port %s nc:operation="replace">33</port></item>' % NCOP),
             opts="<default-operation>none</default-operation>")
    d = get_config(a)
    t.ok(NcRaw.ok(r) and val(d, "x:top/x:item[x:name='i3']/x:port") == "33",
         "default-operation none with a replace inside")
    before = files()
    r = edit(a, '<other xmlns="%s"><z %s nc:operation="create">1</z></other>' % (X, NCOP),
             opts="<default-operation>none</default-operation>")
    t.eq(tags(r), ["data-missing"], "default-operation none does not create parents -> data-missing")
    t.ok(files() == before, "files unchanged")

    # test-only, error options
    r = edit(a, top(seta("test")), opts="<test-option>test-only</test-option>")
    t.ok(NcRaw.ok(r) and val(get_config(a), "x:top/x:a") == "1", "test-only changes nothing")
    r = edit(a, top(seta("2") + '<item %s nc:operation="create"><name>i1</name></item>' % NCOP),
             opts="<error-option>rollback-on-error</error-option>")
    t.ok(tags(r) == ["data-exists"] and val(get_config(a), "x:top/x:a") == "1",
         "rollback-on-error: nothing applied")
    r = edit(a, top(seta("2") + '<item %s nc:operation="create"><name>i1</name></item>' % NCOP))
    t.ok(tags(r) == ["data-exists"] and val(get_config(a), "x:top/x:a") == "1",
         "stop-on-error: nothing applied (atomic)")
    r = edit(a, top('<item %s nc:operation="create"><name>i1</name></item><a>3</a>' % NCOP),
             opts="<error-option>continue-on-error</error-option>")
    t.ok(tags(r) == ["data-exists"] and val(get_config(a), "x:top/x:a") == "3",
         "continue-on-error: the good part applied")
    r = edit(a, top("<a>1</a>"), opts="<default-operation>frob</default-operation>")
    t.eq(tags(r), ["invalid-value"], "bad default-operation -> invalid-value")
    r = a.rpc("<edit-config><target><running/></target><url>file:///etc/passwd</url></edit-config>")
    t.eq(tags(r), ["operation-not-supported"], "<url> -> operation-not-supported")
    r = a.rpc("<edit-config><target><running/></target></edit-config>")
    t.eq(tags(r), ["missing-element"], "no <config> -> missing-element")

    # a second session sees the change (cache revalidation through the journal)
    b = session()
    t.eq(xs(get_config(b)), xs(get_config(a)), "another session sees the same running")
    edit(a, top(seta("from-a")))
    t.eq(val(get_config(b), "x:top/x:a"), "from-a", "another session sees a later edit")
    edit(b, top(seta("from-b")))
    t.eq(val(get_config(a), "x:top/x:a"), "from-b", "and the first sees the second's")

    # default-operation replace
    r = edit(a, top("<a>only</a>"), opts="<default-operation>replace</default-operation>")
    t.eq(xs(get_config(b)), '<ns0:top xmlns:ns0="%s"><ns0:a>only</ns0:a></ns0:top>' % X,
         "default-operation replace replaces the datastore")
    edit(a, top("<item><name>i1</name><port>1</port></item><item><name>i2</name><port>2</port></item>"))

    # ---- filters ----
    d = get_config(a, filt='<filter type="subtree"><top xmlns="%s"><item><name>i2</name></item></top></filter>' % X)
    t.ok(len(d.findall("x:top/x:item", {"x": X})) == 1 and val(d, "x:top/x:item/x:port") == "2" and
         d.find("x:top/x:a", {"x": X}) is None, "subtree filter with a content match")
    d = get_config(a, filt='<filter type="subtree"><top xmlns="%s"><a/></top></filter>' % X)
    t.ok(val(d, "x:top/x:a") == "only" and d.find("x:top/x:item", {"x": X}) is None,
         "subtree filter with a selection node")
    d = get_config(a, filt='<filter type="subtree"></filter>')
    t.eq(xs(d), "", "empty filter selects nothing")
    d = get_config(a, filt='<filter type="xpath" xmlns:t="%s" select="/t:top/t:item[t:name=\'i1\']/t:port"/>' % X)
    t.ok(val(d, "x:top/x:item/x:port") == "1" and d.find("x:top/x:a", {"x": X}) is None and
         val(d, "x:top/x:item/x:name") == "i1",
         "xpath filter returns the node with its ancestors, the list entry with its key (issue 16)")
    r = a.rpc('<get-config><source><running/></source><filter type="xpath" select="///["/></get-config>')
    t.eq(tags(r), ["invalid-value"], "bad xpath -> invalid-value")
    r = a.rpc('<get><filter type="subtree"><top xmlns="%s"><a/></top></filter></get>' % X)
    t.eq(val(data(r), "x:top/x:a"), "only", "get with a subtree filter")

    # ---- copy-config, delete-config, startup ----
    r = a.rpc("<copy-config><target><startup/></target><source><running/></source></copy-config>")
    t.ok(NcRaw.ok(r) and xs(get_config(a, "startup")) == xs(get_config(a)), "copy-config running -> startup")
    r = a.rpc("<delete-config><target><startup/></target></delete-config>")
    t.ok(NcRaw.ok(r) and xs(get_config(a, "startup")) == "", "delete-config startup")
    r = a.rpc("<delete-config><target><running/></target></delete-config>")
    t.eq(tags(r), ["operation-not-supported"], "delete-config running refused")
    r = a.rpc("<copy-config><target><startup/></target><source><config>%s</config></source></copy-config>" % top("<a>s</a>"))
    t.ok(NcRaw.ok(r) and val(get_config(b, "startup"), "x:top/x:a") == "s", "copy-config of an inline config")
    r = a.rpc("<copy-config><target><running/></target><source><url>file:///x</url></source></copy-config>")
    t.eq(tags(r), ["operation-not-supported"], "copy-config from <url> -> operation-not-supported")

    # ---- candidate shared between sessions ----
    run_before = xs(get_config(a))
    t.eq(xs(get_config(a, "candidate")), run_before, "unchanged candidate equals running")
    r = edit(a, top(seta("cand")), ds="candidate")
    t.ok(NcRaw.ok(r) and val(get_config(b, "candidate"), "x:top/x:a") == "cand",
         "candidate edit seen by another session")
    t.eq(xs(get_config(b)), run_before, "running unchanged before commit")
    r = b.rpc("<lock><target><candidate/></target></lock>")
    t.ok(tags(r) != [] and not NcRaw.ok(r), "lock of a candidate changed by another session fails", tags(r))
    r = edit(b, top("<item><name>i9</name></item>"), ds="candidate")
    t.ok(NcRaw.ok(r), "second session edits the shared candidate")
    r = a.rpc("<commit/>")
    d = get_config(b)
    t.ok(NcRaw.ok(r) and val(d, "x:top/x:a") == "cand" and d.find("x:top/x:item[x:name='i9']", {"x": X}) is not None,
         "commit brings both sessions' changes to running")
    edit(a, top(seta("dropme")), ds="candidate")
    r = b.rpc("<discard-changes/>")
    t.ok(NcRaw.ok(r) and val(get_config(a, "candidate"), "x:top/x:a") == "cand", "discard-changes")
    t.ok(not os.path.exists(os.path.join(env.datastore_dir, "candidate.xml")), "no candidate file after discard")

    # the candidate is a copy: a running edit meanwhile does not show in it
    edit(a, top(seta("cand2")), ds="candidate")
    edit(b, top("<item><name>run-only</name></item>"))
    d = get_config(a, "candidate")
    t.ok(val(d, "x:top/x:a") == "cand2" and d.find("x:top/x:item[x:name='run-only']", {"x": X}) is None,
         "candidate keeps its content when running changes meanwhile")
    r = a.rpc("<commit/>")
    d = get_config(b)
    t.ok(NcRaw.ok(r) and val(d, "x:top/x:a") == "cand2" and
         d.find("x:top/x:item[x:name='run-only']", {"x": X}) is None, "commit makes running the candidate")
    edit(a, top(seta("cand3")), ds="candidate")
    edit(b, top("<item><name>i10</name></item>"), ds="candidate")
    r = a.rpc("<commit/>")
    d = get_config(b)
    t.ok(NcRaw.ok(r) and val(d, "x:top/x:a") == "cand3" and
         d.find("x:top/x:item[x:name='i10']", {"x": X}) is not None and
         not os.path.exists(os.path.join(env.datastore_dir, "candidate.overlay")),
         "commit of a candidate edited by two sessions (journal path)")
    t.eq(xs(get_config(session())), xs(d), "a new session loads the same running from disk")

    # ---- confirmed commit ----
    base = xs(get_config(a))
    edit(a, top(seta("confirm-me")), ds="candidate")
    r = a.rpc("<commit><confirmed/><confirm-timeout>60</confirm-timeout></commit>")
    t.ok(NcRaw.ok(r) and val(get_config(b), "x:top/x:a") == "confirm-me", "confirmed commit applies")
    r = b.rpc("<commit/>")
    t.eq(tags(r), ["in-use"], "another session cannot confirm a non-persist confirmed commit")
    r = a.rpc("<commit/>")
    t.ok(NcRaw.ok(r) and val(get_config(b), "x:top/x:a") == "confirm-me" and
         not os.path.exists(os.path.join(env.datastore_dir, "confirm.state")), "confirming commit keeps it")

    base = xs(get_config(a))
    edit(a, top(seta("cancel-me")), ds="candidate")
    a.rpc("<commit><confirmed/></commit>")
    r = a.rpc("<cancel-commit/>")
    t.ok(NcRaw.ok(r) and xs(get_config(b)) == base, "cancel-commit rolls back")
    r = a.rpc("<cancel-commit/>")
    t.ok(tags(r) != [], "cancel-commit with nothing pending fails", tags(r))

    c = session()
    edit(c, top(seta("session-end")), ds="candidate")
    c.rpc("<commit><confirmed/><confirm-timeout>600</confirm-timeout></commit>")
    t.eq(val(get_config(a), "x:top/x:a"), "session-end", "confirmed commit of a third session applied")
    c.close()
    t.eq(xs(get_config(a)), base, "its session's end rolls a non-persist confirmed commit back")

    c = session()
    edit(c, top(seta("timer")), ds="candidate")
    r = c.rpc("<commit><confirmed/><confirm-timeout>2</confirm-timeout><persist>tok1</persist></commit>")
    t.ok(NcRaw.ok(r), "persistent confirmed commit with a 2 s timeout")
    c.kill()
    t.eq(val(get_config(a), "x:top/x:a"), "timer", "still applied after its session is killed")
    t.ok(wait_for(lambda: xs(get_config(a)) == base, timeout=15, step=0.5),
         "rolled back by the timer after the session is gone")

    edit(a, top(seta("persist")), ds="candidate")
    a.rpc("<commit><confirmed/><persist>tok2</persist></commit>")
    r = b.rpc("<commit><persist-id>wrong</persist-id></commit>")
    t.eq(tags(r), ["invalid-value"], "wrong persist-id refused")
    r = b.rpc("<commit><persist-id>tok2</persist-id></commit>")
    t.ok(NcRaw.ok(r) and not os.path.exists(os.path.join(env.datastore_dir, "confirm.state")),
         "another session confirms with the persist-id")
    t.eq(val(get_config(a), "x:top/x:a"), "persist", "confirmed content stays")

    # A persist id is kept in 255 bytes: a longer one is refused, never cut,
    # so ids sharing their first 255 bytes do not confirm each other.
    pid = "p" * 255
    r = a.rpc("<commit><confirmed/><persist>%s</persist></commit>" % (pid + "q"))
    t.eq(tags(r), ["invalid-value"], "a persist of 256 bytes is refused")
    edit(a, top(seta("longid")), ds="candidate")
    r = a.rpc("<commit><confirmed/><persist>%s</persist></commit>" % pid)
    t.ok(NcRaw.ok(r), "a persist of 255 bytes is taken")
    r = b.rpc("<commit><persist-id>%s</persist-id></commit>" % (pid + "q"))
    t.eq(tags(r), ["invalid-value"], "a persist-id sharing its first 255 bytes does not confirm")
    r = b.rpc("<cancel-commit><persist-id>%s</persist-id></cancel-commit>" % (pid + "x"))
    t.eq(tags(r), ["invalid-value"], "nor cancel")
    r = b.rpc("<commit><persist-id>%s</persist-id></commit>" % pid)
    t.ok(NcRaw.ok(r) and val(get_config(a), "x:top/x:a") == "longid", "the whole persist-id confirms")
    # The state file keeps the id on one line: an id with a line break is
    # refused, so its first line never confirms it.
    edit(a, top(seta("nl")), ds="candidate")
    r = a.rpc("<commit><confirmed/><persist>nl1&#10;more</persist></commit>")
    t.eq(tags(r), ["invalid-value"], "a persist with a line break is refused")
    r = b.rpc("<commit><persist-id>nl1</persist-id></commit>")
    t.eq(tags(r), ["invalid-value"], "its first line confirms nothing")
    # An empty persist (after trimming) is refused: kept as "", it would read
    # back as no persist and quietly roll back when this session ends.
    state = os.path.join(env.datastore_dir, "confirm.state")
    for empty in ("<persist/>", "<persist>  </persist>"):
        r = a.rpc("<commit><confirmed/>%s</commit>" % empty)
        t.ok(tags(r) == ["invalid-value"] and not os.path.exists(state) and
             NcRaw.errors(r)[0].get("error-info", {}).get("bad-element") == "persist",
             "an empty persist is refused, nothing pending: " + empty, NcRaw.errors(r))
    r = b.rpc("<cancel-commit><persist-id/></cancel-commit>")
    t.ok(tags(r) == ["invalid-value"] and "empty" in (NcRaw.errors(r)[0].get("error-message") or ""),
         "an empty persist-id is refused as empty", NcRaw.errors(r))
    a.rpc("<discard-changes/>")

    # ---- atomic files, journal tail ----
    leftovers = [f for f in os.listdir(env.datastore_dir) if ".tmp." in f or f.startswith(".hook-")]
    t.eq(leftovers, [], "no temporary files left in datastore-dir")
    content = xs(get_config(a))
    with open(os.path.join(env.datastore_dir, "running.journal"), "ab") as f:
        f.write(b"NCJ1\x10\x00\x00\x00garbage-torn")
    d = session()
    t.eq(xs(get_config(d)), content, "a torn journal tail is ignored")
    r = edit(d, top(seta("after-torn")))
    e2 = session()
    t.ok(NcRaw.ok(r) and val(get_config(e2), "x:top/x:a") == "after-torn", "edits after a torn tail persist")
    codes = [s.close() for s in (a, b, d, e2)]
    t.eq(codes, [0, 0, 0, 0], "sessions end with status 0 (no sanitizer report)")

    # ---- RELAX NG schema: validate, commit, keys ----
    senv = SshEnv(name="nc-ops-schema")
    schema = os.path.join(senv.dir, "schema.rng")
    with open(schema, "w") as f:
        f.write(SCHEMA)
    senv.netconf_conf = '  schema = "%s"' % schema
    senv.write_nchome_conf("")
    s1 = session(senv)
    r = edit(s1, top("<item><name>p</name><port>80</port></item>"))
    t.ok(NcRaw.ok(r), "valid edit under a schema", ET.tostring(r))
    r = edit(s1, top("<item><name>q</name><port>8080</port></item>"))
    d = get_config(s1)
    t.eq(len(d.findall("x:top/x:item", {"x": X})), 2, "schema nma:key: a different key adds an entry")
    before = files(senv)
    r = edit(s1, top("<item><name>p</name><port>notanumber</port></item>"))
    errs = NcRaw.errors(r)
    t.ok(tags(r) == ["invalid-value"] and "port" in (errs[0].get("error-message") or ""),
         "invalid edit of running -> invalid-value with the schema's message", errs)
    t.ok(files(senv) == before, "files unchanged after a schema failure")
    t.eq(s1.proc.poll(), None, "session alive after the schema failure")
    r = s1.rpc("<validate><source><config>%s</config></source></validate>" % top("<bogus/>"))
    t.eq(tags(r), ["invalid-value"], "validate of an invalid inline config")
    r = s1.rpc("<validate><source><running/></source></validate>")
    t.ok(NcRaw.ok(r), "validate running")
    edit(s1, top("<item><name>p</name><port>-1</port></item>"), ds="candidate")
    r = s1.rpc("<validate><source><candidate/></source></validate>")
    t.eq(tags(r), ["invalid-value"], "validate of an invalid candidate")
    r = s1.rpc("<commit/>")
    t.ok(tags(r) == ["invalid-value"] and val(get_config(s1), "x:top/x:item[x:name='p']/x:port") == "80",
         "commit of an invalid candidate fails, running unchanged")
    t.eq(s1.close(), 0, "schema session ends with status 0")
    senv.cleanup()

    # ---- ncclient over the real sshd ----
    try:
        from ncclient import manager
        srv = InetdSshd(env)
        m = manager.connect(host="127.0.0.1", port=srv.port, username="root", key_filename=env.user_key,
                            hostkey_verify=False, allow_agent=False, look_for_keys=False, timeout=scaled(20))
        m.edit_config(target="running", config='<config xmlns="%s">%s</config>' % (NS, top(seta("ncclient"))))
        g = m.get_config(source="running").data_ele
        t.ok("ncclient" in ET.tostring(g).decode() if not hasattr(g, "xpath") else
             any(e.text == "ncclient" for e in g.iter("{%s}a" % X)), "ncclient edit-config + get-config over sshd")
        m.edit_config(target="candidate", config='<config xmlns="%s">%s</config>' % (NS, top(seta("nc-cand"))))
        m.commit()
        g = m.get(filter=("subtree", '<top xmlns="%s"><a/></top>' % X)).data_ele
        t.ok(any(e.text == "nc-cand" for e in g.iter("{%s}a" % X)), "ncclient candidate commit and get with filter")
        m.edit_config(target="candidate", config='<config xmlns="%s">%s</config>' % (NS, top(seta("nc-drop"))))
        m.discard_changes()
        g = m.get_config(source="candidate").data_ele
        t.eq([e.text for e in g.iter("{%s}a" % X)], ["nc-cand"],
             "ncclient discard-changes: the candidate is running's content again")
        r = m.validate(source="candidate")
        t.ok(r.ok and ET.fromstring(r.xml.encode()).find(q("ok")) is not None,
             "ncclient validate of the candidate answers <ok/>", r.xml)
        m.close_session()
        srv.close()
    except Exception as ex:  # noqa: BLE001
        t.ok(False, "ncclient over sshd", repr(ex))
    # Every confirmed commit above was confirmed, cancelled or rolled back:
    # no timer process may outlive it (they once slept till the deadline).
    def timers():
        out = []
        for pid in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if any(a.decode(errors="replace") == env.conf for a in argv):
                out.append(pid)
        return out
    for p in procs:
        try:
            p.kill()
            p.wait()
        except Exception:  # noqa: BLE001
            pass
    left = [] if wait_for(lambda: not timers(), 8) else timers()
    t.eq(left, [], "no confirmed-commit timer outlives its commit")
finally:
    kill_all(procs)
    env.cleanup()
t.done()
