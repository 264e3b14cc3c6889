#!/bin/bash
# PID-1 test 5: graceful drain. On SIGTERM vessel stops its services and
# waits for their descendants: a grandchild that needs 1 s to finish its TERM
# handler gets that second (its marker exists), and vessel exits 0 without
# reaching the shutdown deadline. A variant whose service and grandchild
# ignore TERM is SIGKILLed, first at stop_grace (the service's group), then
# at shutdown_deadline (an orphan that escaped into its own session), and
# vessel still exits.
. "$(dirname "$0")/lib_run.sh" "$@"

echo "== part 1: a grandchild that drains for 1 s =="
# The service's main shell dies on TERM at once; its grandchild (same process
# group, so it gets the TERM too) is reparented to vessel and finishes.
cat >"$T/drain.yaml" <<YAML
supervisor: {shutdown_deadline: 20s}
services:
  - name: drainer
    argv:
      - sh
      - -c
      - |
        sh -c 'trap "sleep 1; echo drained > $T/marker; exit 0" TERM; echo \$\$ > $T/started; sleep 1000 & wait' &
        wait
    stop_grace: 10s
YAML
start_vessel "$T/drain.yaml"
wait_until 10 "drainer is READY" svc_is drainer state READY
wait_until 10 "grandchild installed its TERM trap" test -s "$T/started"
check "no marker before the TERM" test ! -e "$T/marker"
signal_vessel TERM
wait_vessel_exit 15
# When PID 1 exits the kernel SIGKILLs its whole namespace, so a marker that
# exists now proves vessel waited for the grandchild's handler.
check "grandchild finished its 1 s TERM handler (marker written)" file_has "$T/marker" '^drained$'
check "vessel exited 0 after a requested shutdown" test "$VESSEL_RC" = 0
check "vessel did not need the shutdown deadline" bash -c "! grep -q 'deadline reached' '$T/vessel.log'"
check "vessel logged a complete shutdown" grep -q 'shutdown complete' "$T/vessel.log"

echo "== part 2: a service and an orphan that ignore TERM =="
: >"$T/vessel.log"
export UNSHARE_PID="" VESSEL_PID=""  # reset for lib_run.sh's start/stop helpers
# The main shell ignores TERM (SIGKILL at stop_grace, to its group); the
# grandchild moved to its own session ignores TERM too, so only the
# shutdown-deadline SIGKILL to everything reaches it.
cat >"$T/stubborn.yaml" <<YAML
supervisor: {shutdown_deadline: 3s}
services:
  - name: stubborn
    argv:
      - sh
      - -c
      - |
        trap "" TERM
        setsid sh -c 'echo \$\$ > $T/orphan; while :; do sleep 1; done' &
        while :; do sleep 1; done
    stop_grace: 1s
YAML
start_vessel "$T/stubborn.yaml"
wait_until 10 "stubborn is READY" svc_is stubborn state READY
wait_until 10 "orphan-to-be started in its own session" test -s "$T/orphan"
t0=$(now_ns)
signal_vessel TERM
wait_vessel_exit 20
elapsed_ms=$((($(now_ns) - t0) / 1000000))
echo "   shutdown took ${elapsed_ms}ms"
check "service was SIGKILLed after stop_grace" grep -q 'stubborn: did not stop within 1000ms; sending SIGKILL' "$T/vessel.log"
check "orphan was SIGKILLed at the shutdown deadline" grep -q 'deadline reached with descendants left' "$T/vessel.log"
# A lower bound only: vessel must have waited for the orphan, not abandoned it.
check "vessel waited at least until the deadline (${elapsed_ms}ms >= 2900ms)" test "$elapsed_ms" -ge 2900
check "vessel still exited 0 (the shutdown was requested)" test "$VESSEL_RC" = 0
