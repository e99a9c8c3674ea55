# ml-from-sklearn: decision trees and random forests (and a forest behind a
# ColumnTransformer) from scikit-learn, compared on the raw CSV: the same
# classes, values and probabilities within 1e-9 relative.  Their thresholds
# are compared with features rounded to float32, as scikit-learn does.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
kinds="tree-classifier tree-regressor forest-classifier forest-regressor tree-pipeline"
helper="/usr/bin/python3 $TESTS_DIR/import_sklearn.py"
# shellcheck disable=SC2086
$helper fit "$DATA_DIR" $kinds || fail "training in scikit-learn"
for kind in $kinds; do
	run_ok ml-from-sklearn "$kind.pkl" -o "$kind.model"
	grep -qx 'compare float32' "$kind.model" || fail "$kind: not compared in float32"
	# shellcheck disable=SC2046
	ml-predict "$kind.model" $(cat "$kind.data") > "$kind.pred" || fail "ml-predict $kind"
done
# shellcheck disable=SC2086
$helper check $kinds || fail "predictions differ from scikit-learn's (see above)"
run_ok ml-info forest-classifier.model
grep -q 'estimator: forest (classification)' out || fail "ml-info: forest"
grep -q 'ensemble: 25 trees' out || fail "ml-info: 25 trees"
