# Where the output goes wrong: a full disk, a closed pipe, an interrupt
# or bad input while writing -o FILE.  Exit 1 with one message, or a
# quiet end for a closed pipe; never a partial FILE or a temporary left.
. "$TESTS_DIR/lib.sh"
iris=$DATA_DIR/iris.csv

# A full disk: exit 1 and exactly one message, binary or CSV.
[ -w /dev/full ] || skip "no /dev/full"
expect_fail 1 '^ml-load: (stdout: )?write error: No space left on device$' \
	sh -c "ml-load '$iris' > /dev/full"
[ "$(wc -l < err)" -eq 1 ] || { cat err >&2; fail "more than one message for /dev/full"; }
expect_fail 1 '^ml-load: (stdout: )?write error: No space left on device$' \
	sh -c "ml-load --csv '$iris' > /dev/full"
[ "$(wc -l < err)" -eq 1 ] || { cat err >&2; fail "more than one message for /dev/full (CSV)"; }

# A closed pipe ends ml-load quietly: head's status 0, no message.
awk 'BEGIN { print "x,y"; for (i = 0; i < 200000; i++) print i "," i * 2 }' > big.csv
run_ok sh -c 'ml-load --csv big.csv 2>pipe.err | head -1'
[ "$(cat out)" = "x,y" ] || fail "head -1 got '$(cat out)'"
[ -s pipe.err ] && fail "a message for a closed pipe: $(cat pipe.err)"
run_ok sh -c 'ml-load big.csv 2>pipe.err | head -c 10 > /dev/null'
[ -s pipe.err ] && fail "a message for a closed pipe (binary): $(cat pipe.err)"

# Bad input with -o: no FILE, no temporary, and an old FILE stays as it was.
printf 'x,y\n1,2\n3\n' > bad.csv
expect_fail 1 '^ml-load: bad\.csv:3: row has 1 field, header has 2$' ml-load bad.csv -o new.bin
[ ! -e new.bin ] || fail "-o FILE written for bad input"
echo old > old.bin
expect_fail 1 'bad\.csv:3' ml-load bad.csv -o old.bin
[ "$(cat old.bin)" = old ] || fail "a failed run changed the existing -o FILE"
# Streaming with --load, the output is open when the bad row comes.
run_ok ml-load --save s.load big.csv -o big.bin
{ cat big.csv; echo 'oops,1'; } > late.csv
expect_fail 1 "^ml-load: late\\.csv:200002: column 'x': 'oops' is not a number$" \
	ml-load --load s.load late.csv -o old.bin
[ "$(cat old.bin)" = old ] || fail "a failed --load run changed the existing -o FILE"
ls | grep -q '\.tmp' && fail "a temporary file was left: $(ls)"

# Ctrl-C (SIGINT) or SIGTERM while writing -o FILE from a slow input: the
# temporary file goes, FILE never appears (fitting reads everything first;
# --load streams, so its temporary file exists when the signal comes).
interrupt() { # interrupt SIGNAL STATUS ml-load ARG...: stop it mid-run
	signal=$1 expected_status=$2
	shift 2
	rm -f slow
	mkfifo slow
	{ printf 'x,y\n'; i=0; while [ $i -lt 100 ]; do printf '%d,%d\n' $i $i; sleep 0.1; i=$((i + 1)); done; } > slow 2>/dev/null &
	feeder=$!
	"$@" 2>signal.err &
	pid=$!
	n=0
	while [ $n -lt 20 ] && ! ls result.bin.tmp* >/dev/null 2>&1; do sleep 0.1; n=$((n + 1)); done
	kill -"$signal" $pid
	wait $pid 2>/dev/null # (dash prints "Terminated" otherwise)
	status=$?
	# The feeder dies of SIGPIPE at its next line (killing it would make
	# the shell print "Terminated" into a later command's stderr).
	wait $feeder
	[ $status -eq "$expected_status" ] || fail "$signal: exit $status, wanted $expected_status: $*"
	[ ! -e result.bin ] || fail "$signal left result.bin: $*"
	! ls | grep -q '\.tmp' || fail "$signal left a temporary file: $(ls)"
}
interrupt INT 130 ml-load --load s.load slow -o result.bin
interrupt TERM 143 ml-load --load s.load slow -o result.bin
interrupt INT 130 ml-load slow -o result.bin
# ... and the temporary file did exist while --load was writing.
mkfifo slow2
{ printf 'x,y\n1,2\n'; sleep 2; } > slow2 &
ml-load --load s.load slow2 -o result.bin &
pid=$!
sleep 1
ls result.bin.tmp* >/dev/null 2>&1 || fail "no temporary file while writing -o"
wait $pid
wait
[ -e result.bin ] || fail "no result.bin after a clean run"

