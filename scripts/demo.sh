#!/usr/bin/env bash
# The main job: installs what is missing, builds what it runs (the lockgraph command, the
# runtime, the preload library and two examples; not the tests), then runs two ABBA programs
# under lockgraph and prints what it finds:
#  - examples/abba_std_mutex, a plain std::mutex program, unmodified, under `lockgraph run`;
#  - examples/abba, written with lockgraph's own Lock and Thread, then `lockgraph analyze`;
#  - examples/abba.py, a plain Python threading program, unmodified, under `lockgraph run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
phase="$root/scripts/phase.sh"
"$phase" "install" "$root/scripts/install-deps.sh" run
BUILD_TARGETS="lockgraph lockgraph_preload lockgraph_python abba abba_std_mutex" "$phase" "build" \
  "$root/scripts/build.sh" -DLOCKGRAPH_BUILD_TESTS=OFF -DLOCKGRAPH_BUILD_BENCHMARKS=OFF \
  -DLOCKGRAPH_BUILD_EXAMPLES=ON
lockgraph="$build/analyzer/lockgraph"

echo "== lockgraph run -- examples/abba_std_mutex (plain std::mutex, not rebuilt) =="
"$lockgraph" run --explain -- "$build/examples/abba_std_mutex"

traces="$(mktemp -d)"
trap 'rm -rf "$traces"' EXIT
echo
echo "== examples/abba (lockgraph::Lock): the report printed as the cycle closes =="
LOCKGRAPH_OPTIONS="trace=$traces/abba.%p.lgtrace" "$build/examples/abba"
echo
echo "== lockgraph analyze: the report from its trace =="
"$lockgraph" analyze --explain "$traces" || true  # exit 1: it found the cycle

echo
echo "== lockgraph run -- python3 examples/abba.py (plain threading, not changed) =="
"$lockgraph" run -- python3 "$root/examples/abba.py"
