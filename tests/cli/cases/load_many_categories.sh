# A text column with very many distinct values (an ID column): refused
# for one-hot with a message pointing at the options, encoded with
# --ordinal, and re-applied from a saved stage.  The timeout only guards
# against a hang (fitting used to be quadratic in the distinct values:
# minutes here); it is not a speed test.
. "$TESTS_DIR/lib.sh"
command -v timeout >/dev/null || skip "no timeout(1)"

awk 'BEGIN { print "id,v"; for (i = 0; i < 200000; i++) printf "user%d,%d\n", i, i % 7 }' > ids.csv
expect_fail 1 "^ml-load: ids\\.csv: column 'id' has more than 1000 distinct values; one-hot encoding would make as many columns: use --ordinal, drop it with -x, or raise --max-categories$" \
	timeout 60 ml-load ids.csv -o out.bin
[ ! -e out.bin ] || fail "output left after a failure"
expect_fail 1 "column 'id' has more than 10 distinct values; " \
	timeout 60 ml-load --max-categories 10 ids.csv

# Sorted by bytes: user0, user1, user10, user100, ...
run_ok timeout 60 ml-load --ordinal --save ids.load --csv ids.csv
sed -n '2p;3p;4p;12p' out > got.txt
printf '0,0\n1,1\n111112,2\n2,3\n' | cmp -s - got.txt || { cat got.txt >&2; fail "ordinal codes"; }
printf 'v,id\n6,user10\n5,nobody\n' > new.csv
run_ok timeout 60 ml-load --load ids.load --csv new.csv
printf 'id,v\n2,6\n,5\n' | cmp -s - out || { cat out >&2; fail "codes from the saved stage"; }
grep -q "1 value not seen when the stage was fitted (most in column 'id')" err ||
	fail "no count of unknown values"
