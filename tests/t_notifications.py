#!/usr/bin/python3
"""RFC 5277 / RFC 6470 notifications: ncclient subscribers through a real
sshd see the events caused by other session processes (session start and
end, config changes, confirmed commits including the rollback by the
detached timer), subtree filters, startTime/stopTime replay from the
bounded log, errors, and log rotation."""
import datetime
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import NETCONF, TAP, InetdSshd, SshEnv, scaled  # noqa: E402
from ncraw import NcRaw  # noqa: E402

from ncclient import manager  # noqa: E402
from ncclient.operations import RPCError  # noqa: E402

NOTIF = "urn:ietf:params:xml:ns:netconf:notification:1.0"
NCN = "urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"
NCEV = "urn:ietf:params:xml:ns:netmod:notification"
EX = "urn:example:n"
t = TAP()
env = SshEnv(name="nc-notif")
sshd = InetdSshd(env)
open_mgrs, raws = [], []
T0 = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def connect():
    m = manager.connect(host="127.0.0.1", port=sshd.port, username="root",
                        key_filename=env.user_key, hostkey_verify=False,
                        allow_agent=False, look_for_keys=False, timeout=scaled(30))
    open_mgrs.append(m)
    return m


def raw(peer="192.0.2.50", extra=None):
    e = {"SSH_CLIENT": "%s 40000 830" % peer, "USER": "root"}
    e.update(extra or {})
    r = NcRaw(env.netconf_direct(extra_env=e))
    raws.append(r)
    r.hello()
    return r


def event(n):
    """(event local name, element) of an ncclient notification."""
    root = ET.fromstring(n.notification_xml.encode() if isinstance(n.notification_xml, str) else n.notification_xml)
    for c in root:
        if c.tag != "{%s}eventTime" % NOTIF:
            return c.tag.split("}")[1], c
    return None, None


def collect(m, want, timeout=10.0):
    """Notifications until one named want arrives (or timeout): list of (name, elem)."""
    got = []
    end = time.monotonic() + scaled(timeout)
    while time.monotonic() < end:
        n = m.take_notification(block=True, timeout=max(0.1, end - time.monotonic()))
        if n is None:
            break
        got.append(event(n))
        if got[-1][0] == want:
            break
    return got


def edit(r, value):
    rep = r.rpc('<edit-config><target><running/></target><config><v xmlns="%s">%s</v></config></edit-config>'
                % (EX, value))
    return NcRaw.ok(rep)


