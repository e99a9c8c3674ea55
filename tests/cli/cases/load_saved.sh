# --save writes the fitted load stage; --load re-applies it: columns by
# name in any order, extra columns ignored, a missing target read as
# missing, a missing column refused by name, unknown categories counted,
# bad numbers refused with their line and column.
. "$TESTS_DIR/lib.sh"
iris=$DATA_DIR/iris.csv

printf 'id,colour,size,y\n1,red,1.5,yes\n2,blue,2,no\n3,red,NA,yes\n' > train.csv
run_ok ml-load -t y --save s.load train.csv -o train.bin
sed -n '1p;4,$p' s.load > got.txt
printf 'mlpipe 2\nstage load\ninputs 4 id colour size y\ntarget 3 y\nmissing 4 NA NaN nan ?\ncolumn colour onehot 2 blue red\ncolumn y ordinal 2 no yes\nend\n' |
	cmp -s - got.txt || { cat s.load >&2; fail "the saved stage"; }
grep -qx 'command ml-load -t y --save s.load train.csv -o train.bin' s.load ||
	{ cat s.load >&2; fail "the command line in the stage file"; }

# Re-applied to the same data: the same bytes (row count patched in a file).
run_ok ml-load --load s.load train.csv -o again.bin
cmp -s train.bin again.bin || fail "--load on the training data differs from fitting"
run_ok sh -c 'ml-load --load s.load train.csv > stdout.bin'
cmp -s train.bin stdout.bin || fail "--load to a redirected file differs"
# Binary input that went through this very stage passes as it is.
run_ok ml-load --load s.load train.bin -o passed.bin
cmp -s train.bin passed.bin || fail "binary input through its own stage changed"

# Another column order, an extra column, an unknown category (counted).
printf 'y,size,extra,colour,id\nno,3,z,blue,7\nyes,4,z,green,8\n,5,z,,9\n' > test.csv
run_ok ml-load --load s.load --csv test.csv
printf 'id,colour=blue,colour=red,size,y\n7,1,0,3,no\n8,0,0,4,yes\n9,,,5,\n' | cmp -s - out ||
	{ cat out >&2; fail "applied to reordered columns"; }
grep -qx "ml-load: test.csv: 1 value not seen when the stage was fitted (most in column 'colour'); encoded as all-zero one-hot / missing" err ||
	{ cat err >&2; fail "the unknown-category count"; }
# An unknown class of the target: missing, counted in the target's name.
printf 'id,colour,size,y\n1,red,1,maybe\n2,red,1,maybe\n3,blue,2,no\n' > new_class.csv
run_ok ml-load --load s.load --csv new_class.csv
printf 'id,colour=blue,colour=red,size,y\n1,0,1,1,\n2,0,1,1,\n3,1,0,2,no\n' | cmp -s - out ||
	{ cat out >&2; fail "an unknown class"; }
grep -q "2 values not seen .* (most in column 'y')" err || fail "the unknown-class count"

# No target column at all: fine, the target is missing.
printf 'size,colour,id\n3,blue,7\n' > no_target.csv
run_ok ml-load --load s.load --csv no_target.csv
printf 'id,colour=blue,colour=red,size,y\n7,1,0,3,\n' | cmp -s - out || fail "no target column"
[ -s err ] && fail "a message for a missing target column: $(cat err)"

# A missing feature column: refused, by name, with nothing written.
printf 'size,id,y\n3,7,no\n' > no_colour.csv
expect_fail 1 "^ml-load: no_colour\\.csv: no column 'colour' \\(needed by 's\\.load'\\)$" \
	ml-load --load s.load no_colour.csv -o out.bin
[ ! -e out.bin ] || fail "output written for a missing column"

# A non-number in a numeric column, a ragged row: the line (and column).
printf 'id,colour,size,y\n1,red,2,no\n2,red,big,no\n' > not_number.csv
expect_fail 1 "^ml-load: not_number\\.csv:3: column 'size': 'big' is not a number$" \
	ml-load --load s.load not_number.csv -o out.bin
[ ! -e out.bin ] || fail "output written for a bad number"
ls | grep -q '\.tmp' && fail "a temporary file was left"
printf 'id,colour,size,y\n1,red,2\n' > ragged.csv
expect_fail 1 '^ml-load: ragged\.csv:2: row has 3 fields, header has 4$' \
	ml-load --load s.load ragged.csv -o out.bin
# The stage keeps its own missing strings: --na with --load is refused, and
# a value the stage does not count as missing is not a number.
printf 'id,colour,size,y\n1,red,-,no\n' > dash.csv
expect_fail 2 "^ml-load: --load applies a saved stage: .*--na" \
	ml-load --load s.load --na - dash.csv
expect_fail 1 "^ml-load: dash\\.csv:2: column 'size': '-' is not a number$" \
	ml-load --load s.load dash.csv

# Binary input fitted differently, or without a load stage.
run_ok ml-load -t y --ordinal train.csv -o other.bin
expect_fail 1 "^ml-load: other\\.bin: stage 1 \\('load'\\) of the input was fitted differently from the one in 's\\.load'; apply that one with --load instead of fitting a new one$" \
	ml-load --load s.load other.bin
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 -c '
import struct
names = b"id\0colour=blue\0colour=red\0size\0y\0"
total = (48 + len(names) + 7) // 8 * 8
open("bare.bin", "wb").write(struct.pack("<8sIIIIQIIII", b"\x89MLPIPE\n", 1, total, 5, 1,
    0, 0xffffffff, len(names), 0, 0) + names + b"\0" * (total - 48 - len(names)))'
	expect_fail 1 "^ml-load: bare\\.bin: binary input without a load stage; 's\\.load' starts from CSV: give it the CSV file$" \
		ml-load --load s.load bare.bin
fi

# --load takes its choices from the stage: choosing again is bad usage.
for option in '-t y' '-c id' '-x id' '--categorical id' '--ordinal'; do
	# shellcheck disable=SC2086
	expect_fail 2 "^ml-load: --load applies a saved stage: -t, -c, -x, --categorical, --ordinal, --order, --drop-first, --drop-missing-target, --na, --max-categories come from it" \
		ml-load --load s.load $option train.csv
	grep -qx "Try 'ml-load --help' for more information." err || fail "no hint for $option"
done

# Saving the same stage again leaves the file alone (make does not rebuild).
touch -t 200001010000 s.load
run_ok ml-load -t y --save s.load train.csv -o train.bin
[ -z "$(find s.load -newer train.csv)" ] || fail "an identical stage file was rewritten"
# --save onto a directory that does not exist: refused, nothing written.
expect_fail 1 '^ml-load: nowhere/s\.load: cannot create a temporary file beside it: No such file or directory$' \
	ml-load -t y --save nowhere/s.load train.csv -o x.bin

# The bundled iris: stage saved, then applied to its rows shuffled and
# its columns reversed, gives the same rows.
run_ok ml-load -t species --save iris.load "$iris" --csv
mv out fitted.csv
awk -F, 'BEGIN { OFS = "," } { print $5, $4, $3, $2, $1 }' "$iris" > reversed.csv
run_ok ml-load --load iris.load --csv reversed.csv
cmp -s fitted.csv out || fail "iris with reversed columns loads differently"
