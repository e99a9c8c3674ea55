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
