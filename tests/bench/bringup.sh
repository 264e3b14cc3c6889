#!/usr/bin/env bash
# Cluster bring-up time: vessel-spark as shipped vs "the floor" (the same
# JVMs started by a bash script, no vessel), same image, same network.
#
#   tests/bench/bringup.sh                 full run: sizes 1 2 4, 3 reps each;
#                                          writes tests/bench/out/bringup/ (raw),
#                                          docs/bench-bringup.md and .png
#   --sizes "1 2"                          worker counts to measure
#   --reps N                               repetitions per size and mode (3)
#   --reps-largest N                       repetitions for the largest size only
#   --smoke                                1 worker, 1 rep; writes only out/
#   --report-only                          regenerate the report from out/
#   --quiet-wait S                         wait up to S s (default 1200) until no
#                                          vessel-e2e-* containers run, then start
#   --timeout S                            give up on one bring-up after S s (300)
# Also run by `tests/bench/run.sh --bringup` (with its --smoke/--report-only).
# Run-specific notes for the report live in tests/bench/bringup_notes.md.
#
# One trial = fresh data volumes, 1 master + N workers started one `run` call
# after the other; the clock runs from just before the first `run` call until
# the cluster is ready: the NameNode counts N live DataNodes AND the Spark
# master's /json/ shows N ALIVE workers, polled every 0.5 s (see
# docs/bench-bringup.md for how, and for why DFSAdmin confirms instead of
# polling). HDFS format is part of every trial in both modes (fresh volume).
# Modes alternate inside each round and sizes are interleaved, so drift on
# the shared machine hits both alike. Numbers are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# shellcheck source=tests/lib/containers.sh
source tests/lib/containers.sh
# shellcheck source=tests/lib/cluster.sh
source tests/lib/cluster.sh

SIZES=(1 2 4)
REPS=3
REPS_LARGEST=
SMOKE=0
REPORT_ONLY=0
QUIET_WAIT=1200
TRIAL_TIMEOUT=300
while [[ $# -gt 0 ]]; do
  case $1 in
    --sizes) read -ra SIZES <<<"$2"; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --reps-largest) REPS_LARGEST=$2; shift 2 ;;
    --smoke) SMOKE=1; SIZES=(1); REPS=1; shift ;;
    --report-only) REPORT_ONLY=1; shift ;;
    --quiet-wait) QUIET_WAIT=$2; shift 2 ;;
    --timeout) TRIAL_TIMEOUT=$2; shift 2 ;;
    -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "bringup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
: "${REPS_LARGEST:=$REPS}"
OUT=$ROOT/tests/bench/out/bringup
CL_LOG_TAG=bringup
CL_T0=$SECONDS
CL_CLUSTER_ID=bench-$RANDOM

report() {
  local md=$OUT/bench-bringup.md png=$OUT/bench-bringup.png
  if ((!SMOKE)); then md=$ROOT/docs/bench-bringup.md png=$ROOT/docs/bench-bringup.png; fi
  python3 "$ROOT/tests/bench/bringup_report.py" --out "$OUT" --markdown "$md" --png-name "$(basename "$png")"
  gnuplot -e "dat='$OUT/bringup.dat'; png='$png'" "$ROOT/tests/bench/bringup.gp"
  log "wrote $md and $png"
}
if ((REPORT_ONLY)); then report; exit 0; fi

RUN=vessel-bringup-$$-$RANDOM
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$RUN.XXXX")
IMAGE=
cl_init "$RUN" "$WORK"

