# OpenBLAS is opened by the first BLAS call, not linked: programs and runs
# that make none (loading a CSV, predicting with a tree model) never map it,
# and those that do (fitting a linear model, --version naming the kernels)
# load it and work.
. "$TESTS_DIR/lib.sh"
FIXTURES="$TESTS_DIR/../fixtures/models"
command -v ldd > /dev/null || skip "ldd not found"
for prog in ml-load ml-predict ml-fit ml-serve; do
	path=$(command -v $prog) || fail "$prog not on PATH"
	! ldd "$path" | grep -q openblas || fail "$prog is linked against OpenBLAS"
done
# LD_DEBUG=files names every object the loader opens, dlopen included.
loaded() { grep -q 'file=libopenblas' err; }
LD_DEBUG=files run_ok ml-load "$DATA_DIR/iris.csv" -o iris.bin
! loaded || fail "ml-load opened OpenBLAS"
LD_DEBUG=files run_ok ml-predict "$FIXTURES/forest-penguins.model" "$DATA_DIR/penguins.csv"
! loaded || fail "ml-predict with a forest opened OpenBLAS"
LD_DEBUG=files run_ok ml-fit linear -t petal_width iris.bin -o linear.model
loaded || fail "ml-fit linear did not open OpenBLAS"
[ -s linear.model ] || fail "no linear model"
run_ok ml-load --version
grep -Eq '^BLAS: OpenBLAS \([A-Za-z0-9_]+ kernels\)' out ||
	{ cat out >&2; fail "--version does not name OpenBLAS's kernels"; }
