#!/usr/bin/env bash
# Proves the image's Java 17 + Spark/Hadoop layout without vessel: runs
# smoke/in-container.sh in one container (as user hdfs) which formats HDFS,
# starts NameNode, DataNode, Spark Master and Worker on the container's
# loopback, waits for 1 live DataNode, and runs the word count from
# examples/wordcount.scala against HDFS. Exit 0 only if the counts are right.
# Usage: dockerfiles/smoke/jvms-in-image.sh [IMAGE]   (default localhost/vessel-spark:dev)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../../tests/lib/containers.sh
source "$here/../../tests/lib/containers.sh"
image=${1:-localhost/vessel-spark:dev}
name=vessel-jvm-smoke-$$
trap 'ce rm -f -t 0 "$name" >/dev/null 2>&1 || true' EXIT
t0=$SECONDS
out=$(ce run --name "$name" --user hdfs --entrypoint /bin/bash \
  -v "$here/in-container.sh:/smoke.sh:ro" "$image" /smoke.sh 2>&1 | grep -v 'systemd') || {
  echo "$out"; echo "smoke: container failed" >&2; exit 1; }
echo "$out"
expected=$'a\t3\nb\t2\nc\t1'
if [[ $out != *"VESSEL_WC_DONE 3"* || $out != *"$expected"* ]]; then
  echo "smoke: FAILED (word count output missing or wrong)" >&2
  exit 1
fi
echo "smoke: OK in $((SECONDS - t0))s"
