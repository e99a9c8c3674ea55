# ml-scale agrees with scikit-learn's scalers and SimpleImputer to 1e-12 on
# every bundled data set: fitted on a train split (--save), applied to the
# test split (--load), from CSV and from binary input.  scikit-learn sees
# the matrix ml-load makes of each split (one-hot columns are 0/1 there).
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "scikit-learn or pandas missing in /usr/bin/python3"

manifest=manifest.tsv
: > $manifest

# split NAME: NAME-train.csv (2 rows in 3) and NAME-test.csv, with the header.
split() {
	awk 'NR == 1 || NR % 3 != 0' "$DATA_DIR/$1.csv" > "$1-train.csv"
	awk 'NR == 1 || NR % 3 == 0' "$DATA_DIR/$1.csv" > "$1-test.csv"
}

# matrices NAME TARGET: what ml-load makes of both splits, as CSV and binary.
matrices() {
	run_ok ml-load -t "$2" --save "$1.load" "$1-train.csv" -o "$1-train.bin"
	run_ok ml-load --load "$1.load" "$1-test.csv" -o "$1-test.bin"
	run_ok ml-load --csv "$1-train.bin" -o "$1-train-matrix.csv"
	run_ok ml-load --csv "$1-test.bin" -o "$1-test-matrix.csv"
}

# case NAME DATA TARGET METHOD IMPUTE RANGE COLUMNS [OPTION...]: fit on the
# CSV train split, apply to the CSV test split, and list the outputs.
case_csv() {
	name=$1 data=$2 target=$3 method=$4 impute=$5 range=$6 columns=$7
	shift 7
	run_ok ml-scale -t "$target" -m "$method" --save "$name.scale" "$@" "$data-train.csv" \
		-o "$name-train.csv"
	run_ok ml-scale --load "$name.scale" "$data-test.csv" -o "$name-test.csv"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$method" "$impute" "$range" \
		"$columns" "$target" "$data-train-matrix.csv" "$data-test-matrix.csv" \
		"$name-train.csv" "$name-test.csv" >> $manifest
}

# The same from binary input: binary comes out, and ml-load turns it into CSV.
case_binary() {
	name=$1 data=$2 target=$3 method=$4
	run_ok ml-scale -m "$method" --save "$name.scale" "$data-train.bin" -o "$name-train.bin"
	run_ok ml-scale --load "$name.scale" "$data-test.bin" -o "$name-test.bin"
	for split in train test; do
		[ "$(head -c 7 "$name-$split.bin" | tail -c 6)" = MLPIPE ] ||
			fail "$name: binary input did not give binary output"
		run_ok ml-load --csv "$name-$split.bin" -o "$name-$split.csv"
	done
	printf '%s\t%s\t-\t-\t-\t%s\t%s\t%s\t%s\t%s\n' "$name" "$method" "$target" \
		"$data-train-matrix.csv" "$data-test-matrix.csv" "$name-train.csv" \
		"$name-test.csv" >> $manifest
}

for spec in iris:species wine:class breast_cancer:diagnosis diabetes:progression \
	    penguins:species digits:digit; do
	data=${spec%%:*} target=${spec#*:}
	split "$data"
	matrices "$data" "$target"
	for method in standard minmax maxabs robust; do
		case_csv "$data-$method" "$data" "$target" $method - - -
	done
	case_binary "$data-standard-bin" "$data" "$target" standard
done

# Imputation alone and before scaling (penguins has missing values).
case_csv p-none-median penguins species none median - - --impute median
case_csv p-none-mean penguins species none mean - - --impute mean
case_csv p-none-frequent penguins species none most-frequent - - --impute most-frequent
case_csv p-none-zero penguins species none 0 - - --impute 0
case_csv p-standard-mean penguins species standard mean - - --impute mean
case_csv p-robust-median penguins species robust median - - --impute median
case_csv p-minmax-frequent penguins species minmax most-frequent -1,2 - \
	--impute most-frequent --range -1,2
case_csv p-maxabs-constant penguins species maxabs -3.5 - - --impute -3.5
case_binary p-robust-bin penguins species robust

# Only some columns: by name with -c, by position with -x.
case_csv iris-some iris species robust - - sepal_length,petal_width \
	-c sepal_length,petal_width
rest=$(head -n 1 wine-train-matrix.csv | cut -d, -f4-13)
case_csv wine-rest wine class minmax - - "$rest" -x 1-3

/usr/bin/python3 "$TESTS_DIR/sklearn_scale.py" $manifest || fail "scikit-learn disagrees"
