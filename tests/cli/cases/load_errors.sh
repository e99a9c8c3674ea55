# CSV that is wrong: each refusal names the program, the file, the line
# (and column) and what was expected, exits 1 and leaves no -o file.
. "$TESTS_DIR/lib.sh"

# (Names here avoid lib.sh's globals: expect_fail sets want and pattern.)
refused() { # refused PATTERN FILE [OPTION...]: ml-load and ml-info refuse FILE
	refused_pattern=$1 refused_file=$2
	shift 2
	expect_fail 1 "^ml-load: $refused_pattern" ml-load "$@" "$refused_file" -o out.bin
	[ ! -e out.bin ] || fail "-o out.bin written although $refused_file was refused"
	ls | grep -q 'out\.bin\.tmp' && fail "a temporary file was left"
	expect_fail 1 "^ml-info: $refused_pattern" ml-info "$@" "$refused_file"
}

# Ragged rows: the line, and what was found against what the header has.
printf 'a,b,c\n1,2,3\n4,5\n6,7,8\n' > short.csv
refused 'short\.csv:3: row has 2 fields, header has 3$' short.csv
printf 'a,b,c\n1,2,3\n"x\ny",5,6,7\n' > long.csv
refused 'long\.csv:3: row has 4 fields, header has 3$' long.csv
printf 'a,b\n1,2\n3\n' > one.csv
refused 'one\.csv:3: row has 1 field, header has 2$' one.csv
printf 'a,b\r\n1,2\r\n\r\n"x\r\ny",2\r\n1,2,3\r\n' > crlf.csv
refused 'crlf\.csv:6: row has 3 fields, header has 2$' crlf.csv

# The wrong delimiter: a header of one field; rows of many, or of one.
printf 'a;b;c\n1,2,3\n' > semicolon.csv
refused "semicolon\\.csv:2: row has 3 fields, header has 1; is the delimiter ';'\\? try -d ';'$" semicolon.csv
printf 'a\tb\tc\n1,2,3\n' > tab.csv
refused "tab\\.csv:2: row has 3 fields, header has 1; is the delimiter '\\\\t'\\? try -d '\\\\t'$" tab.csv
printf 'a;b;c\n1;2;3\n4;5;6\n' > all_semicolon.csv
refused "all_semicolon\\.csv: only one column, named 'a;b;c'; is the delimiter wrong\\? try -d ';' or -d '\\\\t'$" all_semicolon.csv
# ... but not when the user chose the delimiter.
expect_fail 1 '^ml-load: semicolon\.csv:2: row has 3 fields, header has 1$' ml-load -d , semicolon.csv

# Quoting.
printf 'a,b\n1,2\n3,"4\n5,6\n' > unterminated.csv
refused 'unterminated\.csv:3: unterminated quoted field \(the input ends inside quotes\)$' unterminated.csv
printf 'a,b\n1,2\n3,4"5\n' > stray_quote.csv
refused 'stray_quote\.csv:3: malformed quoting \(a quote inside an unquoted field, or text after a closing quote; --quotes lenient reads a quote inside an unquoted field as text\)$' stray_quote.csv
# Lenient quotes read it as text, as pandas does, and the stage records the dialect.
run_ok ml-load --quotes lenient -t b --csv stray_quote.csv
printf 'a,b\n1,2\n3,"4""5"\n' | cmp -s - out || fail "lenient quotes"
run_ok ml-load --quotes lenient -t b --save lenient.load stray_quote.csv -o lenient.bin
grep -qx 'quotes lenient' lenient.load || fail "the stage does not record lenient quotes"
run_ok ml-load --load lenient.load --csv stray_quote.csv
grep -qx '3,"4""5"' out || fail "--load does not read with the recorded dialect"
expect_fail 1 'malformed quoting' ml-load --load lenient.load --quotes strict stray_quote.csv
printf 'a,b\n1,2\n3,"4"5\n' > after_quote.csv
refused 'after_quote\.csv:3: malformed quoting' after_quote.csv

# Empty input, from a file and from stdin; only blank lines; a lone BOM.
: > empty.csv
refused 'empty\.csv: empty input \(no header line\)$' empty.csv
# (Not < /dev/null: on a shared machine a program run as root with -o
# /dev/null once renamed a file over it.)
expect_fail 1 '^ml-load: stdin: empty input \(no header line\)$' sh -c 'ml-load < empty.csv'
expect_fail 1 '^ml-info: stdin: empty input \(no header line\)$' sh -c ': | ml-info'
printf '\n\r\n\n' > blank.csv
refused 'blank\.csv: empty input \(no header line\)$' blank.csv
printf '\357\273\277' > bom_only.csv
refused 'bom_only\.csv: empty input \(no header line\)$' bom_only.csv

# Names.
printf 'a,b,a\n1,2,3\n' > twice.csv
refused "twice\\.csv:1: column name 'a' appears twice$" twice.csv
printf ',b,c1\n1,2,3\n' > generated_twice.csv
refused "generated_twice\\.csv:1: column name 'c1' appears twice$" generated_twice.csv

# Files that are not there or not files.
refused 'missing\.csv: No such file or directory$' missing.csv
mkdir adir
refused 'adir: read error: Is a directory$' adir

# Options that name what is not there.
printf 'a,b\n1,2\n' > ok.csv
refused "ok\\.csv: no target column 'y' \\(the columns are 'a', 'b'\\)$" ok.csv -t y
expect_fail 1 "^ml-load: no column 'z' \\(columns: a, b\\)$" ml-load -c z ok.csv
expect_fail 1 "^ml-load: column range '3' is outside 1-2$" ml-load -x 3 ok.csv
expect_fail 1 "^ml-load: ok\\.csv: no columns left to load$" ml-load -x 1-2 ok.csv
expect_fail 1 "^ml-load: the target column 'a' cannot be dropped$" ml-load -t a -x a ok.csv

# A value that is not UTF-8 text.
printf 'a,b\n1,x\n2,caf\351\n' > latin1.csv
refused "latin1\\.csv:3: column 'b': value is not UTF-8 text \\(is this a CSV file\\?\\)$" latin1.csv

# Binary input is loaded already: options that choose how CSV is loaded
# are refused rather than ignored.
run_ok ml-load -t b ok.csv -o ok.bin
for option in '-c a' '-x a' '--categorical a' '--ordinal'; do
	# shellcheck disable=SC2086
	expect_fail 1 '^ml-load: ok\.bin: -c, -x, --categorical, --ordinal, --order, --drop-first and --drop-missing-target apply to CSV input \(this is a binary matrix, loaded already\)$' \
		ml-load $option --csv ok.bin
	[ -s out ] && fail "output written for $option on binary input"
done
# The target may be named again, or chosen when there is none.
run_ok ml-load -t b --csv ok.bin
run_ok ml-load ok.csv -o plain.bin
run_ok ml-load -t a plain.bin -o target.bin
run_ok ml-info target.bin
grep -qx 'target: a' out || fail "-t on binary input without a target"
