#!/bin/bash
# make install / make uninstall into a DESTDIR, from this tree as it is
# configured (no reconfiguring: the rest of the suite uses this build):
# the files and their modes, paths filled in, an edited configuration kept
# on a second install, the installed configuration accepted by the dialer
# and sshd, the installed unit by systemd-analyze, uninstall keeping the
# operator's files.  Then configure's options, in a copy of the build files.
set -u
cd "${NCHOME_TOP:-$(dirname "$0")/..}" || exit 2
top=$(pwd)
. tests/lib/tap.sh	# ok, notok, skip, res STATUS DESC (with $detail), has LINE

tmp=$(mktemp -d /tmp/nchome-install.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root

[ -f Makefile ] || { echo "not ok 1 - the tree is configured (run ./configure)"; exit 1; }
mkvar() { awk -v k="$1" '$1 == k && $2 == "=" { sub(/^[^=]*= */, ""); print; exit }' Makefile; }
bindir=$(mkvar bindir) sbindir=$(mkvar sbindir) libexecdir=$(mkvar libexecdir) sysconfdir=$(mkvar sysconfdir)
localstatedir=$(mkvar localstatedir) mandir=$(mkvar mandir) prefix=$(mkvar prefix) datadir=$(mkvar datadir)
confdir=$sysconfdir/nchome statedir=$localstatedir/lib/nchome

mode() { stat -c %a "$1" 2>/dev/null; }
# want_mode PATH MODE: the file exists in DESTDIR with that mode.
want_mode() {
	local m
	m=$(mode "$dest$1")
	detail="$1: mode '${m:-missing}', want $2"
	[ "$m" = "$2" ]; res $? "install: $1 ($2)"
}

# -s: only our own messages.  INIT=systemd whatever this host runs, so the
# test does the same everywhere; the other init systems follow below.
out=$(make -s install DESTDIR="$dest" INIT=systemd 2>&1); rc=$?
detail="$out"
[ "$rc" -eq 0 ]; res $? "make install DESTDIR=... succeeds"
unitdir=$(make -s -f Makefile -f - print-unitdir <<'EOF' 2>/dev/null
print-unitdir: ; @echo $(SYSTEMDUNITDIR)
EOF
)
want_mode "$sbindir/nchome-dialer" 755
want_mode "$libexecdir/nchome-netconf" 755
want_mode "$bindir/nchome-nms-fdpass" 755
want_mode "$confdir/nchome.conf" 640
want_mode "$confdir/sshd_config" 644
want_mode "$confdir/revoked_keys" 644
want_mode "$statedir" 700
want_mode "$mandir/man8/nchome-dialer.8" 644
want_mode "$mandir/man8/nchome-netconf.8" 644
want_mode "$mandir/man5/nchome.conf.5" 644
want_mode "$unitdir/nchome-dialer.service" 644
detail=$out
case $out in *"DESTDIR set"*"groupadd -r nchome"*) true ;; *) false ;; esac
res $? "install: with DESTDIR it changes no owner and says what to run at package install"
cmp -s "$dest$sbindir/nchome-dialer" dialer/nchome-dialer; res $? "install: the installed dialer is the one built here"
# The NMS-side helper the doc's ProxyCommand examples call by name.
out=$("$dest$bindir/nchome-nms-fdpass" --help 2>&1); rc=$?
detail="rc=$rc $out"
[ "$rc" -eq 0 ] && cmp -s "$dest$bindir/nchome-nms-fdpass" contrib/nchome-nms-fdpass &&
	case $out in *ProxyCommand*|*usage*) true ;; *) false ;; esac
res $? "install: $bindir/nchome-nms-fdpass is contrib's helper and runs"

left=$(grep -l '@[A-Za-z]*@' "$dest$confdir/nchome.conf" "$dest$confdir/sshd_config" \
	"$dest$unitdir/nchome-dialer.service" "$dest$mandir"/man*/nchome* 2>/dev/null)
