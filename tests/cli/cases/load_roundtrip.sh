# iris.csv -> binary -> CSV -> binary is byte-identical, and the CSV
# values equal the original ones as numbers.
. "$TESTS_DIR/lib.sh"
run_ok ml-load -t species "$DATA_DIR/iris.csv" -o iris.bin
run_ok ml-load --csv iris.bin
mv out iris.csv
ml-load -t species iris.csv > again.bin || fail "reload"
cmp iris.bin again.bin || fail "binary differs after a CSV round trip"
head -1 iris.csv | grep -qx 'sepal_length,sepal_width,petal_length,petal_width,species' ||
	fail "header"
awk -F, 'NR == FNR { a[FNR] = $0; next }
	{ split(a[FNR], x, ","); for (i = 1; i <= 4; i++) if (x[i] + 0 != $i + 0) exit 1;
	  if (x[5] != $5) exit 1 }' "$DATA_DIR/iris.csv" iris.csv || fail "values differ"
