# Hostile or damaged stage files are refused with exit 1 and a message
# giving the file and line; none crashes or is half applied.
. "$TESTS_DIR/lib.sh"
run_ok ml-load -t species "$DATA_DIR/iris.csv" -o iris.bin
run_ok ml-poly --save good.stages iris.bin -o fit.bin
# good.stages: lines 1-3 metadata, 4-9 the load stage, 10-17 the poly stage.
sed -n 12,13p good.stages | grep -q '^target 4 species$' || fail "unexpected stage layout"

# edit N SED_SCRIPT: writes bad.stages from good.stages.
edit() {
	sed "$1" good.stages > bad.stages
}
refused() {
	expect_fail 1 "$1" ml-poly --load bad.stages iris.bin
	[ ! -s out ] || fail "output written from a refused stage file"
}
edit 's/^degree 2$/degree 0/'
refused "bad.stages:13: 'degree': must be from 1 to 10"
edit 's/^degree 2$/degree 11/'
refused "bad.stages:13: 'degree': '11' is not a whole number from 0 to 10"
edit 's/^degree 2$/degree -1/'
refused "bad.stages:13: 'degree'"
edit 's/^degree 2$/degree 2 3/'
refused "bad.stages:13: 'degree' takes 1 value, found 2"
edit 's/^bias false$/bias perhaps/'
refused "bad.stages:15: 'bias': unknown value 'perhaps'"
edit 's/^bias false$/colour blue/'
refused "bad.stages:15: expected 'bias', found 'colour'"
edit '/^interaction-only false$/d'
refused "bad.stages:14: expected 'interaction-only', found 'bias'"
edit 's/^expand 4 .*/expand 1 species/'
refused "bad.stages:16: the target 'species' cannot be expanded"
edit 's/^expand 4 .*/expand 1 sepal/'
refused "bad.stages:16: 'sepal' is not an input column"
edit 's/^expand 4 .*/expand 2 sepal_width sepal_length/'
refused "bad.stages:16: expanded columns must be distinct and in input order"
edit 's/^expand 4 \(.*\)/expand 5 \1/'
refused "bad.stages:16: 'expand' says 5 but lists 4"
edit 's/^expand 4 \(.*\)/expand 99999999999999999999 \1/'
refused "bad.stages:16: 'expand': '99999999999999999999' is not a whole number"
edit '/^expand/a\
expand 1 sepal_length'
refused "bad.stages:17: unknown or misplaced key 'expand' in a poly stage \(expected 'end'\)"
edit '$d'
refused "bad.stages:[0-9]+: unexpected end of text, expected 'end'"
edit 's/^stage poly$/stage polynomial/'
refused "bad.stages:10: unknown stage kind 'polynomial'"
# Its inputs must be what the stage before it gives.
edit '10,17s/sepal_length/sepal_len/'
refused "bad.stages:10: stage 'poly' does not take the columns stage 'load' gives"

# A layout wider than mlpipe takes: 200 columns at degree 10, refused
# while parsing, before anything is allocated for it.
{
	echo "mlpipe 1"
	printf 'stage poly\ninputs 200'
	i=0; while [ $i -lt 200 ]; do printf ' c%d' $i; i=$((i + 1)); done
	printf '\ntarget none\ndegree 10\ninteraction-only no\nbias no\nexpand 200'
	i=0; while [ $i -lt 200 ]; do printf ' c%d' $i; i=$((i + 1)); done
	printf '\nend\n'
} > bad.stages
refused "bad.stages:8: a degree 10 expansion of 200 columns would make [0-9]+ columns\
 \(limit 1048576\)"
