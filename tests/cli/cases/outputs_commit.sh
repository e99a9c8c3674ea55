# Files replaced whole, or not at all: side outputs (--save, a model,
# --centroids, ml-split's parts) go into place only when the whole run
# succeeded, main output included; stdout closed while nothing goes to it
# is no error; past `ulimit -f` a write error, not a silent death.
. "$TESTS_DIR/lib.sh"
iris=$DATA_DIR/iris.csv
[ -w /dev/full ] || skip "no /dev/full"
no_temporary() { ! ls -a | grep -q '\.tmp' || fail "a temporary file was left: $(ls -a)"; }

# A main output that fails (stdout on a full disk): no stage file appears,
# an old one stays as it was.
for command in "ml-load" "ml-scale" "ml-poly -d 2"; do
	rm -f new.stage
	expect_fail 1 'write error: No space left on device' \
		sh -c "$command --save new.stage '$iris' > /dev/full"
	[ ! -e new.stage ] || fail "$command: --save FILE written by a run that failed"
	echo old > old.stage
	expect_fail 1 'write error: No space left on device' \
		sh -c "$command --save old.stage '$iris' > /dev/full"
	[ "$(cat old.stage)" = old ] || fail "$command: --save FILE replaced by a run that failed"
done
# Binary output, and -o on a full disk.
expect_fail 1 'write error' sh -c "ml-load --bin --save old.stage '$iris' > /dev/full"
[ "$(cat old.stage)" = old ] || fail "--save replaced when binary stdout failed"
expect_fail 1 'write error' ml-load --save old.stage -o /dev/full "$iris"
[ "$(cat old.stage)" = old ] || fail "--save replaced when -o failed"
no_temporary

# ml-cluster: the labels fail, the model and the centres stay.
echo old > old.model
echo old > old.centres
expect_fail 1 'write error' sh -c "ml-cluster -k 3 -t species -o old.model --centroids old.centres '$iris' > /dev/full"
[ "$(cat old.model)" = old ] || fail "ml-cluster -o replaced when the labels failed"
[ "$(cat old.centres)" = old ] || fail "ml-cluster --centroids replaced when the labels failed"
# ... and all of them when it succeeds.
run_ok ml-cluster -k 3 -t species -o old.model --centroids old.centres "$iris"
head -1 old.model | grep -q '^mlpipe ' || fail "ml-cluster -o not written by a good run"
[ "$(wc -l < old.centres)" -eq 4 ] || fail "ml-cluster --centroids not written by a good run"

# ml-split: TEST fails, TRAIN stays.
echo old > old.train
expect_fail 1 'write error' ml-split "$iris" old.train /dev/full
[ "$(cat old.train)" = old ] || fail "ml-split replaced TRAIN when TEST failed"
run_ok ml-split "$iris" old.train old.test
[ "$(wc -l < old.train)" -gt 100 ] || fail "ml-split TRAIN not written by a good run"
no_temporary

# The order of the renames: side outputs first, the main output last, so a
# new main output means a whole run (mlpipe(7)).  strace shows it when present.
if command -v strace >/dev/null 2>&1; then
	# LeakSanitizer cannot run under ptrace: leaks are checked by the other runs.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=rename -o trace ml-load --save order.load -o order.bin "$iris" 2>/dev/null ||
		fail "ml-load under strace"
	grep -o 'order\.[a-z]*"' trace | tr -d '"' | tr '\n' ' ' > renames
	[ "$(cat renames)" = "order.load order.bin " ] ||
		{ cat trace >&2; fail "renames in the wrong order: $(cat renames)"; }
fi

# Stdout closed, nothing written to it: success.  Something written to it: failure.
run_ok sh -c "ml-load -o closed.bin '$iris' >&-"
[ -s closed.bin ] || fail "-o FILE with stdout closed: no FILE"
run_ok sh -c "ml-fit logistic -t species -o closed.model '$iris' >&-"
expect_fail 1 'write error: Bad file descriptor' sh -c "ml-load --csv --save closed.load '$iris' >&-"
[ ! -e closed.load ] || fail "--save written though stdout was closed"

# ulimit -f: a write error and exit 1, the old file intact, no temporary.
echo old > limited.bin
expect_fail 1 '^ml-load: limited\.bin: write error: File too large$' \
	sh -c "ulimit -f 4; exec ml-load -o limited.bin '$DATA_DIR/breast_cancer.csv'"
[ "$(cat limited.bin)" = old ] || fail "ulimit -f changed the old file"
expect_fail 1 'write error: File too large' \
	sh -c "ulimit -f 4; exec ml-load --save limited.load '$DATA_DIR/breast_cancer.csv' > limited.out"
[ ! -e limited.load ] || fail "--save written though stdout hit the file size limit"
no_temporary
