#!/usr/bin/python3
"""A NETCONF account attacks through the other real NMS clients.

The set-up of t_attack_account.py (tests/lib/attack_account.py: a real
`make install` into a scratch prefix, accounts made by the doc's
commands, the installed sshd_config's rules): mallory and trudy are
NETCONF accounts.  Root's NACM rules (a rule list only root may read)
deny the NETCONF group reading /netconf-state/sessions; root's recovery
session stays open, holding the candidate's lock.  Then, through the
real sshd, as those accounts:

libnetconf2 (tests/nms/nms_lnc2_probe.c; it builds its context from
what the device announces at session start: yang-library data, then
get-schema of each module):
- its context: the control that it reached the server;
- <get> of netconf-state: the capabilities and datastores come, the
  sessions (root's user name) do not; root's own <get> has them;
- <get> with-defaults report-all of /nacm and of everything: nothing of
  root's rules;
- get-schema with a path, an unknown format or a crafted version: an
  error, no file content; of ietf-netconf-acm by name: its text (schema
  text is not data: RFC 8341 guards data, RFC 6022 serves the modules);
- kill-session of root's session, of no session and of its own:
  access-denied all three (kill-session is default-deny-all; the
  refusal tells nothing of which sessions exist), root's session lives;
- a replay of the event log filtered on netconf-config-change: root's
  /nacm edit is not in it, replayComplete comes;
- a live subscription while root adds a rule denying it
  netconf-config-change: root's next edit is not sent to her (the rules
  as they are when a notification goes out, RFC 8341 3.4.6; before, a
  subscriber kept the rules of its last RPC for its whole life);
- mallory and trudy lock and unlock running against each other, many
  times: never both hold it, an unlock of the other's lock fails, root
  can lock afterwards.

yangcli (yuma123, --batch-mode) as mallory over TCP: its automatic
requests at session start succeed; sget of the sessions shows no user
name; sget of /nacm is empty; kill-session of root's session is refused
and yangcli takes the reply (its error-path's prefixes are declared).

As the bytes say it (trudy, raw over sshd): the error-path of a denied
kill-session and of a get-schema root denied her group declares its
prefixes (nc, and op for another namespace).

ansible.netcommon's netconf modules (ncclient underneath) as mallory:
netconf_get of netconf-state has no sessions, of /nacm nothing;
netconf_rpc kill-session of root's session fails.

Also, with libnetconf2: 16 sessions of hers at once each get their own
id and answer, one of them gets running's lock, and none stays listed
after they end; with max-sessions-per-account 3 her 4th live session is
refused, trudy's and root's are not (before the bound, an account could
start sessions without end, each a process of up to max-session-memory).

RFC 6022 has no NACM annotation: by RFC 8341's read-default permit an
account sees the other sessions (user name, source host) unless the
operator denies it, which is what this test checks is honoured.
"""
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from doc_commands import install_group, private_account_tap  # noqa: E402
# first: it may run this file again in a namespace
t = private_account_tap("attacks of a NETCONF account through libnetconf2 and yangcli")
from nchome_test import TOP, InetdSshd, scaled  # noqa: E402
from nchome_auth import AuthEnv, DEVICE  # noqa: E402
from ncraw import NcRaw, kill_all  # noqa: E402
from ansible_netconf import run_playbook  # noqa: E402
from attack_account import NACM_NS, HELLO10, CLOSE, rpc10, install_with_account  # noqa: E402

PROBE = os.path.join(TOP, "tests", "nms", "nms_lnc2_probe")
NCM = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
NOTIF = "urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"
MARK = "nacm-clients-secret-list"
N_PROBE = 17
N_YANGCLI = 4
N_ANSIBLE = 3
ANSIBLE_PLAY = """
- hosts: device
  gather_facts: false
  tasks:
    - name: netconf-state
      ansible.netcommon.netconf_get:
        filter: <netconf-state xmlns="%(ncm)s"/>
        display: xml
      register: sessions
    - name: nacm from running
      ansible.netcommon.netconf_get:
        source: running
        filter: <nacm xmlns="%(nacm)s"/>
        display: xml
      register: nacm
    - name: kill root's session
      ansible.netcommon.netconf_rpc:
        rpc: kill-session
        xmlns: urn:ietf:params:xml:ns:netconf:base:1.0
        content: "<session-id>%(rid)d</session-id>"
      register: kill
      ignore_errors: true
    - name: results
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'sessions': sessions.stdout, 'nacm': nacm.stdout, 'kill': kill} | to_json }}"
"""

