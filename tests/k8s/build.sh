#!/usr/bin/env bash
# Builds a single-node Kubernetes (etcd, control plane, kubelet, kube-proxy, kubectl,
# CoreDNS) from the Go module proxy only; containerd, runc and CNI come from Debian.
# Adapted from the measured recipe ../shared/k8s-here (README there: costs, gotchas).
#
# Usage: tests/k8s/build.sh [deps|etcd|k8s|coredns]...   (default: all of them)
# Env:   VESSEL_K8S_PREFIX (default ${XDG_CACHE_HOME:-$HOME/.cache}/vessel/k8s)
#        K8S_VERSION (v1.34.4)  COREDNS_VERSION (v1.15.0)
#        JOBS (go build -p, default 1)  NICE (default 19)  FORCE=1 (rebuild)
# A binary whose stamp (versions + Go version) matches is skipped: a warm run costs <1 s.
# The first build is ~15 min of CPU at JOBS=1 (kube-apiserver alone ~7 min).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/k8s/env.sh
source "$here/env.sh"

K8S_VERSION=${K8S_VERSION:-v1.34.4}
COREDNS_VERSION=${COREDNS_VERSION:-v1.15.0}
JOBS=${JOBS:-1}
NICE=${NICE:-19}
SRC=$PREFIX/src
STAGING_VERSION=v0.${K8S_VERSION#v1.}     # v1.34.4 -> v0.34.4

export CGO_ENABLED=0 GOFLAGS="-p=$JOBS -buildvcs=false" GOMAXPROCS=${GOMAXPROCS:-$JOBS}
mkdir -p "$SRC/k8s" "$SRC/coredns" "$BIN"

log() { echo "[k8s-build $(date +%H:%M:%S)] $*" >&2; }
die() { echo "k8s-build: error: $*" >&2; exit 1; }
timed() {  # timed LABEL cmd...
  local label=$1 t0=$SECONDS dt; shift
  log "start $label"
  nice -n "$NICE" "$@"
  dt=$((SECONDS - t0))
  log "done $label in ${dt}s"
  echo "$(date -u +%FT%TZ) $label ${dt}s JOBS=$JOBS" >> "$PREFIX/build-times.txt"
}

deps() {
  # Debian packages: the container runtime side, and what up.sh/down.sh/run.sh call.
  local missing="" c
  for c in containerd containerd-shim-runc-v2 runc ctr conntrack socat iptables curl openssl gcc; do
    command -v "$c" >/dev/null || missing+=" $c"
  done
  [[ -x /usr/lib/cni/bridge ]] || missing+=" cni"
  if [[ -n $missing ]]; then
    log "apt-get install (missing:$missing)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      containerd runc containernetworking-plugins iptables conntrack socat ethtool ebtables \
      curl openssl iproute2 ca-certificates gcc libc6-dev
  fi
  command -v go >/dev/null || die "Go is needed to build Kubernetes (the machine's own go; none found)"
}

gen_k8s_module() {
  local kdir m
  cd "$SRC/k8s"
  go mod download -json "k8s.io/kubernetes@$K8S_VERSION" > /dev/null
  kdir=$(go env GOMODCACHE)/k8s.io/kubernetes@$K8S_VERSION
  # k8s.io/kubernetes requires its staging modules at v0.0.0 with ./staging/... replaces,
  # which do not apply to a dependency: pin each one to the tagged v0.X.Y.
  {
    printf 'module vesselk8s\n\ngo 1.24.0\n\ngodebug default=go1.24\n\n'
    printf 'require k8s.io/kubernetes %s\n\nreplace (\n' "$K8S_VERSION"
    for m in $(sed -n '/^replace (/,/^)/p' "$kdir/go.mod" | awk '/=>/{print $1}'); do
      printf '\t%s => %s %s\n' "$m" "$m" "$STAGING_VERSION"
    done
    printf ')\n'
  } > go.mod
  cat > tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
EOF
  rm -f go.sum
  go mod tidy
}

k8s_ldflags() {  # without these the components report v0.0.0-master
  local minor=${K8S_VERSION#v1.} x="" p
  minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    x+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    x+=" -X $p.gitTreeState=clean -X $p.buildDate=$(date -u +%FT%TZ)"
  done
  echo "-s -w$x"
}

fresh() { [[ -z ${FORCE:-} && -x $BIN/$1 && "$(cat "$BIN/.$1.stamp" 2>/dev/null)" == "$2" ]]; }
stamp() { echo "$2" > "$BIN/.$1.stamp"; }
k8s_module() {
  { grep -qs "require k8s.io/kubernetes $K8S_VERSION\$" "$SRC/k8s/go.mod" && [[ -f $SRC/k8s/go.sum ]]; } ||
    gen_k8s_module
  cd "$SRC/k8s"
}

etcd() {  # etcd at the version k8s.io/kubernetes itself requires (v3.6.4 for 1.34.4)
  local key
  key="k8s.io/kubernetes@$K8S_VERSION $(go env GOVERSION)"
  if fresh etcd "$key"; then log "etcd up to date"; return; fi
  k8s_module
  timed etcd go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$BIN/etcd.tmp" "$BIN/etcd"
  stamp etcd "$key"
}

k8s() {
  local key ld c
  key="k8s.io/kubernetes@$K8S_VERSION $(go env GOVERSION)"
  ld=$(k8s_ldflags)
  for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    if fresh "$c" "$key"; then log "$c up to date"; continue; fi
    k8s_module
    timed "$c" go build -trimpath -ldflags "$ld" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c"
    mv "$BIN/$c.tmp" "$BIN/$c"
    stamp "$c" "$key"
  done
}

coredns() {
  # A CoreDNS main with only the plugins a test cluster needs (the stock main links every
  # cloud DNS provider's SDK). Plugin order still comes from CoreDNS's own directive list.
  local key p
  key="coredns@$COREDNS_VERSION $(go env GOVERSION)"
  if fresh coredns "$key"; then log "coredns up to date"; return; fi
  cd "$SRC/coredns"
  if ! grep -qs "require github.com/coredns/coredns $COREDNS_VERSION\$" go.mod || [[ ! -f go.sum ]]; then
    printf 'module corednsvessel\n\ngo 1.26.0\n\nrequire github.com/coredns/coredns %s\n' \
      "$COREDNS_VERSION" > go.mod
    {
      printf 'package main\n\nimport (\n\t"github.com/coredns/coredns/coremain"\n\n'
      for p in cache errors health hosts kubernetes loadbalance log loop metrics ready reload whoami; do
        printf '\t_ "github.com/coredns/coredns/plugin/%s"\n' "$p"
      done
      printf ')\n\nfunc main() { coremain.Run() }\n'
    } > main.go
    go mod tidy
  fi
  timed coredns go build -trimpath -ldflags "-s -w" -o "$BIN/coredns.tmp" .
  mv "$BIN/coredns.tmp" "$BIN/coredns"
  stamp coredns "$key"
}

# Two builds at once would race on the same outputs.
exec 8>"$PREFIX/.build.lock"
flock 8
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(deps etcd k8s coredns)
T0=$SECONDS
for s in "${steps[@]}"; do
  case $s in deps|etcd|k8s|coredns) "$s" ;; *) die "unknown step '$s'" ;; esac
done
log "build ${steps[*]}: $((SECONDS - T0))s (binaries in $BIN)"
