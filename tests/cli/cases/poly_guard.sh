# The column guard: an expansion wider than the limit is refused with exit
# 2 and a message giving the width it would have; --max-columns raises the
# limit, never beyond what mlpipe takes.  Usage and data errors exit 2 / 1.
. "$TESTS_DIR/lib.sh"
# digits: 64 features, degree 3: C(67, 3) - 1 = 47904 terms, plus the target.
expect_fail 2 "a degree 3 expansion of 64 columns would make 47905 columns \(limit 10000;\
 --max-columns raises the limit\)" ml-poly -t digit -d 3 "$DATA_DIR/digits.csv"
[ ! -s out ] || fail "output written despite the guard"
run_ok ml-poly -t digit -d 3 --max-columns 47905 "$DATA_DIR/digits.csv"
[ "$(head -1 out | tr , '\n' | wc -l)" -eq 47905 ] || fail "not 47905 columns"
expect_fail 2 "would make 47905 columns \(limit 47904;" \
	ml-poly -t digit -d 3 --max-columns 47904 "$DATA_DIR/digits.csv"
# The guard holds on the streaming path too, before any row is written.
run_ok ml-load -t digit "$DATA_DIR/digits.csv" -o digits.bin
expect_fail 2 "would make 47905 columns" ml-poly -d 3 -o never.bin digits.bin
[ ! -e never.bin ] || fail "-o file left behind"
# wine, degree 10: 1144066 columns, more than any limit allows.
expect_fail 2 "would make 1144066 columns \(limit 1048576\)" \
	ml-poly -t class -d 10 --max-columns 1048576 "$DATA_DIR/wine.csv"
expect_fail 2 "no limit allows more than 1048576" ml-poly -t class -d 10 "$DATA_DIR/wine.csv"

# Bad usage: exit 2.
expect_fail 2 "-d: '0' is not a whole number from 1 to 10" ml-poly -d 0 "$DATA_DIR/iris.csv"
expect_fail 2 "-d: '11' is not a whole number from 1 to 10" ml-poly -d 11 "$DATA_DIR/iris.csv"
expect_fail 2 "--max-columns: '0'" ml-poly --max-columns 0 "$DATA_DIR/iris.csv"
expect_fail 2 "--csv and --bin contradict" ml-poly --csv --bin "$DATA_DIR/iris.csv"
expect_fail 2 "one input file at a time" ml-poly "$DATA_DIR/iris.csv" "$DATA_DIR/iris.csv"
expect_fail 2 "unknown option" ml-poly --degrees 2 "$DATA_DIR/iris.csv"

# Bad columns or data: exit 1.
expect_fail 1 "'species' leaves no column to expand \(the target 'species' is never expanded\)" \
	ml-poly -t species -c species "$DATA_DIR/iris.csv"
expect_fail 1 "no column 'petal'" ml-poly -t species -c petal "$DATA_DIR/iris.csv"
expect_fail 1 "no target column 'kind'" ml-poly -t kind "$DATA_DIR/iris.csv"
run_ok ml-load -t species "$DATA_DIR/iris.csv" -o iris.bin
expect_fail 1 "iris.bin: the target is 'species' already, not 'sepal_width'" \
	ml-poly -t sepal_width iris.bin
printf 'a,b,a*b\n1,2,3\n' > clash.csv
expect_fail 1 "makes column 'a\*b' twice" ml-poly -c a,b clash.csv
# Term names longer than a binary header takes are refused.
long=$(head -c 2100 /dev/zero | tr '\0' x)
printf '%s,y%s\n1,2\n' "$long" "$long" > long.csv
run_ok ml-poly -d 1 long.csv
expect_fail 1 "the name of term 'x+\.\.\.' would be longer than 4096 bytes" ml-poly long.csv
expect_fail 1 "write error" sh -c "ml-poly -t species '$DATA_DIR/iris.csv' > /dev/full"
