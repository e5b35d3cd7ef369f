#!/usr/bin/env bash
# Full mode's runtime cost. Runs bench/full_mode_bench pinned to one CPU (repetitions of all
# benchmarks interleaved in random order) and prints a markdown table of median CPU times per
# operation and their ratio to std::mutex in the same run; then bench/trace_bytes for each
# ITERATIONS (bytes per event in the trace), and checks that `lockgraph analyze` reads that
# trace cleanly: exit 0, no findings, no warnings.
#
#   bench/run_full_mode_bench.sh         # uses build/, CPU 1, 15 repetitions, 10^6 and 10^7
#   BUILD_DIR=/tmp/b CPU=0 REPETITIONS=25 ITERATIONS="100000 1000000" bench/run_full_mode_bench.sh
#
# The timed run writes its events to /dev/null; trace_bytes writes up to 40 bytes per
# iteration to a temporary directory (TMPDIR), deleted at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cpu="${CPU:-1}"
for tool in "$build/bench/full_mode_bench" "$build/bench/trace_bytes" "$build/analyzer/lockgraph"; do
  [[ -x "$tool" ]] || { echo "run_full_mode_bench: $tool not found (build it first)" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

taskset -c "$cpu" "$build/bench/full_mode_bench" --trace=/dev/null \
  --benchmark_repetitions="${REPETITIONS:-15}" --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true --benchmark_min_time=0.3 \
  --benchmark_format=json >"$work/times.json"
python3 - "$work/times.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
medians = {b["run_name"]: b["cpu_time"] for b in runs["benchmarks"] if b.get("aggregate_name") == "median"}
print(f"machine: {runs['context']['host_name']}, {runs['context']['num_cpus']} CPUs, "
      f"load average {runs['context'].get('load_avg', ['?'])[0]:.2f}")
print()
print("| benchmark | lock | mode | median ns | vs std::mutex |")
print("|---|---|---|---:|---:|")
# Random interleaving shuffles the output: print in the benchmark's order of shapes and modes.
shapes = ["OneLock", "NestedPair", "LockedIncrement", "SharedRead", "SharedWrite"]
def order(name):
    shape, _, rest = name.partition("/")
    mode = 0 if rest == "std::mutex" else 1 if rest.endswith("/deps") else 2
    return (shapes.index(shape) if shape in shapes else len(shapes), shape, mode)
for name in sorted(medians, key=order):
    ns = medians[name]
    shape, rest = name.split("/", 1)
    lock, _, mode = rest.partition("/")
    base = medians.get(f"{shape}/std::mutex")
    ratio = f"{ns / base:.2f}x" if base else "—"
    print(f"| {shape} | `{lock}` | {mode or '—'} | {ns:.2f} | {ratio} |")
PY

for n in ${ITERATIONS:-1000000 10000000}; do
  trace="$work/bytes.$n.lgtrace"
  echo
  echo "bytes per event, $n iterations of each shape ($trace):"
  echo
  LOCKGRAPH_OPTIONS="mode=full:quiet=1:trace=$trace" taskset -c "$cpu" \
    "$build/bench/trace_bytes" "$n"
  status=0
  "$build/analyzer/lockgraph" analyze --format=json --symbolizer=none "$trace" \
    >"$work/analysis.json" 2>"$work/analysis.err" || status=$?
  python3 - "$work/analysis.json" "$work/analysis.err" "$status" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
stderr = open(sys.argv[2]).read().strip()
findings = {k: v for k, v in report["summary"]["findings"].items() if v}
ok = sys.argv[3] == "0" and not findings and not report["warnings"] and not stderr
print()
print("analysis check: " + ("exit 0, no findings, no warnings" if ok else
      f"FAILED: exit {sys.argv[3]}, findings {findings}, warnings {report['warnings']} {stderr}"))
sys.exit(0 if ok else 1)
PY
  rm -f "$trace"
done
