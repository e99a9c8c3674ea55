# ml-fit --cv agrees with scikit-learn's cross_validate on the same folds
# (ml-split's, read from a copy of the data with its rows numbered) to
# 1e-9: logistic regression on iris (accuracy, balanced accuracy, F1
# macro; stratified), linear and ridge regression on diabetes (r2, RMSE,
# MAE), each fold, the mean and the standard deviation.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
check="/usr/bin/python3 $TESTS_DIR/cv_sklearn.py"

# number DATA: DATA with a first column n counting its rows from 1.
number() {
	awk 'NR > 1 { print NR - 1 "," $0 } NR == 1 { print "n," $0 }' "$1" > numbered.csv
}

iris="$DATA_DIR/iris.csv"
number "$iris"
for i in 1 2 3 4 5; do
	run_ok ml-split --folds 5 --fold $i --stratify -t species -s 7 numbered.csv train.csv test$i.csv
done
run_ok ml-fit logistic --cv 5 -s 7 --tol 1e-6 --ftol 0 --max-iter 2000 --json -t species "$iris"
mv out iris.json
$check logistic "$iris" species iris.json test1.csv test2.csv test3.csv test4.csv test5.csv ||
	fail "iris logistic differs from scikit-learn"

diabetes="$DATA_DIR/diabetes.csv"
number "$diabetes"
tests=
for i in 1 2 3 4 5 6 7; do
	run_ok ml-split --folds 7 --fold $i -s 3 numbered.csv train.csv part$i.csv
	tests="$tests part$i.csv"
done
run_ok ml-fit linear --cv 7 -s 3 --json -t progression "$diabetes"
mv out linear.json
$check linear "$diabetes" progression linear.json $tests || fail "diabetes linear differs"
run_ok ml-fit ridge --alpha 0.1 --cv 7 -s 3 --json -t progression "$diabetes"
mv out ridge.json
$check ridge --alpha 0.1 "$diabetes" progression ridge.json $tests || fail "diabetes ridge differs"
