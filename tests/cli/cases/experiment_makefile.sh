# scripts/experiment/Makefile runs as a user would run it (make -j2 in an
# empty folder): one split, three fits, three scores, one results table
# and one plot; a second make does nothing, and touching one input reruns
# only what depends on it.
. "$TESTS_DIR/lib.sh"
command -v make >/dev/null 2>&1 || skip "make is not installed"
makefile="$TESTS_DIR/../../scripts/experiment/Makefile"
cp "$DATA_DIR/breast_cancer.csv" data.csv
targets="results.csv roc.png"
command -v gnuplot >/dev/null 2>&1 || targets=results.csv
run_ok make -f "$makefile" -j2 DATA=data.csv $targets
[ "$(grep -c '^ml-split ' out)" -eq 1 ] || fail "the split ran more than once"
[ "$(grep -c 'ml-fit logistic' out)" -eq 3 ] || fail "three fits expected"

# results.csv: C,metric,class,value; 25 scores a model (17 + 2 classes x 4).
head -n 1 results.csv | grep -qx 'C,metric,class,value' || fail "results.csv header"
[ "$(wc -l < results.csv)" -eq 76 ] || fail "results.csv: 75 scores expected"
for c in 0.01 1 100; do
	line=$(grep "^$c,accuracy,," results.csv) || fail "no accuracy for C=$c"
	awk -v value="${line##*,}" 'BEGIN { exit !(value > 0.9 && value <= 1) }' ||
		fail "C=$c: accuracy ${line##*,} is not above 0.9"
	grep -q "^$c,support,malignant,53$" results.csv || fail "C=$c: 53 malignant test rows"
done

# Nothing to do the second time; a touched model reruns only its own scores.
make -f "$makefile" -q DATA=data.csv $targets || fail "a second make has work to do"
touch model-C100.model
run_ok make -f "$makefile" -j2 DATA=data.csv $targets
grep -q 'ml-split\|ml-fit' out && fail "a touched model refitted or split again"
grep -q 'scored-C100.csv' out || fail "the touched model is not scored again"
grep -q 'scored-C1.csv\|scored-C0.01.csv' out && fail "the other models are scored again"
# New data: everything again (run, not make -n: make 4.3's dry run does
# not follow a grouped target's other files).
touch data.csv
run_ok make -f "$makefile" -j2 DATA=data.csv $targets
[ "$(grep -c 'ml-fit logistic' out)" -eq 3 ] || fail "new data: three fits expected"
command -v gnuplot >/dev/null 2>&1 || skip "gnuplot not installed: roc.png not drawn"
[ "$(od -An -tx1 -N8 roc.png | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "roc.png: not a PNG"
exit 0
