#!/bin/bash
# The init scripts of contrib/: the SysV script run for real against the
# built dialer and a scratch configuration (start, status, reload, stop,
# with a called-home session whose sshd must end with the dialer); the
# systemd unit through systemd-analyze verify; the OpenRC and FreeBSD
# scripts through sh -n and a run of their functions with stand-ins for
# openrc-run and rc.subr.  Nothing outside a temporary folder is touched.
set -u
cd "${NCHOME_TOP:-$(dirname "$0")/..}" || exit 2
top=$(pwd)
. tests/lib/tap.sh	# ok, notok, skip, res STATUS DESC (with $detail), has LINE

tmp=$(mktemp -d /tmp/nchome-init.XXXXXX) || exit 2
chmod 0700 "$tmp"
nms_pid=
cleanup() {
	# Whatever a failed step left running: only what this test started.
	if [ -r "$tmp/dialer.pid" ]; then
		p=$(cat "$tmp/dialer.pid")
		[ -n "$p" ] && kill -KILL "$p" 2>/dev/null
	fi
	[ -n "$nms_pid" ] && kill "$nms_pid" 2>/dev/null
	[ -n "${stale_pid:-}" ] && kill "$stale_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

dialer=$top/dialer/nchome-dialer
subst() {
	sed -e "s|@sbindir@|$top/dialer|g" -e "s|@sysconfdir@|$tmp/etc|g" \
	    -e "s|@localstatedir@|$tmp/var|g" -e "s|@libexecdir@|$top/subsystem|g" \
	    -e "s|@SSHD@|/usr/sbin/sshd|g" "$1"
}

scale=${NCHOME_TIME_SCALE:-1}	# every time bound here is multiplied by it (tests/run)
wait_until() {	# wait_until SECONDS COMMAND...: polls COMMAND for up to SECONDS (times the scale)
	local end=$((SECONDS + $1 * scale)); shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# ---- the scratch device: host key, sshd_config, nchome.conf
mkdir -p "$tmp/etc/nchome" "$tmp/state" /run/sshd
ssh-keygen -q -t ed25519 -N '' -C init-test -f "$tmp/host_key"
cat >"$tmp/sshd_config" <<EOF
HostKey $tmp/host_key
PidFile none
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
LoginGraceTime 60
Subsystem netconf $top/subsystem/nchome-netconf -f $tmp/nchome.conf
EOF

# An NMS on loopback that accepts call-home connections and holds them.
/usr/bin/python3 - "$tmp/nms.port" <<'EOF' &
import socket, sys, time, select
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
conns = []
end = time.monotonic() + 120
while time.monotonic() < end:
    r, _, _ = select.select([s] + conns, [], [], 1)
    for c in r:
        if c is s:
            conns.append(s.accept()[0])
        elif not c.recv(4096):
            conns.remove(c)
EOF
nms_pid=$!
wait_until 10 test -s "$tmp/nms.port" || { echo "not ok 1 - NMS listener started"; exit 1; }
nms_port=$(cat "$tmp/nms.port")

write_conf() {	# write_conf EXTRA-TEXT
	cat >"$tmp/nchome.conf" <<EOF
device-id = "init-test"
sshd-config = "$tmp/sshd_config"
host-key = "$tmp/host_key.pub"
state-dir = "$tmp/state"
dialer-socket = "$tmp/dialer.sock"
client nms {
	address "127.0.0.1" { port = $nms_port  retry = 1  timeout = 5 }
	backoff { initial = 1  max = 2 }
}
$1
EOF
	chmod 0600 "$tmp/nchome.conf"
}
write_conf ""

cat >"$tmp/defaults" <<EOF
NCHOME_DIALER_BIN=$dialer
NCHOME_DIALER_CONF=$tmp/nchome.conf
NCHOME_DIALER_PIDFILE=$tmp/dialer.pid
NCHOME_DIALER_STOP_TIMEOUT=$((10 * scale))
EOF
subst contrib/sysv/nchome-dialer >"$tmp/sysv"
sysv() { NCHOME_DIALER_DEFAULTS=$tmp/defaults sh "$tmp/sysv" "$@"; }

# ---- SysV, for real
if sh -n contrib/sysv/nchome-dialer 2>"$tmp/err"; then ok "sysv: sh -n"; else notok "sysv: sh -n" "$(cat "$tmp/err")"; fi

dialer_out=$("$dialer" -t -f "$tmp/nchome.conf" 2>&1)
dialer_rc=$?
if [ "$dialer_rc" -ne 0 ]; then
	notok "sysv: the scratch configuration passes nchome-dialer -t" "$dialer_out"
else
	out=$(sysv start 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -eq 0 ]; res $? "sysv: start succeeds"
	pid=$(cat "$tmp/dialer.pid" 2>/dev/null)
	detail="pid file holds '$pid'"
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$dialer")" ]; res $? "sysv: the pid file names the running dialer"

	out=$(sysv status 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -eq 0 ] && [ -n "$pid" ] && case $out in *"$pid"*) true ;; *) false ;; esac; res $? "sysv: status says running (0)"

	# The dialer calls the NMS and hands the connection to sshd -i.
	sshd_child() {
		local c
		for c in $(pgrep -P "$pid"); do
			[ "$(readlink "/proc/$c/exe")" = "$(readlink -f /usr/sbin/sshd)" ] && return 0
		done
		return 1
	}
	wait_until 15 sshd_child; r=$?
	detail="no child of the dialer"
	res $r "sysv: the started dialer called the NMS and runs sshd for it"
	child=$(pgrep -P "$pid" | head -1)

	out=$(sysv start 2>&1); rc=$?
	detail="rc=$rc: $out; pid now $(cat "$tmp/dialer.pid" 2>/dev/null)"
	[ "$rc" -eq 0 ] && [ "$(cat "$tmp/dialer.pid" 2>/dev/null)" = "$pid" ]; res $? "sysv: a second start leaves the running dialer alone"

	out=$(sysv reload 2>&1); rc=$?
	sleep 0.5
	detail="rc=$rc: $out"
	[ "$rc" -eq 0 ] && kill -0 "$pid" 2>/dev/null; res $? "sysv: reload sends HUP and the dialer lives on"
	detail="the session's sshd ($child) is gone after reloading an unchanged configuration"
	[ -n "$child" ] && kill -0 "$child" 2>/dev/null; res $? "sysv: reload keeps the session of an unchanged client"

	write_conf "bogus-key = 1"
	line=$(grep -n bogus-key "$tmp/nchome.conf" | cut -d: -f1)
	out=$(sysv reload 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -ne 0 ] && case $out in *"nchome.conf:$line:"*) true ;; *) false ;; esac; res $? "sysv: reload refuses a broken configuration and names its line"
	detail="dialer $pid died"
	kill -0 "$pid" 2>/dev/null; res $? "sysv: the dialer still runs after a refused reload"
	write_conf ""

	out=$(sysv stop 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -eq 0 ]; res $? "sysv: stop succeeds"
	detail="dialer $pid or its sshd $child still there"
	gone() { ! kill -0 "$pid" 2>/dev/null && { [ -z "$child" ] || ! kill -0 "$child" 2>/dev/null; }; }
	wait_until 5 gone; res $? "sysv: stop ends the dialer and its sshd"
	[ ! -e "$tmp/dialer.pid" ]; res $? "sysv: stop removes the pid file"
	out=$(sysv status 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -eq 3 ]; res $? "sysv: status says not running (3)"
	out=$(sysv stop 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -eq 0 ]; res $? "sysv: stop when stopped succeeds"

	# A stale pid file naming some other process: not the dialer, not killed.
	sleep 60 &
	stale_pid=$!
	echo "$stale_pid" >"$tmp/dialer.pid"
	out=$(sysv status 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -eq 1 ]; res $? "sysv: a pid file naming another program is not the dialer (status 1)"
	out=$(sysv start 2>&1); rc=$?
	pid=$(cat "$tmp/dialer.pid" 2>/dev/null)
	detail="rc=$rc: $out"
	[ "$rc" -eq 0 ] && [ "$pid" != "$stale_pid" ] && kill -0 "$pid" 2>/dev/null; res $? "sysv: start over a stale pid file"
	out=$(sysv restart 2>&1); rc=$?
	newpid=$(cat "$tmp/dialer.pid" 2>/dev/null)
	detail="rc=$rc: $out"
	[ "$rc" -eq 0 ] && [ -n "$newpid" ] && [ "$newpid" != "$pid" ] && kill -0 "$newpid" 2>/dev/null && ! kill -0 "$pid" 2>/dev/null; res $? "sysv: restart runs a new dialer"
	sysv stop >/dev/null 2>&1
	detail="the other process $stale_pid was killed"
	kill -0 "$stale_pid" 2>/dev/null; res $? "sysv: the process of the stale pid file was left alone"
	kill "$stale_pid" 2>/dev/null; stale_pid=

	write_conf "bogus-key = 1"
	out=$(sysv start 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -ne 0 ] && [ ! -e "$tmp/dialer.pid" ]; res $? "sysv: start refuses a broken configuration"
	write_conf ""
