# Saved stages apply by position, so a binary input whose columns are not
# the ones the first stage still to apply takes is refused: a 4-column
# poly stage file on a 1-column matrix is an error, not garbage.
. "$TESTS_DIR/lib.sh"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 to write a binary matrix"
/usr/bin/python3 - <<'PY'
import struct

def matrix(path, names, values):
    used = 48 + len(names)
    total = (used + 7) // 8 * 8
    n_columns = names.count(b'\0')
    fixed = struct.pack('<8sIIIIQIIII', b'\x89MLPIPE\n', 1, total, n_columns, 1,
                        len(values) // n_columns, 0xffffffff, len(names), 0, 0)
    data = struct.pack('<%dd' % len(values), *values)
    open(path, 'wb').write(fixed + names + b'\0' * (total - used) + data)

matrix('one.bin', b'a\0', [1.5, -2.0, 4.0])
matrix('four.bin', b'a\0b\0c\0d\0', [1, 2, 3, 4])
PY
printf 'mlpipe 2\nstage poly\ninputs 4 a b c d\ntarget none\ndegree 2\ninteraction-only false\nbias false\nexpand 4 a b c d\nend\n' > four.stages
run_ok ml-load --csv one.bin
printf 'a\n1.5\n-2\n4\n' | cmp -s - out || fail "one.bin is not the 1-column matrix it should be"
expect_fail 1 "^ml-poly: one.bin: its columns are not the ones stage 1 of 'four.stages' takes$" \
	ml-poly --load four.stages one.bin
[ -s out ] && fail "output written from a refused input"
# The same stage file on a matrix with those four columns works.
run_ok ml-poly --load four.stages --csv four.bin
printf 'a,b,c,d,a^2,a*b,a*c,a*d,b^2,b*c,b*d,c^2,c*d,d^2\n1,2,3,4,1,2,3,4,4,6,8,9,12,16\n' |
	cmp -s - out || { cat out >&2; fail "poly on four.bin"; }
exit 0
