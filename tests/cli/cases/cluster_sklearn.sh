# ml-cluster against scikit-learn's KMeans (see cluster_sklearn.py): with
# the same k and n_init, the inertia within 1% on iris, on wine standardised
# and on well-separated blobs, whose partition is scikit-learn's up to the
# clusters' names; the inertia in the model is its labels'; mini-batch k-means
# within 2% of full k-means on the blobs, from a file and from a pipe; the
# elbow's silhouettes equal to sklearn.metrics.silhouette_score to 1e-12.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas not importable by /usr/bin/python3"
check="/usr/bin/python3 $TESTS_DIR/cluster_sklearn.py"

iris="$DATA_DIR/iris.csv"
ml-cluster -k 3 --n-init 10 -t species "$iris" -o iris.model > iris.labels || fail "iris"
$check kmeans "$iris" species 3 10 iris.labels iris.model || fail "iris differs"

ml-scale --csv -t class "$DATA_DIR/wine.csv" > wine.csv || fail "scaling wine"
ml-cluster -k 3 --n-init 10 -t class wine.csv -o wine.model > wine.labels || fail "wine"
$check kmeans wine.csv class 3 10 wine.labels wine.model || fail "wine differs"

$check blobs blobs.csv 20000 5 4 || fail "making blobs"
ml-cluster -k 4 --n-init 3 blobs.csv -o blobs.model > blobs.labels || fail "blobs"
$check kmeans blobs.csv - 4 3 blobs.labels blobs.model --same-partition || fail "blobs differ"

# Mini-batch (make_blobs shuffles its rows, as a stream for it should be).
full=$(sed -n 's/^inertia //p' blobs.model)
ml-cluster -k 4 --batch-size 500 blobs.csv -o minibatch.model > minibatch.labels ||
	fail "mini-batch"
grep -qx 'estimator minibatch-kmeans' minibatch.model || fail "mini-batch kind"
$check kmeans blobs.csv - 4 1 minibatch.labels minibatch.model --rtol 0.02 --reference "$full" ||
	fail "mini-batch not within 2% of full k-means"
ml-load blobs.csv | ml-cluster -k 4 --batch-size 500 --csv -o piped.model > piped.labels ||
	fail "mini-batch from a pipe"
cmp minibatch.labels piped.labels || fail "mini-batch from a pipe labels otherwise"
[ "$(grep -v '^command' minibatch.model)" = "$(grep -v '^command' piped.model)" ] ||
	fail "mini-batch from a pipe fits otherwise"

ml-cluster --elbow 2-5 -t species "$iris" > elbow.txt || fail "elbow"
for k in 2 3 4 5; do
	ml-cluster -k $k -t species "$iris" > k$k.labels || fail "k = $k"
	value=$(awk -v k=$k '$1 == k { print $3 }' elbow.txt)
	$check silhouette "$iris" species k$k.labels "$value" || fail "silhouette for k = $k"
done
# The elbow's inertia is the inertia of the same fit.
[ "$(awk '$1 == 3 { print $2 }' elbow.txt)" = "$(ml-cluster -v -k 3 -t species "$iris" 2>&1 \
	>/dev/null | sed -n 's/^ml-cluster: inertia //p')" ] || fail "elbow's inertia for k = 3"
exit 0
