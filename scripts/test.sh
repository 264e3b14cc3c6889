#!/usr/bin/env bash
# Runs every test of the project, from a fresh machine: installs what is
# missing, builds (plain and ASan+UBSan), then unit, PID-1, fuzz, cloud-init,
# end-to-end (real Spark + HDFS in containers), Spark on a real Kubernetes and a
# benchmark smoke run.
#
#   scripts/test.sh                 everything (what CI runs)
#   scripts/test.sh --only STAGE    one stage: unit asan fuzz lint cloudinit e2e chaos scalein k8s bench
#   scripts/test.sh --skip STAGE    everything but STAGE (repeatable); a skipped
#                                   stage is reported as SKIPPED, never as passed
set -euo pipefail
cd "$(dirname "$0")/.."

# scalein is not in the default run yet: its scenario 4 (a second drain) stalled
# once with 4 blocks under-replicated for 300 s (1 of 2 full runs; see
# tests/scalein/README.md). Run it with --only scalein; issue 10 stays open.
ALL_STAGES=(unit asan fuzz lint cloudinit e2e chaos k8s bench)
OPTIONAL_STAGES=(scalein)
only="" skip=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --only) only=$2; shift 2 ;;
    --skip) skip+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

JOBS=$(nproc)
results=()
t_all=$(date +%s)

# Stages run inside `if`, where set -e is off: each step's failure is returned
# explicitly. After ctest, check_ctest_counts.sh fails the stage unless every
# Catch2 case ran as its own ctest entry (issue 9: ~79 cases hid in one entry
# that ran nothing); the size flag keeps Catch2's summary in the JUnit file.
stage_unit() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || return 1
  cmake --build build -j"$JOBS" || return 1
  local rc=0
  ctest --test-dir build --output-on-failure -j"$JOBS" \
    --output-junit unit-junit.xml --test-output-size-passed 4000000 || rc=1
  tests/unit/check_ctest_counts.sh build build/unit-junit.xml || rc=1
  return $rc
}

stage_asan() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVESSEL_SANITIZE=ON >/dev/null || return 1
  cmake --build build-asan -j"$JOBS" || return 1
  local rc=0
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest --test-dir build-asan --output-on-failure -j"$JOBS" \
    --output-junit unit-junit.xml --test-output-size-passed 4000000 || rc=1
  tests/unit/check_ctest_counts.sh build-asan build-asan/unit-junit.xml || rc=1
  unset ASAN_OPTIONS UBSAN_OPTIONS
  return $rc
}

stage_fuzz() { tests/fuzz/run.sh --seconds "${VESSEL_FUZZ_SECONDS:-20}"; }

stage_lint() {
  mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
  # Warnings and errors fail; style notes (info) do not.
  shellcheck -x -S warning "${scripts[@]}"
}

stage_cloudinit() { tests/cloudinit/run.sh build/vessel; }

stage_e2e() { tests/e2e/run.sh; }

# Real-cluster change scenarios (SIGHUP, new IPs, wrong token, full disk,
# removal) on one shared cluster; the image e2e built is reused from cache.
stage_chaos() { tests/chaos/run.sh; }

# Graceful scale-in (issue 10): drains on SIGTERM, during a Spark job, two
# drains then a simultaneous removal, refusal and cancel, and the negative
# control (the same removal without a drain loses blocks).
stage_scalein() { tests/scalein/run.sh; }

# Spark's native Kubernetes mode on a real single-node Kubernetes built from the Go
# module proxy (cached in ~/.cache/vessel/k8s; ~15 min once on a fresh machine).
# run.sh builds unlocked, then runs the cluster part under
# flock /tmp/vessel-cluster.lock itself (flock(1) holds it, not the daemons).
stage_k8s() { tests/k8s/run.sh; }

stage_bench() { tests/bench/run.sh --smoke; }

scripts/install-deps.sh

failed=0
stages=("${ALL_STAGES[@]}")
[[ -n $only ]] || results+=("NOT RUN scalein (optional: scripts/test.sh --only scalein)")
[[ " ${OPTIONAL_STAGES[*]} " != *" $only "* ]] || stages=("$only")
for st in "${stages[@]}"; do
  if [[ -n $only && $st != "$only" ]]; then continue; fi
  if [[ " ${skip[*]} " == *" $st "* ]]; then results+=("SKIPPED $st"); continue; fi
  echo
  echo "=== stage $st ==="
  t0=$(date +%s)
  if "stage_$st"; then
    results+=("PASS    $st ($(( $(date +%s) - t0 ))s)")
  else
    results+=("FAIL    $st ($(( $(date +%s) - t0 ))s)")
    failed=1
  fi
done

echo
echo "=== summary ($(( $(date +%s) - t_all ))s) ==="
printf '%s\n' "${results[@]}"
exit $failed
