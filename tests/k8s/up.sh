#!/usr/bin/env bash
# Brings up a single-node Kubernetes on this machine from the binaries tests/k8s/build.sh made
# (adapted from the measured recipe ../shared/k8s-here, whose README lists the gotchas):
# etcd (loopback), kube-apiserver, kube-controller-manager, kube-scheduler, containerd
# (Debian), kubelet (cgroupfs driver, cgroup v1 allowed), kube-proxy (iptables), CNI bridge,
# and CoreDNS if $BIN/coredns exists. No systemd needed: plain background processes with
# pid files in $RUN/pids; down.sh stops them. Idempotent: what already runs is kept.
# A failed bring-up tears down what it started (down.sh), unless KEEP_ON_FAILURE=1.
# Usage: tests/k8s/up.sh   (settings: tests/k8s/env.sh)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/k8s/env.sh
. "$HERE/env.sh"
T0=$SECONDS
on_fail() {
  local rc=$?
  [ "$rc" = 0 ] && return
  echo "up.sh: failed (rc $rc); logs in $LOGS" >&2
  [ -n "${KEEP_ON_FAILURE:-}" ] || "$HERE/down.sh" >&2 || true
}
trap on_fail EXIT
log() { echo "[$(date +%H:%M:%S) +$((SECONDS - T0))s] $*"; }
die() { echo "up.sh: $*" >&2; exit 1; }
[ -x "$BIN/kube-apiserver" ] || die "no Kubernetes binaries in $BIN (run tests/k8s/build.sh)"

[ "$(id -u)" = 0 ] || die "must run as root"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  [ -x "$BIN/$b" ] || [ -n "${STOP_AFTER:-}" ] || die "missing $BIN/$b (run tests/k8s/build.sh)"
done
for b in containerd containerd-shim-runc-v2 runc ctr iptables openssl; do
  command -v "$b" >/dev/null || die "missing $b (apt-get install containerd runc iptables openssl)"
done
[ -x "$CNI_BIN_DIR/bridge" ] || die "missing CNI plugins in $CNI_BIN_DIR (apt-get install containernetworking-plugins)"
mkdir -p "$RUN"/{pids,cni/net.d} "$PKI" "$LOGS" "$CTRD_STATE" "$CTRD_ROOT" "$KUBELET_DIR"

start() {  # start NAME cmd... : background, own session, log + pid file
  local name=$1; shift
  command -v "$1" >/dev/null || die "missing $1 (run tests/k8s/build.sh)"
  if [ -f "$RUN/pids/$name" ] && kill -0 "$(cat "$RUN/pids/$name")" 2>/dev/null; then
    log "$name already running (pid $(cat "$RUN/pids/$name"))"; return
  fi
  setsid nice -n "${K8S_NICE:-0}" "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/pids/$name"
  log "started $name (pid $!)"
}
put() {  # put FILE < content: replace FILE only when the content changed (kube-proxy exits
         # when its config file is rewritten, even with the same content)
  local f=$1; cat > "$f.new"
  if cmp -s "$f.new" "$f"; then rm -f "$f.new"; else mv "$f.new" "$f"; fi
}
wait_for() {  # wait_for SECONDS DESC cmd...
  local n=$1 desc=$2; shift 2
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && { log "$desc: ok"; return 0; }; sleep 1; done
  die "$desc: not ready after ${n}s (see $LOGS)"
}

# ---------- kernel / network ----------
sysctl -qw net.ipv4.ip_forward=1
modprobe br_netfilter 2>/dev/null || true
sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 || true
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
fi
case " $(ip -4 -o addr show dev "$BRIDGE") " in
  *" $NODE_IP/24 "*) ;;
  *) ip addr add "$NODE_IP/24" dev "$BRIDGE" ;;
esac
ip link set "$BRIDGE" up
# Service IPs that kube-proxy does not DNAT must not leave through the default route.
ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"

# ---------- PKI ----------
if [ ! -f "$PKI/ca.crt" ]; then
  log "generating PKI"
  ( cd "$PKI"
    openssl req -x509 -new -nodes -newkey rsa:2048 -keyout ca.key -out ca.crt -days 3650 \
      -subj "/CN=vessel-k8s-ca" 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    cert() {  # cert NAME CN O [SAN]
      local n=$1 cn=$2 o=$3 san=${4:-}
      openssl req -new -nodes -newkey rsa:2048 -keyout "$n.key" -out "$n.csr" \
        -subj "${o:+/O=$o}/CN=$cn" 2>/dev/null
      { echo "basicConstraints=CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=serverAuth,clientAuth"
        [ -n "$san" ] && echo "subjectAltName=$san"; } > "$n.ext"
      openssl x509 -req -in "$n.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$n.ext" -out "$n.crt" 2>/dev/null
      rm -f "$n.csr" "$n.ext"
    }
    cert apiserver kube-apiserver "" \
      "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP,IP:$KUBE_SVC_IP"
    cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
    cert admin kubernetes-admin system:masters
    cert controller-manager system:kube-controller-manager ""
    cert scheduler system:kube-scheduler ""
    cert kube-proxy system:kube-proxy ""
    cert kubelet "system:node:$NODE_NAME" system:nodes
    cert kubelet-serving "$NODE_NAME" "" "DNS:$NODE_NAME,IP:$NODE_IP"
  )
fi
kubeconfig() {  # kubeconfig NAME CERT
  local b64="base64 -w0"
  put "$RUN/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: vessel-k8s
  cluster:
    certificate-authority-data: $($b64 < "$PKI/ca.crt")
    server: https://$NODE_IP:6443
users:
- name: $1
  user:
    client-certificate-data: $($b64 < "$PKI/$2.crt")
    client-key-data: $($b64 < "$PKI/$2.key")
contexts:
- name: vessel-k8s
  context: {cluster: vessel-k8s, user: $1}
current-context: vessel-k8s
EOF
  chmod 600 "$RUN/$1.kubeconfig"
}
for c in admin controller-manager scheduler kube-proxy kubelet; do kubeconfig $c $c; done

