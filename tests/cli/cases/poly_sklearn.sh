# ml-poly agrees with scikit-learn's PolynomialFeatures bit for bit: same
# columns, same names, same order, same values, on iris, diabetes and wine,
# degree 2 and 3, with and without --interaction-only and --bias; read
# from CSV (in memory) and from ml-load's binary (streamed), which must
# also agree with each other byte for byte.  -c compares with
# PolynomialFeatures on those columns followed by the others.
. "$TESTS_DIR/lib.sh"
have_sklearn || skip "no scikit-learn for /usr/bin/python3"
: > manifest
for case in iris:species diabetes:progression wine:class; do
	data=${case%%:*} target=${case#*:}
	ml-load -t "$target" "$DATA_DIR/$data.csv" -o "$data.bin" || fail "ml-load $data"
	for degree in 2 3; do
		for flags in "" --interaction-only --bias "--interaction-only --bias"; do
			name=$data-$degree$(echo "$flags" | tr -d ' ')
			# shellcheck disable=SC2086
			run_ok ml-poly -t "$target" -d $degree $flags "$DATA_DIR/$data.csv"
			mv out "$name.csv"
			# shellcheck disable=SC2086
			run_ok ml-poly -d $degree $flags --csv "$data.bin"
			cmp "$name.csv" out || fail "$name: binary input gives other CSV"
			echo "$DATA_DIR/$data.csv $target $name.csv $degree $flags" >> manifest
		done
	done
done
run_ok ml-poly -t progression -c s5,bmi,bp -d 3 "$DATA_DIR/diabetes.csv"
mv out columns.csv
echo "$DATA_DIR/diabetes.csv progression columns.csv 3 --columns bmi,bp,s5" >> manifest
/usr/bin/python3 "$TESTS_DIR/poly_sklearn.py" manifest || fail "scikit-learn disagrees"
