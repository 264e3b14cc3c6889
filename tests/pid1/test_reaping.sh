#!/usr/bin/env bash
# Test 2: orphans are reaped, with a negative control. The main child
# (helpers/orphans) leaves 100 orphans that exit, waits until they are
# reaped (or a timeout), then scans /proc of the namespace for state Z while
# vessel is still running. With --no-reap the same scan must find the
# zombies: this proves the scan can see a failure.
set -euo pipefail
# shellcheck source=tests/pid1/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

out=$(as_pid1 "${INIT[@]}" -- "$HELPERS/orphans" 100 5000)
echo "     reaping run: $out"
assert_eq "orphans that exited" 100 "$(field exited "$out")"
assert_eq "orphans reaped by vessel init" 100 "$(field reaped "$out")"
assert_eq "zombies left in the namespace" 0 "$(field zombies "$out")"

out=$(as_pid1 "${INIT[@]}" --no-reap -- "$HELPERS/orphans" 100 500)
echo "     control run (--no-reap): $out"
assert_eq "control: orphans that exited" 100 "$(field exited "$out")"
assert_eq "control: orphans reaped" 0 "$(field reaped "$out")"
assert_gt "control: zombies found without reaping" 0 "$(field zombies "$out")"
