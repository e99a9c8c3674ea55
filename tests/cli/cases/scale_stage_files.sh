# Hostile stage files: each is refused with exit 1 and a message naming the
# file and line; nothing is written.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
run_ok ml-scale -t species --impute mean --save good.scale "$iris" -o scaled.csv
run_ok ml-scale --load good.scale "$iris" -o good.csv

# bad NAME SED-SCRIPT PATTERN: good.scale edited by the script must be refused.
bad() {
	sed "$2" good.scale > "$1.scale"
	cmp -s good.scale "$1.scale" && fail "$1: the edit changed nothing"
	expect_fail 1 "$3" ml-scale --load "$1.scale" "$iris" -o "$1.csv"
	[ -e "$1.csv" ] && fail "$1: output written despite the error"
	return 0
}
n=$(grep -n '^columns ' good.scale | cut -d: -f1)
bad truncated '/^column petal_width /,$d' "truncated.scale:$((n + 4)): unexpected end of text"
bad no-end '$d' "no-end.scale:$((n + 5)): unexpected end of text, expected 'end'"
bad wrong-kind 's/^stage scale$/stage sideways/' "wrong-kind.scale:[0-9]+: unknown stage kind 'sideways'"
bad load-lines 's/^method standard$/missing 4 NA NaN nan ?/' \
	"load-lines.scale:[0-9]+: expected 'method', found 'missing'"
bad unknown-key "/^impute /a colour red" "unknown-key.scale:$n: expected 'columns', found 'colour'"
bad fewer 's/^columns 4$/columns 3/' "fewer.scale:$((n + 4)): 'columns' on line $((n)) says 3, found more"
bad more 's/^columns 4$/columns 5/' "more.scale:$((n + 5)): 'columns' on line $n says 5, found 4"
bad too-many 's/^columns 4$/columns 9/' "too-many.scale:$n: 'columns': '9' is not a whole number from 0 to 5"
bad nan-center 's/^column sepal_width [^ ]*/column sepal_width nan/' \
	"nan-center.scale:$((n + 2)): a center must be a finite number, not 'nan'"
bad inf-scale 's/^\(column sepal_width [^ ]*\) [^ ]*/\1 inf/' \
	"inf-scale.scale:$((n + 2)): a scale must be a finite number, not 'inf'"
bad zero-scale 's/^\(column sepal_width [^ ]*\) [^ ]*/\1 0/' \
	"zero-scale.scale:$((n + 2)): column 'sepal_width': the scale must be positive"
bad nan-fill 's/^\(column petal_length [^ ]* [^ ]*\) [^ ]*/\1 nan/' \
	"nan-fill.scale:$((n + 3)): a fill value must be a finite number"
bad not-input 's/^column petal_length /column petal_size /' \
	"not-input.scale:$((n + 3)): 'petal_size' is not an input column"
bad target 's/^column petal_length /column species /' \
	"target.scale:$((n + 3)): 'species' is the target, never scaled"
bad short-line 's/^\(column petal_length [^ ]* [^ ]*\) [^ ]*/\1/' \
	"short-line.scale:$((n + 3)): 'column' takes 4 values, found 3"
bad bad-method 's/^method standard$/method sideways/' \
	"bad-method.scale:[0-9]+: 'method': unknown value 'sideways'"
exit 0
