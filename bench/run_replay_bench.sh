#!/usr/bin/env bash
# Times `lockgraph analyze` on synthetic full-mode traces (bench/gen_trace.cc --events) of
# each size in SIZES and prints a markdown table: median wall and CPU time of RUNS runs
# pinned to one CPU, events per second, peak RSS, and the dependency records the model keeps
# (a full-mode thread records its nested locks again in each segment). Each analysis is
# checked against what gen_trace wrote (records, threads, objects, dependency records): it
# must find exactly the RACES injected races and nothing else, with no warnings. Before
# timing, a small trace with no injected race must give no finding at all.
#
#   bench/run_replay_bench.sh                     # uses build/: 10^6, 10^7 and 10^8 events
#   BUILD_DIR=/tmp/b RUNS=3 SIZES="1000000 10000000" THREADS=64 bench/run_replay_bench.sh
#   IDLE_MAIN=1 bench/run_replay_bench.sh    # main only spawns and joins (gen_trace.cc)
#   LOCKGRAPH=/tmp/old/analyzer/lockgraph bench/run_replay_bench.sh   # time another build
#
# A trace takes about 4.5 bytes per event (446 MB for 10^8), in a temporary directory
# (TMPDIR), one size at a time, deleted after its runs. Needs GNU time as /usr/bin/time
# (Debian: apt-get install time) and python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
lockgraph="${LOCKGRAPH:-$build/analyzer/lockgraph}"
gen_trace="$build/bench/gen_trace"
runs="${RUNS:-5}"
sizes="${SIZES:-1000000 10000000 100000000}"
threads="${THREADS:-8}"
locks="${LOCKS:-1000}"
races="${RACES:-10}"
idle_main="${IDLE_MAIN:-0}"
seed="${SEED:-1}"
cpu="${CPU:-1}"
for tool in "$lockgraph" "$gen_trace" /usr/bin/time; do
  [[ -x "$tool" ]] || { echo "run_replay_bench: $tool not found (build it first)" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Checks one analysis (JSON report, its stderr, exit status) against gen_trace's summary line
# (key=value pairs): prints "ok" or what differs.
check() {
  python3 - "$@" <<'PY'
import json, sys
report_path, stderr_path, status, generated_line = sys.argv[1:5]
generated = dict(kv.split("=", 1) for kv in generated_line.split()[1:])
report = json.load(open(report_path))
s = report["summary"]
want = {"records": int(generated["records"]), "threads": int(generated["threads"]),
        "locks": int(generated["instances"]), "dependencies": int(generated["dependencies"])}
problems = [f"{k} {s[k]} (wrote {v})" for k, v in want.items() if s[k] != v]
found = {k: v for k, v in s["findings"].items() if v}
if found != ({"race": int(generated["races"])} if int(generated["races"]) else {}):
    problems.append(f"findings {found} ({generated['races']} races injected)")
if status != "0":
    problems.append(f"exit {status}")
stderr = open(stderr_path).read().strip()
if report["warnings"] or stderr:
    problems.append(f"warnings {report['warnings']} {stderr}")
print("ok" if not problems else "; ".join(problems))
PY
}

# Analyzes $1 once, pinned and timed: JSON in $2.json, "wall user sys maxrss_kb" in $2.time.
analyze() {
  local status=0
  /usr/bin/time -f "%e %U %S %M" -o "$2.time" taskset -c "$cpu" \
    "$lockgraph" analyze --format=json --symbolizer=none "$1" >"$2.json" 2>"$2.err" || status=$?
  echo "$status"
}

# A trace where every access is ordered: no finding of any kind.
summary="$("$gen_trace" --events=100000 --threads="$threads" --locks="$locks" --races=0 \
  --idle_main="$idle_main" --seed="$seed" --out="$work/check.lgtrace")"
status="$(analyze "$work/check.lgtrace" "$work/check")"
result="$(check "$work/check.json" "$work/check.err" "$status" "$summary")"
echo "check, 10^5 events, no race injected: $result"
[[ "$result" == ok ]] || exit 1
rm -f "$work/check.lgtrace"

load_before="$(cut -d' ' -f1 /proc/loadavg)"
for n in $sizes; do
  trace="$work/t$n.lgtrace"
  "$gen_trace" --events="$n" --threads="$threads" --locks="$locks" --races="$races" \
    --idle_main="$idle_main" --seed="$seed" --out="$trace" >"$work/t$n.generated"
  stat -c %s "$trace" >"$work/t$n.bytes"
  for ((i = 1; i <= runs; i++)); do
    status="$(analyze "$trace" "$work/t$n.$i")"
    check "$work/t$n.$i.json" "$work/t$n.$i.err" "$status" "$(cat "$work/t$n.generated")" \
      >"$work/t$n.$i.check"
  done
  rm -f "$trace"
done
load_after="$(cut -d' ' -f1 /proc/loadavg)"

python3 - "$work" "$runs" "$load_before" "$load_after" "$threads $locks $idle_main" $sizes <<'PY'
import os, platform, statistics, sys
work, runs, load_before, load_after = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
threads, locks, idle_main = sys.argv[5].split()
sizes = sys.argv[6:]
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
            if line.startswith("model name")), "?")
print(f"machine: {platform.node()}, {os.cpu_count()} CPUs ({cpu}), "
      f"load average {load_before} before, {load_after} after")
print(f"traces: {threads} threads, {locks} locks, "
      + ("main only spawns and joins" if idle_main != "0" else "main works like the others"))
print()
print(f"| events | trace MB | bytes/event | wall s (median of {runs}) | min–max s "
      "| CPU s (median) | events/s (wall) | events/s (CPU) | peak RSS MiB (max) "
      "| dependency records | check |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
ok = True
for n in sizes:
    generated = dict(kv.split("=", 1) for kv in open(f"{work}/t{n}.generated").read().split()[1:])
    events = int(generated["events"])
    size = int(open(f"{work}/t{n}.bytes").read())
    samples = [open(f"{work}/t{n}.{i}.time").read().splitlines()[-1].split()
               for i in range(1, runs + 1)]
    wall = [float(s[0]) for s in samples]
    cpu_s = [float(s[1]) + float(s[2]) for s in samples]
    rss = max(int(s[3]) for s in samples) / 1024
    checks = {open(f"{work}/t{n}.{i}.check").read().strip() for i in range(1, runs + 1)}
    ok &= checks == {"ok"}
    check = (f"{generated['races']} races found, nothing else" if checks == {"ok"}
             else "**" + "; ".join(sorted(checks)) + "**")
    print(f"| {events:,} | {size / 1e6:.1f} | {size / events:.2f} | {statistics.median(wall):.2f} "
          f"| {min(wall):.2f}–{max(wall):.2f} | {statistics.median(cpu_s):.2f} "
          f"| {events / statistics.median(wall):,.0f} | {events / statistics.median(cpu_s):,.0f} "
          f"| {rss:.0f} | {int(generated['dependencies']):,} | {check} |")
print()
print("findings check: " + ("every analysis found exactly what was generated" if ok else
                            "MISMATCH between the generated traces and the analyses"))
sys.exit(0 if ok else 1)
PY
