#!/usr/bin/env bash
# Runs bench/lock_bench pinned to one CPU (the repetitions of all benchmarks interleaved in
# random order, so that the machine's drift falls on every lock alike) and prints a markdown table of median CPU times per
# lock+unlock and their ratio to std::mutex measured in the same run (for the shared-mode
# benchmark, which std::mutex has not, to std::mutex's OneLock), and, for the reader-writer
# locks, to std::shared_mutex measured in the same shape.
#
#   bench/run_lock_bench.sh              # uses build/bench/lock_bench, CPU 1, 15 repetitions
#   BUILD_DIR=/tmp/b CPU=0 REPETITIONS=25 bench/run_lock_bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
taskset -c "${CPU:-1}" "$build/bench/lock_bench" \
  --benchmark_repetitions="${REPETITIONS:-15}" --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_min_time=0.3 --benchmark_format=json >"$json"
python3 - "$json" <<'PY'
import json, re, sys
runs = json.load(open(sys.argv[1]))
medians = {b["run_name"]: b["cpu_time"] for b in runs["benchmarks"] if b.get("aggregate_name") == "median"}
print(f"machine: {runs['context']['host_name']}, {runs['context']['num_cpus']} CPUs, "
      f"load average {runs['context'].get('load_avg', ['?'])[0]:.2f}")
print()
print("| benchmark | lock | median ns | vs std::mutex | vs std::shared_mutex |")
print("|---|---|---:|---:|---:|")
for name, ns in medians.items():
    m = re.match(r"(BM_\w+)<(.+)>", name)
    base = medians.get(f"{m.group(1)}<std::mutex>", medians["BM_OneLock<std::mutex>"])
    shared = medians.get(f"{m.group(1)}<std::shared_mutex>")
    vs_shared = f"{ns / shared:.2f}x" if shared and "shared" in m.group(2).lower() else ""
    print(f"| {m.group(1)[3:]} | `{m.group(2)}` | {ns:.2f} | {ns / base:.2f}x | {vs_shared} |")
PY
