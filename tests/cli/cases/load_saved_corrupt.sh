# Stage files that are wrong: each --load refuses with the file, the line
# and what is wrong, and writes nothing.
. "$TESTS_DIR/lib.sh"
iris=$DATA_DIR/iris.csv

refused() { # refused STAGE-TEXT PATTERN
	printf '%s' "$1" > bad.load
	expect_fail 1 "^ml-load: bad\\.load$2" ml-load --load bad.load "$iris" -o out.bin
	[ ! -e out.bin ] || fail "output written for: $1"
	expect_fail 1 "^ml-info: bad\\.load$2" ml-info bad.load
}
refused 'mlpipe 1
stage load
inputs 0
target none
missing 0
end
' ':3: a stage takes at least one column$'
# Two load stages: the second would have to read numbers as text.
refused 'mlpipe 1
stage load
inputs 1 sepal_length
target none
missing 0
end
stage load
inputs 1 sepal_length
target none
missing 0
end
' ":7: stage 'load' can only come first \\(it reads CSV text\\)$"
