#!/bin/bash
# Replays tests/fuzz/regress/<target>/ and tests/fuzz/corpus/<target>/
# through the libFuzzer binaries themselves (clang build, ASan+UBSan),
# built here into a scratch folder (`make fuzz-build FUZZ_BIN=...`, about
# ten seconds), so what runs is this tree's code.  The same inputs always
# run through the normal build in tests/unit/test_fuzz_replay; this adds
# the clang/libFuzzer build, which instruments differently.  clang is
# optional: without it the file skips (tool: clang).  TAP.
cd "$(dirname "$0")/.." || exit 2
scale=${NCHOME_TIME_SCALE:-1}
n=0 failed=0
cc=$(make -s -f Makefile.fuzz -f - print-cc <<'MK' 2>/dev/null
print-cc: ; @echo $(FUZZ_CC)
MK
)
if ! command -v "${cc:-clang}" >/dev/null 2>&1; then
	echo "ok 1 - fuzz regressions through libFuzzer binaries # SKIP tool: ${cc:-clang} not installed (libFuzzer needs it)"
	echo "1..1"
	exit 0
fi
tmp=$(mktemp -d /tmp/nchome-fuzzregress.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
# A make of its own: not a sub-make of `make check`'s jobserver.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j2 fuzz-build FUZZ_BIN="$tmp/bin" >"$tmp/build.log" 2>&1; then
	echo "not ok 1 - the libFuzzer binaries build (make fuzz-build)"
	tail -30 "$tmp/build.log" | sed 's/^/#   /'
	echo "1..1"
	exit 1
fi
bins=("$tmp"/bin/fuzz_*)
srcs=(tests/fuzz/fuzz_*.c)
n=$((n + 1))
if [ ${#bins[@]} -eq ${#srcs[@]} ] && [ -x "${bins[0]}" ]; then
	echo "ok $n - one libFuzzer binary per tests/fuzz/fuzz_*.c (${#bins[@]})"
else
	failed=$((failed + 1))
	echo "not ok $n - one libFuzzer binary per tests/fuzz/fuzz_*.c (${#bins[@]} binaries, ${#srcs[@]} sources)"
fi
for b in "${bins[@]}"; do
	[ -x "$b" ] || continue
	t=$(basename "$b")
	files=()
	for d in tests/fuzz/regress/$t tests/fuzz/corpus/$t; do
		[ -d "$d" ] || continue
		for f in "$d"/*; do [ -f "$f" ] && files+=("$f"); done
	done
	n=$((n + 1))
	if [ ${#files[@]} -eq 0 ]; then
		# A target without inputs replays nothing: keep its seed corpus.
		failed=$((failed + 1))
		echo "not ok $n - $t: no inputs in tests/fuzz/corpus/$t or tests/fuzz/regress/$t"
		continue
	fi
	out=$(timeout $((120 * scale)) "$b" -runs=1 "${files[@]}" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $t: ${#files[@]} inputs replayed through the libFuzzer build"
	else
		failed=$((failed + 1))
		echo "not ok $n - $t: exit $rc replaying ${#files[@]} inputs"
		echo "$out" | grep -E 'Running|ERROR|SUMMARY|runtime error|#[0-9]' | head -30 | sed 's/^/#   /'
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
