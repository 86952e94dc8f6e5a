#!/usr/bin/python3
"""running.index (subsystem/store/index_table.c, tree/filter_keyq.c), over
pipes (NcRaw).

A new session (no tree of running) whose filter asks for list entries by
key alone answers from running.shared through running.index, written with
the form.  Checked: the reply is byte for byte the one of a session that
holds the tree, for subtree and XPath filters, one key, several, composite
keys, keys that do not exist, random keys; the index is what answers
(a same-length change planted in running.shared shows); a missing, stale,
truncated or corrupt index is not used (the planted change does not show:
running answers) and is written again; a filter that is not a pure key
query, or a with-defaults mode other than explicit, is answered from
running; a publisher killed with SIGKILL while it writes running.index
leaves the old index or the new one (strace holds each write)."""
import os
import random
import signal
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, SshEnv, wait_for  # noqa: E402
from ncraw import Sessions, edit, getcfg  # noqa: E402

B = "urn:keyed:b"
N = 2000
IHDR = struct.Struct("=8s12QQQQQQQ")   # magic, identity, shared_len, ngroups, nslots, ntops, tops_ok, sum
GROUP = 3 * 64 + 4 * 8
TOP = 256 + 64 + 3 * 8
SLOT = 24
t = TAP()
envs = []
sessions = Sessions(lambda e: e.netconf_direct())


def top(body):
    return '<top xmlns="%s">%s</top>' % (B, body)


def item(i, gen):
    return ('<item><name>i%05d</name><v>g%d &amp; &lt;%d&gt;</v><w xmlns:p="urn:p">p:x</w></item>'
            % (i, gen, i))


def subtree(*names):
    return ('<filter type="subtree"><top xmlns="%s">%s</top></filter>'
            % (B, "".join("<item><name>%s</name></item>" % n for n in names)))


def xpath(*names):
    return ('<filter type="xpath" xmlns:b="%s" select="%s"/>'
            % (B, " | ".join("/b:top/b:item[b:name='%s']" % n for n in names)))


def path(env, name):
    return os.path.join(env.datastore_dir, name)


def read(env, name):
    with open(path(env, name), "rb") as f:
        return f.read()


def write(env, name, data):
    with open(path(env, name), "wb") as f:
        f.write(data)


def index_ok(env):
    """None when running.index is absent or whole (its size is what its header says); else why not."""
    try:
        data = read(env, "running.index")
    except FileNotFoundError:
        return None
    if len(data) < IHDR.size:
        return "running.index of %d bytes" % len(data)
    f = IHDR.unpack_from(data)
    want = IHDR.size + f[14] * GROUP + f[16] * TOP + f[15] * SLOT
    if f[0] != b"NCINDEX2" or want != len(data):
        return "running.index partial: magic %r, %d bytes of %d" % (f[0], len(data), want)
    return None


def plant(env):
    """A same-length change in running.shared, in entry i00042: shows only when the index answers."""
    data = read(env, "running.shared")
    i = data.index(b"<name>i00042</name><v>")
    write(env, "running.shared", data[:i + 22] + b"G" + data[i + 23:])


