#!/usr/bin/env bash
# Runs the unit tests and the spec tests (real containers, as root, in a private mount
# namespace so a leaked mount can never reach the caller's), then prints one line
# "N passed, N failed" for all of them. Usage: run-all.sh [--unit|--spec] [-- dotnet test args]
set -uo pipefail
cd "$(dirname "$0")/.."
which=all
extra=()
while (($#)); do
  case $1 in
    --unit) which=unit ;;
    --spec) which=spec ;;
    --) shift; extra=("$@"); break ;;
    *) extra+=("$1") ;;
  esac
  shift
done

export RUNTIME_BINARY=${RUNTIME_BINARY:-$PWD/out/runtime}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
passed=0 failed=0 skipped=0 status=0

run_suite() { # name project [wrapper...]
  local name=$1 project=$2; shift 2
  echo "== $name: $project"
  "$@" dotnet test "$project" -nologo -v:q --logger "console;verbosity=normal" "${extra[@]}" 2>&1 | tee "$results/$name.log"
  local rc=${PIPESTATUS[0]}
  # The adapter's closing block: "Total tests: N", "     Passed: N", "     Failed: N", "    Skipped: N".
  if ! grep -qE '^Total tests: [0-9]+' "$results/$name.log"; then
    echo "$name: no test summary (build failed?)"; failed=$((failed + 1)); status=1; return
  fi
  local f p s
  p=$(grep -E '^ +Passed: [0-9]+$' "$results/$name.log" | tail -1 | grep -oE '[0-9]+'); p=${p:-0}
  f=$(grep -E '^ +Failed: [0-9]+$' "$results/$name.log" | tail -1 | grep -oE '[0-9]+'); f=${f:-0}
  s=$(grep -E '^ +Skipped: [0-9]+$' "$results/$name.log" | tail -1 | grep -oE '[0-9]+'); s=${s:-0}
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  ((rc == 0)) || status=1
}

if [[ $which != spec ]]; then run_suite unit tests/Runtime.Tests/Runtime.Tests.csproj; fi
if [[ $which != unit ]]; then
  if [[ $(id -u) != 0 ]]; then echo "spec tests need root"; exit 1; fi
  # --propagation private: mounts made by the tests stay in this namespace.
  run_suite spec spec-tests/Runtime.SpecTests/Runtime.SpecTests.csproj unshare -m --propagation private
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
