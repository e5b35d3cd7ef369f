#!/usr/bin/env bash
# The main job: installs what is missing, builds everything, runs the ABBA example under
# lockgraph and prints its findings (the online report, then the recorded trace).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

traces="$(mktemp -d)"
trap 'rm -rf "$traces"' EXIT
echo "== examples/abba: two threads take two locks in opposite orders =="
LOCKGRAPH_OPTIONS="trace=$traces/abba.%p.lgtrace" "$build/examples/abba"
echo
echo "== lockgraph analyze: the report from the trace =="
"$build/analyzer/lockgraph" analyze --explain "$traces" || true  # exit 1: it found the cycle

