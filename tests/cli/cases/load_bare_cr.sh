# Batch CSV: a bare CR ends a line, as LF and CRLF do (ml-load(1) says so),
# and counts as one in line numbers; a CR inside quotes is text.
. "$TESTS_DIR/lib.sh"
printf 'a,b\r1,2\r3,4\r\n5,6\n7,8\r' > cr.csv
run_ok ml-load --csv cr.csv
printf 'a,b\n1,2\n3,4\n5,6\n7,8\n' | cmp - out || { cat -A out >&2; fail "bare CR ends lines"; }
printf 'a,b\r1,"x\ry"\r3,z\r' > quoted.csv
run_ok ml-load --csv quoted.csv
head -1 out | grep -qx "$(printf 'a,"b=x\ry",b=z')" || { cat -A out >&2; fail "quoted CR is text"; }
printf 'a,b\r1,2\r3\r5,6\n' > ragged.csv
expect_fail 1 '^ml-load: ragged.csv:3: row has 1 field, header has 2$' ml-load ragged.csv
exit 0
