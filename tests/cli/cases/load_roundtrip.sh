# iris.csv -> binary -> CSV -> binary is byte-identical, and the CSV
# values equal the original ones as numbers.
. "$TESTS_DIR/lib.sh"
run_ok ml-load -t species "$DATA_DIR/iris.csv" -o iris.bin
run_ok ml-load --csv iris.bin
mv out iris.csv
ml-load -t species iris.csv > again.bin || fail "reload"
cmp iris.bin again.bin || fail "binary differs after a CSV round trip"
head -1 iris.csv | grep -qx 'sepal_length,sepal_width,petal_length,petal_width,species' ||
	fail "header"
awk -F, 'NR == FNR { a[FNR] = $0; next }
	{ split(a[FNR], x, ","); for (i = 1; i <= 4; i++) if (x[i] + 0 != $i + 0) exit 1;
	  if (x[5] != $5) exit 1 }' "$DATA_DIR/iris.csv" iris.csv || fail "values differ"

# Every bundled dataset, with its target: CSV -> binary -> CSV -> binary.
# Where the load is the identity on columns the two binaries are the same
# bytes and the CSV holds the same numbers (and class names) as the input.
# Penguins has categorical features: its CSV has one-hot columns, which a
# reload fits as numbers (another stage), so from that CSV on the round
# trip is the same bytes and the same text.
for pair in breast_cancer:diagnosis diabetes:progression digits:digit iris:species \
	    penguins:species wine:class; do
	name=${pair%%:*} target=${pair#*:}
	run_ok ml-load -t "$target" "$DATA_DIR/$name.csv" -o $name.1.bin
	run_ok ml-load --csv $name.1.bin
	mv out $name.1.csv
	run_ok ml-load -t "$target" $name.1.csv -o $name.2.bin
	run_ok ml-load --csv $name.2.bin
	mv out $name.2.csv
	cmp -s $name.1.csv $name.2.csv || fail "$name: CSV differs after a round trip"
	if [ $name = penguins ]; then
		run_ok ml-load -t "$target" $name.2.csv -o $name.3.bin
		cmp -s $name.2.bin $name.3.bin || fail "$name: binary differs after a second round trip"
		continue
	fi
	cmp -s $name.1.bin $name.2.bin || fail "$name: binary differs after a CSV round trip"
	awk -F, 'NR == FNR { line[FNR] = $0; next }
		{ n = split(line[FNR], x, ",")
		  if (n != NF) exit 1
		  for (i = 1; i <= NF; i++)
			if (FNR == 1 || x[i] !~ /^-?[0-9.]/ ? x[i] != $i : x[i] + 0 != $i + 0) exit 1 }
		END { if (FNR != length(line)) exit 1 }' "$DATA_DIR/$name.csv" $name.1.csv ||
		fail "$name: the CSV holds other values than the input"
done

# numpy reads the binary with the one line of mlpipe-binary(5) and gets
# exactly the values ml-load --csv prints (empty = NaN), bit for bit.
/usr/bin/python3 -c 'import numpy' 2>/dev/null || skip "no numpy for /usr/bin/python3"
for name in breast_cancer diabetes digits iris penguins wine; do
	run_ok ml-load "$DATA_DIR/$name.csv" -o $name.bin
	run_ok ml-load --csv $name.bin
	mv out $name.csv
	/usr/bin/python3 - $name.bin $name.csv <<'PY' || fail "$name: numpy reads other values"
import csv, math, struct, sys
import numpy as np
f = sys.argv[1]
h=open(f,'rb').read(24); a = np.fromfile(f,'<f8',offset=int.from_bytes(h[12:16],'little')).reshape(-1,int.from_bytes(h[16:20],'little'))
rows = list(csv.reader(open(sys.argv[2], newline='')))[1:]
assert a.shape == (len(rows), len(rows[0])), (a.shape, len(rows))
for r, row in enumerate(rows):
    for c, text in enumerate(row):
        want = float('nan') if text == '' else float(text)
        got = float(a[r, c])
        if math.isnan(want):
            assert math.isnan(got), (r, c, got)
        else:
            assert struct.pack('<d', want) == struct.pack('<d', got), (r, c, text, got)
PY
done
