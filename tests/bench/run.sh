#!/usr/bin/env bash
# Benchmarks vessel init (and the standalone vessel-init binary) side by side
# with tini, dumb-init and catatonit, and vessel run with supervisord.
#
#   tests/bench/run.sh            full run (~10 min): writes tests/bench/out/
#                                 (raw data), docs/benchmarks.md and docs/*.png
#   tests/bench/run.sh --smoke    each measurement once with tiny counts, for
#                                 CI; writes only tests/bench/out/; exits 0
#                                 when everything ran
#   --vessel PATH                 the binary to measure (default build/vessel;
#                                 vessel-init is taken from the same directory)
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
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
HELPERS=${VESSEL_HELPERS:-$(dirname "$VESSEL")/helpers}
VESSEL_INIT=$(dirname "$VESSEL")/vessel-init
OUT=$ROOT/tests/bench/out
INITS=(vessel vessel-init tini dumb-init catatonit)

if ((SMOKE)); then
  REPS=1 IDLE_S=3 LAT_N=200 STARTUP_RUNS=3 STARTUP_WARMUP=0 BURSTS=(300)
  RESTART_KILLS=3 WRK_S=2 HEALTH_REPS=1
else
  REPS=5 IDLE_S=10 LAT_N=2000 STARTUP_RUNS=200 STARTUP_WARMUP=10 BURSTS=(3000 30000)
  RESTART_KILLS=15 WRK_S=10 HEALTH_REPS=3
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
  local h need_build=0
  for h in "$VESSEL" "$VESSEL_INIT" "$HELPERS/siglat" "$HELPERS/orphans" "$HELPERS/startstamp"; do
    [[ -x "$h" ]] || need_build=1
  done
  ((need_build)) || return 0
  log "building vessel, vessel-init and the helpers"
  cmake -S "$ROOT" -B "$ROOT/build" -G Ninja >/dev/null
  cmake --build "$ROOT/build" -j"$(nproc)" --target vessel vessel-init helper_siglat helper_orphans \
    helper_startstamp >/dev/null
}

# init_argv NAME: sets PREFIX to the command line that starts init NAME with
# a child (the child's argv is appended).
init_argv() {
  case $1 in
    vessel) PREFIX=("$VESSEL" init --) ;;
    vessel-init) PREFIX=("$VESSEL_INIT" --) ;;
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
    echo "vessel-init: same build; shared libraries: $(ldd "$VESSEL_INIT" | awk '$1 !~ /linux-vdso|ld-linux/ {printf "%s ", $1}')"
    echo "supervisord: $(supervisord --version)"
    echo "wrk: $(wrk -v 2>&1 | head -1)"
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

# 6: restart latency. The only service is helpers/startstamp; restart.py
# SIGKILLs it and measures kill -> the replacement's first instruction
# (tests/bench/restart.py). Before every kill the service has run longer
# than stable_after, so every sample is a FIRST restart (no grown backoff).
# Three configurations: vessel with backoff_initial 1ms (its smallest
# non-zero value; 0 would disable the exponential backoff altogether),
# vessel with the default 200ms, and supervisord with startsecs=0,
# autorestart=true (supervisord has no restart delay to tune). vessel's
# stable_after/max_restarts/restart_window are loosened so the repeated
# kills neither count as a crash loop nor hit the restart limit.
RESTART_SETTLE=0.4
RESTART_CONFIGS=(vessel-1ms vessel-200ms supervisord)
bench_restart() {
  local dir=$OUT/restart rep name line cmd
  mkdir -p "$dir/raw"
  local svc="services:
  - {name: probe, argv: [$HELPERS/startstamp, $dir/fifo]}"
  local loose="stable_after: 200ms, max_restarts: 100000, restart_window: 1s"
  printf 'supervisor: {backoff_initial: 1ms, %s}\n%s\n' "$loose" "$svc" >"$dir/vessel-1ms.yaml"
  printf 'supervisor: {%s}\n%s\n' "$loose" "$svc" >"$dir/vessel-200ms.yaml"
  {
    printf '[supervisord]\nnodaemon=true\nlogfile=%s\npidfile=%s\n' "$dir/supervisord.log" "$dir/supervisord.pid"
    printf '[program:probe]\ncommand=%s %s\nstartsecs=0\nautorestart=true\n' "$HELPERS/startstamp" "$dir/fifo"
  } >"$dir/supervisord.conf"
  echo -e "supervisor\trep\tsamples\tmin_ns\tp50_ns\tmax_ns" >"$OUT/restart.tsv"
  for ((rep = 1; rep <= REPS; rep++)); do
    local i n=${#RESTART_CONFIGS[@]}
    for ((i = 0; i < n; i++)); do
      name=${RESTART_CONFIGS[((rep - 1 + i) % n)]}
      case $name in
        vessel-*) cmd=("$VESSEL" run --services "$dir/$name.yaml" --health-addr 127.0.0.1:0) ;;
        supervisord) cmd=(supervisord -c "$dir/supervisord.conf") ;;
      esac
      line=$(python3 "$ROOT/tests/bench/restart.py" --fifo "$dir/fifo" --kills "$RESTART_KILLS" \
        --settle "$RESTART_SETTLE" --raw "$dir/raw/$name.$rep.txt" --log "$dir/$name.log" \
        -- "${cmd[@]}" || true)
      [[ "$line" == samples=* ]] || log "restart $name round $rep: $line"
      echo -e "$name\t$rep\t$(kv samples "$line")\t$(kv min_ns "$line")\t$(kv p50_ns "$line")\t$(kv max_ns "$line")" >>"$OUT/restart.tsv"
    done
    log "restart round $rep/$REPS done"
  done
}

