#!/usr/bin/python3
"""Drives `ml-predict --line-buffered` as a co-process (used by tests/cli/cases/predict_service.sh).

    predict_service.py co-process MODEL    one request at a time over pipes, with SIGUSR1
    predict_service.py append MODEL        --append --proba answers carry the request
    predict_service.py socat MODEL         two clients of `socat TCP-LISTEN:...,fork EXEC:...`

MODEL is a logistic model of iris.csv (species from the four measurements).  Every answer
must arrive within a few seconds of its request while the pipe to ml-predict stays open:
a program that waits for more input before answering fails here.  Only the Python
standard library is used.  Exit status: 0 pass, 1 fail.
"""
import os
import select
import signal
import socket
import subprocess
import sys
import time

HEADER = "sepal_length,sepal_width,petal_length,petal_width\n"
TIMEOUT = 10.0


class Failure(Exception):
    pass


class Lines:
    """Lines from a file descriptor, each waited for at most TIMEOUT seconds."""

    def __init__(self, fd, what):
        self.fd, self.what, self.buffer = fd, what, b""

    def read(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise Failure(f"no line on {self.what} within {timeout:g} s"
                              f" (have {self.buffer!r})")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise Failure(f"{self.what} ended; unfinished line {self.buffer!r}")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()

    def nothing_pending(self):
        return not self.buffer and not select.select([self.fd], [], [], 0.2)[0]


def expect(got, want, what):
    ok = got.startswith(want[:-1]) if want.endswith("*") else got == want
    if not ok:
        raise Failure(f"{what}: got {got!r}, wanted {want!r}")


class Service:
    def __init__(self, argv):
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, bufsize=0)
        self.out = Lines(self.process.stdout.fileno(), "stdout")
        self.err = Lines(self.process.stderr.fileno(), "stderr")

    def send(self, text):
        self.process.stdin.write(text.encode())

    def ask(self, request, want, what):
        self.send(request + "\n")
        expect(self.out.read(), want, what)

    def close(self):
        self.process.stdin.close()
        try:
            status = self.process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure("still running after its input was closed")
        if status != 0:
            raise Failure(f"exit status {status}; stderr: {self.process.stderr.read()!r}")

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def co_process(model):
    stats = "service.prom"
    s = Service(["ml-predict", "--line-buffered", "--stats-file", stats, model])
    try:
        # The answer header comes as soon as the request header has been read.
        s.send(HEADER)
        expect(s.out.read(), "prediction", "header")
        s.ask("5.1,3.5,1.4,0.2", "setosa", "first request")
        s.ask("6.7,3.0,5.2,2.3", "virginica", "second request")
        s.ask("1,2,3", "error: stdin:4: row has 3 fields, header has 4", "ragged request")
        expect(s.err.read(), "ml-predict: stdin:4: row has 3 fields, header has 4",
               "the error's log line")
        s.ask("1,,3,4", "error: stdin:5: column 'sepal_width' is missing*",
              "request with a missing value")
        s.ask('1,"2"x,3,4', "error: stdin:6: malformed quoting*", "malformed quoting")
        s.ask("1,\"2\"\"\",3,4", "error: stdin:7: column 'sepal_width': '2\"' is not a number",
              "quoted text that is not a number")
        # A request that arrives in two pieces is answered once, when whole.
        s.send("5.9,3.0,")
        if not s.out.nothing_pending():
            raise Failure("answered half a request")
        s.ask("5.1,1.8", "virginica", "request sent in two pieces")
        for _ in range(3):
            s.err.read()  # the log lines of the other three errors
    except Failure:
        s.kill()
        raise
    try:
        # SIGUSR1 while ml-predict waits for a request: counters at once, like dd.
        os.kill(s.process.pid, signal.SIGUSR1)
        report = s.err.read(5.0)
        expect(report, "ml-predict: 3 rows, 4 errors, *", "SIGUSR1 report")
        if "latency p50 " not in report or ", p99 " not in report:
            raise Failure(f"SIGUSR1 report lacks latencies: {report!r}")
        with open(stats) as f:
            text = f.read()
        if 'mlpipe_predict_rows_total{model="' + model + '"} 3\n' not in text:
            raise Failure(f"{stats} after SIGUSR1:\n{text}")
        s.ask("4.9,3.1,1.5,0.1", "setosa", "request after SIGUSR1")
        s.close()
    finally:
        s.kill()
    with open(stats) as f:
        text = f.read()
    for line in ('mlpipe_predict_rows_total{model="%s"} 4\n' % model,
                 'mlpipe_predict_errors_total{model="%s"} 4\n' % model,
                 'mlpipe_predict_latency_seconds_count{model="%s"} 4\n' % model):
        if line not in text:
            raise Failure(f"{stats} at exit lacks {line!r}:\n{text}")


def append(model):
    s = Service(["ml-predict", "-l", "--append", "--proba", model])
    try:
        # An extra column the model does not use travels along, quoted as needed.
        s.send("id," + HEADER)
        expect(s.out.read(), "id," + HEADER.strip() +
               ",prediction,p_setosa,p_versicolor,p_virginica", "header")
        s.ask("a1,5.1,3.5,1.4,0.2", "a1,5.1,3.5,1.4,0.2,setosa,0.9*", "first request")
        s.ask('"b, ""2""",6.7,3.0,5.2,2.3', '"b, ""2""",6.7,3.0,5.2,2.3,virginica,*',
              "quoted field")
        s.ask('"c",6.7,3.0,5.2,2.3', 'c,6.7,3.0,5.2,2.3,virginica,*', "needlessly quoted field")
        s.ask("d,x,3.0,5.2,2.3", "error: stdin:5: column 'sepal_length': 'x' is not a number",
              "bad request")
        s.close()
    finally:
        s.kill()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def socat(model):
    port = free_port()
    server = subprocess.Popen(["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork",
                               f"EXEC:ml-predict -l {model}"], stderr=subprocess.PIPE)
    try:
        for client, (request, want) in enumerate((("5.1,3.5,1.4,0.2", "setosa"),
                                                  ("6.7,3.0,5.2,2.3", "virginica"))):
            deadline = time.monotonic() + TIMEOUT
            while True:
                try:
                    connection = socket.create_connection(("127.0.0.1", port), timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise Failure(f"cannot connect to socat on port {port}")
                    time.sleep(0.05)
            with connection:
                lines = Lines(connection.fileno(), f"connection {client + 1}")
                connection.sendall((HEADER + request + "\n").encode())
                expect(lines.read(), "prediction", f"client {client + 1} header")
                expect(lines.read(), want, f"client {client + 1} answer")
                connection.sendall(b"1,2\n")
                expect(lines.read(), "error: stdin:3: row has 2 fields, header has 4",
                       f"client {client + 1} bad request")
    finally:
        server.terminate()
        server.wait()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("co-process", "append", "socat"):
        print(__doc__, file=sys.stderr)
        return 1
    try:
        globals()[sys.argv[1].replace("-", "_")](sys.argv[2])
    except Failure as e:
        print(f"{sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
