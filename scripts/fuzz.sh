#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang) and runs each for FUZZ_SECONDS (default 60) on a
# copy of its seed corpus in fuzz/corpus/ (the repository is never written), as many at once as
# there are cores (FUZZ_JOBS to choose). Prints each target's final stats (executions,
# coverage) and exits nonzero if any target crashed, with the crash input's path in the
# output. Build directory: build-fuzz/ (or $BUILD_DIR); work directory (corpora, crash
# inputs): a fresh mktemp dir (or $FUZZ_WORK_DIR).
# Usage: scripts/fuzz.sh [target...]   (default: all five)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
work="${FUZZ_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lockgraph-fuzz.XXXXXX")}"
targets=("$@")
[ ${#targets[@]} -eq 0 ] &&
  targets=(trace_reader_fuzzer analysis_fuzzer std_importer_fuzzer options_fuzzer suppressions_fuzzer)

# Inputs beyond these sizes exercise nothing new: traces are record after record, options and
# suppressions line after line.
declare -A max_len=([trace_reader_fuzzer]=16384 [analysis_fuzzer]=16384 [std_importer_fuzzer]=4096
  [options_fuzzer]=512 [suppressions_fuzzer]=2048)
# Seeds: fuzz/corpus/<target without _fuzzer>/, unless named here (the analysis reads traces).
declare -A seeds=([analysis_fuzzer]=trace_reader)

"$root/scripts/install-deps.sh" fuzz || exit 2
CXX="${CXX:-clang++}" cmake -S "$root" -B "$build" -G Ninja -DLOCKGRAPH_BUILD_FUZZERS=ON \
  -DLOCKGRAPH_BUILD_TESTS=OFF -DLOCKGRAPH_BUILD_BENCHMARKS=OFF -DLOCKGRAPH_BUILD_EXAMPLES=OFF \
  >/dev/null || exit 2
"$root/scripts/phase.sh" "fuzz build" nice ninja -C "$build" -j "$(nproc)" "${targets[@]}" ||
  exit 2

# Runs one target; its output goes to its log, its exit status to a file.
fuzz() {
  local target=$1
  local corpus="$work/$target/corpus" artifacts="$work/$target/crashes/"
  mkdir -p "$corpus" "$artifacts"
  cp "$root/fuzz/corpus/${seeds[$target]:-${target%_fuzzer}}/"* "$corpus/" 2>/dev/null
  "$build/fuzz/$target" -max_total_time="$seconds" -max_len="${max_len[$target]:-4096}" \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" >"$work/$target/log" 2>&1
  echo $? >"$work/$target/status"
}

jobs="${FUZZ_JOBS:-$(nproc)}"
echo "== fuzz runs: ${#targets[@]} targets, ${seconds}s each, $jobs at a time =="
start=$SECONDS
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  fuzz "$target" &
done
wait

failed=0
for target in "${targets[@]}"; do
  status=$(cat "$work/$target/status")
  echo "== $target: ${seconds}s, corpus $work/$target/corpus =="
  grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::new_units_added)' \
    "$work/$target/log"
  if [ "$status" -ne 0 ]; then
    failed=1
    grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written to' "$work/$target/log"
    echo "$target FAILED (exit $status); log: $work/$target/log"
  fi
done
echo "== fuzz runs: $((SECONDS - start)) s =="
echo "work directory: $work"
exit $failed
