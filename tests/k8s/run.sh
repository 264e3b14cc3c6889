#!/usr/bin/env bash
# The `k8s` stage: Spark's native Kubernetes mode on a real single-node Kubernetes, with
# the vessel-spark image as Spark's container image (vessel as PID 1 honours the official
# entrypoint's `driver` / `executor` contract).
#
#   1. builds Kubernetes if not cached (tests/k8s/build.sh), the image from this tree
#      (dockerfiles/build-image.sh --tag $IMAGE), brings the cluster up (tests/k8s/up.sh)
#      and imports the image into its containerd;
#   2. `kubectl apply --dry-run=server`, then apply, of deploy/kubernetes/spark-rbac.yaml;
#   3. spark-submit --deploy-mode cluster of a SparkPi job with 2 executors: the driver pod
#      must succeed with "Pi is roughly 3.1", 2 executor pods (spark-role=executor) must
#      have run through vessel, and the job's tasks must have run on both;
#   4. negative control: a submission with a main class that does not exist must leave a
#      Failed driver pod, and the same check must report it as failed.
# Every check is counted; the stage fails unless all ran and passed.
#
# Usage: tests/k8s/run.sh   (as root). The builds run first, unlocked; everything from the
#        cluster's bring-up to its teardown runs under flock /tmp/vessel-cluster.lock.
# Env:   VESSEL_K8S_IMAGE (localhost/vessel-spark:k8s)   VESSEL_K8S_NO_IMAGE_BUILD=1 (use
#        the image as it is)   VESSEL_K8S_KEEP=1 (leave the cluster up afterwards)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/k8s/env.sh
source "$here/env.sh"
# shellcheck source=tests/lib/containers.sh
source "$repo/tests/lib/containers.sh"

IMAGE=${VESSEL_K8S_IMAGE:-localhost/vessel-spark:k8s}
NS=vessel-k8s-test
APP_DIR=$PREFIX/app                      # the test job's jar, mounted into the pods (hostPath)
export OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/vessel-k8s-run.XXXXXX")}
export T0=${T0:-$SECONDS}
passed=0 failed=0 neg_detected=0 neg_total=0

log() { printf '[k8s %s +%ds] %s\n' "$(date +%H:%M:%S)" $((SECONDS - T0)) "$*" >&2; }
die() { log "error: $*"; exit 1; }
pass() { passed=$((passed + 1)); log "PASS $*"; }
fail() { failed=$((failed + 1)); log "FAIL $*"; }
timed() {  # timed LABEL cmd...: runs it, records its wall time
  local label=$1 t=$SECONDS rc=0; shift
  "$@" || rc=$?
  printf '  %-36s %4ds\n' "$label" $((SECONDS - t)) >>"$OUT/times"
  return $rc
}
cleanup() {
  local rc=$?
  [[ $part == cluster ]] || return 0
  if [[ $rc != 0 ]]; then
    log "stage failed (rc $rc); cluster logs: $LOGS, job output: $OUT"
    kubectl -n "$NS" get pods -o wide >&2 2>/dev/null || true
  fi
  if [[ -z ${VESSEL_K8S_KEEP:-} ]]; then
    "$here/down.sh" >/dev/null 2>&1 || log "down.sh failed"
    [[ $rc != 0 ]] || rm -rf "$OUT"
  fi
}
part=${1:-build}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || die "must run as root (kubelet, containerd, iptables)"
[[ $part == build || $part == cluster ]] || die "unknown argument '$part'"
SPARK_DIST=$("$repo/dockerfiles/assemble-dists.sh" --print-env) || die "assemble-dists.sh failed"
eval "$SPARK_DIST"   # SPARK_HOME, HADOOP_HOME of the dists the image is built from
command -v javac >/dev/null || {
  log "apt-get install openjdk-17-jdk-headless (javac for the test job)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless >/dev/null
}

# ---------- 1. Kubernetes, image, test job (unlocked); cluster (locked) ----------
if [[ $part == build ]]; then
timed "build kubernetes (cached)" "$here/build.sh" || die "tests/k8s/build.sh failed"
if [[ -z ${VESSEL_K8S_NO_IMAGE_BUILD:-} ]]; then
  timed "build image $IMAGE" "$repo/dockerfiles/build-image.sh" --tag "$IMAGE" >&2 || die "image build failed"
fi
ce image exists "$IMAGE" || die "no image $IMAGE"
build_app() {
  local key
  key=$(cat "$here/app/VesselPi.java" "$SPARK_HOME/RELEASE" | sha256sum | cut -c1-16)
  [[ -f $APP_DIR/vessel-pi.jar && $(cat "$APP_DIR/.stamp" 2>/dev/null) == "$key" ]] && return 0
  rm -rf "$APP_DIR" "$OUT/classes"
  mkdir -p "$APP_DIR" "$OUT/classes"
  javac --release 17 -cp "$SPARK_HOME/jars/*" -d "$OUT/classes" "$here/app/VesselPi.java" &&
    jar cf "$APP_DIR/vessel-pi.jar" -C "$OUT/classes" . && echo "$key" >"$APP_DIR/.stamp"
  chmod -R a+rX "$APP_DIR"
}
timed "build test job" build_app || die "compiling tests/k8s/app/VesselPi.java failed"
fi  # end of the build part

