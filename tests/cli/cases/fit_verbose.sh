# -v reports the BLAS kernels, the solver, iterations and fit quality on
# stderr and nothing on stdout; it warns when OpenBLAS runs pre-AVX2 kernels
# on a CPU that has AVX2.  Without -v, ml-fit is silent.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"

run_ok ml-fit linear -t petal_width -x species "$iris" -o quiet.model
[ -s out ] && fail "stdout not empty"
[ -s err ] && fail "stderr not empty without -v"

run_ok ml-fit linear -v -t petal_width -x species "$iris" -o linear.model
grep -q '^ml-fit: BLAS: OpenBLAS (.* kernels)' err || fail "no BLAS line"
grep -q 'Cholesky solve, scaled rcond' err || fail "no solver line"
grep -q 'training R^2 0\.9' err || fail "no R^2"
grep -q 'peak memory' err || fail "no closing summary"

run_ok ml-fit logistic -v -t species --max-iter 1000 "$iris" -o logistic.model
grep -q '^ml-fit: iteration 1: objective ' err || fail "no iterations"
grep -q 'training accuracy 0\.97' err || fail "no accuracy"

if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
	OPENBLAS_CORETYPE=Prescott ml-fit linear -v -t petal_width -x species "$iris" \
		-o slow.model 2>err || fail "Prescott run"
	if grep -q 'Prescott kernels' err; then
		grep -q 'OPENBLAS_CORETYPE=' err || fail "no advice on generic kernels"
	fi
fi
exit 0
