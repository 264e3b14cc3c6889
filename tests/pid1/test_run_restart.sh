#!/bin/bash
# PID-1 test 6: crash and restart. A killed service comes back (new pid,
# restarts=1) no earlier than the backoff allows; a crash loop ends in FAILED
# with /readyz naming it; a critical service that FAILS takes vessel down
# with a non-zero exit so the orchestrator replaces the node.
. "$(dirname "$0")/lib_run.sh" "$@"

echo "== part 1: a killed service restarts after its backoff =="
cat >"$T/restart.yaml" <<YAML
supervisor: {backoff_initial: 1s, backoff_max: 4s, max_restarts: 3, restart_window: 30s, shutdown_deadline: 5s}
services:
  - name: victim
    argv: [sh, -c, 'date +%s%N >> $T/starts; exec sleep 1000']
YAML
start_vessel "$T/restart.yaml"
wait_until 10 "victim is READY" svc_is victim state READY
pid1=$(svc victim pid)
check "victim has a pid ($pid1) and 0 restarts" test -n "$pid1" -a "$(svc victim restarts)" = 0
wait_until 5 "victim wrote its start time" file_has "$T/starts" '^[0-9]+$'
killed_at=$(now_ns)
in_ns kill -KILL "$pid1"
wait_until 15 "victim restarted with a new pid" bash -c \
  '[ "$(wc -l < "$1")" -ge 2 ] && p=$2 && s=$(curl -s -m 3 "http://127.0.0.1:$3/status") && \
   np=$(echo "$s" | jq -r ".services[] | select(.name==\"victim\") | .pid") && [ "$np" != 0 ] && [ "$np" != "$p" ]' \
  _ "$T/starts" "$pid1" "$HEALTH_PORT"
wait_until 5 "victim is READY again" svc_is victim state READY
check "restarts counter is 1" svc_is victim restarts 1
check "last_signal is 9 (SIGKILL)" svc_is victim last_signal 9
restarted_at=$(sed -n 2p "$T/starts")
delay_ms=$(((restarted_at - killed_at) / 1000000))
echo "   restart came ${delay_ms}ms after the kill (backoff_initial 1s, jitter 0.8..1.2)"
# Lower bound only: backoff_initial x 0.8 = 800ms (a little slack for clocks).
check "restart waited for the backoff (${delay_ms}ms >= 780ms)" test "$delay_ms" -ge 780
signal_vessel TERM
wait_vessel_exit 15
check "vessel exited 0" test "$VESSEL_RC" = 0

echo "== part 2: a crash loop ends in FAILED =="
: >"$T/vessel.log"
cat >"$T/loop.yaml" <<YAML
supervisor: {backoff_initial: 100ms, backoff_max: 400ms, max_restarts: 3, restart_window: 30s, shutdown_deadline: 5s}
services:
  - name: steady
    argv: [sleep, "1000"]
  - name: crasher
    argv: [sh, -c, 'echo run >> $T/crash_runs; exit 3']
YAML
start_vessel "$T/loop.yaml"
wait_until 15 "crasher reached FAILED" svc_is crasher state FAILED
check "crasher was restarted max_restarts (3) times" svc_is crasher restarts 3
check "crasher ran 4 times in all" test "$(wc -l < "$T/crash_runs")" = 4
check "crasher last_exit_code is 3" svc_is crasher last_exit_code 3
check "/status reason names the restart limit" bash -c '[[ "$1" == "restart limit: 3 restarts within 30s; last: exited with code 3" ]]' _ "$(svc crasher reason)"
check "/readyz is 503" test "$(http_code /readyz)" = 503
check "/readyz names the failed service" bash -c 'grep -q "^crasher: FAILED (restart limit" <<<"$1"' _ "$(http_body /readyz)"
check "steady is still READY (a non-critical failure keeps the node up)" svc_is steady state READY
check "vessel is still running" kill -0 "$VESSEL_PID"
# No further restarts once FAILED (give it time to misbehave: 3x the last backoff).
sleep 1.2
check "crasher did not run again after FAILED" test "$(wc -l < "$T/crash_runs")" = 4
signal_vessel TERM
wait_vessel_exit 15
check "vessel exited 0" test "$VESSEL_RC" = 0

echo "== part 3: a critical crash loop stops vessel with a non-zero exit =="
: >"$T/vessel.log"
cat >"$T/critical.yaml" <<YAML
supervisor: {backoff_initial: 300ms, backoff_max: 400ms, max_restarts: 2, restart_window: 30s, shutdown_deadline: 5s}
services:
  - name: steady
    argv: [sleep, "1000"]
  - name: vital
    argv: [sh, -c, 'exit 3']
    critical: true
YAML
launch_vessel "$T/critical.yaml"
wait_vessel_exit 20
check "vessel exit code is non-zero ($VESSEL_RC)" test "$VESSEL_RC" != 0
check "vessel logged why it stopped" grep -q 'vital: critical service FAILED' "$T/vessel.log"
