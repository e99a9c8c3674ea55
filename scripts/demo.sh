#!/bin/sh
# A short tour of mlpipe on the bundled iris data, run by `make demo`:
#   BIN=build sh scripts/demo.sh
# Prints each command before its output.  Works in a temporary directory
# that it removes at the end.  Steps that need a program that is not
# built yet (ml-split, ml-scale, ml-poly, ml-fit, ml-predict, ml-eval)
# are skipped or done with awk, with a note.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "${BIN:-$here/../build}" && pwd)
data="$here/../tests/data"
PATH="$BIN:$PATH"
export PATH

work=$(mktemp -d "${TMPDIR:-/tmp}/mlpipe-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cp "$data/iris.csv" "$work/"

# section TITLE: a header for the next steps.
section() {
	printf '\n== %s ==\n' "$1"
}

# step COMMAND: shows the command, then runs it in the work directory.
step() {
	printf '$ %s\n' "$1"
	(cd "$work" && sh -c "set -eu; $1")
}

# built PROGRAM: true when PROGRAM is in $BIN.
built() {
	[ -x "$BIN/$1" ]
}

note() {
	printf '(%s)\n' "$*"
}

echo "mlpipe demo: programs from $BIN, work in $work"
ml-load --version

section "split iris into training and test rows"
if built ml-split; then
	step "ml-split -v -s 1 --stratify -t species --test 0.2 iris.csv train.csv test.csv"
else
	note "ml-split is not built yet: every fifth row for testing"
	step "awk 'NR == 1 || NR % 5' iris.csv > train.csv"
	step "awk 'NR == 1 || NR % 5 == 0' iris.csv > test.csv"
fi
step "wc -l train.csv test.csv"

section "load iris"
step "ml-load -t species --save iris.load train.csv > train.bin"
step "ml-load --csv train.bin | head -4"

section "inspect the binary file and the saved load stage"
step "ml-info train.bin"
step "ml-info --stages iris.load"

section "load the held-out rows with the saved stage"
step "ml-load --load iris.load test.csv > test.bin"
step "ml-info test.bin | head -7"

section "scale and expand"
features="ml-load -t species train.csv"
if built ml-scale; then
	features="$features | ml-scale"
else
	note "ml-scale is not built yet: no scaling"
fi
if built ml-poly; then
	features="$features | ml-poly -d 2"
else
	note "ml-poly is not built yet: no polynomial features"
fi
if [ "$features" != "ml-load -t species train.csv" ]; then
	step "$features > features.bin"
	step "ml-info features.bin | head -12"
fi

section "fit a logistic regression"
if built ml-fit; then
	step "$features | ml-fit logistic -o iris.model"
	step "head -3 iris.model"
else
	note "ml-fit is not built yet: skipping the model"
fi

section "predict the held-out rows from their raw CSV"
if built ml-fit && built ml-predict; then
	step "ml-predict iris.model test.csv > predicted.csv"
	step "head -5 predicted.csv"
	step "ml-predict --proba iris.model test.csv | head -5"
	if built ml-eval; then
		section "score the predictions"
		step "ml-predict --append --proba iris.model test.csv | ml-eval -t species"
	else
		note "ml-eval is not built yet: counting right answers with awk"
		rows=$(($(wc -l <"$work/test.csv") - 1))
		step "tail -n $rows predicted.csv | cut -d, -f1 > predicted-species
tail -n $rows test.csv | cut -d, -f5 > true-species
paste -d ' ' predicted-species true-species |
	awk '{ right += \$1 == \$2 } END { printf \"accuracy on the test rows: %d/%d\\n\", right, NR }'"
	fi
else
	note "ml-fit or ml-predict is not built yet: skipping the predictions"
fi

printf '\n== done ==\n'
