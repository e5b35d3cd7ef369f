#!/usr/bin/env bash
# Installs the Debian packages lockgraph needs, if any is missing. Needs root (or sudo) only
# when something is missing.
#
#   scripts/install-deps.sh run    build and run lockgraph: the CLI, the runtime, the preload
#                                  library and the examples (scripts/demo.sh)
#   scripts/install-deps.sh test   the above, and what the tests build and run (the default)
#   scripts/install-deps.sh fuzz   the above, and clang with its sanitizer runtimes
#                                  (scripts/fuzz.sh)
# Package names after the group are installed too.
set -euo pipefail

run_packages=(
  cmake ninja-build g++
  lld                # links several times faster than ld.bfd (cmake/BuildSpeed.cmake)
  libabsl-dev
  libunwind-14-dev   # LLVM's libunwind (not libunwind-dev, the "nongnu" one)
  nlohmann-json3-dev libcli11-dev
  llvm               # llvm-symbolizer, to name stack frames
  python3-dev pybind11-dev  # the Python package (python/): Debian's python3 and its headers
)
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev
  pkg-config         # the install test builds a pkg-config consumer
  pigz xz-utils zstd # multithreaded programs the end-to-end tests run under `lockgraph run`
  memcached          # a multithreaded server the end-to-end tests run under `lockgraph run`
  chromium           # headless, to load the HTML report in its end-to-end test
  python3-jsonschema python3-rfc3987  # the tests validate SARIF reports (schema, URIs)
  graphviz           # the tests render DOT reports
)
fuzz_packages=(clang libclang-rt-14-dev)  # libclang_rt.fuzzer is only recommended by clang-14

group="${1:-test}"
[ $# -gt 0 ] && shift
case "$group" in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  fuzz) packages=("${run_packages[@]}" "${fuzz_packages[@]}") ;;
  *) echo "scripts/install-deps.sh: unknown group '$group' (run, test or fuzz)" >&2; exit 2 ;;
esac
packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "lockgraph: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