cleanup() {
  local rc=$?
  cl_down
  if [[ -n $IMAGE ]]; then ce rmi "$IMAGE" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
  log "cleaned up $RUN (exit $rc) after $((SECONDS - CL_T0))s"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Pins the image under a run-local tag: the e2e test rebuilds :dev while we
# run, and every trial must use the same bits.
pin_image() {
  ce image exists "$CL_IMAGE" || dockerfiles/build-image.sh --tag "$CL_IMAGE"
  IMAGE=localhost/vessel-spark:$RUN
  ce tag "$CL_IMAGE" "$IMAGE"
}

foreign_running() { ce ps --format '{{.Names}}' | grep -c '^vessel-e2e-' || true; }

wait_quiet() {
  local t0=$SECONDS
  while (($(foreign_running) > 0)); do
    if ((SECONDS - t0 >= QUIET_WAIT)); then
      log "vessel-e2e-* containers still running after ${QUIET_WAIT}s; measuring anyway (recorded per trial)"
      return 0
    fi
    sleep 5
  done
  log "no vessel-e2e-* containers running (waited $((SECONDS - t0))s)"
}

record_machine() {
  local img_id
  img_id=$(ce image inspect -f '{{.Id}}' "$IMAGE")
  {
    echo "cpu: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "cores: $(nproc)"
    echo "ram: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "engine: $(ce --version)"
    echo "image: $CL_IMAGE (id ${img_id:0:12})"
    echo "vessel: $(ce run --rm "$IMAGE" --version 2>/dev/null) (repo HEAD $(git -C "$ROOT" rev-parse --short HEAD))"
    echo "java: $(ce run --rm --entrypoint java "$IMAGE" -version 2>&1 | grep -m1 -i 'openjdk')"
    echo "spark: $(ce run --rm --entrypoint cat "$IMAGE" /opt/spark/RELEASE 2>/dev/null | head -1)"
    echo "hadoop: $(ce run --rm --entrypoint cat "$IMAGE" /opt/hadoop/RELEASE 2>/dev/null | head -1)"
    echo "load before: $(uptime | sed 's/.*load average: //')"
  } >"$OUT/machine.txt"
}

node_ip() { if [[ $1 == "$CL_MASTER" ]]; then echo "$CL_MASTER_IP"; else echo "$CL_SUBNET_BASE.$((10 + ${1#worker-}))"; fi; }

# Renders every node's files once with `vessel render`, in a throwaway
# container with the node's hostname, address and seed, so self_ip and names
# match the trials. The plan's argv lines become plan.argv for the floor.
prepare_nodes() {
  local max=$1 node i dir
  local nodes=("$CL_MASTER")
  for ((i = 1; i <= max; i++)); do nodes+=("worker-$i"); done
  for node in "${nodes[@]}"; do
    cl_seed "$node"
    dir=$WORK/render/$node
    mkdir -p "$dir/files"
    ce run --rm --network "$CL_NET" --ip "$(node_ip "$node")" --hostname "$node" \
      -v "$CL_WORK/$node/seed:/var/lib/cloud/seed/nocloud:ro" -v "$dir/files:/out" \
      --entrypoint vessel "$IMAGE" render --out /out >"$dir/plan.txt" 2> >(grep -v systemd >&2)
    awk '/^  [^ ]+ as [^ ]+$/ {name = $1; user = $3; next}
         /^    argv: / {sub(/^    argv: /, ""); print name, user, $0}' "$dir/plan.txt" >"$dir/plan.argv"
    [[ $(wc -l <"$dir/plan.argv") == 2 ]] || die "$node: expected 2 services in the rendered plan: $(cat "$dir/plan.txt")"
  done
  log "rendered ${#nodes[@]} nodes"
}

# start_node MODE TRIAL NODE SIZE: one `run` call.
start_node() {
  local mode=$1 p=$2 node=$3 size=$4 ip role=worker i
  ip=$(node_ip "$node")
  [[ $node == "$CL_MASTER" ]] && role=master
  local common=(-d --name "$p-$node" --hostname "$node" --network "$CL_NET" --ip "$ip"
    --stop-timeout 90 -v "$p-$node-data:/data")
  if [[ $mode == vessel ]]; then
    ce run "${common[@]}" -v "$CL_WORK/$node/seed:/var/lib/cloud/seed/nocloud:ro" "$IMAGE" run \
      >/dev/null 2> >(grep -v systemd >&2)
  else
    local hosts=(--add-host "$CL_MASTER:$CL_MASTER_IP")
    for ((i = 1; i <= size; i++)); do hosts+=(--add-host "worker-$i:$(node_ip "worker-$i")"); done
    ce run "${common[@]}" "${hosts[@]}" -v "$WORK/render/$node:/bench/node:ro" \
      -v "$ROOT/tests/bench/floor:/bench/floor:ro" --entrypoint /bench/floor/floor.sh \
      "$IMAGE" "$role" "$CL_MASTER" "$CL_CLUSTER_ID" >/dev/null 2> >(grep -v systemd >&2)
  fi
}

# The 0.5 s poll reads the master's HTTP endpoints from the host (no JVM,
# no exec): NumLiveDataNodes is the count DFSAdmin -report prints as
# "Live datanodes (N)"; both come from the NameNode's DatanodeManager.
live_datanodes() {
  curl -fsS -m 2 "http://$CL_MASTER_IP:9870/jmx?qry=Hadoop:service=NameNode,name=FSNamesystem" 2>/dev/null |
    grep -o '"NumLiveDataNodes" *: *[0-9]*' | grep -o '[0-9]*$' || true
}
alive_workers() {
  curl -fsS -m 2 "http://$CL_MASTER_IP:8080/json/" 2>/dev/null |
    grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || true
}
dfsadmin_live() {
  ce exec -e HADOOP_USER_NAME=hdfs "$1-$CL_MASTER" java -Xmx256m -cp "$CL_HADOOP_CP" \
    org.apache.hadoop.hdfs.tools.DFSAdmin -report 2>/dev/null | sed -n 's/^Live datanodes (\([0-9]*\)).*/\1/p' || true
}

# cpu_at_ready TRIAL NODES...: "PID1_CPU ALL_CPU", CPU seconds summed over
# the nodes: PID 1 (vessel, or the floor's bash) and every process alive in
# the containers (PID 1 + JVMs; a finished format JVM is not counted). Less
# sensitive to the machine's load than wall time.
cpu_at_ready() {
  local p=$1 node tck
  shift
  tck=$(getconf CLK_TCK)
  for node in "$@"; do ce exec "$p-$node" sh -c 'cat /proc/[0-9]*/stat' 2>/dev/null || true; done |
    awk -v hz="$tck" '{pid = $1; sub(/^.*\) /, ""); t = ($12 + $13) / hz; all += t; if (pid == 1) one += t}
      END {printf "%.2f %.2f", one, all}'
}

since() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

teardown_trial() {
  local p=$1 names=() vols=() n
  for n in $(ce ps -a --format '{{.Names}}' | grep "^$p-" || true); do names+=("$n"); done
  ((${#names[@]} == 0)) || ce rm -f -t 0 "${names[@]}" >/dev/null 2>&1 || true
  for n in $(ce volume ls --format '{{.Name}}' | grep "^$p-" || true); do vols+=("$n"); done
  ((${#vols[@]} == 0)) || ce volume rm -f "${vols[@]}" >/dev/null 2>&1 || true
}

TRIAL=0
# trial MODE SIZE REP: appends one line to trials.tsv.
trial() {
  local mode=$1 size=$2 rep=$3 i node
  TRIAL=$((TRIAL + 1))
  local p=$RUN-t$TRIAL
  local nodes=("$CL_MASTER")
  for ((i = 1; i <= size; i++)); do nodes+=("worker-$i"); done
  for node in "${nodes[@]}"; do ce volume create "$p-$node-data" >/dev/null; done
  local load foreign
  load=$(awk '{print $1}' /proc/loadavg)
  foreign=$(foreign_running)

  local t0 t_started t_hdfs='' t_spark='' t_ready='' now dn w cpu='NA NA' status=ok
  t0=$EPOCHREALTIME
  for node in "${nodes[@]}"; do start_node "$mode" "$p" "$node" "$size"; done
  t_started=$EPOCHREALTIME
  while :; do
    dn=$(live_datanodes)
    w=$(alive_workers)
    now=$EPOCHREALTIME
    [[ -z $t_hdfs && $dn == "$size" ]] && t_hdfs=$now
    [[ -z $t_spark && $w == "$size" ]] && t_spark=$now
    if [[ $dn == "$size" && $w == "$size" ]]; then
      cpu=$(cpu_at_ready "$p" "${nodes[@]}")
      # Confirm with DFSAdmin itself (its JVM start is not on the clock).
      if [[ $(dfsadmin_live "$p") == "$size" ]]; then t_ready=$now; break; fi
      log "JMX said $size live DataNodes but DFSAdmin did not; polling on"
    fi
    if (($(printf '%.0f' "$(since "$t0" "$now")") >= TRIAL_TIMEOUT)); then
      status=timeout
      log "$mode size $size rep $rep: not ready after ${TRIAL_TIMEOUT}s (datanodes=$dn workers=$w)"
      break
    fi
    sleep 0.5
  done
  local ready=NA hdfs=NA spark=NA
  [[ -n $t_ready ]] && ready=$(since "$t0" "$t_ready")
  [[ -n $t_hdfs ]] && hdfs=$(since "$t0" "$t_hdfs")
  [[ -n $t_spark ]] && spark=$(since "$t0" "$t_spark")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$TRIAL" "$mode" "$size" "$rep" \
    "$(since "$t0" "$t_started")" "$hdfs" "$spark" "$ready" "$status" "$load" "$foreign" \
    "${cpu% *}" "${cpu#* }" >>"$OUT/trials.tsv"
  # Evidence, after the clock stopped: what ran as whom, and every log.
  local ev=$OUT/trials/t$TRIAL-$mode-$size
  mkdir -p "$ev"
  for node in "${nodes[@]}"; do
    ce exec "$p-$node" ps -eo user:8,group:8,supgrp:12,pid,ppid,etimes,args --width 300 >"$ev/$node.ps" 2>&1 || true
    ce logs "$p-$node" >"$ev/$node.log" 2>&1 || true
  done
  log "trial $TRIAL: $mode size $size rep $rep: ready ${ready}s (runs ${t_started:+$(since "$t0" "$t_started")}s, hdfs ${hdfs}s, spark ${spark}s, load $load, e2e containers $foreign, CPU s pid1/all $cpu)"
  teardown_trial "$p"
}

main() {
  rm -rf "$OUT"
  mkdir -p "$OUT"
  pin_image
  local max=0 s
  for s in "${SIZES[@]}"; do if ((s > max)); then max=$s; fi; done
  cl_network_up
  prepare_nodes "$max"
  wait_quiet
  record_machine
  printf 'trial\tmode\tsize\trep\truns_s\thdfs_s\tspark_s\tready_s\tstatus\tload1\te2e_running\tpid1_cpu_s\tall_cpu_s\n' >"$OUT/trials.tsv"
  local rep k=0 mode modes
  for ((rep = 1; rep <= REPS || (rep <= REPS_LARGEST); rep++)); do
    for s in "${SIZES[@]}"; do
      if ((s == max)); then ((rep <= REPS_LARGEST)) || continue; else ((rep <= REPS)) || continue; fi
      # Alternate which mode goes first, so neither always follows a teardown
      # of the bigger cluster or always runs on a warmer page cache.
      if (((k++) % 2 == 0)); then modes=(vessel floor); else modes=(floor vessel); fi
      for mode in "${modes[@]}"; do trial "$mode" "$s" "$rep"; done
    done
  done
  echo "load after: $(uptime | sed 's/.*load average: //')" >>"$OUT/machine.txt"
  echo "sizes: ${SIZES[*]}; reps: $REPS (largest size: $REPS_LARGEST); total $((SECONDS - CL_T0)) s" >>"$OUT/machine.txt"
  report
}

main
