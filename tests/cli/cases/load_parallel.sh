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
ml-load -t label < big.csv | cmp - seq.bin || fail "the file on stdin differs"
# A pipe is read ahead by a thread of its own and parsed in chunks too.
cat big.csv | ml-load -t label | cmp - seq.bin || fail "the file read from a pipe differs"
gzip -c big.csv > big.csv.gz
ml-load -t label big.csv.gz | cmp - seq.bin || fail "the compressed file differs"
run_ok ml-load -j 2 -t label --ordinal -x note big.csv -o ord2.bin
run_ok ml-load -j 1 -t label --ordinal -x note big.csv -o ord1.bin
cmp ord1.bin ord2.bin || fail "-j 2 --ordinal output differs"

# Errors deep in the file are reported at the same line, whichever reader.
same_failure() {
	expect_fail 1 "$2" ml-load -j 1 -t label "$1"
	cp err err1
	expect_fail 1 "$2" ml-load -j 2 -t label "$1"
	cmp err err1 || { cat err err1 >&2; fail "$1: -j 2 says otherwise than -j 1"; }
	# From a pipe, named stdin: as stdin read sequentially says.
	ml-load -j 1 -t label - < "$1" > /dev/null 2> err1 && fail "$1 on stdin: no failure"
	cat "$1" | ml-load -j 2 -t label > /dev/null 2> err && fail "$1 from a pipe: no failure"
	cmp err err1 || { cat err err1 >&2; fail "$1: a pipe says otherwise than -j 1"; }
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
# same_rows FILE OPTION...
same_rows() {
	file=$1
	shift
	run_ok ml-load -j 1 "$@" "$file" -o seq.bin
	run_ok ml-load -j 2 "$@" "$file" -o par.bin
	cmp seq.bin par.bin || fail "$file $*: -j 2 output differs from -j 1"
	cat "$file" | ml-load -j 2 "$@" | cmp - seq.bin || fail "$file $*: a pipe differs from -j 1"
}
for args in "" "-t y --drop-missing-target" "-t y --categorical y"; do
	same_rows nums.csv -x note $args
	same_rows late.csv -x note $args
done
same_rows bare.csv --no-header -x c3
# A missing-value string that reads as a number is missing all the same.
awk -F, 'NR > 1 && NF == 5 && NR % 7001 == 0 { $5 = "-999" } 1' OFS=, nums.csv > na.csv
grep -q ',-999$' na.csv || fail "na.csv has no -999"
same_rows na.csv -x note --na NA,-999
same_rows na.csv -x note --na NA,-999 -t y --drop-missing-target
ml-load --csv -x note --na NA,-999 na.csv > na.out || fail "--na NA,-999 --csv"
! grep -q -- -999 na.out || fail "--na -999: -999 read as a number"

# Categories fitted on the chunk threads (each chunk's own vocabulary,
# merged in input order): text columns with missing values, quoted line
# ends and commas; a column that turns categorical deep in the file (its
# numbers become categories, "1.0" and "1" one); numbers in a forced
# categorical column; a categorical target; ordinal, drop-first.
# many: new notes deep in the file; bad: a note that is not UTF-8 there.
cats() {
	awk -v many="${1:-0}" -v bad="${2:-0}" 'BEGIN { print "id,city,mixed,code,note,grade"
	for (i = 1; i <= 120000; i++) {
		city = i % 17 == 0 ? "NA" : i % 29 == 0 ? "" : "\"Town " i % 37 ", \"\"R\"\"\""
		mixed = i == 90001 ? "late" : i % 3 ? (i % 5) ".0" : i % 5
		note = i % 1009 ? "n" (i % 4) : "\"two\nlines " i % 3 "\""
		if (many && i > 100000 && i % 100 == 0) note = "n" i
		if (bad && i == 110000) note = "bad\377"
		printf "%d,%s,%s,%d,%s,g%d\n", i, city, mixed, i % 6, note, i % 3 } }'
}
cats > cats.csv
[ "$(wc -c < cats.csv)" -gt 3000000 ] || fail "cats.csv is too small for several chunks"
for args in "" "-t grade" "-t grade --ordinal" "--categorical code --drop-first" \
	"-t mixed --categorical code" "--na NA -x note" \
	"--order code=5,4,3,2,1,0 -t grade"; do
	same_rows cats.csv $args
done
run_ok ml-load -j 1 -t grade --save seq.load cats.csv -o seq.bin
run_ok ml-load -j 2 -t grade --save par.load cats.csv -o par.bin
grep -v '^command ' seq.load > seq.stage
grep -v '^command ' par.load | cmp - seq.stage || fail "categories: -j 2 stage differs from -j 1"
cat cats.csv | ml-load -t grade | cmp - seq.bin || fail "categories: the pipe differs"
# ml-load writes one-hot rows expanded block by block as it writes them
# (encode_on_write): the same rows as the saved stage applied row by row
# (in CSV: binary output also carries the stage, which differs in its command).
ml-load --csv -t grade cats.csv > fit.csv
ml-load --csv --load seq.load cats.csv | cmp - fit.csv || fail "categories: --csv --load differs"
grep -q '^column mixed onehot 6 0 1 2 3 4 late$' seq.load || fail "mixed did not turn categorical"
# Too many categories, met deep in the file; text that is not UTF-8 there.
same_failure_args() {
	file=$1 pattern=$2
	shift 2
	expect_fail 1 "$pattern" ml-load -j 1 "$@" "$file"
	cp err err1
	expect_fail 1 "$pattern" ml-load -j 2 "$@" "$file"
	cmp err err1 || { cat err err1 >&2; fail "$file $*: -j 2 says otherwise than -j 1"; }
	ml-load -j 1 "$@" - < "$file" > /dev/null 2> err1 && fail "$file on stdin: no failure"
	cat "$file" | ml-load -j 2 "$@" > /dev/null 2> err && fail "$file from a pipe: no failure"
	cmp err err1 || { cat err err1 >&2; fail "$file $*: a pipe says otherwise than -j 1"; }
}
cats 1 > many.csv
same_failure_args many.csv "column 'note' has more than 100 distinct values" --max-categories 100
cats 0 1 > latin.csv
same_failure_args latin.csv '^ml-load: latin\.csv:110110: column .note.: value is not UTF-8' -t grade
