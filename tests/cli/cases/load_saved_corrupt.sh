# Stage files that are wrong: each --load refuses with the file, the line
# and what is wrong, and writes nothing.
. "$TESTS_DIR/lib.sh"
iris=$DATA_DIR/iris.csv

refused() { # refused STAGE-TEXT PATTERN
	printf '%s' "$1" > bad.load
	expect_fail 1 "^ml-load: bad\\.load$2" ml-load --load bad.load "$iris" -o out.bin
	[ ! -e out.bin ] || fail "output written for: $1"
	# ml-info takes a file for a stage file when it starts with "mlpipe" and a blank.
	case $1 in
	"mlpipe "*) expect_fail 1 "^ml-info: bad\\.load$2" ml-info bad.load ;;
	esac
}
refused 'mlpipe 1
stage load
inputs 0
target none
missing 0
end
' ":3: 'inputs' needs at least 1 column\$"
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

# Not a stage file at all, or from another version.
refused '' ": not an mlpipe stage or model file \\(it is empty\\)$"
refused 'hello
' ": not an mlpipe stage or model file \\(first line is 'hello', not 'mlpipe VERSION'\\)$"
refused 'mlpipe
' ": not an mlpipe stage or model file \\(first line is 'mlpipe', not 'mlpipe VERSION'\\)$"
refused 'mlpipe 1 2
' ": not an mlpipe stage or model file \\(no 'mlpipe VERSION' line\\)$"
refused 'mlpipe x
' ":1: 'mlpipe': 'x' is not a whole number from 0 to 1000000$"
refused 'mlpipe 3
' ': file format version 3; this mlpipe \(0\.[0-9.]*\) reads versions 1 to 2: it was made by a newer mlpipe$'
refused 'mlpipe 0
' ': file format version 0; this mlpipe \(0\.[0-9.]*\) reads versions 1 to 2$'
# Text that is not text, or badly quoted.
refused "$(printf 'mlpipe 1\ncommand ml-load \377\n')" ':2: not UTF-8 text$'
refused 'mlpipe 1
created-by "mlpipe
' ':2: unterminated quoted string$'
# What follows the stages must not be there in a stage file (a model's
# estimator, an unknown key), and the stages must be whole.
refused 'mlpipe 1
stage load
inputs 1 sepal_length
target none
missing 0
end
model linear
' ":7: (unexpected 'model' after the stages \\(a model file\\? this needs a stage file\\)|expected 'estimator KIND', found 'model')$"
refused 'mlpipe 1
colour blue
' ":2: (unexpected 'colour' after the stages|expected 'estimator KIND', found 'colour')"
refused 'mlpipe 1
stage load
inputs 1 sepal_length
' ":[0-9]+: unexpected end of text, expected 'target'$"
refused 'mlpipe 1
stage frobnicate
' ":2: unknown stage kind 'frobnicate'$"
refused 'mlpipe 1
stage load
inputs 2 sepal_length sepal_length
' ":3: column 'sepal_length' is listed twice$"
refused 'mlpipe 1
stage load
inputs 1 species
target 0 species
missing 0
column species onehot 1 setosa
end
' ':6: the target can only be ordinal$'
refused 'mlpipe 1
stage load
inputs 1 species
target none
missing 0
column species onehot 2 virginica setosa
end
' ":6: column 'species': categories must be sorted and distinct$"
# A \x escape that spells a byte that is not UTF-8 (it would have named a
# column in the output).
refused 'mlpipe 1
stage load
inputs 1 species
target none
missing 0
column species onehot 2 setosa "\xff"
end
' ':6: quoted string is not UTF-8 text \(see its \\x escapes\)$'

# A binary matrix, a directory, a missing file given as the stage file.
run_ok ml-load "$iris" -o iris.bin
not_mlpipe="not an mlpipe stage or model file"
expect_fail 1 "^ml-load: iris\\.bin: $not_mlpipe \\(first line is '\\\\x89MLPIPE', not 'mlpipe" \
	ml-load --load iris.bin "$iris"
mkdir adir
expect_fail 1 '^ml-load: adir: read error: Is a directory$' ml-load --load adir "$iris"
expect_fail 1 '^ml-load: none\.load: No such file or directory$' ml-load --load none.load "$iris"
# A stage file without a load stage is refused before any input is read.
printf 'mlpipe 1\n' > empty.load
expect_fail 1 "^ml-load: empty\\.load: no load stage in it \\(was it saved by ml-load --save\\?\\)$" \
	ml-load --load empty.load "$iris"
# CRLF line ends are fine.
printf 'mlpipe 1\r\nstage load\r\ninputs 1 sepal_length\r\ntarget none\r\nmissing 0\r\nend\r\n' > crlf.load
run_ok ml-load --load crlf.load --csv "$iris"
[ "$(sed -n 2p out)" = 5.1 ] || fail "a CRLF stage file"
