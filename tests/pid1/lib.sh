# shellcheck shell=bash
# Shared helpers of the PID-1 tests (sourced; not a test itself).
# Usage in a test: source "$(dirname "$0")/lib.sh" "$@"
# $1 is the vessel binary; helpers come from $VESSEL_HELPERS (set by ctest)
# or from helpers/ next to the binary.

if [[ $# -lt 1 || ! -x "$1" ]]; then
  echo "usage: $0 PATH-TO-VESSEL" >&2
  exit 2
fi
VESSEL=$(realpath "$1")
HELPERS=${VESSEL_HELPERS:-$(dirname "$VESSEL")/helpers}
export VESSEL HELPERS
# The init under test: `vessel init`, or the standalone `vessel-init` binary
# (same code and options, without the subcommand word). Used by the tests
# that source this file.
# shellcheck disable=SC2034
if [[ $(basename "$VESSEL") == vessel-init ]]; then
  INIT=("$VESSEL")
else
  INIT=("$VESSEL" init)
fi

# Without root (or with user namespaces off) we cannot make a PID
# namespace. That fails the test: a suite that silently proves nothing on
# such a machine would read as green.
if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
  echo "FAIL: cannot create a PID namespace here (run the tests as root)" >&2
  exit 1
fi

# Runs "$@" as PID 1 of a fresh PID namespace with its own /proc.
as_pid1() {
  unshare --pid --fork --mount-proc "$@"
}

ok() { echo "ok   - $*"; }
fail() {
  echo "FAIL - $*" >&2
  exit 1
}

# assert_eq WHAT WANT GOT
assert_eq() {
  if [[ "$3" == "$2" ]]; then
    ok "$1: $3"
  else
    fail "$1: want '$2', got '$3'"
  fi
}

# assert_gt WHAT LIMIT GOT (integers)
assert_gt() {
  if (($3 > $2)); then
    ok "$1: $3 > $2"
  else
    fail "$1: want > $2, got $3"
  fi
}

# field NAME LINE: the value of NAME=VALUE in a line of key=value words.
field() {
  local kv
  for kv in $2; do
    if [[ "$kv" == "$1="* ]]; then
      echo "${kv#*=}"
      return 0
    fi
  done
  echo "missing"
}

# wait_for_line FILE REGEX SECONDS: polls until FILE has a matching line.
wait_for_line() {
  local deadline=$((SECONDS + $3))
  while ! grep -Eq "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.01
  done
}
