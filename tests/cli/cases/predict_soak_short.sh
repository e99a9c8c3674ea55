# The soak of ml-predict -l (scripts/soak-service.sh), short: 20,000
# requests, 5% bad of every kind, each answered once, in order, as the
# batch run answers the good ones, in flat memory.
. "$TESTS_DIR/lib.sh"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 to drive the soak"
# A sanitizer build's quarantine holds freed memory (up to 256 MB): RSS
# cannot be flat there, the answers still are checked.  gcc links ASan's
# runtime as a library, clang into the program: both name __asan_init.
if grep -q __asan_init "$(command -v ml-predict)"; then
	export SOAK_RSS_SLACK=400000
fi
sh "$TESTS_DIR/../../scripts/soak-service.sh" 20000 > soak.log 2>&1 || {
	cat soak.log >&2
	fail "soak-service.sh 20000"
}
grep -q '^requests 20000, bad ' soak.log || { cat soak.log >&2; fail "no figures"; }
exit 0