# Binary data is not written to a terminal; CSV is.
# (What the program writes to the terminal, stderr too, is script's stdout.)
if command -v script >/dev/null && script -qec true typescript >/dev/null 2>&1; then
	script -qec "ml-load '$DATA_DIR/iris.csv'" typescript > tty.out 2>&1
	status=$?
	[ $status -eq 2 ] || { cat tty.out >&2; fail "binary to a terminal: exit $status, wanted 2"; }
	grep -q 'ml-load: refusing to write binary data to a terminal; use --csv, -o FILE or a redirect' tty.out ||
		{ cat tty.out >&2; fail "no refusal on a terminal"; }
	grep -q "Try 'ml-load --help'" tty.out || fail "no hint after refusing a terminal"
	# LIBSVM input is refused before it is read (a bad file would otherwise say so first).
	printf '1 x:2\n' > bad.svm
	script -qec "ml-load --format libsvm bad.svm" typescript > tty.out 2>&1
	status=$?
	[ $status -eq 2 ] || { cat tty.out >&2; fail "libsvm to a terminal: exit $status, wanted 2"; }
	grep -q 'refusing to write binary data to a terminal' tty.out ||
		{ cat tty.out >&2; fail "libsvm: no refusal on a terminal"; }
	run_ok script -qec "ml-load --csv '$DATA_DIR/iris.csv'" typescript
	grep -q '^sepal_length' out || fail "no CSV on a terminal"
else
	echo "no script(1) with -q -e -c: the terminal check was skipped" >&2
fi

# Bad usage: one line, the hint, exit 2 (nothing on stdout).
usage() { # usage PATTERN ARG...
	usage_pattern=$1
	shift
	expect_fail 2 "^ml-load: $usage_pattern" ml-load "$@"
	[ "$(wc -l < err)" -eq 2 ] || { cat err >&2; fail "more than 2 lines for: $*"; }
	[ "$(tail -n 1 err)" = "Try 'ml-load --help' for more information." ] || fail "no hint for: $*"
	[ -s out ] && fail "stdout written for: $*"
	true
}
usage "unknown option '--bogus'" --bogus
usage "unknown option '-q'" -q
usage "option '-t' needs a value" -t
usage "option '--max-categories' needs a value" --max-categories
usage "one input file at a time \\(got 2\\)" a.csv b.csv
usage "--max-categories: '0' is not a whole number from 1 to 1048576" --max-categories 0 x.csv
usage "--max-categories: '12x' is not a whole number" --max-categories 12x x.csv
usage "--max-categories: '-1' is not a whole number" --max-categories=-1 x.csv
usage "-d: the delimiter is one character \\(or '\\\\t'\\), not 'ab'" -d ab x.csv
usage "-d: the delimiter is one character" -d '"' x.csv
usage "-d: the delimiter is one character" -d '' x.csv
usage "--csv and --bin contradict each other" --csv --bin x.csv
usage "--na: at most 64 missing-value strings" --na "$(awk 'BEGIN { for (i = 0; i < 65; i++) printf "n%d,", i }')" x.csv
expect_fail 2 "^ml-info: unknown option '--csv'" ml-info --csv
expect_fail 2 "^ml-info: one file at a time" ml-info a b
grep -qx "Try 'ml-info --help' for more information." err || fail "no hint from ml-info"

# --help and --version: stdout, exit 0, nothing on stderr.
for program in ml-load ml-info; do
	run_ok $program --help
	head -1 out | grep -q "^Usage: $program " || fail "$program --help: no usage line"
	grep -q -- '--version' out || fail "$program --help lists no --version"
	grep -q 'Exit status: 0 success, 1 bad data or failure, 2 bad usage' out ||
		fail "$program --help: no exit status"
	[ -s err ] && fail "$program --help wrote to stderr"
	run_ok $program -h
	run_ok $program --version
	head -1 out | grep -Eq "^$program \\(mlpipe\\) [0-9]+\\.[0-9]+\\.[0-9]+$" ||
		fail "$program --version: $(head -1 out)"
	[ -s err ] && fail "$program --version wrote to stderr"
	# Help that cannot be written is a failure too.
	run_ok sh -c "$program --help > /dev/full; echo \$? > status"
	[ "$(cat status)" = 1 ] || fail "$program --help > /dev/full: exit $(cat status)"
	grep -q "^$program: write error: No space left on device$" err || fail "$program --help > /dev/full"
done
