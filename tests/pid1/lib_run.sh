# shellcheck shell=bash
# Shared helpers for the `vessel run` PID-1 tests (test_run_*.sh). Sourced,
# not run. Each test starts the real binary as PID 1 of a fresh PID
# namespace, polls with deadlines (never a fixed sleep as an assertion) and
# kills everything it started on exit, even after a failed check.
#
# Usage in a test:  . "$(dirname "$0")/lib_run.sh" "$@"
set -u

VESSEL=${1:?usage: $0 /path/to/vessel}
VESSEL=$(readlink -f "$VESSEL")
[ -x "$VESSEL" ] || { echo "FAIL: $VESSEL is not executable"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: PID-1 tests need root (unshare --pid)"; exit 1; }

T=$(mktemp -d /tmp/vessel-run-test.XXXXXX)
UNSHARE_PID=""   # the `unshare` process (host pid)
VESSEL_PID=""    # vessel itself: PID 1 inside, its child on the host
HEALTH_PORT=""
VESSEL_RC=""
_CHECKS=0

_cleanup() {
  local rc=$?
  if [ -n "$VESSEL_PID" ] && kill -0 "$VESSEL_PID" 2>/dev/null; then kill -KILL "$VESSEL_PID" 2>/dev/null; fi
  if [ -n "$UNSHARE_PID" ] && kill -0 "$UNSHARE_PID" 2>/dev/null; then kill -KILL "$UNSHARE_PID" 2>/dev/null; fi
  if [ "$rc" != 0 ]; then
    echo "---- vessel log ($T/vessel.log) ----"
    tail -n 60 "$T/vessel.log" 2>/dev/null
    echo "---- test FAILED (exit $rc); files kept in $T ----"
  else
    echo "PASS: $_CHECKS checks"
    rm -rf "$T"
  fi
}
trap _cleanup EXIT

fail() {
  echo "FAIL: $*"
  exit 1
}

ok() {
  _CHECKS=$((_CHECKS + 1))
  echo "ok: $*"
}

# check DESCRIPTION COMMAND...: one assertion.
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 50ms until it
# succeeds; fails the test when the deadline passes first.
wait_until() {
  local secs=$1 desc=$2
  shift 2
  local deadline=$(($(date +%s%N) + secs * 1000000000))
  until "$@"; do
    if [ "$(date +%s%N)" -gt "$deadline" ]; then fail "$desc (not within ${secs}s)"; fi
    sleep 0.05
  done
  ok "$desc"
}

now_ns() { date +%s%N; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_vessel SERVICES_FILE [ENV=VALUE...]: starts vessel as PID 1 with a
# free health port; sets UNSHARE_PID, VESSEL_PID, HEALTH_PORT.
start_vessel() {
  launch_vessel "$@"
  wait_until 10 "health port $HEALTH_PORT answers /healthz" _healthz_up
}

# launch_vessel: as start_vessel, without waiting for the health port (for a
# vessel expected to exit on its own soon).
launch_vessel() {
  local file=$1
  shift
  HEALTH_PORT=$(free_port)
  env "$@" unshare --pid --fork --mount-proc \
    "$VESSEL" run --services "$file" --health-addr "127.0.0.1:$HEALTH_PORT" >>"$T/vessel.log" 2>&1 &
  UNSHARE_PID=$!
  wait_until 5 "vessel started as PID 1 (child of unshare $UNSHARE_PID)" _find_vessel
}

_find_vessel() {
  VESSEL_PID=$(pgrep -P "$UNSHARE_PID" | head -n1)
  [ -n "$VESSEL_PID" ] && grep -q "^NSpid:.*[[:space:]]1$" "/proc/$VESSEL_PID/status" 2>/dev/null
}
_healthz_up() { [ "$(http_code /healthz)" = 200 ]; }

# Signals vessel (PID 1 of its namespace) from the host.
signal_vessel() { kill -"$1" "$VESSEL_PID"; }

_vessel_gone() { ! kill -0 "$UNSHARE_PID" 2>/dev/null; }

# wait_vessel_exit SECONDS: waits for vessel (and unshare) to exit; sets VESSEL_RC.
wait_vessel_exit() {
  wait_until "$1" "vessel exited" _vessel_gone
  wait "$UNSHARE_PID"
  VESSEL_RC=$?
  echo "   vessel exit code $VESSEL_RC"
}

# Runs a command inside vessel's PID namespace (service pids are namespace pids).
in_ns() { nsenter --target "$VESSEL_PID" --pid -- "$@"; }

http_code() { curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$HEALTH_PORT$1"; }
http_body() { curl -s -m 3 "http://127.0.0.1:$HEALTH_PORT$1"; }
status_json() { http_body /status; }

# svc NAME FIELD: one field of one service from /status ("" if absent).
svc() {
  status_json | jq -r --arg n "$1" ".services[] | select(.name == \$n) | .$2 | select(. != null)" 2>/dev/null
}

# svc_is NAME FIELD VALUE: for wait_until/check.
svc_is() { [ "$(svc "$1" "$2")" = "$3" ]; }

# file_has FILE PATTERN (grep -E)
file_has() { [ -f "$1" ] && grep -Eq -- "$2" "$1"; }

# json_ok FILTER: jq -e on stdin, quietly (for check).
json_ok() { jq -e "$1" >/dev/null; }
