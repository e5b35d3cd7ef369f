#!/usr/bin/env bash
# `with lock:` on uncontended locks in Python: threading.Lock in plain python3, lockgraph.Lock
# used directly (import lockgraph), and threading.Lock in an unmodified program under
# `lockgraph run` (which makes it lockgraph's), one lock and two nested. The cases take turns,
# ROUNDS times, each in a fresh process pinned to one CPU; prints a markdown table of the
# medians and their ratio to plain threading measured in the same run.
#
#   bench/run_python_bench.sh                 # build/, Debian's python3, 5 rounds
#   BUILD_DIR=/tmp/b ROUNDS=9 CPU=0 bench/run_python_bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
python="${PYTHON:-/usr/bin/python3}"
rounds="${ROUNDS:-5}"
bench=("taskset" "-c" "${CPU:-1}")
script="$root/bench/python_locks.py"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

for ((round = 0; round < rounds; round++)); do
  for shape in "" "-nested"; do
    echo "threading$shape plain $(LOCKGRAPH_OPTIONS=trace= "${bench[@]}" "$python" "$script" "threading$shape")" >>"$results"
    echo "lockgraph$shape import $(PYTHONPATH="$build/python" LOCKGRAPH_OPTIONS=trace= "${bench[@]}" "$python" "$script" "lockgraph$shape")" >>"$results"
    echo "threading$shape run $("${bench[@]}" "$build/analyzer/lockgraph" run -- "$python" "$script" "threading$shape" 2>/dev/null)" >>"$results"
  done
done

"$python" - "$results" "$rounds" <<'PY'
import collections, statistics, sys
values = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kind, how, ns = line.split()
    values[(kind, how)].append(float(ns))
print(f"{sys.argv[2]} rounds; median ns per `with` statement (lock + unlock), range in brackets")
print()
print("| case | how | median ns | range | vs plain threading |")
print("|---|---|---:|---:|---:|")
for shape in ("", "-nested"):
    base = statistics.median(values[("threading" + shape, "plain")])
    for kind, how, label in (("threading", "plain", "python3 app.py"),
                             ("lockgraph", "import", "`import lockgraph`"),
                             ("threading", "run", "`lockgraph run -- python3 app.py`")):
        v = values[(kind + shape, how)]
        m = statistics.median(v)
        name = "two nested locks" if shape else "one lock"
        lock = "lockgraph.Lock" if kind == "lockgraph" else "threading.Lock"
        print(f"| {name}, `{lock}` | {label} | {m:.1f} | {min(v):.0f}–{max(v):.0f} | {m / base:.2f}x |")
PY
