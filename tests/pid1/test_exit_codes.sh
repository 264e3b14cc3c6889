#!/usr/bin/env bash
# Test 1: vessel init as PID 1 exits with its child's exit code (0..255),
# with 128+n when the child is killed by signal n, and with 127/126 when
# the command cannot be found / cannot be executed.
set -euo pipefail
# shellcheck source=tests/pid1/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

# run_code CMD...: the exit code of `vessel init -- CMD...` as PID 1.
run_code() {
  local rc=0
  as_pid1 "${INIT[@]}" -- "$@" 2>/dev/null || rc=$?
  echo "$rc"
}

# 0..255, in 8 parallel batches to keep the suite fast.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for batch in 0 1 2 3 4 5 6 7; do
  (
    for ((c = batch; c < 256; c += 8)); do
      got=$(run_code sh -c "exit $c")
      [[ "$got" == "$c" ]] || echo "exit $c gave $got"
    done
  ) >"$tmp/batch$batch" &
done
wait
bad=$(cat "$tmp"/batch*)
assert_eq "child exit codes 0..255 propagate (256 runs; mismatches listed)" "" "$bad"

for s in TERM HUP QUIT KILL; do
  n=$(kill -l "$s")
  assert_eq "child killing itself with SIG$s gives 128+$n" "$((128 + n))" \
    "$(run_code sh -c "kill -$s \$\$")"
done

assert_eq "missing command (absolute path) gives 127" 127 "$(run_code /nonexistent/cmd)"
assert_eq "missing command (PATH lookup) gives 127" 127 "$(run_code no-such-command-vessel)"
touch "$tmp/not-executable"
chmod 0644 "$tmp/not-executable"
assert_eq "non-executable file gives 126" 126 "$(run_code "$tmp/not-executable")"

msg=$(as_pid1 "${INIT[@]}" -- /nonexistent/cmd 2>&1 || true)
if [[ "$msg" == *"/nonexistent/cmd"*"No such file or directory"* ]]; then
  ok "exec failure message names the command and the reason: $msg"
else
  fail "exec failure message should name the command: '$msg'"
fi
