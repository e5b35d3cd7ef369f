#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, builds tests/install/consumer against it
# with find_package(lockgraph) and again with pkg-config, runs both, and analyzes their
# traces with the installed `lockgraph`: the cycle must be found with both source lines, and
# `lockgraph run` must find the installed interposer.
#
# The consumer is configured with the cmake, generator and build tool of the build under test
# (a fresh machine has the ones the set-up installed, ninja, and no make).
#
#   tests/install/install_test.sh BUILD_DIR SOURCE_DIR CXX CMAKE GENERATOR MAKE_PROGRAM
set -euo pipefail
build="$1" source="$2" cxx="$3" cmake="$4" generator="$5" make_program="$6"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log"
for f in bin/lockgraph include/lockgraph/lockgraph.h lib/cmake/lockgraph/lockgraphConfig.cmake; do
  [[ -e "$prefix/$f" ]] || { echo "not installed: $f"; exit 1; }
done
libdir="$(dirname "$(find "$prefix" -name liblockgraph_preload.so | head -1)")"
[[ -f "$libdir/pkgconfig/lockgraph.pc" ]] || { echo "no lockgraph.pc in $libdir/pkgconfig"; exit 1; }

check_report() {  # $1: what, $2: report text
  grep -q 'lock-order cycle between "first" and "second"' <<<"$2" ||
    { echo "$1: the cycle is missing:"; echo "$2"; exit 1; }
  for marker in "consumer: first -> second" "consumer: second -> first"; do
    line="$(grep -n "$marker" "$source/tests/install/consumer/main.cc" | cut -d: -f1)"
    grep -q "main.cc:$line" <<<"$2" || { echo "$1: no main.cc:$line ($marker):"; echo "$2"; exit 1; }
  done
}

# 1. CMake: find_package(lockgraph) + lockgraph::runtime.
"$cmake" -S "$source/tests/install/consumer" -B "$work/consumer" -G "$generator" \
  -DCMAKE_MAKE_PROGRAM="$make_program" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
"$cmake" --build "$work/consumer" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
mkdir "$work/traces"
out="$(LOCKGRAPH_OPTIONS="quiet=1:trace=$work/traces/%p.lgtrace" "$work/consumer/consumer")"
[[ "$out" == "consumer ran" ]] || { echo "consumer printed: $out"; exit 1; }
set +e
report="$("$prefix/bin/lockgraph" analyze "$work/traces")"
code=$?
set -e
[[ $code == 1 ]] || { echo "lockgraph analyze exited $code, expected 1 (a deadlock)"; exit 1; }
check_report "find_package" "$report"

# 2. pkg-config.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
"$cxx" -O1 -g -o "$work/consumer_pc" "$source/tests/install/consumer/main.cc" \
  $(pkg-config --cflags --libs lockgraph)
rm -rf "$work/traces"; mkdir "$work/traces"
LOCKGRAPH_OPTIONS="quiet=1:trace=$work/traces/%p.lgtrace" "$work/consumer_pc" > /dev/null
set +e
report="$("$prefix/bin/lockgraph" analyze "$work/traces")"
set -e
check_report "pkg-config" "$report"

# 3. The installed `lockgraph run` finds the installed interposer (it never falls back to the
# build tree's).
set +e
run_out="$(env -u LOCKGRAPH_PRELOAD "$prefix/bin/lockgraph" run -- /bin/true 2>&1)"
set -e
grep -q "cannot find liblockgraph_preload" <<<"$run_out" &&
  { echo "lockgraph run did not find the installed interposer: $run_out"; exit 1; }
echo "install test passed: find_package and pkg-config consumers, lockgraph run"
