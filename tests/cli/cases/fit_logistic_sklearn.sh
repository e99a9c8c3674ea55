# ml-fit logistic agrees with scikit-learn's LogisticRegression(lbfgs) to 1e-4:
# multinomial on iris (raw), binary on breast_cancer (standardised), with
# --C and --class-weight balanced.  The reference is scikit-learn's objective
# at its optimum (see fit_sklearn.py).
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
check="/usr/bin/python3 $TESTS_DIR/fit_sklearn.py"
tight="--tol 1e-6 --ftol 0 --max-iter 2000"

iris="$DATA_DIR/iris.csv"
run_ok ml-fit logistic $tight -t species "$iris" -o iris.model
grep -qx 'classes 3 setosa versicolor virginica' iris.model || fail "iris classes"
$check logistic --rtol 1e-4 iris.model "$iris" species || fail "iris differs"
run_ok ml-fit logistic $tight --C 0.1 --class-weight balanced -t species "$iris" -o iris2.model
$check logistic --C 0.1 --balanced --rtol 1e-4 iris2.model "$iris" species ||
	fail "iris C=0.1 balanced differs"

$check logistic - "$DATA_DIR/breast_cancer.csv" diagnosis --standardise cancer.csv ||
	fail "standardising"
run_ok ml-fit logistic $tight -t diagnosis cancer.csv -o cancer.model
grep -q '^coef malignant ' cancer.model || fail "binary: one vector, for the second class"
$check logistic --rtol 1e-4 cancer.model cancer.csv diagnosis || fail "breast_cancer differs"
run_ok ml-fit logistic $tight --class-weight balanced -t diagnosis cancer.csv -o balanced.model
$check logistic --balanced --rtol 1e-4 balanced.model cancer.csv diagnosis ||
	fail "breast_cancer balanced differs"

# Default settings (sklearn's: tol 1e-4, max-iter 100) converge on scaled data.
run_ok ml-fit logistic -t diagnosis cancer.csv -o default.model
grep -qx 'converged true' default.model || fail "default fit did not converge"
$check logistic --rtol 1e-3 default.model cancer.csv diagnosis || fail "default fit differs"
