#!/usr/bin/env bash
# Fails unless ctest ran every Catch2 case of vessel_tests exactly once.
#
#   tests/unit/check_ctest_counts.sh BUILD_DIR [JUNIT_XML]
#
# Run it after `ctest --test-dir BUILD_DIR --output-junit unit-junit.xml
# --test-output-size-passed 4000000` (JUNIT_XML defaults to
# BUILD_DIR/unit-junit.xml; the size flag keeps Catch2's summary line, which
# ctest would cut from a long passing output). It checks the ctest entries
# labelled `unit`:
#   static:  each entry's command, asked for --list-test-names-only, selects
#            exactly one case, and together they select every listed case once;
#   run:     in the JUnit file each entry ran exactly one case (Catch2's
#            summary line), not "No tests ran" / "No test cases matched".
# Prints "catch2: N listed, M run via ctest". Negative control:
# tests/unit/test_check_ctest_counts.sh.
set -euo pipefail
export LC_ALL=C

build=${1:?usage: check_ctest_counts.sh BUILD_DIR [JUNIT_XML]}
junit=${2:-$build/unit-junit.xml}
exe=$build/vessel_tests
fail=0
bad() { echo "check_ctest_counts: FAIL: $*" >&2; fail=1; }

command -v jq >/dev/null || { echo "check_ctest_counts: FAIL: needs jq (apt-get install jq)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Catch2 exits with the number of cases it listed, so the status is not 0.
"$exe" --list-test-names-only >"$tmp/listed" || true
listed=$(grep -c '' "$tmp/listed" || true)
if [[ $listed -eq 0 ]]; then
  echo "check_ctest_counts: FAIL: $exe --list-test-names-only listed no case" >&2
  exit 1
fi

# ctest entries labelled unit, one line each: base64(name) base64(argv)...
ctest --test-dir "$build" --show-only=json-v1 -L '^unit$' \
  | jq -r '.tests[] | [.name] + .command | map(@base64) | join(" ")' >"$tmp/entries"

declare -A seen=()
entries=0
: >"$tmp/selected"
while read -r -a fields; do
  name=$(base64 -d <<<"${fields[0]}")
  argv=()
  for f in "${fields[@]:1}"; do argv+=("$(base64 -d <<<"$f")"); done
  entries=$((entries + 1))
  seen[$name]=1
  "${argv[@]}" --list-test-names-only >"$tmp/one" 2>/dev/null || true
  n=$(grep -c '' "$tmp/one" || true)
  if [[ $n -ne 1 ]]; then
    bad "ctest entry '$name' selects $n Catch2 cases, not 1"
  fi
  cat "$tmp/one" >>"$tmp/selected"
done <"$tmp/entries"

sort "$tmp/listed" >"$tmp/listed.sorted"
sort "$tmp/selected" >"$tmp/selected.sorted"
while IFS= read -r c; do bad "Catch2 case '$c' has no ctest entry"; done \
  < <(comm -23 "$tmp/listed.sorted" "$tmp/selected.sorted")
while IFS= read -r c; do bad "Catch2 case '$c' is selected by more than one ctest entry"; done \
  < <(uniq -d "$tmp/selected.sorted")

# From the JUnit file: name<TAB>cases run, for every test case element.
if [[ ! -f $junit ]]; then
  bad "no JUnit file $junit (run ctest with --output-junit)"
  : >"$tmp/ran"
else
  awk '
    function unxml(s) {
      gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s)
      gsub(/&apos;/, "\047", s); gsub(/&amp;/, "\\&", s); return s
    }
    /^[ \t]*<testcase name="/ {
      if (name != "") print name "\t" cases
      s = $0; sub(/^[ \t]*<testcase name="/, "", s); sub(/" classname=".*/, "", s)
      name = unxml(s); cases = 0; next
    }
    name != "" && match($0, /All tests passed \([0-9]+ assertions? in [0-9]+ test cases?\)/) {
      s = substr($0, RSTART, RLENGTH); sub(/.* in /, "", s); cases = s + 0
    }
    name != "" && match($0, /^test cases: *[0-9]+/) {
      s = substr($0, RSTART, RLENGTH); sub(/.*: */, "", s); cases = s + 0
    }
    END { if (name != "") print name "\t" cases }
  ' "$junit" >"$tmp/ran"
fi

declare -A ran=()
while IFS=$'\t' read -r name cases; do
  if [[ -n ${seen[$name]:-} ]]; then ran[$name]=$cases; fi
done <"$tmp/ran"

total=0
while read -r -a fields; do
  name=$(base64 -d <<<"${fields[0]}")
  cases=${ran[$name]:-0}
  if [[ $cases -ne 1 ]]; then
    bad "ctest entry '$name' ran $cases Catch2 cases, not 1 (No tests ran / not run?)"
  fi
  total=$((total + cases))
done <"$tmp/entries"

echo "catch2: $listed listed, $entries ctest entries, $total run via ctest"
if [[ $total -ne $listed ]]; then
  bad "$listed Catch2 cases listed but $total run via ctest"
fi
exit $fail
