#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fuzz/ and runs
# each one for N seconds on a scratch copy of its seed corpus, so the repo
# corpus never grows in CI. Exits non-zero on any crash, leak, timeout or
# OOM, printing the path of the input that triggered it.
#
#   tests/fuzz/run.sh [--seconds N] [TARGET...]   (default 20 s, all targets)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

seconds=20
targets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [[ ${#targets[@]} -eq 0 ]]; then
  for src in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi

BUILD=${VESSEL_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVESSEL_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" --target "${targets[@]}"

work=$(mktemp -d /tmp/vessel-fuzz.XXXXXX)
echo "fuzz: ${seconds}s per target, scratch dir $work (kept on failure)"
failed=()
for t in "${targets[@]}"; do
  corpus=$work/$t/corpus
  artifacts=$work/$t/artifacts/
  mkdir -p "$corpus" "$artifacts"
  if [[ -d tests/fuzz/corpus/$t ]]; then cp -r "tests/fuzz/corpus/$t/." "$corpus/"; fi
  dict=()
  if [[ -f tests/fuzz/$t.dict ]]; then dict=(-dict="tests/fuzz/$t.dict"); fi
  echo "--- $t"
  rc=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/fuzz/$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" >"$work/$t/log" 2>&1 || rc=$?
  grep -E '^Done [0-9]+ runs' "$work/$t/log" || true
  if [[ $rc -ne 0 ]]; then
    echo "FAIL $t (exit $rc); log: $work/$t/log"
    grep -E 'ERROR: |SUMMARY: |runtime error' "$work/$t/log" | head -5 || true
    for a in "$artifacts"*; do [[ -e $a ]] && echo "  crash input: $a"; done
    failed+=("$t")
  else
    echo "ok   $t"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs and logs under $work)"
  exit 1
fi
rm -rf "$work"
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s without a crash"
