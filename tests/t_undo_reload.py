#!/usr/bin/python3
"""A big edit of running undone by reading running again (issue 15).

Past NCHOME_UNDO_MAX bytes of old list entries, an edit-config of running
frees them as it replaces them (ops/config_write.c, tree/edit_log.c), and a
failed edit is undone by dropping the session's tree of running, read
again from running.xml and its journal.  Two datastores get the same
RPCs, byte for byte: A with a bound of 4 kB (every rewrite here passes
it), Z with none (the in-memory undo of before).  Every reply of A must be
Z's, byte for byte; after each refused rewrite of all N entries (a type
error, a unique clash or two, a key not of its type, a missing key, a
dangling leafref or a failed must in the last entry; rollback-on-error;
a commit hook's refusal; the errors naming what they named when the
whole list was validated), get-config in the
same session and in a new one is the content before, byte for byte; a
test-only rewrite changes nothing; continue-on-error keeps what Z keeps;
after refused rewrites, unique and leafref checks of one-entry edits are
right (a value only the refused edit had is free, a value of the content
before is taken); a refused rewrite after a small edit (a journal record)
keeps that edit; a rewrite that is taken is Z's result.
"""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, SshEnv  # noqa: E402
from ncraw import NcRaw, kill_all  # noqa: E402

B = "urn:example:bench-refs"
N = 1200
YANG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "yang")
t = TAP()
sessions = []


def make_env(name, bound):
    env = SshEnv(name=name)
    hooks = os.path.join(env.dir, "commit.d")
    os.makedirs(hooks)
    env.refuse = os.path.join(env.dir, "refuse")
    with open(os.path.join(hooks, "10-gate"), "w") as f:
        f.write('#!/bin/sh\nif [ -e "%s" ]; then echo "refused by the test" >&2; exit 3; fi\n' % env.refuse)
    os.chmod(os.path.join(hooks, "10-gate"), 0o755)
    env.netconf_conf = 'yang-dir = "%s"\nmodule example-bench-refs {}\ncommit-hooks = "%s"\n' % (YANG, hooks)
    env.write_nchome_conf("")
    env.bound = {"NCHOME_UNDO_MAX": bound}
    return env


def session(env):
    nc = NcRaw.session(env.netconf_direct(env.bound), timeout=120)
    sessions.append(nc)
    return nc


def raw(nc, inner, mid="m"):
    nc.send_msg(nc.rpc_text(inner, message_id=mid))
    return nc.read_msg()


def get(nc):
    return raw(nc, "<get-config><source><running/></source></get-config>", "g")


def fresh_get(env):
    nc = session(env)
    rep = get(nc)
    nc.close()
    return rep


def entry(i, gen, alpha=None, peer=None):
    if peer is None and i % 10 == 0:
        peer = "item-%06d" % ((i + 1) % N)
    return ("<item><name>item-%06d</name><cfg><alpha>%s</alpha><beta>b%d-%06d</beta>"
            "<gamma>g%d-%06d-padding</gamma>%s</cfg></item>"
            % (i, alpha or "a%d-%06d" % (gen, i), gen, i, gen, i,
               "<peer>%s</peer>" % peer if peer else ""))


def rewrite(gen, bad=None):
    """Every entry with generation gen's values; bad: what breaks the last one."""
    last = N - 1
    body = "".join(entry(i, gen) for i in range(last))
    if bad == "type":
        body += entry(last, gen, alpha="x" * 129)           # length 1..128
    elif bad == "unique":
        body += entry(last, gen, alpha="a%d-%06d" % (gen, 0))
    elif bad == "leafref":
        body += entry(last, gen, peer="item-999999")
    elif bad == "must":
        body += entry(last, gen, peer="item-%06d" % last)   # its own peer
    elif bad == "badkey":
        body += entry(last, gen).replace("item-%06d" % last, "item-bad", 1)   # pattern item-[0-9]{6}
    elif bad == "nokey":
        body += entry(last, gen).replace("<name>item-%06d</name>" % last, "", 1)
    elif bad == "unique2":
        body = body.replace("<alpha>a%d-%06d</alpha>" % (gen, 100), "<alpha>a%d-%06d</alpha>" % (gen, 5), 1)
        body += entry(last, gen, alpha="a%d-%06d" % (gen, 0))
    else:
        body += entry(last, gen)
    return '<top xmlns="%s">%s</top>' % (B, body)


# What each refusal names, as before the entries a unique error names
# were validated alone (tree/validate_clash.c): the whole list's error.
UNIQ = ('<error-path xmlns:ebr="urn:example:bench-refs">/ebr:top/ebr:item[ebr:name=\'item-%06d\']</error-path>'
        '<error-message xml:lang="en">Unique data leaf(s) "cfg/alpha" not satisfied in '
        '"/example-bench-refs:top/item[name=\'item-%06d\']" and "/example-bench-refs:top/item[name=\'item-%06d\']".'
        '</error-message>')
NAMES = {
    "unique": UNIQ % (0, N - 1, 0),
    "unique2": UNIQ % (5, 100, 5),
    "badkey": '<error-tag>invalid-value</error-tag>',
    "nokey": '<error-tag>missing-element</error-tag>',
}


def edit(nc, config, opts=""):
    return raw(nc, "<edit-config><target><running/></target>%s<config>%s</config></edit-config>"
               % (opts, config))


def one(i, inner):
    return '<top xmlns="%s"><item><name>item-%06d</name><cfg>%s</cfg></item></top>' % (B, i, inner)


