# Header-only and empty input, CSV and binary, file and stdin, through every
# program: a clear message and exit 1 where there is nothing to fit, an
# empty result where an empty result is right, never a crash.
. "$TESTS_DIR/lib.sh"
printf 'a,y\n' > header.csv
: > empty.csv
run_ok ml-load -t y header.csv -o header.bin
run_ok ml-fit linear -t progression "$DATA_DIR/diabetes.csv" -o d.model

# both INPUT STATUS PATTERN CMD...: from the file, then from stdin.
both() {
	input=$1 status=$2 pattern=$3
	shift 3
	if [ "$status" = 0 ]; then
		run_ok "$@" "$input"
		"$@" < "$input" > out 2> err || fail "exit $? from stdin: $*"
	else
		expect_fail "$status" "$pattern" "$@" "$input"
		expect_fail "$status" "$pattern" sh -c '"$@" < "$0"' "$input" "$@"
	fi
}
for kind in linear ridge logistic; do
	both header.csv 1 'no rows to fit$' ml-fit $kind -t y -o m
	both header.bin 1 'no rows to fit$' ml-fit $kind -o m
	both empty.csv 1 'empty input \(no header line\)$' ml-fit $kind -t y -o m
done
[ -e m ] && fail "a model file was written from no rows"
both header.csv 1 'no rows to fit a scale stage on$' ml-scale
both header.bin 1 'no rows to fit a scale stage on$' ml-scale
both empty.csv 1 'empty input' ml-scale
# The poly stage needs no rows: an empty result is the right answer.
both header.csv 0 '' ml-poly --csv
grep -qx 'a,y,a^2,a\*y,y^2' out || fail "ml-poly's header for no rows"
both header.bin 0 '' ml-poly --csv
both header.csv 0 '' ml-load --csv
both header.bin 0 '' ml-load --csv
both empty.csv 1 'empty input' ml-load
both header.csv 0 '' ml-info
grep -qx 'rows: 0' out || fail "ml-info rows"
both header.bin 0 '' ml-info
both empty.csv 1 'empty input' ml-info
# Predictions of no rows: the header line alone.
head -n 1 "$DATA_DIR/diabetes.csv" > diabetes_header.csv
both diabetes_header.csv 0 '' ml-predict d.model
[ "$(cat out)" = prediction ] || fail "ml-predict of no rows"
both empty.csv 1 'empty input' ml-predict d.model
exit 0
