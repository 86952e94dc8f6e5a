#!/bin/sh
# `make demo`: nchome end to end on loopback, in a throwaway folder.
#
# Device half (this script): a host CA signs a fresh ed25519 host key, a
# user CA signs the NMS's key for the principal "nms-operator" (which
# root's principals file lists), sshd_config is the installed one
# (config/sshd_config.in) pointed at the temporary folder, and nchome.conf
# has one client with the Junos initiation sequence and a shared secret.
# NMS half (tests/demo_nms.py): listens on 127.0.0.1, starts the dialer,
# checks the initiation sequence's HMAC, runs OpenSSH's ssh over the
# called-home socket (host certificate checked via @cert-authority, user
# certificate offered) and does hello, get-config, edit-config, get-config.
#
# Run as root (sshd -i needs it) after ./configure && make.  Everything is
# removed at the end, also on failure; the exit status says whether every
# step worked.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dialer=$top/dialer/nchome-dialer
netconf=$top/subsystem/nchome-netconf
if [ -n "${NCHOME_WRAP_BIN:-}" ]; then
	# make check-valgrind: both programs through its valgrind wrappers
	dialer=$NCHOME_WRAP_BIN/nchome-dialer
	netconf=$NCHOME_WRAP_BIN/nchome-netconf
fi
pki_tool=$top/contrib/nchome-pki
py=/usr/bin/python3
device_id=edge-17

die() {
	echo "demo: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: sshd -i must start as root"
for f in "$dialer" "$netconf"; do
	[ -x "$f" ] || die "$f is missing: run ./configure && make first"
done
[ -x "$py" ] || die "$py is missing: run contrib/debian-deps"
sshd=$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)
[ -x "$sshd" ] || die "sshd not found: run contrib/debian-deps (openssh-server)"
command -v ssh >/dev/null 2>&1 || die "ssh not found: run contrib/debian-deps (openssh-client)"
# sshd's privilege-separation folder; a host without a running sshd may lack it.
[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 755 /run/sshd; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nchome-demo.XXXXXX")
cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	if [ -s "$tmp/dialer.pid" ]; then
		pid=$(cat "$tmp/dialer.pid")
		# The dialer ends its sshd children on SIGTERM; catch any left.
		kids=$(pgrep -P "$pid" 2>/dev/null || true)
		kill -TERM "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$pid" 2>/dev/null || true
		for k in $kids; do kill -TERM "$k" 2>/dev/null || true; done
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$tmp/ca" "$tmp/ssh" "$tmp/nms" "$tmp/state" "$tmp/datastore" \
	"$tmp/etc/nchome/principals" "$tmp/etc/nchome/authorized_keys"
pki() { "$pki_tool" -d "$tmp/ca" "$@"; }

echo "== device: PKI with contrib/nchome-pki in $tmp"
pki init-ca host
pki init-ca user
ssh-keygen -q -t ed25519 -N '' -C "$device_id" -f "$tmp/ssh/ssh_host_ed25519_key"
pki sign-host -n "$device_id" -V -5m:+1h "$tmp/ssh/ssh_host_ed25519_key.pub"
echo "host certificate: $(ssh-keygen -L -f "$tmp/ssh/ssh_host_ed25519_key-cert.pub" |
	sed -n 's/^ *Type: //p'), principal $device_id"
cp "$tmp/ca/user_ca.pub" "$tmp/etc/nchome/user_ca.pub"
pki principals -o "$tmp/etc/nchome/principals/root" nms-operator
pki empty-krl -k "$tmp/etc/nchome/revoked_keys"
ssh-keygen -q -t ed25519 -N '' -C nms-operator -f "$tmp/nms/nms_user"
pki sign-user -n nms-operator -V -5m:+1h "$tmp/nms/nms_user.pub"
pki known-hosts "$device_id" > "$tmp/nms/known_hosts"
echo "NMS known_hosts: $(cut -c1-60 "$tmp/nms/known_hosts")..."

echo "== device: sshd_config from config/sshd_config.in"
{
	echo "# demo: key files live below $tmp, which StrictModes would refuse"
	echo "StrictModes no"
	echo "# demo: the NMS logs in as root, the file's documented recovery opt-in"
	echo "PermitRootLogin prohibit-password"
	echo "AllowGroups root"
	sed -e "s|@sysconfdir@|$tmp/etc|g" -e "s|@libexecdir@|$(dirname "$netconf")|g" \
	    -e "s|/etc/ssh/|$tmp/ssh/|g" "$top/config/sshd_config.in"
} > "$tmp/etc/nchome/sshd_config"
"$sshd" -t -f "$tmp/etc/nchome/sshd_config" || die "sshd -t refuses the demo sshd_config"

secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '%s\n' "$secret" > "$tmp/nms/secret"
chmod 600 "$tmp/nms/secret"
conf=$tmp/etc/nchome/nchome.conf
cat > "$conf" <<CONF
device-id   = "$device_id"
sshd        = "$sshd"
sshd-config = "$tmp/etc/nchome/sshd_config"
host-key    = "$tmp/ssh/ssh_host_ed25519_key.pub"
state-dir   = "$tmp/state"
dialer-socket = "$tmp/dialer.sock"

client nms {
    initiation = junos
    secret     = "$secret"
    backoff { initial = 1  max = 2 }
    address "127.0.0.1" { port = @NMS_PORT@ }
}

netconf {
    datastore-dir = "$tmp/datastore"
}
CONF
chmod 600 "$conf"
echo "nchome.conf: client nms, initiation junos with a secret, address 127.0.0.1"

"$py" "$top/tests/demo_nms.py" --dir "$tmp" --dialer "$dialer" --conf "$conf" \
	--secret-file "$tmp/nms/secret" --device-id "$device_id" --user root \
	--key "$tmp/nms/nms_user" --known-hosts "$tmp/nms/known_hosts" \
	--timeout $((15 * ${NCHOME_TIME_SCALE:-1}))
