# ml-info reads data from a file, stdin or a named pipe, binary or CSV.
. "$TESTS_DIR/lib.sh"
# A reader that waits for a pipe nobody writes to must fail, not hang.
command -v timeout >/dev/null || skip "no timeout(1)"
iris=$DATA_DIR/iris.csv
run_ok ml-load -t species "$iris" -o iris.bin
run_ok ml-info iris.bin
mv out expected.txt

# The same description from stdin and from a named pipe (whose first
# bytes must not be consumed by the look for a stage file).
run_ok sh -c 'ml-info < iris.bin'
sed 's/^file: stdin$/file: iris.bin/' out | cmp -s - expected.txt || fail "stdin differs"
mkfifo pipe
{ timeout 10 cat iris.bin > pipe & } 2>/dev/null
run_ok timeout 10 ml-info pipe
wait
sed 's/^file: pipe$/file: iris.bin/' out | cmp -s - expected.txt || fail "a named pipe differs"
mkfifo csvpipe
{ timeout 10 cat "$iris" > csvpipe & } 2>/dev/null
run_ok timeout 10 ml-info -t species csvpipe
wait
sed 's/^file: csvpipe$/file: iris.bin/' out | cmp -s - expected.txt || fail "CSV from a pipe differs"

# A model or stage file on standard input, from a pipe or a redirected
# file, is described as when it is named (it used to be read as CSV).
run_ok ml-fit linear -t petal_width "$iris" -x species -o lin.model
run_ok ml-info lin.model
sed 's/^file: lin.model$/file: stdin/' out > expected-model.txt
run_ok sh -c 'ml-info < lin.model'
cmp -s out expected-model.txt || fail "a redirected model differs"
run_ok sh -c 'cat lin.model | ml-info'
cmp -s out expected-model.txt || fail "a piped model differs"
grep -q '^kind: model$' out || fail "a piped model is not described as a model"
run_ok sh -c 'ml-load -t species "$1" | ml-scale --save scale.stages > /dev/null' sh "$iris"
run_ok sh -c 'cat scale.stages | ml-info'
grep -q '^kind: stages$' out || fail "piped stages are not described as stages"
printf 'mlpipe 2\ngarbage\n' > bad.model
expect_fail 1 'stdin:2: ' sh -c 'cat bad.model | ml-info'
