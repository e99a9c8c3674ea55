# The tree kinds: the same data and seed give the same model file with one
# thread and with two (all but the "command" line, which records -j), for
# classification with missing values and for regression; ml-predict
# answers the same in batch and line by line (-l), and --proba's
# probabilities sum to 1 with the prediction the most probable class.
. "$TESTS_DIR/lib.sh"
penguins="$DATA_DIR/penguins.csv"
diabetes="$DATA_DIR/diabetes.csv"

# same_model A B: model files identical but for the command line.
same_model() {
	grep -v '^command ' "$1" >a.txt
	grep -v '^command ' "$2" >b.txt
	cmp -s a.txt b.txt || fail "$1 and $2 differ"
}

for kind in tree forest gbdt; do
	case $kind in
	tree) options="--max-leaf-nodes 30" ;;
	forest) options="--trees 20 --oob-score" ;;
	gbdt) options="--trees 20 --subsample 0.8 --colsample 0.7 --valid-fraction 0.2" ;;
	esac
	for data in penguins diabetes; do
		eval file=\$$data
		target=species
		[ $data = diabetes ] && target=progression
		run_ok ml-fit $kind $options -s 7 -j 1 -t $target "$file" -o $kind-$data-1.model
		run_ok ml-fit $kind $options -s 7 -j 2 -t $target "$file" -o $kind-$data-2.model
		same_model $kind-$data-1.model $kind-$data-2.model
		run_ok ml-fit $kind $options -s 8 -j 2 -t $target "$file" -o $kind-$data-8.model
		[ $kind = tree ] || ! cmp -s $kind-$data-1.model $kind-$data-8.model ||
			fail "$kind on $data: another seed gives the same model"
	done
	model=$kind-penguins-2.model
	run_ok ml-predict -o batch.csv $model "$penguins"
	run_ok ml-predict -l -o lines.csv $model "$penguins"
	cmp -s batch.csv lines.csv || fail "$kind: -l answers differently from a batch"
	[ "$(wc -l <batch.csv)" -eq 345 ] || fail "$kind: not one prediction per row"
	run_ok ml-predict --proba -o proba.csv $model "$penguins"
	head -n 1 proba.csv | grep -qx 'prediction,p_Adelie,p_Chinstrap,p_Gentoo' ||
		fail "$kind: --proba header"
	awk -F, -v kind=$kind 'NR > 1 {
		sum = $2 + $3 + $4; best = 2
		for (i = 3; i <= 4; i++) if ($i > $best) best = i
		split("- - Adelie Chinstrap Gentoo", names, " ")
		if (sum < 1 - 1e-12 || sum > 1 + 1e-12 || $1 != names[best + 1]) {
			print kind ": line " NR ": " $0; exit 1 }
	}' proba.csv >&2 || fail "$kind: probabilities"
	run_ok ml-predict -o diabetes.csv $kind-diabetes-2.model "$diabetes"
	awk -F, 'NR > 1 && !($1 > 0 && $1 < 400) { exit 1 }' diabetes.csv ||
		fail "$kind: a diabetes prediction out of the target's range"
done
