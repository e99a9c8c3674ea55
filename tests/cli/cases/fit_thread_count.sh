# The model bytes do not depend on the thread count: linear, ridge and
# logistic (binary, multinomial, balanced) fitted with OPENBLAS_NUM_THREADS
# 1 and 2 (OpenBLAS's default) and -j 1 and 2 (OpenMP's and OpenBLAS's)
# give identical files (but for the command line they record, which names
# -j).  The bundled data sets fit in one block each, so
# each is also repeated until it spans several blocks and pieces.
. "$TESTS_DIR/lib.sh"
tight="--tol 1e-6 --max-iter 500"

# repeat CSV TIMES: the header once, then the rows TIMES over.
repeat() {
	head -n 1 "$1"
	i=0
	while [ $i -lt "$2" ]; do
		tail -n +2 "$1"
		i=$((i + 1))
	done
}

# fit_all NAME KIND OPTIONS...: fits under the four settings; the models,
# NAME.{1,2,j1,j2}.model without their command line, must be identical.
fit_all() {
	name=$1
	shift
	OPENBLAS_NUM_THREADS=1 ml-fit "$@" -o fitted.model 2>>err || fail "$name, 1 BLAS thread"
	mv fitted.model "$name.1.model"
	OPENBLAS_NUM_THREADS=2 ml-fit "$@" -o fitted.model 2>>err || fail "$name, 2 BLAS threads"
	cmp "$name.1.model" fitted.model || fail "$name: 1 and 2 BLAS threads differ"
	ml-fit "$@" -j 1 -o fitted.model 2>>err || fail "$name, -j 1"
	grep -v '^command ' fitted.model > "$name.j1.model"
	ml-fit "$@" -j 2 -o fitted.model 2>>err || fail "$name, -j 2"
	grep -v '^command ' fitted.model > "$name.j2.model"
	grep -v '^command ' "$name.1.model" | cmp - "$name.j1.model" ||
		fail "$name: OPENBLAS_NUM_THREADS=1 and -j 1 differ"
	cmp "$name.j1.model" "$name.j2.model" || fail "$name: -j 1 and -j 2 differ"
}

repeat "$DATA_DIR/diabetes.csv" 40 > diabetes40.csv
repeat "$DATA_DIR/breast_cancer.csv" 20 > cancer20.csv
repeat "$DATA_DIR/iris.csv" 100 > iris100.csv
for copies in "" 40; do
	data="$DATA_DIR/diabetes.csv"
	[ -n "$copies" ] && data=diabetes$copies.csv
	fit_all "linear$copies" linear -t progression "$data"
	fit_all "ridge$copies" ridge --alpha 0.5 -t progression "$data"
done
# The binary stream (ml-load | ml-fit) too: its blocks come as the reader gives them.
ml-load -t progression diabetes40.csv -o diabetes40.bin || fail "ml-load"
fit_all linear_bin linear diabetes40.bin
sed -n '/^estimator/,$p' linear40.1.model > from_csv
sed -n '/^estimator/,$p' linear_bin.1.model > from_bin
cmp from_csv from_bin || fail "binary input fits another linear model than CSV"

# Logistic on standardised breast_cancer (binary, balanced) and raw iris (multinomial).
for copies in "" 20; do
	data="$DATA_DIR/breast_cancer.csv"
	[ -n "$copies" ] && data=cancer$copies.csv
	ml-scale --bin -t diagnosis "$data" -o "scaled$copies.bin" || fail "ml-scale"
	fit_all "binary$copies" logistic $tight -t diagnosis "scaled$copies.bin"
	fit_all "balanced$copies" logistic $tight --class-weight balanced -t diagnosis \
		"scaled$copies.bin"
done
fit_all multinomial logistic $tight -t species "$DATA_DIR/iris.csv"
fit_all multinomial100 logistic $tight -t species iris100.csv
exit 0
