#!/usr/bin/env bash
# Assembles Apache Spark and Apache Hadoop (HDFS) homes laid out like the
# official binary tarballs, from artifacts that this build network can reach:
#   Spark  <- the pyspark sdist on PyPI (it carries deps/jars and deps/bin)
#   Hadoop <- hadoop-common + hadoop-hdfs(-client) and their runtime deps from
#             Maven Central, plus the HDFS web UI resources (webapps/) that
#             only ship inside the hadoop-hdfs "tests" jar on Maven Central.
# Or, with --spark-tgz/--hadoop-tgz, from official Apache tarballs.
#
# Every file of the assembled trees is checked against the pinned manifest
# dockerfiles/dists.sha256 on every run (cache hit included), so a corrupt
# download or an edited cache is an error, never silently used.
#
# Usage: dockerfiles/assemble-dists.sh [options]
#   --cache-dir DIR        where homes are assembled
#                          (default ${XDG_CACHE_HOME:-$HOME/.cache}/vessel/dists)
#   --spark-tgz PATH|URL   use an official spark-*-bin-*.tgz instead of PyPI
#   --hadoop-tgz PATH|URL  use an official hadoop-*.tar.gz instead of Maven
#   --spark-sha512 HEX     expected sha512 of --spark-tgz (required for URLs
#   --hadoop-sha512 HEX    unless URL.sha512 is fetchable; Apache publishes one)
#   --print-env            print `export SPARK_HOME=... HADOOP_HOME=...` on stdout
#   --rebuild              throw away the cached homes and assemble again
#   --write-manifest       (maintainers, after bumping a version) assemble
#                          without verification and rewrite dists.sha256
# Progress and timings go to stderr; stdout carries only --print-env output.
set -euo pipefail

SPARK_VERSION=3.5.9
HADOOP_VERSION=3.4.2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
manifest="$here/dists.sha256"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/vessel/dists"
spark_tgz="" hadoop_tgz="" spark_sha512="" hadoop_sha512=""
print_env=0 rebuild=0 write_manifest=0

die() { echo "assemble-dists: error: $*" >&2; exit 1; }

while (($#)); do
  case $1 in
    --cache-dir) cache=${2:?--cache-dir needs a value}; shift 2 ;;
    --spark-tgz) spark_tgz=${2:?--spark-tgz needs a value}; shift 2 ;;
    --hadoop-tgz) hadoop_tgz=${2:?--hadoop-tgz needs a value}; shift 2 ;;
    --spark-sha512) spark_sha512=${2:?--spark-sha512 needs a value}; shift 2 ;;
    --hadoop-sha512) hadoop_sha512=${2:?--hadoop-sha512 needs a value}; shift 2 ;;
    --print-env) print_env=1; shift ;;
    --rebuild) rebuild=1; shift ;;
    --write-manifest) write_manifest=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

mkdir -p "$cache/downloads"
cache=$(cd "$cache" && pwd)
# Two builds at once (e.g. parallel CI jobs) would race on the temp dirs.
exec 9>"$cache/.lock"
if ! flock -n 9; then
  echo "[dists] waiting for another assemble-dists.sh on $cache ..." >&2
  flock 9
fi

# --- progress -----------------------------------------------------------------
t_start=$SECONDS t_phase=$SECONDS phase_name=""
phase() {
  if [[ -n $phase_name ]]; then
    printf '[dists] %-44s %4ds\n' "$phase_name" $((SECONDS - t_phase)) >&2
  fi
  phase_name=$1 t_phase=$SECONDS
  [[ -z $phase_name ]] || printf '[dists] %s ...\n' "$phase_name" >&2
}

# --- manifest -----------------------------------------------------------------
# Lines are "<sha256>  <path relative to the cache dir>", sorted by path.
manifest_lines() {  # prefix -> manifest lines whose path starts with prefix
  [[ -f $manifest ]] || die "manifest $manifest is missing"
  awk -v p="$1" 'substr($2, 1, length(p)) == p' "$manifest"
}

# Checks every file under the listed prefixes against the manifest: each
# listed file must hash right, and no unlisted file may sit beside them.
verify_tree() {  # prefix...
  local p want have bad
  for p in "$@"; do
    want=$(manifest_lines "$p")
    [[ -n $want ]] || die "manifest has no entries for '$p' (version bump? run with --write-manifest and commit it)"
    if ! bad=$(cd "$cache" && sha256sum --quiet -c - <<<"$want" 2>&1); then
      die "checksum mismatch under $cache/$p:
$bad
The cache is corrupt or was edited; rerun with --rebuild."
    fi
    have=$(cd "$cache" && find "$p" -type f | LC_ALL=C sort)
    if [[ $have != "$(awk '{print $2}' <<<"$want" | LC_ALL=C sort)" ]]; then
      die "files under $cache/$p differ from the manifest:
$(diff <(awk '{print $2}' <<<"$want" | LC_ALL=C sort) <(echo "$have") | grep '^[<>]' | head -20)
rerun with --rebuild."
    fi
  done
}

