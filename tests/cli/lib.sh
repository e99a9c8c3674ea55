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

# start_server ARGS...: starts ml-serve ARGS on 127.0.0.1 with port 0 in
# the background (stderr in serve.err) and waits for the line that names
# its port; sets SERVER_PID, PORT and URL.  The server is killed when the
# case ends, however it ends.  Skips the case without curl.
start_server() {
	command -v curl >/dev/null 2>&1 || skip "no curl to drive ml-serve"
	ml-serve --listen 127.0.0.1:0 "$@" 2>serve.err &
	SERVER_PID=$!
	trap stop_server EXIT
	trap 'exit 1' INT TERM HUP
	tries=0 PORT=
	while [ -z "$PORT" ]; do
		PORT=$(sed -n 's/^ml-serve: listening on 127\.0\.0\.1:\([0-9][0-9]*\):.*/\1/p' serve.err)
		[ -n "$PORT" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || { cat serve.err >&2; SERVER_PID=; fail "ml-serve exited"; }
		tries=$((tries + 1))
		[ $tries -lt 200 ] || { cat serve.err >&2; fail "ml-serve did not say its port"; }
		sleep 0.05
	done
	URL="http://127.0.0.1:$PORT"
}

# stop_server: kills the server started by start_server, if it still runs.
stop_server() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill -KILL "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}

# request STATUS PATH CURL_ARGS...: asks the server for PATH with curl; the
# answer's status must be STATUS; its body is left in the file `body`.
request() {
	want=$1 path=$2
	shift 2
	got=$(curl -s -o body -w '%{http_code}' --max-time 20 "$@" "$URL$path")
	[ "$got" = "$want" ] || { cat body >&2; fail "status $got, wanted $want: $path $*"; }
}

# body_has TEXT: the last answer's body holds TEXT (fixed string).
body_has() {
	grep -Fq -- "$1" body || { cat body >&2; fail "the body lacks $1"; }
}

# name_once_run_again PID TEXT: the name (/proc/PID/comm) of process PID once
# its environment holds TEXT, i.e. once it has run itself again; empty if it
# does not within 10 s.
name_once_run_again() {
	tries=0
	while [ $tries -lt 100 ]; do
		if grep -q -- "$2" "/proc/$1/environ" 2>/dev/null; then
			cat "/proc/$1/comm"
			return
		fi
		sleep 0.1
		tries=$((tries + 1))
	done
}
