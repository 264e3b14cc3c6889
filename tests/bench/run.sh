#!/usr/bin/env bash
# Benchmarks vessel init side by side with tini, dumb-init and catatonit.
#
#   tests/bench/run.sh            full run (~10 min): writes tests/bench/out/
#                                 (raw data), docs/benchmarks.md and docs/*.png
#   tests/bench/run.sh --smoke    each measurement once with tiny counts, for
#                                 CI; writes only tests/bench/out/; exits 0
#                                 when everything ran
#   --vessel PATH                 the binary to measure (default build/vessel)
#   --report-only                 only regenerate the report from out/
#
# Every candidate runs as PID 1 of a fresh PID namespace through the same
# harness (unshare --pid --fork --mount-proc INIT -- CMD), and candidates are
# interleaved round by round so drift on a shared machine hits all alike.
# Numbers are reported, never asserted: noise must not fail a build.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

SMOKE=0
REPORT_ONLY=0
VESSEL=$ROOT/build/vessel
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) SMOKE=1; shift ;;
    --report-only) REPORT_ONLY=1; shift ;;
    --bringup) BRINGUP=1; shift ;; # cluster bring-up, vessel vs floor: tests/bench/bringup.sh
    --vessel) VESSEL=$(realpath "$2"); shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
HELPERS=${VESSEL_HELPERS:-$(dirname "$VESSEL")/helpers}
OUT=$ROOT/tests/bench/out
INITS=(vessel tini dumb-init catatonit)

if ((SMOKE)); then
  REPS=1 IDLE_S=3 LAT_N=200 STARTUP_RUNS=3 STARTUP_WARMUP=0 BURSTS=(300)
else
  REPS=5 IDLE_S=10 LAT_N=2000 STARTUP_RUNS=200 STARTUP_WARMUP=10 BURSTS=(3000 30000)
fi

log() { echo "bench: $*" >&2; }

# Installs the peers from Debian when a tool is missing (the CI image has
# them; a developer machine may not).
ensure_tools() {
  local -A pkg_of=([tini]=tini [dumb-init]=dumb-init [catatonit]=catatonit
    [supervisord]=supervisor [hyperfine]=hyperfine [wrk]=wrk [gnuplot]=gnuplot-nox
    [strace]=strace [unshare]=util-linux [python3]=python3-minimal)
  local missing=() t
  for t in "${!pkg_of[@]}"; do
    command -v "$t" >/dev/null || missing+=("${pkg_of[$t]}")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

ensure_built() {
  if [[ -x "$VESSEL" && -x "$HELPERS/siglat" && -x "$HELPERS/orphans" ]]; then return 0; fi
  log "building vessel and the helpers"
  cmake -S "$ROOT" -B "$ROOT/build" -G Ninja >/dev/null
  cmake --build "$ROOT/build" -j"$(nproc)" --target vessel helper_siglat helper_orphans >/dev/null
}

# init_argv NAME: sets PREFIX to the command line that starts init NAME with
# a child (the child's argv is appended).
init_argv() {
  case $1 in
    vessel) PREFIX=("$VESSEL" init --) ;;
    tini) PREFIX=(tini --) ;;
    dumb-init) PREFIX=(dumb-init --) ;;
    catatonit) PREFIX=(catatonit --) ;;
    *) echo "unknown init $1" >&2; exit 2 ;;
  esac
}

# rotated REP: the inits in round-robin order starting at round REP, so no
# init always runs first (right after the previous round's namespace
# teardown) or last.
rotated() {
  local i n=${#INITS[@]}
  for ((i = 0; i < n; i++)); do echo "${INITS[(($1 - 1 + i) % n)]}"; done
}

# as_pid1 NAME CMD...: runs CMD under init NAME as PID 1 of a new namespace.
as_pid1() {
  init_argv "$1"
  shift
  unshare --pid --fork --mount-proc "${PREFIX[@]}" "$@"
}

# status_field PID FIELD: a number from /proc/PID/status (kB for memory).
status_field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# first_child PID: the first child of PID (unshare --fork has exactly one).
first_child() {
  local c
  c=$(<"/proc/$1/task/$1/children")
  echo "${c%% *}"
}

wait_for_child() {
  local i c
  for ((i = 0; i < 500; i++)); do
    c=$(first_child "$1" 2>/dev/null || true)
    if [[ -n "$c" ]]; then echo "$c"; return 0; fi
    sleep 0.01
  done
  return 1
}

record_machine() {
  {
    echo "cpu: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "cores: $(nproc)"
    echo "ram: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "vessel: $("$VESSEL" --version) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))"
    echo "tini: $(tini --version)"
    echo "dumb-init: $(dumb-init --version 2>&1)"
    echo "catatonit: $(dpkg-query -W -f '${Version}' catatonit 2>/dev/null || catatonit --version)"
    echo "supervisord: $(supervisord --version)"
    echo "hyperfine: $(hyperfine --version)"
    echo "gnuplot: $(gnuplot --version)"
  } >"$OUT/machine.txt"
}

