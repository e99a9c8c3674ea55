# Model files: deterministic bytes, untouched when identical (make does not
# rebuild), -o - to stdout, ml-info reads them back, and damaged or foreign
# files are refused with exit 1 and file:line.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"

run_ok ml-fit logistic -s 7 -t species "$iris" -o iris.model
head -1 iris.model | grep -qx 'mlpipe 2' || fail "version line"
grep -qx 'seed 7' iris.model || fail "seed not recorded"
grep -qx 'data-rows 150' iris.model || fail "data-rows"
grep -Eq '^data-hash xxh3 [0-9a-f]{16}$' iris.model || fail "data-hash"
grep -q '^command ml-fit logistic -s 7 -t species ' iris.model || fail "command as typed"

# The same command again: same bytes, file not rewritten.
touch -d '2001-01-01 00:00:00' iris.model
before=$(stat -c %Y iris.model)
cp iris.model first.model
run_ok ml-fit logistic -s 7 -t species "$iris" -o iris.model
cmp first.model iris.model || fail "refit gives different bytes"
[ "$(stat -c %Y iris.model)" = "$before" ] || fail "identical model was rewritten"

ml-fit logistic -s 7 -t species "$iris" -o - > stdout.model || fail "-o -"
diff first.model stdout.model | grep -v '^[<>] command' | grep -q '^[<>]' &&
	fail "-o - differs beyond the command line"

run_ok ml-info iris.model
grep -q '^estimator: logistic (classification)' out || fail "ml-info estimator"
grep -q '^classes: 3: setosa versicolor virginica' out || fail "ml-info classes"
grep -q '^  petal_length ' out || fail "ml-info coefficients"
grep -q '^training: ' out || fail "ml-info training summary"

run_ok ml-fit linear -t petal_width -x species "$iris" -o linear.model
run_ok ml-info linear.model
grep -q '^  (intercept) ' out || fail "ml-info intercept"

# Hostile files.
head -n 20 iris.model > truncated.model
expect_fail 1 'truncated.model:[0-9]+: .*end' ml-info truncated.model
sed '1s/.*/mlpipe 3/' iris.model > newer.model
expect_fail 1 'newer.model: file format version 3.*newer mlpipe' ml-info newer.model
sed 's/^coef setosa petal_length /coef setosa petal_size /' iris.model > renamed.model
expect_fail 1 "renamed.model:[0-9]+: expected the coefficient of feature 'petal_length'" \
	ml-info renamed.model
sed 's/^\(coef versicolor sepal_width\) .*/\1 nan/' iris.model > nan.model
expect_fail 1 'nan.model:[0-9]+: coefficient of .sepal_width. is .nan.' ml-info nan.model
sed 's/^converged true/converged true\nsurprise 1/' iris.model > unknown.model
expect_fail 1 "unknown.model:[0-9]+: unknown or misplaced key 'surprise'" ml-info unknown.model
sed '/^estimator/,$ s/^inputs 5 sepal_length/inputs 5 sepal_len/' iris.model > inputs.model
expect_fail 1 "inputs.model:[0-9]+: estimator input 1 is 'sepal_len'" ml-info inputs.model
sed 's/^classes 3 setosa versicolor virginica/classes 2 setosa versicolor/' iris.model \
	> classes.model
expect_fail 1 'classes.model:[0-9]+: ' ml-info classes.model
sed 's/^C 1$/C -1/' iris.model > negative.model
expect_fail 1 "negative.model:[0-9]+: 'C': '-1' is not a number > 0" ml-info negative.model
sed 's/^estimator logistic/estimator forest2000/' iris.model > kind.model
expect_fail 1 "kind.model:[0-9]+: unknown estimator 'forest2000'" ml-info kind.model
{ cat iris.model; echo 'estimator linear'; } > extra.model
expect_fail 1 "extra.model:[0-9]+: unexpected 'estimator' after the estimator section" \
	ml-info extra.model

# A failed fit leaves the old model alone.
cp first.model keep.model
expect_fail 1 'no (target )?column' ml-fit logistic -t nosuch "$iris" -o keep.model
cmp first.model keep.model || fail "a failed fit touched the model"
ls | grep -q tmp && fail "temporary file left behind"
exit 0
