# Rows of very many fields: a header past the column limit is refused at
# the first field too many, and a data row much wider than its header is
# refused with its true field count, without storing its fields (a
# 10-million-field row under a 200 MB address-space limit).
. "$TESTS_DIR/lib.sh"

awk 'BEGIN { printf "a"; for (i = 0; i < 1048576; i++) printf ",c%d", i; print ""; print "1" }' > wide.csv
expect_fail 1 '^ml-load: wide\.csv:1: more than 1048576 columns$' ml-load wide.csv

awk 'BEGIN { print "a,b"; print "1,2"; printf "1"; for (i = 0; i < 10000000; i++) printf ",2"; print "" }' > ragged.csv
OPENBLAS_NUM_THREADS=1
export OPENBLAS_NUM_THREADS
if (ulimit -v 200000 && ml-load --version) >/dev/null 2>&1; then
	expect_fail 1 '^ml-load: ragged\.csv:3: row has 10000001 fields, header has 2$' \
		sh -c 'ulimit -v 200000; ml-load ragged.csv'
else
	expect_fail 1 '^ml-load: ragged\.csv:3: row has 10000001 fields, header has 2$' ml-load ragged.csv
fi
# Without a header the first row sets the count the same way.
printf '1,2\n3,4,5,6\n' > short.csv
expect_fail 1 "^ml-load: short\\.csv:2: row has 4 fields, first row has 2$" ml-load --no-header short.csv
