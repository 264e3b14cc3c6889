#!/usr/bin/env bash
# The README's first command: on a fresh machine, installs what is missing,
# builds the vessel-spark image, brings up a master and two workers on a
# container network, and runs a word count through HDFS and Spark.
#
#   scripts/demo.sh          up + job (default); leaves the cluster running
#   scripts/demo.sh down     removes the demo cluster (containers, volumes, network)
#   scripts/demo.sh status   `vessel status` of every node
# Works with podman (default) and docker (CONTAINER_ENGINE=docker).
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-up}

scripts/install-deps.sh
# shellcheck source=tests/lib/containers.sh
source tests/lib/containers.sh
# shellcheck source=tests/lib/cluster.sh
source tests/lib/cluster.sh

CL_LOG_TAG=demo
CL_T0=$SECONDS
STATE=${XDG_CACHE_HOME:-$HOME/.cache}/vessel/demo
mkdir -p "$STATE"
NODES=("$CL_MASTER" worker-1 worker-2)

load_state() {
  [[ -f $STATE/env ]] || { echo "no demo cluster is running (scripts/demo.sh)"; exit 1; }
  # shellcheck disable=SC1091
  source "$STATE/env"
  CL_NET=$CL_PREFIX-net
}

status_all() {
  local node
  for node in "${NODES[@]}"; do
    echo "--- $node"
    cl_exec "$node" vessel status || true
  done
}

case $cmd in
  down)
    load_state
    cl_down
    rm -rf "$STATE"
    log "demo cluster removed"
    exit 0
    ;;
  status)
    load_state
    status_all
    exit 0
    ;;
  up) ;;
  *) echo "usage: scripts/demo.sh [up|down|status]" >&2; exit 2 ;;
esac

if [[ -f $STATE/env ]]; then
  load_state
  log "removing the previous demo cluster $CL_PREFIX"
  cl_down
fi
cl_init vessel-demo "$STATE/work"
printf 'CL_PREFIX=%q\nCL_WORK=%q\n' "$CL_PREFIX" "$CL_WORK" >"$STATE/env"

log "phase 1/4: image (the first run downloads Spark and Hadoop, several hundred MB)"
dockerfiles/build-image.sh --tag "$CL_IMAGE"

log "phase 2/4: cluster up (1 master + 2 workers)"
cl_network_up
for node in "${NODES[@]}"; do cl_seed "$node"; done
CL_PUBLISH=(-p 127.0.0.1:8080:8080 -p 127.0.0.1:9870:9870 -p 127.0.0.1:8099:8099)
cl_start "$CL_MASTER" "$CL_MASTER_IP"
CL_PUBLISH=()
cl_start worker-1 "$CL_SUBNET_BASE.11"
cl_start worker-2 "$CL_SUBNET_BASE.12"
cl_wait 420 "cluster ready" cl_ready "${NODES[@]}"

log "phase 3/4: word count on the cluster (HDFS in, Spark, HDFS out)"
input=$STATE/work/words.txt
cp README.md "$input"
cl_wordcount "$CL_MASTER" "$input" "$STATE/work/result.txt"

log "phase 4/4: results"
echo
echo "Top 15 words of README.md, counted by Spark on the cluster:"
sort -t$'\t' -k2,2nr "$STATE/work/result.txt" | head -15 | column -t
echo
echo "UIs:  Spark master http://127.0.0.1:8080   NameNode http://127.0.0.1:9870   vessel http://127.0.0.1:8099/status"
echo
status_all
echo
echo "Done in $((SECONDS - CL_T0))s. Tear down with: scripts/demo.sh down"
