# The stage section ml-scale(1) shows under STAGE FILES is what ml-scale
# saves for that fit (doc_examples.sh runs the page's EXAMPLES).
. "$TESTS_DIR/lib.sh"
page="$TESTS_DIR/../../man/man1/ml-scale.1"
run_ok ml-scale -m minmax --range -1,1 --impute median -t species \
	--save shown.scale "$DATA_DIR/iris.csv"
sed -n '/^stage scale$/,/^end$/p' shown.scale > saved.txt
sed -n '/^\.SH STAGE FILES/,/^\.SH [^S]/p' "$page" | sed -n '/^\.EX/,/^\.EE/p' |
	sed '1d;$d;s/\\-/-/g' > shown.txt
[ -s shown.txt ] || fail "no stage text under STAGE FILES"
diff -u shown.txt saved.txt >&2 || fail "the STAGE FILES example is not what ml-scale saves"
