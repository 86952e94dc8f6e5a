#!/bin/bash
# `make demo` must keep working: runs tests/demo.sh, checks its exit status,
# the lines that show each step worked, and that it leaves no process or
# file behind, also when a step fails.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib/tap.sh	# ok, notok, skip
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

if [ "$(id -u)" -ne 0 ]; then
	skip "demo" "needs root (sshd -i)"
	echo "1..$n"; exit 0
fi
scale=${NCHOME_TIME_SCALE:-1}	# every time bound below is multiplied by it (tests/run)
work=$(mktemp -d /tmp/nchome-tdemo.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir "$work/tmp"
start=$(date +%s)
TMPDIR=$work/tmp timeout $((120 * scale)) ./tests/demo.sh >"$work/out" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
out=$work/out
has() { grep -qF -- "$1" "$out"; }
check "demo exits 0" '[ $rc -eq 0 ]'
check "the NMS received the initiation sequence" 'has "MSG-ID: DEVICE-CONN-INFO" && has "DEVICE-ID: edge-17" && has "HOST-KEY: ssh-ed25519 "'
check "the HMAC verifies" 'has "NMS: HMAC verifies: yes"'
check "ssh verified the host certificate against the host CA" "has \"Host 'edge-17' is known and matches the ED25519-CERT host certificate\""
check "the device accepted the user certificate" 'has "Server accepts key: " && has "ED25519-CERT" && has "using \"publickey\""'
check "NETCONF hello from the device" 'grep -q "^<< .*<hello .*urn:ietf:params:netconf:base:1.0" "$out"'
check "edit-config shown in the second get-config" 'has "NMS: the change is in running"'
check "demo says DEMO OK" 'has "DEMO OK"'
check "the dialer logged the session" 'has "client nms: session started with 127.0.0.1"'
check "demo took under $((30 * scale)) s ($secs s)" '[ $secs -lt $((30 * scale)) ]'
check "no temporary folder left" '[ -z "$(ls -A "$work/tmp")" ]'
check "no process left" '! pgrep -f "$work/tmp" >/dev/null'
if [ $failed -gt 0 ]; then sed 's/^/#   /' "$out" | tail -60; fi

# A failing step: an ssh that cannot authenticate.  The demo must say so,
# exit non-zero and still clean up the dialer and the folder.
mkdir "$work/bin"
printf '#!/bin/sh\necho "fake ssh: Permission denied" >&2\nexit 255\n' > "$work/bin/ssh"
chmod +x "$work/bin/ssh"
PATH=$work/bin:$PATH TMPDIR=$work/tmp timeout $((120 * scale)) ./tests/demo.sh >"$work/out2" 2>&1
rc=$?
check "a failing step makes the demo exit non-zero" '[ $rc -ne 0 ] && grep -q "DEMO FAILED" "$work/out2"'
check "after a failure: no temporary folder left" '[ -z "$(ls -A "$work/tmp")" ]'
check "after a failure: no process left" '! pgrep -f "$work/tmp" >/dev/null'
[ $failed -gt 0 ] && tail -30 "$work/out2" | sed 's/^/#   /'
echo "1..$n"
[ $failed -eq 0 ]
