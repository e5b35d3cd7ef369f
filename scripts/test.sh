#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test (unit, death, end-to-end).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
phase="$root/scripts/phase.sh"
"$phase" "install" "$root/scripts/install-deps.sh" test
"$phase" "build" "$root/scripts/build.sh" -DLOCKGRAPH_BUILD_TESTS=ON \
  -DLOCKGRAPH_BUILD_BENCHMARKS=ON -DLOCKGRAPH_BUILD_EXAMPLES=ON
"$phase" "tests" ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" --timeout 300
