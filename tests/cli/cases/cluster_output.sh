# ml-cluster's outputs: the cluster column (CSV or binary, after the input's
# columns with --append), the model that ml-predict applies to raw CSV, to
# binary input and as a service with the same answers, the centres as CSV,
# ml-info's description, -v's last line, and the same bytes on one and two
# threads, also for mini-batch from a file and from a pipe.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"

# Labels: a header, one cluster per row, each of 0 .. k-1.
run_ok ml-cluster -k 3 -t species "$iris" -o iris.model --centroids centres.csv
mv out labels.csv
[ "$(head -n 1 labels.csv)" = cluster ] || fail "header"
[ "$(wc -l < labels.csv)" -eq 151 ] || fail "one label per row"
[ "$(sed 1d labels.csv | sort -u | tr '\n' ' ')" = "0 1 2 " ] || fail "clusters 0 to 2"

# The model: task clustering, the centres, sizes that count the labels.
grep -qx 'estimator kmeans' iris.model || fail "kind"
grep -qx 'task clustering' iris.model || fail "task"
grep -qx 'target 4 species' iris.model || fail "the target is kept, not a feature"
grep -qx 'features 4' iris.model || fail "four features"
for j in 0 1 2; do
	n=$(grep -cx "$j" labels.csv)
	sed -n 's/^sizes 3 //p' iris.model | awk -v j=$j -v n=$n '$(j + 1) != n { exit 1 }' ||
		fail "size of cluster $j is not $n"
done

# ml-predict gives the same clusters: raw CSV, binary, a service, --on-error.
run_ok ml-predict iris.model "$iris"
cmp out labels.csv || fail "ml-predict on CSV"
ml-load -t species "$iris" > iris.bin || fail "ml-load"
run_ok ml-predict iris.model iris.bin
cmp out labels.csv || fail "ml-predict on binary"
sed 's/,[a-z]*$//' "$iris" > no_target.csv
ml-predict -l iris.model < no_target.csv > served.csv 2>/dev/null || fail "service"
cmp served.csv labels.csv || fail "ml-predict -l"
printf 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n1,x,3,4\n7,3,6,2\n' > bad.csv
last=$(printf 'sepal_length,sepal_width,petal_length,petal_width\n7,3,6,2\n' |
	ml-predict iris.model | sed 1d)
run_ok ml-predict --on-error nan iris.model bad.csv
[ "$(tr '\n' ' ' < out)" = "cluster $(sed -n 2p labels.csv)  $last " ] ||
	fail "--on-error nan: $(tr '\n' ' ' < out)"
expect_fail 2 "iris.model' is a kmeans clustering model: it has no classes" \
	ml-predict --proba iris.model "$iris"

# --append: the input's columns as loaded (the target's classes by name), then the cluster.
run_ok ml-cluster -k 3 --append -t species "$iris"
[ "$(head -n 2 out)" = "sepal_length,sepal_width,petal_length,petal_width,species,cluster
5.1,3.5,1.4,0.2,setosa,$(sed -n 2p labels.csv)" ] || fail "--append: $(head -n 2 out)"
cut -d, -f6 out | cmp - labels.csv || fail "--append changes the clusters"

# Binary in, binary out (the cluster column, no stages); --csv, and --append.
ml-cluster -k 3 iris.bin > labels.bin || fail "binary labels"
ml-info labels.bin > info.txt || fail "ml-info labels.bin"
grep -q '^stages: 0' info.txt && grep -q '^cluster ' info.txt || fail "binary labels: $(cat info.txt)"
run_ok ml-cluster -k 3 --csv iris.bin
cmp out labels.csv || fail "binary input, --csv"
ml-cluster -k 3 --append iris.bin | ml-info > info.txt || fail "binary --append"
grep -q '^columns: 6' info.txt && grep -q '^target: species' info.txt || fail "binary --append"

# The centres as CSV: a header of the features, one row per cluster, the model's values.
[ "$(head -n 1 centres.csv)" = sepal_length,sepal_width,petal_length,petal_width ] ||
	fail "centroids header"
[ "$(sed 1d centres.csv | tr ',' ' ')" = "$(sed -n 's/^centre [0-9]* //p' iris.model)" ] ||
	fail "centroids differ from the model's centres"

# ml-info describes the model; without a target it says so.
run_ok ml-info iris.model
grep -qx 'estimator: kmeans (clustering)' out && grep -qx 'centres: 3, 3 distinct' out ||
	fail "ml-info: $(cat out)"
run_ok ml-cluster -k 2 -x species "$iris" -o no_target.model
grep -qx 'target none' no_target.model || fail "no target"
run_ok ml-info no_target.model
grep -qx 'target: none' out || fail "ml-info without a target"

# -v: iterations, why it stopped, and the inertia last, as in the model.
run_ok ml-cluster -v -k 3 -t species "$iris"
grep -q 'converged at iteration' err || fail "-v says why it stopped"
[ "$(tail -n 1 err)" = "ml-cluster: inertia $(sed -n 's/^inertia //p' iris.model)" ] ||
	fail "-v's last line: $(tail -n 1 err)"

# One thread or two: the same bytes (data with enough rows for two pieces of work).
awk 'BEGIN { srand(7); print "a,b,c"
	for (i = 0; i < 40000; i++) { k = i % 5
		printf "%.6f,%.6f,%.6f\n", k * 3 + rand(), rand() - k, rand() * k } }' > big.csv
ml-load big.csv > big.bin || fail "ml-load big.csv"
for batch in "" "--batch-size 1000"; do
	ml-cluster -k 12 $batch -j 1 big.bin -o one.model > one.bin || fail "-j 1 $batch"
	ml-cluster -k 12 $batch -j 2 big.bin -o two.model > two.bin || fail "-j 2 $batch"
	cmp one.bin two.bin || fail "labels differ with -j 2 $batch"
	[ "$(grep -v '^command' one.model)" = "$(grep -v '^command' two.model)" ] ||
		fail "models differ with -j 2 $batch"
done
# Mini-batch reads standard input twice through a copy: the same as from the file.
ml-cluster -k 12 --batch-size 1000 -j 2 -o piped.model < big.bin > piped.bin || fail "stdin"
cmp two.bin piped.bin || fail "mini-batch from standard input"
[ "$(grep -v '^command' two.model)" = "$(grep -v '^command' piped.model)" ] ||
	fail "mini-batch from standard input fits otherwise"
exit 0
