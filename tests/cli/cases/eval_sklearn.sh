# ml-eval agrees with sklearn.metrics to 1e-12 on the bundled data, scored
# through ml-split, ml-fit and ml-predict: three classes with
# probabilities, two (ROC AUC, average precision), ten numbered classes,
# labels without probabilities, regression, and clustering labels.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
data=$DATA_DIR

# scored NAME TARGET KIND DATA [ML-FIT OPTIONS]: NAME.csv, the test part scored.
scored() {
	name=$1 target=$2 kind=$3 input=$4
	shift 4
	ml-split --stratify -t "$target" -s 1 "$input" "$name-train.csv" "$name-test.csv" ||
		fail "$name: ml-split"
	ml-load -t "$target" "$name-train.csv" | ml-scale | ml-fit "$kind" "$@" -o "$name.model" ||
		fail "$name: ml-fit"
	ml-predict --append $proba "$name.model" "$name-test.csv" > "$name.csv" ||
		fail "$name: ml-predict"
}

proba=--proba
scored iris species logistic "$data/iris.csv"
scored cancer diagnosis logistic "$data/breast_cancer.csv"
scored digits digit logistic "$data/digits.csv"
proba=
scored wine class logistic "$data/wine.csv"
ml-split -s 1 "$data/diabetes.csv" diabetes-train.csv diabetes-test.csv || fail "diabetes split"
ml-fit ridge -t progression diabetes-train.csv -o diabetes.model || fail "diabetes fit"
ml-predict --append diabetes.model diabetes-test.csv > diabetes.csv || fail "diabetes predict"
# Clustering: species against a rough cut on two measurements.
awk -F, 'BEGIN { OFS = "," } NR == 1 { print "species", "prediction"; next }
	{ print $5, ($3 < 2.5 ? 0 : $4 < 1.7 ? 1 : 2) }' "$data/iris.csv" > clusters.csv

args=
for case in iris:species cancer:diagnosis digits:digit wine:class; do
	name=${case%%:*} target=${case#*:}
	run_ok ml-eval -t "$target" --json "$name.csv"
	mv out "$name.json"
	args="$args classification $name.csv $target $name.json"
done
run_ok ml-eval -t progression --json diabetes.csv
mv out diabetes.json
run_ok ml-eval --task clustering -t species --json clusters.csv
mv out clusters.json
grep -q '"roc_auc": 0\.9' cancer.json || fail "cancer: no binary roc_auc"
grep -q '"roc_auc_ovr"' iris.json || fail "iris: no one-vs-rest roc_auc"
grep -q '"log_loss"' wine.json && fail "wine: log_loss without probabilities"
/usr/bin/python3 "$TESTS_DIR/eval_sklearn.py" $args regression diabetes.csv progression \
	diabetes.json clustering clusters.csv species clusters.json ||
	fail "scikit-learn disagrees (see above)"
