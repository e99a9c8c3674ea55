#!/bin/sh
# Runs every tests/cli/cases/*.sh with the programs in $BIN on PATH.
# Each case is a small POSIX sh script using tests/cli/lib.sh; it exits
# non-zero on failure.  UPDATE_EXPECTED=1 rewrites tests/cli/expected/ files.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BIN:?set BIN to the directory of the built programs}"
PATH="$BIN:$PATH"
export PATH TESTS_DIR="$here" DATA_DIR="$here/../data"
passed=0 failed=0 skipped=0
for case in "$here"/cases/*.sh; do
	name=$(basename "$case" .sh)
	work=$(mktemp -d)
	(cd "$work" && sh "$case") >"$work.log" 2>&1
	status=$?
	if [ $status -eq 0 ]; then
		passed=$((passed + 1))
	elif [ $status -eq 77 ]; then
		skipped=$((skipped + 1))
		echo "skip: $name: $(tail -n 1 "$work.log")"
	else
		failed=$((failed + 1))
		echo "FAIL: $name"
		sed 's/^/    /' "$work.log" | tail -n 30
	fi
	rm -rf "$work" "$work.log"
done
echo "cli: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