fi

# ---- systemd
unit=contrib/systemd/nchome-dialer.service
subst "$unit" >"$tmp/nchome-dialer.service"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd: systemd-analyze verify" "tool: systemd-analyze not installed (contrib/debian-deps)"
else
	# --man=no: the pages are checked in t_install.sh, installed.
	out=$(systemd-analyze verify --man=no "$tmp/nchome-dialer.service" 2>&1); rc=$?
	detail="rc=$rc: $out"
	[ "$rc" -eq 0 ] && [ -z "$out" ]; res $? "systemd: systemd-analyze verify is clean"
	# And it does notice a broken unit, so the check above means something.
	sed 's/^Type=simple/Type=simple\nBogusKey=1/' "$tmp/nchome-dialer.service" >"$tmp/broken.service"
	out=$(systemd-analyze verify --man=no "$tmp/broken.service" 2>&1)
	detail="$out"
	[ -n "$out" ]; res $? "systemd: systemd-analyze verify reports an unknown key"
fi
key() { grep -E "^$1=" "$unit" | sed "s/^$1=//"; }
[ "$(key Type)" = simple ]; res $? "systemd: Type=simple"
detail="$(key ExecStart)"
case $(key ExecStart) in "@sbindir@/nchome-dialer -d "*) true ;; *) false ;; esac; res $? "systemd: ExecStart runs the dialer in the foreground (-d)"
[ "$(key Restart)" = on-failure ]; res $? "systemd: Restart=on-failure"
detail="$(key ExecReload)"
grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID' "$unit"; res $? "systemd: ExecReload sends HUP to the main process"
bad=$(grep -nE '^(NoNewPrivileges=(yes|true|1)|CapabilityBoundingSet=|ProtectHome=|ProtectSystem=|PrivateTmp=|User=|DynamicUser=|RestrictNamespaces=|ProtectHostname=)' "$unit")
detail="$bad"
[ -z "$bad" ]; res $? "systemd: no option that stops sshd from logging users in"
undoc=$(awk '/^[A-Z][A-Za-z]*=/ && prev !~ /^#/ && $0 !~ /^(Description|Documentation|Wants|After|Type|ExecStart|ExecStartPre|ExecReload|Restart|RestartSec|WantedBy)=/ { print NR": "$0 } { prev = $0 }' "$unit" |
	grep -vE '^[0-9]+: (ExecReload|RuntimeDirectory(Mode|Preserve)?)=')
