# A quoted field's bytes come back as they were: a CRLF inside quotes stays
# CRLF in a category name, in --append output and through ml-split.
. "$TESTS_DIR/lib.sh"
printf 'x,y\r\n1,"a\r\nb"\r\n2,c\r\n3,"a\r\nb"\r\n' > crlf.csv
run_ok ml-load -t y --save s.load crlf.csv -o crlf.bin
grep -qx 'column y ordinal 2 "a\\r\\nb" c' s.load || { cat s.load >&2; fail "category name"; }
run_ok ml-load --csv crlf.bin
printf 'x,y\n1,"a\r\nb"\n2,c\n3,"a\r\nb"\n' | cmp -s - out || { od -c out >&2; fail "CSV out"; }
run_ok ml-fit logistic -t y crlf.csv -o m.model
run_ok ml-predict --append m.model crlf.csv
od -c out | grep -q '\\r  \\n   b' || { od -c out >&2; fail "--append lost the CR"; }
run_ok ml-split -s 1 --test 1 crlf.csv a.csv b.csv
cat a.csv b.csv | od -c | grep -q '\\r  \\n   b' || fail "ml-split lost the CR"
exit 0
