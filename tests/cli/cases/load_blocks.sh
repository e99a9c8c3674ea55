# Records that span the reader's 256 KiB blocks (and a header cut by the
# format sniffing) come through whole: 2 MB of CSV round-trips exactly.
. "$TESTS_DIR/lib.sh"
awk 'BEGIN { print "x1,x2,x3,label"
	for (i = 1; i <= 40000; i++)
		printf "%d.25,%.6f,-%d,\"k,%d\"\n", i, i / 7, i * 3, i % 5 }' > big.csv
run_ok ml-load -t label big.csv -o big.bin
ml-load --csv big.bin > back.csv || fail "to csv"
ml-load -t label back.csv | cmp - big.bin || fail "round trip differs"
awk -F, 'NR > 1 && ($1 != (NR - 1) ".25" || $3 != -3 * (NR - 1)) { exit 1 }' back.csv ||
	fail "values moved between rows"
