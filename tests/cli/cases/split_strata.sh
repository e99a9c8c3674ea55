# ml-split --stratify keeps the class proportions (shares rounded by largest
# remainder, adding up exactly); --stratify-by any column; K folds cover
# every row once with balanced class counts; binary input keeps its header
# (columns, target, stages) with the right row counts.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
penguins="$DATA_DIR/penguins.csv"

# count FILE FIELD VALUE: rows of FILE whose FIELD-th field is VALUE.
count() {
	tail -n +2 "$1" | cut -d, -f"$2" | grep -cx -- "$3"
}

# penguins: Adelie 152, Chinstrap 68, Gentoo 124; 86 test rows (0.25 of 344)
# share out as 86 * n / 344 = 38, 17, 31 exactly.
run_ok ml-split --stratify -t species -s 4 "$penguins" train.csv test.csv
[ "$(count test.csv 1 '"Adelie"')" -eq 38 ] || fail "Adelie: 38 test rows expected"
[ "$(count test.csv 1 '"Chinstrap"')" -eq 17 ] || fail "Chinstrap: 17 test rows expected"
[ "$(count test.csv 1 '"Gentoo"')" -eq 31 ] || fail "Gentoo: 31 test rows expected"
[ "$(count train.csv 1 '"Chinstrap"')" -eq 51 ] || fail "Chinstrap: 51 training rows expected"

# Any column: island (Biscoe 168, Dream 124, Torgersen 52), 20% = 69 rows,
# shares 33.6, 24.8, 10.4: 34, 25, 10 by largest remainder.
run_ok ml-split --stratify-by island --test 0.2 "$penguins" train.csv test.csv
[ "$(wc -l < test.csv)" -eq 70 ] || fail "69 test rows expected"
[ "$(count test.csv 2 '"Biscoe"')" -eq 34 ] || fail "Biscoe: 34 test rows"
[ "$(count test.csv 2 '"Dream"')" -eq 25 ] || fail "Dream: 25 test rows"
[ "$(count test.csv 2 '"Torgersen"')" -eq 10 ] || fail "Torgersen: 10 test rows"

# Missing values are a stratum of their own (sex is empty in 11 rows).
run_ok ml-split --stratify-by sex -s 3 "$penguins" train.csv test.csv
[ "$(tail -n +2 test.csv | cut -d, -f7 | grep -cx '')" -eq 3 ] ||
	fail "11 rows without sex: ceil-share 3 of them in the test part"

# K folds: every row in exactly one test fold, 30 per fold, 10 per class.
awk 'NR > 1 { print NR - 1 "," $0 } NR == 1 { print "n," $0 }' "$iris" > numbered.csv
tail -n +2 numbered.csv | sort > all.sorted
for i in 1 2 3 4 5; do
	run_ok ml-split --folds 5 --fold $i --stratify -t species -s 9 numbered.csv \
		train$i.csv test$i.csv
	[ "$(wc -l < test$i.csv)" -eq 31 ] || fail "fold $i: 30 test rows expected"
	[ "$(wc -l < train$i.csv)" -eq 121 ] || fail "fold $i: 120 training rows expected"
	for class in setosa versicolor virginica; do
		[ "$(count test$i.csv 6 $class)" -eq 10 ] || fail "fold $i: 10 $class rows expected"
	done
	{ tail -n +2 train$i.csv; tail -n +2 test$i.csv; } | sort | cmp - all.sorted ||
		fail "fold $i: the parts are not the input"
done
tail -q -n +2 test1.csv test2.csv test3.csv test4.csv test5.csv | cut -d, -f1 | sort -n > tested
seq 1 150 | cmp - tested || fail "the test folds do not hold every row exactly once"
# Unstratified folds of 150 rows into 4: sizes 38, 38, 37, 37.
sizes=
for i in 1 2 3 4; do
	run_ok ml-split --folds 4 --fold $i numbered.csv a.csv b.csv
	sizes="$sizes $(($(wc -l < b.csv) - 1))"
done
[ "$sizes" = " 38 38 37 37" ] || fail "fold sizes$sizes, wanted 38 38 37 37"

# Binary input: binary parts with the input's header, stratified by the
# target the header marks.
ml-load -t species "$iris" | ml-scale > iris.bin || fail "ml-load | ml-scale"
run_ok ml-split --stratify -s 1 iris.bin train.bin test.bin
ml-info iris.bin | sed -n '3,9p' > info.all
for part in train test; do
	ml-info $part.bin > info.$part || fail "ml-info $part.bin"
	sed -n '3,9p' info.$part | cmp - info.all || fail "$part.bin: the header changed"
done
grep -qx 'rows: 38' info.test || fail "test.bin: 38 rows expected"
grep -qx 'rows: 112' info.train || fail "train.bin: 112 rows expected"
# The same rows as the whole file, and the test rows 12 or 13 of each class.
{ ml-load --csv train.bin | tail -n +2; ml-load --csv test.bin | tail -n +2; } | sort > parts
ml-load --csv iris.bin | tail -n +2 | sort | cmp - parts || fail "binary rows changed"
for class in setosa versicolor virginica; do
	n=$(ml-load --csv test.bin | count /dev/stdin 5 $class)
	[ "$n" -eq 12 ] || [ "$n" -eq 13 ] || fail "test.bin: $n $class rows"
done
# Binary from stdin; a binary header's target agrees with -t.
ml-split --stratify -t species -s 1 - a.bin b.bin < iris.bin || fail "binary stdin"
cmp a.bin train.bin && cmp b.bin test.bin || fail "binary stdin split differently"
exit 0
