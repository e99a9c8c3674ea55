# The bench's latency floor: scripts/nullserve.c reads each request whole,
# however it arrives (split across reads, several in one write, a body over
# its read buffer), and answers each with its fixed body in order; openload
# drives it without a failed request; bad options and requests get errors.
. "$TESTS_DIR/lib.sh"
command -v cc >/dev/null 2>&1 || skip "no cc to build the bench tools"
scripts="$TESTS_DIR/../../scripts"
# With ASan and UBSan where the compiler has them: a memory error fails the case.
build() {
	out=$1
	shift
	cc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -Wall -Wextra -Werror \
		-o "$out" "$@" 2>/dev/null || cc -O2 -Wall -Wextra -Werror -o "$out" "$@" ||
		fail "$out does not build"
}
build nullserve "$scripts/nullserve.c" -lpthread
build openload "$scripts/openload.c" -lm

expect_fail 1 'usage: nullserve' ./nullserve
expect_fail 1 "-n: '5' is not a whole number within 10-" ./nullserve -n 5 0
expect_fail 1 "-j: 'two' is not a whole number" ./nullserve -j two 0
expect_fail 1 "PORT: '70000' is not a whole number" ./nullserve 70000

./nullserve -j 2 -n 300 -s 50 0 >listening 2>serve.err &
SERVER_PID=$!
trap stop_server EXIT
trap 'exit 1' INT TERM HUP
tries=0 PORT=
while [ -z "$PORT" ]; do
	PORT=$(sed -n 's/^nullserve: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' listening)
	[ -n "$PORT" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat serve.err >&2; SERVER_PID=; fail "nullserve exited"; }
	tries=$((tries + 1))
	[ $tries -lt 200 ] || fail "nullserve did not say its port"
	sleep 0.05
done

/usr/bin/python3 - "$PORT" >answers <<'PY' || fail "the raw requests: $(cat answers)"
import socket, sys, time
port = int(sys.argv[1])
def ask(chunks, pause=0.002):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    for c in chunks:
        s.sendall(c)
        time.sleep(pause)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = s.recv(65536)
        if not d:
            return got
        got += d
body = b'{"rows":[' + b",".join([b'{"x":1.5}'] * 20000) + b"]}"  # 200 KB: over one read
post = b"POST /p HTTP/1.1\r\nHost: h\r\ncontent-LENGTH: %d\r\n\r\n" % len(body) + body
get = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
stream = post + get + post + get
one = ask([stream[i:i + 9999] for i in range(0, len(stream), 9999)] + [get[:7], get[7:]])
answer = one[:one.index(b"\r\n\r\n") + 4 + 300]
assert answer.endswith(b'x"}') and answer.count(b"Content-Length: 300\r\n") == 1, answer
assert one == answer * 5, (len(one), len(answer))
print("split and pipelined: 5 answers of", len(answer), "bytes")
bad = ask([b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"])
assert bad.startswith(b"HTTP/1.1 400 "), bad
print("chunked: 400")
PY
grep -q '^split and pipelined: 5 answers' answers || fail "answers: $(cat answers)"
grep -q 'without a readable Content-Length' serve.err || fail "no error line for the chunked request"

printf '{"rows":[{"x":1}]}' >small.json
run_ok ./openload -r 500 -d 1 -w 0.2 -c 4 -b small.json "http://127.0.0.1:$PORT/v1/models/iris/predict"
grep -Eq '^scheduled=([0-9]+) completed=\1 .* non2xx=0 errors=0 ' out || fail "openload: $(cat out)"
