#!/bin/bash
# The man pages: clean under mandoc -T lint (warnings count), as written
# and with the install paths filled in, and nchome.conf(5) documents every
# key the configuration reader knows, with examples the dialer accepts.
set -u
cd "${NCHOME_TOP:-$(dirname "$0")/..}" || exit 2
. tests/lib/tap.sh	# ok, notok, skip
tmp=$(mktemp -d /tmp/nchome-man.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT

pages="man/nchome-dialer.8 man/nchome-netconf.8 man/nchome.conf.5"

if ! command -v mandoc >/dev/null 2>&1; then
	for p in $pages; do skip "$p lint" "tool: mandoc not installed (contrib/debian-deps)"; done
else
	for p in $pages; do
		if [ ! -f "$p" ]; then notok "$p exists"; continue; fi
		out=$(mandoc -T lint -W warning "$p" 2>&1)
		if [ -z "$out" ]; then ok "$p: mandoc -T lint -W warning is clean"; else notok "$p: mandoc -T lint -W warning is clean" "$out"; fi
		# The installed text, paths substituted as make install does.
		sed -e 's|@sysconfdir@|/etc|g; s|@localstatedir@|/var|g; s|@libexecdir@|/usr/local/libexec|g' \
		    -e 's|@sbindir@|/usr/local/sbin|g; s|@SSHD@|/usr/sbin/sshd|g; s|@[A-Za-z]*@|/x|g' "$p" >"$tmp/${p##*/}"
		out=$(mandoc -T lint -W warning "$tmp/${p##*/}" 2>&1)
		if [ -z "$out" ]; then ok "$p with paths filled in is clean"; else notok "$p with paths filled in is clean" "$out"; fi
		left=
		for ph in $(grep -oE '@[A-Za-z]+@' "$p" | sort -u); do
			grep -qF "s|$ph|" Makefile.install || left="$left $ph"
		done
		if [ -z "$left" ]; then ok "$p: make install fills in every placeholder"; else notok "$p: make install fills in every placeholder" "not substituted:$left"; fi
	done
fi

# Every key of the reader (common/conf_schema.c, its key table) is an item of nchome.conf(5).
keys=$(grep -oE 'CFG_(STR|INT|INT_CB|SEC|STR_LIST|BOOL|FLOAT)\("[a-z-]+"' common/conf_schema.c | sed 's/.*("//; s/"$//' | sort -u)
missing=
for k in $keys; do
	grep -qE "Ic $k( |\$)" man/nchome.conf.5 || missing="$missing $k"
done
if [ -n "$keys" ] && [ -z "$missing" ]; then ok "nchome.conf(5) documents all $(echo "$keys" | wc -w) keys of common/conf_schema.c"
else notok "nchome.conf(5) documents all keys of common/conf_schema.c" "missing:$missing"; fi

# The examples of nchome.conf(5) are configurations the dialer accepts.
awk '/^\.Sh EXAMPLES/{e=1} /^\.Sh SEE ALSO/{e=0} e&&/^\.Ed/{b=0} e&&b{print} e&&/^\.Bd -literal/{b=1}' \
	man/nchome.conf.5 | sed -e "s|@localstatedir@|$tmp|g" -e "s|@sysconfdir@|$tmp|g" >"$tmp/example.conf"
# The secret-files the examples name: root's alone, as the dialer wants them.
for f in $(sed -n 's|^[[:space:]]*secret-file[[:space:]]*=[[:space:]]*"\(.*\)".*|\1|p' "$tmp/example.conf"); do
	mkdir -p "${f%/*}" && (umask 077 && echo example-secret >"$f")
done
# A host key of its own, so the check does not depend on this host's.
# (and an sshd_config of its own, for the dialer's sshd -t).
ssh-keygen -q -t ed25519 -N '' -f "$tmp/hostkey"
printf 'HostKey %s\nPidFile none\nUsePAM no\n' "$tmp/hostkey" >"$tmp/sshd_config"
printf 'host-key = "%s"\nsshd-config = "%s"\n' "$tmp/hostkey.pub" "$tmp/sshd_config" >>"$tmp/example.conf"
chmod 0600 "$tmp/example.conf"
dialer=dialer/nchome-dialer
out=$("$dialer" -t -f "$tmp/example.conf" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then ok "nchome.conf(5) examples pass nchome-dialer -t"
else notok "nchome.conf(5) examples pass nchome-dialer -t" "$out"; fi

echo "1..$n"
[ "$failed" -eq 0 ]
