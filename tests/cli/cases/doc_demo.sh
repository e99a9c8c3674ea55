# scripts/demo.sh (`make demo`) runs to the end with the programs built so
# far, and removes its temporary directory.
. "$TESTS_DIR/lib.sh"
TMPDIR=$PWD
export TMPDIR
BIN=$(dirname "$(command -v ml-load)") sh "$TESTS_DIR/../../scripts/demo.sh" >out 2>err ||
	{ cat out err >&2; fail "demo.sh failed"; }
tail -n 1 out | grep -qx '== done ==' || fail "demo.sh stopped early"
grep -q '^== load iris ==$' out || fail "demo.sh lacks its sections"
for left in mlpipe-demo.*; do
	[ -e "$left" ] && fail "demo.sh left $left behind"
done
exit 0
