# 30,000 rows (1.4 MB, many read blocks and prediction blocks) come out
# whole and in order: a linear model of an exact linear relation predicts
# it back row by row, from CSV with CRLF and quoted fields, from binary,
# with --append and through a pipe.
. "$TESTS_DIR/lib.sh"
awk 'BEGIN { printf "a,b,c,label,y\r\n"
	for (i = 1; i <= 30000; i++) {
		a = i % 97; b = (i * 7) % 101 / 4; c = -(i % 13)
		printf "%d,%s,\"%d\",\"k,%d\",%s\r\n", a, b, c, i % 5, 3 * a - 2 * b + 0.5 * c + 1
	} }' > big.csv
run_ok ml-fit linear -t y -x label big.csv -o big.model
run_ok ml-predict big.model big.csv
[ "$(wc -l < out)" -eq 30001 ] || fail "$(wc -l < out) lines, wanted 30001"
# Row i's prediction is y of row i (to 1e-6): nothing lost, moved or doubled.
tr -d '\r' < big.csv | awk -F, 'NR > 1 { print $NF }' > truth
tail -n +2 out | paste -d, - truth | awk -F, '{ d = $1 - $2; if (d < 0) d = -d
	if (d > 1e-6) { print "row " NR ": " $1 " for " $2; exit 1 } }' || fail "predictions moved"

# --append copies each record, quoted where needed, CR dropped.
run_ok ml-predict --append big.model big.csv
head -n 2 out | tail -n 1 | grep -q '^1,1.75,-1,"k,1",0,[-0-9.e]*$' ||
	{ head -n 2 out >&2; fail "--append record"; }
tail -n +2 out | awk -F, '{ print $NF }' | paste -d, - truth | awk -F, '{ d = $1 - $2
	if (d < 0) d = -d; if (d > 1e-6) exit 1 }' || fail "--append predictions moved"

# The same from binary input, and from a pipe.
ml-load -t y -x label big.csv > big.bin || fail "big.bin"
ml-predict big.model big.bin > from_bin || fail "binary input"
ml-predict big.model big.csv > from_csv || fail "CSV input"
cmp from_bin from_csv || fail "binary and CSV inputs differ"
cat big.csv | ml-predict big.model > from_pipe || fail "pipe"
cmp from_pipe from_csv || fail "pipe and file differ"
