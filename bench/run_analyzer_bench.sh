#!/usr/bin/env bash
# Times `lockgraph analyze` on synthetic traces (bench/gen_trace.cc) and prints a markdown
# table: median wall time of RUNS runs, peak RSS, dependency records per second, and whether
# the analyzer found exactly the injected cycles. The cases (CASES, default all four):
#   single  one trace of DEPS dependencies over LOCKS locks, with CYCLES injected cycles, and
#           the same without (an acyclic graph, the common case)
#   suite   a CI run over a test suite: 1,000 traces of 10^4 dependencies (2,000 locks in 200
#           classes, 8 threads each, seeds 1-1000), one of them with an injected cycle
#   small   a suite of small tests: 10,000 traces of 10^3 dependencies (300 locks in 50
#           classes, 4 threads each), one with an injected cycle
#   huge    one trace of 10^7 dependencies over 10^6 locks, with CYCLES injected cycles
#
#   bench/run_analyzer_bench.sh                        # uses build/
#   CASES=single BUILD_DIR=/tmp/b RUNS=9 DEPS=100000 bench/run_analyzer_bench.sh
#   LOCKGRAPH=/tmp/old/analyzer/lockgraph bench/run_analyzer_bench.sh   # time another build
#
# Needs GNU time as /usr/bin/time (Debian: apt-get install time) and python3. The traces are
# written to a temporary directory (about 0.9 GB for all cases) and removed at the end.
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
cases="${CASES:-single suite small huge}"
for tool in "$lockgraph" "$gen_trace" /usr/bin/time; do
  [[ -x "$tool" ]] || { echo "run_analyzer_bench: $tool not found (build it first)" >&2; exit 2; }
done
for case in $cases; do
  case "$case" in single | suite | small | huge) ;; *)
    echo "run_analyzer_bench: unknown case '$case' in CASES (single, suite, small, huge)" >&2
    exit 2 ;;
  esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# generate DIR COUNT INJECTED_AT GEN_TRACE_OPTIONS...: COUNT traces in DIR, seeds 1..COUNT,
# the one of seed INJECTED_AT with one injected cycle.
generate() {
  local dir="$1" count="$2" injected_at="$3" s
  shift 3
  mkdir -p "$dir"
  for ((s = 1; s <= count; s++)); do
    "$gen_trace" "$@" --cycles=$((s == injected_at ? 1 : 0)) --seed="$s" \
      --out="$dir/t$s.lgtrace" >/dev/null
  done
}

# measure NAME INJECTED PATH: RUNS timed analyses of PATH (a trace or a directory).
measure() {
  local name="$1" injected="$2" path="$3" i status
  echo "$name $injected" >>"$work/cases"
  for ((i = 1; i <= runs; i++)); do
    # Exit status 1 means "findings", which a case with injected cycles must have.
    status=0
    /usr/bin/time -f "%e %M" -o "$work/$name.time.$i" \
      "$lockgraph" analyze --format=json --symbolizer=none "$path" \
      >"$work/$name.json" 2>/dev/null || status=$?
    if ((status > 1)); then
      echo "run_analyzer_bench: lockgraph analyze failed on $path (exit $status)" >&2
      exit 2
    fi
  done
}

load_before="$(cut -d' ' -f1 /proc/loadavg)"
for case in $cases; do
  case "$case" in
    single)
      for injected in $(printf '%s\n' "$cycles" 0 | awk '!seen[$0]++'); do
        "$gen_trace" --locks="$locks" --deps="$deps" --threads="$threads" --cycles="$injected" \
          --seed="$seed" --out="$work/single$injected.lgtrace" >/dev/null
        measure "single$injected" "$injected" "$work/single$injected.lgtrace"
        rm -f "$work/single$injected.lgtrace"
      done ;;
    suite)
      generate "$work/suite" 1000 500 --locks=2000 --classes=200 --deps=10000 --threads=8
      measure suite 1 "$work/suite"
      rm -rf "$work/suite" ;;
    small)
      generate "$work/small" 10000 5000 --locks=300 --classes=50 --deps=1000 --threads=4
      measure small 1 "$work/small"
      rm -rf "$work/small" ;;
    huge)
      "$gen_trace" --locks=1000000 --deps=10000000 --threads="$threads" --cycles="$cycles" \
        --seed="$seed" --out="$work/huge.lgtrace" >/dev/null
      measure huge "$cycles" "$work/huge.lgtrace"
      rm -f "$work/huge.lgtrace" ;;
  esac
done
load_after="$(cut -d' ' -f1 /proc/loadavg)"

python3 - "$work" "$runs" "$load_before" "$load_after" <<'PY'
import json, os, platform, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
load_before, load_after = sys.argv[3:5]
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
            if line.startswith("model name")), "?")
print(f"machine: {platform.node()}, {os.cpu_count()} CPUs ({cpu}), "
      f"load average {load_before} before, {load_after} after")
print()
print(f"| case | traces | dependency records | locks | wall s (median of {runs}) | min–max s "
      "| peak RSS MiB (max) | dependency records/s | deadlocks found |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
titles = {"suite": "1,000 traces of 10^4", "small": "10,000 traces of 10^3",
          "huge": "one trace of 10^7"}
ok = True
for line in open(f"{work}/cases"):
    name, injected = line.split()[0], int(line.split()[1])
    # The last line: GNU time puts "Command exited with non-zero status 1" before it.
    samples = [open(f"{work}/{name}.time.{i}").read().splitlines()[-1].split()
               for i in range(1, runs + 1)]
    seconds = [float(s[0]) for s in samples]
    rss_mib = max(int(s[1]) for s in samples) / 1024
    summary = json.load(open(f"{work}/{name}.json"))["summary"]
    found = summary["findings"]["deadlock"]
    median = statistics.median(seconds)
    expected = f"{injected} injected" if injected else "none injected"
    match = f"({expected})" if found == injected else f"(**{expected}**)"
    ok &= found == injected and summary["findings"]["potential"] == 0
    if name.startswith("single"):
        title = f"one trace, {injected} injected cycles" if injected else "one trace, acyclic"
    else:
        title = titles[name]
    print(f"| {title} | {summary['traces']:,} | {summary['dependencies']:,} "
          f"| {summary['locks']:,} | {median:.2f} | {min(seconds):.2f}–{max(seconds):.2f} "
          f"| {rss_mib:.0f} | {summary['dependencies'] / median:,.0f} | {found} {match} |")
print()
print("findings check: " + ("every injected cycle found, nothing else" if ok else
                            "MISMATCH between injected cycles and findings"))
sys.exit(0 if ok else 1)
PY
