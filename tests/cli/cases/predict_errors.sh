# Wrong input gives a clear message and exit 1; bad usage exit 2; a failed
# run leaves no -o file behind; a closed pipe ends quietly.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
run_ok ml-fit logistic -t species "$iris" -o iris.model
run_ok ml-fit linear -t progression "$DATA_DIR/diabetes.csv" -o diabetes.model

# A missing column is named; a missing target column is fine.
cut -d, -f1,2,3,5 "$iris" > no_width.csv
expect_fail 1 "^ml-predict: no_width.csv: no column 'petal_width' \\(needed by 'iris.model'\\)$" \
	ml-predict iris.model no_width.csv
cut -d, -f1-4 "$iris" > features.csv
run_ok ml-predict iris.model features.csv
ml-predict iris.model "$iris" | cmp - out || fail "the target column changed predictions"

# Not a model: a stage file, a CSV file, nothing at all.
ml-load -t species --save iris.load "$iris" > /dev/null || fail "saving a stage"
expect_fail 1 '^ml-predict: iris.load: .*not a model' ml-predict iris.load "$iris"
expect_fail 1 "^ml-predict: .*iris.csv: not an mlpipe stage or model file" \
	ml-predict "$iris" "$iris"
expect_fail 1 '^ml-predict: absent.model: No such file or directory$' \
	ml-predict absent.model "$iris"
# A newer format, a corrupt file.
sed '1s/.*/mlpipe 3/' iris.model > newer.model
expect_fail 1 '^ml-predict: newer.model: file format version 3.*newer mlpipe' \
	ml-predict newer.model "$iris"
head -n 20 iris.model > truncated.model
expect_fail 1 '^ml-predict: truncated.model:[0-9]+: ' ml-predict truncated.model "$iris"
sed 's/^\(coef setosa petal_length\) .*/\1 many/' iris.model > corrupt.model
expect_fail 1 "^ml-predict: corrupt.model:[0-9]+: .*'many' is not a number" \
	ml-predict corrupt.model "$iris"

# Binary input transformed differently: the chain's own message.
ml-load -t progression "$DATA_DIR/diabetes.csv" -o diabetes.bin || fail "diabetes.bin"
expect_fail 1 "^ml-predict: diabetes.bin: stage 1 \\('load'\\) of the input was fitted differently" \
	ml-predict iris.model diabetes.bin
ml-load -t species "$iris" -o iris.bin || fail "iris.bin"
awk -F, 'NR == 1 || $5 != "setosa"' "$iris" > two.csv
ml-load -t species two.csv -o two.bin || fail "two.bin"
expect_fail 1 "^ml-predict: two.bin: stage 1 \\('load'\\) .*'iris.model'" ml-predict iris.model two.bin
# A truncated binary row.
head -c 1000 iris.bin > cut.bin
expect_fail 1 '^ml-predict: cut.bin: truncated row' ml-predict iris.model cut.bin

# Bad rows in batch mode: file:line, exit 1, no output file.
printf 'sepal_length,sepal_width,petal_length,petal_width\n5,3,1,0.2\n5,x,1,0.2\n' > nan.csv
expect_fail 1 "^ml-predict: nan.csv:3: column 'sepal_width': 'x' is not a number$" \
	ml-predict -o kept.csv iris.model nan.csv
[ -e kept.csv ] && fail "-o left a file after a failure"
ls | grep -q 'kept.csv.tmp' && fail "-o left its temporary file"
printf 'sepal_length,sepal_width,petal_length,petal_width\n5,3,1,0.2\n5,,1,0.2\n' > missing.csv
expect_fail 1 "^ml-predict: missing.csv:3: column 'sepal_width' is missing.*ml-scale --impute" \
	ml-predict iris.model missing.csv
printf 'sepal_length,sepal_width,petal_length,petal_width\n5,"3,1,0.2\n' > quote.csv
expect_fail 1 '^ml-predict: quote.csv:2: unterminated quoted field' ml-predict iris.model quote.csv
: > empty.csv
expect_fail 1 '^ml-predict: empty.csv: empty input \(no header line\)$' \
	ml-predict iris.model empty.csv

# --append needs one header for all inputs.
expect_fail 1 "^ml-predict: no_width.csv: " ml-predict -a iris.model "$iris" no_width.csv
cut -d, -f1-4 "$iris" > narrow.csv
expect_fail 1 "^ml-predict: narrow.csv: --append: its columns differ from the first input's" \
	ml-predict -a iris.model "$iris" narrow.csv

# Write errors and a closed pipe.
if [ -w /dev/full ]; then
	ml-predict iris.model "$iris" > /dev/full 2> err
	status=$?
	[ $status -eq 1 ] || fail "exit $status writing to /dev/full"
	grep -q '^ml-predict: .*No space left on device' err || fail "/dev/full message"
fi
awk 'NR == 1 { print; next } { for (i = 0; i < 2000; i++) print }' "$iris" > long.csv
ml-predict iris.model long.csv 2> pipe.err | head -n 1 > first.txt
[ -s pipe.err ] && { cat pipe.err >&2; fail "a closed pipe made noise"; }
grep -qx prediction first.txt || fail "head -1"

# Binary output to a terminal is refused (script(1) gives it one).
if command -v script >/dev/null 2>&1; then
	script -qec "ml-predict --bin iris.model $iris" /dev/null > tty.out 2>&1
	status=$?
	[ $status -eq 2 ] || { cat tty.out >&2; fail "exit $status for binary to a terminal"; }
	grep -q 'refusing to write binary data to a terminal' tty.out || fail "terminal message"
fi

# Bad usage: exit 2 with a hint.
expect_fail 2 '^ml-predict: no model file given$' ml-predict
expect_fail 2 "^ml-predict: unknown option '--nope'" ml-predict --nope iris.model
expect_fail 2 "^ml-predict: --proba: 'diabetes.model' is a linear regression model" \
	ml-predict --proba diabetes.model "$DATA_DIR/diabetes.csv"
expect_fail 2 '^ml-predict: --append writes CSV' ml-predict --append --bin iris.model "$iris"
expect_fail 2 '^ml-predict: --line-buffered answers in CSV' ml-predict -l --bin iris.model "$iris"
expect_fail 2 '^ml-predict: --csv and --bin contradict' ml-predict --csv --bin iris.model "$iris"
grep -q "Try 'ml-predict --help'" err || fail "usage hint"
run_ok ml-predict --help
grep -q '^Usage: ml-predict \[OPTION\]... MODEL \[FILE\]...' out || fail "--help"
exit 0
