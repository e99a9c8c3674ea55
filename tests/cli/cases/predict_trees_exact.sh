# Tree prediction is exact: every tree, forest and gbdt fixture predicts, on
# its data and on a perturbed copy (missing cells, values nudged across
# thresholds), with its thresholds compared as doubles and as float32, the
# very bytes recorded in expected/predict_trees_exact.txt (written by the
# walk one row at a time, before prediction walked blocks of rows).
. "$TESTS_DIR/lib.sh"
FIXTURES="$TESTS_DIR/../fixtures/models"
for pair in tree-iris:iris tree-diabetes:diabetes forest-penguins:penguins \
	forest-diabetes:diabetes gbdt-diabetes:diabetes gbdt-breast_cancer:breast_cancer \
	gbdt-penguins:penguins; do
	model=${pair%%:*} data=${pair#*:}
	# Every 11th numeric cell (a diagonal pattern) empty, every 5th scaled
	# by 1 + 1e-7, the first column (a target in some files) and text kept.
	awk -F, -v OFS=, 'NR > 1 { for (j = 2; j <= NF; j++) if ($j !~ /^"/ && $j != "") {
			if ((NR * 7 + j * 3) % 11 == 0) $j = ""
			else if ((NR + j) % 5 == 0) $j = $j * (1 + 1e-7)
		} } { print }' "$DATA_DIR/$data.csv" > perturbed.csv
	sed 's/^compare double$/compare float32/' "$FIXTURES/$model.model" > float32.model
	grep -q '^compare float32$' float32.model || fail "$model: no compare line"
	proba=
	grep -q '^classes [1-9]' "$FIXTURES/$model.model" && proba=--proba
	for file in "$FIXTURES/$model.model" float32.model; do
		compare=$(sed -n 's/^compare //p' "$file")
		for input in "$DATA_DIR/$data.csv" perturbed.csv; do
			run_ok ml-predict $proba "$file" "$input"
			rows=$(($(wc -l < "$input") + 0))
			[ "$(wc -l < out)" -eq "$rows" ] || fail "$model: $(wc -l < out) lines"
			echo "$model $compare $(basename "$input" .csv) $(cksum < out)"
		done
	done
done > sums
same sums predict_trees_exact.txt
