# ml-eval's three formats on a small hand-made table (the table compared
# with tests/cli/expected/eval_table.txt), degenerate input (one class,
# constant truth: the defined scores and a warning), errors, -o, and the
# plots (PNG files of the right size; skipped without gnuplot).
. "$TESTS_DIR/lib.sh"
cat > scored.csv <<EOF
id,label,prediction,p_no,p_yes
1,yes,yes,0.2,0.8
2,no,no,0.9,0.1
3,yes,no,0.6,0.4
4,no,no,0.7,0.3
5,yes,yes,0.35,0.65
6,no,yes,0.45,0.55
EOF
run_ok ml-eval -t label scored.csv
same out eval_table.txt
[ -s err ] && fail "warnings on a sound table: $(cat err)"

# JSON: one object, scikit-learn's names, per class, the confusion matrix.
# roc_auc is roc_auc_score([y == "yes" for y in label], p_yes) = 8/9, as
# Python prints it.
run_ok ml-eval -t label --json scored.csv
head -n 1 out | grep -qx '{' && tail -n 1 out | grep -qx '}' || fail "--json: not one object"
for key in '"task": "classification"' '"n_rows": 6' '"accuracy": 0.6666666666666666' \
	'"roc_auc": 0.888888888888889' '"f1_macro": ' '"average_precision": ' '"log_loss": ' \
	'"classes": \["no", "yes"\]' \
	'"no": {"precision": 0.6666666666666666, "recall": 0.6666666666666666' \
	'\[2, 1\]' '\[1, 2\]' '"warnings": \[\]'; do
	grep -q "$key" out || fail "--json lacks $key"
done
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' out || fail "--json: invalid JSON"
fi
# CSV: metric,class,value; the table's scores, then 4 per class.
run_ok ml-eval -t label --csv scored.csv
head -n 1 out | grep -qx 'metric,class,value' || fail "--csv header"
[ "$(wc -l < out)" -eq 26 ] || fail "--csv: 17 + 2 x 4 rows expected"
grep -qx 'accuracy,,0.6666666666666666' out || fail "--csv accuracy"
grep -qx 'support,yes,3' out || fail "--csv support of yes"
# -o writes the file atomically; stdin works.
cp out scores.want
run_ok ml-eval -t label --csv -o scores.csv - < scored.csv
cmp scores.csv scores.want || fail "-o scores.csv differs from stdout"
[ -s out ] && fail "-o: the report went to stdout too"

# Degenerate: the truth is one class.  Accuracy is defined; ROC AUC is not.
awk -F, 'NR == 1 || $2 == "yes"' scored.csv > one-class.csv
run_ok ml-eval -t label --json one-class.csv
grep -q '"accuracy": 0.6666666666666666' out || fail "one class: accuracy"
grep -q '"roc_auc": null' out || fail "one class: roc_auc should be null"
grep -q 'warning: .*roc auc is not defined' err || fail "one class: no warning on stderr"
grep -q '"warnings": \[.*roc auc' out || fail "one class: the JSON lacks the warning"
# Regression with a constant truth: r2 by convention, with a warning.
printf 'y,prediction\n5,4.5\n5,5.5\n5,5.25\n' > constant.csv
run_ok ml-eval -t y --json constant.csv
grep -q '"task": "regression"' out || fail "4.5 is not a whole number: regression"
grep -q '"r2": 0,' out || fail "constant truth: r2 is 0"
grep -q '"max_error": 0.5,' out || fail "constant truth: max_error"
grep -q 'warning: the truth is constant' err || fail "constant truth: no warning"

# Binary input: the truth is the target its header marks; values are numbers.
printf 'y,prediction,x\n1,1.5,0\n2,2.5,0\n4,3,0\n' | ml-load -t y > scored.bin ||
	fail "ml-load"
