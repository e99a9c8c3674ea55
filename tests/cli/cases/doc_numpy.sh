# The one-line numpy reader of mlpipe-binary(5) reads what ml-load writes:
# the line is taken from the page as groff renders it (so it is what a
# reader copies), run as it is, and its matrix checked against the CSV,
# for a file with a row count and for a stream whose count is unknown.
. "$TESTS_DIR/lib.sh"
/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
	skip "python3-numpy is not importable by /usr/bin/python3"
command -v groff >/dev/null 2>&1 || skip "groff is not installed"

page="$TESTS_DIR/../../man/man5/mlpipe-binary.5"
groff -man -Tutf8 -P-cbou "$page" >page.txt 2>/dev/null || fail "groff cannot render $page"
grep 'np\.fromfile' page.txt | sed 's/^ *//' >line.txt
[ "$(wc -l <line.txt)" -eq 1 ] || fail "the page should show one np.fromfile line"
LC_ALL=C grep -q '[^ -~]' line.txt && fail "the rendered line is not plain ASCII: $(cat line.txt)"

cp "$DATA_DIR/iris.csv" .
run_ok ml-load -t species --save iris.load iris.csv -o counted.bin
# Through a pipe the row count stays "unknown" (all FF bytes at offset 24).
ml-load --load iris.load iris.csv | cat >stream.bin || fail "ml-load --load"
[ "$(od -A n -t x1 -j 24 -N 8 stream.bin | tr -d ' \n')" = ffffffffffffffff ] ||
	fail "stream.bin should declare an unknown row count"

LINE=$(cat line.txt) /usr/bin/python3 - counted.bin stream.bin <<'PY' || fail "the numpy line does not read what ml-load wrote"
import csv, os, sys
import numpy as np
line = os.environ["LINE"]
with open("iris.csv", newline="") as handle:
    rows = list(csv.reader(handle))[1:]
classes = sorted({row[4] for row in rows})
expected = np.array([[float(v) for v in row[:4]] + [classes.index(row[4])] for row in rows])
for f in sys.argv[1:]:
    scope = {"np": np, "f": f}
    exec(line, scope)
    X = scope["X"]
    if X.shape != expected.shape or not np.array_equal(X, expected):
        sys.exit(f"{f}: got shape {X.shape}, values differ from iris.csv")
PY
