# Out of memory while reading input names the input (and the line, for
# CSV): under `ulimit -v`, ml-load on 20000 rows of 500 columns (80 MB of
# numbers) says which file ran out, not only "out of memory".
. "$TESTS_DIR/lib.sh"
# One thread: OpenBLAS's idle threads spin on a failed allocation at exit.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
awk 'BEGIN { for (c = 0; c < 500; c++) printf "%sc%d", c ? "," : "", c; print "";
	for (r = 0; r < 20000; r++) { for (c = 0; c < 500; c++) printf "%s%d", c ? "," : "", (r + c) % 10; print "" } }' > wide.csv
run_ok ml-load wide.csv -o wide.bin
hit=
# The smallest limit that lets the program start differs between machines: try a few.
for limit in 120000 150000 200000; do
	(ulimit -v $limit && exec timeout 60 ml-load wide.csv -o out.bin) > /dev/null 2> csv.err
	(ulimit -v $limit && exec timeout 60 ml-scale wide.bin -o out.bin) > /dev/null 2> bin.err
	for err in csv.err bin.err; do
		grep -q 'out of memory' $err || continue
		grep -Eq '^ml-(load|scale): (wide\.csv:[0-9]+|wide\.bin): out of memory' $err ||
			{ cat $err >&2; fail "ulimit -v $limit: out of memory without the input's name"; }
		hit=yes
	done
done
[ -n "$hit" ] || skip "no limit tried made ml-load run out of memory here"
[ ! -e out.bin ] || fail "an output written by a run out of memory"
! ls -a | grep -q '\.tmp' || fail "a temporary file was left: $(ls -a)"
