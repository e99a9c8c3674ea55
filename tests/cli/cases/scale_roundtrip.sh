# ml-scale writes what it was given (CSV or binary, file, redirect or
# pipe), and a saved stage applied to the training data reproduces the fit
# run byte for byte; the stage text reads back to the same text.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"

# CSV in, CSV out; --load on the same rows gives the same bytes.
run_ok ml-scale -t species -m robust --save iris.scale "$iris" -o fit.csv
head -n 1 fit.csv | grep -qx 'sepal_length,sepal_width,petal_length,petal_width,species' ||
	fail "CSV input did not give CSV output"
run_ok ml-scale --load iris.scale "$iris" -o again.csv
cmp fit.csv again.csv || fail "--load on the training rows differs from the fit run"
ml-scale --load iris.scale < "$iris" > redirected.csv || fail "stdin redirect"
cmp fit.csv redirected.csv || fail "CSV on stdin (a file) did not give the same CSV"
cat "$iris" | ml-scale -t species -m robust > piped.csv || fail "CSV through a pipe"
cmp fit.csv piped.csv || fail "CSV through a pipe did not give the same CSV"
cat "$iris" | ml-scale --load iris.scale > piped-load.csv || fail "CSV through a pipe, --load"
cmp fit.csv piped-load.csv || fail "CSV through a pipe with --load did not give the same CSV"
grep -q '^stage scale$' iris.scale || fail "no scale stage in the stage file"
grep -q '^method robust$' iris.scale || fail "method not recorded"

# Binary in (through a pipe too), binary out.
run_ok ml-load -t species "$iris" -o iris.bin
ml-load -t species "$iris" | ml-scale --save bin.scale > piped.bin || fail "pipe"
run_ok ml-scale --save bin.scale iris.bin -o fit.bin
[ "$(head -c 7 fit.bin | tail -c 6)" = MLPIPE ] || fail "binary input did not give binary"
run_ok ml-scale --load bin.scale iris.bin -o again.bin
cmp fit.bin again.bin || fail "--load on binary differs from the fit run"
ml-load --csv piped.bin > piped.csv && ml-load --csv fit.bin > fit-bin.csv ||
	fail "reading the binary outputs"
cmp piped.csv fit-bin.csv || fail "piped binary input gave other values"
# CSV raw input through the binary-fitted stage file (load and scale replayed).
run_ok ml-scale --load bin.scale --bin "$iris" -o from-csv.bin
cmp fit.bin from-csv.bin || fail "raw CSV through the stage file differs"
run_ok ml-scale --load bin.scale --csv iris.bin -o as-csv.csv
cmp fit-bin.csv as-csv.csv || fail "--csv output differs"

# The stage text survives a trip through a binary header unchanged.
ml-info --stages bin.scale | sed -n '/^stage scale$/,/^end$/p' > from-file.txt
ml-info --stages fit.bin | sed -n '/^stage scale$/,/^end$/p' > from-header.txt
[ -s from-file.txt ] || fail "ml-info shows no scale stage"
cmp from-file.txt from-header.txt || fail "the stage text changed on its way through a header"

# Applying to binary data that went through a different scale stage is refused.
run_ok ml-scale -m minmax iris.bin -o other.bin
expect_fail 1 "fitted differently" ml-scale --load bin.scale other.bin

# CSV options reach the implicit load stage; the command line is recorded whole.
printf 'a,b\n1,x\n2,?\n3,4\n' > na.csv
run_ok ml-scale --na x,? --save na.scale na.csv
grep -qx 'missing 2 x ?' na.scale || fail "--na did not reach the load stage"
grep -qx 'command ml-scale --na x,? --save na.scale na.csv' na.scale ||
	fail "the command line in the stage file is not the one given"

# -v says what was fitted, on stderr only.
ml-scale -v -t species --impute median "$iris" > /dev/null 2> err ||
	fail "-v run failed"
grep -Eq '^ml-scale: 150 rows; standard: 4 of 5 columns, 0 constant; 0 missing values filled \(median\)$' err ||
	{ cat err >&2; fail "-v summary"; }

# A closed pipe ends ml-scale quietly; a full disk does not pass for success.
ml-scale -t species --csv "$iris" 2> err | head -n 1 > /dev/null
[ -s err ] && { cat err >&2; fail "message after a closed pipe"; }
expect_fail 1 "ml-scale: .*(write|space)" sh -c "ml-scale -t species '$iris' > /dev/full"
exit 0
