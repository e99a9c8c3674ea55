# ml-predict -j N: the same answers (and probabilities) for every N, for each
# tree kind, on inputs large enough for the work to be shared (the forest
# and the boosted models; the unit test test_ensemble checks the sharing
# itself on 150k rows); -j 0 and a word are refused.
. "$TESTS_DIR/lib.sh"
FIXTURES="$TESTS_DIR/../fixtures/models"
for pair in tree-diabetes:diabetes forest-penguins:penguins gbdt-breast_cancer:breast_cancer \
	gbdt-penguins:penguins; do
	model=${pair%%:*} data=${pair#*:}
	# The data 60 times over: tens of thousands of rows, several blocks.
	awk 'NR == 1 { header = $0; next } { rows[++n] = $0 }
		END { print header; for (k = 0; k < 60; k++) for (i = 1; i <= n; i++) print rows[i] }' \
		"$DATA_DIR/$data.csv" > big.csv
	proba=
	grep -q '^classes [1-9]' "$FIXTURES/$model.model" && proba=--proba
	run_ok ml-predict -j 1 $proba "$FIXTURES/$model.model" big.csv
	mv out one
	[ "$(wc -l < one)" -gt 20000 ] || fail "$model: only $(wc -l < one) lines"
	for threads in 2 3; do
		run_ok ml-predict -j $threads $proba "$FIXTURES/$model.model" big.csv
		cmp -s out one || fail "$model: -j $threads answers differently from -j 1"
	done
done
expect_fail 2 "threads" ml-predict -j 0 "$FIXTURES/forest-penguins.model" "$DATA_DIR/penguins.csv"
expect_fail 2 "threads" ml-predict -j many "$FIXTURES/forest-penguins.model" "$DATA_DIR/penguins.csv"
