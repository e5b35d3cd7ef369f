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
echo "== lockgraph dump --symbolize: the dependencies recorded in the trace =="
# Each dependency record, with the stacks it names (where each lock was taken).
"$build/analyzer/lockgraph" dump --symbolize "$traces"/abba.*.lgtrace | awk '/^@/ { show = / dependency #/ } show'

