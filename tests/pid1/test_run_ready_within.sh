#!/bin/bash
# PID-1 test: ready_within. A service that starts but never becomes READY
# (its readiness probe keeps failing, as a DataNode the NameNode refused
# once) is restarted after ready_within, and the restart is counted. The
# negative control: the same service without ready_within stays STARTING
# with restarts 0 for longer than the first one took to be restarted.
# shellcheck source=tests/pid1/lib_run.sh
. "$(dirname "$0")/lib_run.sh" "$@"

echo "== part 1: never ready within 1s -> restarted =="
cat >"$T/unready.yaml" <<YAML
supervisor: {backoff_initial: 100ms, backoff_max: 200ms, max_restarts: 10, restart_window: 60s, shutdown_deadline: 5s}
services:
  - name: stuck
    argv: [sh, -c, 'date +%s%N >> $T/starts; exec sleep 1000']
    readiness: {exec: [sh, -c, 'exit 1'], interval: 200ms}
    ready_within: 1s
YAML
start_vessel "$T/unready.yaml"
_restarted() { [ "$(svc stuck restarts)" -ge 1 ] 2>/dev/null; }
wait_until 10 "stuck was restarted for not being READY" _restarted
check "the log names the reason" file_has "$T/vessel.log" 'stuck: not READY within 1000ms'
wait_until 5 "a second process started" bash -c '[ "$(wc -l < "$1")" -ge 2 ]' _ "$T/starts"
check "/readyz is 503 meanwhile" test "$(http_code /readyz)" = 503
signal_vessel TERM
wait_vessel_exit 10
check "vessel exited 0" test "$VESSEL_RC" = 0

echo "== part 2 (negative control): without ready_within it waits forever =="
: >"$T/vessel.log"
: >"$T/starts"
sed '/ready_within/d' "$T/unready.yaml" >"$T/patient.yaml"
start_vessel "$T/patient.yaml"
wait_until 5 "stuck started" svc_is stuck state STARTING
sleep 3
check "still STARTING after 3s, never restarted" test "$(svc stuck state)/$(svc stuck restarts)" = STARTING/0
check "one process only" test "$(wc -l <"$T/starts")" = 1
signal_vessel TERM
wait_vessel_exit 10
check "vessel exited 0" test "$VESSEL_RC" = 0