# 1 + 2: memory and idle wake-ups. All inits idle side by side (one `sleep`
# child each) over the same window; context switches of the init process
# itself (voluntary + involuntary) are counted across IDLE_S seconds.
bench_idle() {
  local rep name pid
  echo -e "init\trep\tvmrss_kb\trssanon_kb\tseconds\tvoluntary\tnonvoluntary" >"$OUT/idle.tsv"
  for ((rep = 1; rep <= REPS; rep++)); do
    local -A nsp=() ipid=() v0=() n0=()
    for name in "${INITS[@]}"; do
      init_argv "$name"
      unshare --pid --fork --mount-proc "${PREFIX[@]}" sleep 100000 &
      nsp[$name]=$!
    done
    for name in "${INITS[@]}"; do ipid[$name]=$(wait_for_child "${nsp[$name]}"); done
    sleep 1 # let start-up work finish before the window opens
    for name in "${INITS[@]}"; do
      pid=${ipid[$name]}
      v0[$name]=$(status_field "$pid" voluntary_ctxt_switches)
      n0[$name]=$(status_field "$pid" nonvoluntary_ctxt_switches)
    done
    sleep "$IDLE_S"
    for name in "${INITS[@]}"; do
      pid=${ipid[$name]}
      echo -e "$name\t$rep\t$(status_field "$pid" VmRSS)\t$(status_field "$pid" RssAnon)\t$IDLE_S\t$(($(status_field "$pid" voluntary_ctxt_switches) - v0[$name]))\t$(($(status_field "$pid" nonvoluntary_ctxt_switches) - n0[$name]))" >>"$OUT/idle.tsv"
      kill -KILL "$pid" # PID 1 gone: the kernel kills its namespace
    done
    for name in "${INITS[@]}"; do wait "${nsp[$name]}" 2>/dev/null || true; done
    log "idle round $rep/$REPS done"
  done
}

# 3: signal-forwarding latency (helpers/siglat, see its header).
bench_latency() {
  local rep name line
  mkdir -p "$OUT/latency"
  echo -e "init\trep\tsamples\tmin_ns\tp50_ns\tp99_ns\tmax_ns" >"$OUT/latency.tsv"
  for ((rep = 1; rep <= REPS; rep++)); do
    for name in $(rotated "$rep"); do
      line=$(as_pid1 "$name" "$HELPERS/siglat" "$LAT_N" "$OUT/latency/$name.$rep.txt")
      echo -e "$name\t$rep\t$(kv samples "$line")\t$(kv min_ns "$line")\t$(kv p50_ns "$line")\t$(kv p99_ns "$line")\t$(kv max_ns "$line")" >>"$OUT/latency.tsv"
    done
    log "latency round $rep/$REPS done"
  done
}

# kv NAME LINE: value of NAME=VALUE in a line of key=value words.
kv() {
  local w
  for w in $2; do [[ "$w" == "$1="* ]] && { echo "${w#*=}"; return 0; }; done
  echo NA
}

# 4: start-up overhead. All commands in one hyperfine run, so the ratios
# compare numbers taken under the same conditions; the baseline is bare
# /bin/true as PID 1 of the same kind of namespace.
bench_startup() {
  local args=(-N --style basic --warmup "$STARTUP_WARMUP" --runs "$STARTUP_RUNS"
    --export-json "$OUT/startup.json" -n bare "unshare --pid --fork --mount-proc /bin/true")
  local name
  for name in "${INITS[@]}"; do
    init_argv "$name"
    args+=(-n "$name" "unshare --pid --fork --mount-proc ${PREFIX[*]} /bin/true")
  done
  hyperfine "${args[@]}" >"$OUT/startup.txt" 2>&1
  log "startup done"
}

