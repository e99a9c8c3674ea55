# Replacing a file keeps its mode and group (and, for root, its owner); a
# new file gets 0666 less the umask, as open(2) would make it; a symbolic
# link is written through (its target replaced, the link kept), and one
# that leads to a file yet to be made makes it, as open(2) would (mlpipe(7)).
. "$TESTS_DIR/lib.sh"
iris=$DATA_DIR/iris.csv
mode() { stat -c %a "$1"; }

# New files under the umask: -o, --save, a model, ml-split's parts.
(umask 077 && ml-fit logistic -t species -o new.model "$iris" && ml-load --save new.load \
	-o new.bin "$iris" && ml-split "$iris" new.train new.test) || fail "writing new files"
for file in new.model new.load new.bin new.train new.test; do
	[ "$(mode $file)" = 600 ] || fail "$file: mode $(mode $file) under umask 077"
done
(umask 022 && ml-fit linear -t sepal_length -o open.model "$iris") || fail "umask 022"
[ "$(mode open.model)" = 644 ] || fail "open.model: mode $(mode open.model) under umask 022"

# A 0600 model stays 0600 (it would have become world-readable), a 0640 one keeps its group.
echo old > private.model
chmod 600 private.model
run_ok ml-fit logistic -t species -o private.model "$iris"
head -1 private.model | grep -q '^mlpipe ' || fail "private.model not replaced"
[ "$(mode private.model)" = 600 ] || fail "private.model: mode $(mode private.model), was 600"
for output in "ml-load -o" "ml-load --save" "ml-scale -o"; do
	echo old > shared.out
	chmod 640 shared.out
	run_ok sh -c "$output shared.out '$iris' > /dev/null"
	[ "$(cat shared.out)" != old ] || fail "$output: not replaced"
	[ "$(mode shared.out)" = 640 ] || fail "$output: mode $(mode shared.out), was 640"
done
if [ "$(id -u)" = 0 ]; then
	echo old > owned.model
	chown 1:2 owned.model
	chmod 664 owned.model
	run_ok ml-fit logistic -t species -o owned.model "$iris"
	[ "$(stat -c %u:%g:%a owned.model)" = 1:2:664 ] ||
		fail "owned.model: $(stat -c %u:%g:%a owned.model), was 1:2:664"
else
	other=$(id -G | tr ' ' '\n' | grep -vx "$(id -g)" | head -1)
	if [ -n "$other" ]; then
		echo old > grouped.model
		chgrp "$other" grouped.model
		run_ok ml-fit logistic -t species -o grouped.model "$iris"
		[ "$(stat -c %g grouped.model)" = "$other" ] || fail "grouped.model lost its group"
	fi
fi

# A symbolic link is written through: the target is replaced, the link stays.
mkdir models
echo old > models/real.model
ln -s models/real.model link.model
run_ok ml-fit logistic -t species -o link.model "$iris"
[ -L link.model ] || fail "the link was replaced by a regular file"
head -1 models/real.model | grep -q '^mlpipe ' || fail "the link's target was not replaced"
run_ok ml-load --save link.model -o link.bin "$iris"
[ -L link.model ] || fail "--save replaced the link"
grep -q 'load' models/real.model || fail "--save did not write through the link"
ln -s models/real.bin bin.link
run_ok ml-load -o bin.link "$iris"
[ -L bin.link ] && [ -s models/real.bin ] || fail "-o did not write through the link"
! ls -a . models | grep -q '\.tmp' || fail "a temporary file was left: $(ls -a . models)"
# A link into a directory that does not exist: an error, and the link stays.
ln -s models/absent/x.model dangling.model
expect_fail 1 '^ml-fit: models/absent/x\.model: cannot create a temporary file beside it: ' \
	ml-fit logistic -t species -o dangling.model "$iris"
[ -L dangling.model ] || fail "the dangling link was replaced"
# A chain of links, relative to each link's directory.
mkdir -p a/b
ln -s b/c.link a/chain.link
ln -s ../../models/chained.model a/b/c.link
run_ok ml-load -o a/chain.link "$iris"
[ -L a/chain.link ] && [ -L a/b/c.link ] && [ -s models/chained.model ] ||
	fail "a chain of links was not written through"
