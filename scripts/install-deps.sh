#!/usr/bin/env bash
# Installs every Debian package Strato builds, runs and tests with. Idempotent: packages
# already present are not touched. Never installs libboost-all-dev/libboost-dev (they
# conflict with libboost1.81-dev).
set -euo pipefail

BUILD_PKGS=(cmake ninja-build g++ ccache pkg-config git
  libboost1.81-dev nlohmann-json3-dev libpugixml-dev libsqlite3-dev libssl-dev libsodium-dev
  libcli11-dev libspdlog-dev libfmt-dev libcurl4-openssl-dev uuid-dev libgtest-dev
  libnftables-dev libbz2-dev zlib1g-dev)
RUNTIME_PKGS=(qemu-system-x86 qemu-utils dnsmasq-base nftables iproute2 busybox-static kmod cpio
  e2fsprogs bzip2 gzip dropbear-bin curl ca-certificates)
TEST_PKGS=(python3 python3-pytest python3-botocore python3-boto3 awscli s3cmd sqlite3 openssh-client)

missing=()
for p in "${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "strato: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "strato: all build, runtime and test packages are installed"
fi
