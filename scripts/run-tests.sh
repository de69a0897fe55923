#!/usr/bin/env bash
# Runs every test registered with CTest in a build directory and ends with one line:
# "N passed, N failed". Usage: scripts/run-tests.sh BUILD_DIR [ctest args...]
set -uo pipefail
build=${1:?build directory}
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
(cd "$build" && ctest --output-on-failure "$@") 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
if [[ -z "$summary" ]]; then
  echo "0 passed, 1 failed"
  exit 1
fi
failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
echo "$((total - failed)) passed, ${failed} failed"
exit "$status"