# --- Spark from the pyspark sdist -------------------------------------------
spark_conf() {  # dir -> writes the default conf files
  mkdir -p "$1"
  # Spark 3.5 logs through log4j2; without a file it warns and logs at INFO to
  # stderr anyway. WARN for the chatty Jetty/Hadoop parts keeps logs readable.
  cat >"$1/log4j2.properties" <<'EOF'
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = warn
EOF
}

assemble_spark_pypi() {
  local home="spark-$SPARK_VERSION" sdist="downloads/pyspark-$SPARK_VERSION.tar.gz" tmp
  if [[ $rebuild -eq 0 && -f $cache/$home/.vessel-complete ]]; then
    phase "spark $SPARK_VERSION: verify cached tree"
    [[ $write_manifest -eq 1 ]] || verify_tree "$home/bin/" "$home/jars/"
    spark_home=$cache/$home
    return
  fi
  if [[ ! -f $cache/$sdist ]]; then
    phase "spark $SPARK_VERSION: download pyspark sdist from PyPI (~320 MB)"
    tmp=$(mktemp -d "$cache/downloads/.pip.XXXXXX")
    # --no-deps: we want the jars, not py4j/pandas. pip may build metadata
    # (needs setuptools from PyPI); that is pip's business, the sha256 below
    # is what we trust.
    pip download --quiet --no-deps --no-binary pyspark -d "$tmp" "pyspark==$SPARK_VERSION" >&2 \
      || die "pip download pyspark==$SPARK_VERSION failed"
    mv "$tmp/pyspark-$SPARK_VERSION.tar.gz" "$cache/$sdist" || die "pip produced no pyspark-$SPARK_VERSION.tar.gz"
    rm -rf "$tmp"
  fi
  phase "spark $SPARK_VERSION: verify sdist sha256"
  [[ $write_manifest -eq 1 ]] || verify_file "$sdist"
  phase "spark $SPARK_VERSION: lay out $home"
  rm -rf "${cache:?}/$home" "$cache/.$home.tmp"
  tmp=$cache/.$home.tmp
  mkdir -p "$tmp/x"
  tar -xzf "$cache/$sdist" -C "$tmp/x" --no-same-owner \
    "pyspark-$SPARK_VERSION/deps/jars" "pyspark-$SPARK_VERSION/deps/bin"
  local deps=$tmp/x/pyspark-$SPARK_VERSION/deps
  mkdir -p "$tmp/out/bin"
  mv "$deps/jars" "$tmp/out/jars"
  # Only the POSIX launchers; the .cmd files are for Windows.
  find "$deps/bin" -maxdepth 1 -type f ! -name '*.cmd' -exec mv -t "$tmp/out/bin" {} +
  chmod 0755 "$tmp/out/bin"/*
  chmod 0644 "$tmp/out/bin/load-spark-env.sh"
  spark_conf "$tmp/out/conf"
  echo "Spark $SPARK_VERSION (Scala 2.12) assembled by vessel from the pyspark $SPARK_VERSION sdist" >"$tmp/out/RELEASE"
  rm -rf "$tmp/x"
  mv "$tmp/out" "$cache/$home" && rmdir "$tmp"
  if [[ $write_manifest -eq 0 ]]; then
    phase "spark $SPARK_VERSION: verify tree"
    verify_tree "$home/bin/" "$home/jars/"
  fi
  touch "$cache/$home/.vessel-complete"
  spark_home=$cache/$home
}

verify_file() {  # path relative to cache
  local want
  want=$(awk -v f="$1" '$2 == f' "$manifest")
  [[ -n $want ]] || die "manifest has no entry for $1"
  (cd "$cache" && sha256sum --quiet -c - <<<"$want" >/dev/null 2>&1) \
    || die "sha256 mismatch for $cache/$1 (expected ${want%% *}); delete it and rerun"
}

# --- Hadoop from Maven Central ------------------------------------------------
hadoop_pom() {  # artifactId... -> pom on stdout
  local a
  cat <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>vessel.dists</groupId><artifactId>hadoop</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
EOF
  for a in "$@"; do
    echo "    <dependency><groupId>org.apache.hadoop</groupId><artifactId>$a</artifactId><version>$HADOOP_VERSION</version></dependency>"
  done
  echo "  </dependencies>"
  echo "</project>"
}

mvn_copy() {  # outdir artifactId...
  local out=$1 pomdir; shift
  pomdir=$(mktemp -d "$cache/.pom.XXXXXX")
  hadoop_pom "$@" >"$pomdir/pom.xml"
  mvn -B -q -f "$pomdir/pom.xml" -Dmaven.repo.local="$cache/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out" \
    >"$cache/mvn.log" 2>&1 \
    || { tail -30 "$cache/mvn.log" >&2; die "mvn could not resolve $* $HADOOP_VERSION from Maven Central"; }
  rm -rf "$pomdir"
}

assemble_hadoop_maven() {
  local home="hadoop-$HADOOP_VERSION" tmp j
  if [[ $rebuild -eq 0 && -f $cache/$home/.vessel-complete ]]; then
    phase "hadoop $HADOOP_VERSION: verify cached tree"
    [[ $write_manifest -eq 1 ]] || verify_tree "$home/share/"
    hadoop_home=$cache/$home
    return
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  rm -rf "${cache:?}/$home" "$cache/.$home.tmp"
  tmp=$cache/.$home.tmp
  local sh=$tmp/out/share/hadoop
  mkdir -p "$tmp/common" "$tmp/hdfs" "$sh/common/lib" "$sh/hdfs/lib"
  phase "hadoop $HADOOP_VERSION: resolve hadoop-common (Maven Central)"
  mvn_copy "$tmp/common" hadoop-common
  phase "hadoop $HADOOP_VERSION: resolve hadoop-hdfs(-client)"
  mvn_copy "$tmp/hdfs" hadoop-hdfs hadoop-hdfs-client
  phase "hadoop $HADOOP_VERSION: fetch HDFS webapps (hadoop-hdfs tests jar)"
  mvn -B -q -Dmaven.repo.local="$cache/m2" dependency:copy \
    -Dartifact="org.apache.hadoop:hadoop-hdfs:$HADOOP_VERSION:jar:tests" \
    -DoutputDirectory="$tmp" >"$cache/mvn.log" 2>&1 \
    || { tail -30 "$cache/mvn.log" >&2; die "mvn could not fetch hadoop-hdfs:$HADOOP_VERSION:tests"; }
  phase "hadoop $HADOOP_VERSION: lay out $home"
  # Same split as the official tarball: the project's own jar in the module
  # dir, its dependencies in lib/, hdfs/lib holding only what common lacks.
  for j in "$tmp/common"/*.jar; do
    case ${j##*/} in
      hadoop-common-"$HADOOP_VERSION".jar) mv "$j" "$sh/common/" ;;
      *) mv "$j" "$sh/common/lib/" ;;
    esac
  done
  for j in "$tmp/hdfs"/*.jar; do
    case ${j##*/} in
      hadoop-hdfs-"$HADOOP_VERSION".jar | hadoop-hdfs-client-"$HADOOP_VERSION".jar) mv "$j" "$sh/hdfs/" ;;
      *) [[ -e $sh/common/lib/${j##*/} || -e $sh/common/${j##*/} ]] || mv "$j" "$sh/hdfs/lib/" ;;
    esac
  done
  # HttpServer2 looks up webapps/<name> on the classpath and refuses to start
  # the NameNode/DataNode HTTP server (and with it /jmx) without it. The
  # Maven Central main jar lacks webapps/; the tests jar carries the real UI.
  (cd "$sh/hdfs" && jar_extract "$tmp/hadoop-hdfs-$HADOOP_VERSION-tests.jar" 'webapps/*')
  hadoop_etc "$tmp/out/etc/hadoop"
  echo "Hadoop $HADOOP_VERSION (HDFS only) assembled by vessel from Maven Central" >"$tmp/out/RELEASE"
  mv "$tmp/out" "$cache/$home" && rm -rf "$tmp"
  if [[ $write_manifest -eq 0 ]]; then
    phase "hadoop $HADOOP_VERSION: verify tree"
    verify_tree "$home/share/"
  fi
  touch "$cache/$home/.vessel-complete"
  hadoop_home=$cache/$home
}

jar_extract() {  # jar pattern -> extracts into cwd
  if command -v unzip >/dev/null; then
    unzip -q -o "$1" "$2"
  else
    python3 - "$1" "${2%\*}" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
z.extractall(members=[n for n in z.namelist() if n.startswith(sys.argv[2])])
EOF
  fi
}

hadoop_etc() {  # dir
  mkdir -p "$1"
  # Hadoop 3.4 logs through reload4j (log4j 1.2 API); the daemons read
  # log4j.properties from the classpath, i.e. from HADOOP_CONF_DIR.
  cat >"$1/log4j.properties" <<'EOF'
hadoop.root.logger=INFO,console
log4j.rootLogger=${hadoop.root.logger}
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n
log4j.logger.org.eclipse.jetty=WARN
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
EOF
}

# --- official tarballs ----------------------------------------------------------
fetch_tgz() {  # src sha512 -> sets tgz_path
  local src=$1 sum=$2 name
  name=${src##*/}
  if [[ $src == http://* || $src == https://* ]]; then
    tgz_path=$cache/downloads/$name
    if [[ -z $sum ]]; then
      sum=$(curl -fsSL "$src.sha512" | grep -oE '[0-9a-fA-F]{128}' | head -1) \
        || die "no --*-sha512 given and $src.sha512 is not fetchable"
    fi
    if [[ ! -f $tgz_path ]]; then
      phase "download $name"
      curl -fL --progress-bar -o "$tgz_path.part" "$src" || die "download of $src failed"
      mv "$tgz_path.part" "$tgz_path"
    fi
  else
    [[ -f $src ]] || die "tarball $src does not exist"
    tgz_path=$(cd "$(dirname "$src")" && pwd)/$name
    if [[ -z $sum && -f $src.sha512 ]]; then
      sum=$(grep -oE '[0-9a-fA-F]{128}' "$src.sha512" | head -1)
    fi
  fi
  if [[ -n $sum ]]; then
    phase "verify sha512 of $name"
    [[ $(sha512sum "$tgz_path" | cut -d' ' -f1) == "${sum,,}" ]] \
      || die "sha512 mismatch for $tgz_path (expected $sum)"
  else
    echo "[dists] warning: no sha512 for local file $src; not verified" >&2
  fi
}

# Extracts a tarball once into tgz/<sha256-prefix>/ and sets tgz_home to its
# single top-level directory. The stamp holds the tarball's sha256, so a
# changed file at the same path is re-extracted.
unpack_tgz() {  # tgz check-path
  local tgz=$1 check=$2 sum dir top
  sum=$(sha256sum "$tgz" | cut -c1-64)
  dir=$cache/tgz/${sum:0:16}
  if [[ $rebuild -eq 1 || ! -f $dir/.vessel-complete ]] || [[ $(<"$dir/.vessel-complete") != "$sum" ]]; then
    phase "extract ${tgz##*/}"
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$tgz" -C "$dir" --no-same-owner
    echo "$sum" >"$dir/.vessel-complete"
  fi
  top=$(find "$dir" -mindepth 1 -maxdepth 1 -type d)
  [[ $(wc -l <<<"$top") -eq 1 && -n $top ]] || die "${tgz##*/}: expected one top-level directory"
  [[ -e $top/$check ]] || die "${tgz##*/}: $check not found; is this the right tarball?"
  tgz_home=$top
}

# --- main ---------------------------------------------------------------------
spark_home="" hadoop_home="" tgz_path="" tgz_home=""
if [[ -n $spark_tgz ]]; then
  fetch_tgz "$spark_tgz" "$spark_sha512"
  unpack_tgz "$tgz_path" bin/spark-class
  [[ -d $tgz_home/jars ]] || die "${tgz_path##*/}: no jars/ directory"
  [[ -f $tgz_home/conf/log4j2.properties ]] || spark_conf "$tgz_home/conf"
  spark_home=$tgz_home
else
  assemble_spark_pypi
fi
if [[ -n $hadoop_tgz ]]; then
  fetch_tgz "$hadoop_tgz" "$hadoop_sha512"
  unpack_tgz "$tgz_path" share/hadoop/hdfs
  [[ -d $tgz_home/share/hadoop/common/lib ]] || die "${tgz_path##*/}: no share/hadoop/common/lib"
  hadoop_home=$tgz_home
else
  assemble_hadoop_maven
fi

if [[ $write_manifest -eq 1 ]]; then
  phase "write manifest $manifest"
  {
    echo "downloads/pyspark-$SPARK_VERSION.tar.gz"
    # Jars, launchers and web resources; not the generated conf, which lives
    # in this script and is reviewed here rather than by hash.
    (cd "$cache" && find "spark-$SPARK_VERSION/bin" "spark-$SPARK_VERSION/jars" \
      "hadoop-$HADOOP_VERSION/share" -type f)
  } | LC_ALL=C sort | (cd "$cache" && xargs sha256sum) >"$manifest"
fi
phase ""
printf '[dists] done in %ds\n[dists] SPARK_HOME=%s\n[dists] HADOOP_HOME=%s\n' \
  $((SECONDS - t_start)) "$spark_home" "$hadoop_home" >&2
if [[ $print_env -eq 1 ]]; then
  printf 'export SPARK_HOME=%q\nexport HADOOP_HOME=%q\n' "$spark_home" "$hadoop_home"
fi
