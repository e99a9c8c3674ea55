# ml-split: bad usage exits 2 with a hint, bad data 1 naming the place;
# a failed split leaves no part behind and older files as they were.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
hint="Try 'ml-split --help'"

expect_fail 2 "expected FILE TRAIN TEST \(got 0 operands\)" ml-split
expect_fail 2 "$hint" ml-split "$iris" a.csv
expect_fail 2 "TRAIN and TEST are the same file 'a.csv'" ml-split "$iris" a.csv a.csv
expect_fail 2 "--test: '0' is neither a fraction" ml-split --test 0 "$iris" a.csv b.csv
expect_fail 2 "--test: '1.5' is neither" ml-split --test 1.5 "$iris" a.csv b.csv
expect_fail 2 "--test: 'half' is not a number" ml-split --test half "$iris" a.csv b.csv
expect_fail 2 "--folds K and --fold I go together" ml-split --folds 5 "$iris" a.csv b.csv
expect_fail 2 "fold 6 does not exist: the folds are 1 to 5" \
	ml-split --folds 5 --fold 6 "$iris" a.csv b.csv
expect_fail 2 "--folds: '1' is not a whole number from 2" \
	ml-split --folds 1 --fold 1 "$iris" a.csv b.csv
expect_fail 2 "--test and --folds" ml-split --folds 3 --fold 1 --test 0.2 "$iris" a.csv b.csv
expect_fail 2 "--stratify and --stratify-by: choose one" \
	ml-split --stratify -t species --stratify-by species "$iris" a.csv b.csv
expect_fail 2 "-t names the target for --stratify" ml-split -t species "$iris" a.csv b.csv
expect_fail 2 "-s: 'x' is not a whole number" ml-split -s x "$iris" a.csv b.csv
expect_fail 2 "unknown option" ml-split --shuffle "$iris" a.csv b.csv
run_ok ml-split --help
grep -q -- '--stratify-by NAME' out || fail "--help lacks --stratify-by"
[ -e a.csv ] || [ -e b.csv ] && fail "bad usage left a part behind"

expect_fail 1 "iris.csv: 150 test rows of 150 leave a part empty" \
	ml-split --test 150 "$iris" a.csv b.csv
expect_fail 1 "CSV input does not mark its target" ml-split --stratify "$iris" a.csv b.csv
expect_fail 1 "no column 'kind' to stratify by \(the columns: 'sepal_length'" \
	ml-split --stratify-by kind "$iris" a.csv b.csv
expect_fail 1 "a stratum has only 1 row" ml-split --stratify-by sepal_length "$iris" a.csv b.csv
expect_fail 1 "nosuch.csv: No such file" ml-split nosuch.csv a.csv b.csv
printf 'x\n1\n2\n3\n4\n' > four.csv
expect_fail 1 "four.csv: 4 rows cannot be split into that many folds" \
	ml-split --folds 5 --fold 1 four.csv a.csv b.csv
ml-load -t species "$iris" > iris.bin || fail "ml-load"
expect_fail 1 "iris.bin: no target column .petal." ml-split --stratify -t petal iris.bin a.bin b.bin
ml-load "$iris" > untargeted.bin || fail "ml-load"
expect_fail 1 "the header marks no target" ml-split --stratify untargeted.bin a.bin b.bin
[ -e a.csv ] || [ -e b.csv ] || [ -e a.bin ] && fail "a failed split left a part behind"

# Bad data half-way: nothing written, older parts untouched.
echo old > a.csv
echo old > b.csv
{ head -n 80 "$iris"; echo '1,2,3'; tail -n 70 "$iris"; } > broken.csv
expect_fail 1 "broken.csv:81: row has 3 fields, header has 5" ml-split broken.csv a.csv b.csv
[ "$(cat a.csv)" = old ] && [ "$(cat b.csv)" = old ] || fail "a failed split touched the parts"
# A part that cannot be written: the other is not left behind either.
rm -f b.csv
if [ -w /dev/full ]; then
	expect_fail 1 "/dev/full" ml-split "$iris" /dev/full b.csv
	[ -e b.csv ] && fail "a failed write left the other part behind"
fi
ls -a | grep -q 'tmp' && fail "temporary files left behind: $(ls -a | grep tmp)"
exit 0
