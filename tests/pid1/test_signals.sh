#!/usr/bin/env bash
# Test 4: every signal 1..31 except KILL, STOP and CHLD, sent to vessel init
# (PID 1 of the namespace) from outside, reaches the child exactly once.
# The catcher (helpers/sigcatch) logs one line per delivery and the SigBlk
# and SigIgn it inherited, which must both be zero.
set -euo pipefail
# shellcheck source=tests/pid1/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

log=$(mktemp)
# unshare directly (not through a function, which would add a subshell) so
# that $! is unshare itself.
unshare --pid --fork --mount-proc "${INIT[@]}" -- "$HELPERS/sigcatch" "$log" &
ns_pid=$!
init_pid=""
cleanup() {
  # Killing PID 1 of the namespace takes the whole namespace down.
  [[ -z "$init_pid" ]] || kill -KILL "$init_pid" 2>/dev/null || true
  kill -KILL "$ns_pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT

wait_for_line "$log" '^ready$' 10 || fail "the catcher never became ready"
# unshare --fork's only child is vessel; vessel's only child is the catcher.
# (The children file has no trailing newline, so read(1) would fail.)
init_pid=$(<"/proc/$ns_pid/task/$ns_pid/children")
init_pid=${init_pid%% *}
catcher_pid=$(<"/proc/$init_pid/task/$init_pid/children")
catcher_pid=${catcher_pid%% *}
[[ -n "$init_pid" && -n "$catcher_pid" ]] || fail "could not find vessel init and its child"
ok "vessel init is host pid $init_pid, catcher is host pid $catcher_pid"

assert_eq "catcher's inherited SigBlk" "0000000000000000" "$(awk '/^SigBlk:/ {print $2}' "$log")"
assert_eq "catcher's inherited SigIgn" "0000000000000000" "$(awk '/^SigIgn:/ {print $2}' "$log")"

sent=0
for ((s = 1; s <= 31; s++)); do
  case $s in 9 | 17 | 19) continue ;; esac # KILL, CHLD, STOP
  kill "-$s" "$init_pid"
  # One at a time: wait for the delivery before sending the next, so two
  # different signals can never be confused or coalesced.
  wait_for_line "$log" "^sig $s\$" 5 || fail "signal $s ($(kill -l "$s")) never reached the child"
  sent=$((sent + 1))
done
sleep 0.3 # late duplicates would show up within this window
for ((s = 1; s <= 31; s++)); do
  case $s in 9 | 17 | 19) continue ;; esac
  assert_eq "deliveries of signal $s (SIG$(kill -l "$s"))" 1 "$(grep -c "^sig $s\$" "$log")"
done
assert_eq "total deliveries (no signal we did not send)" "$sent" "$(grep -c '^sig ' "$log")"

kill -KILL "$catcher_pid"
rc=0
wait "$ns_pid" || rc=$?
assert_eq "vessel init exit code after the child was SIGKILLed" 137 "$rc"
