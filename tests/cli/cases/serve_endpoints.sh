# ml-serve's endpoints and error answers: predict in every body shape,
# the one-row client, model descriptions, health, readiness, metrics, and
# 400, 404, 405 and 413 as JSON naming the row and column.
. "$TESTS_DIR/lib.sh"
run_ok ml-fit logistic -t species "$DATA_DIR/iris.csv" -o iris.model
run_ok ml-fit linear -t progression "$DATA_DIR/diabetes.csv" -o diabetes.model
start_server -j 2 --max-body 2000 --max-rows 5 iris.model

row='"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2'
request 200 /predict -d '{"features": [5.1, 3.5, 1.4, 0.2]}'
body_has '{"prediction":"setosa","confidence":0.98'
request 200 /v1/models/iris/predict -d "{\"rows\": [{$row, \"species\": \"?\", \"extra\": [1]}]}"
[ "$(cat body)" = '{"predictions":["setosa"]}' ] || fail "rows answer: $(cat body)"
request 200 '/v1/models/iris/predict?proba=1' \
	-d '{"columns": ["petal_width", "petal_length", "sepal_width", "sepal_length"],
	     "data": [[0.2, 1.4, 3.5, 5.1], [2.3, 5.2, "3.0", 6.7]]}'
body_has '"predictions":["setosa","virginica"],"classes":["setosa","versicolor","virginica"],"probabilities":[[0.98'
request 200 /predict -H 'Content-Type: text/csv' --data-binary \
	"$(printf 'petal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n')"
body_has '"predictions":["setosa"]'
request 200 /predict -d '{"rows": []}'
body_has '{"predictions":[]}'

# What ml-info says, as JSON.
request 200 /v1/models/iris
body_has '"name":"iris","file":"iris.model","kind":"logistic","task":"classification","inputs":["sepal_length","sepal_width","petal_length","petal_width"],"target":"species","classes":["setosa","versicolor","virginica"]'
body_has '"metadata":{"created-by":"mlpipe'
request 200 /v1/models
body_has '{"models":[{"name":"iris"'
request 200 /healthz
request 200 /readyz

# 400: the row and the column are named.
request 400 /predict -d '{"rows": [{'"$row"'}, {"sepal_length": 1}]}'
body_has '{"error":"row 2: no column '\''sepal_width'\''"}'
request 400 /predict -d '{"rows": [{'"$row"'}, {'"$row"', "petal_width": "wide"}]}'
body_has "row 2: column 'petal_width' given twice"
request 400 /predict -d '{"features": [5.1, "x", 1.4, 0.2]}'
body_has "row 1: column 'sepal_width': 'x' is not a number"
request 400 /predict -d '{"features": [5.1, true, 1.4, 0.2]}'
body_has "row 1: column 'sepal_width': true is not a number, a string or null"
request 400 /predict -d '{"features": [5.1, null, 1.4, 0.2]}'
body_has "row 1: column 'sepal_width' is missing; logistic needs complete data"
request 400 /predict -d '{"features": [5.1, 3.5]}'
body_has '\"features\": 2 values; the model takes 4'
request 400 /predict -d '{"columns": ["sepal_length"], "data": [[1]]}'
body_has '\"columns\": no column '\''sepal_width'\'''
request 400 /predict -d '{"rows": [{'"$row"'}'
body_has '{"error":"bad JSON at byte'
request 400 /predict -d '[[[[[[[[[[1]]]]]]]]]]'
body_has 'JSON nested deeper than 8 levels'
request 400 /predict -d '{"row": []}'
body_has 'expected an object with \"rows\"'
request 400 /predict -H 'Content-Type: text/csv' --data-binary \
	"$(printf 'sepal_length,sepal_width,petal_length,petal_width\n5,3,1,0.2\n5,x,1,0.2\n')"
body_has "request:3: column 'sepal_width': 'x' is not a number"
request 400 '/predict?proba=maybe' -d '{"rows": []}'

# 404, 405, 413.
request 404 /v1/models/nosuch/predict -d '{"rows": []}'
body_has "no model 'nosuch'"
request 404 /nowhere
request 405 /predict
body_has '{"error":"GET is not allowed here; use POST"}'
curl -s -D headers -o body -X DELETE "$URL/v1/models/iris" || fail "DELETE"
grep -qi '^Allow: GET, HEAD' headers || fail "405 without Allow"
request 413 /predict -d '{"rows": [{}, {}, {}, {}, {}, {}]}'
body_has '6 rows; at most 5 in one request'

# A regression model: no confidence, and proba is refused.
stop_server
start_server diabetes.model iris.model
request 404 /predict -d '{"rows": []}'
body_has "several models are served"
request 200 /v1/models/diabetes/predict -d '{"features": [0.04, 0.05, 0.06, 0.02, -0.04, -0.03, -0.04, -0.002, 0.02, -0.02]}'
grep -Eq '^\{"prediction":[-0-9.e]+\}$' body || fail "regression answer: $(cat body)"
request 400 '/v1/models/diabetes/predict?proba=1' -d '{"rows": []}'
body_has "'diabetes' is a linear regression model: it has no classes"

# Metrics: requests by model and code, rows, the histogram, the models.
request 200 /metrics
for line in 'mlpipe_serve_requests_total{model="diabetes",code="200"} 1' \
	'mlpipe_serve_requests_total{model="",code="404"} 1' \
	'mlpipe_serve_errors_total{model="diabetes",code="400"} 1' \
	'mlpipe_serve_rows_total{model="diabetes"} 1' \
	'mlpipe_serve_request_duration_seconds_bucket{model="diabetes",le="+Inf"} 2' \
	'mlpipe_serve_request_duration_seconds_count{model="diabetes"} 2' \
	'# TYPE mlpipe_serve_request_duration_seconds histogram' \
	'mlpipe_serve_model_reloads_total{model="iris",result="failed"} 0'; do
	body_has "$line"
done
grep -Eq '^mlpipe_serve_model_info\{model="iris",kind="logistic",digest="[0-9a-f]{16}"\} 1$' body ||
	fail "no model_info"
grep -q '^mlpipe_serve_model_load_seconds{model="iris"} [0-9]' body || fail "no load time"
# Errors go to stderr.
grep -q "^ml-serve: POST /predict: 404: several models are served" serve.err ||
	fail "404 not logged"

# Bad usage.
expect_fail 2 "Try 'ml-serve --help'" ml-serve
expect_fail 1 "no\\.model" ml-serve --listen 127.0.0.1:0 no.model
expect_fail 1 "two models named 'iris'" ml-serve --listen 127.0.0.1:0 iris.model iris=diabetes.model
expect_fail 1 "'a b': a model name is letters" ml-serve --listen 127.0.0.1:0 'a b=iris.model'
expect_fail 1 "--listen 'nowhere': expected ADDRESS:PORT" ml-serve --listen nowhere iris.model
