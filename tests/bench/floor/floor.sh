#!/bin/bash
# The "floor" of the bring-up benchmark (tests/bench/bringup.sh): the JVMs of
# one vessel-spark node started straight from bash, with no vessel at all.
# It is the container's entrypoint (PID 1) in the same image vessel ships in.
#
#   floor.sh ROLE MASTER CLUSTER_ID        ROLE: master | worker
#
# Inputs, prepared by bringup.sh from `vessel render` of the same node:
#   /bench/node/files/      the config files vessel writes at boot (re-rooted)
#   /bench/node/plan.argv   one service a line: NAME USER ARGV... (the argv of
#                           vessel's own plan, so both modes run the same JVMs)
# /etc/hosts comes from `--add-host` (the floor has no hosts sync).
#
# Everything else mirrors roles/master.yaml and roles/worker.yaml by hand:
# dirs (owner, group, mode), the hdfs-format pre_start on a fresh name dir,
# the per-service environment (vessel gives a service PATH, HOME, USER,
# LOGNAME plus the role's env, nothing inherited), the users, and the
# wait_for TCP checks (1 s interval, 2 s timeout). Services with no wait run
# at once and in parallel, as vessel's supervisor starts them.
# Keep it in step with the role files when they change.
set -u
role=${1:?role} master=${2:?master} cluster_id=${3:?cluster id}
node=/bench/node
hcp="/etc/hadoop:/opt/hadoop/share/hadoop/common/*:/opt/hadoop/share/hadoop/common/lib/*:/opt/hadoop/share/hadoop/hdfs:/opt/hadoop/share/hadoop/hdfs/*:/opt/hadoop/share/hadoop/hdfs/lib/*"
java_home=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}

echo "floor: $role node, master $master, cluster $cluster_id"
cp -a "$node/files/." / || { echo "floor: cannot install rendered files" >&2; exit 2; }

mkd() { mkdir -p "$1" && chown "$2:$3" "$1" && chmod "$4" "$1"; }
case $role in
  master)
    mkd /data/hdfs/name hdfs hadoop 0700
    mkd /data/logs root hadoop 1777
    mkd /data/tmp root hadoop 1777
    ;;
  worker)
    mkd /data/hdfs/data hdfs hadoop 0700
    mkd /data/spark/work spark hadoop 0750
    mkd /data/logs root hadoop 1777
    mkd /data/tmp root hadoop 1777
    ;;
  *) echo "floor: unknown role $role" >&2; exit 2 ;;
esac

# shellcheck disable=SC2034 # both arrays are read through the nameref in as()
hadoop_env=(HADOOP_CONF_DIR=/etc/hadoop HADOOP_HOME=/opt/hadoop "JAVA_HOME=$java_home")
# shellcheck disable=SC2034
spark_env=(SPARK_HOME=/opt/spark SPARK_CONF_DIR=/opt/spark/conf SPARK_SCALA_VERSION=2.12
  HADOOP_CONF_DIR=/etc/hadoop "JAVA_HOME=$java_home")

# as USER ENV_NAME ARGV...: execs ARGV as USER:hadoop (supplementary groups
# from /etc/group, like vessel's setgroups) in a clean environment. It
# replaces the calling (sub)shell, so the JVM is the pid that `wait` sees.
as() {
  local user=$1 envname=$2 home
  shift 2
  local -n extra=$envname
  home=$(getent passwd "$user" | cut -d: -f6)
  exec setpriv --reuid="$user" --regid=hadoop --init-groups \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "HOME=$home" "USER=$user" "LOGNAME=$user" "${extra[@]}" "$@"
}

# wait_tcp HOST PORT: the role files' wait_for (interval 1s, timeout 2s).
wait_tcp() {
  until timeout 2 bash -c ">/dev/tcp/$1/$2" 2>/dev/null; do sleep 1; done
}

# master.yaml's pre_start guard: format only when no VERSION exists (a fresh
# volume), with the pre_start argv of the role file.
format_if_fresh() {
  [[ -e /data/hdfs/name/current/VERSION ]] && return 0
  (as hdfs hadoop_env java -Xmx512m -Djava.net.preferIPv4Stack=true -Dhadoop.home.dir=/opt/hadoop \
    -Dhadoop.log.dir=/data/logs -cp "$hcp" org.apache.hadoop.hdfs.server.namenode.NameNode \
    -format -nonInteractive -clusterid "$cluster_id")
}

pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait; exit 0' TERM INT
mapfile -t plan <"$node/plan.argv"
exec </dev/null
for line in "${plan[@]}"; do
  read -r name user rest <<<"$line"
  [[ -n $name ]] || continue
  read -ra argv <<<"$rest" # read -a never globs: the classpath's * stays
  case $name in
    namenode) { format_if_fresh && as "$user" hadoop_env "${argv[@]}"; } & ;;
    datanode) { wait_tcp "$master" 8020 && as "$user" hadoop_env "${argv[@]}"; } & ;;
    spark-master) as "$user" spark_env "${argv[@]}" & ;;
    spark-worker) { wait_tcp "$master" 7077 && as "$user" spark_env "${argv[@]}"; } & ;;
    *) echo "floor: unknown service $name" >&2; exit 2 ;;
  esac
  pids+=($!)
  echo "floor: $name as $user (pid $!)"
done
wait