# 5: orphan burst drain (helpers/orphans): N orphans released at once through
# one pipe; time from release until the last one has been reaped.
bench_burst() {
  local n rep name line
  echo -e "init\tcount\trep\tdrain_us\treaped\tzombies" >"$OUT/burst.tsv"
  for n in "${BURSTS[@]}"; do
    local reps=$REPS
    ((n > 10000 && reps > 3)) && reps=3 # 30000 forks per run: keep it bounded
    for ((rep = 1; rep <= reps; rep++)); do
      for name in $(rotated "$rep"); do
        line=$(as_pid1 "$name" "$HELPERS/orphans" "$n" 120000 || echo "failed=1")
        echo -e "$name\t$n\t$rep\t$(kv drain_us "$line")\t$(kv reaped "$line")\t$(kv zombies "$line")" >>"$OUT/burst.tsv"
      done
      log "burst $n round $rep/$reps done"
    done
  done
}

# vessel run (health server + 4 services) vs supervisord with the same 4
# services (`sleep`), both as PID 1, idle side by side like bench_idle.
bench_run_mode() {
  local dir=$OUT/run-mode rep name pid i
  mkdir -p "$dir"
  {
    echo "services:"
    for i in 1 2 3 4; do echo "  - {name: svc$i, argv: [sleep, \"100000\"]}"; done
  } >"$dir/services.yaml"
  {
    printf '[supervisord]\nnodaemon=true\nlogfile=%s\npidfile=%s\n' "$dir/supervisord.log" "$dir/supervisord.pid"
    for i in 1 2 3 4; do printf '[program:svc%d]\ncommand=sleep 100000\n' "$i"; done
  } >"$dir/supervisord.conf"
  echo -e "init\trep\tvmrss_kb\trssanon_kb\tseconds\tvoluntary\tnonvoluntary" >"$OUT/run_mode.tsv"
  for ((rep = 1; rep <= REPS; rep++)); do
    local -A nsp=() ipid=() v0=() n0=()
    unshare --pid --fork --mount-proc "$VESSEL" run --services "$dir/services.yaml" \
      --health-addr "127.0.0.1:$((18700 + rep))" >>"$dir/vessel.log" 2>&1 &
    nsp[vessel-run]=$!
    unshare --pid --fork --mount-proc supervisord -c "$dir/supervisord.conf" >>"$dir/supervisord.out" 2>&1 &
    nsp[supervisord]=$!
    for name in vessel-run supervisord; do ipid[$name]=$(wait_for_child "${nsp[$name]}"); done
    sleep 3 # both start their 4 services; supervisord waits startsecs=1
    for name in vessel-run supervisord; do
      pid=${ipid[$name]}
      v0[$name]=$(status_field "$pid" voluntary_ctxt_switches)
      n0[$name]=$(status_field "$pid" nonvoluntary_ctxt_switches)
    done
    sleep "$IDLE_S"
    for name in vessel-run supervisord; do
      pid=${ipid[$name]}
      echo -e "$name\t$rep\t$(status_field "$pid" VmRSS)\t$(status_field "$pid" RssAnon)\t$IDLE_S\t$(($(status_field "$pid" voluntary_ctxt_switches) - v0[$name]))\t$(($(status_field "$pid" nonvoluntary_ctxt_switches) - n0[$name]))" >>"$OUT/run_mode.tsv"
      kill -KILL "$pid"
    done
    for name in vessel-run supervisord; do wait "${nsp[$name]}" 2>/dev/null || true; done
    log "run-mode round $rep/$REPS done"
  done
}

report() {
  local md=$OUT/benchmarks.md png_dir=$OUT
  if ((!SMOKE)); then md=$ROOT/docs/benchmarks.md png_dir=$ROOT/docs; fi
  mkdir -p "$png_dir"
  local extra=()
  ((SMOKE)) && extra+=(--smoke)
  python3 "$ROOT/tests/bench/summarize.py" --out "$OUT" --markdown "$md" \
    --png-dir "$png_dir" --inits "${INITS[*]}" "${extra[@]}"
  gnuplot -e "outdir='$OUT'; png='$png_dir/bench-latency.png'" "$ROOT/tests/bench/latency.gp"
  gnuplot -e "outdir='$OUT'; png='$png_dir/bench-burst.png'" "$ROOT/tests/bench/burst.gp"
  log "wrote $md and charts in $png_dir"
}

main() {
  if ((REPORT_ONLY)); then report; return; fi
  ensure_tools
  ensure_built
  rm -rf "$OUT"
  mkdir -p "$OUT"
  record_machine
  bench_idle
  bench_latency
  bench_startup
  bench_burst
  bench_run_mode
  report
}

main
if ((${BRINGUP:-0})); then b=(); if ((SMOKE)); then b+=(--smoke); fi; if ((REPORT_ONLY)); then b+=(--report-only); fi; "$ROOT/tests/bench/bringup.sh" "${b[@]}"; fi
