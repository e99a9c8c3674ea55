# ml-cluster refuses bad input (exit 1) and bad usage (exit 2) with a clear
# message; a failed run leaves neither the model nor the centroids file; constant
# data give one distinct centre and say so; the elbow's table and plot.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"

# Bad usage.
expect_fail 2 "-k K is required" ml-cluster "$iris"
expect_fail 2 "'0' is not a whole number from 1" ml-cluster -k 0 "$iris"
expect_fail 2 "'x' is not a whole number" ml-cluster -k x "$iris"
expect_fail 2 "--max-iter is for Lloyd's k-means, not mini-batch" \
	ml-cluster -k 3 --batch-size 100 --max-iter 5 "$iris"
expect_fail 2 "--init-size is for mini-batch k-means: give --batch-size" \
	ml-cluster -k 3 --init-size 100 "$iris"
expect_fail 2 "--elbow: '4-2' is not a range" ml-cluster --elbow 4-2 "$iris"
expect_fail 2 "no -k with it" ml-cluster --elbow 2-4 -k 3 "$iris"
expect_fail 2 "no -o, --centroids" ml-cluster --elbow 2-4 -o x.model "$iris"
expect_fail 2 "--plot goes with --elbow" ml-cluster -k 3 --plot x.png "$iris"
expect_fail 2 "-o writes a file" ml-cluster -k 3 -o - "$iris"
expect_fail 2 "name the same file" ml-cluster -k 3 -o same --centroids same "$iris"
expect_fail 2 "one input file at a time" ml-cluster -k 3 "$iris" "$iris"
expect_fail 2 "'kmeans' is a clustering: ml-cluster fits it" ml-fit kmeans -o x.model "$iris"
ml-load "$iris" > iris.bin || fail "ml-load"
expect_fail 2 "-x applies to CSV input" ml-cluster -k 3 -x species iris.bin

# Bad data.
expect_fail 1 "iris.csv: 151 clusters wanted but only 150 rows to cluster" \
	ml-cluster -k 151 -t species "$iris"
expect_fail 1 "151 clusters wanted but only 150 rows" \
	ml-cluster -k 151 --batch-size 20 -t species "$iris"
printf 'a,b\n1,2\n,3\n4,5\n' > missing.csv
expect_fail 1 "missing.csv:3: column 'a' is missing; kmeans needs complete data: impute with ml-scale --impute" \
	ml-cluster -k 1 missing.csv
printf 'a,b\n1,2\n-inf,3\n' > infinite.csv
expect_fail 1 "infinite.csv:3: column 'a' is -inf; kmeans needs finite values" \
	ml-cluster -k 1 infinite.csv
printf 'y\n1\n2\n' > target_only.csv
expect_fail 1 "no feature columns to cluster besides the target" ml-cluster -k 1 -t y target_only.csv
expect_fail 1 "no target column 'nosuch'" ml-cluster -k 2 -t nosuch "$iris"
printf 'a,b\n' > empty.csv
expect_fail 1 "no rows" ml-cluster -k 1 empty.csv

# A failed run leaves neither output, and files already there as they were.
echo before > keep.model
echo before > keep.csv
expect_fail 1 "clusters wanted" ml-cluster -k 151 -o new.model --centroids new.csv "$iris"
[ ! -e new.model ] && [ ! -e new.csv ] || fail "a failed run left an output"
expect_fail 1 "clusters wanted" ml-cluster -k 151 -o keep.model --centroids keep.csv "$iris"
[ "$(cat keep.model keep.csv)" = "before
before" ] || fail "a failed run changed an output"
[ -z "$(ls | grep tmp)" ] || fail "temporary files left: $(ls)"

# Constant data: one distinct centre, said, and every row in a cluster.
printf 'a,b\n1,2\n1,2\n1,2\n1,2\n' > constant.csv
run_ok ml-cluster -k 3 constant.csv -o constant.model
grep -q "only 1 of the 3 centres is distinct" err || fail "constant data: $(cat err)"
[ "$(sed 1d out | sort -u | wc -l)" -eq 1 ] || fail "constant data: one cluster used"
grep -qx 'inertia 0' constant.model || fail "constant data: inertia 0"

# Choosing k: a table, k up to the row count, and the plot.
run_ok ml-cluster --elbow 1-4 -t species "$iris"
[ "$(head -n 1 out | tr -s ' ')" = "k inertia silhouette" ] || fail "elbow header"
[ "$(sed 1d out | awk '{ print $1 }' | tr '\n' ' ')" = "1 2 3 4 " ] || fail "elbow's k"
[ "$(sed -n 2p out | awk '{ print $3 }')" = nan ] || fail "one cluster has no silhouette"
sed 1d out | awk 'NR > 1 && $2 >= previous { exit 1 } { previous = $2 }' ||
	fail "the inertia falls as k grows on iris"
expect_fail 1 "k up to 151 wanted but only 150 rows" ml-cluster --elbow 149-151 "$iris"
if command -v gnuplot >/dev/null 2>&1; then
	run_ok ml-cluster --elbow 1-6 -t species --plot elbow.png "$iris"
	[ "$(od -An -c -N4 elbow.png | tr -d ' ')" = "211PNG" ] || fail "not a PNG"
else
	expect_fail 1 "gnuplot" ml-cluster --elbow 1-6 --plot elbow.png "$iris"
	[ ! -e elbow.png ] || fail "a plot without gnuplot"
fi
exit 0