if [[ $part == build ]]; then
  # The cluster lock: one cluster test (podman JVMs or Kubernetes) at a time on this machine.
  # flock(1) keeps the lock itself, so the daemons up.sh starts do not inherit it.
  log "waiting for /tmp/vessel-cluster.lock"
  exec flock /tmp/vessel-cluster.lock "$0" cluster
fi
timed "cluster up" "$here/up.sh" >"$OUT/up.log" 2>&1 || { tail -20 "$OUT/up.log" >&2; die "up.sh failed"; }

import_image() {  # re-import only when the podman image changed since the last import
  local id stamp
  stamp=$PREFIX/imported.$(printf '%s' "$IMAGE" | tr -c 'A-Za-z0-9._-' _)
  id=$(ce image inspect --format '{{.Id}}' "$IMAGE")
  if has_image "$IMAGE" && [[ $(cat "$stamp" 2>/dev/null) == "$id" ]]; then
    log "image $IMAGE already in containerd ($id)"
    return 0
  fi
  ce save "$IMAGE" | ctr_ images import - >/dev/null || return 1
  echo "$id" >"$stamp"
}
timed "import image" import_image || die "importing $IMAGE into containerd failed"

# ---------- 2. RBAC ----------
kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$NS" >/dev/null
if kubectl -n "$NS" apply --dry-run=server -f "$repo/deploy/kubernetes/spark-rbac.yaml" >"$OUT/rbac-dry.log" 2>&1; then
  pass "kubectl apply --dry-run=server deploy/kubernetes/spark-rbac.yaml"
else
  fail "server-side dry run of spark-rbac.yaml: $(cat "$OUT/rbac-dry.log")"
fi
kubectl -n "$NS" apply -f "$repo/deploy/kubernetes/spark-rbac.yaml" >/dev/null
# The ServiceAccount must be able to do what the driver does.
for verb_res in "create pods" "watch pods" "delete pods" "create services" "create configmaps" \
                "create persistentvolumeclaims"; do
  # shellcheck disable=SC2086  # two words: verb and resource
  if [[ $(kubectl -n "$NS" auth can-i $verb_res --as "system:serviceaccount:$NS:spark") == yes ]]; then
    pass "serviceaccount spark can $verb_res"
  else
    fail "serviceaccount spark cannot $verb_res"
  fi
done
# Negative control of the RBAC check: the namespace's default ServiceAccount has no Role.
neg_total=$((neg_total + 1))
if [[ $(kubectl -n "$NS" auth can-i create pods --as "system:serviceaccount:$NS:default" || true) == no ]]; then
  neg_detected=$((neg_detected + 1))
  pass "negative control detected: serviceaccount default cannot create pods"
else
  fail "negative control: the RBAC check says yes for the default serviceaccount"
fi

# ---------- 3. the test job ----------
submit() {  # submit NAME MAIN_CLASS [CONF...]: cluster mode, 2 executors; waits for the driver to end
  local name=$1 main=$2 vol c
  shift 2
  local confs=("$@"
    spark.kubernetes.namespace="$NS"
    spark.kubernetes.container.image="$IMAGE"
    spark.kubernetes.container.image.pullPolicy=Never
    spark.kubernetes.authenticate.driver.serviceAccountName=spark
    spark.kubernetes.authenticate.submission.caCertFile="$PKI/ca.crt"
    spark.kubernetes.authenticate.submission.clientCertFile="$PKI/admin.crt"
    spark.kubernetes.authenticate.submission.clientKeyFile="$PKI/admin.key"
    spark.kubernetes.driver.pod.name="$name-driver"
    spark.kubernetes.executor.podNamePrefix="$name"
    spark.kubernetes.executor.deleteOnTermination=false
    spark.executor.instances=2
    spark.driver.memory=512m spark.executor.memory=512m
    spark.kubernetes.driver.request.cores=0.25 spark.kubernetes.executor.request.cores=0.25
    spark.kubernetes.submission.waitAppCompletion=true
  )
  for vol in driver executor; do
    confs+=("spark.kubernetes.$vol.volumes.hostPath.app.mount.path=/opt/vessel-test-app"
            "spark.kubernetes.$vol.volumes.hostPath.app.mount.readOnly=true"
            "spark.kubernetes.$vol.volumes.hostPath.app.options.path=$APP_DIR")
  done
  local args=(--master "k8s://https://$NODE_IP:6443" --deploy-mode cluster --name "$name" --class "$main")
  for c in "${confs[@]}"; do args+=(--conf "$c"); done
  # The submission client runs on this host, from the same Spark dist the image holds.
  env -u SPARK_CONF_DIR timeout 600 "$SPARK_HOME/bin/spark-submit" "${args[@]}" \
    local:///opt/vessel-test-app/vessel-pi.jar 20 >"$OUT/$name.submit.log" 2>&1 || true
  kubectl -n "$NS" logs "$name-driver" >"$OUT/$name.driver.log" 2>&1 || true
}

