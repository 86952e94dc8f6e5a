#!/bin/bash
# Replays tests/fuzz/regress/<target>/ and tests/fuzz/corpus/<target>/
# through the libFuzzer binaries themselves (clang build, ASan+UBSan), when
# `make fuzz-build` has built them.  The same inputs always run through the
# normal build in tests/unit/test_fuzz_replay; this adds the clang/libFuzzer
# build, which instruments differently.  TAP.
cd "$(dirname "$0")/.." || exit 2
n=0
bins=(tests/fuzz/bin/fuzz_*)
if [ ! -x "${bins[0]}" ]; then
	echo "ok 1 - fuzz regressions through libFuzzer binaries # SKIP not built (make fuzz-build)"
	echo "1..1"
	exit 0
fi
for b in "${bins[@]}"; do
	[ -x "$b" ] || continue
	case $b in *.log|*.a) continue ;; esac
	t=$(basename "$b")
	files=()
	for d in tests/fuzz/regress/$t tests/fuzz/corpus/$t; do
		[ -d "$d" ] || continue
		for f in "$d"/*; do [ -f "$f" ] && files+=("$f"); done
	done
	n=$((n + 1))
	if [ ${#files[@]} -eq 0 ]; then
		echo "ok $n - $t: no inputs # SKIP empty corpus"
		continue
	fi
	out=$(timeout 120 "$b" -runs=1 "${files[@]}" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $t: ${#files[@]} inputs replayed through the libFuzzer build"
	else
		echo "not ok $n - $t: exit $rc replaying ${#files[@]} inputs"
		echo "$out" | grep -E 'Running|ERROR|SUMMARY|runtime error|#[0-9]' | head -30 | sed 's/^/#   /'
	fi
done
echo "1..$n"
