# ml-fit --cv: its folds are ml-split's (a fold scored by hand with
# ml-split, ml-fit, ml-predict and ml-eval gives the same scores), binary
# input scores as CSV, -o writes the model of all the rows, -v reports each
# fold, and what cannot be cross-validated is refused, or warned about as
# scikit-learn warns.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
diabetes="$DATA_DIR/diabetes.csv"

# score JSON FOLD METRIC: the fold's score in ml-fit --cv --json output.
score() {
	sed -n "s/.*{\"fold\": $2, .*\"$3\": \([^,}]*\).*/\1/p" "$1"
}
# metric FILE NAME: the value of NAME in ml-eval --csv output.
metric() {
	sed -n "s/^$2,,//p" "$1"
}
# close A B: |A - B| <= 1e-12 (relative to 1).
close() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 1e-12) }'
}

# Classification: stratified folds, each scored again by hand.
run_ok ml-fit logistic --cv 4 -s 5 --max-iter 1000 --json -t species "$iris"
mv out iris.json
for i in 1 2 3 4; do
	run_ok ml-split --folds 4 --fold $i --stratify -t species -s 5 "$iris" train.csv test.csv
	run_ok ml-fit logistic --max-iter 1000 -t species train.csv -o fold.model
	ml-predict --append fold.model test.csv | ml-eval -t species --csv > eval.csv ||
		fail "fold $i: ml-predict | ml-eval"
	for m in accuracy balanced_accuracy f1_macro; do
		close "$(score iris.json $i $m)" "$(metric eval.csv $m)" ||
			fail "fold $i: $m $(score iris.json $i $m), by hand $(metric eval.csv $m)"
	done
	n_test=$(($(wc -l < test.csv) - 1))
	grep -q "{\"fold\": $i, \"n_train\": $((150 - n_test)), \"n_test\": $n_test," iris.json ||
		fail "fold $i: not ml-split's $n_test test rows"
done

# Regression: plain folds, r2, root_mean_squared_error and mean_absolute_error.
run_ok ml-fit linear --cv 3 -s 2 --json -t progression "$diabetes"
mv out diabetes.json
for i in 1 2 3; do
	run_ok ml-split --folds 3 --fold $i -s 2 "$diabetes" train.csv test.csv
	run_ok ml-fit linear -t progression train.csv -o fold.model
	ml-predict --append fold.model test.csv | ml-eval -t progression --csv > eval.csv ||
		fail "fold $i: ml-predict | ml-eval"
	for m in r2 root_mean_squared_error mean_absolute_error; do
		close "$(score diabetes.json $i $m)" "$(metric eval.csv $m)" ||
			fail "fold $i: $m $(score diabetes.json $i $m), by hand $(metric eval.csv $m)"
	done
done

# Binary input, from a pipe, scores as the CSV did.
ml-load -t species "$iris" | ml-fit logistic --cv 4 -s 5 --max-iter 1000 --json > binary.json ||
	fail "ml-load | ml-fit --cv"
cmp binary.json iris.json || fail "binary input scores differently"

# The table: a header, a line per fold, mean and std; nothing written.
run_ok ml-fit linear --cv 3 -s 2 -t progression "$diabetes"
[ "$(wc -l < out)" -eq 6 ] || fail "table: 6 lines expected"
grep -Eq '^fold +train +test +r2 +root_mean_squared_error +mean_absolute_error$' out || fail "table header"
grep -Eq '^mean ' out && grep -Eq '^std ' out || fail "table: mean and std lines"
[ "$(ls *.model | wc -l)" -eq 1 ] || fail "--cv without -o wrote a model"

# -o: the model of all the rows, as without --cv; -v: a line per fold.
run_ok ml-fit linear --cv 3 -v -t progression "$diabetes" -o cv.model
[ "$(grep -c '^ml-fit: fold [123]/3: ' err)" -eq 3 ] || fail "-v: a line per fold"
run_ok ml-fit linear -t progression "$diabetes" -o plain.model
sed -n '/^estimator/,$p' cv.model > a
sed -n '/^estimator/,$p' plain.model > b
cmp a b || fail "-o with --cv is not the model of all the rows"

# A class with fewer rows than folds: a warning, as StratifiedKFold's.
head -n 104 "$iris" > few.csv # 50 setosa, 50 versicolor, 3 virginica
run_ok ml-fit logistic --cv 5 --max-iter 1000 -t species few.csv
grep -q 'the least populated class has only 3 rows, fewer than the 5 folds' err ||
	fail "no warning for a class of 3 rows in 5 folds"

# Refusals.
expect_fail 1 'every class has fewer rows \(the largest has 50\)' \
	ml-fit logistic --cv 51 -t species "$iris"
expect_fail 1 '150 rows cannot be dealt into 151 folds' ml-fit logistic --cv 151 -t species "$iris"
expect_fail 2 "--cv: '1' is not a whole number from 2" ml-fit linear --cv 1 -t progression "$diabetes"
expect_fail 2 "'kmeans' is a clustering: --cv scores predictions of a target" \
	ml-fit kmeans --cv 3 "$iris"
expect_fail 2 '--json is for the scores of --cv' ml-fit linear --json -t progression "$diabetes"
expect_fail 2 'give -o a file' ml-fit linear --cv 3 -o - -t progression "$diabetes"
printf 'x,y\n1,2\n2,\n3,6\n4,8\n' > gap.csv
expect_fail 1 "gap.csv:3: the target 'y' is missing" ml-fit linear --cv 2 -t y gap.csv
