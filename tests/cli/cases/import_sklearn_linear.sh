# ml-from-sklearn: linear models, k-means and preprocessing (scalers, imputer, polynomial
# features, one-hot and ordinal encoders in a ColumnTransformer) trained by
# scikit-learn, converted, and applied by ml-predict to the raw CSV: the same
# classes, values and probabilities within 1e-9 relative.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
kinds="linear ridge logistic-binary logistic-multi minmax-poly maxabs robust-impute
	columns columns-joblib kmeans"
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

# The classes carry over: --proba names them; ml-info reads the model.
head -n 1 columns.pred | grep -qx 'prediction,p_Adelie,p_Chinstrap,p_Gentoo' ||
	fail "class names: $(head -n 1 columns.pred)"
run_ok ml-info columns.model
grep -q 'classes: 3: Adelie Chinstrap Gentoo' out || fail "ml-info: classes"
grep -q 'column island onehot 3 Biscoe Dream Torgersen' columns.model || fail "one-hot column"
