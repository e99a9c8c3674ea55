# ml-load --order (ordinal codes in a given order, recorded as "ordered"),
# --drop-first (one-hot without the reference level), --drop-missing-target
# (rows left out before fitting, counted), and --precision for CSV output.
. "$TESTS_DIR/lib.sh"
printf 'size,colour,y\nM,red,1\nS,blue,\nL,red,0\nS,green,1\nXL,green,0\n' > shirts.csv

run_ok ml-load -v --order size=S,M,L,XL --drop-first --drop-missing-target -t y --save s.load --csv shirts.csv
printf 'size,colour=red,y\n1,1,1\n2,1,0\n0,0,1\n3,0,0\n' | cmp -s - out || { cat out >&2; fail "encoding"; }
grep -qx 'ml-load: 1 row left out: the target was missing' err || { cat err >&2; fail "-v count"; }
grep -qx 'column size ordered 4 S M L XL' s.load || fail "the order is not recorded"
grep -qx 'drop-first true' s.load || fail "drop-first is not recorded"
grep -qx 'column colour onehot 2 green red' s.load || fail "blue came from a dropped row"
# Applied later: the order and the dropped level hold; an unknown colour is all zeros.
printf 'size,colour,y\nL,purple,1\nS,green,0\n' > new.csv
run_ok ml-load --load s.load --csv new.csv
printf 'size,colour=red,y\n2,0,1\n0,0,0\n' | cmp -s - out || { cat out >&2; fail "--load"; }

# The order of a target's classes is the order given.
printf 'x,grade\n1,low\n2,high\n3,mid\n4,low\n' > grades.csv
run_ok ml-load --order grade=low,mid,high -t grade -o grades.bin grades.csv
run_ok ml-info grades.bin
grep -qx 'classes: 3: low mid high' out || fail "class order"
# Numbers are matched by value.
printf 'n\n1.0\n10\n2\n' > numbers.csv
run_ok ml-load --order n=1,2,10 --csv numbers.csv
printf 'n\n0\n2\n1\n' | cmp -s - out || { cat out >&2; fail "numeric order"; }

expect_fail 1 "^ml-load: shirts.csv:6: column 'size': 'XL' is not one of the categories --order lists$" \
	ml-load --order size=S,M,L shirts.csv -o x.bin
expect_fail 1 "no column 'shoe'" ml-load --order shoe=1,2 shirts.csv -o x.bin
expect_fail 1 "'S' twice" ml-load --order size=S,M,S shirts.csv -o x.bin
expect_fail 1 "expected COLUMN=a,b,c" ml-load --order size shirts.csv -o x.bin
expect_fail 2 "needs the target" ml-load --drop-missing-target shirts.csv -o x.bin
expect_fail 1 "the target 'y' is missing" ml-fit linear -t y shirts.csv -o m
run_ok ml-load --drop-missing-target -t y -o kept.bin shirts.csv
run_ok ml-fit linear kept.bin -o m

# --precision: significant digits in CSV output, exact by default.
printf 'a,b\n0.123456789,2\n' > digits.csv
run_ok ml-load --csv digits.csv
grep -qx '0.123456789,2' out || fail "exact by default"
run_ok ml-load --csv --precision 3 digits.csv
grep -qx '0.123,2' out || fail "--precision 3"
expect_fail 2 "precision" ml-load --csv --precision 40 digits.csv
exit 0
