#!/usr/bin/env bash
# Configures and builds lockgraph in BUILD_DIR (default: build/). Arguments go to cmake's
# configure step; BUILD_TARGETS (space-separated) builds only those targets.
#   scripts/build.sh -DLOCKGRAPH_BUILD_TESTS=ON
#   BUILD_TARGETS="lockgraph abba" scripts/build.sh -DLOCKGRAPH_BUILD_TESTS=OFF
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
targets=()
for target in ${BUILD_TARGETS:-}; do targets+=(--target "$target"); done
cmake --build "$build" --parallel "$(nproc)" "${targets[@]}"
