# ml-info's output for iris: the binary, the CSV it came from, the stage
# file, with --stages; checked against tests/cli/expected/info_iris_*.
. "$TESTS_DIR/lib.sh"
cp "$DATA_DIR/iris.csv" iris.csv
run_ok ml-load -t species --save iris.load iris.csv -o iris.bin

run_ok ml-info iris.bin
same out info_iris_bin.txt
[ -s err ] && fail "ml-info wrote to stderr"
# The CSV, read with the same target: the same description.
run_ok ml-info -t species iris.csv
sed 's/^file: iris\.csv$/file: iris.bin/' out > csv.txt
same csv.txt info_iris_bin.txt
# Without a target the species are one-hot features.
run_ok ml-info iris.csv
same out info_iris_csv.txt
# The stage file, short and in full.
run_ok ml-info iris.load
same out info_iris_load.txt
run_ok ml-info --stages iris.load
same out info_iris_load_stages.txt
# --stages shows the same text for the stage in the binary's header.
run_ok ml-info --stages iris.bin
sed -n '/^stage load$/,/^end$/p' out > header_stage.txt
sed -n '/^stage load$/,/^end$/p' iris.load | cmp -s - header_stage.txt ||
	fail "the header's stage text differs from the stage file's"
