# ml-fit's refusals: usage errors exit 2, data problems exit 1, each saying why.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"

expect_fail 2 'which model\? linear, ridge, logistic, tree, forest or gbdt' ml-fit
expect_fail 2 'the model kind comes first: ml-fit ridge' ml-fit -t y ridge "$iris" -o m
expect_fail 2 '-o FILE is required' ml-fit linear -t sepal_length "$iris"
expect_fail 2 "unknown model kind 'boost'" ml-fit boost -t species "$iris" -o m
expect_fail 2 '[-]-alpha is for ridge' ml-fit linear --alpha 2 -t sepal_length "$iris" -o m
expect_fail 2 '[-]-C is for logistic' ml-fit ridge --C 2 -t sepal_length "$iris" -o m
expect_fail 2 '[-]-no-intercept' ml-fit linear --no-intercept=yes -t sepal_length "$iris" -o m
expect_fail 2 "[-]-alpha: '-1' is not a number >= 0" \
	ml-fit ridge --alpha -1 -t sepal_length "$iris" -o m
expect_fail 2 "[-]-C: '0' is not a number > 0" ml-fit logistic --C 0 -t species "$iris" -o m
expect_fail 2 "[-]-class-weight: 'heavy' is not 'none' or 'balanced'" \
	ml-fit logistic --class-weight heavy -t species "$iris" -o m
expect_fail 2 "[-]-max-iter: '0' is not a whole number from 1 to 100000000" \
	ml-fit logistic --max-iter 0 -t species "$iris" -o m
expect_fail 2 "unknown option '--task'" ml-fit linear --task classification -t y "$iris" -o m

# No target: the columns are listed.
expect_fail 1 "no target column: name one with -t \(the columns are 'sepal_length'," \
	ml-fit linear "$iris" -o m
expect_fail 1 "no (target )?column 'nosuch'" ml-fit linear -t nosuch "$iris" -o m
ml-load "$iris" > iris.bin || fail "ml-load"
expect_fail 1 "no target column 'nosuch' \\(the columns are 'sepal_length'," \
	ml-fit linear -t nosuch iris.bin -o m

# Missing values: row and column named, the cure suggested.
printf 'a,b,y\n1,2,3\n4,,6\n7,8,9\n' > holes.csv
expect_fail 1 "holes.csv:3: column 'b' is missing; .*ml-scale --impute" \
	ml-fit linear -t y holes.csv -o m
printf 'a,b,y\n1,2,3\n4,5,\n7,8,9\n' > notarget.csv
expect_fail 1 "notarget.csv:3: the target 'y' is missing" ml-fit linear -t y notarget.csv -o m

# One class, a categorical target for a regression, too many classes.
printf 'a,y\n1,x\n2,x\n' > oneclass.csv
expect_fail 1 'one class only' ml-fit logistic -t y oneclass.csv -o m
[ -e m ] && fail "a model was written after a failure"
expect_fail 1 "the target 'species' holds classes \\(text\\), not numbers: linear does regression; for classes use logistic" \
	ml-fit linear -t species "$iris" -o m
load_options="-t species"
ml-load $load_options "$iris" > species.bin || fail "ml-load"
expect_fail 1 "holds classes" ml-fit ridge species.bin -o m

# Numeric targets with few values are classes for logistic (named by value).
printf 'a,y\n1,0\n2,0\n3,1\n4,1\n5,2\n6,2\n' > numeric.csv
run_ok ml-fit logistic -t y numeric.csv -o numeric.model
grep -qx 'classes 3 0 1 2' numeric.model || fail "numeric classes"
exit 0
