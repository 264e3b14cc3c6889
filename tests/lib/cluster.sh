# shellcheck shell=bash
# A local vessel-spark cluster on a container network, shared by the demo
# (scripts/demo.sh) and the end-to-end test (tests/e2e/run.sh). Source it
# after tests/lib/containers.sh. Functions only; nothing runs on source.
#
# Naming: everything a run creates starts with $CL_PREFIX, so runs never
# collide and cleanup can find all of it.
#   $CL_PREFIX-net            the network (a fresh /24, static addresses)
#   $CL_PREFIX-<node>         a container; its hostname is <node>
#   $CL_PREFIX-<node>-data    its /data volume
#   $CL_WORK/<node>/seed      its NoCloud seed (mounted read-only)

CL_IMAGE=${CL_IMAGE:-localhost/vessel-spark:dev}
CL_MASTER=spark-master
CL_TOKEN=${CL_TOKEN:-}
CL_HADOOP_CP='/etc/hadoop:/opt/hadoop/share/hadoop/common/*:/opt/hadoop/share/hadoop/common/lib/*:/opt/hadoop/share/hadoop/hdfs:/opt/hadoop/share/hadoop/hdfs/*:/opt/hadoop/share/hadoop/hdfs/lib/*'

log() { printf '[%s %5ds] %s\n' "${CL_LOG_TAG:-cluster}" $((SECONDS - ${CL_T0:-0})) "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# cl_init PREFIX WORKDIR: picks a free /24 and remembers the names.
cl_init() {
  CL_PREFIX=$1 CL_WORK=$2
  CL_NET=$CL_PREFIX-net
  mkdir -p "$CL_WORK"
  if [[ -z $CL_TOKEN ]]; then
    CL_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  fi
  local used third
  used=$(ce network ls --format '{{.Name}}' 2>/dev/null | while read -r n; do
    ce network inspect "$n" 2>/dev/null | grep -o '"subnet": *"10\.91\.[0-9]*' | grep -o '[0-9]*$'
  done || true)
  for third in $(shuf -i 10-250 -n 40); do
    if ! grep -qx "$third" <<<"$used"; then CL_SUBNET_BASE=10.91.$third; break; fi
  done
  [[ -n ${CL_SUBNET_BASE:-} ]] || die "no free 10.91.x.0/24 subnet"
  CL_MASTER_IP=$CL_SUBNET_BASE.10
}

cl_network_up() {
  ce network create --subnet "$CL_SUBNET_BASE.0/24" "$CL_NET" >/dev/null
  log "network $CL_NET ($CL_SUBNET_BASE.0/24)"
}

# The user_data every node gets: the master is found by name, and its
# address is a static host so workers can reach it before /etc/hosts sync.
cl_user_data() {
  cat <<EOF
#cloud-config
vessel:
  cluster_id: ${CL_CLUSTER_ID:-vessel-demo}
  master: $CL_MASTER
  token: "$CL_TOKEN"
  hosts:
    - {ip: $CL_MASTER_IP, name: $CL_MASTER}
  hdfs:
    site: {dfs.heartbeat.interval: "1"}
  spark:
    worker_cores: 1
    worker_memory: 1g
EOF
}

# cl_seed NODE [USER_DATA_FN]: writes (or rewrites, in place) a NoCloud seed
# dir for NODE. USER_DATA_FN NODE prints its user-data (default: cl_user_data,
# the same for every node), so a test can give nodes their own settings.
cl_seed() {
  local node=$1 fn=${2:-cl_user_data} dir=$CL_WORK/$1/seed
  mkdir -p "$dir"
  printf 'instance-id: %s-%s\nlocal-hostname: %s\n' "$CL_PREFIX" "$node" "$node" >"$dir/meta-data"
  "$fn" "$node" >"$dir/user-data"
}

# cl_start NODE IP [EXTRA VESSEL ARGS...]: starts a node from its seed.
cl_start() {
  local node=$1 ip=$2
  shift 2
  local mount=()
  if [[ -d $CL_WORK/$node/seed ]]; then
    mount=(-v "$CL_WORK/$node/seed:/var/lib/cloud/seed/nocloud:ro")
  fi
  ce volume create "$CL_PREFIX-$node-data" >/dev/null 2>&1 || true
  ce run -d --name "$CL_PREFIX-$node" --hostname "$node" --network "$CL_NET" --ip "$ip" \
    --stop-timeout 90 -v "$CL_PREFIX-$node-data:/data" "${mount[@]}" \
    "${CL_PUBLISH[@]}" "$CL_IMAGE" run "$@" >/dev/null \
    2> >(grep -v 'unable to get systemd connection' >&2)
  # (podman without systemd cannot schedule HEALTHCHECK timers; the check
  # itself still works: `podman healthcheck run NAME`.)
  log "started $node ($ip)"
}

cl_exec() { local node=$1; shift; ce exec "$CL_PREFIX-$node" "$@"; }

# Hadoop's FsShell / DFSAdmin inside a node, as the HDFS superuser.
cl_hdfs() {
  local node=$1; shift
  ce exec -e HADOOP_USER_NAME=hdfs "$CL_PREFIX-$node" java -Xmx256m -cp "$CL_HADOOP_CP" "$@"
}

# cl_agent_field NODE KEY: a top-level field of the node's /status JSON.
cl_agent_field() {
  { cl_exec "$1" vessel status --json 2>/dev/null || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# cl_service_field NODE SERVICE KEY: a field of one service in /status.
cl_service_field() {
  { cl_exec "$1" vessel status --json 2>/dev/null || true; } | python3 -c '
import json, sys
doc = json.load(sys.stdin)
print(next(s for s in doc["services"] if s["name"] == sys.argv[1])[sys.argv[2]])' "$2" "$3"
}

cl_live_datanodes() {
  cl_hdfs "$CL_MASTER" org.apache.hadoop.hdfs.tools.DFSAdmin -report 2>/dev/null \
    | sed -n 's/^Live datanodes (\([0-9]*\)).*/\1/p'
}

cl_alive_spark_workers() {
  cl_exec "$CL_MASTER" curl -fsS http://127.0.0.1:8080/json/ 2>/dev/null \
    | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$'
}

# cl_wait SECONDS DESCRIPTION CMD...: polls CMD until it succeeds.
cl_wait() {
  local limit=$1 what=$2 t0=$SECONDS
  shift 2
  until "$@"; do
    if ((SECONDS - t0 >= limit)); then
      log "timed out after ${limit}s waiting for: $what"
      return 1
    fi
    sleep 2
  done
  log "ok after $((SECONDS - t0))s: $what"
}

cl_hosts_has_all() {
  local node=$1; shift
  local hosts block n
  hosts=$(cl_exec "$node" cat /etc/hosts) || return 1
  block=$(sed -n '/^# BEGIN vessel/,/^# END vessel/p' <<<"$hosts")
  for n in "$@"; do
    grep -qw -- "$n" <<<"$block" || return 1
  done
}

# cl_ready NODES...: every readiness condition of the cluster holds.
cl_ready() {
  local want=$(($# - 1)) node names=("$@")
  [[ $(cl_live_datanodes) == "$want" ]] || return 1
  [[ $(cl_alive_spark_workers) == "$want" ]] || return 1
  for node in "$@"; do
    cl_exec "$node" vessel status >/dev/null 2>&1 || return 1
    cl_hosts_has_all "$node" "${names[@]}" || return 1
  done
}

# cl_wordcount NODE INPUT_FILE OUT_FILE: puts INPUT_FILE into HDFS, runs the
# word count on the cluster (spark-submit against spark://master:7077,
# reading and writing hdfs://), and writes the sorted "word<TAB>count" lines
# to OUT_FILE.
cl_wordcount() {
  local node=$1 input=$2 out=$3 run_id
  run_id=$(date +%s)-$RANDOM
  ce cp "$input" "$CL_PREFIX-$node:/tmp/wc-input.txt"
  cl_hdfs "$node" org.apache.hadoop.fs.FsShell -mkdir -p /wc
  cl_hdfs "$node" org.apache.hadoop.fs.FsShell -put -f /tmp/wc-input.txt /wc/input.txt
  log "input in HDFS: hdfs://$CL_MASTER:8020/wc/input.txt"
  local submit_log=$CL_WORK/spark-submit-$run_id.log
  if ! ce exec -e HADOOP_USER_NAME=hdfs "$CL_PREFIX-$node" /opt/spark/bin/spark-submit \
      --master "spark://$CL_MASTER:7077" --deploy-mode client \
      --class org.apache.spark.repl.Main --name vessel-wordcount \
      --conf spark.executor.memory=512m --conf spark.driver.memory=512m \
      --conf spark.ui.showConsoleProgress=false \
      --driver-java-options "-Dscala.usejavacp=true -Dwc.in=hdfs://$CL_MASTER:8020/wc/input.txt -Dwc.out=hdfs://$CL_MASTER:8020/wc/out-$run_id" \
      -i /opt/vessel/examples/wordcount.scala </dev/null >"$submit_log" 2>&1; then
    tail -30 "$submit_log" >&2
    die "spark-submit failed (log: $submit_log)"
  fi
  grep -q 'VESSEL_WC_DONE [0-9]' "$submit_log" || { tail -30 "$submit_log" >&2; die "word count printed no result"; }
  cl_hdfs "$node" org.apache.hadoop.fs.FsShell -cat "/wc/out-$run_id/part-*" | sort >"$out"
  log "word count written to hdfs://$CL_MASTER:8020/wc/out-$run_id"
}

# cl_down: removes every container, volume and the network of this prefix.
cl_down() {
  local c v
  for c in $(ce ps -a --format '{{.Names}}' | grep "^$CL_PREFIX-" || true); do
    ce rm -f -t 2 "$c" >/dev/null 2>&1 || true
  done
  for v in $(ce volume ls --format '{{.Name}}' | grep "^$CL_PREFIX-" || true); do
    ce volume rm -f "$v" >/dev/null 2>&1 || true
  done
  ce network rm -f "$CL_NET" >/dev/null 2>&1 || true
}
