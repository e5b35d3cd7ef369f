#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang) and runs each for FUZZ_SECONDS (default 60) on a
# copy of its seed corpus in fuzz/corpus/ (the repository is never written). Prints each
# target's final stats (executions, coverage) and exits nonzero if any target crashed, with the
# crash input's path in the output. Build directory: build-fuzz/ (or $BUILD_DIR);
# work directory (corpora, crash inputs): a fresh mktemp dir (or $FUZZ_WORK_DIR).
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

# clang and its sanitizer runtimes (libclang_rt.fuzzer is only recommended by clang-14).
"$root/scripts/install-deps.sh" clang libclang-rt-14-dev || exit 2
CXX="${CXX:-clang++}" cmake -S "$root" -B "$build" -G Ninja -DLOCKGRAPH_BUILD_FUZZERS=ON \
  -DLOCKGRAPH_BUILD_TESTS=OFF -DLOCKGRAPH_BUILD_BENCHMARKS=OFF -DLOCKGRAPH_BUILD_EXAMPLES=OFF \
  >/dev/null || exit 2
nice ninja -C "$build" -j "$(nproc)" "${targets[@]}" || exit 2

failed=0
for target in "${targets[@]}"; do
  corpus="$work/$target/corpus"
  artifacts="$work/$target/crashes/"
  mkdir -p "$corpus" "$artifacts"
  seed_dir="${seeds[$target]:-${target%_fuzzer}}"
  cp "$root/fuzz/corpus/$seed_dir/"* "$corpus/" 2>/dev/null
  echo "== $target: ${seconds}s, corpus $corpus =="
  "$build/fuzz/$target" -max_total_time="$seconds" -max_len="${max_len[$target]:-4096}" \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" \
    >"$work/$target/log" 2>&1
  status=$?
  grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::new_units_added)' \
    "$work/$target/log"
  if [ $status -ne 0 ]; then
    failed=1
    grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written to' "$work/$target/log"
    echo "$target FAILED (exit $status); log: $work/$target/log"
  fi
done
echo "work directory: $work"
exit $failed
