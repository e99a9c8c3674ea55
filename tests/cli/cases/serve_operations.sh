# ml-serve in operation: bodies at and above --max-body, a slow client
# that sends a byte at a time while others are served (one thread), reload
# on SIGHUP under load (no request fails, answers switch to the new model,
# a broken file leaves the model serving), drain on SIGTERM (the request in
# flight finishes, new connections are refused, exit 0), the access log.
. "$TESTS_DIR/lib.sh"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 for the slow clients"
client="/usr/bin/python3 $TESTS_DIR/serve_client.py"
run_ok ml-fit logistic -t species "$DATA_DIR/iris.csv" -o first.model
# A second model whose probabilities differ: much stronger regularisation.
run_ok ml-fit logistic --C 0.01 -t species "$DATA_DIR/iris.csv" -o second.model
cp first.model iris.model
start_server -j 1 --max-body 100 --access-log access.log iris.model

# At the limit, and one byte above it (declared, and chunked).
printf '%-100s' '{"features": [5.1, 3.5, 1.4, 0.2]}' > limit.json
printf '%-101s' '{"features": [5.1, 3.5, 1.4, 0.2]}' > above.json
request 200 /predict --data-binary @limit.json
request 413 /predict --data-binary @above.json
body_has 'the body has 101 bytes; at most 100 (--max-body)'
request 413 /predict -H 'Transfer-Encoding: chunked' --data-binary @above.json
body_has 'more than 100 bytes'
request 200 /predict -H 'Transfer-Encoding: chunked' --data-binary @limit.json

# A path with an escape sequence, a C1 control and a byte that is not UTF-8 (once unescaped).
request 404 '/v1/models/%1b%5b2J%c2%9b%ff/predict' --data-binary @limit.json

# One thread: a client sending a byte every 10 ms does not hold it.
printf '{"features": [5.1, 3.5, 1.4, 0.2]}' > one.json
$client slow "$PORT" /predict one.json 0.01 > slow.out &
slow_pid=$!
sleep 0.3
for i in 1 2 3 4 5; do
	request 200 /predict --max-time 1 --data-binary @one.json
done
wait $slow_pid || fail "slow client"
grep -q '^200 {"prediction":"setosa"' slow.out || fail "slow client's answer: $(cat slow.out)"

# Reload under load: a client loop runs while SIGHUP swaps the model.
request 200 '/predict?proba=1' --data-binary @one.json
cp body first.answer
i=0
while [ $i -lt 120 ]; do
	curl -s -o answer -w '%{http_code}\n' --max-time 10 --data-binary @one.json \
		"$URL/predict?proba=1" >> statuses
	cat answer >> answers
	i=$((i + 1))
done &
loop=$!
while [ "$(wc -l < statuses 2>/dev/null || echo 0)" -lt 30 ]; do sleep 0.02; done
cp second.model iris.model.new && mv iris.model.new iris.model
kill -HUP "$SERVER_PID"
wait $loop
[ "$(grep -c '^200$' statuses)" = 120 ] || fail "failed requests during the reload: $(sort statuses | uniq -c)"
[ "$(head -n 1 answers)" = "$(cat first.answer)" ] || fail "first answers are not the first model's"
[ "$(uniq answers | wc -l)" = 2 ] || fail "answers did not switch once: $(uniq -c answers)"
grep -q "^ml-serve: reloaded 'iris' (digest [0-9a-f]*)$" serve.err || fail "reload not logged"
request 200 '/predict?proba=1' --data-binary @one.json
cp body second.answer
[ "$(tail -n 1 answers)" = "$(cat second.answer)" ] || fail "last answers are not the second model's"

# A broken file leaves the model serving.
echo 'not a model' > iris.model
kill -HUP "$SERVER_PID"
tries=0
until grep -q "reload of 'iris' failed; the old model goes on serving: iris.model" serve.err; do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || { cat serve.err >&2; fail "failed reload not logged"; }
	sleep 0.05
done
request 200 '/predict?proba=1' --data-binary @one.json
cmp body second.answer || fail "the old model no longer serves"
request 200 /metrics
body_has 'mlpipe_serve_model_reloads_total{model="iris",result="ok"} 1'
body_has 'mlpipe_serve_model_reloads_total{model="iris",result="failed"} 1'

# Drain: a request in flight finishes, new ones are refused, exit 0.
$client split "$PORT" /predict one.json go > split.out &
split_pid=$!
tries=0
until [ -f go.sent ]; do
	tries=$((tries + 1))
	[ $tries -lt 200 ] || fail "the split client did not start"
	sleep 0.02
done
# Sent is not yet read: wait until the server counts it in flight (the
# /metrics request counts itself too, hence 2), or SIGTERM could come first.
tries=0
until curl -s --max-time 5 "$URL/metrics" | grep -q '^mlpipe_serve_in_flight 2$'; do
	tries=$((tries + 1))
	[ $tries -lt 200 ] || fail "the split request is never in flight"
	sleep 0.02
done
kill -TERM "$SERVER_PID"
tries=0
until grep -q '^ml-serve: SIGTERM: draining' serve.err; do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || fail "no drain"
	sleep 0.02
done
sleep 0.1
curl -s --max-time 5 -o /dev/null "$URL/healthz" && fail "a new connection was accepted while draining"
touch go
wait $split_pid || fail "split client"
grep -q '^200 {"prediction":"setosa"' split.out || fail "the request in flight: $(cat split.out)"
wait "$SERVER_PID"
status=$?
SERVER_PID=
[ $status -eq 0 ] || { cat serve.err >&2; fail "exit $status after draining"; }

# One access line per request answered.
grep -Eq '^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "POST /predict HTTP/1\.1" 200 [0-9]+ rows=1 time=[0-9.]+$' access.log ||
	{ head -n 3 access.log >&2; fail "access log format"; }
grep -q '"POST /predict HTTP/1.1" 413 ' access.log || fail "413 not in the access log"
# Client text reaches the logs escaped (ml_escape), never as a terminal's escape sequence.
grep -qF '"POST /v1/models/\x1b[2J\xc2\x9b\xff/predict HTTP/1.1" 404 ' access.log ||
	{ grep 404 access.log >&2; fail "the path is not escaped in the access log"; }
grep -qF "no model '\x1b[2J\xc2\x9b\xff'" serve.err || fail "the path is not escaped on stderr"
if LC_ALL=C grep -q "$(printf '[\033\302\377]')" access.log serve.err; then
	fail "raw control or non-UTF-8 bytes in the logs"
fi
[ "$(wc -l < access.log)" -ge 135 ] || fail "access log has $(wc -l < access.log) lines"
