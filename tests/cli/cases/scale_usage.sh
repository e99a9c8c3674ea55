# Bad usage exits 2 with one line and a hint; bad data or stage files exit 1.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
hint="Try 'ml-scale --help'"
expect_fail 2 "unknown method 'zscore'" ml-scale -m zscore "$iris"
expect_fail 2 "$hint" ml-scale -m zscore "$iris"
expect_fail 2 "--range: .*expected A,B" ml-scale -m minmax --range 1 "$iris"
expect_fail 2 "--range: '1,0' is not two finite numbers" ml-scale -m minmax --range 1,0 "$iris"
expect_fail 2 "--range: 'a' is not a number" ml-scale -m minmax --range a,1 "$iris"
expect_fail 2 "--range: 'inf' is not|--range: '0,inf'" ml-scale -m minmax --range 0,inf "$iris"
expect_fail 2 "--range goes with -m minmax" ml-scale --range 0,2 "$iris"
expect_fail 2 "--impute: 'sometimes'" ml-scale --impute sometimes "$iris"
expect_fail 2 "--impute: 'nan'" ml-scale --impute nan "$iris"
expect_fail 2 "--impute: 'constant'" ml-scale --impute constant "$iris"
expect_fail 2 "--load applies a saved stage" ml-scale --load x.scale -m robust "$iris"
expect_fail 2 "--load and --save" ml-scale --load x.scale --save y.scale "$iris"
expect_fail 2 "one input file" ml-scale a.csv b.csv
expect_fail 2 "contradict" ml-scale --csv --bin "$iris"
expect_fail 2 "unknown option" ml-scale --frobnicate "$iris"
run_ok ml-scale --help
grep -q -- '--impute HOW' out || fail "--help lacks --impute"

# Data problems are exit 1, naming the column.
expect_fail 1 "no column 'nosuch'" ml-scale -c nosuch "$iris"
expect_fail 1 "no columns to scale \(the target 'species' never is\)" \
	ml-scale -t species -c species "$iris"
printf 'a,b\n1,2\ninf,3\n' > inf.csv
expect_fail 1 "inf.csv: column 'a' holds an infinite value" ml-scale inf.csv
printf 'a,b\n,2\n,3\n' > empty.csv
expect_fail 1 "column 'a' has no values to take a mean from" ml-scale --impute mean empty.csv
expect_fail 1 "nosuch.csv" ml-scale nosuch.csv
exit 0