try:
    a = connect()
    a.create_subscription()
    t.ok("urn:ietf:params:netconf:capability:notification:1.0" in a.server_capabilities and
         "urn:ietf:params:netconf:capability:interleave:1.0" in a.server_capabilities,
         "hello advertises :notification and :interleave")

    # ---- events from another session process ----
    b = raw()
    got = collect(a, "netconf-session-start")
    start = [e for n, e in got if n == "netconf-session-start"]
    t.ok(start and start[0].findtext("{%s}session-id" % NCN) == str(b.session_id) and
         start[0].findtext("{%s}username" % NCN) == "root" and
         start[0].findtext("{%s}source-host" % NCN) == "192.0.2.50",
         "subscriber sees another session start, with user, id and address", got)
    t.ok(edit(b, "1"), "other session edits running")
    got = collect(a, "netconf-config-change")
    cc = [e for n, e in got if n == "netconf-config-change"]
    t.ok(cc and cc[0].findtext("{%s}changed-by/{%s}session-id" % (NCN, NCN)) == str(b.session_id) and
         cc[0].findtext("{%s}datastore" % NCN) == "running",
         "subscriber sees the config change, changed-by that session", got)
    r = a.get_config(source="running")
    t.ok(b"<v " in r.data_xml.encode() or "<v " in r.data_xml, "RPCs still work while subscribed (interleave)")
    b.close()
    got = collect(a, "netconf-session-end")
    end = [e for n, e in got if n == "netconf-session-end"]
    t.ok(end and end[0].findtext("{%s}termination-reason" % NCN) == "closed" and
         end[0].findtext("{%s}session-id" % NCN) == str(b.session_id),
         "subscriber sees the session end (closed)", got)

    # ---- errors ----
    try:
        a.create_subscription()
        tag = None
    except RPCError as e:
        tag = e.tag
    t.eq(tag, "in-use", "second subscription on a session: in-use")
    c = raw()
    rep = c.rpc('<create-subscription xmlns="%s"><stream>OTHER</stream></create-subscription>' % NOTIF)
    t.eq([e.get("error-tag") for e in NcRaw.errors(rep)], ["invalid-value"], "unknown stream: invalid-value")
    rep = c.rpc('<create-subscription xmlns="%s"><stopTime>%s</stopTime></create-subscription>'
                % (NOTIF, iso(T0)))
    t.eq([e.get("error-tag") for e in NcRaw.errors(rep)], ["missing-element"], "stopTime without startTime")
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    rep = c.rpc('<create-subscription xmlns="%s"><startTime>%s</startTime></create-subscription>'
                % (NOTIF, iso(future)))
    t.eq([e.get("error-tag") for e in NcRaw.errors(rep)], ["bad-element"], "startTime in the future")
    for bad in ("2020-01-01T00:00:00+-9:-9", "2020-01-01T00:00:00+99:00",
                "2020-01-01T00:00:00.Z", "2020-01-01T00:00:00"):
        rep = c.rpc('<create-subscription xmlns="%s"><startTime>%s</startTime></create-subscription>'
                    % (NOTIF, bad))
        t.eq([e.get("error-tag") for e in NcRaw.errors(rep)], ["bad-element"],
             "startTime %s (malformed offset, fraction or no zone): bad-element" % bad)

    # ---- subtree filter ----
    f = connect()
    f.create_subscription(filter=("subtree", '<netconf-config-change xmlns="%s"/>' % NCN))
    t.ok(edit(c, "2"), "edit by a third session")
    got = collect(f, "netconf-config-change")
    t.eq([n for n, _ in got], ["netconf-config-change"],
         "filtered subscriber gets only config changes (no session-start of later sessions)")

    # ---- replay ----
    mid = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(0.05)
    t.ok(edit(c, "3"), "one more edit after a mark")
    collect(a, "netconf-config-change")
    d = connect()
    d.create_subscription(start_time=iso(T0))
    got = collect(d, "replayComplete")
    names = [n for n, _ in got]
    t.ok(names and names[-1] == "replayComplete" and names.count("netconf-config-change") >= 3 and
         "netconf-session-start" in names and "netconf-session-end" in names,
         "replay from startTime: stored events, then replayComplete", names)
    e = connect()
    e.create_subscription(start_time=iso(T0), stop_time=iso(mid))
    got = collect(e, "notificationComplete")
    names = [n for n, _ in got]
    t.ok(names[-2:] == ["replayComplete", "notificationComplete"] and names.count("netconf-config-change") == 2,
         "startTime/stopTime window: only events inside it, then replayComplete and notificationComplete", names)

    # ---- confirmed commit: start, then rollback by the timer ----
    a.edit_config(target="candidate", config='<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><v xmlns="%s">9</v></config>' % EX)
    a.commit(confirmed=True, timeout="1", persist="p1")
    got = collect(f, "netconf-config-change")
    t.ok(got and got[0][0] == "netconf-config-change", "commit: config change seen by the filtered subscriber")
    got = collect(d, "netconf-confirmed-commit")
    cc = [e for n, e in got if n == "netconf-confirmed-commit"]
    t.ok(cc and cc[0].findtext("{%s}confirm-event" % NCN) == "start" and cc[0].findtext("{%s}timeout" % NCN) == "1",
         "confirmed commit start event with its timeout", got)
    got = collect(d, "netconf-confirmed-commit", timeout=15)
    cc = [e for n, e in got if n == "netconf-confirmed-commit"]
    chg = [e for n, e in got if n == "netconf-config-change"]
    t.ok(cc and cc[-1].findtext("{%s}confirm-event" % NCN) == "timeout", "the timer's rollback sends timeout", got)
    t.ok(chg and chg[-1].find("{%s}changed-by/{%s}server" % (NCN, NCN)) is not None,
         "the rollback's config change is changed-by the server")

    # ---- a bounded log that rotates, followed across rotations ----
    c.close()
    env2 = {"NCHOME_NOTIFY_LOG_MAX": "8192"}
    w = raw(extra=env2)
    for i in range(40):
        edit(w, "r%d" % i)
    got = []
    deadline = time.monotonic() + scaled(10)
    while len([1 for n, _ in got if n == "netconf-config-change"]) < 40 and time.monotonic() < deadline:
        n = a.take_notification(block=True, timeout=scaled(2))
        if n is None:
            break
        got.append(event(n))
    t.eq(len([1 for n, _ in got if n == "netconf-config-change"]), 40,
         "all 40 changes reach the subscriber across log rotations")
    logdir = os.path.join(env.datastore_dir, "notifications")
    t.ok(os.path.exists(os.path.join(logdir, "log.1")) and os.path.getsize(os.path.join(logdir, "log")) <= 8192,
         "the log rotated and stays bounded")
    w.close()

    # ---- how sessions end: killed (with killed-by), other, dropped, bad-hello ----
    victim, killer = raw(), raw()
    collect(a, "netconf-session-start")
    rep = killer.rpc("<kill-session><session-id>%d</session-id></kill-session>" % victim.session_id)
    t.ok(NcRaw.ok(rep), "kill-session of another session process", NcRaw.errors(rep))
    got = collect(a, "netconf-session-end")
    end = [e for n, e in got if n == "netconf-session-end"]
    t.ok(end and end[-1].findtext("{%s}session-id" % NCN) == str(victim.session_id) and
         end[-1].findtext("{%s}termination-reason" % NCN) == "killed" and
         end[-1].findtext("{%s}killed-by" % NCN) == str(killer.session_id),
         "kill-session: session-end says killed, killed-by the killer's session-id", got)
    killer.close()
    collect(a, "netconf-session-end")
    other = raw()
    collect(a, "netconf-session-start")
    other.proc.terminate()
    other.proc.wait(scaled(10))
    got = collect(a, "netconf-session-end")
    end = [e for n, e in got if n == "netconf-session-end"]
    t.ok(end and end[-1].findtext("{%s}termination-reason" % NCN) == "other" and
         end[-1].find("{%s}killed-by" % NCN) is None,
         "a SIGTERM from outside NETCONF: termination-reason other, no killed-by", got)
    gone = raw()
    collect(a, "netconf-session-start")
    gone.wait()
    got = collect(a, "netconf-session-end")
    end = [e for n, e in got if n == "netconf-session-end"]
    t.ok(end and end[-1].findtext("{%s}session-id" % NCN) == str(gone.session_id) and
         end[-1].findtext("{%s}termination-reason" % NCN) == "dropped",
         "end of input without close-session: dropped", got)
    bh = NcRaw(env.netconf_direct(extra_env={"SSH_CLIENT": "192.0.2.51 40000 830"}))
    raws.append(bh)
    bh.read_msg()
    bh.send_msg('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
                '<capability>urn:example:no-base</capability></capabilities></hello>')
    bh.wait()
    got = collect(a, "netconf-session-end")
    end = [e for n, e in got if n == "netconf-session-end"]
    t.ok(end and end[-1].findtext("{%s}termination-reason" % NCN) == "bad-hello" and
         end[-1].findtext("{%s}source-host" % NCN) == "192.0.2.51",
         "a bad client hello: session-end with bad-hello", got)

    # ---- a subscriber that falls more than a rotation behind: the loss is counted and logged ----
    small = {"NCHOME_NOTIFY_LOG_MAX": "4096"}
    w2 = raw(extra=small)
    errlog = os.path.join(env.dir, "slow-subscriber.log")
    with open(errlog, "w") as ef:
        slowp = subprocess.Popen([NETCONF, "-d", "-f", env.conf], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=ef,
                                 env=dict(os.environ, USER="root", **small))
    slow = NcRaw(slowp)
    raws.append(slow)
    slow.hello()
    t.ok(NcRaw.ok(slow.rpc('<create-subscription xmlns="%s"/>' % NOTIF)), "slow subscriber subscribes")
    time.sleep(0.3)
    lockf = os.path.join(env.datastore_dir, "notifications", "lock")

    def last_seq():
        with open(lockf) as f:
            return int(re.search(r"seq (\d+)", f.read()).group(1))

    # Stopped like a session stuck writing to an NMS that does not read.
    seq0 = last_seq()
    slowp.send_signal(signal.SIGSTOP)
    for i in range(60):
        edit(w2, "slow%d" % i)
    w2.close()
    seq1 = last_seq()
    slowp.send_signal(signal.SIGCONT)
    got, lost_logged = 0, None
    deadline = time.monotonic() + scaled(20)
    while time.monotonic() < deadline:
        try:
            msg = slow.read_msg(timeout=3)
        except TimeoutError:
            msg = None
        if msg is None:
            break
        if b"<notification" in (msg if isinstance(msg, bytes) else msg.encode()):
            got += 1
        if got >= seq1 - seq0:
            break
    with open(errlog) as f:
        m_lost = re.findall(r"fell behind the event log: (\d+) events", f.read())
    lost = sum(int(x) for x in m_lost)
    t.ok(lost > 0, "the stalled subscriber missed events and the log says how many (%d)" % lost)
    t.eq(got + lost, seq1 - seq0,
         "delivered + logged as lost = events written while it stalled (%d)" % (seq1 - seq0))
finally:
    for m in open_mgrs:
        try:
            m.close_session()
        except Exception:
            pass
    for r in raws:
        try:
            r.proc.kill()
        except Exception:
            pass
    sshd.close()
    env.cleanup()
t.done()
