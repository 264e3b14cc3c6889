#!/usr/bin/env bash
# Drain benchmark (issue 10): how long `vessel drain` takes against the data
# on the drained worker. For each size S (MB): a fresh cluster (master + 3
# workers, replication 2), S MB of random data written to HDFS, then
# `vessel drain` on worker w3, timed until the NameNode says Decommissioned
# (the HDFS part) and until the container has exited after leaving (all of
# it). Prints one Markdown table row per size; nothing is asserted (these
# machines are noisy): the numbers go to docs/benchmarks.md.
#
#   tests/bench/drain.sh [--sizes "100 1000"] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lib/containers.sh
source tests/lib/containers.sh
# shellcheck source=tests/lib/cluster.sh
source tests/lib/cluster.sh

sizes="100 1000" build=1
while (($#)); do
  case $1 in
    --sizes) sizes=${2:?}; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/drain: unknown argument $1" >&2; exit 2 ;;
  esac
done
CL_LOG_TAG=bench-drain
CL_T0=$SECONDS
CL_PUBLISH=()
trap '[[ -z ${CL_PREFIX:-} ]] || cl_down' EXIT
((build == 0)) || dockerfiles/build-image.sh >&2

bench_user_data() {
  cl_user_data | sed 's/^  hdfs:$/  hdfs:\n    replication: 2/'
}

# The drained node's DFS bytes, from the NameNode's LiveNodes.
node_used_mb() {
  cl_exec "$CL_MASTER" curl -fsS 'http://127.0.0.1:9870/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo' |
    python3 -c '
import json, sys
live = json.loads(json.load(sys.stdin)["beans"][0]["LiveNodes"])
print(next(v["used"] for k, v in live.items() if k.split(":")[0].split(".")[0] == sys.argv[1]) >> 20)' "$1"
}

member_state() {
  cl_exec "$CL_MASTER" curl -fsS "http://127.0.0.1:8099/v1/cluster/members/$1/drain" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("state",""))'
}

one_size() {
  local mb=$1 run=vessel-bdrain-$$-$RANDOM
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/$run.XXXX")
  CL_TOKEN="" CL_SUBNET_BASE=""
  cl_init "$run" "$work"
  trap 'cl_down; rm -rf "$work"' RETURN
  cl_network_up
  local n=0 node
  for node in "$CL_MASTER" w1 w2 w3; do
    cl_seed "$node" bench_user_data
    cl_start "$node" "$CL_SUBNET_BASE.$((10 + n))"
    n=$((n + 1))
  done
  cl_wait 300 "cluster ready" cl_ready "$CL_MASTER" w1 w2 w3 || return 1
  log "writing $mb MB (files of up to 256 MB)"
  local left=$mb i=0 chunk
  cl_hdfs "$CL_MASTER" org.apache.hadoop.fs.FsShell -mkdir -p /bench
  while ((left > 0)); do
    chunk=$((left > 256 ? 256 : left))
    cl_exec "$CL_MASTER" sh -c "head -c ${chunk}M /dev/urandom > /tmp/chunk"
    cl_hdfs "$CL_MASTER" org.apache.hadoop.fs.FsShell -put -f /tmp/chunk "/bench/f$i"
    left=$((left - chunk)) i=$((i + 1))
  done
  cl_exec "$CL_MASTER" rm -f /tmp/chunk
  local used
  used=$(node_used_mb w3)
  log "w3 holds $used MB; draining"
  local t0=$SECONDS t_hdfs="" t_all=""
  cl_exec w3 vessel drain --timeout 30m >"$work/drain.log" 2>&1 &
  while [[ -z $t_all ]] && ((SECONDS - t0 < 1800)); do
    if [[ -z $t_hdfs && $(member_state w3 2>/dev/null) =~ ^(decommissioned|left)$ ]]; then t_hdfs=$((SECONDS - t0)); fi
    if [[ $(ce inspect -f '{{.State.Status}}' "$CL_PREFIX-w3") == exited ]]; then t_all=$((SECONDS - t0)); fi
    sleep 1
  done
  wait || true
  local code
  code=$(ce inspect -f '{{.State.ExitCode}}' "$CL_PREFIX-w3")
  printf '| %s MB | %s MB | %s s | %s s | %s |\n' "$mb" "$used" "${t_hdfs:-?}" "${t_all:-?}" "$code"
}

echo "| data written (replication 2) | on the drained worker | to Decommissioned | to left and exited | exit code |"
echo "|---|---|---|---|---|"
for s in $sizes; do one_size "$s"; done
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
