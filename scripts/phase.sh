#!/usr/bin/env bash
# Runs a command as a named phase of a CI log: prints "== NAME ==" before it and
# "== NAME: N s ==" after it (also when it fails), and exits with the command's status.
#   scripts/phase.sh "asan build" cmake --build build-asan
name="$1"
shift
echo "== $name =="
start=$SECONDS
"$@"
status=$?
echo "== $name: $((SECONDS - start)) s$([ $status -ne 0 ] && echo ", exit $status") =="
exit $status