detail="placeholders left in: $left"
[ -z "$left" ]; res $? "install: no @placeholder@ left in installed files"
detail=$(grep -n 'nchome-netconf' "$dest$confdir/sshd_config")
grep -qE "^Subsystem[[:space:]]+netconf[[:space:]]+$libexecdir/nchome-netconf -f $confdir/nchome.conf\$" \
	"$dest$confdir/sshd_config"
res $? "install: sshd_config runs the installed nchome-netconf with the installed nchome.conf"
detail=$(grep -n 'state-dir\|datastore-dir\|sshd-config' "$dest$confdir/nchome.conf")
grep -q "^#state-dir = \"$localstatedir/lib/nchome-dialer\"" "$dest$confdir/nchome.conf" &&
	grep -q "^[[:space:]]*#datastore-dir = \"$statedir\"" "$dest$confdir/nchome.conf" &&
	grep -q "^#sshd-config = \"$confdir/sshd_config\"" "$dest$confdir/nchome.conf"
res $? "install: nchome.conf shows the configured paths as defaults"

# Every key of the reader is in the sample, with its default.
keys=$(grep -oE 'CFG_(STR|INT|INT_CB|SEC|STR_LIST|BOOL|FLOAT)\("[a-z-]+"' common/conf_schema.c | sed 's/.*("//; s/"$//' | sort -u)
missing=
for k in $keys; do
	grep -qE "^[#[:space:]]*$k[[:space:]]*[={ \"]|[{[:space:]]$k[[:space:]]*=" config/nchome.conf || missing="$missing $k"
done
detail="missing:$missing"
[ -n "$keys" ] && [ -z "$missing" ]; res $? "config/nchome.conf shows all $(echo "$keys" | wc -w) keys of common/conf_schema.c"

# The installed files work: the dialer accepts nchome.conf as installed and
# with its example client enabled; sshd accepts sshd_config.  The paths
# they name are moved into DESTDIR, the host key is a throwaway one.
ssh-keygen -q -t ed25519 -N '' -C install-test -f "$tmp/host_key"
sed -e "s|$confdir|$dest$confdir|g" -e "s|$libexecdir|$dest$libexecdir|g" \
    -e "s|^HostKey .*|HostKey $tmp/host_key|" -e "/^HostCertificate/d" \
    "$dest$confdir/sshd_config" >"$tmp/sshd_config"
out=$(/usr/sbin/sshd -t -f "$tmp/sshd_config" 2>&1); rc=$?
detail="$out"
[ "$rc" -eq 0 ]; res $? "the installed sshd_config passes sshd -t"
{
	cat "$dest$confdir/nchome.conf"
	printf 'sshd-config = "%s"\nhost-key = "%s"\nstate-dir = "%s"\n' "$tmp/sshd_config" "$tmp/host_key.pub" "$tmp"
} >"$tmp/nchome.conf"
chmod 0640 "$tmp/nchome.conf"
out=$(dialer/nchome-dialer -t -f "$tmp/nchome.conf" 2>&1); rc=$?
detail="$out"
[ "$rc" -eq 0 ]; res $? "the installed nchome.conf passes nchome-dialer -t"
sed -e '/^#client nms1 {/,/^#}/ s/^#//' -e "s|$confdir/secret|$tmp/secret|" "$tmp/nchome.conf" >"$tmp/example.conf"
chmod 0640 "$tmp/example.conf"
(umask 077 && echo example-secret >"$tmp/secret.nms1")
out=$(dialer/nchome-dialer -t -f "$tmp/example.conf" 2>&1); rc=$?
detail="$out"
grep -q '^client nms1 {' "$tmp/example.conf" && [ "$rc" -eq 0 ]
res $? "its example client, uncommented, passes nchome-dialer -t"

