# ml-fit gbdt learns as xgboost's hist learner does with the same settings
# (learning rate 0.1, lambda 1, min_child_weight 1, depth 3 and 6, the
# training mean as base score): the training loss after 1 and 5 rounds
# within 0.5% of xgboost's, after 20 within 5% (later trees split nodes of
# a few rows, where the two break ties between equal gains differently),
# for binary log-loss on breast_cancer and squared error on diabetes.  It
# checks the base score, the leaf values -G/(H + lambda), the gain, the
# min_child_weight rule and what a depth counts.  (Softmax is not
# compared: xgboost's multi:softprob takes 2p(1 - p) as the hessian, half
# the Newton step that ml-fit and scikit-learn take.)
. "$TESTS_DIR/lib.sh"
/usr/bin/python3 -c 'import xgboost, pandas' 2>/dev/null ||
	skip "xgboost or pandas not importable by /usr/bin/python3 (MLPIPE_PEERS=1 make deps)"
helper="/usr/bin/python3 $TESTS_DIR/trees_xgboost.py"

# compare DATA TARGET OBJECTIVE DEPTH ROUNDS TOLERANCE
compare() {
	data=$1 target=$2 objective=$3 depth=$4 rounds=$5 tolerance=$6
	theirs=$($helper loss "$DATA_DIR/$data.csv" "$target" "$objective" "$rounds" "$depth") ||
		fail "xgboost on $data"
	run_ok ml-fit gbdt -v -j 2 --trees "$rounds" --max-depth "$depth" -t "$target" \
		"$DATA_DIR/$data.csv" -o "$data.model"
	ours=$(sed -n 's/.*gbdt: [0-9]* rounds: training loss \([^ ,]*\).*/\1/p' err)
	[ -n "$ours" ] || fail "$data: no training loss in ml-fit -v's report"
	awk -v a="$ours" -v b="$theirs" -v t="$tolerance" \
		'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t * b) }' ||
		fail "$data, depth $depth, $rounds rounds: training loss $ours, xgboost's $theirs"
}

for depth in 3 6; do
	for rounds in 1 5; do
		compare breast_cancer diagnosis binary:logistic $depth $rounds 0.005
		compare diabetes progression reg:squarederror $depth $rounds 0.005
	done
	compare breast_cancer diagnosis binary:logistic $depth 20 0.05
	compare diabetes progression reg:squarederror $depth 20 0.05
done
