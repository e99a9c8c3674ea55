# -o and --save onto something that is not a regular file: a named pipe
# or a device is written in place, never replaced by a regular file.
. "$TESTS_DIR/lib.sh"
# A run that waits for a pipe nobody opens must fail, not hang.
command -v timeout >/dev/null || skip "no timeout(1)"
printf 'a,b\n1,x\n2,y\n' > in.csv

mkfifo out.pipe
{ timeout 10 cat out.pipe > got.csv & } 2>/dev/null
run_ok timeout 10 ml-load --csv in.csv -o out.pipe
wait
[ -p out.pipe ] || fail "-o replaced the named pipe"
printf 'a,b=x,b=y\n1,1,0\n2,0,1\n' | cmp -s - got.csv || fail "-o wrote the wrong thing"

mkfifo stage.pipe
{ timeout 10 cat stage.pipe > got.load & } 2>/dev/null
run_ok timeout 10 ml-load --save stage.pipe in.csv -o out.bin
wait
[ -p stage.pipe ] || fail "--save replaced the named pipe"
grep -q '^stage load$' got.load || fail "--save wrote no stage to the pipe"
ls | grep -q 'tmp' && fail "a temporary file was left: $(ls)"

# A character device like /dev/null (made here, when allowed, so that a
# regression cannot replace the real one).
if mknod null c 1 3 2>/dev/null; then
	run_ok ml-load in.csv -o null
	[ -c null ] || fail "-o replaced a character device"
	run_ok ml-load --save null in.csv -o null
	[ -c null ] || fail "--save replaced a character device"
fi
