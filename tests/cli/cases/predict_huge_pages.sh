# A model file of 4 MiB or more is read onto huge pages: ml-predict runs
# itself again with GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432 (-v says so),
# with the same answers; never when the user set GLIBC_TUNABLES, nor for a
# smaller file or one that is not a regular file.
. "$TESTS_DIR/lib.sh"
FIXTURES="$TESTS_DIR/../fixtures/models"
model="$FIXTURES/forest-penguins.model"
data="$DATA_DIR/penguins.csv"
huge='a model this large is read onto huge pages: GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432'
run_ok ml-predict --proba "$model" "$data"
mv out plain
# Comment lines after the model make it large without changing it.
cp "$model" large.model
awk 'BEGIN { for (i = 0; i < 70000; i++) printf "# %060d\n", i }' >> large.model
[ "$(wc -c < large.model)" -ge 4194304 ] || fail "large.model is not 4 MiB"
run_ok ml-predict -v --proba large.model "$data"
cmp -s out plain || fail "huge pages changed the answers"
grep -qxF "ml-predict: $huge" err || { cat err >&2; fail "-v: no huge pages line"; }
[ "$(wc -l < err)" -eq 2 ] || { cat err >&2; fail "-v: not two lines"; }
# The process run again keeps its name (ps, top, pkill), not "exe".
if [ -r /proc/self/comm ]; then
	mkfifo requests
	ml-predict -l large.model < requests > served 2>&1 &
	pid=$!
	exec 3> requests
	# (glibc ends each tunable of the string it parsed with a NUL in place)
	name=$(name_once_run_again $pid 'GLIBC_TUNABLES=glibc.malloc.hugetlb=1')
	head -n 2 "$data" >&3
	exec 3>&-
	wait $pid || fail "the service failed: $(cat served)"
	[ "$name" = ml-predict ] || fail "run again as '$name'"
fi
# The user's GLIBC_TUNABLES is left alone.
run_ok env GLIBC_TUNABLES=glibc.malloc.check=0 ml-predict -v --proba large.model "$data"
cmp -s out plain || fail "answers differ with the user's GLIBC_TUNABLES"
! grep -q 'huge pages' err || fail "re-ran despite the user's GLIBC_TUNABLES"
# A small model, and a large one through a pipe, are read as they are.
run_ok ml-predict -v --proba "$model" "$data"
! grep -q 'huge pages' err || fail "huge pages for a small model"
cat large.model | run_ok ml-predict -v --proba /dev/stdin "$data"
cmp -s out plain || fail "answers differ with the model from a pipe"
! grep -q 'huge pages' err || fail "huge pages for a pipe"
