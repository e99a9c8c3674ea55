# Documentation examples are tests (after jq's tests/man.test): the
# EXAMPLES of every page in man/man1 and man/man7 run here, so a page
# cannot show a command or an output that the programs do not give.
#
# The convention, for whoever writes a page:
#
# - Only the EXAMPLES section counts (from `.SH EXAMPLES` to the next
#   `.SH`), and in it only the lines between `.EX` and `.EE`.  Lines that
#   start with `.` or `'` there are roff requests and are ignored.
# - A line starting with `$ ` is a command.  A command whose line ends
#   with a backslash goes on over the next line (a leading `> ` there is
#   dropped).  Write roff escapes as usual (`\-`, `\(aq`, `\e`, `\(dq`,
#   `\&`, `\fB`...): they are undone before the command runs.
# - A command must exit with status 0, unless its line ends with
#   `# fails`: then it must fail with a status from 1 to 125 (death by a
#   signal never counts as failing as expected).  A pipeline runs under
#   `bash -o pipefail` (or sh when there is no bash), so a failure
#   anywhere in it counts; a pipeline ended by SIGPIPE (status 141, as
#   with `| head`) counts as success.
# - The lines after a command, up to the next command or `.EE`, are what
#   it prints: its standard output followed by its standard error.  When
#   there are such lines, the output must match them exactly, except that
#   a line `...` stands for any number of lines.  When there are none,
#   the output is not checked.
# - The commands of one page run in order, in one fresh directory that
#   holds copies of tests/data/*.csv (iris.csv, penguins.csv, ...), so an
#   example may use files that an earlier example of the same page made.
#   The programs under test are first on PATH, standard input is
#   /dev/null, LC_ALL is C, and each command has 120 seconds.
# - A command that names an ml-* program that is not built skips the
#   rest of its page (reported as a note, not a failure).
#
# Pages without `$ ` lines in their examples are simply not tested.
. "$TESTS_DIR/lib.sh"

man_dir=$(cd "$TESTS_DIR/../../man" && pwd) || fail "no man directory"
work=$PWD
LC_ALL=C
export LC_ALL

# extract PAGE DIR: writes DIR/NNNN.cmd for each command, DIR/NNNN.expect
# when output is shown, DIR/NNNN.fails when it must fail.
extract() {
	awk -v dir="$2" -v q="'" '
	function unescape(s,    out, i, c, d, name, end) {
		out = ""
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c != "\\" || i == length(s)) { out = out c; continue }
			d = substr(s, ++i, 1)
			if (d == "-" || d == "." || d == q) out = out d
			else if (d == "e" || d == "\\") out = out "\\"
			else if (d == "&" || d == "|" || d == "^" || d == ")") out = out
			else if (d == " " || d == "~") out = out " "
			else if (d == "(" || d == "[") {
				if (d == "(") { name = substr(s, i + 1, 2); i += 2 }
				else { end = index(substr(s, i + 1), "]"); name = substr(s, i + 1, end - 1); i += end }
				out = out (name in glyph ? glyph[name] : "?")
			} else if (d == "f") {
				d = substr(s, i + 1, 1)
				if (d == "(") i += 3
				else if (d == "[") i += index(substr(s, i + 1), "]")
				else i += 1
			} else out = out d
		}
		return out
	}
	function flush_command() {
		if (command == "") return
		n++
		file = sprintf("%s/%04d", dir, n)
		printf "%s\n", command > (file ".cmd"); close(file ".cmd")
		if (command ~ /#[ \t]*fails[ \t]*$/) { printf "" > (file ".fails"); close(file ".fails") }
		command = ""
		expecting = 1
	}
	BEGIN {
		glyph["aq"] = q; glyph["dq"] = "\""; glyph["ga"] = "`"; glyph["ti"] = "~"
		glyph["ha"] = "^"; glyph["rs"] = "\\"; glyph["em"] = "--"; glyph["en"] = "-"
		glyph["lq"] = "\""; glyph["rq"] = "\""; glyph["oq"] = q; glyph["cq"] = q
		glyph["bu"] = "*"; glyph["mu"] = "x"; glyph["hy"] = "-"
	}
	/^\.SH/ { in_examples = ($0 ~ /^\.SH[ \t]+"?EXAMPLES?"?[ \t]*$/); in_block = 0; next }
	!in_examples { next }
	/^\.EX/ { in_block = 1; expecting = 0; continuing = 0; next }
	/^\.EE/ { flush_command(); in_block = 0; expecting = 0; next }
	!in_block || /^\./ || substr($0, 1, 1) == q { next }
	{
		line = unescape($0)
		if (continuing) {
			sub(/^> /, "", line)
			command = command "\n" line
			continuing = (line ~ /\\$/)
			if (!continuing) flush_command()
			next
		}
		if (line ~ /^\$ /) {
			command = substr(line, 3)
			continuing = (command ~ /\\$/)
			if (!continuing) flush_command()
			next
		}
		if (expecting) {
			file = sprintf("%s/%04d.expect", dir, n)
			print line >> file; close(file)
		}
	}' "$1"
}

