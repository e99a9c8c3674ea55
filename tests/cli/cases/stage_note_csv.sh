# CSV carries no stages: a stage fitted and written as CSV by default (to a
# pipe or a file) is lost, and a model fitted on that CSV would score new
# data without it.  The filter says so once, unless --csv (CSV wanted),
# --save (the stage kept) or binary output makes it moot.
. "$TESTS_DIR/lib.sh"
iris="$DATA_DIR/iris.csv"
note="note: CSV does not carry the scale stage"

ml-scale -t species "$iris" > scaled.csv 2> err || fail "ml-scale"
[ "$(grep -c "$note" err)" -eq 1 ] || { cat err >&2; fail "no note (or more than one)"; }
ml-scale -t species "$iris" 2> err | ml-fit logistic -t species -o m 2> /dev/null ||
	fail "the pipeline from the issue"
grep -q "$note" err || fail "no note in a pipeline"
for quiet in "--csv" "--save s.scale" "--bin -o s.bin"; do
	ml-scale -t species $quiet "$iris" > out 2> err || fail "ml-scale $quiet"
	[ -s err ] && { cat err >&2; fail "a note with $quiet"; }
done
ml-poly -t species "$iris" > poly.csv 2> err || fail "ml-poly"
grep -q "note: CSV does not carry the poly stage" err || fail "no note from ml-poly"
# Binary in, binary out: nothing to say.
ml-load -t species "$iris" | ml-scale > s2.bin 2> err || fail "binary scale"
[ -s err ] && { cat err >&2; fail "a note for binary output"; }
exit 0
