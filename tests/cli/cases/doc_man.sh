# Every man page renders without a groff warning; every man1 page has the
# sections a user looks for; and every option that a built program's
# --help lists is documented in its man1 page (written `\-\-name` or
# `--name` in the roff source).
. "$TESTS_DIR/lib.sh"
command -v groff >/dev/null 2>&1 || skip "groff is not installed"
man_dir=$(cd "$TESTS_DIR/../../man" && pwd)
problems=0
problem() {
	echo "$*"
	problems=$((problems + 1))
}
for page in "$man_dir"/man*/*.[0-9]; do
	[ -f "$page" ] || continue
	name=$(basename "$page")
	warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$warnings" ] || problem "$name: groff warns: $warnings"
	grep -q '^\.TH ' "$page" || problem "$name: no .TH line"
	for section in NAME DESCRIPTION "SEE ALSO"; do
		grep -Eq "^\.SH \"?$section\"?\$" "$page" || problem "$name: no $section section"
	done
done
for page in "$man_dir"/man1/*.1; do
	[ -f "$page" ] || continue
	name=$(basename "$page")
	program=${name%.1}
	for section in SYNOPSIS OPTIONS "EXIT STATUS"; do
		grep -Eq "^\.SH \"?$section\"?\$" "$page" || problem "$name: no $section section"
	done
	command -v "$program" >/dev/null 2>&1 || continue
	"$program" --help >help.txt 2>&1 || problem "$program --help exits non-zero"
	# ml-fit KIND --help lists each kind's own options.
	for kind in $(sed -n '/^Models:$/,/^$/s/^  \([a-z]*\) .*/\1/p' help.txt); do
		"$program" "$kind" --help >>help.txt 2>&1 ||
			problem "$program $kind --help exits non-zero"
	done
	for option in $(sed -n 's/^  \(-[A-Za-z0-9], \)\{0,1\} *--\([a-z0-9-]*\).*/\2/p' help.txt); do
		sed 's/\\-/-/g' "$page" | grep -Eq -- "--$option([^a-z0-9-]|\$)" ||
			problem "$name: option --$option (from $program --help) is not documented"
	done
done
[ $problems -eq 0 ] || fail "$problems problems in the man pages"
