# ml-fit tree, forest and gbdt score within a point of scikit-learn on a
# fixed 75/25 split (tests/cli/trees_sklearn.py): tree against DecisionTree
# with the same limits on iris, breast_cancer and diabetes; forest against
# RandomForest and gbdt against HistGradientBoosting (depth 3, no early
# stopping, the same L2 penalty and smallest leaf) on breast_cancer, wine,
# diabetes and penguins, whose missing values ml-fit takes as they are.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
reference="/usr/bin/python3 $TESTS_DIR/trees_sklearn.py"

# compare KIND DATA TARGET "ML-FIT OPTIONS" [SKLEARN SETTING]...
compare() {
	kind=$1 data=$2 target=$3 options=$4
	shift 4
	$reference split "$DATA_DIR/$data.csv" "$target" train.csv test.csv ||
		fail "$data: no split"
	run_ok ml-fit "$kind" $options -t "$target" train.csv -o "$kind-$data.model"
	run_ok ml-predict -o predicted.csv "$kind-$data.model" test.csv
	$reference score "$kind" train.csv test.csv "$target" predicted.csv "$@" ||
		fail "$kind on $data: more than a point below scikit-learn"
}

compare tree iris species "--max-depth 4" max_depth=4
compare tree breast_cancer diagnosis "--max-depth 4" max_depth=4
compare tree diabetes progression "--max-depth 4 --min-samples-leaf 5" max_depth=4 \
	min_samples_leaf=5

boost="max_depth=3 max_leaf_nodes=None min_samples_leaf=1 l2_regularization=1"
compare forest breast_cancer diagnosis ""
compare gbdt breast_cancer diagnosis "--max-depth 3" $boost
compare forest wine class ""
compare gbdt wine class "--max-depth 3" $boost
compare forest diabetes progression ""
compare gbdt diabetes progression "--max-depth 3" $boost
compare forest penguins species ""
compare gbdt penguins species "--max-depth 3" $boost
grep -q '^task classification' gbdt-penguins.model || fail "penguins: not classification"
grep -q '^task regression' forest-diabetes.model || fail "diabetes: not regression"
