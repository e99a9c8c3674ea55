# ml-predict agrees with scikit-learn: its estimators, given the coefficients
# of the model file, predict the same classes, probabilities and values (to
# 1e-9), and refitted by scikit-learn to convergence they predict the same.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
check="/usr/bin/python3 $TESTS_DIR/predict_sklearn.py"
tight="--tol 1e-9 --ftol 0 --max-iter 5000"

iris="$DATA_DIR/iris.csv"
run_ok ml-fit logistic $tight -t species "$iris" -o iris.model
ml-predict --proba iris.model "$iris" > iris.pred || fail "iris"

# Two classes: one coefficient vector, a sigmoid.
awk -F, 'NR == 1 || $5 != "setosa"' "$iris" > two.csv
run_ok ml-fit logistic $tight -t species two.csv -o two.model
ml-predict --proba two.model two.csv > two.pred || fail "two classes"

diabetes="$DATA_DIR/diabetes.csv"
run_ok ml-fit linear -t progression "$diabetes" -o linear.model
ml-predict linear.model "$diabetes" > linear.pred || fail "linear"
run_ok ml-fit ridge --alpha 2.5 -t progression "$diabetes" -o ridge.model
ml-predict ridge.model "$diabetes" > ridge.pred || fail "ridge"

# Columns in another order, and an extra one: matched by name.
awk -F, 'BEGIN { OFS = "," } { print "id" (NR - 1), $4, $2, $5, $1, $3 }' "$iris" |
	sed '1s/^id0/id/' > shuffled.csv
ml-predict --proba iris.model shuffled.csv > shuffled.pred || fail "shuffled columns"
cmp shuffled.pred iris.pred || fail "column order changed the predictions"

# One run: scikit-learn takes seconds to import.
$check --refit iris.model "$iris" iris.pred two.model two.csv two.pred \
	linear.model "$diabetes" linear.pred ridge.model "$diabetes" ridge.pred \
	iris.model shuffled.csv shuffled.pred || fail "scikit-learn disagrees (see above)"
