# ml-from-sklearn: GradientBoosting (its init estimator becomes the base
# score, the learning rate is folded into the leaves) and HistGradientBoosting
# (missing values routed as it learnt, on penguins) from scikit-learn: the same
# classes, values and probabilities within 1e-9 relative on the raw CSV.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
kinds="gb-binary gb-multi gb-regressor hgb-binary hgb-multi hgb-regressor"
helper="/usr/bin/python3 $TESTS_DIR/import_sklearn.py"
# shellcheck disable=SC2086
$helper fit "$DATA_DIR" $kinds || fail "training in scikit-learn"
for kind in $kinds; do
	run_ok ml-from-sklearn "$kind.pkl" -o "$kind.model"
	# shellcheck disable=SC2046
	ml-predict "$kind.model" $(cat "$kind.data") > "$kind.pred" || fail "ml-predict $kind"
done
# shellcheck disable=SC2086
$helper check $kinds || fail "predictions differ from scikit-learn's (see above)"
grep -qx 'objective softmax' gb-multi.model || fail "gb-multi: softmax"
grep -qx 'objective logistic' hgb-binary.model || fail "hgb-binary: logistic"
grep -qx 'compare double' hgb-regressor.model || fail "hgb: thresholds in double"
# penguins has rows with missing measurements: they were predicted, not refused.
[ "$(wc -l < hgb-regressor.pred)" -eq 345 ] || fail "hgb-regressor: rows"
