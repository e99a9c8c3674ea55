# A binary of 3 rows and 1,000,000 columns under a 2 GB address-space
# limit: logistic fits it (buffers of rows x width hold ML_BLOCK_BYTES at
# most, not a fixed row count: 4096 such rows were 32 GB), and linear and
# ridge, whose cross-products would take 8 TB, refuse it before
# allocating, naming the column count.  (AddressSanitizer cannot run
# under ulimit -v: the same runs go without the limit then.)
. "$TESTS_DIR/lib.sh"

awk 'BEGIN { srand(3); for (r = 0; r < 3; r++) { for (j = 0; j < 1000000; j++)
	printf "%.3f,", rand(); print r % 2 } }' > wide.csv
run_ok ml-load --no-header -t c1000001 wide.csv -o wide.bin
rm wide.csv
limited() { "$@"; }
if (ulimit -v 2000000 && ml-fit --version) >/dev/null 2>&1; then
	limited() { sh -c 'ulimit -v 2000000; exec "$@"' sh "$@"; }
else
	echo "ulimit -v does not work with these programs: no memory limit" >&2
fi

run_ok limited ml-fit logistic -j 2 wide.bin -o wide.model
grep -qx 'features 1000000' wide.model || fail "logistic: not 1000000 features"
grep -qx 'training-accuracy 1' wide.model || fail "logistic: 3 separable rows misfitted"
run_ok limited ml-predict wide.model wide.bin
[ "$(tr '\n' ' ' < out)" = "prediction 0 1 0 " ] || fail "logistic: predictions $(cat out)"

for kind in linear ridge; do
	expect_fail 1 "^ml-fit: wide\\.bin: 1000000 feature columns: $kind needs their 1000001 x\
 1000001 cross-products \\(8000 GB\\) and takes at most 32766 feature columns; select fewer\$" \
		limited ml-fit $kind wide.bin -o wide.model
done
# One column past the limit is refused too.
awk 'BEGIN { for (r = 0; r < 3; r++) { for (j = 0; j < 32767; j++) printf "%d,", (r + j) % 5
	print r } }' > limit.csv
run_ok ml-load --no-header -t c32768 limit.csv -o limit.bin
expect_fail 1 '^ml-fit: limit\.bin: 32767 feature columns: linear needs .* at most 32766' \
	ml-fit linear limit.bin -o limit.model
exit 0
