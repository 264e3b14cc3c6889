#!/usr/bin/env bash
# Stops the cluster tests/k8s/up.sh started (adapted from ../shared/k8s-here). Idempotent. Only processes whose pids up.sh recorded are signalled;
# containers are stopped through the kubelet (pod deletion) and then ctr.
# Usage: down.sh [--purge]   --purge also deletes etcd data, PKI, kubelet state
#                            (keeps $CTRD_ROOT: the imported images)
#        down.sh --purge-all also deletes the containerd image store
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/k8s/env.sh
. "$HERE/env.sh"
log() { echo "[$(date +%H:%M:%S)] $*"; }
alive() { [ -f "$RUN/pids/$1" ] && kill -0 "$(cat "$RUN/pids/$1")" 2>/dev/null; }
stop() {  # stop NAME: SIGTERM, wait up to 15 s, then SIGKILL; by recorded pid only
  local name=$1 pid
  [ -f "$RUN/pids/$name" ] || return 0
  pid=$(cat "$RUN/pids/$name")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    log "stopped $name ($pid)"
  fi
  rm -f "$RUN/pids/$name"
}

# 1. Let the kubelet tear pods down (CNI DEL, volume unmounts) while it still runs.
if alive kubelet && alive kube-apiserver; then
  kubectl delete statefulsets,deployments,daemonsets,replicasets,jobs --all -A --wait=false >/dev/null 2>&1 || true
  kubectl delete pods --all -A --grace-period=1 --wait=false >/dev/null 2>&1 || true
  for _ in $(seq 40); do
    [ "$(ctr_ tasks ls -q 2>/dev/null | wc -l)" -eq 0 ] && break; sleep 1
  done
fi
stop kube-proxy
stop kubelet
# 2. Whatever containers are left: kill their tasks through containerd.
if alive containerd; then
  for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$t" >/dev/null 2>&1; done
  sleep 1
  for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$t" >/dev/null 2>&1; done
  for c in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$c" >/dev/null 2>&1; done
fi
stop containerd
stop kube-scheduler
stop kube-controller-manager
stop kube-apiserver
stop etcd

# 3. Host state: kube-proxy's iptables rules, CNI rules, mounts, netns, the bridge.
[ -x "$BIN/kube-proxy" ] && "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
# The kubelet's own chains (kube-proxy --cleanup leaves them).
for ipt in iptables ip6tables; do
  command -v $ipt >/dev/null || continue
  for t in filter nat mangle; do
    for c in INPUT OUTPUT; do
      while $ipt -t $t -D $c -j KUBE-FIREWALL 2>/dev/null; do :; done
    done
    for ch in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
      $ipt -t $t -F $ch 2>/dev/null && $ipt -t $t -X $ch 2>/dev/null
    done
  done
done
grep -E " ($KUBELET_DIR|$CTRD_STATE|$CTRD_ROOT|/run/netns/cni-)" /proc/mounts | awk '{print $2}' | sort -r |
  while read -r m; do umount -l "$m" 2>/dev/null; done
ip route del "$SERVICE_CIDR" dev "$BRIDGE" 2>/dev/null || true
ip link del "$BRIDGE" 2>/dev/null || true
rm -rf "$RUN/cni/ipam"
# Empty pod cgroups left by the kubelet (cgroup v1: one tree per controller).
for d in /sys/fs/cgroup/*/kubepods; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
done

case "${1:-}" in
  --purge)     rm -rf "$RUN" "$KUBELET_DIR" /run/vessel-k8s /tmp/hostpath_pv; log "purged $RUN, $KUBELET_DIR, /tmp/hostpath_pv" ;;
  --purge-all) rm -rf "$RUN" "$KUBELET_DIR" /run/vessel-k8s /tmp/hostpath_pv "$CTRD_ROOT"; log "purged all state and images" ;;
esac
log "down"
