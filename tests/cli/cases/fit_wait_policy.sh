# ml-fit runs OpenMP's threads waiting passively (OMP_WAIT_POLICY=passive)
# unless the user chose a policy or a spin count: -v names the one in force.
# Spinning threads doubled the time of tree fits on a shared machine.
. "$TESTS_DIR/lib.sh"
fit() {
	run_ok ml-fit linear -v -j 2 -t progression "$DATA_DIR/diabetes.csv" -o fitted.model
}

(unset OMP_WAIT_POLICY GOMP_SPINCOUNT; fit) || fail "ml-fit without a wait policy"
grep -q 'waiting: OMP_WAIT_POLICY=passive$' err || fail "no passive policy by default: $(cat err)"
cp fitted.model passive.model
OMP_WAIT_POLICY=active fit
grep -q 'waiting: OMP_WAIT_POLICY=active$' err || fail "the user's policy not kept: $(cat err)"
(unset OMP_WAIT_POLICY; GOMP_SPINCOUNT=1000 fit)
grep -q 'waiting: GOMP_SPINCOUNT=1000$' err || fail "the user's spin count not kept: $(cat err)"
grep -v '^command ' passive.model > a
grep -v '^command ' fitted.model > b
cmp a b || fail "the wait policy changed the model"
# The process run again keeps its name (ps, top, pkill), not "exe".
if [ -r /proc/self/comm ]; then
	mkfifo rows
	(unset OMP_WAIT_POLICY GOMP_SPINCOUNT; exec ml-fit linear -t progression -o piped.model - \
		< rows 2> fit.err) &
	pid=$!
	exec 3> rows
	name=$(name_once_run_again $pid 'OMP_WAIT_POLICY=passive')
	cat "$DATA_DIR/diabetes.csv" >&3
	exec 3>&-
	wait $pid || fail "ml-fit from a pipe failed: $(cat fit.err)"
	[ "$name" = ml-fit ] || fail "run again as '$name'"
fi
exit 0
