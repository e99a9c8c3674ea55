# ml-split: the parts have the sizes asked for, are disjoint and together
# are exactly the input; the same seed gives the same rows, another seed
# others; CSV rows are copied byte for byte (quotes, CRLF, a byte order
# mark, a quoted newline, a last line without one), stdin as well as files.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"

# rows FILE: the data rows (no header), sorted.
rows() {
	tail -n +2 "$1" | sort
}

run_ok ml-split "$iris" train.csv test.csv
[ "$(wc -l < test.csv)" -eq 39 ] || fail "0.25 of 150 rows should be 38 test rows (ceil)"
[ "$(wc -l < train.csv)" -eq 113 ] || fail "112 training rows expected"
head -n 1 "$iris" > header
head -n 1 train.csv | cmp - header || fail "train.csv lacks the header"
head -n 1 test.csv | cmp - header || fail "test.csv lacks the header"
{ rows train.csv; rows test.csv; } | sort > both
rows "$iris" > all
cmp both all || fail "the parts together are not the input's rows"
# iris repeats a few rows: compare line numbers, not texts, for disjointness.
awk 'NR > 1 { print NR - 1 "," $0 }' "$iris" > numbered.csv
sed -i '1i n,sepal_length,sepal_width,petal_length,petal_width,species' numbered.csv
run_ok ml-split -s 5 numbered.csv a.csv b.csv
cut -d, -f1 a.csv b.csv | grep -v '^n$' | sort -n | uniq -d > twice
[ -s twice ] && fail "rows in both parts: $(cat twice)"
[ "$(cut -d, -f1 a.csv b.csv | grep -vc '^n$')" -eq 150 ] || fail "rows lost"

# Same seed, same rows; another seed, other rows; not simply the first rows.
run_ok ml-split -s 5 numbered.csv a2.csv b2.csv
cmp a.csv a2.csv && cmp b.csv b2.csv || fail "the same seed gave other rows"
run_ok ml-split -s 6 numbered.csv a3.csv b3.csv
cmp -s b.csv b3.csv && fail "another seed gave the same rows"
[ "$(tail -n +2 b.csv | cut -d, -f1 | sort -n | tail -n 1)" -gt 100 ] ||
	fail "the test rows all come from the start"

# A count instead of a fraction; a fraction other than the default.
run_ok ml-split --test 10 "$iris" a.csv b.csv
[ "$(wc -l < b.csv)" -eq 11 ] || fail "--test 10: 10 test rows expected"
run_ok ml-split --test 0.1 "$iris" a.csv b.csv
[ "$(wc -l < b.csv)" -eq 16 ] || fail "--test 0.1: 15 test rows expected"

# stdin is read once and split as the file is.
run_ok ml-split -s 5 - a4.csv b4.csv < numbered.csv
cmp a2.csv a4.csv && cmp b2.csv b4.csv || fail "stdin split differently from the file"
cat numbered.csv | ml-split -s 5 - a5.csv b5.csv || fail "stdin through a pipe"
cmp a2.csv a5.csv && cmp b2.csv b5.csv || fail "a pipe split differently from the file"

# Byte for byte: penguins quotes its header and strings.
penguins="$DATA_DIR/penguins.csv"
run_ok ml-split -s 2 "$penguins" a.csv b.csv
[ "$(head -n 1 b.csv)" = "$(head -n 1 "$penguins")" ] || fail "penguins header changed"
{ tail -n +2 a.csv; tail -n +2 b.csv; } | sort > both
tail -n +2 "$penguins" | sort | cmp - both || fail "penguins rows changed"

# CRLF, a byte order mark, quoted fields (one with a line break), a blank
# line (dropped), numbers spelt oddly, and a last line without a line end
# (it gets the header's).  Five folds of five records: each test part
# holds one.
printf '\357\273\277id,name,x\r\n1,"two\r\nlines",1.50\r\n2,"a ""quote""",1e3\r\n\r\n' > odd.csv
printf '3,plain,0x10\r\n4,x,+7\r\n5,"",.5' >> odd.csv
printf '\357\273\277id,name,x\r\n' > header.bin
for i in 1 2 3 4 5; do
	run_ok ml-split --folds 5 --fold $i odd.csv a.csv b$i.csv
	head -c 14 a.csv | cmp - header.bin || fail "fold $i: the training part's header"
	head -c 14 b$i.csv | cmp - header.bin || fail "fold $i: the test part's header"
	tail -c +15 b$i.csv > record$i
	[ $(($(wc -c < a.csv) + $(wc -c < record$i))) -eq 87 ] ||
		fail "fold $i: the parts do not add up to the input's bytes"
done
for record in '1,"two\r\nlines",1.50\r\n' '2,"a ""quote""",1e3\r\n' '3,plain,0x10\r\n' \
	'4,x,+7\r\n' '5,"",.5\r\n'; do
	printf "$record" > want
	found=0
	for i in 1 2 3 4 5; do
		cmp -s want record$i && found=$((found + 1))
	done
	[ $found -eq 1 ] || fail "record $record is in $found test folds, not 1"
done
# --quotes lenient: a quote inside an unquoted field is text, not the start
# of a quoted field, in both passes; quoted fields keep their line breaks.
printf 'place,n\n37d36m37.8"N,1\n12" pizza,2\n"quoted ""x""\nnext",3\n"a",4\nb,5\n' > quotes.csv
expect_fail 1 'malformed quoting' ml-split quotes.csv qa.csv qb.csv
run_ok ml-split --quotes lenient --test 2 -s 1 quotes.csv qa.csv qb.csv
{ tail -n +2 qa.csv; tail -n +2 qb.csv; } | sort > got.txt
tail -n +2 quotes.csv | sort > want.txt
cmp -s got.txt want.txt || { cat qa.csv qb.csv >&2; fail "lenient quotes"; }
[ "$(tail -n +2 qb.csv | wc -l)" -eq 2 ] || fail "two test rows"
exit 0
