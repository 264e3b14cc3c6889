#!/bin/bash
# PID-1 test 8: the health port and `vessel status` while services run:
# /healthz, /readyz (503 while starting, then 200), /status fields, /metrics
# names, `vessel status` exit codes 1 -> 0 -> 2; SIGHUP reload restarts only
# the changed service; SIGUSR1 reaches only services that list it; a service's
# environment does not inherit vessel's (no VESSEL_TOKEN).
. "$(dirname "$0")/lib_run.sh" "$@"

WEB_PORT=$(free_port)
TOKEN="tok-$RANDOM$RANDOM-secret"
write_services() {  # $1: the value of envdump's FOO
  cat >"$T/services.yaml.new" <<YAML
supervisor: {shutdown_deadline: 10s}
services:
  - name: web
    # Listens only once the test creates web_go: STARTING lasts as long as needed.
    argv: [sh, -c, 'until [ -e $T/web_go ]; do sleep 0.05; done; exec python3 -m http.server $WEB_PORT --bind 127.0.0.1']
    readiness: {tcp: "127.0.0.1:$WEB_PORT", interval: 100ms}
    forward_signals: []   # the default (USR1, USR2) would kill python
  - name: usr
    argv: [sh, -c, 'trap "echo usr1 >> $T/usr1" USR1; echo up > $T/usr_up; while :; do sleep 0.1; done']
    forward_signals: [USR1]
  - name: quiet
    # USR1's default action kills sleep: it must not receive one.
    argv: [sleep, "1000"]
    forward_signals: [USR2]
  - name: envdump
    argv: [sh, -c, 'env > $T/env.\$\$; ln -sf $T/env.\$\$ $T/env; exec sleep 1000']
    env: {FOO: "$1"}
    forward_signals: []
  - name: orphaner
    # Leaves a grandchild that vessel adopts and reaps as a zombie.
    argv: [sh, -c, '(sleep 0.3 &); exec sleep 1000']
    forward_signals: []
YAML
  mv "$T/services.yaml.new" "$T/services.yaml"
}
write_services bar
start_vessel "$T/services.yaml" "VESSEL_TOKEN=$TOKEN"
status_cmd() { "$VESSEL" status --addr "127.0.0.1:$HEALTH_PORT" >/dev/null 2>&1; echo $?; }

echo "== while web is starting =="
check "/healthz is 200" test "$(http_code /healthz)" = 200
wait_until 10 "web is STARTING (not listening yet)" svc_is web state STARTING
check "/readyz is 503 while web is STARTING" test "$(http_code /readyz)" = 503
check "/readyz names web" bash -c 'grep -q "^web: STARTING" <<<"$1"' _ "$(http_body /readyz)"
check "vessel status exits 1 (not ready)" test "$(status_cmd)" = 1
check "/status ready is false" test "$(status_json | jq -r .ready)" = false
touch "$T/web_go"

echo "== once everything is ready =="
wait_until 10 "/readyz is 200" bash -c '[ "$(curl -s -o /dev/null -m 3 -w "%{http_code}" "http://127.0.0.1:$1/readyz")" = 200 ]' _ "$HEALTH_PORT"
check "vessel status exits 0 (ready)" test "$(status_cmd)" = 0
s=$(status_json)
check "/status ready is true" test "$(jq -r .ready <<<"$s")" = true
check "/status source is services-file" test "$(jq -r .source <<<"$s")" = services-file
check "/status has node, version, uptime_s, zombies_reaped" \
  json_ok '(.node|type=="string") and (.version|length>0) and (.uptime_s|type=="number") and (.zombies_reaped|type=="number")' <<<"$s"
check "/status lists 5 services, all READY with a pid" \
  json_ok '(.services|length)==5 and all(.services[]; .state=="READY" and .ready and .pid>0 and .restarts==0)' <<<"$s"
check "/status service fields present" \
  json_ok '.services[0] | has("name","state","pid","restarts","ready","critical","last_exit_code","last_signal","since_unix_ms","uptime_s","reason")' <<<"$s"
check "vessel status --json prints the same document" \
  bash -c '"$1" status --addr "127.0.0.1:$2" --json | jq -e ".services|length==5" >/dev/null' _ "$VESSEL" "$HEALTH_PORT"
check "the token is nowhere in /status" bash -c '! grep -qF "$1" <<<"$2"' _ "$TOKEN" "$s"

wait_until 10 "an adopted orphan was reaped (vessel_zombies_reaped_total >= 1)" bash -c \
  'curl -s -m 3 "http://127.0.0.1:$1/metrics" | grep -Eq "^vessel_zombies_reaped_total [1-9]"' _ "$HEALTH_PORT"
m=$(http_body /metrics)
for line in 'vessel_up\{service="web",state="READY"\} 1' 'vessel_restarts_total\{service="web"\} 0' \
  'vessel_agent_rss_bytes [1-9][0-9]+' '# TYPE vessel_zombies_reaped_total counter' 'vessel_ready 1'; do
  check "/metrics has /$line/" grep -Eq "^$line\$" <<<"$m"
done

echo "== service environment is clean =="
wait_until 5 "envdump wrote its environment" file_has "$T/env" '^FOO='
check "service env has its own FOO=bar" file_has "$T/env" '^FOO=bar$'
check "service env has PATH" file_has "$T/env" '^PATH='
check "service env has no VESSEL_TOKEN" bash -c '! grep -q VESSEL_TOKEN "$1"' _ "$T/env"
check "service env does not contain the token value" bash -c '! grep -qF "$1" "$2"' _ "$TOKEN" "$T/env"

echo "== SIGUSR1 is forwarded only to services that list it =="
wait_until 5 "usr installed its USR1 trap" test -s "$T/usr_up"
declare -A before
for n in web usr quiet envdump orphaner; do before[$n]=$(svc $n pid); done
signal_vessel USR1
wait_until 5 "usr received SIGUSR1" file_has "$T/usr1" '^usr1$'
# USR1's default action would kill every other service (sleep, python, sh),
# so an unchanged pid, state and restart count shows none got it. The pause
# gives a wrongly signalled service time to die and be reaped.
sleep 0.5
s=$(status_json)
for n in web quiet envdump orphaner; do
  check "$n (USR1 not listed) kept pid ${before[$n]}, READY, 0 restarts" \
    test "$(jq -r --arg n $n '.services[]|select(.name==$n)|"\(.pid) \(.state) \(.restarts)"' <<<"$s")" = "${before[$n]} READY 0"
done

echo "== SIGHUP reloads; only the changed service restarts =="
write_services baz
signal_vessel HUP
wait_until 10 "envdump restarted with a new pid" bash -c \
  'p=$(curl -s -m 3 "http://127.0.0.1:$1/status" | jq -r ".services[]|select(.name==\"envdump\" and .state==\"READY\")|.pid"); [ -n "$p" ] && [ "$p" != "$2" ]' \
  _ "$HEALTH_PORT" "${before[envdump]}"
wait_until 5 "envdump runs with the new env (FOO=baz)" file_has "$T/env" '^FOO=baz$'
for n in web usr quiet orphaner; do
  check "$n kept pid ${before[$n]}" svc_is $n pid "${before[$n]}"
done
check "a reload is not a crash: envdump restarts stays 0" svc_is envdump restarts 0

echo "== after vessel is gone =="
signal_vessel TERM
wait_vessel_exit 15
check "vessel exited 0" test "$VESSEL_RC" = 0
check "vessel status exits 2 (unreachable)" test "$(status_cmd)" = 2
check "the token never appeared in vessel's log" bash -c '! grep -qF "$1" "$2"' _ "$TOKEN" "$T/vessel.log"
