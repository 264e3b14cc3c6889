#!/usr/bin/env bash
# Tests for cloud-init/: every example user_data, the NoCloud seeds and the
# ConfigDrive layout render with the real `vessel render` (asserting what is
# rendered, not just the exit code); #cloud-config files pass cloud-init's
# own schema validator; the Heat template's references resolve (and the
# checker is shown to reject broken copies); what Heat would hand each
# server renders too; hostile values are escaped or rejected naming the field.
#
# usage: tests/cloudinit/run.sh PATH-TO-VESSEL
# Prints one line per check; exits 1 if any check failed.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 PATH-TO-VESSEL" >&2
  exit 2
fi
VESSEL=$(realpath "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CI="$ROOT/cloud-init"
ROLES="$ROOT/roles"
HOT="$CI/heat/vessel-spark.yaml"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Placeholder secrets used by the examples; they must never be echoed.
SECRETS=("change-me-cluster-token" "change-me-keystone-token")

passed=0
failed=0
pass() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
indent() { sed 's/^/       | /' "$@"; }

# A clean environment: CORE_CONF_*, HDFS_CONF_*, VESSEL_* in the caller's
# environment would otherwise change what vessel renders.
vessel_render() { env -i PATH="$PATH" "$VESSEL" render --roles-dir "$ROLES" "$@"; }

# xml_prop FILE NAME: prints the value of property NAME; fails when the file
# is not well-formed XML or lacks the property (parsing proves both).
xml_prop() {
  [[ -f $1 ]] || { echo "$1: not written"; return 1; }
  python3 - "$1" "$2" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
hits = [p.findtext("value") for p in root.findall("property") if p.findtext("name") == sys.argv[2]]
if len(hits) != 1:
    sys.exit(f"{sys.argv[2]}: {len(hits)} properties of that name in {sys.argv[1]}")
print(hits[0], end="")
PY
}

# plan_role LOG: the role line of the printed plan, e.g. "worker (vessel.role)".
plan_role() { awk '$1 == "role" { $1 = ""; sub(/^ +/, ""); print; exit }' "$1"; }

# leaks_secret DIR LOG [SECRET...]: true when any secret appears in vessel's
# output or in a rendered file.
leaks_secret() {
  local dir=$1 log=$2 s
  shift 2
  for s in "${SECRETS[@]}" "$@"; do
    if grep -qF -- "$s" "$log" || grep -rqF -- "$s" "$dir"; then return 0; fi
  done
  return 1
}

# check_render NAME WANT_FS WANT_ROLE -- RENDER-ARGS...
check_render() {
  local name=$1 want_fs=$2 want_role=$3
  shift 4
  local out="$WORK/out/$name" log="$WORK/out/$name.log" rc=0 got role
  mkdir -p "$(dirname "$log")"
  vessel_render --out "$out" "$@" >"$log" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "$name: vessel render exited $rc"
    indent "$log"
    return
  fi
  if ! got=$(xml_prop "$out/etc/hadoop/core-site.xml" fs.defaultFS 2>&1); then
    fail "$name: core-site.xml: $got"
    return
  fi
  if [[ $got != "$want_fs" ]]; then
    fail "$name: fs.defaultFS is '$got', want '$want_fs'"
    return
  fi
  role=$(plan_role "$log")
  if [[ $role != "$want_role" ]]; then
    fail "$name: plan says role '$role', want '$want_role'"
    return
  fi
  if leaks_secret "$out" "$log" "${EXTRA_SECRETS[@]}"; then
    fail "$name: a secret appears in the plan or a rendered file"
    return
  fi
  pass "$name: fs.defaultFS=$got, role $role, no secret in output"
}

# check_reject NAME FIELD -- RENDER-ARGS...: exit 2, the message names FIELD
# and nothing was written.
check_reject() {
  local name=$1 field=$2
  shift 3
  local out="$WORK/out/$name" log="$WORK/out/$name.log" rc=0
  mkdir -p "$(dirname "$log")"
  vessel_render --out "$out" "$@" >"$log" 2>&1 || rc=$?
  if [[ $rc -ne 2 ]]; then
    fail "$name: exit $rc, want 2"
    indent "$log"
  elif ! grep -qF -- "$field" "$log"; then
    fail "$name: message does not name $field"
    indent "$log"
  elif [[ -e $out/etc/hadoop/core-site.xml ]]; then
    fail "$name: rejected, but core-site.xml was written anyway"
  else
    pass "$name: rejected with exit 2 naming $field"
  fi
}

EXTRA_SECRETS=()
EX="$CI/examples"
HOST=$(uname -n)

echo "# examples/ via --user-data"
check_render master.yaml "hdfs://10.0.0.5:8020" "master (vessel.role)" -- --user-data "$EX/master.yaml"
check_render worker.yaml "hdfs://10.0.0.5:8020" "worker (vessel.role)" -- --user-data "$EX/worker.yaml"
check_render worker.json "hdfs://spark-master:8020" "worker (vessel.role)" -- --user-data "$EX/worker.json"
check_render master.cloud-config.yaml "hdfs://10.0.0.5:8020" "master (vessel.role)" -- \
  --user-data "$EX/master.cloud-config.yaml"
# No master: a standalone node is its own master, named by its hostname.
check_render standalone.cloud-config.yaml "hdfs://$HOST:8020" "standalone (vessel.role)" -- \
  --user-data "$EX/standalone.cloud-config.yaml"
# --role beats vessel.role; the master file names the master, so it works
# unchanged as a worker's user_data.
check_render "master.yaml --role worker" "hdfs://10.0.0.5:8020" "worker (--role)" -- \
  --user-data "$EX/master.yaml" --role worker
check_render worker.heat-mime.txt "hdfs://10.0.0.5:8020" "worker (vessel.role)" -- \
  --user-data "$EX/worker.heat-mime.txt"
gzip -n -c "$EX/worker.yaml" >"$WORK/worker.yaml.gz"
check_render "worker.yaml gzipped" "hdfs://10.0.0.5:8020" "worker (vessel.role)" -- \
  --user-data "$WORK/worker.yaml.gz"

# The committed MIME file is what its generator makes from worker.yaml.
python3 "$EX/make_heat_mime.py" "$EX/worker.yaml" "$WORK/worker.heat-mime.txt"
if cmp -s "$WORK/worker.heat-mime.txt" "$EX/worker.heat-mime.txt"; then
  pass "worker.heat-mime.txt matches make_heat_mime.py output"
else
  fail "worker.heat-mime.txt is stale: rerun make_heat_mime.py worker.yaml worker.heat-mime.txt"
fi

echo "# NoCloud seeds and ConfigDrive layout"
check_render nocloud/spark-master "hdfs://spark-master:8020" "master (vessel.master)" -- \
  --source nocloud --nocloud-dir "$CI/nocloud/spark-master"
check_render nocloud/spark-worker-0 "hdfs://spark-master:8020" "worker (default)" -- \
  --source nocloud --nocloud-dir "$CI/nocloud/spark-worker-0"
check_render configdrive "hdfs://10.0.0.5:8020" "worker (meta_data meta.role)" -- \
  --source configdrive --configdrive-dir "$CI/configdrive"
# Nova writes the same data under every version directory.
if diff -r "$CI/configdrive/openstack/latest" "$CI/configdrive/openstack/2018-08-27" >/dev/null; then
  pass "configdrive: latest/ and 2018-08-27/ agree"
else
  fail "configdrive: latest/ and 2018-08-27/ differ"
fi

echo "# cloud-init schema validator on every #cloud-config file"
if ! command -v cloud-init >/dev/null; then
  fail "cloud-init is not installed: cannot validate (apt-get install cloud-init)"
else
  mapfile -t cc_files < <(grep -rlx '#cloud-config' "$CI" | sort)
  if [[ ${#cc_files[@]} -lt 3 ]]; then
    fail "found only ${#cc_files[@]} #cloud-config files under cloud-init/"
  fi
  for f in "${cc_files[@]}"; do
    rel=${f#"$ROOT"/}
    # Only files that start with the header are cloud-config documents.
    [[ $(head -n 1 "$f") == "#cloud-config" ]] || continue
    rc=0
    cloud-init schema --config-file "$f" >"$WORK/schema.log" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]] && grep -q '^Valid cloud-config' "$WORK/schema.log"; then
      pass "cloud-init schema: $rel is valid"
    else
      fail "cloud-init schema: $rel (exit $rc)"
      indent "$WORK/schema.log"
    fi
  done
  # The validator can fail: a wrong type for a real module key is rejected.
  { cat "$EX/master.cloud-config.yaml"; echo "runcmd: 5"; } >"$WORK/bad.cloud-config.yaml"
  if cloud-init schema --config-file "$WORK/bad.cloud-config.yaml" >"$WORK/schema.log" 2>&1; then
    fail "cloud-init schema accepted runcmd: 5 (the validator check proves nothing)"
  else
    pass "cloud-init schema rejects a broken copy (runcmd: 5)"
  fi
fi

echo "# Heat template"
if python3 "$HERE/check_hot.py" "$HOT" >"$WORK/hot.log" 2>&1; then
  pass "check_hot: $(tail -n 1 "$WORK/hot.log")"
else
  fail "check_hot: cloud-init/heat/vessel-spark.yaml"
  indent "$WORK/hot.log"
fi
if python3 "$HERE/check_hot.py" --self-test "$HOT" >"$WORK/hot-self.log" 2>&1; then
  pass "check_hot --self-test: $(grep -c '^ok   rejected' "$WORK/hot-self.log") broken copies rejected"
else
  fail "check_hot --self-test"
  indent "$WORK/hot-self.log"
fi
# A broken copy on disk: an undeclared parameter must fail the checker.
sed 's/{get_param: worker_count}/{get_param: worker_cnt}/' "$HOT" >"$WORK/broken-hot.yaml"
if cmp -s "$HOT" "$WORK/broken-hot.yaml"; then
  fail "broken HOT copy: the sed found nothing to break"
elif python3 "$HERE/check_hot.py" "$WORK/broken-hot.yaml" >"$WORK/hot-broken.log" 2>&1; then
  fail "check_hot accepted a template with get_param: worker_cnt"
elif grep -q "undeclared parameter 'worker_cnt'" "$WORK/hot-broken.log"; then
  pass "check_hot rejects the broken copy naming worker_cnt"
else
  fail "check_hot rejected the broken copy for another reason"
  indent "$WORK/hot-broken.log"
fi

# What Nova would hand each server of the stack, as a ConfigDrive.
for spec in "master:0:master" "workers:1:worker"; do
  IFS=: read -r res idx role <<<"$spec"
  dir="$WORK/hot-$res"
  if ! python3 "$HERE/hot_user_data.py" "$HOT" "$res" "$dir" "$idx" >"$WORK/hot-secrets" 2>"$WORK/hot-ud.log"; then
    fail "hot_user_data $res"
    indent "$WORK/hot-ud.log"
    continue
  fi
  mapfile -t EXTRA_SECRETS <"$WORK/hot-secrets"
  check_render "heat ${res}[${idx}] user_data" "hdfs://10.0.0.5:8020" "$role (meta_data meta.role)" -- \
    --source configdrive --configdrive-dir "$dir"
  EXTRA_SECRETS=()
done

echo "# hostile user_data"
H="$HERE/hostile"
check_render hostile/xml-close-tag "hdfs://10.0.0.5:8020" "worker (vessel.role)" -- \
  --user-data "$H/xml-close-tag.yaml"
hx="$WORK/out/hostile/xml-close-tag/etc/hadoop"
want='</value></property><property><name>dfs.permissions.enabled</name><value>false'
if [[ -f $hx/hdfs-site.xml ]]; then
  if ! grep -qF '&lt;/value&gt;' "$hx/hdfs-site.xml"; then
    fail "hostile xml: &lt;/value&gt; not found in hdfs-site.xml"
  elif [[ $(xml_prop "$hx/hdfs-site.xml" dfs.hostile.note) != "$want" ]]; then
    fail "hostile xml: dfs.hostile.note does not read back unchanged"
  elif xml_prop "$hx/hdfs-site.xml" dfs.permissions.enabled >/dev/null 2>&1; then
    fail "hostile xml: an injected dfs.permissions.enabled property exists"
  else
    pass "hostile xml: </value> escaped as &lt;/value&gt;, value reads back, nothing injected"
  fi
  if [[ $(xml_prop "$hx/core-site.xml" hadoop.hostile.amp) == "a & b <c> \"d\" 'e'" ]]; then
    pass "hostile xml: & < > quotes in core.* read back unchanged"
  else
    fail "hostile xml: hadoop.hostile.amp does not read back unchanged"
  fi
else
  fail "hostile xml: nothing rendered to inspect"
fi

check_render hostile/shell-env "hdfs://10.0.0.5:8020" "worker (vessel.role)" -- --user-data "$H/shell-env.yaml"
senv="$WORK/out/hostile/shell-env/opt/spark/conf/spark-env.sh"
if [[ -f $senv ]]; then
  mkdir -p "$WORK/sandbox"
  # Source it the way Spark does; a command substitution would create the
  # marker in the sandbox directory.
  # shellcheck disable=SC2016  # $1 and the variables expand in the inner bash
  got=$(cd "$WORK/sandbox" && env -i PATH="$PATH" HOME=/nonexistent bash -c \
    'set -eu; . "$1"; printf "%s\n%s" "$SPARK_HOSTILE_SUBST" "$SPARK_HOSTILE_QUOTE"' _ "$senv")
  # shellcheck disable=SC2016  # the literal text is the point
  want=$'$(touch PWNED_MARKER) `touch PWNED_MARKER` ${HOME}\nit\'s "quoted"; touch PWNED_MARKER'
  if [[ -e $WORK/sandbox/PWNED_MARKER ]]; then
    fail "hostile env: sourcing spark-env.sh ran a command"
  elif [[ $got != "$want" ]]; then
    fail "hostile env: values changed when sourced: $got"
  else
    pass "hostile env: spark-env.sh sources to the literal values, nothing ran"
  fi
else
  fail "hostile env: nothing rendered to inspect"
fi

check_reject hostile/newline-hostname "vessel.hosts[0].name" -- --user-data "$H/newline-hostname.yaml"
check_reject hostile/newline-master "vessel.master" -- --user-data "$H/newline-master.yaml"

echo "# $passed passed, $failed failed"
[[ $failed -eq 0 ]]