# ---------- etcd ----------
start etcd "$BIN/etcd" --name vessel-k8s --data-dir "$RUN/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster vessel-k8s=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
  --quota-backend-bytes 2147483648 --log-level warn
wait_for 60 "etcd health" curl -fsS http://127.0.0.1:2381/health

# ---------- control plane ----------
start kube-apiserver "$BIN/kube-apiserver" \
  --advertise-address="$NODE_IP" --bind-address="$NODE_IP" --secure-port=6443 \
  --etcd-servers=http://127.0.0.1:2379 \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --client-ca-file="$PKI/ca.crt" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true --profiling=false --v=1
wait_for 120 "kube-apiserver /readyz" curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" \
  --key "$PKI/admin.key" "https://$NODE_IP:6443/readyz"
[ "${STOP_AFTER:-}" = apiserver ] && exit 0

start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$RUN/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$RUN/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$RUN/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --use-service-account-credentials=true \
  --allocate-node-cidrs=true --cluster-cidr="$CLUSTER_CIDR" --node-cidr-mask-size=24 \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --enable-hostpath-provisioner --v=1
start kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig="$RUN/scheduler.kubeconfig" \
  --authentication-kubeconfig="$RUN/scheduler.kubeconfig" \
  --authorization-kubeconfig="$RUN/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --v=1
[ "${STOP_AFTER:-}" = control-plane ] && exit 0

# ---------- containerd ----------
put "$CNI_CONF_DIR/10-vessel-k8s.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "vessel-k8s",
  "plugins": [
    { "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false,
      "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$NODE_IP" }]],
                "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "$RUN/cni/ipam" } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
put "$RUN/containerd.toml" <<EOF
version = 2
root = "$CTRD_ROOT"
state = "$CTRD_STATE"
[grpc]
  address = "$CTRD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # This VM gives root no CAP_SYS_RESOURCE: a negative oom_score_adj (pause: -998) cannot
  # be set and runc fails with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
EOF
start containerd containerd --config "$RUN/containerd.toml"
wait_for 60 "containerd" ctr --address "$CTRD_SOCK" version

if ! has_image "$PAUSE_IMAGE"; then
  log "building pause image $PAUSE_IMAGE"
  mkdir -p "$PREFIX/pause/rootfs"
  src=$(ls -d "$(go env GOMODCACHE)"/k8s.io/kubernetes@*/build/pause/linux/pause.c 2>/dev/null | tail -1)
  if [ ! -x "$PREFIX/pause/rootfs/pause" ]; then
    [ -n "$src" ] || die "pause.c not found in the module cache (run tests/k8s/build.sh)"
    gcc -Os -static -o "$PREFIX/pause/rootfs/pause" "$src" -DVERSION=3.10-vessel-k8s
    strip "$PREFIX/pause/rootfs/pause"
  fi
  "$HERE/mkimage.sh" "$PREFIX/pause/rootfs" "$PAUSE_IMAGE" "$PREFIX/pause/pause.tar" /pause
  ctr_ images import "$PREFIX/pause/pause.tar"
fi

# ---------- kubelet ----------
put "$RUN/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CTRD_SOCK
imageServiceEndpoint: unix://$CTRD_SOCK
clusterDomain: cluster.local
clusterDNS: [$DNS_SVC_IP]
resolvConf: ""
# Imported images have no registry to come back from: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "2%", nodefs.inodesFree: "2%", imagefs.available: "2%"}
serializeImagePulls: false
rotateCertificates: false
EOF
start kubelet "$BIN/kubelet" --config="$RUN/kubelet.yaml" --kubeconfig="$RUN/kubelet.kubeconfig" \
  --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v=1
wait_for 120 "node registered" kubectl get node "$NODE_NAME"

# ---------- kube-proxy ----------
put "$RUN/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $RUN/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $CLUSTER_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$NODE_IP/32"]
conntrack: {maxPerCore: 0}
EOF
start kube-proxy "$BIN/kube-proxy" --config="$RUN/kube-proxy.yaml" --v=1

kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=120s
log "node $NODE_NAME Ready"

# Default StorageClass: the controller-manager's in-tree hostPath provisioner (single node,
# test only; volumes are directories under /tmp/hostpath_pv, deleted with their PVC).
kubectl apply -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF

# ---------- CoreDNS (optional) ----------
if [ -x "$BIN/coredns" ]; then
  if ! has_image "$COREDNS_IMAGE"; then
    rm -rf "$PREFIX/coredns-rootfs"; mkdir -p "$PREFIX/coredns-rootfs"
    cp "$BIN/coredns" "$PREFIX/coredns-rootfs/coredns"
    "$HERE/mkimage.sh" "$PREFIX/coredns-rootfs" "$COREDNS_IMAGE" "$PREFIX/coredns.tar" /coredns
    ctr_ images import "$PREFIX/coredns.tar"
  fi
  sed -e "s|@DNS_SVC_IP@|$DNS_SVC_IP|g" -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|g" \
    "$HERE/coredns.yaml" | kubectl apply -f - >/dev/null
  kubectl -n kube-system rollout status deploy/coredns --timeout=120s
  log "CoreDNS ready at $DNS_SVC_IP"
fi

log "cluster up in $((SECONDS - T0))s; export KUBECONFIG=$KUBECONFIG"
kubectl get nodes -o wide
