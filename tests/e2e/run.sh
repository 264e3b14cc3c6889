#!/usr/bin/env bash
# End-to-end: the real vessel-spark image, real HDFS and a real Spark job.
#
#  1. 1 master + 2 workers on a container network. The master and worker-1
#     get user_data from a NoCloud seed; worker-2 from an OpenStack metadata
#     service running as one more container on the network.
#  2. Ready = DFSAdmin reports 2 live DataNodes, the Spark master shows 2
#     ALIVE workers, `vessel status` exits 0 on every node, and every node's
#     /etc/hosts lists all 3 nodes.
#  3. A known file goes into HDFS; a word count runs on the cluster reading
#     hdfs:// and writing back; the counts must match exactly.
#  4. `stop` every node: each exits 0 within its grace, log shows the
#     ordered shutdown.
#  5. Start them again on the same volumes: no second format, same checksum,
#     ready again.
#  6. A third worker joins while the cluster runs: in every /etc/hosts within
#     seconds, Spark shows 3 workers.
#  7. The DataNode JVM of a worker is killed: vessel restarts it, /readyz goes
#     503 then 200, HDFS shows it live again.
# Everything is removed at exit, also on failure. Prints the time it took.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lib/containers.sh
source tests/lib/containers.sh
# shellcheck source=tests/lib/cluster.sh
source tests/lib/cluster.sh

CL_LOG_TAG=e2e
CL_T0=$SECONDS
CL_PUBLISH=()
RUN=vessel-e2e-$$-$RANDOM
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$RUN.XXXX")
cl_init "$RUN" "$WORK"
CL_CLUSTER_ID=e2e-$RANDOM

cleanup() {
  local rc=$?
  if ((rc != 0)); then
    for c in $(ce ps -a --format '{{.Names}}' | grep "^$RUN-" || true); do
      echo "----- last log lines of $c -----" >&2
      ce logs --tail 40 "$c" >&2 2>&1 || true
    done
  fi
  cl_down
  rm -rf "$WORK"
  log "cleaned up $RUN (exit $rc) after $((SECONDS - CL_T0))s"
}
trap cleanup EXIT

check() { log "check: $*"; }

# ---- images -----------------------------------------------------------------
log "building images"
dockerfiles/build-image.sh --tag "$CL_IMAGE"
base=$(ensure_base_image)
ce build -q --build-arg "BASE_IMAGE=$base" -t localhost/vessel-metadata:dev tests/e2e/metadata >/dev/null

# ---- 1. bring-up ------------------------------------------------------------
cl_network_up
cl_seed "$CL_MASTER"
cl_seed worker-1
# worker-2's data comes from the metadata service: meta_data.json names the
# node and its role (Heat's server metadata), user_data is the same config.
md=$WORK/metadata/openstack/latest
mkdir -p "$md" "$WORK/metadata/openstack/2018-08-27"
cat >"$md/meta_data.json" <<EOF
{"uuid": "$RUN-worker-2", "hostname": "worker-2", "name": "worker-2", "meta": {"role": "worker"}}
EOF
cl_user_data >"$md/user_data"
cp "$md/meta_data.json" "$md/user_data" "$WORK/metadata/openstack/2018-08-27/"
ce run -d --name "$RUN-metadata" --hostname metadata --network "$CL_NET" --ip "$CL_SUBNET_BASE.5" \
  -v "$WORK/metadata:/srv/metadata:ro" localhost/vessel-metadata:dev >/dev/null

cl_start "$CL_MASTER" "$CL_MASTER_IP"
cl_start worker-1 "$CL_SUBNET_BASE.11"
cl_start worker-2 "$CL_SUBNET_BASE.12" --source openstack --metadata-url "http://$CL_SUBNET_BASE.5"