run_ok ml-eval --json scored.bin
grep -q '"task": "regression"' out || fail "binary: regression expected"
grep -q '"max_error": 1,' out || fail "binary: max_error 1 expected"
printf 'y,prediction\n0,0\n1,1\n1,0\n2,2\n' | ml-load -t y > classes.bin || fail "ml-load"
run_ok ml-eval --json classes.bin
grep -q '"accuracy": 0.75,' out || fail "binary: accuracy 0.75 expected"
grep -q '"classes": \["0", "1", "2"\]' out || fail "binary: classes 0, 1, 2 expected"

# Errors: bad usage exits 2, bad data 1.
expect_fail 2 "--task: 'ranking' is not" ml-eval --task ranking -t label scored.csv
expect_fail 2 "--json and --csv" ml-eval --json --csv -t label scored.csv
expect_fail 2 "one input file" ml-eval a.csv b.csv
expect_fail 1 "scored.csv: which column is the truth\? name it with -t" ml-eval scored.csv
expect_fail 1 "no truth column 'kind' \(the columns: 'id', 'label'" ml-eval -t kind scored.csv
expect_fail 1 "no prediction column 'guess'" ml-eval -t label -p guess scored.csv
expect_fail 1 "the truth and the predictions are one column" ml-eval -t label -p label scored.csv
cut -d, -f1-4 scored.csv > no-p.csv
expect_fail 1 "class 'yes' has no probability column 'p_yes'" ml-eval -t label no-p.csv
printf 'y,prediction\n1,2.5\nabc,3\n' > words.csv
expect_fail 1 "row 2: the truth 'abc' is not a number" ml-eval --task regression -t y words.csv
printf 'y,prediction\n1,2\n,3\n' > missing.csv
expect_fail 1 "missing.csv:3: the truth is missing" ml-eval -t y missing.csv
printf 'y,prediction\n' > empty.csv
expect_fail 1 "empty.csv: no rows to score" ml-eval -t y empty.csv
sed 's/0.2,0.8/0.2,x/' scored.csv > bad-p.csv
expect_fail 1 "bad-p.csv:2: column 'p_yes': 'x' is not a probability" ml-eval -t label bad-p.csv

# Plots.  Without gnuplot, a clear message and nothing written.
ml_eval=$(command -v ml-eval)
expect_fail 1 "--plot needs gnuplot: apt-get install gnuplot-nox" \
	env PATH=/nonexistent "$ml_eval" -t label --plot roc.png scored.csv
[ -e roc.png ] && fail "a plot without gnuplot left a file"
command -v gnuplot >/dev/null 2>&1 || skip "gnuplot not installed: plots not drawn"

# is_png FILE: a PNG of 800 x 600 pixels.
is_png() {
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$1: not a PNG"
	[ "$(od -An -tu1 -j16 -N8 "$1" | tr -s ' ' | sed 's/^ //')" = "0 0 3 32 0 0 2 88" ] ||
		fail "$1: not 800 x 600"
}
run_ok ml-eval -t label --plot roc.png scored.csv
is_png roc.png
cut -d, -f1-3 scored.csv > labels.csv
run_ok ml-eval -t label --plot confusion.png labels.csv
is_png confusion.png
run_ok ml-eval -t y --plot scatter.png constant.csv
is_png scatter.png
printf 'y,prediction\n1,1\n2,1\n' > clusters.csv
expect_fail 1 "no plot for clustering" ml-eval --task clustering -t y --plot c.png clusters.csv
expect_fail 2 "--plot writes a PNG file" ml-eval -t label --plot - scored.csv
# Class names from a hostile file reach the report escaped, never as
# terminal control sequences.
printf 'y,p\n"a\033[2Jb","a\033[2Jb"\nc,c\n' > hostile.csv
run_ok ml-eval -t y -p p hostile.csv
grep -q 'a\\x1b\[2Jb' out || fail "a class name is not escaped in the report"
tr -d '\n' < out | grep -q "$(printf '\033')" && fail "a raw escape byte reached the report"
ls -a | grep -q tmp && fail "temporary files left: $(ls -a | grep tmp)"
exit 0
