# Stage and model files that are not what they claim (issue 10): the
# reader looks at the first bytes before reading on, holds one line at a
# time (64 MiB at most), refuses control characters in bare words, and
# ml-info knows these files by their version line, with a space or a tab.
. "$TESTS_DIR/lib.sh"
command -v timeout >/dev/null || skip "no timeout(1)"
# Under ulimit -v, OpenBLAS's worker threads can fail to start and its
# exit then spins: one BLAS thread, and timeouts that kill.
export OPENBLAS_NUM_THREADS=1
data=$DATA_DIR/diabetes.csv
run_ok ml-fit linear -t progression "$data" -o d.model
run_ok ml-load -t progression "$data" --save d.load -o /dev/null

# An endless device and a large file of garbage: refused at once, showing
# the first line (escaped), not read to the end.
expect_fail 1 "^ml-predict: /dev/zero: not an mlpipe stage or model file \\(first line is\
 '(\\\\x00){10}\\.\\.\\.', not 'mlpipe VERSION'\\)$" timeout -s KILL 20 ml-predict /dev/zero "$data"
head -c 20000000 /dev/urandom > garbage.model
expect_fail 1 "^ml-predict: garbage\\.model: not an mlpipe stage or model file \\(first line is" \
	timeout -s KILL 20 ml-predict garbage.model "$data"
expect_fail 1 "^ml-load: garbage\\.model: not an mlpipe stage or model file" \
	timeout -s KILL 20 ml-load --load garbage.model "$data" -o /dev/null
printf '\033]0;title\007\033[2Jclear\n' > escape.model
expect_fail 1 "^ml-predict: escape\\.model: .* \\(first line is '\\\\x1b\\]0;title\\\\x07\\\\x1b\\[2Jclear'," \
	ml-predict escape.model "$data"
grep -q "$(printf '\033')" err && fail "an escape sequence reached stderr"

# A 100 MB line (a command line, the metadata ml-predict keeps) is refused
# once it passes 64 MiB, under a memory limit that holding it whole (as
# the reader did before: about 3 times its size) would pass.
{ sed -n 1,2p d.model; printf 'command "'; head -c 100000000 /dev/zero | tr '\0' a
  printf '"\n'; sed -n '4,$p' d.model; } > long.model
# The smallest of these limits (in KiB) under which a small model predicts:
# OpenBLAS alone reserves much address space, more with more cores.
limit=
for try in 300000 400000 600000 800000 1200000 1600000; do
	if (ulimit -v $try && timeout -s KILL 20 ml-predict d.model "$data" >/dev/null 2>&1); then
		limit=$try
		break
	fi
done
[ -n "$limit" ] || skip "no address-space limit under 1.6 GB lets ml-predict run"
limit=$((limit + 100000))
expect_fail 1 "^ml-predict: long\\.model:3: line longer than 67108864 bytes$" \
	sh -c "ulimit -v $limit && exec timeout -s KILL 60 ml-predict long.model '$data'"
# A long line within the bound is read.
{ sed -n 1,2p d.model; printf 'command "'; head -c 1000000 /dev/zero | tr '\0' b
  printf '"\n'; sed -n '4,$p' d.model; } > ok.model
run_ok ml-predict ok.model "$data"
ml-predict d.model "$data" | cmp -s - out || fail "a long command line changed the predictions"

# Control characters in bare words are refused with the line; quoted and
# escaped, they are names like any other.
sed 's/^stage load$/stage lo\x1bad/' d.model > ctl.model
expect_fail 1 "^ml-predict: ctl\\.model:7: control character \\\\x1b in a bare word" \
	ml-predict ctl.model "$data"
grep -q "$(printf '\033')" err && fail "an escape sequence reached stderr"
sed 's/^command ml-fit /command ml-fit\r /' d.model > cr.model
expect_fail 1 "^ml-info: cr\\.model:3: control character \\\\x0d in a bare word" ml-info cr.model
sed 's/^command ml-fit /command "ml\\x1bfit" /' d.model > quoted.model
run_ok ml-predict quoted.model "$data"

# ml-info knows stage and model files by their first line, version 1 and 2,
# with a space or a tab, and never reads them as CSV.
for file in d.model d.load; do
	sed '1s/^mlpipe 2$/mlpipe\t2/' $file > tab.$file
	run_ok ml-info tab.$file
	grep -q '^kind: ' out || fail "ml-info read tab.$file as data"
	sed '1s/^mlpipe 2$/mlpipe\t1/' $file > v1.$file
	grep -q 'data-hash' v1.$file && continue # version 1 named no hash
	run_ok ml-info v1.$file
	grep -q '^kind: stages$' out || fail "ml-info read v1.$file as data"
done
printf 'mlpipe\t1\n' > empty.load
run_ok ml-info empty.load
grep -q '^kind: stages$' out || fail "ml-info read a version 1 stage file as CSV"
grep -q 'column' out && fail "ml-info described a stage file's columns"
exit 0
