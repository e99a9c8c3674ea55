# ml-import: LightGBM model.txt files written by hand from the format
# (src/io/tree.cpp, gbdt_model_text.cpp): leaves as ~index, thresholds with
# x <= t going left, decision_type bits (1 categorical, 2 default left,
# 4-8 missing type: none reads NaN as 0, zero, NaN takes the default side),
# a one-leaf tree, sigmoid and softmax.  Each expected value is worked out below
# from the trees, by hand, and ml-predict must give it (to 1e-12).
. "$TESTS_DIR/lib.sh"
fixtures="$TESTS_DIR/../fixtures/lightgbm"
printf 'x,y\n1,2\n2,NA\nNA,3\n1,NA\n0,-2\n' > rows.csv

# close FILE EXPECTED...: the CSV's data lines, field by field, within 1e-12.
close() {
	file=$1
	shift
	tail -n +2 "$file" | tr '\n' ',' | tr ',' '\n' | sed '/^$/d' > got.txt
	for value in "$@"; do echo "$value"; done > want.txt
	paste -d ' ' got.txt want.txt | awk '
		NF != 2 { bad = 1; print "line " NR ": " $0 }
		NF == 2 && ($1 ~ /^[a-z]/ || $2 ~ /^[a-z]/) && $1 != $2 { bad = 1; print $1 " != " $2 }
		NF == 2 && $1 !~ /^[a-z]/ && $2 !~ /^[a-z]/ {
			d = $1 - $2; if (d < 0) d = -d
			if (d > 1e-12) { bad = 1; print "line " NR ": " $1 ", expected " $2 }
		}
		END { exit bad }' || fail "$file differs from the values worked out by hand"
	[ "$(wc -l < got.txt)" -eq "$(wc -l < want.txt)" ] || fail "$file: value count"
}
sigmoid() { awk -v s="$1" 'BEGIN { printf "%.17g\n", 1 / (1 + exp(-s)) }'; }

# binary (sigmoid:1).  Tree 0: x <= 1.5 (NaN: default left, missing type NaN)
# then y <= 2.5 (missing type none: NaN is 0, so left): leaves 0.5, -0.25, 1.25.
# Tree 1: y <= -1 with missing type zero, default right (0 and NaN go right):
# leaves -0.125, 0.375.  Raw scores: (1,2) 0.5+0.375; (2,NA) -0.25+0.375;
# (NA,3) 1.25+0.375; (1,NA) 0.5+0.375; (0,-2) 0.5-0.125.
run_ok ml-import --classes no,yes "$fixtures/binary.txt" -o binary.model
ml-predict --proba binary.model rows.csv > binary.pred || fail "ml-predict binary"
set --
for raw in 0.875 0.125 1.625 0.875 0.375; do
	p=$(sigmoid $raw)
	q=$(awk -v p="$p" 'BEGIN { printf "%.17g\n", 1 - p }')
	set -- "$@" yes "$q" "$p"
done
close binary.pred "$@"
head -n 1 binary.pred | grep -qx 'prediction,p_no,p_yes' || fail "binary: header"

# regression: a one-leaf tree (10.5, the average LightGBM boosts from) and
# x <= 0.5 (missing type NaN, default right): -1.5 or 2.25.
run_ok ml-import "$fixtures/regression.txt" -o regression.model
ml-predict regression.model rows.csv > regression.pred || fail "ml-predict regression"
close regression.pred 12.75 12.75 12.75 12.75 9

# multiclass: one round of three trees, one per class.  Class 0: x <= 1
# (none: NaN is 0, left) 1 or -1; class 1: y <= 2 (NaN, default right)
# 0.5 or 0; class 2: one leaf, 0.25.  Probabilities: softmax of the scores.
run_ok ml-import "$fixtures/multiclass.txt" -o multiclass.model
ml-predict --proba multiclass.model rows.csv > multiclass.pred || fail "ml-predict multiclass"
softmax() {
	awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN {
		s = exp(a) + exp(b) + exp(c)
		printf "%.17g\n%.17g\n%.17g\n", exp(a) / s, exp(b) / s, exp(c) / s }'
}
saved=""
for scores in "1 0.5 0.25 0" "-1 0 0.25 2" "1 0 0.25 0" "1 0 0.25 0" "1 0.5 0.25 0"; do
	# shellcheck disable=SC2086
	set -- $scores
	class=$4
	saved="$saved $class $(softmax "$1" "$2" "$3")"
done
# shellcheck disable=SC2086
close multiclass.pred $saved

# What cannot be converted is refused, naming the file and the reason.
sed 's/^decision_type=10 2$/decision_type=11 2/' "$fixtures/binary.txt" > categorical.txt
expect_fail 1 "categorical.txt: tree 0: categorical splits" \
	ml-import categorical.txt -o x.model
sed 's/^decision_type=4$/decision_type=6/' "$fixtures/binary.txt" > zero.txt
expect_fail 1 "zero.txt: tree 1: missing type 'zero'" ml-import zero.txt -o x.model
sed 's/^left_child=1 -1$/left_child=1 1/' "$fixtures/binary.txt" > loop.txt
expect_fail 1 "loop.txt: tree 0: node 1 has a bad left child 1" ml-import loop.txt -o x.model
sed 's/^right_child=-2 -3$/right_child=-2 -9/' "$fixtures/binary.txt" > leaf.txt
expect_fail 1 "leaf.txt: tree 0: node 1 has a bad right child -9" ml-import leaf.txt -o x.model
sed 's/^split_feature=0 1$/split_feature=0 7/' "$fixtures/binary.txt" > feature.txt
expect_fail 1 "feature.txt: tree 0's split feature: 7 is not a count from 0 to 1" \
	ml-import feature.txt -o x.model
sed 's/^leaf_value=0.5 -0.25 1.25$/leaf_value=0.5 -0.25/' "$fixtures/binary.txt" > short.txt
expect_fail 1 "short.txt: tree 0: 'leaf_value' has 2 values, expected 3" \
	ml-import short.txt -o x.model
sed 's/^objective=binary sigmoid:1$/objective=lambdarank/' "$fixtures/binary.txt" > rank.txt
expect_fail 1 "rank.txt: objective 'lambdarank'" ml-import rank.txt -o x.model
sed '/^end of trees$/d' "$fixtures/binary.txt" > cut.txt
expect_fail 1 "cut.txt: no 'end of trees' line" ml-import cut.txt -o x.model
grep -q Traceback err && fail "a traceback"
[ ! -e x.model ] || fail "a model was written after an error"
exit 0