# The installed pieces together: sshd -i with the installed sshd_config runs
# the installed nchome-netconf, which serves an installed YANG module.
mkdir -p /run/sshd "$dest$confdir/authorized_keys"
ssh-keygen -q -t ed25519 -N '' -C install-user -f "$tmp/user_key"
cp "$tmp/user_key.pub" "$dest$confdir/authorized_keys/root"
mkdir -p "$tmp/ds"
# The installed file with a netconf section of its own (the sample's is all
# comments, so its defaults name the real host's folders).
sed '/^netconf {/,/^}/d' "$dest$confdir/nchome.conf" >"$tmp/netconf.conf"
printf 'netconf {\n\tdatastore-dir = "%s"\n\tcommit-hooks = "%s"\n\tstate-providers = "%s"\n}\n' \
	"$tmp/ds" "$dest$confdir/commit.d" "$dest$confdir/state.d" >>"$tmp/netconf.conf"
# First lines: sshd takes the first value.
# StrictModes no: the files live under /tmp, which is world-writable.
# root logs in through the file's documented recovery opt-in.
{
	printf 'StrictModes no\nSetEnv NCHOME_YANG_DIR=%s\n' "$dest$datadir/nchome/yang"
	printf 'PermitRootLogin prohibit-password\nAllowGroups root\n'
	sed -e "s|$dest$confdir/nchome.conf|$tmp/netconf.conf|g" "$tmp/sshd_config"
} >"$tmp/sshd_config.e2e"
yang_want=$(ls yang/*.yang 2>/dev/null | head -1)
if [ -z "$yang_want" ]; then
	notok "the installed sshd_config, nchome-netconf and YANG modules work together" "no yang/*.yang in this tree"
else
	mod=${yang_want##*/}; mod=${mod%%@*}; mod=${mod%.yang}
	req='<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>'
	req="$req<rpc message-id=\"1\" xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><get-schema xmlns=\"urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring\"><identifier>$mod</identifier></get-schema></rpc>]]>]]>"
	req="$req<rpc message-id=\"2\" xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><close-session/></rpc>]]>]]>"
	out=$(printf '%s' "$req" | timeout $((30 * ${NCHOME_TIME_SCALE:-1})) ssh -F /dev/null -i "$tmp/user_key" -o IdentitiesOnly=yes \
		-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o ProxyCommand="/usr/sbin/sshd -i -f $tmp/sshd_config.e2e" -s root@installed netconf 2>&1)
	detail=$(printf '%s\n' "$out" | head -c 2000)
	printf '%s' "$out" | grep -q "module $mod" && printf '%s' "$out" | grep -q '<ok/>'
	res $? "the installed sshd_config, nchome-netconf and YANG modules work together (get-schema $mod)"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
	sed -e "s|$sbindir|$dest$sbindir|g" -e "s|$confdir|$dest$confdir|g" \
		"$dest$unitdir/nchome-dialer.service" >"$tmp/nchome-dialer.service"
	# man: the Documentation= pages, found where they were installed.
	man=--man=yes
	command -v man >/dev/null 2>&1 || man=--man=no
	out=$(MANPATH=$dest$mandir systemd-analyze verify $man "$tmp/nchome-dialer.service" 2>&1); rc=$?
	detail="$out"
	[ "$rc" -eq 0 ] && [ -z "$out" ]; res $? "the installed unit passes systemd-analyze verify, its man pages found"
else
	skip "the installed unit passes systemd-analyze verify" "tool: systemd-analyze not installed"
fi

# A second install keeps what the operator edited.
echo '# edited by the operator' >>"$dest$confdir/nchome.conf"
cp "$dest$confdir/nchome.conf" "$tmp/edited"
out=$(make -s install DESTDIR="$dest" INIT=systemd 2>&1); rc=$?
detail="$out"
[ "$rc" -eq 0 ]; res $? "a second make install succeeds"
cmp -s "$tmp/edited" "$dest$confdir/nchome.conf"; res $? "a second install keeps the edited nchome.conf"
detail="$out"
[ -f "$dest$confdir/nchome.conf.new" ] && ! cmp -s "$dest$confdir/nchome.conf.new" "$tmp/edited" &&
	case $out in *"kept your"*"nchome.conf"*"nchome.conf.new"*) true ;; *) false ;; esac
res $? "...puts the new default beside it as nchome.conf.new and says so"
detail=$(ls "$dest$confdir")
[ ! -e "$dest$confdir/sshd_config.new" ]; res $? "...and leaves an unchanged sshd_config alone"

