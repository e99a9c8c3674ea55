# --stats prints the counters on stderr; --stats-file writes them in the
# Prometheus text exposition format, also when the run fails.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
run_ok ml-fit logistic -t species "$iris" -o iris.model

run_ok ml-predict --stats iris.model "$iris"
grep -Eq '^ml-predict: 150 rows, 0 errors, [0-9.]+ (ns|us|ms|s), [0-9]+ rows/s, latency p50 [0-9.]+ (ns|us|ms|s), p99 [0-9.]+ (ns|us|ms|s)$' err ||
	{ cat err >&2; fail "--stats line"; }
[ "$(wc -l < out)" -eq 151 ] || fail "--stats changed the output"

run_ok ml-predict --stats-file iris.prom iris.model "$iris"
[ -s err ] && fail "--stats-file alone printed on stderr"
m='mlpipe_predict'
l='{model="iris.model"}'
for want in "# HELP ${m}_rows_total " "# TYPE ${m}_rows_total counter" "${m}_rows_total$l 150" \
	"# HELP ${m}_errors_total " "# TYPE ${m}_errors_total counter" "${m}_errors_total$l 0" \
	"# HELP ${m}_latency_seconds " "# TYPE ${m}_latency_seconds summary" \
	"${m}_latency_seconds_count$l 150" \
	"# TYPE ${m}_duration_seconds gauge" "# TYPE ${m}_last_run_timestamp_seconds gauge"; do
	grep -qxF "$want" iris.prom || grep -qF "$want" iris.prom ||
		{ cat iris.prom >&2; fail "no '$want' in the stats file"; }
done
for q in 0.5 0.9 0.99; do
	grep -Eq "^${m}_latency_seconds\\{model=\"iris.model\",quantile=\"$q\"\\} [0-9.e+-]+$" iris.prom ||
		fail "quantile $q"
done
grep -Eq "^${m}_latency_seconds_sum\\{model=\"iris.model\"\\} [0-9.e+-]+$" iris.prom || fail "sum"
# The timestamp is now, in seconds since the epoch.
now=$(date +%s)
awk -v now="$now" '/^mlpipe_predict_last_run_timestamp_seconds/ { t = $2 }
	END { exit !(t > now - 60 && t < now + 60) }' iris.prom || fail "timestamp"
# Every sample line is NAME{LABELS} VALUE; every other line is # HELP or # TYPE.
grep -Ev '^# (HELP|TYPE) mlpipe_predict_[a-z_]+ .+$|^mlpipe_predict_[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [-+0-9.eNaInf]+$' iris.prom &&
	fail "lines that are not in the exposition format"

# A run that fails still leaves its numbers: one error.
printf 'sepal_length,sepal_width,petal_length,petal_width\n5,3,1,0.2\n5,x,1,0.2\n' > bad.csv
expect_fail 1 'bad.csv:3: ' ml-predict --stats-file bad.prom iris.model bad.csv
grep -qxF "${m}_errors_total$l 1" bad.prom || { cat bad.prom >&2; fail "errors after a failure"; }
expect_fail 1 'absent.csv' ml-predict --stats-file absent.prom iris.model absent.csv
grep -qxF "${m}_errors_total$l 1" absent.prom || fail "errors after a missing input"
expect_fail 1 'gone.model' ml-predict --stats-file gone.prom gone.model "$iris"
grep -qxF "${m}_errors_total{model=\"gone.model\"} 1" gone.prom || fail "errors without a model"
# Service mode counts the error lines.
run_ok ml-predict -l --stats --stats-file service.prom iris.model bad.csv
grep -qxF "${m}_rows_total$l 1" service.prom || fail "service rows"
grep -qxF "${m}_errors_total$l 1" service.prom || fail "service errors"
grep -q '^ml-predict: 1 row, 1 error, ' err || fail "service --stats line"

# SIGUSR1 in batch mode: a report by the next block, and the run goes on.
mkfifo rows
ml-predict --stats-file mid.prom iris.model rows > mid.csv 2> mid.err &
pid=$!
exec 3> rows
cat "$iris" >&3
sleep 1
kill -USR1 $pid
tail -n +2 "$iris" >&3
sleep 1
kill -USR1 $pid
exec 3>&-
wait $pid || fail "exit $? after SIGUSR1"
[ "$(grep -c '^ml-predict: [0-9]* rows, 0 errors, ' mid.err)" -eq 2 ] ||
	{ cat mid.err >&2; fail "no report on SIGUSR1 in batch mode"; }
[ "$(wc -l < mid.csv)" -eq 301 ] || fail "SIGUSR1 disturbed the output"
grep -qxF "${m}_rows_total$l 300" mid.prom || fail "stats file after SIGUSR1"

# A stats file that cannot be written fails the run, after the predictions.
expect_fail 1 '^ml-predict: nodir/x.prom: ' ml-predict --stats-file nodir/x.prom iris.model "$iris"
ls | grep -q '\.tmp' && fail "a temporary file was left behind"
exit 0
