#!/bin/bash
# PID-1 test: cloud mode (`--source openstack`) against a metadata service
# that fails in the ways real ones do. For each fault vessel stays up, /healthz
# answers, /readyz is 503 naming "waiting for configuration", and once the
# fault ends vessel proceeds without a restart: the role's service becomes
# READY and /readyz 200. Also: SIGTERM while waiting exits 0; a wrong config
# (bad vessel.cluster_id) exits 2 naming the field. No Spark needed: the role
# is a trivial one written here. --metadata-timeout/--metadata-retries keep
# each failed load to a few seconds.
# shellcheck source=tests/pid1/lib_run.sh
. "$(dirname "$0")/lib_run.sh" "$@"

MD_SERVER="$(dirname "$(readlink -f "$0")")/helpers/md_server.py"
MD_PID=""
MD_PORT=""
MD="$T/md"
mkdir -p "$T/roles" "$MD"
: >"$T/hosts"
: >"$T/vessel.log"
cat >"$T/roles/worker.yaml" <<'YAML'
role: worker
services:
  - name: s
    argv: [sleep, "1000"]
YAML
good_user_data() {
  printf '{"vessel": {"cluster_id": "t1", "role": "worker", "master": "127.0.0.1", "data_dir": "%s"}}\n' "$T/data" >"$MD/user_data"
}

_stop_md() {
  if [ -n "$MD_PID" ] && kill -0 "$MD_PID" 2>/dev/null; then kill "$MD_PID" 2>/dev/null; wait "$MD_PID" 2>/dev/null; fi
  MD_PID=""
}
# lib_run.sh's _cleanup reads the exit status: keep it across _stop_md.
_cleanup_all() {
  local rc=$?
  _stop_md
  (exit "$rc")
  _cleanup
}
trap _cleanup_all EXIT

# set_mode ok|500|garbage|hang: what the metadata server does from now on.
set_mode() { echo "$1" >"$MD/mode.new" && mv "$MD/mode.new" "$MD/mode"; }

_md_up() { curl -s -o /dev/null -m 1 "http://127.0.0.1:$MD_PORT/openstack"; }
start_md() {
  python3 "$MD_SERVER" "$MD_PORT" "$MD" 2>>"$T/md.log" &
  MD_PID=$!
  # The probe is itself a request: the request log is reset after it.
  wait_until 5 "metadata server listens on $MD_PORT" _md_up
  : >"$MD/requests"
}

# spawn_cloud [TIMEOUT_S]: vessel as PID 1 in cloud mode against MD_PORT.
spawn_cloud() {
  HEALTH_PORT=$(free_port)
  LOG_FROM=$(($(wc -l <"$T/vessel.log") + 1))
  unshare --pid --fork --mount-proc "$VESSEL" run --source openstack \
    --metadata-url "http://127.0.0.1:$MD_PORT" --metadata-timeout "${1:-1}" --metadata-retries 1 \
    --roles-dir "$T/roles" --hadoop-conf-dir "$T/hadoop" --spark-conf-dir "$T/spark" \
    --hosts-file "$T/hosts" --state-dir "$T/state" --no-cluster-sync \
    --health-addr "127.0.0.1:$HEALTH_PORT" >>"$T/vessel.log" 2>&1 &
  UNSHARE_PID=$!
}
# launch_cloud [TIMEOUT_S]: spawn_cloud, then find vessel's host pid.
launch_cloud() {
  spawn_cloud "$@"
  wait_until 5 "vessel started as PID 1" _find_vessel
}

# This case's part of vessel's log.
case_log() { tail -n +"$LOG_FROM" "$T/vessel.log"; }
readyz_has() { [ "$(http_code /readyz)" = 503 ] && grep -qF -- "$1" <<<"$(http_body /readyz)"; }
_ready() { [ "$(http_code /readyz)" = 200 ]; }
alive() { kill -0 "$VESSEL_PID" 2>/dev/null; }

