#!/bin/sh
# soak-service.sh: one `ml-predict -l MODEL` (the line-buffered service)
# answering a long stream of requests over a pipe, 5% of them bad.
#
#   scripts/soak-service.sh [REQUESTS]        (default 1000000)
#
# Not part of `make check` (a million requests take a minute or two);
# tests/cli/cases/predict_soak.sh runs it with 20000 requests there.
#
# It fits a logistic model of tests/data/iris.csv and sends REQUESTS
# request lines after the header.  Each request is bad with probability
# 0.05, in equal shares of: a blank line, a stray quote, a bare CR, a wrong
# field count, text in a numeric column; and one request in 10,000 (the
# 501st, the 10,501st...) holds a 2 MiB field (rarer than the others: each
# costs 2 MiB of pipe).  Checked:
# exactly one answer line per request, in order; every good request's
# answer equals ml-predict's batch prediction of the same row; every bad
# one's is "error: stdin:LINE: ..." naming its own line.  The service's
# RSS (VmRSS) is read from /proc once 5% of the requests are answered
# (start; the first 2 MiB field has gone through by then) and
# after the last answer, before the input closes (end): the end may exceed
# the start by 4 MiB at most.  It prints the figures (requests, bad ones,
# seconds, RSS start / end / peak) and exits 0 when all holds, 1 otherwise.
#
# The programs are taken from PATH, else from build/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
command -v ml-predict >/dev/null 2>&1 || PATH="$root/build:$PATH"
requests=${1:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/soak-service.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP
ml-fit logistic -t species "$root/tests/data/iris.csv" -o "$work/iris.model"
/usr/bin/python3 - "$work" "$requests" <<'EOF'
import os
import random
import subprocess
import sys
import time

work, n_requests = sys.argv[1], int(sys.argv[2])
model = os.path.join(work, "iris.model")
header = "sepal_length,sepal_width,petal_length,petal_width\n"
big_field = "9" * (2 << 20)
rng = random.Random(10)


def row():
    return "%.1f,%.1f,%.1f,%.1f" % (rng.uniform(4, 8), rng.uniform(2, 4.5),
                                    rng.uniform(1, 7), rng.uniform(0.1, 2.5))


bad_kinds = [
    ("blank", lambda: "\n"),
    ("stray quote", lambda: row().replace(",", ',"', 1) + "\n"),
    ("bare CR", lambda: row().replace(",", "\r,", 1) + "\n"),
    ("field count", lambda: row().rsplit(",", 1)[0] + "\n"),
    ("text", lambda: row().replace(",", ",abc", 1) + "\n"),
]

# The requests: None marks a bad one, else the good row (for the batch run).
plan, good_rows, bad_count = [], [], {}
for i in range(n_requests):
    if i % 10000 == 500:
        kind, text = "2 MiB field", "5.1," + big_field + ",1.4,0.2\n"
    elif rng.random() < 0.05:
        kind, make = rng.choice(bad_kinds)
        text = make()
    else:
        kind, text = None, row() + "\n"
    if kind:
        bad_count[kind] = bad_count.get(kind, 0) + 1
        plan.append((None, text))
    else:
        good_rows.append(text)
        plan.append((len(good_rows) - 1, text))

good_path = os.path.join(work, "good.csv")
with open(good_path, "w") as good:
    good.write(header)
    good.writelines(good_rows)
batch = subprocess.run(["ml-predict", model, good_path], stdout=subprocess.PIPE, check=True,
                       text=True).stdout.split("\n")
expected = batch[1:1 + len(good_rows)]


def rss(pid, field):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def answered(path):
    with open(path, "rb") as done:
        return done.read().count(b"\n") - 1


answers_path = os.path.join(work, "answers")
started = time.monotonic()
with open(answers_path, "wb") as answers:
    service = subprocess.Popen(["ml-predict", "-l", model], stdin=subprocess.PIPE,
                               stdout=answers, stderr=subprocess.DEVNULL)
    service.stdin.write(header.encode())
    chunk, rss_start = [], None
    for i, (_, text) in enumerate(plan):
        chunk.append(text)
        if len(chunk) == 1000 or i == n_requests - 1:
            service.stdin.write("".join(chunk).encode())
            service.stdin.flush()
            chunk = []
            if rss_start is None and answered(answers_path) >= n_requests // 20:
                rss_start = rss(service.pid, "VmRSS")
    # Every answer is out before the input closes: the service is still running.
    deadline = time.monotonic() + 120
    while True:
        lines = answered(answers_path)
        if rss_start is None and lines >= n_requests // 20:
            rss_start = rss(service.pid, "VmRSS")
        if lines >= n_requests or service.poll() is not None:
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    rss_end, rss_peak = rss(service.pid, "VmRSS"), rss(service.pid, "VmHWM")
    service.stdin.close()
    status = service.wait()
seconds = time.monotonic() - started

failures = []
with open(answers_path, "rb") as done:
    got = done.read().decode("utf-8", "replace").split("\n")
if got[-1] != "":
    failures.append("the last answer lacks its newline")
got = got[:-1]
if status != 0:
    failures.append("ml-predict -l exited with status %d" % status)
if not got or got[0] != "prediction":
    failures.append("no header line")
if len(got) != n_requests + 1:
    failures.append("%d answers to %d requests" % (len(got) - 1, n_requests))
for i, ((good_index, text), answer) in enumerate(zip(plan, got[1:])):
    if good_index is None:
        ok = answer.startswith("error: stdin:%d: " % (i + 2))
        want = "error: stdin:%d: ..." % (i + 2)
    else:
        want = expected[good_index]
        ok = answer == want
    if not ok:
        failures.append("request %d (%r): answer %r, wanted %r" % (i + 1, text[:40], answer,
                                                                   want))
        break
growth = rss_end - rss_start
# SOAK_RSS_SLACK (KiB): AddressSanitizer's quarantine keeps freed memory on purpose.
if growth > int(os.environ.get("SOAK_RSS_SLACK", "4096")):
    failures.append("RSS grew by %d KiB (start %d, end %d)" % (growth, rss_start, rss_end))

print("requests %d, bad %d (%s)" % (n_requests, sum(bad_count.values()),
                                     ", ".join("%s %d" % kv for kv in sorted(bad_count.items()))))
print("time %.1f s (%.0f requests/s); RSS start %d KiB, end %d KiB, peak %d KiB"
      % (seconds, n_requests / seconds, rss_start, rss_end, rss_peak))
for failure in failures:
    print("FAIL: " + failure)
sys.exit(1 if failures else 0)
EOF
