# ml-fit linear and ridge agree with scikit-learn to 1e-9 (relative to the
# largest coefficient), on diabetes (raw, large offsets), on a design with a
# duplicated column (the minimum-norm answer of lstsq), and through a binary
# stream (ml-load | ml-fit) as from CSV.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
check="/usr/bin/python3 $TESTS_DIR/fit_sklearn.py"
data="$DATA_DIR/diabetes.csv"

run_ok ml-fit linear -t progression "$data" -o linear.model
$check linear linear.model "$data" progression || fail "linear differs from sklearn"

for alpha in 1 0.01 100; do
	run_ok ml-fit ridge --alpha $alpha -t progression "$data" -o ridge.model
	$check ridge --alpha $alpha ridge.model "$data" progression || fail "ridge $alpha differs"
done

# bmi twice: X'X is singular; sklearn's lstsq splits the coefficient evenly.
awk -F, 'BEGIN { OFS = "," } { $3 = $3 "," $3; if (NR == 1) sub(/bmi,bmi/, "bmi,bmi_copy"); print }' \
	"$data" > duplicated.csv
run_ok ml-fit linear -v -t progression duplicated.csv -o duplicated.model
grep -q 'minimum-norm solution by eigendecomposition, rank 10 of 11' err ||
	fail "no fallback report under -v"
grep -qx 'solver eigen' duplicated.model || fail "solver not recorded"
$check linear duplicated.model duplicated.csv progression || fail "rank-deficient differs"

# Streaming binary input gives the same model section as CSV.
ml-load -t progression "$data" | ml-fit linear -o streamed.model || fail "ml-load | ml-fit"
sed -n '/^estimator/,$p' linear.model > a
sed -n '/^estimator/,$p' streamed.model > b
cmp a b || fail "binary stream and CSV give different models"
