#!/usr/bin/env bash
# Configures and builds one CMake preset (debug | release | asan); optional targets after it.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
jobs="${STRATO_BUILD_JOBS:-$(nproc)}"
cmake --preset "$preset" >/dev/null
if (($#)); then
  cmake --build --preset "$preset" -j "$jobs" --target "$@"
else
  cmake --build --preset "$preset" -j "$jobs"
fi
