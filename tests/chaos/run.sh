#!/usr/bin/env bash
# Chaos: real-cluster CHANGE scenarios on one shared vessel-spark cluster
# (master + 3 workers, HDFS replication 2). Small files are written first
# with their sha256 recorded; every scenario reads them all back.
#
#   1 sighup-master    SIGHUP on the live master keeps the Spark workers file
#                      and dfs.replication; a new file has replication 2
#   2 worker-new-ip    a worker comes back on a new IP (same volume): 3 live
#                      DataNodes, 3 ALIVE Spark workers, every /etc/hosts moves
#   3 master-new-ip    the master comes back on a new IP (seeds corrected,
#                      workers SIGHUPed): ready again, one master address
#   4 wrong-token      an extra worker with a wrong token: /readyz 503 names
#                      the registration failure; the token is in no log
#   5 full-disk        an extra worker on a small tmpfs /data, filled: /readyz
#                      503 names data-disk, /status carries it, no restart
#   6 member-removed   a worker removed for good: after remove_after it is in
#                      no /etc/hosts, not in the workers file, and "departed"
#
# Every assertion is counted per scenario; a failing assertion does not stop
# the run (later scenarios still report), but the script exits 1 if any
# assertion failed or fewer scenarios ran than were selected.
#
#   tests/chaos/run.sh [--only 1,2,...] [--no-build]
#   --no-build   use $CL_IMAGE as it is (default: dockerfiles/build-image.sh)
#   CHAOS_LOG_DIR=DIR   keep every container's full log there (also of the
#                       containers a scenario removes)
# Everything is removed at exit, also on failure. See tests/chaos/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lib/containers.sh
source tests/lib/containers.sh
# shellcheck source=tests/lib/cluster.sh
source tests/lib/cluster.sh

# Run order: the master's move (3) is the most disruptive, so it runs last;
# a scenario that breaks the cluster then spoils as few others as possible.
ALL_SCENARIOS=(1 2 4 5 6 3)
declare -A SC_NAME=([1]=sighup-master [2]=worker-new-ip [3]=master-new-ip
                    [4]=wrong-token [5]=full-disk [6]=member-removed)
