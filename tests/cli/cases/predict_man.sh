# man/man1/ml-predict.1: renders without a groff warning, documents every
# option of --help, and its EXAMPLES run and print what the page shows.
# The examples follow the convention of the documentation tests: in
# .EX/.EE blocks of EXAMPLES, "$ " starts a command (a trailing backslash
# continues it on the next line, after "> "), "# fails" at its end means
# it must exit 1..125, and the lines after it are its stdout then stderr,
# exactly.  (tests/cli/cases/doc_examples.sh on main runs every page so.)
# Commands run in order in one directory holding tests/data/*.csv.
. "$TESTS_DIR/lib.sh"
page="$TESTS_DIR/../../man/man1/ml-predict.1"
[ -f "$page" ] || fail "no man page"
if command -v groff >/dev/null 2>&1; then
	warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$warnings" ] || fail "groff warns: $warnings"
fi
ml-predict --help > help.txt || fail "--help"
for option in $(sed -n 's/^  \(-[A-Za-z0-9], \)\{0,1\} *--\([a-z0-9-]*\).*/\2/p' help.txt); do
	sed 's/\\-/-/g' "$page" | grep -Eq -- "--$option([^a-z0-9-]|\$)" ||
		fail "option --$option is not in the man page"
done

mkdir plan run
cp "$DATA_DIR"/*.csv run/
awk -v dir=plan -v q="'" '
	function unescape(s) {
		gsub(/\\\(aq/, q, s); gsub(/\\\(dq/, "\"", s); gsub(/\\-/, "-", s)
		gsub(/\\&/, "", s); gsub(/\\e/, "\\", s)
		return s
	}
	function flush() {
		if (command == "") return
		n++
		printf "%s\n", command > (dir "/" n ".cmd"); close(dir "/" n ".cmd")
		command = ""; expecting = 1
	}
	/^\.SH/ { examples = $0 ~ /^\.SH EXAMPLES/; block = 0; next }
	!examples { next }
	/^\.EX/ { block = 1; expecting = 0; next }
	/^\.EE/ { flush(); block = 0; next }
	!block || /^\./ { next }
	{
		line = unescape($0)
		if (continuing) {
			sub(/^> /, "", line); command = command "\n" line
			if (!(continuing = line ~ /\\$/)) flush()
		} else if (line ~ /^\$ /) {
			command = substr(line, 3)
			if (!(continuing = command ~ /\\$/)) flush()
		} else if (expecting) {
			print line >> (dir "/" n ".expect"); close(dir "/" n ".expect")
		}
	}' "$page"
i=1
while [ -f "plan/$i.cmd" ]; do
	command=$(cat "plan/$i.cmd")
	(cd run && bash -o pipefail -c "$command") < /dev/null > stdout 2> stderr
	status=$?
	if grep -q '# fails$' "plan/$i.cmd"; then
		[ $status -ge 1 ] && [ $status -le 125 ] || fail "exit $status, but should fail: $command"
	else
		# 141: SIGPIPE in a pipeline ended by head, as in a shell.
		[ $status -eq 0 ] || [ $status -eq 141 ] ||
			{ cat stderr >&2; fail "exit $status: $command"; }
	fi
	if [ -f "plan/$i.expect" ]; then
		cat stdout stderr | diff -u "plan/$i.expect" - >&2 || fail "output differs: $command"
	fi
	i=$((i + 1))
done
[ $i -gt 10 ] || fail "only $((i - 1)) example commands found"
