# ml-serve's connections: each new one goes to the worker thread with the
# fewest open (16 opened at once used to land mostly on one thread), and
# past --max-connections a new one is closed at once and logged while the
# open ones go on being served; once they close, new ones are served again.
. "$TESTS_DIR/lib.sh"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 to hold connections open"
client="/usr/bin/python3 $TESTS_DIR/serve_client.py"
run_ok ml-fit logistic -t species "$DATA_DIR/iris.csv" -o iris.model
start_server -j 2 --max-connections 4 iris.model

$client hold "$PORT" 5 /healthz > hold.out || fail "the client holding connections failed"
printf '200\n200\n200\n200\nclosed\n' > want.out
head -n 5 hold.out | cmp -s - want.out || fail "four served, the fifth closed: $(cat hold.out)"
# The first connection asks for the metrics while the four are open: two on each thread.
grep -qx 'mlpipe_serve_connections{thread="0"} 2' hold.out || fail "thread 0: $(cat hold.out)"
grep -qx 'mlpipe_serve_connections{thread="1"} 2' hold.out || fail "thread 1: $(cat hold.out)"
grep -q '^ml-serve: 4 connections are open (--max-connections): closed a new one$' serve.err ||
	fail "the refusal is not logged: $(cat serve.err)"

# Closed connections are counted out: new ones are served.
for i in 1 2 3 4 5 6; do
	request 200 /healthz
done
request 200 /metrics
body_has 'mlpipe_serve_connections{thread="0"} '
