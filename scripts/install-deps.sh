#!/usr/bin/env bash
# Installs the Debian packages lockgraph needs to build, test and run, if any is missing, and
# the packages named as arguments (scripts/fuzz.sh asks for clang). Needs root (or sudo) only
# when something is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libunwind-14-dev   # LLVM's libunwind (not libunwind-dev, the "nongnu" one)
  nlohmann-json3-dev libcli11-dev
  llvm               # llvm-symbolizer, to name stack frames
  pigz xz-utils zstd # multithreaded programs the end-to-end tests run under `lockgraph run`
  chromium           # headless, to load the HTML report in its end-to-end test
  python3-jsonschema python3-rfc3987  # the tests validate SARIF reports (schema, URIs)
  graphviz           # the tests render DOT reports
)
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
