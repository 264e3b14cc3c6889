#!/bin/bash
# Runs inside the vessel-spark image (see jvms-in-image.sh): HDFS + Spark
# on the container's loopback, then the word count. Uses the argv from
# dockerfiles/README.md verbatim.
set -euo pipefail
H=$HADOOP_HOME S=$SPARK_HOME C=$HADOOP_CONF_DIR
cat > "$C/core-site.xml" <<X
<configuration><property><name>fs.defaultFS</name><value>hdfs://127.0.0.1:8020</value></property></configuration>
X
cat > "$C/hdfs-site.xml" <<X
<configuration>
<property><name>dfs.namenode.name.dir</name><value>file:///data/hdfs/name</value></property>
<property><name>dfs.datanode.data.dir</name><value>file:///data/hdfs/data</value></property>
<property><name>dfs.replication</name><value>1</value></property>
<property><name>dfs.namenode.rpc-bind-host</name><value>0.0.0.0</value></property>
<property><name>dfs.namenode.http-address</name><value>0.0.0.0:9870</value></property>
<property><name>dfs.namenode.datanode.registration.ip-hostname-check</name><value>false</value></property>
<property><name>dfs.permissions.enabled</name><value>false</value></property>
</configuration>
X
mkdir -p /data/hdfs /data/logs /data/spark-work
HCP="$C:$H/share/hadoop/common/*:$H/share/hadoop/common/lib/*:$H/share/hadoop/hdfs:$H/share/hadoop/hdfs/*:$H/share/hadoop/hdfs/lib/*"
HOPTS=(-Xmx512m -Djava.net.preferIPv4Stack=true "-Dhadoop.home.dir=$H" -Dhadoop.log.dir=/data/logs)
java -version 2>&1 | head -1
java "${HOPTS[@]}" -cp "$HCP" org.apache.hadoop.hdfs.server.namenode.NameNode -format -nonInteractive -clusterid vessel-ctest > /data/logs/format.log 2>&1 && echo "format rc=0"
java "${HOPTS[@]}" -cp "$HCP" org.apache.hadoop.hdfs.server.namenode.NameNode > /data/logs/nn.log 2>&1 &
java "${HOPTS[@]}" -cp "$HCP" org.apache.hadoop.hdfs.server.datanode.DataNode > /data/logs/dn.log 2>&1 &
export SPARK_LOCAL_IP=127.0.0.1
java -cp "$SPARK_CONF_DIR/:$S/jars/*" -Xmx1g org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 --webui-port 8080 > /data/logs/master.log 2>&1 &
java -cp "$SPARK_CONF_DIR/:$S/jars/*" -Xmx1g org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 7078 --webui-port 8081 --cores 2 --memory 2g --work-dir /data/spark-work spark://127.0.0.1:7077 > /data/logs/worker.log 2>&1 &
for _ in $(seq 60); do
  out=$(java -Xmx256m -cp "$HCP" org.apache.hadoop.hdfs.tools.DFSAdmin -report 2>/dev/null | grep -E '^Live datanodes' || true)
  [[ $out == "Live datanodes (1):" ]] && break; sleep 2
done
echo "dfsadmin: $out"
printf 'a b a\nc a b\n' > /tmp/w.txt
java -Xmx256m -cp "$HCP" org.apache.hadoop.fs.FsShell -put /tmp/w.txt /w.txt
"$S/bin/spark-submit" --master spark://127.0.0.1:7077 --class org.apache.spark.repl.Main --name wc \
  --driver-java-options "-Dscala.usejavacp=true -Dwc.in=hdfs://127.0.0.1:8020/w.txt -Dwc.out=hdfs://127.0.0.1:8020/wc" \
  --conf spark.executor.memory=512m --conf spark.driver.host=127.0.0.1 \
  -i /opt/vessel/examples/wordcount.scala </dev/null 2>/data/logs/submit.err | grep VESSEL_WC_DONE
echo "submit rc=${PIPESTATUS[0]}"
java -Xmx256m -cp "$HCP" org.apache.hadoop.fs.FsShell -cat '/wc/part-*' | sort
java -Xmx256m -cp "$HCP" org.apache.hadoop.hdfs.tools.DFSAdmin -safemode get
mapfile -t pids < <(jobs -p)
kill "${pids[@]}"
wait || true