NACM_RULES = (
    '<nacm xmlns="%s"><rule-list><name>%s</name><group>nchome-netconf</group>'
    '<rule><name>no-sessions</name><path xmlns:ncm="%s">/ncm:netconf-state/ncm:sessions</path>'
    '<access-operations>read</access-operations><action>deny</action></rule>'
    '</rule-list></nacm>' % (NACM_NS, MARK, NCM))


def probe(env, user, key, lines, tag):
    """Popen of the libnetconf2 probe as user through sshd, running lines."""
    work = tempfile.mkdtemp(prefix="nc-probe-%s-" % tag, dir=env.dir)
    script = os.path.join(work, "script")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.makedirs(os.path.join(work, "modules"))
    args = [PROBE] + env.ssh_args(os.path.join(env.dir, "sshd-%s.log" % tag), key) + \
        ["-s", "%s@%s" % (user, DEVICE), "netconf"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, NMS_SCRIPT=script,
                                     NMS_SCHEMA_DIR=os.path.join(work, "modules")))


def finish(p, timeout=90):
    try:
        out, err = p.communicate(timeout=scaled(timeout))
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    replies = {}
    for line in out.splitlines():
        w = line.split(" ", 4)
        if w[0] == "reply" and len(w) == 5:
            replies[int(w[1])] = (int(w[2]), int(w[3]), w[4])
        elif w[0] == "noreply" and len(w) >= 3:
            replies[int(w[1])] = (0, 0, "noreply " + w[2])
    return out, err, replies


def err_tag(reply):
    m = re.search(r"<error-tag>([^<]*)</error-tag>", reply)
    return m.group(1) if m else None


def skip_all():
    for i in range(N_PROBE):
        t.skip_tool("libnetconf2 attack %d" % (i + 1), "nms_lnc2_probe", "not built (libnetconf2-dev missing)")


