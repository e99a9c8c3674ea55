# The EXAMPLES of ml-scale(1) run, and print what the page shows.  Each
# .EX block's "$ " lines (continued after a trailing | or \) are commands;
# the other lines are the last command's expected output.
. "$TESTS_DIR/lib.sh"
page="$TESTS_DIR/../../man/man1/ml-scale.1"
cp "$DATA_DIR/iris.csv" "$DATA_DIR/penguins.csv" .
awk 'NR == 1 || NR % 3 != 0' iris.csv > train.csv
awk 'NR == 1 || NR % 3 == 0' iris.csv > test.csv

sed -n '/^\.SH EXAMPLES/,/^\.SH [^E]/p' "$page" |
awk '
	{ gsub(/\\-/, "-"); gsub(/\\e/, "\\"); gsub(/\\%/, ""); gsub(/\\\(aq/, "\047") }
	/^\.EX/ { n++; inside = 1; continued = 0; next }
	/^\.EE/ { inside = 0; next }
	!inside { next }
	/^\$ / || continued {
		line = continued ? $0 : substr($0, 3)
		print line > ("example-" n ".sh")
		continued = line ~ /[|\\]$/
		next
	}
	{ print > ("example-" n ".out") }
'
ls example-*.sh > /dev/null 2>&1 || fail "no examples found in $page"
for script in example-*.sh; do
	sh -e "$script" > got 2> err || { cat "$script" err >&2; fail "example failed: $script"; }
	want=${script%.sh}.out
	[ -e "$want" ] || continue
	diff -u "$want" got >&2 || { cat "$script" >&2; fail "example output differs: $script"; }
done

# The stage section shown under STAGE FILES is what this run saves.
run_ok ml-scale -m minmax --range -1,1 --impute median -t species --save shown.scale iris.csv
sed -n '/^stage scale$/,/^end$/p' shown.scale > saved.txt
sed -n '/^\.SH STAGE FILES/,/^\.SH [^S]/p' "$page" | sed -n '/^\.EX/,/^\.EE/p' |
	sed '1d;$d;s/\\-/-/g' > shown.txt
diff -u shown.txt saved.txt >&2 || fail "the STAGE FILES example is not what ml-scale saves"
exit 0
