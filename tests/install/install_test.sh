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

# 4. Python, when the package was built: the installed `lockgraph run` records an unmodified
# Python program with the installed package (never the build tree's), and the installed
# package runs as `python3 -m lockgraph`.
bootstrap="$(find "$prefix" -path '*/lockgraph/_bootstrap/sitecustomize.py' | head -1)"
if [[ -n "$bootstrap" ]]; then
  packages="$(dirname "$(dirname "$(dirname "$bootstrap")")")"
  cat > "$work/cycle.py" <<'PY'
import sys
import threading

first = threading.Lock()
second = threading.Lock()
forward_done = threading.Event()


def forward():
    with first:
        with second:  # python: first -> second
            pass
    forward_done.set()


def backward():
    forward_done.wait()  # after forward, not ordered by a join: the run does not hang
    with second:
        with first:  # python: second -> first
            pass


threads = [threading.Thread(target=forward), threading.Thread(target=backward)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sys.modules["lockgraph"].__file__)
PY
  check_python() {  # $1: what, $2: report text
    grep -q 'lock-order cycle between "first" and "second"' <<<"$2" ||
      { echo "$1: the cycle is missing:"; echo "$2"; exit 1; }
    for marker in "python: first -> second" "python: second -> first"; do
      line="$(grep -n "$marker" "$work/cycle.py" | cut -d: -f1)"
      grep -q "cycle.py:$line" <<<"$2" || { echo "$1: no cycle.py:$line:"; echo "$2"; exit 1; }
    done
  }
  rm -rf "$work/traces"
  used="$(env -u PYTHONPATH -u LOCKGRAPH_PYTHON_DIR "$prefix/bin/lockgraph" run \
    --trace-dir "$work/traces" --fail-on=never -- /usr/bin/python3 "$work/cycle.py" 2>/dev/null)"
  [[ "$used" == "$packages/lockgraph/"* ]] ||
    { echo "lockgraph run used the package at $used, not the installed one in $packages"; exit 1; }
  check_python "lockgraph run -- python3" "$("$prefix/bin/lockgraph" analyze --fail-on=never "$work/traces")"
  rm -rf "$work/traces"; mkdir "$work/traces"
  (cd "$work" && PYTHONPATH="$packages" LOCKGRAPH_OPTIONS="quiet=1:trace=$work/traces/%p.lgtrace" \
    /usr/bin/python3 -m lockgraph "$work/cycle.py" > /dev/null)
  check_python "python3 -m lockgraph" "$("$prefix/bin/lockgraph" analyze --fail-on=never "$work/traces")"
  python_done=", Python"
fi
echo "install test passed: find_package and pkg-config consumers, lockgraph run${python_done:-}"