# ---- 2. ready ---------------------------------------------------------------
nodes=("$CL_MASTER" worker-1 worker-2)
t_ready=$SECONDS
cl_wait 420 "cluster ready (2 DataNodes, 2 Spark workers, vessel status 0, hosts synced)" cl_ready "${nodes[@]}"
log "bring-up took $((SECONDS - t_ready))s"
check "worker-2 used the OpenStack metadata source"
[[ $(cl_agent_field worker-2 source) == openstack ]] || die "worker-2 source is not openstack"
md_log=$(ce logs "$RUN-metadata" 2>&1)
grep -q 'GET /openstack/.*/user_data' <<<"$md_log" || die "metadata service saw no user_data request"
check "master and worker-1 used NoCloud"
[[ $(cl_agent_field "$CL_MASTER" source) == nocloud ]] || die "master source is not nocloud"
[[ $(cl_agent_field worker-1 source) == nocloud ]] || die "worker-1 source is not nocloud"
check "the token is not in /status"
# (Captured first: `producer | grep -q` under pipefail turns an early match
# into SIGPIPE, i.e. a check that could never fail.)
status_json=$(cl_exec "$CL_MASTER" curl -fsS http://127.0.0.1:8099/status)
grep -q '"services"' <<<"$status_json" || die "/status answered no services"
if grep -qF "$CL_TOKEN" <<<"$status_json"; then die "token leaked in /status"; fi
master_log=$(ce logs "$RUN-$CL_MASTER" 2>&1)
if grep -qF "$CL_TOKEN" <<<"$master_log"; then die "token leaked in the master's log"; fi

# ---- 3. a real job ----------------------------------------------------------
input=$WORK/words.txt
: >"$input"
for i in $(seq 1 300); do
  echo "alpha beta gamma alpha" >>"$input"
  if ((i % 3 == 0)); then echo "delta alpha" >>"$input"; fi
done
expected=$WORK/expected.txt
printf 'alpha\t700\nbeta\t300\ndelta\t100\ngamma\t300\n' >"$expected"
got=$WORK/got.txt
t_job=$SECONDS
cl_wordcount "$CL_MASTER" "$input" "$got"
log "word count took $((SECONDS - t_job))s"
check "word counts are exact"
diff -u "$expected" "$got" || die "word count differs"
sum_before=$(cl_hdfs "$CL_MASTER" org.apache.hadoop.fs.FsShell -cat /wc/input.txt | sha256sum)

# ---- 4. stop ----------------------------------------------------------------
for node in worker-2 worker-1 "$CL_MASTER"; do
  t_stop=$SECONDS
  ce stop -t 90 "$RUN-$node" >/dev/null
  took=$((SECONDS - t_stop))
  code=$(ce inspect -f '{{.State.ExitCode}}' "$RUN-$node")
  check "$node stopped in ${took}s with exit code $code"
  [[ $code == 0 ]] || die "$node exited $code"
  ((took < 90)) || die "$node needed the SIGKILL deadline"
  logs=$(ce logs "$RUN-$node" 2>&1)
  grep -q 'shutdown: stopping services in reverse dependency order' <<<"$logs" || die "$node: no ordered shutdown in log"
  grep -q 'shutdown complete' <<<"$logs" || die "$node: shutdown did not complete"
done

# ---- 5. restart on the same volumes -----------------------------------------
for node in "${nodes[@]}"; do ce start "$RUN-$node" >/dev/null; done
cl_wait 420 "cluster ready again after restart" cl_ready "${nodes[@]}"
check "the NameNode was not formatted again"
master_log=$(ce logs "$RUN-$CL_MASTER" 2>&1)
formats=$(grep -c 'pre_start guard hdfs-format: run' <<<"$master_log" || true)
[[ $formats == 1 ]] || die "format ran $formats times"
master_log=$(ce logs "$RUN-$CL_MASTER" 2>&1)
grep -q 'pre_start guard hdfs-format: skip' <<<"$master_log" || die "no format skip after restart"
check "the file's checksum is unchanged"
sum_after=$(cl_hdfs "$CL_MASTER" org.apache.hadoop.fs.FsShell -cat /wc/input.txt | sha256sum)
[[ $sum_before == "$sum_after" ]] || die "checksum changed: $sum_before vs $sum_after"

# ---- 6. a worker joins ------------------------------------------------------
cl_seed worker-3
t_join=$SECONDS
cl_start worker-3 "$CL_SUBNET_BASE.13"
nodes+=(worker-3)
joined() {
  local n
  for n in "${nodes[@]}"; do cl_hosts_has_all "$n" worker-3 || return 1; done
}
cl_wait 60 "worker-3 in every node's /etc/hosts" joined
log "worker-3 in every /etc/hosts $((SECONDS - t_join))s after its container started"
three_workers() { [[ $(cl_alive_spark_workers) == 3 ]]; }
cl_wait 300 "Spark shows 3 ALIVE workers" three_workers

# ---- 7. DataNode killed -----------------------------------------------------
readyz() { cl_exec worker-1 curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8099/readyz; }
restarts_before=$(cl_service_field worker-1 datanode restarts)
cl_exec worker-1 pkill -KILL -f 'org.apache.hadoop.hdfs.server.datanode.DataNode'
saw503() { [[ $(readyz) == 503 ]]; }
cl_wait 20 "/readyz on worker-1 goes 503" saw503
back200() { [[ $(readyz) == 200 ]]; }
cl_wait 180 "/readyz on worker-1 back to 200" back200
check "vessel counted the restart"
cl_exec worker-1 vessel status
restarted() { (( $(cl_service_field worker-1 datanode restarts) == restarts_before + 1 )); }
restarted || die "datanode restart not counted"
live3() { [[ $(cl_live_datanodes) == 3 ]]; }
cl_wait 180 "HDFS shows 3 live DataNodes again" live3

log "PASS: end-to-end in $((SECONDS - CL_T0))s"
