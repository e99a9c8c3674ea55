# CSV that must load: quoting, CRLF, a byte order mark (also one that
# arrives in pieces), blank lines, no header, other delimiters, missing
# values, number forms, header only, and numbers read the same in a
# decimal-comma locale.  Checked through ml-load --csv (NaN prints empty).
. "$TESTS_DIR/lib.sh"

loads_as() { # loads_as EXPECTED FILE [OPTION...]: ml-load --csv FILE prints EXPECTED
	loads_expected=$1 loads_file=$2
	shift 2
	run_ok ml-load --csv "$@" "$loads_file"
	printf "$loads_expected" | cmp -s - out || {
		printf "$loads_expected" | diff -u - out >&2; fail "ml-load --csv $* $loads_file"; }
}

# Quoted fields: delimiters, doubled quotes, newlines; a quoted number is a number.
printf 'name,v\n"a,b","1"\n"line\nbreak",2\n"say ""hi""",3\n' > quoted.csv
loads_as '"name=a,b","name=line\nbreak","name=say ""hi""",v\n1,0,0,1\n0,1,0,2\n0,0,1,3\n' quoted.csv

# CRLF, a BOM, blank lines in the middle and at the end: all the same data.
printf 'a,b\n1,2\n3,4\n' > plain.csv
printf 'a,b\r\n1,2\r\n3,4\r\n' > crlf.csv
printf '\357\273\277a,b\n1,2\n3,4\n' > bom.csv
printf '\357\273\277a,b\r\n\r\n1,2\r\n\n\n3,4\n\n\r\n\n' > everything.csv
printf 'a,b\n1,2\n3,4' > no_final_newline.csv
for file in plain crlf bom everything no_final_newline; do
	loads_as 'a,b\n1,2\n3,4\n' $file.csv
done
run_ok ml-load plain.csv -o plain.bin
for file in crlf bom everything no_final_newline; do
	run_ok ml-load $file.csv -o $file.bin
	cmp -s plain.bin $file.bin || fail "$file.csv loads differently from plain.csv"
done
# A BOM whose bytes come one read at a time (a slow writer on a pipe).
run_ok sh -c "{ printf '\\357'; sleep 1; printf '\\273'; sleep 1; printf '\\277a,b\\n1,2\\n3,4\\n'; } | ml-load -o slow.bin"
cmp -s plain.bin slow.bin || fail "a BOM in pieces loads differently"
# Bytes that merely start like a BOM are text (not UTF-8 here: refused).
printf '\357\273a,b\n1,2\n' > half_bom.csv
expect_fail 1 'half_bom\.csv:1: column 1: name is not UTF-8 text' ml-load half_bom.csv

# No header: the first line is data, the columns are c1..cN.
printf '1,2,3\n4,5,6\n' > no_header.csv
loads_as 'c1,c2,c3\n1,2,3\n4,5,6\n' no_header.csv --no-header
# An empty name in a header becomes its position.
printf 'a,,c\n1,2,3\n' > unnamed.csv
loads_as 'a,c2,c\n1,2,3\n' unnamed.csv

# Other delimiters; the comma is then text, and a decimal comma is no number.
printf 'a;b\n1.5;x\n2;"y;z"\n' > semicolon.csv
loads_as 'a,b=x,b=y;z\n1.5,1,0\n2,0,1\n' semicolon.csv -d ';'
printf 'a;b\n1,5;2\n' > decimal_comma.csv
loads_as '"a=1,5",b\n1,2\n' decimal_comma.csv -d ';'
printf 'a\tb\n1\t2\n\t3\n' > tab.csv
loads_as 'a,b\n1,2\n,3\n' tab.csv -d '\t'
loads_as 'a,b\n1,2\n,3\n' tab.csv -d tab
printf 'a|b\n1|2\n' > pipe.csv
loads_as 'a,b\n1,2\n' pipe.csv -d '|'

# Missing values: empty, NA, NaN, nan and ? are NaN (printed empty); 0 stays 0.
printf 'a,b\n,1\nNA,2\nNaN,3\nnan,4\n?,5\n0,6\n-0,7\n' > missing.csv
loads_as 'a,b\n,1\n,2\n,3\n,4\n,5\n0,6\n-0,7\n' missing.csv
# --na replaces the list ("" stays missing): NA and ? are then categories.
printf 'a,b\n-,1\nNA,2\n?,3\n,4\n0,5\n' > other_missing.csv
loads_as 'a=0,a=?,a=NA,b\n,,,1\n0,0,1,2\n0,1,0,3\n,,,4\n1,0,0,5\n' other_missing.csv --na '-'
loads_as 'a,b\n,1\n,2\n,3\n,4\n0,5\n' other_missing.csv --na '-,NA,?'
loads_as 'a=-,a=0,a=?,a=NA,b\n1,0,0,0,1\n0,0,0,1,2\n0,0,1,0,3\n,,,,4\n0,1,0,0,5\n' other_missing.csv --na ''

# Numbers: exponents, signs, a leading or trailing point, infinities,
# exact nearest doubles, overflow to inf, underflow to 0.
printf 'x\n1e3\n-2.5E-3\n.5\n5.\n+7\ninf\n-Infinity\n0.1\n9007199254740993\n1.7976931348623157e308\n1e400\n4.9e-324\n1e-400\n00012\n' > numbers.csv
loads_as 'x\n1000\n-0.0025\n0.5\n5\n7\ninf\n-inf\n0.1\n9007199254740992\n1.7976931348623157e+308\ninf\n5e-324\n0\n12\n' numbers.csv

# Header only: no rows, which is valid.
printf 'a,b\n' > header_only.csv
loads_as 'a,b\n' header_only.csv
run_ok ml-load header_only.csv -o empty.bin
run_ok ml-info empty.bin
grep -qx 'rows: 0' out || fail "ml-info: header-only data is not 0 rows"
loads_as 'a,b\n' empty.bin

# A decimal-comma locale changes nothing: numbers are read and written in
# the C locale.  de_DE.UTF-8 if installed, else compiled here with localedef.
locale_ok() { [ "$(LC_ALL=de_DE.UTF-8 /usr/bin/printf '%.1f' 1.5 2>/dev/null)" = "1,5" ]; }
if ! locale_ok && command -v localedef >/dev/null; then
	mkdir locales
	LOCPATH=$PWD/locales
	export LOCPATH
	localedef -i de_DE -f UTF-8 "$LOCPATH/de_DE.UTF-8" 2>/dev/null || unset LOCPATH
fi
if locale_ok; then
	printf 'a,b\n1.5,x\n2.25,"1,5"\n1e3,y\n' > c_numbers.csv
	LC_ALL=C ml-load --csv c_numbers.csv > c.out 2>&1 || fail "C locale"
	LC_ALL=de_DE.UTF-8 ml-load --csv c_numbers.csv > de.out 2>&1 || fail "de_DE locale"
	cmp -s c.out de.out || { diff -u c.out de.out >&2; fail "the locale changed the output"; }
	grep -qx '1.5,0,1,0' de.out || fail "1.5 misread under de_DE"
	LC_ALL=de_DE.UTF-8 ml-info c_numbers.csv > de_info.out || fail "ml-info under de_DE"
	grep -q ' 334.583 .* 1.5 ' de_info.out || fail "ml-info printed a decimal comma"
else
	echo "no de_DE.UTF-8 locale: the locale check was skipped" >&2
fi
