#!/usr/bin/env bash
# Test 3: 3000 orphans blocked on one pipe are released at once. Their
# SIGCHLDs coalesce; vessel must still reap every one. Checked twice: the
# helper sees each pid gone (kill(pid,0) == ESRCH, which a zombie would not
# give), and vessel's own verbose total counts exactly 3000 reaped orphans.
set -euo pipefail
# shellcheck source=tests/pid1/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
out=$(as_pid1 "${INIT[@]}" -v -- "$HELPERS/orphans" 3000 20000 2>"$log")
echo "     burst run: $out"
assert_eq "orphans that exited" 3000 "$(field exited "$out")"
assert_eq "orphans gone (reaped)" 3000 "$(field reaped "$out")"
assert_eq "zombies left in the namespace" 0 "$(field zombies "$out")"
total=$(grep -Eo 'reaped [0-9]+ other process' "$log" | grep -Eo '[0-9]+' || echo none)
assert_eq "vessel's reaped total (verbose log)" 3000 "$total"
