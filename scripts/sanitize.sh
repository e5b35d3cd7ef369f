#!/usr/bin/env bash
# Builds and runs the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer,
# then the runtime's tests (labels runtime, stress, faults) under ThreadSanitizer: the runtime
# must be race-free itself; so must the analyzer's thread that parses trace files ahead
# (TracePrefetcher, and the decoded records it hands over), the one that gathers half of a
# large class graph (LockGraphBuilder::AddInTwo) and the one that passes over half of a large
# trace for its instance graph of the class cycles (AddWithinGroups). Build directories:
# build-asan/, build-tsan/ (or $BUILD_DIR-asan, $BUILD_DIR-tsan). Each build and test run
# prints its time; docs/reliability.md has them.
# Usage: scripts/sanitize.sh [asan|tsan]   (default: both)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base="${BUILD_DIR:-$root/build}"
phase="$root/scripts/phase.sh"
passes=("$@")
[ ${#passes[@]} -eq 0 ] && passes=(asan tsan)
"$root/scripts/install-deps.sh" test

configure() {  # configure DIR SANITIZERS
  cmake -S "$root" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DLOCKGRAPH_SANITIZE="$2" -DLOCKGRAPH_BUILD_TESTS=ON -DLOCKGRAPH_BUILD_BENCHMARKS=OFF \
    -DLOCKGRAPH_BUILD_EXAMPLES=ON >/dev/null
}

for pass in "${passes[@]}"; do
  case "$pass" in
    asan)
      echo "== the whole suite under -fsanitize=address,undefined =="
      configure "$base-asan" address,undefined
      "$phase" "asan build" cmake --build "$base-asan" --parallel "$(nproc)"
      "$phase" "asan tests" ctest --test-dir "$base-asan" --output-on-failure \
        --parallel "$(nproc)" --timeout 600
      ;;
    tsan)
      echo "== the runtime's tests under -fsanitize=thread =="
      configure "$base-tsan" thread
      # Only what those tests build and run, the tests of reading trace files and the lock
      # graph's: the analyzer is single-threaded but for the thread that parses them ahead,
      # which hands its pieces over (lockgraph_trace_input), the one that gathers half of a
      # large trace's class orders (LockGraphBuilder::AddInTwo), and the one that passes over
      # half of a large trace's dependencies for its instance graph of the class cycles.
      "$phase" "tsan build" cmake --build "$base-tsan" --parallel "$(nproc)" --target lockgraph \
        tests/runtime/all tests/stress/all tests/faults/all trace_input_test graph_test
      # A ThreadSanitizer runtime cannot be preloaded into a program not built with it, so
      # the tests that run programs under `lockgraph run` are left to the ASan pass.
      "$phase" "tsan tests" ctest --test-dir "$base-tsan" --output-on-failure \
        --parallel "$(nproc)" --timeout 600 -L '^(runtime|stress|faults)$' -E '^Preload'
      "$phase" "tsan analyzer thread tests" ctest --test-dir "$base-tsan" --output-on-failure \
        --parallel "$(nproc)" --timeout 600 \
        -R '^(TracePrefetcher\.|DecodedTrace\.|LockGraph\.(AddInTwo|InstanceGraphOfALarge))'
      ;;
    *) echo "scripts/sanitize.sh: unknown pass '$pass' (asan or tsan)" >&2; exit 2 ;;
  esac
done
