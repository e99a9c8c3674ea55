# Column order and names: '1' first with --bias, then the terms, then the
# columns not expanded, target included, in their input order.
. "$TESTS_DIR/lib.sh"
run_ok ml-poly -t progression -c bp,bmi -d 3 --bias "$DATA_DIR/diabetes.csv"
head -4 out > columns.csv
same columns.csv poly_diabetes_columns.csv
run_ok ml-poly -t progression -c bmi,bp --interaction-only "$DATA_DIR/diabetes.csv"
head -1 out | grep -qx 'bmi,bp,bmi\*bp,age,sex,s1,s2,s3,s4,s5,s6,progression' ||
	fail "interaction-only header: $(head -1 out)"
# The target stays the target in binary output.
run_ok ml-poly -t progression -c bmi,bp "$DATA_DIR/diabetes.csv" --bin -o d.bin
run_ok ml-info d.bin
grep -Eq '^progression +target' out || fail "ml-info does not show the target"
# Degree 1 over every feature changes nothing: it is the load stage's output.
run_ok ml-poly -d 1 -t species "$DATA_DIR/iris.csv"
mv out degree1.csv
run_ok ml-load -t species --csv "$DATA_DIR/iris.csv"
cmp degree1.csv out || fail "degree 1 is not the identity"
