#!/usr/bin/env bash
# regress: an entry matching no case fails CI (issue 9).
#
#   tests/unit/test_check_ctest_counts.sh BUILD_DIR
#
# Negative control of check_ctest_counts.sh. Rebuilds the old bug in a scratch
# ctest dir: the real per-case entries of BUILD_DIR plus one entry whose name
# is several cases merged, as catch_discover_tests produced for a name with
# `]]>`. That entry matches no case, so Catch2 prints "No tests ran" and
# exits 0: ctest alone reports it as passed. The check must fail on it.
set -euo pipefail

build=$(cd "${1:?usage: test_check_ctest_counts.sh BUILD_DIR}" && pwd)
gen=$build/vessel_tests_ctest.cmake
[[ -f $gen ]] || { echo "FAIL: $gen missing (build vessel_tests first)" >&2; exit 1; }
check=$(dirname "$0")/check_ctest_counts.sh

fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
ln -s "$build/vessel_tests" "$fake/vessel_tests"
merged='XML: </value>, ]]> and & land escaped;shell_quote: bash reads back'
cat >"$fake/CTestTestfile.cmake" <<EOF
include([==[$gen]==])
add_test(merged_entry [==[$build/vessel_tests]==] [==[$merged]==])
set_tests_properties(merged_entry PROPERTIES LABELS unit)
EOF

# The bug: ctest says the merged entry passed.
if ! ctest --test-dir "$fake" -R '^merged_entry$' --output-junit junit.xml \
     --test-output-size-passed 4000000 >"$fake/ctest.log" 2>&1; then
  cat "$fake/ctest.log" >&2
  echo "FAIL: ctest did not pass the merged entry; the control no longer rebuilds the bug" >&2
  exit 1
fi
grep -q 'No tests ran' "$fake/junit.xml" \
  || { echo "FAIL: the merged entry did not print 'No tests ran'" >&2; exit 1; }

if "$check" "$fake" "$fake/junit.xml" >"$fake/check.log" 2>&1; then
  cat "$fake/check.log" >&2
  echo "FAIL: check_ctest_counts.sh passed a ctest entry that matches no case" >&2
  exit 1
fi
for want in "ctest entry 'merged_entry' selects 0 Catch2 cases" \
            "ctest entry 'merged_entry' ran 0 Catch2 cases"; do
  grep -qF "$want" "$fake/check.log" \
    || { cat "$fake/check.log" >&2; echo "FAIL: check output lacks: $want" >&2; exit 1; }
done
echo "PASS: an entry matching no case fails CI"
