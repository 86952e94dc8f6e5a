"""A small raw NETCONF client for tests (stdlib only).

Talks to any subprocess whose stdin/stdout carry NETCONF, e.g.
SshEnv.netconf_direct() (nchome-netconf over pipes) or
SshEnv.netconf_over_ssh() (ssh -s netconf through a real sshd):

    nc = NcRaw(env.netconf_direct())
    nc.hello()                      # base:1.1 -> chunked framing; hello("1.0") for EOM
    print(nc.session_id, nc.server_caps)
    reply = nc.rpc("<get-config><source><running/></source></get-config>")
    reply = nc.edit_config("candidate", config)   # <edit-config>, config inside <config>
    nc.ok(reply)                    # True when the reply holds <ok/>
    nc.errors(reply)                # [{"error-tag": ..., "error-info": {...}, ...}]
    text(reply)                     # the reply as text, "" for None (end of session)
    nc.close()                      # close-session, wait for exit; returns exit status

For tests that compare replies byte for byte: Sessions (the sessions a
test opens, killed together), raw(r, inner) (a reply as bytes, one
message-id), getcfg and edit.

Lower level: send_raw(bytes) writes bytes as-is (for bad-input tests),
send_msg(text) frames one message in the current framing, read_msg()
returns the next framed message (bytes) or None at end of session.
Every read is bounded by `timeout` seconds (raises TimeoutError), times
NCHOME_TIME_SCALE (see nchome_test.scaled).
"""
import os
import re
import select
import time
import xml.etree.ElementTree as ET

from nchome_test import scaled

NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
BASE10 = "urn:ietf:params:netconf:base:1.0"
BASE11 = "urn:ietf:params:netconf:base:1.1"
CHUNK_HDR = re.compile(rb"\n#(#|[1-9][0-9]{0,9})\n")


def q(tag):
    """'{base-namespace}tag' for ElementTree lookups."""
    return "{%s}%s" % (NS, tag)


def text(reply):
    """A parsed reply as text, for `in` checks and failure details; "" for
    None (no reply: the session ended)."""
    return ET.tostring(reply, encoding="unicode") if reply is not None else ""


