#!/bin/bash
# PID-1 test (issue 9 regression): the health port is up during boot
# scripts. A user_data `#!` part that runs for a while must not leave the
# node dark: /healthz answers 200 and /readyz 503 naming "running boot
# scripts" while it runs; once it ends the role's service starts and /readyz
# turns 200. Before the fix the health server was stopped between the
# config wait and the supervisor, so /healthz failed for the whole script.
# shellcheck source=tests/pid1/lib_run.sh
. "$(dirname "$0")/lib_run.sh" "$@"

mkdir -p "$T/roles"
: >"$T/hosts"
: >"$T/vessel.log"
cat >"$T/roles/worker.yaml" <<'YAML'
role: worker
services:
  - name: s
    argv: [sleep, "1000"]
YAML
# A two-part MIME user_data: the vessel config and a boot script that lasts
# until the test removes its gate file (so no fixed sleep decides the test).
cat >"$T/user_data" <<EOF
Content-Type: multipart/mixed; boundary="XX"
MIME-Version: 1.0

--XX
Content-Type: text/plain

vessel:
  cluster_id: t1
  role: worker
  master: 127.0.0.1
  data_dir: $T/data
--XX
Content-Type: text/x-shellscript

#!/bin/sh
touch $T/script-started
while [ -e $T/gate ]; do sleep 0.1; done
--XX--
EOF
echo '{"uuid": "i-boot-health"}' >"$T/meta_data"
touch "$T/gate"

HEALTH_PORT=$(free_port)
unshare --pid --fork --mount-proc "$VESSEL" run --source file --user-data "$T/user_data" \
  --meta-data "$T/meta_data" --roles-dir "$T/roles" --hadoop-conf-dir "$T/hadoop" \
  --spark-conf-dir "$T/spark" --hosts-file "$T/hosts" --state-dir "$T/state" --no-cluster-sync \
  --health-addr "127.0.0.1:$HEALTH_PORT" >>"$T/vessel.log" 2>&1 &
UNSHARE_PID=$!
wait_until 5 "vessel started as PID 1" _find_vessel
wait_until 10 "the boot script runs" test -e "$T/script-started"
_booting() { [ "$(http_code /readyz)" = 503 ] && grep -qF "running boot scripts" <<<"$(http_body /readyz)"; }
check "/healthz answers 200 while the boot script runs" _healthz_up
wait_until 5 "/readyz is 503 naming the boot scripts while they run" _booting
check "the service has not started yet" test -z "$(svc s pid)"
rm -f "$T/gate"
_ready() { [ "$(http_code /readyz)" = 200 ]; }
wait_until 10 "/readyz turns 200 once the script ended and the service started" _ready
check "the service runs" svc_is s state READY
signal_vessel TERM
wait_vessel_exit 10
check "clean exit" test "$VESSEL_RC" = 0
