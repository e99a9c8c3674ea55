# --save writes the chain with the poly stage last; --load replays it and
# gives byte for byte what the fitting run gave, on binary and on CSV
# input (each written in its own format).
. "$TESTS_DIR/lib.sh"
run_ok ml-load -t species "$DATA_DIR/iris.csv" -o iris.bin

# Binary: the fit run streams, --load streams through ml_stream.
run_ok ml-poly -d 3 --bias -c 1-3 --save bin.stages iris.bin -o fit.bin
run_ok ml-poly --load bin.stages iris.bin -o load.bin
cmp fit.bin load.bin || fail "--load on binary differs from the fit run"
# The stage file without its first lines (version, creator, command line).
tail -n +4 bin.stages > stages.txt
same stages.txt poly_iris.stages

# CSV: the implicit load stage is saved too, and CSV comes out.
run_ok ml-poly -t species --interaction-only --save csv.stages "$DATA_DIR/iris.csv" -o fit.csv
run_ok ml-poly --load csv.stages "$DATA_DIR/iris.csv" -o load.csv
cmp fit.csv load.csv || fail "--load on CSV differs from the fit run"
head -1 load.csv | grep -q '^sepal_length,' || fail "--load on CSV did not write CSV"
# Binary that went through the same load stage gets only the poly stage.
run_ok ml-poly --load csv.stages --csv iris.bin -o again.csv
cmp fit.csv again.csv || fail "--load on ml-load's binary differs"
# A --bin fit of CSV carries both stages, and --load on it applies nothing more.
run_ok ml-poly -t species --interaction-only --bin "$DATA_DIR/iris.csv" -o both.bin
run_ok ml-poly --load csv.stages both.bin --csv -o done.csv
cmp fit.csv done.csv || fail "--load on data it already went through changed it"

# Data loaded differently is refused, naming the stage.
run_ok ml-load -t species -c 1-3,5 "$DATA_DIR/iris.csv" -o narrow.bin
expect_fail 1 "stage 1 \('load'\) of the input was fitted differently" \
	ml-poly --load csv.stages narrow.bin
# A stage file without a poly stage is not what --load wants here.
run_ok ml-load -t species --save load.stages "$DATA_DIR/iris.csv" -o loaded.bin
expect_fail 1 "load.stages: no poly stage" ml-poly --load load.stages iris.bin
# --load takes nothing that would change the stage.
expect_fail 2 "come from it" ml-poly --load bin.stages -d 2 iris.bin
