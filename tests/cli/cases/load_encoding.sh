# How text becomes numbers: a column with any non-number is categorical,
# one-hot as col=value in byte order (or --ordinal codes), numbers in a
# categorical column keyed by their shortest form; a categorical target
# becomes class indices shown as names again by --csv; -c/-x by names and
# 1-based ranges, the target always kept; --max-categories.
. "$TESTS_DIR/lib.sh"

loads_as() { # loads_as EXPECTED FILE [OPTION...]
	loads_expected=$1 loads_file=$2
	shift 2
	run_ok ml-load --csv "$@" "$loads_file"
	printf "$loads_expected" | cmp -s - out || {
		printf "$loads_expected" | diff -u - out >&2; fail "ml-load --csv $* $loads_file"; }
}

# One non-number makes the whole column categorical; "1.0", "1" and "1e0"
# are one category; the vocabulary is sorted by bytes (B < a < b < \303\251).
printf 'c,v,n\n1,a,1\n1.0,b,2\n2,B,3\nx,\303\251,4\n1e0,a,5\n' > mixed.csv
loads_as 'c=1,c=2,c=x,v=B,v=a,v=b,v=\303\251,n\n1,0,0,0,1,0,0,1\n1,0,0,0,0,1,0,2\n0,1,0,1,0,0,0,3\n0,0,1,0,0,0,1,4\n1,0,0,0,1,0,0,5\n' mixed.csv
loads_as 'c,v,n\n0,1,1\n0,2,2\n1,0,3\n2,3,4\n0,1,5\n' mixed.csv --ordinal
# Row order does not change the encoding.
{ head -1 mixed.csv; tail -n +2 mixed.csv | sort -r; } > reversed.csv
run_ok ml-load --csv --ordinal reversed.csv
grep -qx '2,3,4' out && grep -qx '1,0,3' out || fail "codes depend on row order"
# --categorical forces numbers to categories; missing stays missing.
loads_as 'c=1,c=2,c=x,v=B,v=a,v=b,v=\303\251,n=1,n=2,n=3,n=4,n=5\n1,0,0,0,1,0,0,1,0,0,0,0\n1,0,0,0,0,1,0,0,1,0,0,0\n0,1,0,1,0,0,0,0,0,1,0,0\n0,0,1,0,0,0,1,0,0,0,1,0\n1,0,0,0,1,0,0,0,0,0,0,1\n' mixed.csv --categorical n
printf 'k,m\n10,1\n,2\n9,3\n' > forced.csv
loads_as 'k=10,k=9,m\n1,0,1\n,,2\n0,1,3\n' forced.csv --categorical 1
loads_as 'k,m\n0,1\n,2\n1,3\n' forced.csv --categorical k --ordinal

# A categorical target: class indices inside, class names again in CSV.
printf 'x,species,w\n1,versicolor,5\n2,setosa,6\n3,"virginica, tall",7\n4,setosa,8\n' > target.csv
run_ok ml-load -t species target.csv -o target.bin
run_ok ml-info target.bin
grep -qx 'classes: 3: setosa versicolor "virginica, tall"' out || fail "class names"
grep -qx 'target: species' out || fail "target"
loads_as 'x,species,w\n1,versicolor,5\n2,setosa,6\n3,"virginica, tall",7\n4,setosa,8\n' target.bin
# Without -t the same column is one-hot; with --ordinal the target is still classes.
loads_as 'x,species=setosa,species=versicolor,"species=virginica, tall",w\n1,0,1,0,5\n2,1,0,0,6\n3,0,0,1,7\n4,1,0,0,8\n' target.csv
loads_as 'x,species,w\n1,versicolor,5\n2,setosa,6\n3,"virginica, tall",7\n4,setosa,8\n' target.csv -t species --ordinal
# A numeric target stays a number.
run_ok ml-load -t w target.csv -o numeric_target.bin
run_ok ml-info numeric_target.bin
grep -q '^classes:' out && fail "a numeric target has no classes"
grep -qx 'target: w' out || fail "numeric target"

# -c and -x: names, positions, ranges, open ranges; the target is kept.
printf 'a,b,c,d,e\n1,2,3,4,5\n' > five.csv
loads_as 'a,c\n1,3\n' five.csv -c a,c
loads_as 'b,c,d\n2,3,4\n' five.csv -c 2-4
loads_as 'd,e\n4,5\n' five.csv -c 4-
loads_as 'a,e\n1,5\n' five.csv -c 1,e
loads_as 'a,c,e\n1,3,5\n' five.csv -x b,4
loads_as 'e\n5\n' five.csv -x 1-4
loads_as 'a,b,c\n1,2,3\n' five.csv -c 1-3 -x d
loads_as 'a,c,e\n1,3,5\n' five.csv -c a,c -t e
loads_as 'b\n2\n' five.csv -c 1-3 -x 1,c
run_ok ml-load -c a -t e five.csv -o kept.bin
run_ok ml-info kept.bin
grep -qx 'target: e' out || fail "the target was not kept with -c"

# --max-categories: a limit on one-hot width, not on ordinal codes.
printf 'k\na\nb\nc\n' > three.csv
expect_fail 1 "^ml-load: three\\.csv: column 'k' has more than 2 distinct values; one-hot encoding would make as many columns: use --ordinal, drop it with -x, or raise --max-categories$" \
	ml-load --max-categories 2 three.csv
loads_as 'k=a,k=b,k=c\n1,0,0\n0,1,0\n0,0,1\n' three.csv --max-categories 3
loads_as 'k\n0\n1\n2\n' three.csv --max-categories 1 --ordinal
# One-hot names must not collide with a real column.
printf 'a,a=x\nx,1\n' > collide.csv
expect_fail 1 "^ml-load: encoding makes column 'a=x' twice$" ml-load collide.csv