# expect_waiting REASON: the checks every fault shares while it lasts.
expect_waiting() {
  wait_until 10 "/healthz answers while the source fails" _healthz_up
  wait_until 15 "/readyz is 503 naming the failure: $1" readyz_has "$1"
  check "/readyz says 'waiting for configuration'" readyz_has "agent: waiting for configuration: "
  check "vessel is still running" alive
  check "no service was started yet" test "$(status_json | jq '.services|length')" = 0
}

# expect_recovered: the fault has ended; vessel proceeds on its own.
expect_recovered() {
  wait_until 20 "service s becomes READY" svc_is s state READY
  wait_until 5 "/readyz is 200" _ready
  check "the service runs as a child of vessel (pid in its namespace)" test "$(svc s pid)" -gt 1
}

stop_vessel() {
  signal_vessel TERM
  wait_vessel_exit 15
  check "vessel exited 0 after SIGTERM" test "$VESSEL_RC" = 0
}

good_user_data
MD_PORT=$(free_port)

echo "== a. metadata service down, then started =="
launch_cloud
expect_waiting "openstack: "
start_md
expect_recovered
check "the absolute data_dir was accepted (rendered into hdfs-site.xml)" file_has "$T/hadoop/hdfs-site.xml" "$T/data/"
check "the source is openstack" test "$(status_json | jq -r .source)" = openstack
stop_vessel

echo "== b. metadata service answers 500, then recovers =="
set_mode 500
launch_cloud
expect_waiting "HTTP 500"
wait_until 10 "vessel retried (>= 3 requests seen by the server)" bash -c '[ "$(wc -l <"$1")" -ge 3 ]' _ "$MD/requests"
set_mode ok
expect_recovered
stop_vessel

echo "== c. garbage meta_data.json, then fixed =="
set_mode garbage
launch_cloud
expect_waiting "meta_data.json"
set_mode ok
expect_recovered
stop_vessel

echo "== d. a server that accepts and never answers =="
set_mode hang
: >"$MD/requests"
# 4 s per request: the first load hangs ~9 s, so the probes below land
# while vessel is blocked inside it.
launch_cloud 4
wait_until 10 "vessel's first request reached the hanging server" test -s "$MD/requests"
# Prompt = curl's own 2 s limit: a probe that blocks behind the source fails.
probe() { [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$HEALTH_PORT$1")" = "$2" ]; }
for i in 1 2 3; do
  check "probe $i: /healthz 200 within 2 s while the source hangs" probe /healthz 200
  check "probe $i: /readyz 503 within 2 s while the source hangs" probe /readyz 503
done
check "/readyz says 'waiting for configuration'" readyz_has "agent: waiting for configuration: "
check "the probes ran while the first attempt was still hanging (no attempt failed yet)" \
  bash -c '! grep -q "config: attempt 1:" <<<"$1"' _ "$(case_log)"
set_mode ok
expect_recovered
stop_vessel
_stop_md

echo "== SIGTERM while waiting for configuration =="
MD_PORT=$(free_port)  # nothing listens here
launch_cloud
expect_waiting "openstack: "
signal_vessel TERM
wait_vessel_exit 10
check "vessel exited 0 after SIGTERM while waiting" test "$VESSEL_RC" = 0
check "vessel logged why it stopped waiting" grep -q "while waiting for configuration; exiting" <<<"$(case_log)"

echo "== a wrong configuration exits 2 =="
printf '{"vessel": {"cluster_id": "../x", "role": "worker", "master": "127.0.0.1"}}\n' >"$MD/user_data"
set_mode ok
start_md
spawn_cloud  # not launch_cloud: vessel may be gone before it could be found
wait_vessel_exit 15
check "vessel exited 2 on a bad cluster_id" test "$VESSEL_RC" = 2
check "the error names vessel.cluster_id" grep -q "config: .*vessel\.cluster_id" <<<"$(case_log)"
check "vessel never reached the supervisor (no 'role worker' start line)" bash -c '! grep -q "as pid 1: role" <<<"$1"' _ "$(case_log)"