env = SshEnv(name="nc-keyed")
envs.append(env)
try:
    a = sessions.session(env)
    t.ok(edit(a, top("".join(item(i, 0) for i in range(N)) +
                     "".join("<pair><x>%d</x><y>%d</y><v>p%d-%d</v></pair>" % (i % 7, i, i % 7, i)
                             for i in range(200)))),
         "%d entries and a list of two-leaf keys loaded" % N)
    filters = {
        "subtree one": subtree("i00042"),
        "subtree three": subtree("i01999", "i00003", "i00042"),
        "subtree missing": subtree("nope"),
        "subtree missing and one": subtree("nope", "i00042"),
        "subtree twice the same": subtree("i00042", "i00042"),
        "subtree white space": '<filter><top xmlns="%s"><item><name>  i00042 </name></item></top></filter>' % B,
        "subtree two matches": ('<filter><top xmlns="%s"><item><name>i00042</name><v>g0 &amp; &lt;42&gt;</v>'
                                '</item></top></filter>' % B),
        "subtree composite": ('<filter><top xmlns="%s"><pair><x>3</x><y>10</y></pair><pair><x>6</x><y>55</y></pair>'
                              '</top></filter>' % B),
        "subtree composite missing": '<filter><top xmlns="%s"><pair><x>3</x><y>11</y></pair></top></filter>' % B,
        "subtree other ns": '<filter><top xmlns="urn:other"><item><name>i00042</name></item></top></filter>',
        "xpath one": xpath("i00042"),
        "xpath three": xpath("i00007", "i01000", "i00042"),
        "xpath missing": xpath("nope"),
        "xpath composite": ('<filter type="xpath" xmlns:b="%s" select="/b:top/b:pair[b:x=\'3\' and b:y=\'10\']"/>' % B),
        "xpath composite brackets": ('<filter type="xpath" xmlns:b="%s" select="/b:top/b:pair[b:x=&quot;6&quot;]'
                                     '[b:y=\'55\']"/>' % B),
        "xpath white space": "<filter type=\"xpath\" xmlns:b=\"%s\" select=\"/b:top/b:item[b:name=' i00042']\"/>" % B,
        # not key queries: answered from running, and right
        "subtree selection": '<filter><top xmlns="%s"><item><name>i00042</name><v/></item></top></filter>' % B,
        "xpath non-key": "<filter type=\"xpath\" xmlns:b=\"%s\" select=\"/b:top/b:item[b:v='x']\"/>" % B,
    }
    warm = {k: getcfg(a, f) for k, f in filters.items()}
    t.ok(b"i00042" in warm["subtree one"] and b"i00042" in warm["xpath one"] and
         b"<y>10</y>" in warm["subtree composite"] and b"i00042" not in warm["subtree missing"],
         "the tree's replies hold what was asked")
    t.ok(not os.path.exists(path(env, "running.index")), "the writer wrote no index (its edit paid nothing)")
    first = {k: sessions.fresh_get(env, f) for k, f in filters.items()}
    t.ok(first == warm, "new sessions without an index (parse running): the tree's replies",
         [k for k in warm if first[k] != warm[k]])
    sessions.fresh_get(env)    # an unfiltered get-config writes the form (a keyed miss does too)
    t.ok(os.path.exists(path(env, "running.index")) and index_ok(env) is None,
         "running.index written with the form, whole", index_ok(env))
    got = {k: sessions.fresh_get(env, f) for k, f in filters.items()}
    t.ok(got == warm, "new sessions through the index: the tree's replies, byte for byte",
         [k for k in warm if got[k] != warm[k]])

    # the index is what answers: a change planted in running.shared shows
    plant(env)
    used = [k for k in ("subtree one", "subtree three", "xpath one", "xpath three")
            if b"G0 &amp;" in sessions.fresh_get(env, filters[k])]
    t.ok(len(used) == 4, "keyed filters are answered from running.shared through the index", used)
    t.ok(b"G0" not in sessions.fresh_get(env, filters["subtree selection"]) and
         b"G0" not in sessions.fresh_get(env, filters["xpath non-key"]),
         "filters that are not key queries are answered from running")

    # random keys, both kinds
    rnd = random.Random(15)
    keys = ["i%05d" % rnd.randrange(N) for _ in range(25)] + ["i%05d" % N, "x", "i0004"]
    bad = []
    for k in keys:
        if k == "i00042":
            continue
        for kind, f in (("subtree", subtree(k)), ("xpath", xpath(k))):
            if sessions.fresh_get(env, f) != getcfg(a, f):
                bad.append((kind, k))
    t.ok(not bad, "28 random and absent keys, subtree and XPath: the tree's replies", bad)

    # ---- an index not right is not used ----
    good_index = read(env, "running.index")

    def fallback(name, breaker):
        plant(env)
        breaker()
        rep = sessions.fresh_get(env, filters["subtree three"])
        t.ok(rep == warm["subtree three"], "%s: not used, running answers" % name)
        plant(env)
        t.ok(b"G0 &amp;" in sessions.fresh_get(env, filters["subtree three"]) and index_ok(env) is None,
             "%s: written again, used" % name)

    fallback("no running.index", lambda: os.unlink(path(env, "running.index")))
    fallback("a truncated running.index", lambda: write(env, "running.index", good_index[:len(good_index) // 2]))
    fallback("running.index of its header only", lambda: write(env, "running.index", good_index[:IHDR.size]))

    def flip(off):
        d = bytearray(read(env, "running.index"))
        d[off] ^= 0x10
        write(env, "running.index", bytes(d))

    fallback("a flipped byte in the header", lambda: flip(IHDR.size - 12))
    fallback("a flipped byte in a group record", lambda: flip(IHDR.size + 100))
    ng = IHDR.unpack_from(good_index)[14]
    nt = IHDR.unpack_from(good_index)[16]

    def zero_slots():
        d = read(env, "running.index")
        start = IHDR.size + ng * GROUP + nt * TOP
        write(env, "running.index", d[:start] + bytes(len(d) - start))

    fallback("slots zeroed", zero_slots)

    def flip_slots():
        d = bytearray(read(env, "running.index"))
        for o in range(IHDR.size + ng * GROUP + nt * TOP + 9, len(d), SLOT):
            d[o] ^= 0x01      # every slot's offset moves one byte
        write(env, "running.index", bytes(d))

    fallback("every slot's offset changed", flip_slots)

    # stale: an index of an earlier running (a same-length edit keeps every offset)
    old_index = read(env, "running.index")
    t.ok(edit(a, top('<item><name>i00500</name><v>h0 &amp; &lt;500&gt;</v></item>')), "a same-length edit of running")
    warm_after = getcfg(a, filters["subtree three"])
    sessions.fresh_get(env)
    t.ok(read(env, "running.index") != old_index, "the form and its index are written again")
    plant(env)
    write(env, "running.index", old_index)
    t.ok(sessions.fresh_get(env, filters["subtree three"]) == warm_after,
         "an index stamped with an earlier running is not used")
    edit(a, top(item(42, 1)))
    t.ok(sessions.fresh_get(env, filters["subtree one"]) == getcfg(a, filters["subtree one"]) and
         b"g1 &amp;" in sessions.fresh_get(env, filters["xpath one"]),
         "after an edit new sessions see the new entry (stale form and index)")

    # ---- kill -9 of the publisher while it writes running.index ----
    for n in os.listdir(env.datastore_dir):
        if n.startswith("running.index") or n.startswith("running.shared"):
            os.unlink(path(env, n))
    slow = subprocess.Popen(
        ["strace", "-f", "-qq", "-o", "/dev/null", "-P", path(env, "running.index"),
         "-e", "trace=write,writev,pwrite64",
         "-e", "inject=write,writev,pwrite64:delay_enter=200000",
         NETCONF, "-f", env.conf],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=dict(os.environ, USER=os.environ.get("USER", "root")))
    r = sessions.session(env, slow)
    want = getcfg(a, filters["subtree three"])
    got = getcfg(r, filters["subtree three"])
    wait_for(lambda: any(n.startswith("running.index") and os.path.getsize(path(env, n)) > 0
                         for n in os.listdir(env.datastore_dir)), 20, step=0.001)
    try:
        kids = open("/proc/%d/task/%d/children" % (slow.pid, slow.pid)).read().split()
    except OSError:
        kids = []
    if kids:
        os.kill(int(kids[0]), signal.SIGKILL)
    slow.wait(30)
    why = index_ok(env)
    t.ok(got == want and kids and why is None,
         "a publisher held in its writes of running.index and killed: the index is whole or absent",
         why or "reply differs or no traced child")
    t.ok(sessions.fresh_get(env, filters["subtree three"]) == want and
         sessions.fresh_get(env, filters["xpath three"]) == getcfg(a, filters["xpath three"]),
         "and new sessions' keyed replies are running's")
    a.wait()
finally:
    sessions.kill()
    for e in envs:
        e.cleanup()
t.done()
