# Helpers for CLI cases: sourced by tests/cli/cases/*.sh, which run in a
# fresh temporary directory with the built programs on PATH.
# DATA_DIR holds the bundled CSV files, TESTS_DIR this directory.

fail() {
	echo "not ok: $*" >&2
	exit 1
}

# run_ok CMD...: the command must exit 0.
run_ok() {
	"$@" >out 2>err
	status=$?
	[ $status -eq 0 ] || { cat err >&2; fail "exit $status from: $*"; }
}

# expect_fail STATUS PATTERN CMD...: the command must exit with STATUS
# (never by a signal) and print PATTERN (grep -E) on stderr.
expect_fail() {
	want=$1 pattern=$2
	shift 2
	"$@" >out 2>err
	got=$?
	[ $got -ge 128 ] && fail "killed by signal $((got - 128)): $*"
	[ $got -eq "$want" ] || { cat err >&2; fail "exit $got, wanted $want: $*"; }
	grep -Eq -- "$pattern" err || { cat err >&2; fail "stderr lacks /$pattern/: $*"; }
}

# same FILE EXPECTED: FILE matches tests/cli/expected/EXPECTED
# (UPDATE_EXPECTED=1 rewrites the expectation instead).
same() {
	if [ "${UPDATE_EXPECTED:-0}" = 1 ]; then
		cp "$1" "$TESTS_DIR/expected/$2"
		return
	fi
	diff -u "$TESTS_DIR/expected/$2" "$1" >&2 || fail "$1 differs from expected/$2"
}

# have_sklearn: true when /usr/bin/python3 can import sklearn and pandas.
have_sklearn() {
	/usr/bin/python3 -c 'import sklearn, pandas' 2>/dev/null
}

# skip REASON: ends the case as skipped.
skip() {
	echo "$*"
	exit 77
}
