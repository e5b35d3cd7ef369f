#!/usr/bin/env bash
# Times `lockgraph analyze` on synthetic traces (bench/gen_trace.cc) and prints a markdown
# table: median wall time of RUNS runs, peak RSS, dependency records per second, and whether
# the analyzer found exactly the injected cycles. Two cases: CYCLES injected cycles, and none
# (an acyclic graph, the common case).
#
#   bench/run_analyzer_bench.sh                        # uses build/, 10^6 deps, 10^5 locks
#   BUILD_DIR=/tmp/b RUNS=9 DEPS=100000 bench/run_analyzer_bench.sh
#   LOCKGRAPH=/tmp/old/analyzer/lockgraph bench/run_analyzer_bench.sh   # time another build
#
# Needs GNU time as /usr/bin/time (Debian: apt-get install time) and python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
lockgraph="${LOCKGRAPH:-$build/analyzer/lockgraph}"
gen_trace="$build/bench/gen_trace"
runs="${RUNS:-5}"
locks="${LOCKS:-100000}"
deps="${DEPS:-1000000}"
threads="${THREADS:-64}"
cycles="${CYCLES:-10}"
seed="${SEED:-1}"
for tool in "$lockgraph" "$gen_trace" /usr/bin/time; do
  [[ -x "$tool" ]] || { echo "run_analyzer_bench: $tool not found (build it first)" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cases=("$cycles")
((cycles == 0)) || cases+=(0)
load_before="$(cut -d' ' -f1 /proc/loadavg)"
for case_cycles in "${cases[@]}"; do
  trace="$work/c$case_cycles.lgtrace"
  "$gen_trace" --locks="$locks" --deps="$deps" --threads="$threads" --cycles="$case_cycles" \
    --seed="$seed" --out="$trace" >/dev/null
  for ((i = 1; i <= runs; i++)); do
    # Exit status 1 means "findings", which the cyclic case must have.
    status=0
    /usr/bin/time -f "%e %M" -o "$work/c$case_cycles.time.$i" \
      "$lockgraph" analyze --format=json --symbolizer=none "$trace" \
      >"$work/c$case_cycles.json" || status=$?
    if ((status > 1)); then
      echo "run_analyzer_bench: lockgraph analyze failed on $trace (exit $status)" >&2
      exit 2
    fi
  done
done
load_after="$(cut -d' ' -f1 /proc/loadavg)"

python3 - "$work" "$runs" "$cycles" "$load_before" "$load_after" <<'PY'
import json, os, platform, statistics, sys
work, runs, cycles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
load_before, load_after = sys.argv[4:6]
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
            if line.startswith("model name")), "?")
print(f"machine: {platform.node()}, {os.cpu_count()} CPUs ({cpu}), "
      f"load average {load_before} before, {load_after} after")
print()
print(f"| case | dependency records | locks | wall s (median of {runs}) | min–max s "
      "| peak RSS MiB (max) | dependency records/s | deadlocks found |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
ok = True
for injected in dict.fromkeys((cycles, 0)):
    # The last line: GNU time puts "Command exited with non-zero status 1" before it.
    samples = [open(f"{work}/c{injected}.time.{i}").read().splitlines()[-1].split()
               for i in range(1, runs + 1)]
    seconds = [float(s[0]) for s in samples]
    rss_mib = max(int(s[1]) for s in samples) / 1024
    summary = json.load(open(f"{work}/c{injected}.json"))["summary"]
    found = summary["findings"]["deadlock"]
    median = statistics.median(seconds)
    expected = f"{injected} injected" if injected else "none injected"
    match = f"({expected})" if found == injected else f"(**{expected}**)"
    ok &= found == injected and summary["findings"]["potential"] == 0
    name = f"{injected} injected cycles" if injected else "acyclic"
    print(f"| {name} | {summary['dependencies']:,} | {summary['locks']:,} | {median:.2f} "
          f"| {min(seconds):.2f}–{max(seconds):.2f} | {rss_mib:.0f} "
          f"| {summary['dependencies'] / median:,.0f} | {found} {match} |")
print()
print("findings check: " + ("every injected cycle found, nothing else" if ok else
                            "MISMATCH between injected cycles and findings"))
sys.exit(0 if ok else 1)
PY