# uninstall removes what install put there, except the operator's files.
out=$(make -s uninstall DESTDIR="$dest" INIT=systemd 2>&1); rc=$?
detail="$out"
[ "$rc" -eq 0 ]; res $? "make uninstall succeeds"
gone=1
for f in "$sbindir/nchome-dialer" "$sbindir/nchome-pki" "$bindir/nchome-nms-fdpass" "$libexecdir/nchome-netconf" "$mandir/man8/nchome-dialer.8" \
	"$mandir/man8/nchome-netconf.8" "$mandir/man5/nchome.conf.5" "$unitdir/nchome-dialer.service"; do
	[ -e "$dest$f" ] && { gone=0; detail="$detail still there: $f"; }
done
[ "$gone" -eq 1 ]; res $? "uninstall removes programs, man pages and the unit"
cmp -s "$tmp/edited" "$dest$confdir/nchome.conf" && [ -f "$dest$confdir/sshd_config" ] && [ -d "$dest$statedir" ]
res $? "uninstall keeps the configuration and the datastore folder"

# Without DESTDIR: the group and the owners, in a private mount namespace
# where /etc (groupadd writes there) and each top folder the configured
# dirs live in (/usr, /var, /opt: whatever this tree was configured with,
# the README's line too) is an overlay whose writes land in a tmpfs, so the
# host itself is not touched.  The files a former install left there are removed inside
# first, so the first install below is a first one.
ns_desc="install without DESTDIR (private mount namespace)"
host_group=$(getent group nchome)
tmp_top=/$(realpath -m "$tmp" | cut -d/ -f2)
tops=(/etc) ns_problem=
for d in "$sysconfdir" "$localstatedir" "$sbindir" "$libexecdir" "$mandir" "$datadir" "$unitdir"; do
	top_d=/$(realpath -m "$d" | cut -d/ -f2)
	if [ "$top_d" = / ] || [ ! -d "$top_d" ]; then
		ns_problem="$d: its top folder $top_d is not a folder here to lay an overlay on"
	elif [ "$top_d" = "$tmp_top" ]; then
		ns_problem="$d is under $tmp_top, where this test keeps its own files"
	fi
	case " ${tops[*]} " in *" $top_d "*) ;; *) tops+=("$top_d") ;; esac
done
if ! command -v unshare >/dev/null 2>&1; then
	skip "$ns_desc" "tool: unshare not installed (util-linux)"
elif [ "$(id -u)" -ne 0 ]; then
	skip "$ns_desc" "needs root"
elif [ -n "$ns_problem" ]; then
	notok "$ns_desc" "cannot isolate the install: $ns_problem"
