# ml-load --format libsvm: hostile lines are refused with file:line and
# exit 1 (never a signal, nothing written at -o); options that make no
# sense for it are bad usage; stdin, gzip and every output format work.
. "$TESTS_DIR/lib.sh"
corpus="$TESTS_DIR/../fuzz/corpus/libsvm"
for seed in index_zero index_negative index_decreasing index_repeated index_huge value_not_number \
	value_nan label_not_number label_multilabel no_colon empty_value qid_late qid_bad nul_byte; do
	expect_fail 1 "^ml-load: .*/$seed:1: " ml-load --format libsvm --csv "$corpus/$seed"
done
expect_fail 1 "index 0 in '0:1': LIBSVM indices start at 1" \
	ml-load --format libsvm --csv "$corpus/index_zero"
expect_fail 1 "index 2 after 3: indices must increase" \
	ml-load --format libsvm --csv "$corpus/index_decreasing"
# The column limit, before anything of that size is allocated (under
# ulimit -v where the program runs at all: a sanitizer build needs terabytes
# of address space).
printf '1 1:1\n-1 100001:1\n' > wide.svm
limit='ulimit -v 400000;'
sh -c "$limit exec ml-load --help" >/dev/null 2>&1 || limit=
expect_fail 1 "wide.svm:2: index 100001 is above the limit of 100000 columns" \
	sh -c "$limit exec ml-load --format libsvm wide.svm -o wide.bin"
[ ! -e wide.bin ] || fail "a refused input left an output"
printf '1 1:1\n-1 5:1\n' > five.svm
expect_fail 1 "five.svm:2: index 5 is above the limit of 3 columns \(--features\)" \
	ml-load --format libsvm --features 3 five.svm
# A line of 17 MiB: refused at its line, not held.
/usr/bin/python3 -c 'import sys; sys.stdout.write("1 1:1\n1 " + " " * (17 << 20) + "\n")' > long.svm
expect_fail 1 "long.svm:2: line longer than 16777216 bytes" ml-load --format libsvm --csv long.svm

expect_fail 2 "--format: 'svm' is not 'csv' or 'libsvm'" ml-load --format svm five.svm
expect_fail 2 "--features goes with --format libsvm" ml-load --features 3 five.svm
expect_fail 2 "no --save, --load, CSV or column options" \
	ml-load --format libsvm --save x.load five.svm
expect_fail 2 "no --save, --load, CSV or column options" ml-load --format libsvm -t y five.svm
expect_fail 2 "no --save, --load, CSV or column options" ml-load --format libsvm -d ';' five.svm
expect_fail 2 "--features" ml-load --format libsvm --features 100001 five.svm

# Good input: from stdin, compressed, to CSV, binary and .npy.
printf '+1 qid:3 1:0.5 3:-1 # first\r\n-1 2:2e-3\n\n0.25\n' > good.svm
cat > want.csv <<'CSV'
label,c1,c2,c3
1,0.5,0,-1
-1,0,0.002,0
0.25,0,0,0
CSV
run_ok ml-load --format libsvm -t label --csv good.svm
cmp out want.csv || fail "densified rows: $(cat out)"
gzip -c good.svm > good.svm.gz
ml-load --format libsvm --csv < good.svm.gz > piped.csv || fail "gzip on stdin"
cmp piped.csv want.csv || fail "gzip on stdin"
run_ok ml-load --format libsvm -v good.svm -o good.bin
grep -q "3 rows, 4 columns, target label" err || fail "-v: $(cat err)"
run_ok ml-info good.bin
grep -q '^target: label' out || fail "the target is label: $(cat out)"
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
	run_ok ml-load --format libsvm --npy good.svm -o good.npy
	/usr/bin/python3 -c '
import numpy as np
a = np.load("good.npy")
assert a.tolist() == [[1, 0.5, 0, -1], [-1, 0, 0.002, 0], [0.25, 0, 0, 0]], a' ||
		fail ".npy from LIBSVM"
fi
exit 0
