# ml-import: xgboost boosters saved as JSON (reg:squarederror, binary:logistic
# with a base score, multi:softprob on penguins, whose rows with missing values
# take the default directions) predict what Booster.predict does, within 1e-6.
. "$TESTS_DIR/lib.sh"
/usr/bin/python3 -c 'import xgboost, pandas' 2>/dev/null ||
	skip "xgboost or pandas not importable by /usr/bin/python3 (MLPIPE_PEERS=1 make deps)"
kinds="xgb-regression xgb-binary xgb-multi"
helper="/usr/bin/python3 $TESTS_DIR/import_xgboost.py"
$helper fit "$DATA_DIR" || fail "training in xgboost"
for kind in $kinds; do
	# shellcheck disable=SC2046
	run_ok ml-import $(sed -n 1p "$kind.data") "$kind.json" -o "$kind.model"
	# shellcheck disable=SC2046
	ml-predict "$kind.model" $(sed -n 2p "$kind.data") > "$kind.pred" ||
		fail "ml-predict $kind"
done
# shellcheck disable=SC2086
$helper check $kinds || fail "predictions differ from xgboost's (see above)"
grep -qx 'compare float32' xgb-multi.model || fail "xgboost compares in float32"
head -n 1 xgb-multi.pred | grep -qx 'prediction,p_Adelie,p_Chinstrap,p_Gentoo' ||
	fail "class names: $(head -n 1 xgb-multi.pred)"
run_ok ml-info xgb-binary.model
grep -q 'estimator: gbdt (classification)' out || fail "ml-info"

# Hostile or foreign files are refused with a message, never a traceback.
printf '{"learner": {"objective": {"name": "rank:pairwise"}}}' > rank.json
expect_fail 1 "rank.json: " ml-import rank.json -o rank.model
printf '{"learner": 3}' > bad.json
expect_fail 1 "bad.json: " ml-import bad.json -o bad.model
printf '{"learner": [' > cut.json
expect_fail 1 "cut.json: bad JSON" ml-import cut.json -o cut.model
sed 's/"split_indices":\[/"split_indices":[99999,/' xgb-binary.json > feature.json
expect_fail 1 "feature.json: " ml-import feature.json -o feature.model
grep -q Traceback err && fail "a traceback"
expect_fail 1 "--columns names 2 columns, the model has" \
	ml-import --columns a,b xgb-regression.json -o x.model
expect_fail 1 "neither an xgboost JSON model nor a LightGBM" ml-import "$DATA_DIR/iris.csv" -o x.model
[ ! -e x.model ] || fail "a model was written after an error"
exit 0