install_group()
env = AuthEnv(install_only=True)
sessions = []
sshd = None
try:
    inst, netconf, ds = install_with_account(t, env, "mallory")
    mkey = env.user_key("mallory")
    env.authorize_key("mallory", mkey + ".pub")
    tkey = env.group_account(t, "trudy", "nc-trudy")

    root = env.recovery_session(netconf, sessions)
    r = root.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>" % NACM_RULES)
    t.ok(NcRaw.ok(r), "root writes NACM rules that deny the group the sessions", NcRaw.errors(r))
    r = root.rpc("<lock><target><candidate/></target></lock>")
    t.ok(NcRaw.ok(r), "root's session locks the candidate", NcRaw.errors(r))
    rid = root.session_id
    import xml.etree.ElementTree as ET
    r = root.rpc('<get><filter type="subtree"><netconf-state xmlns="%s"><sessions/></netconf-state>'
                 '</filter></get>' % NCM)
    rtext = ET.tostring(r, encoding="unicode") if r is not None else ""
    t.ok("<ns0:username>root</ns0:username>" in rtext or ">root<" in rtext,
         "root's own <get> lists the sessions with its user name (what the rule hides)", rtext[-600:])

    if not os.access(PROBE, os.X_OK):
        skip_all()
    else:
        # ---- libnetconf2 as mallory ----
        lines = [
            'get|<netconf-state xmlns="%s"/>|' % NCM,                                   # 1
            'get|<nacm xmlns="%s"/>|report-all' % NACM_NS,                             # 2
            'get||report-all',                                                         # 3
            'schema|ietf-netconf-acm||',                                               # 4
            'schema|ietf-netconf-acm|../../../../../../etc/passwd|',                    # 5
            'schema|ietf-netconf-acm||yin',                                            # 6
            'schema|../../../../../../etc/passwd||',                                   # 7
            'kill|%d' % rid,                                                           # 8
            'kill|99999',                                                              # 9
            'subscribe|<netconf-config-change xmlns="%s"/>|1970-01-01T00:00:00Z' % NOTIF,  # 10
            'notifs|8',
        ]
        p = probe(env, "mallory", mkey, lines, "m1")
        out, err, rep = finish(p)
        detail = (out + err)[-3000:]
        mods = set(re.findall(r"^module (\S+)$", out, re.M))
        t.ok(re.search(r"^connected \d+$", out, re.M) is not None and
             {"ietf-netconf", "ietf-netconf-monitoring", "ietf-yang-library"} <= mods,
             "libnetconf2 as mallory connects through sshd and builds its context from the device "
             "(%d modules)" % len(mods), detail)
        x = rep.get(1, (0, 0, ""))[2]
        t.ok("<capabilities>" in x and "<datastores>" in x and "<sessions" not in x
             and ">root<" not in x,
             "<get> of netconf-state: capabilities and datastores, no sessions (root's rule)", x[-800:])
        x = rep.get(2, (0, 0, "noreply"))[2]
        t.ok(not x.startswith("noreply") and MARK not in x and "rule-list" not in x
             and "enable-nacm" not in x,
             "<get> of /nacm with report-all: nothing of it", x[-600:])
        x = rep.get(3, (0, 0, "noreply"))[2]
        t.ok(not x.startswith("noreply") and MARK not in x and "<sessions" not in x and "<data" in x,
             "<get> of everything with report-all: no rule list, no sessions", x[-600:])
        x = rep.get(4, (0, 0, ""))[2]
        t.ok("module ietf-netconf-acm" in x, "get-schema of ietf-netconf-acm by name gives its text", x[-300:])
        for n, what in ((5, "a version that is a path"), (6, "format yin"), (7, "an identifier that is a path")):
            x = rep.get(n, (0, 0, ""))[2]
            t.ok(err_tag(x) is not None and "root:x:0:0" not in x and "module ietf" not in x,
                 "get-schema with %s: %s, no file content" % (what, err_tag(x)), x[-400:])
        tags = [err_tag(rep.get(n, (0, 0, ""))[2]) for n in (8, 9)]
        t.eq(tags, ["access-denied", "access-denied"],
             "kill-session of root's session and of no session: both access-denied (no oracle)")
        r = root.rpc("<get-config><source><running/></source><filter type=\"subtree\">"
                     "<nacm xmlns=\"%s\"/></filter></get-config>" % NACM_NS)
        t.ok(NcRaw.ok(r) or (r is not None and r.find("{urn:ietf:params:xml:ns:netconf:base:1.0}data")
                             is not None), "root's session lives on after her kill-session")
        x = rep.get(10, (0, 0, ""))[2]
        notifs = re.findall(r"^notif (.*)$", out, re.M)
        t.ok("<ok" in x and any("replayComplete" in n for n in notifs)
             and not any(MARK in n or "nacm" in n for n in notifs),
             "a replay filtered on netconf-config-change: replayComplete, nothing of root's /nacm edit "
             "(%d notifications)" % len(notifs), "\n".join(notifs)[-1000:] + x[-300:])

        # ---- lock and unlock of running, mallory against trudy ----
        ROUNDS = 12
        go = os.path.join(env.dir, "go-race")

        def race_lines(hold, gap):
            # periods that differ, so that neither wins every round by phase
            return ["waitfile|" + go] + ["lock", "sleep|%d" % hold, "unlock", "unlock", "sleep|%d" % gap] * ROUNDS
        pm = probe(env, "mallory", mkey, race_lines(25, 7), "m2")
        pt = probe(env, "trudy", tkey, race_lines(9, 13), "t2")
        end = time.monotonic() + scaled(30)
        while time.monotonic() < end:       # both connected, then both start at once
            r = root.rpc('<get><filter type="subtree"><netconf-state xmlns="%s"><sessions/></netconf-state>'
                         '</filter></get>' % NCM)
            x = ET.tostring(r, encoding="unicode") if r is not None else ""
            if ">mallory<" in x and ">trudy<" in x:
                break
            time.sleep(0.1)
        time.sleep(0.5)     # their contexts built
        open(go, "w").close()
        outm, errm, repm = finish(pm)
        outt, errt, rept = finish(pt)

        def held(rep):
            """(lock's reply end, unlock's reply start) of each lock she got, and
            how many unlocks she did not hold succeeded."""
            spans, stray = [], 0
            for i in range(ROUNDS):
                lk, ul, ul2 = rep.get(5 * i + 2), rep.get(5 * i + 4), rep.get(5 * i + 5)
                if lk and "<ok" in lk[2]:
                    spans.append((lk[1], ul[0] if ul else 1 << 62))
                    if ul2 and "<ok" in ul2[2]:
                        stray += 1
                elif ul and "<ok" in ul[2]:
                    stray += 1
            return spans, stray

        sm, straym = held(repm)
        st, strayt = held(rept)
        overlap = [(a, b) for a in sm for b in st if a[0] < b[1] and b[0] < a[1]]
        t.ok(sm and st and not overlap,
             "mallory and trudy race for running's lock: each gets it (%d, %d times), never both at once"
             % (len(sm), len(st)), "overlaps %r\n%s\n%s" % (overlap[:3], (outm + errm)[-800:], (outt + errt)[-800:]))
        t.eq((straym, strayt), (0, 0), "an unlock of a lock she does not hold never succeeds")
        r = root.rpc("<lock><target><running/></target></lock>")
        r2 = root.rpc("<unlock><target><running/></target></lock>".replace("</lock>", "</unlock>"))
        t.ok(NcRaw.ok(r) and NcRaw.ok(r2), "root locks running after the race: no lock was left",
             NcRaw.errors(r))

        # ---- a live subscription while root tightens the rules ----
        # RFC 8341 3.4.6: each notification is checked against the rules as
        # they are when it is sent, not as they were at her last RPC (a
        # subscriber sends none): root's new rule must stop the next one.
        p = probe(env, "mallory", mkey, ["subscribe||", "notifs|%d" % scaled(30)], "m4")
        lines_q = queue.Queue()
        threading.Thread(target=lambda: [lines_q.put(x) for x in p.stdout], daemon=True).start()

        def wait_line(pred, timeout=10):
            got = []
            end = time.monotonic() + scaled(timeout)
            while time.monotonic() < end:
                try:
                    x = lines_q.get(timeout=0.2)
                except queue.Empty:
                    continue
                got.append(x)
                if pred(x):
                    return True, got
            return False, got

        okr, seen = wait_line(lambda x: x.startswith("reply 1 ") or x.startswith("noreply"))
        contact = '<system xmlns="urn:ietf:params:xml:ns:yang:ietf-system"><contact>%s</contact></system>'
        r = root.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>"
                     % (contact % "first@example.net"))
        ok1, got1 = wait_line(lambda x: x.startswith("notif") and "netconf-config-change" in x)
        t.ok(okr and ok1 and NcRaw.ok(r), "her live subscription gets root's edit of the contact "
             "(netconf-config-change)", "".join(seen + got1)[-1500:])
        deny = ('<nacm xmlns="%s"><rule-list><name>%s</name><rule><name>no-changes</name>'
                '<module-name>ietf-netconf-notifications</module-name>'
                '<notification-name>netconf-config-change</notification-name>'
                '<access-operations>read</access-operations><action>deny</action></rule>'
                '</rule-list></nacm>' % (NACM_NS, MARK))
        r = root.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>" % deny)
        r2 = root.rpc("<edit-config><target><running/></target><config>%s</config></edit-config>"
                      % (contact % "second@example.net"))
        # a marker she may read: root's next session's start and end
        marker = env.recovery_session(netconf, sessions)
        marker.close()
        ok2, got2 = wait_line(lambda x: x.startswith("notif") and "netconf-session-end" in x
                              and "<session-id>%d<" % marker.session_id in x)
        changes = [x for x in got2 if "netconf-config-change" in x]
        t.ok(NcRaw.ok(r) and NcRaw.ok(r2) and ok2 and not changes,
             "root's new rule denying netconf-config-change stops the next one on her subscription "
             "(%d sent after it)" % len(changes), "".join(got2)[-1500:])
        p.kill()
        p.wait()

        # ---- many sessions of hers at once ----
        MANY = 16
        go = os.path.join(env.dir, "go-many")
        ps = [probe(env, "mallory", mkey, ['get|<netconf-state xmlns="%s"><sessions/></netconf-state>|' % NCM,
                                           "waitfile|" + go, "lock", "sleep|4000"], "many%d" % i)
              for i in range(MANY)]
        # all connected (each has its own sshd and session process), then go
        end = time.monotonic() + scaled(30)
        while time.monotonic() < end:
            r = root.rpc('<get><filter type="subtree"><netconf-state xmlns="%s"><sessions/></netconf-state>'
                         '</filter></get>' % NCM)
            if r is not None and ET.tostring(r, encoding="unicode").count("session-id>") // 2 >= MANY + 1:
                break
            time.sleep(0.2)
        open(go, "w").close()
        ids, locked, answered = [], 0, 0
        for pp in ps:
            o, e, rp = finish(pp)
            m = re.search(r"^connected (\d+)$", o, re.M)
            if m:
                ids.append(int(m.group(1)))
            answered += 1 if "<data" in rp.get(1, (0, 0, ""))[2] else 0
            locked += 1 if "<ok" in rp.get(3, (0, 0, ""))[2] else 0
        r = root.rpc('<get><filter type="subtree"><netconf-state xmlns="%s"><sessions/></netconf-state>'
                     '</filter></get>' % NCM)
        left = ET.tostring(r, encoding="unicode").count("session-id>") // 2 if r is not None else -1
        t.ok(len(ids) == MANY and len(set(ids)) == MANY and answered == MANY and locked == 1 and left == 1,
             "%d sessions of hers at once: each its own id, each answers, one gets the lock; after them "
             "root's session is the only one listed (%d ids, %d answers, %d locks, %d listed)"
             % (MANY, len(set(ids)), answered, locked, left))

        # ---- max-sessions-per-account: 3 of hers live, the 4th refused ----
        with open(env.conf) as f:
            conf_text = f.read()
        with open(env.conf, "w") as f:
            f.write(conf_text.replace("netconf {\n", "netconf {\n  max-sessions-per-account = 3\n", 1))
        go = os.path.join(env.dir, "go-bound")
        held_ps = [probe(env, "mallory", mkey, ["waitfile|" + go], "bound%d" % i) for i in range(3)]
        end = time.monotonic() + scaled(30)
        while time.monotonic() < end:
            r = root.rpc('<get><filter type="subtree"><netconf-state xmlns="%s"><sessions/></netconf-state>'
                         '</filter></get>' % NCM)
            if r is not None and ET.tostring(r, encoding="unicode").count(">mallory<") >= 3:
                break
            time.sleep(0.2)
        o4, e4, _ = finish(probe(env, "mallory", mkey, ['get|<netconf-state xmlns="%s"/>|' % NCM], "bound4"))
        ot, et, rt = finish(probe(env, "trudy", tkey, ['get|<netconf-state xmlns="%s"/>|' % NCM], "boundt"))
        root2 = env.recovery_session(netconf, sessions)
        open(go, "w").close()
        outs = [finish(pp) for pp in held_ps]
        t.ok(all(re.search(r"^connected", o, re.M) for o, _, _ in outs) and "connected" not in o4
             and "<data" in rt.get(1, (0, 0, ""))[2] and root2.session_id,
             "max-sessions-per-account 3: her 4th session is refused, trudy's and root's are not",
             (o4 + e4)[-600:] + (ot + et)[-600:])
        root2.close()
        with open(env.conf, "w") as f:
            f.write(conf_text)

        # ---- her own session id, and a RPC libnetconf2 does not know ----
        m = re.search(r"^connected (\d+)$", outm, re.M)
        own = int(m.group(1)) if m else 0
        p = probe(env, "mallory", mkey, ["kill|%d" % (own + 1000000), "raw|<kill-session xmlns=\""
                                         "urn:ietf:params:xml:ns:netconf:base:1.0\"><session-id>%d"
                                         "</session-id></kill-session>" % rid], "m3")
        out3, err3, rep3 = finish(p)
        tags = [err_tag(rep3.get(n, (0, 0, ""))[2]) for n in (1, 2)]
        t.eq(tags, ["access-denied", "access-denied"],
             "kill-session of a far session id and kill-session as libnetconf2's generic RPC: access-denied")

    # ---- yangcli as mallory, over TCP ----
    yangcli = shutil.which("yangcli")
    if yangcli is None:
        for i in range(N_YANGCLI):
            t.skip_tool("yangcli attack %d" % (i + 1), "yangcli")
    else:
        sshd = InetdSshd(env)
        work = tempfile.mkdtemp(prefix="nc-yc-", dir=env.dir)
        script = os.path.join(work, "script")
        with open(script, "w") as f:
            f.write("sget /netconf-state/sessions\nsget /netconf-state/datastores\nsget /nacm\n"
                    "kill-session session-id=%d\n" % rid)
        home = os.path.join(work, "home")
        os.makedirs(home)
        p = subprocess.run([yangcli, "--batch-mode", "--run-script=" + script, "--server=127.0.0.1",
                            "--ncport=%d" % sshd.port, "--user=mallory",
                            "--public-key=" + mkey + ".pub", "--private-key=" + mkey,
                            "--password=", "--timeout=%d" % scaled(30)],
                           capture_output=True, text=True, timeout=scaled(120), stdin=subprocess.DEVNULL,
                           env=dict(os.environ, HOME=home))
        out = p.stdout
        detail = (out + p.stderr)[-3000:]
        t.ok("NETCONF session established" in out and "datastore" in out,
             "yangcli as mallory connects and reads the datastores (its session-start requests ran)", detail)
        t.ok("username" not in out and "root" not in re.sub(r"[\w/.-]*root[\w/.-]*/", "", out.split(
             "sget /netconf-state/sessions", 1)[-1].split("sget /netconf-state/datastores", 1)[0]),
             "yangcli's sget of the sessions shows no user name", detail)
        t.ok(out.count("RPC Data Reply") == 3 and MARK not in out and "rule-list" not in out,
             "yangcli's sget of /nacm shows nothing of it", detail)
        # the error-path's prefixes must be declared: yangcli parses the
        # path and drops a reply whose prefix it cannot resolve
        t.ok(re.search(r"RPC Error Reply[\s\S]*access-denied", out) is not None
             and "got invalid reply" not in out,
             "yangcli takes the access-denied reply to kill-session of root's session", detail)
    # ---- a denied RPC's error-path, as a client reads it: its prefixes declared ----
    r = root.rpc("<edit-config><target><running/></target><config><nacm xmlns=\"%s\"><rule-list>"
                 "<name>trudy-no-schema</name><group>nc-trudy</group><rule><name>s</name>"
                 "<module-name>ietf-netconf-monitoring</module-name><rpc-name>get-schema</rpc-name>"
                 "<access-operations>exec</access-operations><action>deny</action></rule></rule-list>"
                 "</nacm></config></edit-config>" % NACM_NS)
    tnc = env.ssh_session("trudy", tkey, os.path.join(env.dir, "sshd-trudy-raw.log"), sessions)
    raws = []
    for inner in ("<kill-session><session-id>%d</session-id></kill-session>" % rid,
                  '<get-schema xmlns="%s"><identifier>ietf-system</identifier></get-schema>' % NCM):
        tnc.send_msg(tnc.rpc_text(inner))
        m = tnc.read_msg()
        raws.append(m.decode(errors="replace") if isinstance(m, bytes) else (m or ""))
    tnc.close()
    want = ['<error-path xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">/nc:rpc/nc:kill-session</error-path>',
            '<error-path xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:op="%s">'
            '/nc:rpc/op:get-schema</error-path>' % NCM]
    t.ok(NcRaw.ok(r) and all(w in x for w, x in zip(want, raws)),
         "trudy's denied kill-session and get-schema (another namespace): access-denied, "
         "the error-path's prefixes declared on it", "\n".join(raws)[-1200:])

    # ---- ansible.netcommon's netconf modules as mallory ----
    playbook = shutil.which("ansible-playbook")
    if playbook is None:
        for i in range(N_ANSIBLE):
            t.skip_tool("ansible attack %d" % (i + 1), "ansible-playbook")
    else:
        if sshd is None:
            sshd = InetdSshd(env)
        work = tempfile.mkdtemp(prefix="nc-ans-", dir=env.dir)
        p, res, detail = run_playbook(playbook, work, ANSIBLE_PLAY % {"nacm": NACM_NS, "ncm": NCM, "rid": rid},
                                      sshd.port, "mallory", mkey)
        sess = res.get("sessions", "")
        t.ok(p.returncode == 0 and "netconf-state" in sess and "<sessions" not in sess and "root" not in sess,
             "ansible's netconf_get as mallory reaches the server; no sessions in netconf-state", detail)
        t.ok("nacm" in res and MARK not in res.get("nacm", "") and "rule-list" not in res.get("nacm", ""),
             "ansible's netconf_get of /nacm from running: nothing of it", res.get("nacm", detail))
        kill = res.get("kill", {})
        t.ok(kill.get("failed") is True and "access to <kill-session> denied" in json.dumps(kill),
             "ansible's netconf_rpc kill-session of root's session fails: access denied", json.dumps(kill)[-800:])
    r = root.rpc("<get-config><source><running/></source><filter type=\"subtree\">"
                 "<nacm xmlns=\"%s\"/></filter></get-config>" % NACM_NS)
    t.ok(r is not None and MARK in ET.tostring(r, encoding="unicode"),
         "root's session still answers and its rules are in running")
finally:
    if sshd is not None:
        sshd.close()
    kill_all(sessions)
    env.cleanup()
t.done()
