#!/usr/bin/env bash
# Builds and runs every test under AddressSanitizer + UndefinedBehaviorSanitizer, then under
# ThreadSanitizer (the runtime must be race-free itself). Build directories: build-asan/,
# build-tsan/ (or $BUILD_DIR-asan, $BUILD_DIR-tsan). About 10 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base="${BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
for sanitizer in address,undefined thread; do
  name="${sanitizer%%,*}"; name="${name/address/asan}"; name="${name/thread/tsan}"
  echo "== tests under -fsanitize=$sanitizer =="
  BUILD_DIR="$base-$name" "$root/scripts/build.sh" -DLOCKGRAPH_SANITIZE="$sanitizer" \
    -DLOCKGRAPH_BUILD_BENCHMARKS=OFF
  # A ThreadSanitizer runtime cannot be preloaded into a program not built with it, so the
  # LD_PRELOAD end-to-end tests run under AddressSanitizer only.
  exclude='^$'
  [ "$name" = tsan ] && exclude='^Preload(Corpus|Process|RealPrograms|Host|Fault[A-Za-z]*)\.'
  ctest --test-dir "$base-$name" --output-on-failure --parallel "$(nproc)" --timeout 600 \
    -E "$exclude"
done
