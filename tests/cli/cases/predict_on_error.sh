# --on-error: a batch run stops at a bad row (fail), leaves it out (skip)
# or answers it with an empty prediction (nan); skip and nan name each bad
# row on stderr as FILE:LINE, count it in --stats, and exit 0.
. "$TESTS_DIR/lib.sh"
run_ok ml-fit logistic --max-iter 500 -t species "$DATA_DIR/iris.csv" -o iris.model
printf 'sepal_length,sepal_width,petal_length,petal_width,id\n5.1,3.5,1.4,0.2,a\n5.1,x,1.4,0.2,b\n6,3,4.8,c\n7,3.2,,1.4,d\n6.3,3.3,6,2.5,e\n' > bad.csv

expect_fail 1 "^ml-predict: bad.csv:3: column 'sepal_width': 'x' is not a number$" \
	ml-predict iris.model bad.csv
[ -s out ] && fail "output after a failure"

run_ok ml-predict --on-error skip --stats --append iris.model bad.csv
printf 'sepal_length,sepal_width,petal_length,petal_width,id,prediction\n5.1,3.5,1.4,0.2,a,setosa\n6.3,3.3,6,2.5,e,virginica\n' |
	cmp -s - out || { cat out >&2; fail "skip"; }
grep -q "^ml-predict: bad.csv:3: column 'sepal_width': 'x' is not a number$" err &&
grep -q "^ml-predict: bad.csv:4: row has 4 fields, header has 5$" err &&
grep -q "^ml-predict: bad.csv:5: column 'petal_length' is missing" err ||
	{ cat err >&2; fail "skip names the bad rows"; }
grep -q "^ml-predict: 2 rows, 3 errors," err || { cat err >&2; fail "skip counts them"; }

run_ok ml-predict --on-error nan --proba --append iris.model bad.csv
[ "$(wc -l < out)" -eq 6 ] || fail "nan keeps one line per row"
sed -n 3p out | grep -qx ',,,,,,,,' || { cat out >&2; fail "an unreadable row answered nan"; }
sed -n 5p out | grep -qx '7,3.2,,1.4,d,,,,' || { cat out >&2; fail "a missing value answered nan"; }
sed -n 6p out | grep -q '^6.3,3.3,6,2.5,e,virginica,' || fail "the last row"

# Binary output: NaN in place of the answer.
run_ok ml-predict --on-error nan --bin -o answers.bin iris.model bad.csv
run_ok ml-load --csv answers.bin
printf 'prediction\n0\n\n\n\n2\n' | cmp -s - out || { cat out >&2; fail "nan in binary"; }
expect_fail 2 "'maybe' is not 'fail', 'skip' or 'nan'" ml-predict --on-error maybe iris.model bad.csv
exit 0
