# What reaches a terminal is escaped: a CSV whose column name, category
# and numeric field hold ESC [2J (clear screen) and ESC ] 0;... BEL (window
# title), and a file named with ESC, reach ml-info's output and every
# error message as \x1b..., never as raw control bytes.
. "$TESTS_DIR/lib.sh"
esc=$(printf '\033')
# no_raw FILE...: none of the files holds an ESC, BEL or CR byte.
no_raw() {
	for file in "$@"; do
		if tr -d '\n' < "$file" | grep -q "$(printf '[\033\007\r]')"; then
			cat -A "$file" >&2
			fail "a raw control character in $file"
		fi
	done
}
printf 'x%s[2Jy,kind,label\n1,a%s]0;pwned\007,p\n2,b,"q%s[2J"\n3,a%s]0;pwned\007,p\n4,b,"q%s[2J"\n' \
	"$esc" "$esc" "$esc" "$esc" "$esc" > hostile.csv

run_ok ml-info hostile.csv
no_raw out err
grep -qF 'x\x1b[2Jy' out || { cat out >&2; fail "the column name escaped"; }
grep -qF 'kind=a\x1b]0;pwned\x07' out || { cat out >&2; fail "the category escaped"; }

# Error messages: a column list, a field's text, a file name.
expect_fail 1 "no target column 'none'" ml-info -t none hostile.csv
no_raw out err
grep -qF "'x\\x1b[2Jy'" err || { cat err >&2; fail "the listed column escaped"; }
expect_fail 1 "holds classes" ml-fit linear -t label -o x.model hostile.csv
no_raw out err
expect_fail 1 "cannot open|No such file" ml-load "$(printf 'gone%s]0;pwned\007.csv' "$esc")"
no_raw out err
grep -qF 'gone\x1b]0;pwned\x07.csv' err || { cat err >&2; fail "the file name escaped"; }

# A model whose class names hold ESC: ml-info shows them escaped.
run_ok ml-fit logistic -t label hostile.csv -o hostile.model
run_ok ml-info hostile.model
no_raw out err
grep -qF 'q\x1b[2J' out || { cat out >&2; fail "the class name escaped"; }
# A request value with ESC in it: the error message on stderr escapes it.
printf 'x%s[2Jy,kind\n1%s[2J,a\n' "$esc" "$esc" > request.csv
expect_fail 1 "is not a number" ml-predict hostile.model request.csv
no_raw out err
grep -qF "'1\\x1b[2J' is not a number" err || { cat err >&2; fail "the field text escaped"; }
# Valid UTF-8 is kept as it is.
printf 'caf\303\251,y\n1,2\n' > utf8.csv
run_ok ml-info utf8.csv
grep -q "$(printf 'caf\303\251')" out || { cat out >&2; fail "UTF-8 kept"; }
exit 0
