# ml-poly(1): the EXAMPLES run as written (in a directory holding the
# bundled data files), and groff formats the page without a warning.
. "$TESTS_DIR/lib.sh"
page="$TESTS_DIR/../../man/man1/ml-poly.1"
cp "$DATA_DIR/iris.csv" "$DATA_DIR/diabetes.csv" "$DATA_DIR/digits.csv" .
# The .EX/.EE blocks of the EXAMPLES section, roff escapes undone.
sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$page" |
	sed -n '/^\.EX/,/^\.EE/{/^\.E[XE]/d;p;}' |
	sed -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' -e 's/\\e/\\/g' > examples.sh
[ "$(wc -l < examples.sh)" -ge 5 ] || fail "found no examples"
sh -e examples.sh > examples.out 2> examples.err || {
	cat examples.err >&2
	fail "an example failed"
}
grep -q '^exit status 2$' examples.out || fail "the guard example did not exit 2"
grep -q 'would make 47905 columns' examples.err || fail "the guard example said nothing"
grep -q '^1,bmi,bp,bmi^2,bmi\*bp,bp^2,age,' examples.out || fail "the -c example's header"
grep -q '2\. poly' examples.out || fail "ml-info shows no poly stage"
if command -v groff > /dev/null; then
	groff -man -Tutf8 -ww -z "$page" 2> groff.err || fail "groff failed"
	[ ! -s groff.err ] || { cat groff.err >&2; fail "groff warnings"; }
fi