selected=("${ALL_SCENARIOS[@]}") build=1
while (($#)); do
  case $1 in
    --only) IFS=, read -r -a selected <<<"${2:?--only needs a list}"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "chaos: unknown argument $1" >&2; exit 2 ;;
  esac
done
for n in "${selected[@]}"; do
  [[ -n ${SC_NAME[$n]:-} ]] || { echo "chaos: no scenario $n" >&2; exit 2; }
done

CL_LOG_TAG=chaos
CL_T0=$SECONDS
CL_PUBLISH=()
RUN=vessel-chaos-$$-$RANDOM
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$RUN.XXXX")
cl_init "$RUN" "$WORK"
CL_CLUSTER_ID=chaos-$RANDOM
REMOVE_AFTER_S=20
declare -A SC_ASSERTS=() SC_FAILS=() SC_SECS=()
SC_RAN=()
cur=setup

# ---- assertions -------------------------------------------------------------
# check WHAT CMD...: one assertion, evaluated once.
check() {
  local what=$1; shift
  SC_ASSERTS[$cur]=$((${SC_ASSERTS[$cur]:-0} + 1))
  if "$@"; then log "  ok   [$cur] $what"; else fail_assert "$what"; fi
}
# check_within SECONDS WHAT CMD...: one assertion, polled until it holds.
check_within() {
  local secs=$1 what=$2; shift 2
  SC_ASSERTS[$cur]=$((${SC_ASSERTS[$cur]:-0} + 1))
  if cl_wait "$secs" "$what" "$@"; then log "  ok   [$cur] $what"; else fail_assert "$what (within ${secs}s)"; fi
}
# act WHAT CMD...: a step of a scenario; its failure fails the scenario.
act() {
  local what=$1; shift
  if "$@"; then return 0; fi
  SC_ASSERTS[$cur]=$((${SC_ASSERTS[$cur]:-0} + 1))
  fail_assert "step: $what"
  return 1
}
fail_assert() {
  SC_FAILS[$cur]=$((${SC_FAILS[$cur]:-0} + 1))
  log "  FAIL [$cur] $1"
}

summary_done=0
summary() {
  local n total=0 bad=0 passed=0 line
  summary_done=1
  echo
  echo "=== chaos summary ==="
  for n in "${selected[@]}"; do
    local key=$n a f
    a=${SC_ASSERTS[$key]:-0} f=${SC_FAILS[$key]:-0}
    total=$((total + a))
    if [[ -z ${SC_SECS[$key]:-} ]]; then
      line="NOT RUN"; bad=$((bad + 1))
    elif ((f > 0 || a == 0)); then
      line="FAIL    ($f of $a assertions failed, ${SC_SECS[$key]}s)"; bad=$((bad + 1))
    else
      line="PASS    ($a assertions, ${SC_SECS[$key]}s)"; passed=$((passed + 1))
    fi
    printf 'scenario %s %-15s %s\n' "$n" "${SC_NAME[$n]}" "$line"
  done
  local sa=${SC_ASSERTS[setup]:-0} sf=${SC_FAILS[setup]:-0}
  if ((sf > 0 || sa == 0)); then line="FAIL ($sf of $sa assertions failed)"; sf=$((sf + 1)); else line="ok ($sa assertions)"; fi
  printf 'setup                      %s\n' "$line"
  printf 'chaos: %d/%d scenarios ran, %d passed, %d failed, %d assertions, %ds\n' \
    "${#SC_RAN[@]}" "${#selected[@]}" "$passed" "$bad" "$((total + sa))" "$((SECONDS - CL_T0))"
  ((bad == 0 && sf == 0 && ${#SC_RAN[@]} == ${#selected[@]}))
}

# save_logs NODE TAG: NODE's whole log into $CHAOS_LOG_DIR, if set.
save_logs() {
  [[ -n ${CHAOS_LOG_DIR:-} ]] || return 0
  mkdir -p "$CHAOS_LOG_DIR"
  ce logs "$CL_PREFIX-$1" >"$CHAOS_LOG_DIR/$1-$2.log" 2>&1 || true
}

cleanup() {
  local rc=$?
  # An abort (set -e) still reports: the scenarios it cut off show NOT RUN.
  if ((!summary_done)); then summary || true; fi
  for c in $(ce ps -a --format '{{.Names}}' | grep "^$RUN-" || true); do save_logs "${c#"$RUN"-}" end; done
  if ((rc != 0)) || [[ -n ${SC_FAILS[*]:-} ]]; then
    for c in $(ce ps -a --format '{{.Names}}' | grep "^$RUN-" || true); do
      echo "----- last log lines of $c -----" >&2
      ce logs --tail 30 "$c" >&2 2>&1 || true
    done
  fi
  cl_down
  rm -rf "$WORK"
  log "cleaned up $RUN (exit $rc) after $((SECONDS - CL_T0))s"
}
trap cleanup EXIT

# ---- cluster helpers ----------------------------------------------------------
# The user_data of every node: the shared cluster's settings plus the keys
# the scenarios exercise. Failure detection is shortened so a removed node is
# dead for HDFS in ~20 s (2 x recheck + 10 x heartbeat) and for Spark in 15 s.
chaos_user_data() {
  local token=$1
  cat <<EOF
#cloud-config
vessel:
  cluster_id: $CL_CLUSTER_ID
  master: $CL_MASTER
  token: "$token"
  hosts:
    - {ip: $CL_MASTER_IP, name: $CL_MASTER}
  hdfs:
    replication: 2
    site: {dfs.heartbeat.interval: "1", dfs.namenode.heartbeat.recheck-interval: "5000",
           dfs.namenode.safemode.extension: "3000"}
  spark:
    worker_cores: 1
    worker_memory: 1g
    defaults: {spark.worker.timeout: "15"}
  cluster:
    remove_after: "${REMOVE_AFTER_S}s"
  health:
    disk_max_used_percent: 90
EOF
}

# chaos_seed NODE [TOKEN]: (re)writes NODE's NoCloud seed in place.
chaos_seed() {
  local node=$1 token=${2:-$CL_TOKEN} dir=$CL_WORK/$1/seed
  mkdir -p "$dir"
  printf 'instance-id: %s-%s\nlocal-hostname: %s\n' "$CL_PREFIX" "$node" "$node" >"$dir/meta-data"
  chaos_user_data "$token" >"$dir/user-data"
}

# chaos_start_tmpfs NODE IP SIZE: like cl_start, but /data is a tmpfs.
chaos_start_tmpfs() {
  local node=$1 ip=$2 size=$3
  ce run -d --name "$CL_PREFIX-$node" --hostname "$node" --network "$CL_NET" --ip "$ip" \
    --stop-timeout 90 --tmpfs "/data:rw,size=$size,mode=0755" \
    -v "$CL_WORK/$node/seed:/var/lib/cloud/seed/nocloud:ro" "$CL_IMAGE" run >/dev/null \
    2> >(grep -v 'unable to get systemd connection' >&2)
  log "started $node ($ip, /data tmpfs $size)"
}

readyz_code() { cl_exec "$1" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8099/readyz 2>/dev/null || true; }
readyz_body() { cl_exec "$1" curl -s http://127.0.0.1:8099/readyz 2>/dev/null || true; }
readyz_is() { [[ $(readyz_code "$1") == "$2" ]]; }
status_json() { cl_exec "$1" curl -fsS http://127.0.0.1:8099/status 2>/dev/null || true; }
vessel_ok() { cl_exec "$1" vessel status >/dev/null 2>&1; }

# Sum of the restarts of every service of NODE (from /status).
restarts_total() {
  status_json "$1" | python3 -c 'import json,sys; print(sum(s["restarts"] for s in json.load(sys.stdin)["services"]))'
}

dfs_report() { cl_hdfs "$CL_MASTER" org.apache.hadoop.hdfs.tools.DFSAdmin -report 2>/dev/null || true; }
live_datanodes_is() {
  [[ $(dfs_report | sed -n 's/^Live datanodes (\([0-9]*\)).*/\1/p') == "$1" ]]
}
no_missing_blocks() {
  local r
  r=$(dfs_report)
  grep -Eq '^[[:space:]]*Missing blocks: 0$' <<<"$r"
}
alive_workers_is() { [[ $(cl_alive_spark_workers) == "$1" ]]; }
# spark_alive_on IP: an ALIVE Spark worker registered from IP.
spark_alive_on() {
  { cl_exec "$CL_MASTER" curl -fsS http://127.0.0.1:8080/json/ 2>/dev/null || true; } | python3 -c '
import json, sys
try: doc = json.load(sys.stdin)
except ValueError: sys.exit(1)
sys.exit(0 if any(w.get("host") == sys.argv[1] and w.get("state") == "ALIVE" for w in doc.get("workers", [])) else 1)' "$1"
}

# The path the master wrote a config file to, from its log ("wrote PATH").
master_file_path() {
  ce logs "$CL_PREFIX-$CL_MASTER" 2>&1 | grep -o "wrote /[^ ]*/$1\$" | tail -1 | cut -d' ' -f2
}
workers_file() { cl_exec "$CL_MASTER" cat "$WORKERS_FILE" 2>/dev/null | grep -v '^ *#' || true; }
# workers_file_is NAMES...: the Spark workers file lists exactly NAMES.
workers_file_is() {
  local want got
  want=$(printf '%s\n' "$@" | sort)
  got=$(workers_file | sed '/^ *$/d' | sort)
  [[ $want == "$got" ]]
}
replication_in_site() {
  cl_exec "$CL_MASTER" cat "$HDFS_SITE" 2>/dev/null | python3 -c '
import sys, xml.etree.ElementTree as ET
try: root = ET.fromstring(sys.stdin.read())
except ET.ParseError: sys.exit(1)
for p in root.iter("property"):
    if p.findtext("name") == "dfs.replication": print(p.findtext("value"))'
}

hosts_of() { cl_exec "$1" cat /etc/hosts 2>/dev/null || true; }
hosts_block() { hosts_of "$1" | sed -n '/^# BEGIN vessel/,/^# END vessel/p'; }
# ips_of NODE NAME: the distinct addresses NODE's /etc/hosts gives NAME.
ips_of() {
  hosts_of "$1" | awk -v n="$2" '$1 !~ /^#/ { for (i = 2; i <= NF; i++) if ($i == n) print $1 }' | sort -u
}
# hosts_maps NODE NAME IP: NAME has exactly the address IP in NODE's /etc/hosts.
hosts_maps() { [[ $(ips_of "$1" "$2") == "$3" ]]; }
hosts_lacks_ip() { ! hosts_of "$1" | grep -v '^ *#' | grep -qFw -- "$2"; }
block_lacks() { ! hosts_block "$1" | grep -qw -- "$2"; }
# member_once_on NAME IP: the master's /v1/cluster/members has NAME exactly
# once, with address IP.
member_once_on() {
  { cl_exec "$CL_MASTER" curl -fsS http://127.0.0.1:8099/v1/cluster/members 2>/dev/null || true; } | python3 -c '
import json, sys
try: doc = json.load(sys.stdin)
except ValueError: sys.exit(1)
ms = [m for m in doc.get("members", []) if m.get("name") == sys.argv[1]]
sys.exit(0 if len(ms) == 1 and ms[0].get("ip") == sys.argv[2] else 1)' "$1" "$2"
}
# all_services_ready NODE: every service of NODE is READY in /status.
all_services_ready() {
  status_json "$1" | python3 -c '
import json, sys
try: ss = json.load(sys.stdin)["services"]
except (ValueError, KeyError): sys.exit(1)
sys.exit(0 if ss and all(s["state"] == "READY" for s in ss) else 1)'
}
lacks() { ! grep -qF -- "$1" <<<"$2"; }
contains() { grep -qF -- "$1" <<<"$2"; }
every() { local fn=$1 node; shift; for node in "${NODES[@]}"; do "$fn" "$node" "$@" || return 1; done; }

# ---- data -------------------------------------------------------------------
MANIFEST=$WORK/manifest
# put_file NAME BYTES: writes a random file to hdfs:///chaos/NAME from the
# master and records its sha256 once the put is acknowledged.
put_file() {
  local name=$1 bytes=$2 f=$WORK/files/$1
  mkdir -p "$WORK/files"
  head -c "$bytes" /dev/urandom >"$f"
  ce cp "$f" "$CL_PREFIX-$CL_MASTER:/tmp/chaos-$name" || return 1
  cl_hdfs "$CL_MASTER" org.apache.hadoop.fs.FsShell -put -f "/tmp/chaos-$name" "/chaos/$name" || return 1
  (cd "$WORK/files" && sha256sum "$name") >>"$MANIFEST"
}
# files_intact [NODE]: every acknowledged file reads back with its sha256.
files_intact() {
  local node=${1:-$CL_MASTER} got name paths=()
  while read -r _ name; do paths+=("/tmp/chaos-rb/$name"); done <"$MANIFEST"
  cl_exec "$node" rm -rf /tmp/chaos-rb || return 1
  cl_hdfs "$node" org.apache.hadoop.fs.FsShell -get /chaos /tmp/chaos-rb 2>/dev/null || return 1
  got=$(cl_exec "$node" sha256sum "${paths[@]}" | sed 's#/tmp/chaos-rb/##') || return 1
  if [[ $got != "$(cat "$MANIFEST")" ]]; then
    log "sha256 differ:"; diff <(cat "$MANIFEST") <(echo "$got") >&2 || true
    return 1
  fi
}
file_replication_is() {
  [[ $(cl_hdfs "$CL_MASTER" org.apache.hadoop.fs.FsShell -stat %r "/chaos/$1" 2>/dev/null) == "$2" ]]
}

# The common end of every scenario: the cluster as a whole is whole.
cluster_whole() {
  local workers=$1
  check_within 90 "$workers live DataNodes" live_datanodes_is "$workers"
  check_within 60 "$workers ALIVE Spark workers" alive_workers_is "$workers"
  check "no missing blocks" no_missing_blocks
  check "every acknowledged file reads back with its sha256" files_intact
}

# ---- scenarios ----------------------------------------------------------------
scenario_1() {
  local before_repl reloads
  before_repl=$(replication_in_site || true)
  check "dfs.replication is 2 before the reload" test "$before_repl" = 2
  reloads=$(ce logs "$CL_PREFIX-$CL_MASTER" 2>&1 | grep -c 'received SIGHUP' || true)
  act "SIGHUP the master" ce kill --signal HUP "$CL_PREFIX-$CL_MASTER" >/dev/null || return 0
  reloaded() { (( $(ce logs "$CL_PREFIX-$CL_MASTER" 2>&1 | grep -c 'received SIGHUP' || true) > reloads )); }
  check_within 20 "the master logged the SIGHUP" reloaded
  sleep 5   # let the reload write its files and settle
  check "the workers file still lists every worker" workers_file_is worker-1 worker-2 worker-3
  check "hdfs-site.xml keeps dfs.replication 2" test "$(replication_in_site)" = 2
  check_within 60 "/readyz on the master is 200" readyz_is "$CL_MASTER" 200
  act "write a file after the reload" put_file after-sighup 200000 || true
  check "the file written after the reload has replication 2" file_replication_is after-sighup 2
  check "the workers file still lists every worker 10 s later" workers_file_is worker-1 worker-2 worker-3
  cluster_whole 3
}

scenario_2() {
  local node=worker-2 old=$CL_SUBNET_BASE.12 new=$CL_SUBNET_BASE.22
  save_logs "$node" before-move
  act "remove $node's container" ce rm -f -t 5 "$CL_PREFIX-$node" >/dev/null || return 0
  act "start $node on $new" cl_start "$node" "$new" || return 0
  check_within 60 "3 live DataNodes" live_datanodes_is 3
  check_within 60 "3 ALIVE Spark workers" alive_workers_is 3
  check_within 30 "an ALIVE Spark worker on $new" spark_alive_on "$new"
  check_within 30 "every /etc/hosts maps $node to $new only" every hosts_maps "$node" "$new"
  check "no /etc/hosts mentions $old" every hosts_lacks_ip "$old"
  check_within 60 "/readyz on $node is 200" readyz_is "$node" 200
  check "the master's members list $node once, on $new" member_once_on "$node" "$new"
  check "the workers file still lists every worker" workers_file_is worker-1 worker-2 worker-3
  cluster_whole 3
}

scenario_3() {
  local old=$CL_MASTER_IP new=$CL_SUBNET_BASE.30 n
  CL_MASTER_IP=$new
  for n in "${NODES[@]}"; do chaos_seed "$n"; done
  save_logs "$CL_MASTER" before-move
  act "remove the master's container" ce rm -f -t 20 "$CL_PREFIX-$CL_MASTER" >/dev/null || return 0
  act "start the master on $new" cl_start "$CL_MASTER" "$new" || return 0
  for n in "${NODES[@]}"; do
    [[ $n == "$CL_MASTER" ]] || act "SIGHUP $n" ce kill --signal HUP "$CL_PREFIX-$n" >/dev/null || true
  done
  # 180 s: measured 117-123 s on 2 loaded cores; most of it is the Spark
  # workers' own re-registration backoff after losing their master and the
  # NameNode's restart, not vessel (hosts are right within seconds).
  check_within 180 "cluster ready ($((${#NODES[@]} - 1)) DataNodes and Spark workers, vessel status 0, hosts synced)" \
    cl_ready "${NODES[@]}"
  check_within 30 "every /etc/hosts lists exactly one address, $new, for $CL_MASTER" \
    every hosts_maps "$CL_MASTER" "$new"
  check "no /etc/hosts mentions $old" every hosts_lacks_ip "$old"
  check "/readyz on the master is 200" readyz_is "$CL_MASTER" 200
  cluster_whole $((${#NODES[@]} - 1))
}

scenario_4() {
  local node=worker-4 bad logs
  bad=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  chaos_seed "$node" "$bad"
  act "start $node with a wrong token" cl_start "$node" "$CL_SUBNET_BASE.14" || return 0
  check_within 120 "every service on $node is READY (so only the registration can fail it)" all_services_ready "$node"
  check "/readyz on $node is 503 with its services READY" readyz_is "$node" 503
  names_registration() { readyz_body "$node" | grep -Eqi '401|unauthori[sz]ed|token'; }
  check_within 30 "/readyz on $node names the registration failure (401/unauthorized/token)" names_registration
  log "$node /readyz: $(readyz_body "$node" | tr '\n' '|')"
  check "vessel status on $node exits non-zero" test "$(cl_exec "$node" vessel status >/dev/null 2>&1; echo $?)" != 0
  logs=$(ce logs "$CL_PREFIX-$node" 2>&1 || true)
  check "the wrong token is not in $node's log" lacks "$bad" "$logs"
  check "the cluster token is not in $node's log" lacks "$CL_TOKEN" "$logs"
  logs=$(ce logs "$CL_PREFIX-$CL_MASTER" 2>&1 || true)
  check "the wrong token is not in the master's log" lacks "$bad" "$logs"
  check "the wrong token is not in $node's /status" lacks "$bad" "$(status_json "$node")"
  check "$node is not in the master's /etc/hosts block" block_lacks "$CL_MASTER" "$node"
  act "remove $node" cl_remove "$node" || true
  cluster_whole 3
}

scenario_5() {
  local node=worker-5 before after avail_kb
  chaos_seed "$node"
  act "start $node with a 300 MiB tmpfs /data" chaos_start_tmpfs "$node" "$CL_SUBNET_BASE.15" 300m || return 0
  check_within 120 "/readyz on $node is 200 before the fill" readyz_is "$node" 200
  check_within 60 "4 live DataNodes" live_datanodes_is 4
  before=$(restarts_total "$node" || true)
  avail_kb=$(cl_exec "$node" df --output=avail -k /data | tail -1 | tr -d ' ' || true)
  act "fill /data on $node (${avail_kb:-?} KiB free)" fill_disk "$node" "$(( ${avail_kb:-0} - 2048 ))" || true
  log "$node: $(cl_exec "$node" df -h /data | tail -1)"
  check_within 30 "/readyz on $node is 503" readyz_is "$node" 503
  names_disk() { readyz_body "$node" | grep -q 'data-disk'; }
  check_within 30 "/readyz on $node names data-disk" names_disk
  log "$node /readyz: $(readyz_body "$node" | tr '\n' '|')"
  check "/status on $node carries data-disk" contains data-disk "$(status_json "$node")"
  act "write a file while $node is full" put_file while-full 300000 || true
  check "the file written while $node is full has replication 2" file_replication_is while-full 2
  sleep 5
  after=$(restarts_total "$node" || true)
  check "no service on $node was restarted for the full disk ($before -> $after)" test -n "$before" -a "$before" = "$after"
  act "free /data on $node" cl_exec "$node" rm -f /data/chaos-fill || true
  check_within 30 "/readyz on $node is 200 again after freeing the disk" readyz_is "$node" 200
  act "remove $node" cl_remove "$node" || true
  cluster_whole 3
}

scenario_6() {
  local node=worker-3 deadline=$((REMOVE_AFTER_S + 40)) rest=() n
  for n in "${NODES[@]}"; do [[ $n == "$node" ]] || rest+=("$n"); done
  act "stop $node" ce stop -t 30 "$CL_PREFIX-$node" >/dev/null || true
  act "remove $node and its volume" cl_remove "$node" || true
  NODES=("${rest[@]}")
  log "waiting for remove_after (${REMOVE_AFTER_S}s) + margin"
  gone_from_hosts() { every block_lacks "$node"; }
  check_within "$deadline" "$node is gone from every /etc/hosts block" gone_from_hosts
  check_within 20 "the Spark workers file lists exactly worker-1 worker-2" workers_file_is worker-1 worker-2
  departed() {
    cl_exec "$CL_MASTER" curl -fsS http://127.0.0.1:8099/v1/cluster/members >"$WORK/members.json" 2>/dev/null || true
    status_json "$CL_MASTER" >"$WORK/status.json"
    python3 -c '
import json, sys
node = sys.argv[1]
def has(doc):
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == "departed" and (node in json.dumps(v)): return True
            if isinstance(v, (dict, list)) and has(v): return True
            if k == "state" and v == "departed" and doc.get("name") == node: return True
    elif isinstance(doc, list):
        return any(has(x) for x in doc)
    return False
docs = []
for f in sys.argv[2:]:
    try: docs.append(json.load(open(f)))
    except ValueError: pass
sys.exit(0 if any(has(d) for d in docs) else 1)' "$node" "$WORK/members.json" "$WORK/status.json"
  }
  check_within 20 "the master lists $node as departed (/status or /v1/cluster/members)" departed
  check "/readyz on the master is 200" readyz_is "$CL_MASTER" 200
  cluster_whole 2
}

# fill_disk NODE KIB: a file of KIB KiB on NODE's /data, as root.
fill_disk() {
  (($2 > 0)) || return 1
  cl_exec "$1" fallocate -l "$(($2 * 1024))" /data/chaos-fill ||
    cl_exec "$1" dd if=/dev/zero of=/data/chaos-fill bs=1k count="$2" status=none
}

cl_remove() {
  save_logs "$1" removed
  ce rm -f -t 5 "$CL_PREFIX-$1" >/dev/null && ce volume rm -f "$CL_PREFIX-$1-data" >/dev/null 2>&1 || true
}

# ---- run --------------------------------------------------------------------
if ((build)); then
  log "building the image"
  dockerfiles/build-image.sh --tag "$CL_IMAGE"
fi
ce image exists "$CL_IMAGE" || die "no image $CL_IMAGE (build it, or drop --no-build)"
log "image $CL_IMAGE ($(ce image inspect -f '{{.Id}}' "$CL_IMAGE" | cut -c1-12)); scenarios ${selected[*]}"

NODES=("$CL_MASTER" worker-1 worker-2 worker-3)
cl_network_up
for n in "${NODES[@]}"; do chaos_seed "$n"; done
cl_start "$CL_MASTER" "$CL_MASTER_IP"
cl_start worker-1 "$CL_SUBNET_BASE.11"
cl_start worker-2 "$CL_SUBNET_BASE.12"
cl_start worker-3 "$CL_SUBNET_BASE.13"
t_up=$SECONDS
check_within 420 "cluster ready (3 DataNodes, 3 Spark workers, vessel status 0, hosts synced)" cl_ready "${NODES[@]}"
log "bring-up took $((SECONDS - t_up))s"
WORKERS_FILE=$(master_file_path workers)
HDFS_SITE=$(master_file_path hdfs-site.xml)
log "workers file: ${WORKERS_FILE:-?}, hdfs-site: ${HDFS_SITE:-?}"
check "the master's log names the workers file and hdfs-site.xml" test -n "$WORKERS_FILE" -a -n "$HDFS_SITE"
check_within 30 "the workers file lists every worker" workers_file_is worker-1 worker-2 worker-3
act "mkdir /chaos" cl_hdfs "$CL_MASTER" org.apache.hadoop.fs.FsShell -mkdir -p /chaos
: >"$MANIFEST"
for spec in a:1024 b:65536 c:1048576 d:3145728; do
  act "write /chaos/${spec%%:*}" put_file "${spec%%:*}" "${spec#*:}"
done
check "the first files have replication 2" file_replication_is d 2
check "every file reads back with its sha256" files_intact
if [[ -n ${SC_FAILS[setup]:-} ]]; then
  log "setup failed; the scenarios cannot run"
  summary
  exit 1
fi

for sc in "${selected[@]}"; do
  cur=$sc t_sc=$SECONDS
  log "=== scenario $sc: ${SC_NAME[$sc]} ==="
  "scenario_$sc"
  SC_SECS[$sc]=$((SECONDS - t_sc))
  SC_RAN+=("$sc")
  log "=== scenario $sc done: ${SC_ASSERTS[$sc]:-0} assertions, ${SC_FAILS[$sc]:-0} failed, ${SC_SECS[$sc]}s"
done
summary