# check_job NAME [UID]: prints one line per failed check and returns 1 if any failed.
# UID: the uid the JVMs must run as; default: the spark user (vessel started as root).
check_job() {
  local name=$1 uid=${2:-'[0-9]+ \(user spark\)'} phase app execs n=0 bad=0 e
  phase=$(kubectl -n "$NS" get pod "$name-driver" -o jsonpath='{.status.phase}' 2>/dev/null || echo none)
  [[ $phase == Succeeded ]] || { echo "driver pod $name-driver is $phase, not Succeeded"; bad=1; }
  grep -Eq "vessel k8s: driver: starting /opt/spark/bin/spark-submit as uid $uid\$" "$OUT/$name.driver.log" ||
    { echo "driver log: vessel did not start spark-submit as uid $uid"; bad=1; }
  grep -q 'Pi is roughly 3\.1' "$OUT/$name.driver.log" || { echo "driver log: no 'Pi is roughly 3.1'"; bad=1; }
  grep -q 'Tasks ran on executors: 1,2$' "$OUT/$name.driver.log" ||
    { echo "driver log: tasks did not run on both executors 1 and 2"; bad=1; }
  app=$(kubectl -n "$NS" get pod "$name-driver" -o jsonpath='{.metadata.labels.spark-app-selector}' 2>/dev/null || true)
  execs=$(kubectl -n "$NS" get pods -l "spark-role=executor,spark-app-selector=${app:-none}" \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>/dev/null || true)
  for e in $execs; do
    n=$((n + 1))
    kubectl -n "$NS" logs "$e" >"$OUT/$e.log" 2>&1 || true
    grep -Eq "vessel k8s: executor: starting .*/bin/java as uid $uid\$" "$OUT/$e.log" ||
      { echo "executor $e: not started by vessel's executor contract as uid $uid"; bad=1; }
    grep -q 'Successfully registered with driver' "$OUT/$e.log" ||
      { echo "executor $e: never registered with the driver"; bad=1; }
  done
  [[ $n == 2 ]] || { echo "$n executor pods (spark-role=executor) ran, not 2"; bad=1; }
  return $bad
}

log "submitting vessel-pi (SparkPi, 2 executors, cluster mode)"
timed "job vessel-pi" submit vessel-pi vessel.k8s.VesselPi
if problems=$(check_job vessel-pi); then
  pass "vessel-pi: driver Succeeded, Pi is roughly 3.1, 2 executor pods ran through vessel, tasks on both"
else
  fail "vessel-pi: $(tr '\n' ';' <<<"$problems")"
  tail -n 30 "$OUT/vessel-pi.submit.log" "$OUT/vessel-pi.driver.log" >&2 || true
fi
grep -m1 'Pi is roughly' "$OUT/vessel-pi.driver.log" >&2 || true

# An arbitrary UID without a passwd entry, in group 0 (what OpenShift does), for driver
# and executors, through Spark's pod templates.
printf 'apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {runAsUser: 1000650000, runAsGroup: 0}\n' \
  >"$OUT/anyuid-pod.yaml"
log "submitting vessel-anyuid (the same job as UID 1000650000, no passwd entry)"
timed "job vessel-anyuid" submit vessel-anyuid vessel.k8s.VesselPi \
  spark.kubernetes.driver.podTemplateFile="$OUT/anyuid-pod.yaml" \
  spark.kubernetes.executor.podTemplateFile="$OUT/anyuid-pod.yaml"
if problems=$(check_job vessel-anyuid 1000650000); then
  pass "vessel-anyuid: the same, with driver and executors as UID 1000650000"
else
  fail "vessel-anyuid: $(tr '\n' ';' <<<"$problems")"
  tail -n 30 "$OUT/vessel-anyuid.submit.log" "$OUT/vessel-anyuid.driver.log" >&2 || true
fi

# ---------- 4. negative control ----------
log "negative control: a main class that does not exist"
timed "job vessel-nomain" submit vessel-nomain vessel.k8s.NoSuchMain
neg_total=$((neg_total + 1))
if problems=$(check_job vessel-nomain); then
  fail "negative control: the check passed a job whose main class does not exist"
else
  neg_detected=$((neg_detected + 1))
  pass "negative control detected: $(head -1 <<<"$problems")"
fi

printf '\n[k8s] times:\n' >&2
cat "$OUT/times" >&2
printf '[k8s] %d checks passed, %d failed; negative controls detected %d of %d; stage %ds\n' \
  "$passed" "$failed" "$neg_detected" "$neg_total" $((SECONDS - T0)) >&2
[[ $failed == 0 && $neg_detected == "$neg_total" && $passed -ge 11 ]]
