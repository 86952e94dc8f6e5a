#!/bin/bash
# contrib/nchome-pki on its own: what it writes (checked with ssh-keygen)
# and how it refuses bad use.  t_auth.py checks the files against sshd.
set -u
cd "$(dirname "$0")/.." || exit 2
pki=$(pwd)/contrib/nchome-pki
w=$(mktemp -d /tmp/nchome-tpki.XXXXXX)
trap 'rm -rf "$w"' EXIT
cd "$w" || exit 2
n=0 failed=0
check() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else failed=$((failed + 1)); echo "not ok $n - $1"; fi
}
P() { "$pki" -d "$w/ca" "$@"; }

ssh-keygen -q -t ed25519 -N '' -f host && ssh-keygen -q -t ed25519 -N '' -f user
check "init-ca user and host" 'P init-ca user 2>/dev/null && P init-ca host 2>/dev/null'
check "CA private keys are 0600 in a 0700 folder" \
	'[ "$(stat -c %a ca/user_ca ca/host_ca ca)" = "$(printf "600\n600\n700")" ]'
check "init-ca refuses to overwrite a CA" '! P init-ca user 2>err && grep -q "not overwriting" err'
check "init-ca refuses an unknown kind" 'P init-ca group 2>err; [ $? -eq 2 ] && grep -q "not user or host" err'

check "sign-host writes a host certificate for the names" \
	'P sign-host -n edge-17,edge-17.example.net -V +1d host.pub 2>/dev/null &&
	 ssh-keygen -L -f host-cert.pub | grep -q "host certificate" &&
	 ssh-keygen -L -f host-cert.pub | grep -A3 Principals | grep -q edge-17.example.net'
check "sign-user writes a user certificate with serial, principals, validity" \
	'P sign-user -n nms-operator,backup -V 20300101:20300201 user.pub 2>/dev/null &&
	 ssh-keygen -L -f user-cert.pub > L && grep -q "user certificate" L && grep -q "Serial: 2" L &&
	 grep -q "backup" L && grep -q "from 2030-01-01" L'
check "user certificates permit no pty or forwarding by default" \
	'! grep -q "permit-" L'
check "-O adds a permission" \
	'P sign-user -n a -O permit-pty user.pub 2>/dev/null && ssh-keygen -L -f user-cert.pub | grep -q permit-pty'
check "serials are unique" '[ "$(cat ca/serial)" = 3 ]'
check "sign-user without -n is a usage error" 'P sign-user user.pub 2>err; [ $? -eq 2 ] && grep -q "PRINCIPALS is required" err'
check "a certificate instead of a key is refused" '! P sign-user -n a user-cert.pub 2>err && grep -q "is a certificate" err'
check "a missing key file is named" '! P sign-user -n a nope.pub 2>err && grep -q "nope.pub: no such file" err'
check "a bad validity is refused and uses no serial" \
	'! P sign-user -n a -V garbage user.pub 2>/dev/null && [ "$(cat ca/serial)" = 3 ]'
check "names with spaces are refused" '! P sign-user -n "a b" user.pub 2>/dev/null'
check "known-hosts prints the @cert-authority line" \
	'[ "$(P known-hosts edge-17)" = "@cert-authority edge-17 $(cut -d" " -f1,2 ca/host_ca.pub)" ]'
check "principals writes one per line" 'P principals -o pr a b 2>/dev/null && [ "$(cat pr)" = "$(printf "a\nb")" ]'
check "principals refuses a comma" '! P principals -o pr "a,b" 2>/dev/null && [ "$(cat pr)" = "$(printf "a\nb")" ]'
check "empty-krl, then nothing is revoked" 'P empty-krl -k krl && P check -k krl user.pub >/dev/null'
check "revoke a key: the key and its certificates are revoked, others not" \
	'P revoke -k krl user.pub 2>/dev/null && ! P check -k krl user.pub >/dev/null &&
	 P check -k krl user-cert.pub | grep -q REVOKED && P check -k krl host.pub >/dev/null'
check "revoke adds to an existing KRL" \
	'P revoke -k krl host.pub 2>/dev/null && P check -k krl user.pub | grep -q REVOKED &&
	 P check -k krl host.pub | grep -q REVOKED'
check "an unknown command is a usage error" 'P frob 2>err; [ $? -eq 2 ] && grep -q "unknown command" err'
check "help prints the commands" 'P help | grep -q "sign-user -n PRINCIPALS"'
check "a missing CA is named with the fix" \
	'! "$pki" -d "$w/none" sign-user -n a user.pub 2>err && grep -q "init-ca user" err'
echo "1..$n"
[ $failed -eq 0 ]
