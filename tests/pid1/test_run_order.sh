#!/bin/bash
# PID-1 test 7: dependency order. B depends_on A; A is READY only once its
# port accepts connections (A's shell holds off listening until the test
# creates a go-file, so the "A still starting" window is as long as the test
# needs, even on a loaded machine), and B must not start before that. Shutdown runs in reverse: B stops before A.
. "$(dirname "$0")/lib_run.sh" "$@"

A_PORT=$(free_port)
cat >"$T/order.yaml" <<YAML
supervisor: {shutdown_deadline: 15s}
services:
  - name: b
    depends_on: [a]
    argv:
      - sh
      - -c
      - |
        date +%s%N > $T/b_start
        # Whether A's port accepted a connection at the moment B started.
        python3 -c 'import socket; socket.create_connection(("127.0.0.1", $A_PORT), 1)' && echo open > $T/b_saw_a
        # Slow to stop: if vessel signalled a and b together, a would log first.
        trap 'sleep 0.5; echo b >> $T/stoplog; exit 0' TERM
        sleep 1000 & wait
  - name: a
    argv:
      - sh
      - -c
      - |
        trap 'echo a >> $T/stoplog; exit 0' TERM
        until [ -e $T/a_go ]; do sleep 0.05; done
        # A real HTTP server; it stamps the time right after listen() returned.
        python3 -c 'import http.server, time
        srv = http.server.HTTPServer(("127.0.0.1", $A_PORT), http.server.SimpleHTTPRequestHandler)
        open("$T/a_open", "w").write(str(time.time_ns()))
        srv.serve_forever()' >/dev/null 2>&1 &
        wait
    readiness: {tcp: "127.0.0.1:$A_PORT", interval: 100ms}
    stop_grace: 5s
YAML
start_vessel "$T/order.yaml"
s=$(status_json)
echo "   first /status: a=$(jq -r '.services[]|select(.name=="a")|.state' <<<"$s") b=$(jq -r '.services[]|select(.name=="b")|.state' <<<"$s")"
check "/status lists a before b (dependency order)" test "$(jq -r '[.services[].name]|join(",")' <<<"$s")" = "a,b"
wait_until 5 "a is STARTING (waiting for its port)" svc_is a state STARTING
check "b is WAITING while a is not READY" svc_is b state WAITING
b_reason=$(svc b reason)
check "b's reason names a (got: $b_reason)" test "$b_reason" = "waiting for a"
check "b has not started" test ! -e "$T/b_start"
touch "$T/a_go"
wait_until 10 "a is READY" svc_is a state READY
wait_until 10 "b is READY" svc_is b state READY
wait_until 5 "a stamped its port-open time" file_has "$T/a_open" '^[0-9]+$'
wait_until 5 "b stamped its start time" file_has "$T/b_start" '^[0-9]+$'
a_open=$(cat "$T/a_open")
b_start=$(cat "$T/b_start")
echo "   a's port opened at $a_open, b started at $b_start (+$(((b_start - a_open) / 1000000))ms)"
check "b started after a's port opened (timestamps)" test "$b_start" -gt "$a_open"
check "a's port accepted a connection when b started" file_has "$T/b_saw_a" '^open$'

signal_vessel TERM
wait_vessel_exit 15
check "vessel exited 0" test "$VESSEL_RC" = 0
check "both services ran their TERM handlers" test "$(wc -l <"$T/stoplog")" = 2
check "shutdown order was b, then a" test "$(tr '\n' ' ' <"$T/stoplog")" = "b a "