# matches EXPECTED ACTUAL: ACTUAL has the lines of EXPECTED, where a line
# "..." stands for any number of lines.
matches() {
	awk 'NR == FNR { e[++m] = $0; next }
	{ a[++n] = $0 }
	END {
		ok[0, 0] = 1
		for (i = 1; i <= m; i++)
			ok[i, 0] = e[i] == "..." && ok[i - 1, 0]
		for (i = 1; i <= m; i++)
			for (j = 1; j <= n; j++)
				ok[i, j] = e[i] == "..." ? (ok[i - 1, j] || ok[i, j - 1]) \
					: (ok[i - 1, j - 1] && e[i] == a[j])
		exit !ok[m, n]
	}' "$1" "$2"
}

# built PROGRAM: true when the program under test exists.
built() {
	if [ -n "${BIN:-}" ]; then
		[ -x "$BIN/$1" ]
	else
		command -v "$1" >/dev/null 2>&1
	fi
}

run_shell() {
	if command -v timeout >/dev/null 2>&1; then
		set -- timeout 120 "$@"
	fi
	if command -v bash >/dev/null 2>&1; then
		"$@" bash -o pipefail -c "$command"
	else
		"$@" sh -c "$command"
	fi
}

pages=0 commands=0 failures=0 notes=0
for page in "$man_dir"/man1/*.1 "$man_dir"/man7/*.7; do
	[ -f "$page" ] || continue
	name=$(basename "$page")
	plan="$work/plan-$name"
	dir="$work/run-$name"
	mkdir -p "$plan" "$dir"
	extract "$page" "$plan" || fail "$name: cannot extract the examples"
	set -- "$plan"/*.cmd
	[ -f "$1" ] || continue
	pages=$((pages + 1))
	cp "$DATA_DIR"/*.csv "$dir"/
	for cmd_file in "$@"; do
		base=${cmd_file%.cmd}
		command=$(cat "$cmd_file")
		missing=
		for program in $(printf '%s\n' "$command" | tr -c 'a-z0-9-' '\n' | grep '^ml-' | sort -u); do
			built "$program" || missing="$missing $program"
		done
		if [ -n "$missing" ]; then
			echo "note: $name: not built:$missing; skipping from: $command"
			notes=$((notes + 1))
			break
		fi
		commands=$((commands + 1))
		(cd "$dir" && run_shell) </dev/null >"$work/stdout" 2>"$work/stderr"
		status=$?
		problem=
		if [ -f "$base.fails" ]; then
			[ $status -ge 1 ] && [ $status -le 125 ] ||
				problem="exit status $status, but the page says it fails"
		elif [ $status -ne 0 ] && [ $status -ne 141 ]; then
			problem="exit status $status"
		fi
		cat "$work/stdout" "$work/stderr" >"$work/actual"
		if [ -z "$problem" ] && [ -f "$base.expect" ] &&
			! matches "$base.expect" "$work/actual"; then
			problem="output differs from the page"
		fi
		if [ -n "$problem" ]; then
			failures=$((failures + 1))
			echo "FAIL: $name: \$ $command"
			echo "  $problem"
			if [ -f "$base.expect" ]; then
				diff -u "$base.expect" "$work/actual" | sed 's/^/  /'
			else
				sed 's/^/  | /' "$work/actual"
			fi
			break # later examples of the page may need this one
		fi
	done
done
echo "doc examples: $commands commands on $pages pages, $failures failed, $notes pages cut short"
[ $failures -eq 0 ] || fail "$failures documentation examples failed"
