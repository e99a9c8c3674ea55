# ml-predict --line-buffered as a service: a co-process gets the header at
# once and each answer before it sends the next request; bad requests get
# error lines and it goes on serving; SIGUSR1 reports while it waits;
# --append answers carry the request; two socat clients get separate
# processes (when socat is installed).
. "$TESTS_DIR/lib.sh"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 to drive the co-process"
drive="/usr/bin/python3 $TESTS_DIR/predict_service.py"
run_ok ml-fit logistic -t species "$DATA_DIR/iris.csv" -o iris.model
$drive co-process iris.model || fail "co-process"
$drive append iris.model || fail "--append service"
if command -v socat >/dev/null 2>&1; then
	$drive socat iris.model || fail "behind socat"
else
	echo "socat not installed: its recipe is not tried"
fi

# Without -l, a batch stops at the first bad row, naming it.
printf 'sepal_length,sepal_width,petal_length,petal_width\n5,3,1,0.2\n1,2,3\n5,3,1,0.2\n' > bad.csv
expect_fail 1 '^ml-predict: bad.csv:3: row has 3 fields, header has 4$' \
	ml-predict iris.model bad.csv
# With -l, the same input answers every line.
run_ok ml-predict -l iris.model bad.csv
printf 'prediction\nsetosa\nerror: bad.csv:3: row has 3 fields, header has 4\nsetosa\n' |
	cmp - out || fail "-l on a file"
