# A field of 1 MiB is fine, one byte more is refused with its line, and
# the parser's memory stays bounded on input that never ends a field.
. "$TESTS_DIR/lib.sh"

mib=1048576
{ printf 'a,b\n1,'; head -c $mib /dev/zero | tr '\0' x; printf '\n'; } > exact.csv
# As a category it cannot name a one-hot column (binary files limit names
# to 4096 bytes); as an ordinal code it is fine, and survives a round trip.
expect_fail 1 "^ml-load: column 'b': a category of 1048576 bytes makes a one-hot column name longer than 4096 bytes; use --ordinal or drop the column with -x$" \
	ml-load exact.csv -o exact.bin
[ ! -e exact.bin ] || fail "a binary file with an unreadable name was written"
run_ok ml-load --ordinal --save exact.load exact.csv -o exact.bin
run_ok ml-load --csv exact.bin
[ "$(sed -n 2p out)" = 1,0 ] || fail "a 1 MiB category's ordinal code"
run_ok ml-load --load exact.load --csv exact.csv
[ "$(sed -n 2p out)" = 1,0 ] || fail "a 1 MiB category through a saved stage"

{ printf 'a,b\n1,2\n3,'; head -c $((mib + 1)) /dev/zero | tr '\0' x; printf '\n'; } > long.csv
expect_fail 1 '^ml-load: long\.csv:3: field longer than 1 MiB$' ml-load long.csv
{ printf 'a,b\n3,"'; head -c $((mib + 1)) /dev/zero | tr '\0' x; printf '"\n'; } > quoted.csv
expect_fail 1 '^ml-load: quoted\.csv:2: field longer than 1 MiB$' ml-load quoted.csv
{ printf 'a,b\n3,'; head -c $((3 * mib)) /dev/zero | tr '\0' 7; } > unended.csv
expect_fail 1 '^ml-load: unended\.csv:2: field longer than 1 MiB$' ml-load unended.csv

# 300 MB without a delimiter or newline under a 200 MB address-space limit:
# refused for its length, not for lack of memory.  (AddressSanitizer cannot
# run under ulimit -v: then only the message is checked, on less input.)
# OpenBLAS alone reserves some 90 MB per thread at start-up: one thread.
OPENBLAS_NUM_THREADS=1
export OPENBLAS_NUM_THREADS
if (ulimit -v 200000 && ml-load --version) >/dev/null 2>&1; then
	expect_fail 1 '^ml-load: stdin:1: field longer than 1 MiB$' \
		sh -c 'ulimit -v 200000; yes 1 | tr -d "\n" | head -c 300000000 | ml-load'
else
	expect_fail 1 '^ml-load: stdin:1: field longer than 1 MiB$' \
		sh -c 'yes 1 | tr -d "\n" | head -c 30000000 | ml-load'
fi
