# Small cases checked by hand: each method's formula, imputation, constant
# columns (no NaN or inf: scale 1), missing values kept, the target and
# the columns left out untouched.
. "$TESTS_DIR/lib.sh"
cat > small.csv <<'CSV'
a,b,k,y
1,,5,x
,4,5,y
3,6,5,x
5,2,5,y
CSV

# expect OUTPUT-LINES OPTION...: ml-scale's CSV output must be exactly these lines.
expect() {
	want=$1
	shift
	run_ok ml-scale -t y "$@" small.csv
	printf '%s\n' "$want" > want
	diff -u want out >&2 || fail "ml-scale $*"
}
expect 'a,b,k,y
1,,5,x
,4,5,y
3,6,5,x
5,2,5,y' -m none
expect 'a,b,k,y
1,4,5,x
3,4,5,y
3,6,5,x
5,2,5,y' -m none --impute median
expect 'a,b,k,y
1,4,5,x
3,4,5,y
3,6,5,x
5,2,5,y' -m none --impute mean
expect 'a,b,k,y
1,2,5,x
1,4,5,y
3,6,5,x
5,2,5,y' -m none --impute most-frequent
expect 'a,b,k,y
1,-1,5,x
-1,4,5,y
3,6,5,x
5,2,5,y' -m none --impute -1
# minmax onto [-1,1]; k is constant: range 1, so it goes to the low end
expect 'a,b,k,y
-1,,-1,x
,0,-1,y
0,1,-1,x
1,-1,-1,y' -m minmax --range -1,1
expect 'a,b,k,y
0.2,,1,x
,0.6666666666666666,1,y
0.6,1,1,x
1,0.3333333333333333,1,y' -m maxabs
# robust: a has median 3, quartiles 2 and 4; b median 4, quartiles 3 and 5
expect 'a,b,k,y
-1,,0,x
,0,0,y
0,1,0,x
1,-1,0,y' -m robust
# standard: a has mean 3 and deviation sqrt(8/3); k is constant: centred to 0
run_ok ml-scale -t y small.csv
awk -F, 'NR > 1 && ($3 != 0 || $3 ~ /nan|inf/) { exit 1 }' out ||
	fail "a constant column did not come out as 0"
awk -F, 'NR == 2 { d = $1 - (-2 / sqrt(8 / 3)); if (d > 1e-15 || d < -1e-15) exit 1 }' out ||
	fail "standard scaling of a"
# only b, by position; a and the constant k left as they are
expect 'a,b,k,y
1,,5,x
,0,5,y
3,1,5,x
5,-1,5,y' -m robust -c 2
expect 'a,b,k,y
1,,5,x
,0,5,y
3,1,5,x
5,-1,5,y' -m robust -x a,k
exit 0
