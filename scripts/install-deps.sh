#!/usr/bin/env bash
# Installs every Debian package vessel needs to build, test and benchmark.
# Idempotent: packages already present are skipped by apt; a stamp file makes
# the second run a no-op unless the package list changed.
set -euo pipefail

PKGS=(
  # build
  build-essential cmake ninja-build pkg-config ccache
  libboost-program-options-dev libyaml-cpp-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev catch2 libcpp-httplib-dev nlohmann-json3-dev libpugixml-dev
  zlib1g-dev libssl-dev
  # PID-1 and cluster tests
  util-linux procps iproute2 curl jq python3 podman runc debootstrap uidmap
  fuse-overlayfs slirp4netns
  openjdk-17-jre-headless maven
  # fuzzing, sanitizers, lint
  clang libclang-rt-14-dev shellcheck
  # benchmark peers and tools
  tini dumb-init catatonit supervisor wrk hyperfine gnuplot-nox strace
  # cloud-init's own schema validator for the #cloud-config examples
  cloud-init python3-yaml
)

stamp_dir=${XDG_CACHE_HOME:-$HOME/.cache}/vessel
stamp="$stamp_dir/deps.$(printf '%s\n' "${PKGS[@]}" | sha256sum | cut -c1-16)"
if [[ -f $stamp ]]; then
  exit 0
fi

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo
echo "[deps] installing ${#PKGS[@]} Debian packages (first run only)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# cloud-init would try to run its own services on a real boot; on a build
# machine we only want its schema validator, so disable it before installing.
$SUDO mkdir -p /etc/cloud && $SUDO touch /etc/cloud/cloud-init.disabled
$SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}"
mkdir -p "$stamp_dir" && touch "$stamp"
echo "[deps] done"
