# ml-predict -v: one line on stderr with the rows answered and the times of
# reading the model, predicting alone and the whole run (the bench reads the
# middle one); the answers on stdout are the same as without -v.
. "$TESTS_DIR/lib.sh"
FIXTURES="$TESTS_DIR/../fixtures/models"
run_ok ml-predict "$FIXTURES/forest-penguins.model" "$DATA_DIR/penguins.csv"
mv out plain
run_ok ml-predict -v "$FIXTURES/forest-penguins.model" "$DATA_DIR/penguins.csv"
cmp -s out plain || fail "-v changed the answers"
rows=$(($(wc -l < "$DATA_DIR/penguins.csv") - 1))
[ "$(wc -l < err)" -eq 1 ] || { cat err >&2; fail "-v: not one line on stderr"; }
number='[0-9]+\.[0-9]{6}'
grep -Eq "^ml-predict: $rows rows; model read in $number s, predicting took $number s \(the model alone\), $number s in all\$" err ||
	{ cat err >&2; fail "-v: unexpected line"; }
# The parts add up to no more than the whole.
awk '{ read = $6; predict = $10; all = $15
	if (!(read + predict <= all && predict > 0)) { print "bad times: " $0; exit 1 } }' err >&2 ||
	fail "-v: times do not add up"
# Without -v nothing is said.
run_ok ml-predict "$FIXTURES/forest-penguins.model" "$DATA_DIR/penguins.csv"
[ ! -s err ] || fail "stderr without -v: $(cat err)"
