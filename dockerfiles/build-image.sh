#!/usr/bin/env bash
# Builds the vessel-spark image: assembles (or reuses) the Spark and Hadoop
# homes, makes sure the base image exists, stages a build context and builds.
#
# Usage: dockerfiles/build-image.sh [--tag TAG] [ASSEMBLE-DISTS OPTIONS...]
#   --tag TAG   image tag (default localhost/vessel-spark:dev)
#   Every other option goes to assemble-dists.sh (e.g. --spark-tgz FILE).
# Env: CONTAINER_ENGINE (podman|docker), VESSEL_BASE_IMAGE, see
#      tests/lib/containers.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=SCRIPTDIR/../tests/lib/containers.sh
source "$repo/tests/lib/containers.sh"

tag=localhost/vessel-spark:dev
assemble_args=()
while (($#)); do
  case $1 in
    --tag) tag=${2:?--tag needs a value}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) assemble_args+=("$1"); shift ;;
  esac
done

t_start=$SECONDS t_phase=$SECONDS phase_name=""
phase() {
  if [[ -n $phase_name ]]; then
    printf '[image] %-36s %4ds\n' "$phase_name" $((SECONDS - t_phase)) >&2
  fi
  phase_name=$1 t_phase=$SECONDS
  [[ -z $phase_name ]] || printf '[image] %s ...\n' "$phase_name" >&2
}

phase "assemble dists"
env_out=$("$here/assemble-dists.sh" --print-env "${assemble_args[@]}")
eval "$env_out"   # sets SPARK_HOME, HADOOP_HOME (values are %q-quoted)

phase "base image"
base=$(ensure_base_image)

phase "stage build context"
ctx=$(mktemp -d "${TMPDIR:-/tmp}/vessel-image-ctx.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/src" "$ctx/dists" "$ctx/roles" "$ctx/examples"
# Only what the compile needs, as git sees the working tree (tracked +
# untracked-not-ignored; no build dirs): editing docs, tests or this script
# does not invalidate the compile layer.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard -- CMakeLists.txt agent cmake \
  | while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done \
  | xargs -0 cp --parents -t "$ctx/src")
# Hard links when the cache shares the filesystem (instant), else copies.
cp -al "$SPARK_HOME" "$ctx/dists/spark" 2>/dev/null || cp -a "$SPARK_HOME" "$ctx/dists/spark"
cp -al "$HADOOP_HOME" "$ctx/dists/hadoop" 2>/dev/null || cp -a "$HADOOP_HOME" "$ctx/dists/hadoop"
rm -f "$ctx/dists/spark/.vessel-complete" "$ctx/dists/hadoop/.vessel-complete"
[[ ! -d $repo/roles ]] || cp -a "$repo/roles/." "$ctx/roles/"
cp -a "$here/examples/." "$ctx/examples/"

phase "build $tag (base $base)"
ce build --build-arg "BASE_IMAGE=$base" -t "$tag" \
  -f "$here/Dockerfile" "$ctx" >&2

phase ""
size=$(ce image inspect --format '{{.Size}}' "$tag")
printf '[image] %s built in %ds, size %s MB\n' "$tag" $((SECONDS - t_start)) $((size / 1000000)) >&2
