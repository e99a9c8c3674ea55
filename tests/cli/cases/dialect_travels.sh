# The CSV dialect travels with the model: a model trained on TSV scores TSV
# with no options, a model trained without a header takes rows in its input
# order (target optional), and -d / --header / --no-header / --na override.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
tr ',' '\t' < "$iris" > iris.tsv
run_ok ml-fit logistic --max-iter 500 -d '\t' -t species iris.tsv -o tsv.model
grep -qx 'delimiter "\\t"' tsv.model || fail "the model does not record the delimiter"
run_ok ml-predict tsv.model iris.tsv
cp out from_tsv.csv
run_ok ml-predict -d , tsv.model "$iris"
cmp -s out from_tsv.csv || fail "-d , on the CSV copy"
# Without a header: the model's input columns in order, with or without the target.
tail -n +2 iris.tsv > rows.tsv
run_ok ml-predict --no-header tsv.model rows.tsv
tail -n +2 from_tsv.csv > expected_rows.txt
tail -n +2 out | cmp -s - expected_rows.txt || fail "--no-header with the target"
cut -f1-4 rows.tsv > features.tsv
run_ok ml-predict --no-header tsv.model features.tsv
tail -n +2 out | cmp -s - expected_rows.txt || fail "--no-header without the target"
cut -f1-3 rows.tsv > short.tsv
expect_fail 1 "short.tsv: the rows have 3 fields; without a header they must be the 5 input columns of 'tsv.model' \(4 without the target 'species'\)" \
	ml-predict --no-header tsv.model short.tsv
run_ok ml-info tsv.model
grep -qx "csv columns: 5: sepal_length sepal_width petal_length petal_width species (target species, may be left out)" out ||
	fail "ml-info does not show the input order"
grep -q "^csv dialect: delimiter tab, header," out || fail "ml-info does not show the dialect"
# A model trained on headerless CSV reads headerless CSV by default; --header overrides.
run_ok ml-fit linear --no-header -t c4 features.tsv -d '\t' -o nohead.model
grep -qx 'header false' nohead.model || fail "the model does not record the missing header"
run_ok ml-predict nohead.model features.tsv
[ "$(wc -l < out)" -eq 151 ] || fail "headerless rows"
printf 'c1\tc2\tc3\tc4\n5.1\t3.5\t1.4\t0.2\n' > with_header.tsv
run_ok ml-predict --header nohead.model with_header.tsv
[ "$(wc -l < out)" -eq 2 ] || fail "--header"
expect_fail 2 "contradict" ml-predict --header --no-header nohead.model with_header.tsv
# The missing-value strings too: "-" means missing when the stage says so.
printf 'x,y\n1,2\n-,3\n4,5\n' > dash.csv
run_ok ml-load --na - --save dash.load dash.csv -o dash.bin
run_ok ml-load --load dash.load --csv dash.csv
grep -qx ',3' out || fail "--load forgot the missing-value strings"
exit 0
