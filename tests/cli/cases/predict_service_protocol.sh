# ml-predict -l keeps its protocol: every request line, whatever it holds
# (a blank line, a quote left open, a bare CR, a 2 MiB field, a line over
# 16 MiB), gets exactly one answer line, in order; answers never hold a
# line break (class names with CR, LF or ESC come escaped); a header that
# lacks a model column gets an error line on stdout before the exit.
. "$TESTS_DIR/lib.sh"
run_ok ml-fit logistic -t species "$DATA_DIR/iris.csv" -o iris.model
header=sepal_length,sepal_width,petal_length,petal_width
{
	printf '%s\n' "$header"
	printf '5.1,3.5,1.4,0.2\n'
	printf '\n'
	printf '5.1,"3.5,1.4,0.2\n'
	printf '5.1,3.5,1.4,0.2\n'
	printf '5.1,3.5\r,1.4,0.2\n'
	printf '"5.1",3.5,1.4,0.2\r\n'
	printf '5.1,'; head -c 2097152 /dev/zero | tr '\0' 9; printf ',1.4,0.2\n'
	printf '6.3,3.3,6,2.5\n'
	head -c 524287 /dev/zero | tr '\0' 7 > field # fields of 512 KiB: only the line is too long
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 \
		31 32 33 34; do cat field; printf ,; done; printf '\n'
	printf '5.1,x,1.4,0.2\n'
	printf '5.1,3.5,1.4\n'
	printf '6.3,3.3,6,2.5'
} > requests.csv
ml-predict -l iris.model < requests.csv > out 2>err
status=$?
[ $status -eq 0 ] || { cat err >&2; fail "ml-predict -l exited with $status"; }
cat > want <<'END'
prediction
setosa
error: stdin:3: blank line (a request is one CSV row)
error: stdin:4: unterminated quoted field (a request is one line)
setosa
error: stdin:6: CR inside a line (a request ends with LF or CRLF only)
setosa
error: stdin:8: field longer than 1 MiB
virginica
error: stdin:10: line longer than 16 MiB
error: stdin:11: column 'sepal_width': 'x' is not a number
error: stdin:12: row has 3 fields, header has 4
virginica
END
cmp want out || { diff want out >&2; fail "one answer per request line"; }
[ "$(grep -c '^ml-predict: stdin:' err)" -eq 7 ] || { cat err >&2; fail "each error logged"; }

# The header lacks a column: an error line on stdout, the message on stderr, exit 1.
printf 'sepal_length,sepal_width,petal_width\n5,3,1\n' > short.csv
expect_fail 1 "^ml-predict: stdin: no column 'petal_length' \\(needed by 'iris.model'\\)$" \
	sh -c 'ml-predict -l iris.model < short.csv'
printf "error: stdin: no column 'petal_length' (needed by 'iris.model')\n" | cmp - out ||
	fail "the missing column as an error line"
# A batch run writes nothing there.
expect_fail 1 "no column 'petal_length'" ml-predict iris.model short.csv
[ -s out ] && fail "batch output after a header error"

# Class names with LF, CR and ESC (quoted CSV lets them in): escaped, one line per answer.
printf 'a,b,y\n1,2,"x\ny"\n3,4,"p\rq"\n1,2,"x\ny"\n3,5,"p\rq"\n9,9,"\033[2J"\n' > classes.csv
run_ok ml-fit logistic -t y classes.csv -o classes.model
printf 'a,b\n1,2\n3,4\n9,9\n' | ml-predict -l --proba classes.model > out || fail "classes"
[ "$(wc -l < out)" -eq 4 ] || { cat out >&2; fail "one line per answer"; }
head -1 out | grep -qx 'prediction,p_\\x1b\[2J,p_p\\x0dq,p_x\\x0ay' ||
	{ cat out >&2; fail "the header's class names escaped"; }
cut -d, -f1 out | tail -3 | tr '\n' ' ' | grep -qx 'x\\x0ay p\\x0dq \\x1b\[2J ' ||
	{ cat out >&2; fail "the answers' class names escaped"; }
tr -d '\n' < out | grep -q "$(printf '[\r\033]')" && fail "a raw control character in answers"
exit 0
