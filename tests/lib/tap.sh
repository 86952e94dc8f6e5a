# TAP for the shell tests (tests/t_*.sh): source it after cd'ing to the
# top of the tree.  Counts in n and failed; the test prints "1..$n" and
# exits non-zero when failed > 0 itself.
#   ok DESC, skip DESC REASON (only "tool: NAME ..." reasons, tests/run)
#   notok DESC [DETAIL...]   each DETAIL line shown as a TAP comment
#   res STATUS DESC          ok when STATUS is 0, else notok with $detail
#   has LINE                 $out has LINE as a whole line (fixed string)
n=0 failed=0
detail=
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
res() { if [ "$1" -eq 0 ]; then ok "$2"; else notok "$2" "${detail:-}"; fi; detail=; }
has() { printf '%s\n' "$out" | grep -qxF -- "$1"; }
