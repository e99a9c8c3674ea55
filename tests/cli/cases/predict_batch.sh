# ml-predict on the bundled data against expected outputs: class names,
# --proba, --append, --bin, regression, several inputs and stdin, -o.
# Models are fitted to convergence, so numbers are compared to 1e-6 (BLAS
# kernels and L-BFGS paths differ in the last bits); names, layout and
# the input fields that --append copies are compared exactly.  The linear
# fit has no iterations: it is compared to 1e-12, what separates OpenBLAS's
# kernels (Haswell and Zen give the expected bytes, SkylakeX, Sandybridge
# and Prescott differ by up to 1.5e-14 relative; the thread count changes
# nothing, see fit_thread_count.sh).
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
tight="--tol 1e-9 --ftol 0 --max-iter 5000"

# near FILE EXPECTED [TOLERANCE]: like `same`, numbers within TOLERANCE
# (default 1e-6; relative above 1).
near() {
	tolerance=${3:-1e-6}
	if [ "${UPDATE_EXPECTED:-0}" = 1 ]; then
		cp "$1" "$TESTS_DIR/expected/$2"
		return
	fi
	awk -F, -v tolerance="$tolerance" 'NR == FNR { want[FNR] = $0; rows = FNR; next }
		{ n = split(want[FNR], w, ",")
		  if (n != NF) { print FILENAME ":" FNR ": " NF " fields, expected " n; bad = 1; exit }
		  for (i = 1; i <= NF; i++) {
			numeric = $i ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ && w[i] ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/
			d = $i - w[i]; if (d < 0) d = -d
			scale = w[i] < 0 ? -w[i] : w[i]; if (scale < 1) scale = 1
			if ((numeric && d > tolerance * scale) || (!numeric && $i != w[i])) {
				print FILENAME ":" FNR ": field " i " is " $i ", expected " w[i]; bad = 1; exit
			}
		  } }
		END { if (!bad && FNR != rows) { print FNR " lines, expected " rows; bad = 1 }
		      exit bad }' "$TESTS_DIR/expected/$2" "$1" >&2 || fail "$1 differs from expected/$2"
}

run_ok ml-fit logistic $tight -t species "$iris" -o iris.model
run_ok ml-predict iris.model "$iris"
near out predict_iris.csv
head -1 out | grep -qx prediction || fail "header"
run_ok ml-predict --proba iris.model "$iris"
near out predict_iris_proba.csv
head -1 out | grep -qx 'prediction,p_setosa,p_versicolor,p_virginica' || fail "--proba header"
awk -F, 'NR > 1 { s = $2 + $3 + $4; if (s < 0.999999 || s > 1.000001) exit 1 }' out ||
	fail "probabilities do not sum to 1"

# --append copies the input fields as they were read ("3.0" stays "3.0").
run_ok ml-predict --append --proba iris.model "$iris"
near out predict_iris_append.csv
cut -d, -f1-5 out | cmp - "$iris" || fail "--append changed the input fields"
cut -d, -f6 out > appended
ml-predict iris.model "$iris" | cmp - appended || fail "--append changed the predictions"

# Binary input that went through the model's load stage already.
run_ok ml-load -t species "$iris" -o iris.bin
run_ok ml-fit logistic $tight iris.bin -o bin.model
ml-predict bin.model iris.bin > from_bin.csv || fail "binary input"
ml-predict bin.model "$iris" > from_csv.csv || fail "CSV input"
cmp from_bin.csv from_csv.csv || fail "binary and CSV inputs predict differently"
# --append on binary input: numbers, and the target decoded to class names.
run_ok ml-predict --append bin.model iris.bin
head -1 out | grep -qx 'sepal_length,sepal_width,petal_length,petal_width,species,prediction' ||
	fail "--append binary header"
ml-load --csv iris.bin | cmp - "$(cut -d, -f1-5 out > fields && echo fields)" ||
	fail "--append binary fields"

# --bin: prediction as class index, then the p_* columns, no stages.
run_ok ml-predict --bin --proba iris.model "$iris" -o pred.bin
ml-load --csv pred.bin > pred.csv || fail "reading --bin output"
head -1 pred.csv | grep -qx 'prediction,p_setosa,p_versicolor,p_virginica' || fail "--bin columns"
ml-predict --proba iris.model "$iris" | awk -F, 'BEGIN { k["setosa"] = 0; k["versicolor"] = 1
	k["virginica"] = 2 } NR > 1 { print k[$1] "," $2 "," $3 "," $4 }' > want.csv
tail -n +2 pred.csv | cmp - want.csv || fail "--bin values differ from CSV"
ml-info pred.bin > info || fail "ml-info on --bin output"
grep -q 'stages: 0' info || fail "--bin output carries stages"

# Class names from the data (wine's class_0..class_2), and regression.
run_ok ml-fit logistic $tight -t class "$DATA_DIR/wine.csv" -o wine.model
run_ok ml-predict --proba wine.model "$DATA_DIR/wine.csv"
near out predict_wine_proba.csv
run_ok ml-fit linear -t progression "$DATA_DIR/diabetes.csv" -o diabetes.model
run_ok ml-predict diabetes.model "$DATA_DIR/diabetes.csv"
near out predict_diabetes.csv 1e-12

# Several inputs one after another, stdin as '-', -o FILE.
head -n 51 "$iris" > first.csv
{ head -n 1 "$iris"; tail -n +52 "$iris"; } > rest.csv
ml-predict iris.model first.csv - < rest.csv > joined.csv || fail "two inputs"
ml-predict iris.model "$iris" | cmp - joined.csv || fail "two inputs differ from one"
run_ok ml-predict -o written.csv iris.model "$iris"
[ -s out ] && fail "-o also wrote to stdout"
cmp written.csv joined.csv || fail "-o FILE"
ls | grep -q 'tmp' && fail "a temporary file was left behind"
exit 0
