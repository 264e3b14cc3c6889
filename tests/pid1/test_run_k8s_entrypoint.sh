#!/usr/bin/env bash
# PID-1 test: Spark's Kubernetes contract end to end on the real binary, as
# PID 1 of a PID namespace and as an unprivileged UID (nobody), the way a pod
# with a securityContext runs it:
#   - `vessel executor` execs $JAVA_HOME/bin/java with the exact argv of the
#     contract (SPARK_JAVA_OPT_<n> in numeric order), as a child of PID 1;
#   - SIGPWR sent to PID 1 (Spark's decommissioning) reaches the JVM;
#   - vessel exits with the JVM's code (128+9 when it is killed);
#   - a hostile SPARK_EXECUTOR_CORES is refused by name, java never starts;
#   - any other command passes through as `vessel init -- CMD`.
# Named test_run_* so it runs against `vessel` only (vessel-init has no roles).
set -euo pipefail
# shellcheck source=tests/pid1/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

T=$(mktemp -d)
ns_pid=""
cleanup() {
  [[ -z "$ns_pid" ]] || kill -KILL "$ns_pid" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/jdk/bin" "$T/spark/work-dir"
# A stand-in JVM: records its argv, then becomes the signal catcher.
cat >"$T/jdk/bin/java" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done > $T/argv
pwd > $T/cwd
exec $HELPERS/sigcatch $T/sig.log
EOF
chmod -R a+rX "$T"
chmod 0777 "$T"
chmod a+x "$T/jdk/bin/java"

executor_env=(
  PATH=/usr/bin:/bin JAVA_HOME="$T/jdk" SPARK_HOME="$T/spark"
  SPARK_DRIVER_URL=spark://CoarseGrainedScheduler@pi-driver-svc.ns.svc:7078
  SPARK_EXECUTOR_ID=3 SPARK_EXECUTOR_CORES=2 SPARK_EXECUTOR_MEMORY=512m
  SPARK_APPLICATION_ID=spark-abc123 SPARK_EXECUTOR_POD_IP=10.244.0.33
  SPARK_RESOURCE_PROFILE_ID=0 SPARK_EXECUTOR_POD_NAME=pi-exec-3
  SPARK_JAVA_OPT_10=-Dten SPARK_JAVA_OPT_2=-Dtwo SPARK_JAVA_OPT_1=-Done
)


# --- the executor, as PID 1 (started in /, as a container without a workingDir) --
cd /
unshare --pid --fork --mount-proc setpriv --reuid=65534 --regid=65534 --clear-groups \
  env -i "${executor_env[@]}" "$VESSEL" executor 2>"$T/stderr" &
ns_pid=$!
wait_for_line "$T/sig.log" '^ready$' 10 || fail "the stand-in JVM never started: $(cat "$T/stderr")"
init_pid=$(<"/proc/$ns_pid/task/$ns_pid/children")
init_pid=${init_pid%% *}
assert_eq "PID 1 of the namespace is vessel" "$(readlink -f "$VESSEL")" "$(readlink -f "/proc/$init_pid/exe")"
assert_eq "vessel runs as uid" 65534 "$(awk '/^Uid:/ {print $2}' "/proc/$init_pid/status")"
want="-Done
-Dtwo
-Dten
-Xms512m
-Xmx512m
-cp
$T/spark/conf:$T/spark/jars/*
org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend
--driver-url
spark://CoarseGrainedScheduler@pi-driver-svc.ns.svc:7078
--executor-id
3
--cores
2
--app-id
spark-abc123
--hostname
10.244.0.33
--resourceProfileId
0
--podName
pi-exec-3"
assert_eq "the JVM's argv (numeric SPARK_JAVA_OPT order)" "$want" "$(cat "$T/argv")"
assert_eq "the JVM's working directory" "$T/spark/work-dir" "$(cat "$T/cwd")"

kill -PWR "$init_pid"
wait_for_line "$T/sig.log" '^sig 30$' 5 || fail "SIGPWR sent to PID 1 never reached the JVM"
ok "SIGPWR to PID 1 reached the JVM (decommission)"
jvm_pid=$(<"/proc/$init_pid/task/$init_pid/children")
kill -KILL "${jvm_pid%% *}"
rc=0
wait "$ns_pid" || rc=$?
ns_pid=""
assert_eq "vessel's exit code when the JVM is killed" 137 "$rc"

# --- a hostile value is refused by name; java never starts ------------------
rm -f "$T/argv"
rc=0
as_pid1 setpriv --reuid=65534 --regid=65534 --clear-groups \
  env -i "${executor_env[@]}" SPARK_EXECUTOR_CORES='2 --driver-url spark://evil' \
  "$VESSEL" executor 2>"$T/stderr" || rc=$?
assert_eq "exit code for a hostile SPARK_EXECUTOR_CORES" 2 "$rc"
grep -q 'SPARK_EXECUTOR_CORES: must be a decimal number' "$T/stderr" ||
  fail "the error does not name SPARK_EXECUTOR_CORES: $(cat "$T/stderr")"
[[ ! -e $T/argv ]] || fail "java was started despite the bad variable"
ok "hostile SPARK_EXECUTOR_CORES refused by name, java not started"

# --- pass-through ---------------------------------------------------------------
rc=0
as_pid1 setpriv --reuid=65534 --regid=65534 --clear-groups "$VESSEL" sh -c 'echo "pid $$"; exit 7' >"$T/pt" 2>&1 || rc=$?
assert_eq "pass-through exit code" 7 "$rc"
# The shell is vessel's child, so not PID 1 (under plain exec it would be).
assert_eq "pass-through command is PID 1's child" "pid 2" "$(cat "$T/pt")"