else
	{
		echo 'set -e'
		echo "mount -t tmpfs nchome-test '$tmp/ovl'"
		# nothing below runs unless every overlay is in place
		for top_d in "${tops[@]}"; do
			u=$tmp/ovl/$(printf '%s' "$top_d" | tr / _)
			echo "mkdir '$u.up' '$u.work'"
			echo "mount -t overlay nchome-test -o 'lowerdir=$top_d,upperdir=$u.up,workdir=$u.work' '$top_d'"
		done
		for top_d in "${tops[@]}"; do
			echo "[ \"\$(stat -f -c %T '$top_d')\" = overlayfs ] || { echo '$top_d is not an overlay'; exit 1; }"
		done
		# Lock files another program held at this moment would stop groupadd.
		echo 'rm -f /etc/*.lock'
		echo "rm -rf '$confdir' '$statedir'"
		echo 'if getent passwd _nchome >/dev/null; then userdel _nchome; fi'
		echo 'for g in nchome nchome-netconf _nchome; do if getent group $g >/dev/null; then groupdel $g; fi; done'
		echo "make -s install INIT=systemd >'$tmp/ns1.out' 2>&1"
		echo 'echo "svc=$(getent passwd _nchome | cut -d: -f1,6,7)"'
		echo "echo \"netconf=\$(stat -c '%a %U:%G' '$libexecdir/nchome-netconf')\""
		echo 'echo "group=$(getent group nchome | cut -d: -f1)"'
		echo "echo \"statedir=\$(stat -c '%a %U:%G' '$statedir')\""
		echo "echo \"conf=\$(stat -c '%a %U:%G' '$confdir/nchome.conf')\""
		echo "echo \"dialer=\$(stat -c '%a %U' '$sbindir/nchome-dialer')\""
		echo "make -s install INIT=systemd >'$tmp/ns2.out' 2>&1"
		echo 'echo second=ok'
		# an older nchome's shared folder is handed to the service account
		echo "chown -R root:nchome '$statedir' && chmod 2770 '$statedir' && : > '$statedir/running.xml' && chmod 0664 '$statedir/running.xml'"
		echo "make -s install INIT=systemd >'$tmp/ns3.out' 2>&1"
		echo "echo \"upgraded=\$(stat -c '%a %U' '$statedir') \$(stat -c '%a %U' '$statedir/running.xml')\""
	} >"$tmp/ns.sh"
	mkdir "$tmp/ovl"
	out=$(unshare -m --propagation private sh "$tmp/ns.sh" 2>&1); rc=$?
	detail="rc=$rc $out; $(cat "$tmp/ns1.out" 2>/dev/null)"
	has "group=nchome" && grep -q "created group nchome" "$tmp/ns1.out"
	res $? "install without DESTDIR (overlays on ${tops[*]}) creates the group nchome"
	detail="$out"
	has "statedir=700 _nchome:_nchome"
	res $? "install without DESTDIR: $statedir is 0700 _nchome:_nchome (the service account's alone)"
	detail="$out"
	has "netconf=4750 _nchome:nchome-netconf"
	res $? "install without DESTDIR: nchome-netconf is 4750 _nchome:nchome-netconf (set-uid, run by the NETCONF group only)"
	detail="$out"
	printf '%s\n' "$out" | grep -qE "^svc=_nchome:/nonexistent:.*(nologin|false)$"
	res $? "install without DESTDIR: the service account _nchome has no home and no shell"
	detail="$out; $(cat "$tmp/ns3.out" 2>/dev/null)"
	has "upgraded=700 _nchome 600 _nchome"
	res $? "install over an older shared datastore folder (2770 root:nchome) makes it and its files the service account's"
	detail="$out"
	has "conf=640 root:nchome"
	res $? "install without DESTDIR: nchome.conf is 640 root:nchome"
	detail="$out"
	has "dialer=755 root"
	res $? "install without DESTDIR: $sbindir/nchome-dialer is 755 root"
	detail="$out; $(cat "$tmp/ns2.out" 2>/dev/null)"
	has "second=ok" && grep -q "$statedir exists, left as it is" "$tmp/ns2.out"
	res $? "a second install leaves the existing datastore folder as it is"
	detail="group nchome now: '$(getent group nchome)', before: '$host_group'"
	[ "$(getent group nchome)" = "$host_group" ]
	res $? "the host's own group database was not touched"
	left=
	for f in "$confdir" "$statedir" "$sbindir/nchome-dialer"; do
		if [ -e "$f" ] && [ "$f" -nt "$tmp/ns.sh" ]; then left="$left $f"; fi
	done
	detail="written on the host:$left"
	[ -z "$left" ]; res $? "the host's own folders were not touched"
fi