detail="$undoc"
[ -z "$undoc" ]; res $? "systemd: each hardening option has a comment above it"

# ---- OpenRC: syntax, then its functions with stand-ins for openrc-run's helpers.
orc=contrib/openrc/nchome-dialer
if sh -n "$orc" 2>"$tmp/err"; then ok "openrc: sh -n"; else notok "openrc: sh -n" "$(cat "$tmp/err")"; fi
# (an ok here would assert nothing: a note only)
if command -v openrc-run >/dev/null 2>&1; then echo "# openrc-run is here too (not exercised: it would act on this host)"; fi
subst "$orc" >"$tmp/openrc"
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "ssd $*"\n' >"$tmp/bin/start-stop-daemon"
chmod +x "$tmp/bin/start-stop-daemon"
out=$(cd "$tmp" && PATH=$tmp/bin:$PATH RC_SVCNAME=nchome-dialer NCHOME_DIALER_CONF=$tmp/nchome.conf sh -c '
	ebegin() { :; }; eend() { return "$1"; }
	need() { echo "need $*"; }; use() { echo "use $*"; }; after() { echo "after $*"; }
	. ./openrc
	echo "command=$command"; echo "args=$command_args"
	echo "pidfile=$pidfile"; echo "extra=$extra_started_commands"
	depend
	if configtest >/dev/null 2>&1; then echo configtest=ok; else echo configtest=bad; fi
	reload
' 2>&1)
detail="$out"
has command="$dialer" && has "args=-f $tmp/nchome.conf -p /run/nchome-dialer.pid" && has pidfile=/run/nchome-dialer.pid
res $? "openrc: runs the dialer with its configuration and a pid file"
detail="$out"; has "need net"; res $? "openrc: needs the network"
detail="$out"; has "ssd --signal HUP --pidfile /run/nchome-dialer.pid"; res $? "openrc: reload sends HUP through the pid file"
detail="$out"; has configtest=ok; res $? "openrc: configtest runs nchome-dialer -t"

# ---- FreeBSD rc.d: syntax, then its settings with a stand-in rc.subr.
bsd=contrib/freebsd/nchome_dialer
if sh -n "$bsd" 2>"$tmp/err"; then ok "freebsd: sh -n"; else notok "freebsd: sh -n" "$(cat "$tmp/err")"; fi
cat >"$tmp/rc.subr" <<'EOF'
load_rc_config() { :; }
run_rc_command() {
	echo "name=$name rcvar=$rcvar"
	echo "command=$command"
	echo "args=$command_args"
	echo "pidfile=$pidfile"
	echo "extra=$extra_commands"
	if $start_precmd >/dev/null 2>&1; then echo precmd=ok; else echo precmd=bad; fi
}
EOF
subst "$bsd" | sed "s|^\. /etc/rc.subr|. $tmp/rc.subr|" >"$tmp/rcd"
out=$(nchome_dialer_config=$tmp/nchome.conf sh "$tmp/rcd" start 2>&1)
detail="$out"
has command="$dialer" && has "args=-f $tmp/nchome.conf -p /var/run/nchome_dialer.pid" &&
	has "pidfile=/var/run/nchome_dialer.pid"
res $? "freebsd: runs the dialer with its configuration and a pid file"
detail="$out"; has "name=nchome_dialer rcvar=nchome_dialer_enable" && has "extra=reload configtest"
res $? "freebsd: rcvar, reload and configtest"
detail="$out"; has precmd=ok; res $? "freebsd: start checks the configuration with nchome-dialer -t"

echo "1..$n"
[ "$failed" -eq 0 ]
