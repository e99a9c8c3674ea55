# A CSV file of several MiB is parsed in chunks on two threads: the output,
# the saved stage and every error (with its line number) are those of the
# sequential reader (-j 1) and of the same bytes through a pipe; quoted
# fields with line ends, CRLF and categories cross the chunk boundaries.
. "$TESTS_DIR/lib.sh"
awk 'BEGIN { printf "x1,x2,note,x3,label\r\n"
	for (i = 1; i <= 60000; i++)
		printf "%d.25,%.6f,\"k,%d\r\nline \"\"%d\"\"\",-%d,c%d\r\n", i, i / 7, i % 11, i % 7, i * 3, i % 5 }' > big.csv
[ "$(wc -c < big.csv)" -gt 3000000 ] || fail "big.csv is too small for several chunks"

run_ok ml-load -j 1 -t label --save seq.load big.csv -o seq.bin
run_ok ml-load -j 2 -t label --save par.load big.csv -o par.bin
cmp seq.bin par.bin || fail "-j 2 output differs from -j 1"
# The stage files differ only in the command line they record.
grep -v '^command ' seq.load > seq.stage
grep -v '^command ' par.load | cmp - seq.stage || fail "-j 2 stage differs from -j 1"
ml-load -t label < big.csv | cmp - seq.bin || fail "the file read from a pipe differs"
run_ok ml-load -j 2 -t label --ordinal -x note big.csv -o ord2.bin
run_ok ml-load -j 1 -t label --ordinal -x note big.csv -o ord1.bin
cmp ord1.bin ord2.bin || fail "-j 2 --ordinal output differs"

# Errors deep in the file are reported at the same line, whichever reader.
same_failure() {
	expect_fail 1 "$2" ml-load -j 1 -t label "$1"
	cp err err1
	expect_fail 1 "$2" ml-load -j 2 -t label "$1"
	cmp err err1 || { cat err err1 >&2; fail "$1: -j 2 says otherwise than -j 1"; }
}
{ cat big.csv; printf '1,2,"x",3\r\n'; } > ragged.csv
same_failure ragged.csv '^ml-load: ragged\.csv:120002: row has 4 fields, header has 5$'
# Each row is two lines (a quoted line end): 100001 lines are the header and 50000 rows.
{ head -n 100001 big.csv; printf '1,2,"3\n'; } > unterminated.csv
same_failure unterminated.csv '^ml-load: unterminated\.csv:100002: unterminated quoted field'
{ head -n 80001 big.csv; printf '1,2"x",3,4,5\n'; cat big.csv; } > malformed.csv
same_failure malformed.csv '^ml-load: malformed\.csv:80002: malformed quoting'

# Numbers only: the chunk threads write the rows in place, and the reading
# thread moves them down past lines that held no row (blank lines, a line
# end in quotes in a column left out).  The target turns to categories deep
# in the file; missing values, a missing target with --drop-missing-target,
# no header.
awk 'BEGIN { print "a,b,note,c,y"
	for (i = 1; i <= 150000; i++) {
		if (i % 997 == 0) print ""
		printf "%d.5,%s,%s,%.4f,%s\n", i, i % 13 ? i * 2 : "NA", i % 5003 ? "n" : "\"n\nn\"",
			i / 9, i % 4001 ? i % 3 : "" } }' > nums.csv
awk 'NR > 1 && NR % 50000 == 0 { print "9,9,n,9,yes"; next } { print }' nums.csv > late.csv
tail -n +2 nums.csv > bare.csv
same_rows() {
	run_ok ml-load -j 1 "$@" -o seq.bin
	run_ok ml-load -j 2 "$@" -o par.bin
	cmp seq.bin par.bin || fail "$*: -j 2 output differs from -j 1"
}
for args in "" "-t y --drop-missing-target" "-t y --categorical y"; do
	same_rows -x note $args nums.csv
	same_rows -x note $args late.csv
done
same_rows --no-header -x c3 bare.csv
# A missing-value string that reads as a number is missing all the same.
awk -F, 'NR > 1 && NF == 5 && NR % 7001 == 0 { $5 = "-999" } 1' OFS=, nums.csv > na.csv
grep -q ',-999$' na.csv || fail "na.csv has no -999"
same_rows -x note --na NA,-999 na.csv
same_rows -x note --na NA,-999 -t y --drop-missing-target na.csv
ml-load --csv -x note --na NA,-999 na.csv > na.out || fail "--na NA,-999 --csv"
! grep -q -- -999 na.out || fail "--na -999: -999 read as a number"
