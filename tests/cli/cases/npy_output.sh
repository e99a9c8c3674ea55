# --npy writes what numpy.save writes (a 2-D float64 C-order array, the
# version 1.0 header padded to 64 bytes): numpy.load reads back every
# program's output with the values of its binary output bit for bit, and
# the bytes are numpy's own.  The row count is in the header: streamed rows
# to a pipe are held until the end, a file gets its header rewritten.
. "$TESTS_DIR/lib.sh"
/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
	skip "numpy is not importable by /usr/bin/python3"
iris="$DATA_DIR/iris.csv"

# check NPY BIN: numpy.load(NPY) equals the rows of the binary matrix BIN
# (mlpipe-binary(5): the header's length at byte 12, the column count at
# 16, then little-endian float64 rows) bit for bit, and np.save(np.load(NPY))
# makes NPY's bytes again.
check() {
	/usr/bin/python3 - "$1" "$2" <<'PY' || fail "$1 is not $2"
import io, struct, sys
import numpy as np
npy = open(sys.argv[1], "rb").read()
a = np.load(io.BytesIO(npy))
binary = open(sys.argv[2], "rb").read()
header_length, n_columns = struct.unpack_from("<II", binary, 12)
b = np.frombuffer(binary[header_length:], dtype="<f8").reshape(-1, n_columns)
assert a.dtype == np.float64 and a.ndim == 2 and a.flags.c_contiguous, (a.dtype, a.ndim)
assert a.shape == b.shape, (a.shape, b.shape)
same = (a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))
assert same.all(), np.argwhere(~same)[:5]
again = io.BytesIO()
np.save(again, a)
assert again.getvalue() == npy, "not numpy's bytes"
PY
}

# ml-load: fitted on CSV, from binary, and replaying a saved load stage.
run_ok ml-load -t species --save iris.load "$iris" -o iris.bin
run_ok ml-load -t species --npy "$iris" -o load.npy
grep -q "note: .npy keeps numbers only: columns c1..c5, the target 'species' in c5 (ml-fit -t c5)" err ||
	fail "the note names the target's column"
check load.npy iris.bin
ml-load --npy < iris.bin > from-bin.npy || fail "binary to .npy"
check from-bin.npy iris.bin
run_ok ml-load --load iris.load --npy "$iris" -o replayed.npy
[ ! -s err ] || fail "a replayed stage was saved already: no note ($(cat err))"
check replayed.npy iris.bin
# To a pipe, streamed: the rows wait for their count.
ml-load --load iris.load --npy "$iris" | cat > piped.npy || fail "to a pipe"
cmp piped.npy replayed.npy || fail "a pipe and a file differ"

# ml-scale and ml-poly: fitted, and replayed on CSV rows streamed to a pipe.
run_ok ml-scale -t species --save iris.scale --bin "$iris" -o scaled.bin
run_ok ml-scale -t species --npy "$iris" -o scaled.npy
grep -q "note: .npy keeps numbers only" err || fail "ml-scale's note"
check scaled.npy scaled.bin
ml-scale --load iris.scale --npy "$iris" | cat > scaled-piped.npy || fail "ml-scale --load"
check scaled-piped.npy scaled.bin
run_ok ml-poly -d 2 --bin iris.bin -o poly.bin
ml-poly -d 2 --npy < iris.bin > poly.npy || fail "ml-poly --npy"
check poly.npy poly.bin

# ml-cluster: the cluster column, and with the input's columns.
run_ok ml-cluster -k 3 -t species -s 1 --bin -a "$iris" -o cluster.model
mv out clusters.bin
run_ok ml-cluster -k 3 -t species -s 1 --npy -a "$iris"
mv out clusters.npy
check clusters.npy clusters.bin

# ml-predict: class indices (as --bin), with --proba, and a regression.
run_ok ml-fit logistic -t species "$iris" -o iris.model
run_ok ml-predict --bin iris.model "$iris" -o classes.bin
run_ok ml-predict --npy iris.model "$iris" -o classes.npy
check classes.npy classes.bin
run_ok ml-predict --bin --proba iris.model "$iris" "$iris" -o proba.bin
ml-predict --npy --proba iris.model "$iris" - < "$iris" | cat > proba.npy || fail "--proba"
check proba.npy proba.bin
/usr/bin/python3 -c '
import numpy as np
a = np.load("proba.npy")
assert a.shape == (300, 4), a.shape
assert set(np.unique(a[:, 0])) == {0.0, 1.0, 2.0}
assert np.allclose(a[:, 1:].sum(axis=1), 1)' || fail "class indices and probabilities"
run_ok ml-fit linear -t progression "$DATA_DIR/diabetes.csv" -o diabetes.model
run_ok ml-predict --bin diabetes.model "$DATA_DIR/diabetes.csv" -o reg.bin
run_ok ml-predict --npy --on-error nan diabetes.model "$DATA_DIR/diabetes.csv" -o reg.npy
check reg.npy reg.bin

# A round trip: ml-load --npy, then ml-fit and ml-predict on the .npy file.
run_ok ml-fit logistic -t c5 load.npy -o npy.model
run_ok ml-predict --npy npy.model load.npy -o npy-classes.npy
/usr/bin/python3 -c '
import numpy as np
x, p, q = np.load("load.npy"), np.load("npy-classes.npy"), np.load("classes.npy")
assert p.shape == (150, 1) and (p[:, 0] == x[:, 4]).mean() > 0.95
assert (p == q).all(), "the same fit, named or not"' || fail "round trip"

# Refused: two formats, a terminal, the CSV-only options.
expect_fail 2 "--csv and --npy contradict each other" ml-load --csv --npy "$iris"
expect_fail 2 "--bin and --npy contradict each other" ml-scale --bin --npy "$iris"
expect_fail 2 "--append writes CSV; it does not go with --npy" \
	ml-predict --npy -a iris.model "$iris"
expect_fail 2 "--line-buffered answers in CSV lines; it does not go with --npy" \
	ml-predict --npy -l iris.model "$iris"
if command -v script >/dev/null 2>&1; then
	script -qec "ml-load --npy '$iris'" /dev/null > tty.out 2>&1
	grep -q "refusing to write .npy data to a terminal" tty.out || fail "a terminal"
fi
# A full disk: exit 1, the name, nothing left behind.
expect_fail 1 "write error" sh -c "ml-load --npy '$iris' > /dev/full"
expect_fail 1 "write error" sh -c "ml-predict --npy iris.model '$iris' > /dev/full"
exit 0