# wrk_field FILE WHAT: from `wrk --latency` output, "rps" (Requests/sec) or
# "p99_us" (the 99% line of the latency distribution, converted to µs).
wrk_field() {
  case $2 in
    rps) awk '$1 == "Requests/sec:" {print $2}' "$1" ;;
    p99_us) awk '$1 == "99%" {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
        f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : (u == "m") ? 60000000 : -1
        if (f > 0) print v * f }' "$1" ;;
  esac
}

# 7: the health port under load: wrk (2 threads, 16 keep-alive connections)
# on /status and /metrics of `vessel run` supervising 4 services.
HEALTH_ENDPOINTS=(status metrics)
bench_health() {
  local dir=$OUT/health rep ep port pid i url
  mkdir -p "$dir"
  {
    echo "services:"
    for i in 1 2 3 4; do echo "  - {name: svc$i, argv: [sleep, \"100000\"]}"; done
  } >"$dir/services.yaml"
  echo -e "endpoint\trep\tseconds\trps\tp99_us" >"$OUT/health.tsv"
  for ((rep = 1; rep <= HEALTH_REPS; rep++)); do
    port=$((18800 + rep))
    unshare --pid --fork --mount-proc "$VESSEL" run --services "$dir/services.yaml" \
      --health-addr "127.0.0.1:$port" >>"$dir/vessel.log" 2>&1 &
    local ns=$!
    pid=$(wait_for_child "$ns")
    url=http://127.0.0.1:$port
    for ((i = 0; i < 500; i++)); do
      curl -fs -o /dev/null "$url/readyz" && break
      sleep 0.02
    done
    for ep in "${HEALTH_ENDPOINTS[@]}"; do
      wrk -t2 -c16 -d"${WRK_S}s" --latency "$url/$ep" >"$dir/$ep.$rep.txt" 2>&1 || true
      echo -e "$ep\t$rep\t$WRK_S\t$(wrk_field "$dir/$ep.$rep.txt" rps)\t$(wrk_field "$dir/$ep.$rep.txt" p99_us)" >>"$OUT/health.tsv"
    done
    kill -KILL "$pid"
    wait "$ns" 2>/dev/null || true
    log "health round $rep/$HEALTH_REPS done"
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
  gnuplot -e "outdir='$OUT'; png='$png_dir/bench-latency.png'; inits='${INITS[*]}'" "$ROOT/tests/bench/latency.gp"
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
  bench_restart
  bench_health
  report
}

main
if ((${BRINGUP:-0})); then b=(); if ((SMOKE)); then b+=(--smoke); fi; if ((REPORT_ONLY)); then b+=(--report-only); fi; "$ROOT/tests/bench/bringup.sh" "${b[@]}"; fi
