# numpy .npy files are read wherever data is read: float64 and float32, C and
# Fortran order, one or two dimensions, columns c1..cN.  The values are
# numpy's own, bit for bit; hostile headers are refused with a message.
. "$TESTS_DIR/lib.sh"
/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
	skip "numpy is not importable by /usr/bin/python3"
/usr/bin/python3 - "$DATA_DIR/iris.csv" <<'PY' || fail "numpy"
import sys
import numpy as np
X = np.genfromtxt(sys.argv[1], delimiter=",", skip_header=1, usecols=range(4))
X[3, 1] = np.nan
y = np.repeat([0.0, 1.0, 2.0], 50)
np.save("c8.npy", X)
np.save("c4.npy", X.astype(np.float32))
np.save("f8.npy", np.asfortranarray(X))
np.save("f4.npy", np.asfortranarray(X.astype(np.float32)))
np.save("one.npy", X[:, 0])
np.save("train.npy", np.column_stack([np.nan_to_num(X), y]))
# What ml-load --csv must print: the shortest repr of each double (float32 widened).
for name, a in (("c8", X), ("c4", X.astype(np.float32).astype(np.float64))):
    with open(name + ".want", "w") as f:
        f.write("c1,c2,c3,c4\n")
        for row in a:
            f.write(",".join("" if np.isnan(v) else repr(float(v)).removesuffix(".0")
                             for v in row) + "\n")
PY
for kind in c8 c4; do
	run_ok ml-load --csv "$kind.npy"
	cmp out "$kind.want" || fail "$kind.npy: values differ from numpy's"
done
run_ok ml-load --csv f8.npy
cmp out c8.want || fail "Fortran order float64"
run_ok ml-load --csv f4.npy
cmp out c4.want || fail "Fortran order float32"
run_ok ml-load --csv one.npy
[ "$(head -n 2 out | tr '\n' ' ')" = "c1 5.1 " ] || fail "one dimension: $(head -n 2 out)"
ml-load --csv - < c8.npy > piped.csv || fail "from a pipe"
cmp piped.csv c8.want || fail "from a pipe"

# Fitted on a .npy file, a model predicts .npy rows.
run_ok ml-fit logistic -t c5 train.npy -o npy.model
run_ok ml-predict npy.model train.npy
[ "$(wc -l < out)" -eq 151 ] || fail "predictions for every row"
run_ok ml-info c4.npy
grep -q '^rows: 150$' out || fail "ml-info rows"

# Hostile headers: refused, named, no signal.
for seed in big_endian int_dtype three_dims huge_rows huge_columns overflow_digits short_data \
	short_data_fortran extra_data duplicate_key not_a_tuple header_length_huge truncated_header \
	magic_only bad_magic version9; do
	expect_fail 1 "$seed: " ml-load --csv "$TESTS_DIR/../fuzz/corpus/npy/$seed"
done
expect_fail 1 "dtype '<i8': only little-endian float64" \
	ml-load --csv "$TESTS_DIR/../fuzz/corpus/npy/int_dtype"
expect_fail 1 "truncated .npy data: the header declares 6 rows, found 5" \
	ml-load --csv "$TESTS_DIR/../fuzz/corpus/npy/short_data"
expect_fail 1 "data after the 4 rows" ml-load --csv "$TESTS_DIR/../fuzz/corpus/npy/extra_data"
exit 0
