#!/usr/bin/env bash
# Configures and builds one CMake preset (debug | release | asan); optional targets after it.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
jobs="${STRATO_BUILD_JOBS:-$(nproc)}"
# ccache keys on paths relative to the checkout and not on the build directory, so every
# clone of the repository on a machine shares one warm cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake --preset "$preset" >/dev/null
if (($#)); then
  cmake --build --preset "$preset" -j "$jobs" --target "$@"
else
  cmake --build --preset "$preset" -j "$jobs"
fi