class NcRaw:
    def __init__(self, proc, timeout=20.0):
        self.proc = proc
        self.timeout = timeout
        self.chunked = False
        self.buf = b""
        self.eof = False
        self.session_id = None
        self.server_caps = []
        self.server_hello = None
        self.next_id = 1

    # ---- bytes ----
    def send_raw(self, data):
        """Writes bytes unframed; returns False if the server has gone."""
        if isinstance(data, str):
            data = data.encode()
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def _fill(self, deadline):
        if self.eof:
            return False
        fd = self.proc.stdout.fileno()
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no reply within %.1fs" % self.timeout)
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            raise TimeoutError("no reply within %.1fs" % self.timeout)
        data = os.read(fd, 1 << 20)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def next_config_change(self, timeout=10):
        """The next netconf-config-change notification this subscriber gets
        (text), skipping other messages; '' at EOF or after timeout seconds
        without a message."""
        while True:
            try:
                m = self.read_msg(timeout=timeout)
            except TimeoutError:
                return ""
            if m is None:
                return ""
            m = m.decode("utf-8", "replace")
            if "netconf-config-change" in m:
                return m

    def read_msg(self, timeout=None):
        """The next whole message (bytes, framing removed), or None at EOF."""
        deadline = time.monotonic() + scaled(timeout or self.timeout)
        if not self.chunked:
            while True:
                i = self.buf.find(b"]]>]]>")
                if i >= 0:
                    msg, self.buf = self.buf[:i], self.buf[i + 6:]
                    return msg
                if not self._fill(deadline):
                    return None
        parts = []
        while True:
            m = CHUNK_HDR.match(self.buf)
            if m and m.group(1) == b"#":
                self.buf = self.buf[m.end():]
                return b"".join(parts)
            if m and len(self.buf) >= m.end() + int(m.group(1)):
                n = int(m.group(1))
                parts.append(self.buf[m.end():m.end() + n])
                self.buf = self.buf[m.end() + n:]
                continue
            if not m and len(self.buf) >= 14 or self.buf[:2] not in (b"", b"\n", b"\n#"):
                raise ValueError("bad chunk framing from server: %r" % self.buf[:40])
            if not self._fill(deadline):
                return None

    def send_msg(self, text):
        """Frames one message in the current framing and sends it."""
        data = text.encode() if isinstance(text, str) else text
        if self.chunked:
            return self.send_raw(b"\n#%d\n" % len(data) + data + b"\n##\n")
        return self.send_raw(data + b"]]>]]>")

    # ---- NETCONF ----
    def hello(self, version="1.1", caps=None, extra=""):
        """Reads the server hello and sends ours (version "1.1" or "1.0")."""
        msg = self.read_msg()
        if msg is None:
            raise EOFError("no server hello")
        self.server_hello = ET.fromstring(msg)
        self.server_caps = [c.text.strip() for c in self.server_hello.iter(q("capability"))]
        sid = self.server_hello.find(q("session-id"))
        self.session_id = int(sid.text) if sid is not None else None
        if caps is None:
            caps = [BASE10] + ([BASE11] if version == "1.1" else [])
        body = "".join("<capability>%s</capability>" % c for c in caps)
        self.send_msg('<?xml version="1.0" encoding="UTF-8"?><hello xmlns="%s"><capabilities>%s'
                      "</capabilities>%s</hello>" % (NS, body, extra))
        self.chunked = BASE11 in caps and BASE11 in self.server_caps
        return self.server_hello

    def rpc_text(self, inner, message_id=None, attrs=""):
        if message_id is None:
            message_id = str(self.next_id)
            self.next_id += 1
        return '<rpc xmlns="%s" message-id="%s"%s>%s</rpc>' % (NS, message_id, attrs, inner)

    def rpc(self, inner, message_id=None, attrs="", timeout=None):
        """Sends <rpc>inner</rpc>, returns the parsed <rpc-reply> (Element) or None at EOF."""
        self.send_msg(self.rpc_text(inner, message_id, attrs))
        return self.reply(timeout)

    def edit_config(self, target, config):
        """<edit-config> of target (running, candidate, ...) with config (what
        goes inside <config>); returns the reply, as rpc."""
        return self.rpc("<edit-config><target><%s/></target><config>%s</config></edit-config>"
                        % (target, config))

    def reply(self, timeout=None):
        msg = self.read_msg(timeout)
        return None if msg is None else ET.fromstring(msg)

    @staticmethod
    def ok(reply):
        return reply is not None and reply.find(q("ok")) is not None

    @classmethod
    def session(cls, proc, procs=None, version="1.1", timeout=20.0):
        """A session on proc past the hello exchange (version "1.1" or "1.0");
        appended to procs (the test's list of sessions to end) when given."""
        nc = cls(proc, timeout=timeout)
        if procs is not None:
            procs.append(nc)
        nc.hello(version)
        return nc

    @staticmethod
    def tags(reply):
        """The error-tags of a reply's <rpc-error>s, in order."""
        return [e.get("error-tag") for e in NcRaw.errors(reply)]

    @staticmethod
    def errors(reply):
        """The <rpc-error>s of a reply as dicts; error-info as a dict of its children."""
        out = []
        if reply is None:
            return out
        for e in reply.findall(q("rpc-error")):
            d = {}
            for c in e:
                tag = c.tag.split("}")[-1]
                if tag == "error-info":
                    d[tag] = {i.tag.split("}")[-1]: (i.text or "") for i in c}
                else:
                    d[tag] = c.text
            out.append(d)
        return out

    def wait(self, timeout=None):
        """Waits for the process to end; returns its exit status."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        return self.proc.wait(scaled(timeout or self.timeout))

    def close(self):
        """close-session; returns the process's exit status."""
        r = self.rpc("<close-session/>")
        if not self.ok(r):
            raise AssertionError("close-session failed: %r" % (r,))
        return self.wait()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


# ---- sessions whose replies a test compares byte for byte ----

def raw(r, inner):
    """r's reply to <rpc>inner</rpc> as bytes (framing removed), b"" at end
    of session.  The message-id is the same every time, so that replies of
    different sessions compare byte for byte."""
    r.send_msg(r.rpc_text(inner, message_id="7"))
    return r.read_msg() or b""


def getcfg(r, extra=""):
    """raw of a get-config of running; extra (a filter, a with-defaults) inside it."""
    return raw(r, "<get-config><source><running/></source>%s</get-config>" % extra)


def edit(r, config, target="running"):
    """edit-config of target with config (what goes inside <config>); True on <ok/>."""
    return b"<ok/>" in raw(r, "<edit-config><target><%s/></target><config>%s</config></edit-config>"
                           % (target, config))


class Sessions:
    """The sessions one test opens, each past its hello (reads bounded by
    timeout seconds, 60 unless told).
    start(who) starts a server process on pipes, e.g.
    lambda env: env.netconf_direct() (SshEnv) or NobodyEnv.popen; kill()
    in the test's finally ends those still running.  close_session: how
    fresh_get ends its session, close-session (checked) or its input
    closed."""

    def __init__(self, start, close_session=False, timeout=60.0):
        self.start = start
        self.close_session = close_session
        self.timeout = timeout
        self.opened = []

    def session(self, who, proc=None):
        """A new session of who, or on proc (a process the test started)."""
        return NcRaw.session(proc or self.start(who), self.opened, timeout=self.timeout)

    def fresh_get(self, who, extra=""):
        """A new session's first get-config (raw), the session ended after it."""
        r = self.session(who)
        rep = getcfg(r, extra)
        if self.close_session:
            r.close()
        else:
            r.wait()
        return rep

    def kill(self):
        kill_all(self.opened)


def kill_all(sessions):
    """Kills the sessions (NcRaw) still running, in a test's finally: one
    that cannot be killed (already reaped) does not stop the others."""
    for r in sessions:
        try:
            r.kill()
        except Exception:
            pass