a_env = make_env("undo-a", "4096")
z_env = make_env("undo-z", "0")
try:
    a, z = session(a_env), session(z_env)

    def both(what, fn):
        ra, rz = fn(a), fn(z)
        t.ok(ra == rz, "%s: A's reply is Z's, byte for byte" % what, (ra[:300], rz[:300]))
        return ra

    r = both("load %d entries" % N, lambda nc: edit(nc, rewrite(0)))
    t.ok(b"<ok/>" in r, "loaded", r[:300])
    before = get(a)
    t.ok(before == get(z) and before.count(b"<item>") == N, "A and Z hold the same %d entries" % N)

    cases = [("a type error", "type", ""), ("a unique clash", "unique", ""),
             ("a dangling leafref", "leafref", ""), ("a failed must", "must", ""),
             ("rollback-on-error, a type error", "type", "<error-option>rollback-on-error</error-option>"),
             ("a key not of its type", "badkey", ""), ("a missing key", "nokey", ""),
             ("two unique clashes", "unique2", "")]
    for what, bad, opts in cases:
        r = both("rewrite refused by %s in its last entry" % what,
                 lambda nc: edit(nc, rewrite(1, bad), opts))
        t.ok(b"</rpc-error>" in r, "%s: refused" % what, r[:300])
        if bad in NAMES:
            t.ok(NAMES[bad].encode() in r, "%s: the error names what it named before" % what, r[:900])
        t.ok(get(a) == before, "%s: get-config in the same session is the content before" % what)
        t.ok(fresh_get(a_env) == before, "%s: a new session sees the content before" % what)

    r = both("test-only rewrite", lambda nc: edit(nc, rewrite(1), "<test-option>test-only</test-option>"))
    t.ok(b"<ok/>" in r and get(a) == before, "test-only: ok, nothing changed", r[:300])
    r = both("test-only rewrite with a type error",
             lambda nc: edit(nc, rewrite(1, "type"), "<test-option>test-only</test-option>"))
    t.ok(b"</rpc-error>" in r and get(a) == before, "test-only with a type error: refused, nothing changed")

    for e in (a_env, z_env):
        open(e.refuse, "w").close()
    ra, rz = edit(a, rewrite(1)), edit(z, rewrite(1))
    tags = [NcRaw.tags(ET.fromstring(x)) for x in (ra, rz)]
    t.ok(tags[0] == tags[1] and tags[0], "a hook's refusal: the same error as Z's", tags)
    t.ok(get(a) == before and fresh_get(a_env) == before, "a hook's refusal: the content before")
    for e in (a_env, z_env):
        os.unlink(e.refuse)

    # the unique values and leafrefs after refused rewrites
    r = both("an entry takes a value only the refused rewrites had",
             lambda nc: edit(nc, one(3, "<alpha>a1-000007</alpha>")))
    t.ok(b"<ok/>" in r, "a value only the refused rewrites had is free", r[:300])
    r = both("an entry takes another entry's value", lambda nc: edit(nc, one(4, "<alpha>a0-000008</alpha>")))
    t.ok(b"</rpc-error>" in r, "a value of the content before is taken (unique)", r[:300])
    t.ok((UNIQ % (4, 8, 4)).encode() in r, "a one-entry clash names what it named before", r[:900])
    t.ok(get(a) == get(z) and fresh_get(a_env) == get(z), "a one-entry clash: the content before, as in Z")
    r = both("a dangling peer", lambda nc: edit(nc, one(5, "<peer>item-999998</peer>")))
    t.ok(b"</rpc-error>" in r, "a peer that does not exist is refused (leafref)", r[:300])
    r = both("an existing peer", lambda nc: edit(nc, one(5, "<peer>item-000006</peer>")))
    t.ok(b"<ok/>" in r, "a peer that exists is taken", r[:300])
    now = get(a)
    t.ok(now == get(z) and now != before and fresh_get(a_env) == now, "the small edits show, in A as in Z")

    # a refused rewrite after a small edit: the small edit stays (running.journal)
    r = both("a small edit", lambda nc: edit(nc, one(10, "<beta>small</beta>")))
    small = get(a)
    t.ok(b"<ok/>" in r and b"small" in small, "a small edit is taken")
    r = both("a rewrite refused after a small edit", lambda nc: edit(nc, rewrite(1, "leafref")))
    t.ok(get(a) == small and fresh_get(a_env) == small, "the refused rewrite leaves the small edit")

    # continue-on-error: what stays is what stays in Z
    both("continue-on-error rewrite with a type error",
         lambda nc: edit(nc, rewrite(1, "type"), "<error-option>continue-on-error</error-option>"))
    t.ok(get(a) == get(z), "continue-on-error: A keeps what Z keeps")

    # rewrites that are taken, then one refused after them
    r = both("a rewrite that is taken", lambda nc: edit(nc, rewrite(2)))
    t.ok(b"<ok/>" in r, "a rewrite is taken", r[:300])
    done = get(a)
    t.ok(done == get(z) and b"a2-%06d" % (N - 1) in done, "its result is Z's, byte for byte")
    t.ok(fresh_get(a_env) == done == fresh_get(z_env), "new sessions see it, in A as in Z")
    r = both("a rewrite refused after one taken", lambda nc: edit(nc, rewrite(3, "unique")))
    t.ok(get(a) == done and fresh_get(a_env) == done, "a refused rewrite after a taken one: the content before")
    r = both("the next rewrite", lambda nc: edit(nc, rewrite(3)))
    t.ok(b"<ok/>" in r and get(a) == get(z), "the next rewrite is taken, as in Z")
    for nc in (a, z):
        t.ok(nc.close() == 0, "session ends cleanly")
finally:
    kill_all(sessions)
    a_env.cleanup()
    z_env.cleanup()
t.done()
