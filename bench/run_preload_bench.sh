#!/usr/bin/env bash
# Times std::mutex lock+unlock in a plain program (bench/mutex_workload.cc) natively, under
# liblockgraph_preload.so (deps mode), under ThreadSanitizer with its deadlock detector and
# under Valgrind's Helgrind, and prints a markdown table of ns per iteration (the median of
# RUNS runs, each itself the median of its repetitions) and the ratio to native. Every
# configuration is measured in this one run, round-robin, pinned to one CPU: the ratios are
# what count, the absolute times drift with the machine's load.
#
#   bench/run_preload_bench.sh                     # uses build/, CPU 1, 5 runs
#   BUILD_DIR=/tmp/b CPU=0 RUNS=9 bench/run_preload_bench.sh
#
# Iterations per run (the slow tools get fewer; times are per iteration either way):
# ITERATIONS (native and preload), TSAN_ITERATIONS, HELGRIND_ITERATIONS; REPETITIONS and
# HELGRIND_REPETITIONS. Needs taskset, valgrind (Debian: apt-get install valgrind), python3,
# and the targets mutex_workload, mutex_workload_tsan and lockgraph_preload.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cpu="${CPU:-1}"
runs="${RUNS:-5}"
iterations="${ITERATIONS:-5000000}"
repetitions="${REPETITIONS:-11}"
tsan_iterations="${TSAN_ITERATIONS:-1000000}"
helgrind_iterations="${HELGRIND_ITERATIONS:-20000}"
helgrind_repetitions="${HELGRIND_REPETITIONS:-5}"
workload="$build/bench/mutex_workload"
workload_tsan="$build/bench/mutex_workload_tsan"
preload="$build/liblockgraph_preload.so"
for file in "$workload" "$workload_tsan" "$preload"; do
  [[ -e "$file" ]] || { echo "run_preload_bench: $file not found (build it first)" >&2; exit 2; }
done
for tool in taskset valgrind python3; do
  command -v "$tool" >/dev/null || { echo "run_preload_bench: $tool not found" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# name|iterations|command...: each command prints "one_lock NS", "nested_pair NS",
# "new_mutex NS", "heap_mutex NS", "alloc_free NS" and "threads_pairs8 NS".
configs=(
  "native|$iterations|$workload"
  "preload|$iterations|env LD_PRELOAD=$preload LOCKGRAPH_OPTIONS=trace= $workload"
  "preload_trace|$iterations|env LD_PRELOAD=$preload LOCKGRAPH_OPTIONS=trace=$work/lg.%p.lgtrace $workload"
  "tsan|$tsan_iterations|env TSAN_OPTIONS=detect_deadlocks=1 $workload_tsan"
  "helgrind|$helgrind_iterations|valgrind --tool=helgrind -q $workload"
)

load_before="$(cut -d' ' -f1 /proc/loadavg)"
for ((i = 1; i <= runs; i++)); do
  for config in "${configs[@]}"; do
    IFS='|' read -r name n command <<<"$config"
    reps="$repetitions"
    [[ "$name" == helgrind ]] && reps="$helgrind_repetitions"
    # shellcheck disable=SC2086  # the command is split into words on purpose
    if ! taskset -c "$cpu" $command "$n" "$reps" >"$work/$name.$i" 2>"$work/$name.$i.err" ||
        [[ -s "$work/$name.$i.err" ]]; then
      # A tool's report (a TSan warning, a Helgrind error) means the runs are not comparable.
      echo "run_preload_bench: $name failed or reported something:" >&2
      cat "$work/$name.$i.err" >&2
      exit 2
    fi
  done
done
load_after="$(cut -d' ' -f1 /proc/loadavg)"
# The traced configuration must really have written its trace.
trace_bytes="$(cat "$work"/lg.*.lgtrace 2>/dev/null | wc -c)"
((trace_bytes > 0)) || { echo "run_preload_bench: no trace written" >&2; exit 2; }

python3 - "$work" "$runs" "$load_before" "$load_after" "$trace_bytes" "$cpu" \
  "${configs[@]}" <<'PY'
import os, platform, statistics, sys
work, runs, load_before, load_after, trace_bytes, cpu = sys.argv[1:7]
runs = int(runs)
configs = [c.split("|")[:2] for c in sys.argv[7:]]
labels = {
    "native": "native (glibc `pthread_mutex_*`)",
    "preload": "preload, deps mode, no trace file (`trace=`)",
    "preload_trace": "preload, deps mode, trace file",
    "tsan": "ThreadSanitizer, `detect_deadlocks=1`",
    "helgrind": "Valgrind Helgrind",
}

CASES = [("one_lock", "one lock"), ("nested_pair", "nested pair"),
         ("threads_pairs8", "2 threads, pairs of 8"), ("new_mutex", "new mutex"),
         ("heap_mutex", "new heap mutex")]

def read(name, i):
    values = dict(line.split() for line in open(f"{work}/{name}.{i}"))
    return tuple(float(values[case]) for case, _ in CASES)

samples = {name: [read(name, i) for i in range(1, runs + 1)] for name, _ in configs}
medians = {name: tuple(statistics.median(s[k] for s in v) for k in range(len(CASES)))
           for name, v in samples.items()}
cpu_model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                  if line.startswith("model name")), "?")
print(f"machine: {platform.node()}, {os.cpu_count()} CPUs ({cpu_model}), pinned to CPU {cpu}; "
      f"load average {load_before} before, {load_after} after")
print()
print("| configuration | " + " | ".join(
    f"{title} ns (median of {runs}) | vs native" for _, title in CASES) + " |")
print("|---|" + "---:|---:|" * len(CASES))
base = medians["native"]
for name, _ in configs:
    cells = [f"{m:.2f} | {m / b:.2f}x" for m, b in zip(medians[name], base)]
    print(f"| {labels[name]} | " + " | ".join(cells) + " |")
print()
print("iterations per run: " + ", ".join(f"{name} {int(n):,}" for name, n in configs))
print("run-to-run range (" + "; ".join(title for _, title in CASES) + "): " + ", ".join(
    f"{name} " + "; ".join(f"{min(s[k] for s in v):.2f}–{max(s[k] for s in v):.2f}"
                           for k in range(len(CASES)))
    for name, v in samples.items()))
print(f"trace written by the traced runs: {int(trace_bytes):,} bytes in all")
PY
