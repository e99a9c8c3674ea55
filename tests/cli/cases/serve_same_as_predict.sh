# ml-serve answers the bundled data's rows bit for bit as ml-predict does:
# JSON bodies (rows and columns/data, numbers sent with their CSV text,
# categories as strings, empty fields as null, "NA" as the missing-value
# string it is) and CSV bodies, through a chain of load (one-hot), impute
# and scale, for a classifier with probabilities and a regression.
. "$TESTS_DIR/lib.sh"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 to write the JSON bodies"
client="/usr/bin/python3 $TESTS_DIR/serve_client.py"

run_ok ml-fit logistic -t species "$DATA_DIR/iris.csv" -o iris.model
ml-load -t species "$DATA_DIR/penguins.csv" | ml-scale --impute mean | ml-fit logistic -o penguins.model ||
	fail "penguins model"
run_ok ml-fit linear -t progression "$DATA_DIR/diabetes.csv" -o diabetes.model
start_server -j 2 iris.model penguins.model diabetes.model

for name in iris penguins diabetes; do
	csv="$DATA_DIR/$name.csv"
	proba=--proba query='?proba=1' kind=proba
	[ $name = diabetes ] && proba= query= kind=
	run_ok ml-predict $proba $name.model "$csv"
	mv out expected.csv
	$client rows "$csv" > rows.json || fail "rows body"
	$client rows "$csv" --data > table.json || fail "table body"
	for body in rows.json table.json; do
		request 200 "/v1/models/$name/predict$query" --data-binary @$body
		$client answers-csv body $kind > got.csv || fail "answer of $name $body is not JSON"
		cmp expected.csv got.csv || { diff expected.csv got.csv | head >&2; fail "$name $body"; }
	done
	request 200 "/v1/models/$name/predict$query" -H 'Content-Type: text/csv' --data-binary @"$csv"
	$client answers-csv body $kind > got.csv || fail "CSV answer of $name"
	cmp expected.csv got.csv || fail "$name as CSV"
done

# A body above a connection's read buffer (128 KiB) arrives in several reads:
# the same answers.
{ head -1 "$DATA_DIR/iris.csv"; for i in $(seq 20); do tail -n +2 "$DATA_DIR/iris.csv"; done; } > many.csv
run_ok ml-predict --proba iris.model many.csv
mv out expected.csv
$client rows many.csv > many.json || fail "rows body of many.csv"
[ "$(wc -c < many.json)" -gt 131072 ] || fail "many.json is not above 128 KiB"
request 200 '/v1/models/iris/predict?proba=1' --data-binary @many.json
$client answers-csv body proba > got.csv || fail "answer of many.json is not JSON"
cmp expected.csv got.csv || fail "a body above 128 KiB"