# The other init systems, each where its system looks for it.
for init in sysv:/etc/init.d/nchome-dialer:755 openrc:/etc/init.d/nchome-dialer:755 \
	freebsd:$sysconfdir/rc.d/nchome_dialer:555; do
	name=${init%%:*} rest=${init#*:}
	path=${rest%:*} want=${rest##*:}
	d=$tmp/$name
	out=$(make -s install-init DESTDIR="$d" INIT="$name" 2>&1); rc=$?
	m=$(mode "$d$path")
	detail="rc=$rc $out; $path mode ${m:-missing}"
	[ "$rc" -eq 0 ] && [ "$m" = "$want" ] && grep -q "$sbindir/nchome-dialer" "$d$path" && ! grep -q '@[a-z]*@' "$d$path"
	res $? "INIT=$name installs $path with the configured paths"
	make -s uninstall DESTDIR="$d" INIT="$name" >/dev/null 2>&1
	detail=
	[ ! -e "$d$path" ]; res $? "INIT=$name: uninstall removes it"
done

# configure's options, in a copy of the build files (this tree stays as is).
src=$tmp/src
mkdir -p "$src"
tar -C "$top" --exclude=./.git --exclude='*.o' --exclude='*.a' --exclude=./tests/out \
	--exclude=./tests/fuzz/bin --exclude=./Makefile --exclude=./config.h -cf - . | tar -C "$src" -xf -
cp -p /usr/sbin/sshd "$tmp/my-sshd"
out=$(cd "$src" && ./configure --prefix=/opt/nc --bindir=/opt/nc/nms-bin --sysconfdir=/etc/nc --localstatedir=/var/nc \
	--with-sshd="$tmp/my-sshd" CC=cc CFLAGS="-O1 -g -DNC_TEST=1" 2>&1); rc=$?
detail="$out"
[ "$rc" -eq 0 ]; res $? "configure with --prefix, --bindir, --sysconfdir, --localstatedir, --with-sshd, CC, CFLAGS"
h=$src/config.h
detail=$(cat "$h" 2>/dev/null)
grep -q '"/etc/nc/nchome/nchome.conf"' "$h" && grep -q 'NCHOME_STATE_DIR "/var/nc/lib/nchome"' "$h" &&
	grep -q "NCHOME_SSHD_PATH \"$tmp/my-sshd\"" "$h" && grep -q 'NCHOME_LIBEXECDIR "/opt/nc/libexec"' "$h"
res $? "config.h has the configured paths and sshd"
out=$(cd "$src" && make -n dialer/nchome-dialer install DESTDIR=/D INIT=sysv 2>&1)
detail="$out"
printf '%s\n' "$out" | grep -qE '^cc .*-O1 -g -DNC_TEST=1.* -c -o common/' &&
	printf '%s\n' "$out" | grep -q '/D/opt/nc/sbin/nchome-dialer' &&
	printf '%s\n' "$out" | grep -q '/D/opt/nc/libexec/nchome-netconf' &&
	printf '%s\n' "$out" | grep -q '/D/opt/nc/nms-bin/nchome-nms-fdpass' &&
	printf '%s\n' "$out" | grep -q "s|@sysconfdir@|/etc/nc|g"
res $? "the Makefile compiles with CC and CFLAGS and installs under the configured dirs"
out=$(cd "$src" && CC=cc CFLAGS="-O0" ./configure --prefix=/usr 2>&1); rc=$?
detail="$out"
[ "$rc" -eq 0 ] && grep -q '^CFLAGS *= -O0$' "$src/Makefile" && grep -q '^sysconfdir *= /usr/etc$' "$src/Makefile"
res $? "configure takes CC and CFLAGS from the environment too"
out=$(cd "$src" && ./configure --with-sshd=/nonexistent/sshd 2>&1); rc=$?
detail="$out"
[ "$rc" -ne 0 ] && case $out in *"/nonexistent/sshd"*) true ;; *) false ;; esac
res $? "configure refuses a --with-sshd that is not there, naming it"
out=$(cd "$src" && ./configure "CFLAGS=-O1 -DNC_X='a|b&c'" 2>&1); rc=$?
detail="$out; $(grep '^CFLAGS' "$src/Makefile")"
[ "$rc" -eq 0 ] && grep -qxF "CFLAGS     = -O1 -DNC_X='a|b&c'" "$src/Makefile"
res $? "configure passes CFLAGS with | and & through unchanged"
out=$(cd "$src" && ./configure --prefix=relative/dir 2>&1); rc=$?
detail="$out"
[ "$rc" -ne 0 ]; res $? "configure refuses a relative --prefix"
out=$(cd "$src" && ./configure --bogus-option 2>&1); rc=$?
detail="$out"
[ "$rc" -ne 0 ]; res $? "configure refuses an unknown option"

echo "1..$n"
[ "$failed" -eq 0 ]
