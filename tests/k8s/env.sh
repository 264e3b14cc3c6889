# shellcheck shell=bash
# shellcheck disable=SC2034  # the settings are used by the scripts that source this file
# Shared settings of tests/k8s/{build,up,down,run}.sh (sourced). Adapted from ../shared/k8s-here.
# The built binaries, the containerd image store and the cluster state live outside the repo,
# next to the Spark/Hadoop dists: ${XDG_CACHE_HOME:-$HOME/.cache}/vessel/k8s.
PREFIX=${VESSEL_K8S_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/vessel/k8s}
BIN=$PREFIX/bin
RUN=$PREFIX/run                    # etcd data, configs, pki, logs, pids
PKI=$RUN/pki
LOGS=$RUN/logs
CTRD_ROOT=$PREFIX/containerd       # containerd image store (kept: the imported images)
CTRD_STATE=/run/vessel-k8s/containerd
CTRD_SOCK=$CTRD_STATE/containerd.sock
CNI_CONF_DIR=$RUN/cni/net.d        # not /etc/cni/net.d: podman's conflist lives there
CNI_BIN_DIR=${CNI_BIN_DIR:-/usr/lib/cni}
KUBELET_DIR=/var/lib/kubelet
NODE_NAME=vessel-k8s
# Everything stays on this machine: the node IP is the gateway address of the pod bridge
# that up.sh creates; nothing of the cluster listens on or routes through eth0.
BRIDGE=cni0
POD_CIDR=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
NODE_IP=10.244.0.1
SERVICE_CIDR=10.96.0.0/16
KUBE_SVC_IP=10.96.0.1
DNS_SVC_IP=10.96.0.10
PAUSE_IMAGE=localhost/vessel-k8s/pause:3.10
COREDNS_IMAGE=localhost/vessel-k8s/coredns:1.15.0
export PATH=$BIN:$PATH
export KUBECONFIG=$RUN/admin.kubeconfig
ctr_() { ctr --address "$CTRD_SOCK" -n k8s.io "$@"; }
# Capture first: `ctr ... | grep -q` is false under pipefail when grep exits early.
has_image() { local l; l=$(ctr_ images ls -q 2>/dev/null) || return 1; grep -qxF "$1" <<<"$l"; }
