# gzip and zstd input is read transparently wherever data is read (the first
# bytes decide, not the name): the same rows as the plain file; a truncated
# or corrupt stream is an error naming the input, never a short read.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
run_ok ml-load -t species --csv "$iris"
cp out plain.csv
gzip -c "$iris" > iris.csv.gz
run_ok ml-load -t species --csv iris.csv.gz
cmp -s out plain.csv || fail "gzip file"
ml-load -t species --csv < iris.csv.gz > out 2> err || fail "gzip on stdin"
cmp -s out plain.csv || fail "gzip on stdin"
cp iris.csv.gz data.csv     # the name does not matter
run_ok ml-load -t species --csv data.csv
cmp -s out plain.csv || fail "gzip under another name"
# Concatenated members are one stream, as gzip reads them.
{ head -n 51 "$iris" | gzip -c; tail -n +52 "$iris" | gzip -c; } > two.csv.gz
run_ok ml-load -t species --csv two.csv.gz
cmp -s out plain.csv || fail "concatenated gzip members"
# Binary matrices and the other programs too.
ml-load -t species "$iris" | gzip -c > iris.bin.gz
run_ok ml-info iris.bin.gz
grep -qx 'rows: 150' out || fail "gzip binary"
run_ok ml-fit logistic --max-iter 500 -t species iris.csv.gz -o gz.model
run_ok ml-predict gz.model iris.bin.gz
[ "$(wc -l < out)" -eq 151 ] || fail "ml-predict on gzip binary"
# ml-split writes the parts of a compressed input as text.
run_ok ml-split -s 3 iris.csv.gz train.csv test.csv
{ tail -n +2 train.csv; tail -n +2 test.csv; } | sort > parts.txt
tail -n +2 "$iris" | sort > sorted.txt
cmp -s parts.txt sorted.txt || fail "ml-split of a gzip input"
# Damaged streams.
head -c 400 iris.csv.gz > truncated.csv.gz
expect_fail 1 '^ml-load: truncated.csv.gz: gzip data: the input ends inside a compressed stream \(a truncated file\?\)$' \
	ml-load truncated.csv.gz -o x.bin
[ -e x.bin ] && fail "output from a truncated input"
/usr/bin/python3 -c "
import sys
data = bytearray(open('iris.csv.gz', 'rb').read())
data[200:204] = b'\xff\xff\xff\xff'
open('corrupt.csv.gz', 'wb').write(data)" 2>/dev/null || skip "no python3 to corrupt a file"
expect_fail 1 '^ml-load: corrupt.csv.gz: gzip data: ' ml-load corrupt.csv.gz -o x.bin
if command -v zstd >/dev/null 2>&1; then
	zstd -q -c "$iris" > iris.csv.zst
	run_ok ml-load -t species --csv iris.csv.zst
	cmp -s out plain.csv || fail "zstd file"
	head -c 300 iris.csv.zst > truncated.csv.zst
	expect_fail 1 'zstd data: the input ends inside a compressed stream' \
		ml-load truncated.csv.zst -o x.bin
else
	echo "zstd is not installed: its part is skipped"
fi
exit 0
