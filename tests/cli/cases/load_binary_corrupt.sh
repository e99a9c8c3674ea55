# Corrupt binary matrices, each written here field by field: every one
# ends with exit 1 and a message naming the file and what is wrong, and
# none makes the reader allocate what its header claims.
. "$TESTS_DIR/lib.sh"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 to write binary headers"

/usr/bin/python3 - <<'PY'
import struct

def header(version=1, n_columns=2, dtype=1, rows=1, target=0xffffffff, names=b'a\0b\0',
           stages=b'', reserved=0, length=None, pad=b'\0'):
    used = 48 + len(names) + len(stages)
    total = (used + 7) // 8 * 8 if length is None else length
    fixed = struct.pack('<8sIIIIQIIII', b'\x89MLPIPE\n', version, total, n_columns, dtype,
                        rows, target, len(names), len(stages), reserved)
    return fixed + names + stages + pad * (total - used if length is None else 0)

row = struct.pack('<2d', 1.5, -2.0)
wide = 100000
wide_names = b''.join(b'c%d\0' % i for i in range(wide))
files = {
    'good': header() + row,
    'unknown_rows': header(rows=2**64 - 1) + row + row,
    'version2': header(version=2) + row,
    'version0': header(version=0) + row,
    'dtype': header(dtype=2) + row,
    'reserved': header(reserved=1) + row,
    'padding': header(names=b'a\0b\0c\0', n_columns=3, pad=b'x') + row + row[:8],
    'header_short': header()[:30],
    'header_body_short': header()[:52],
    'row_short': header() + row[:12],
    'unknown_row_short': header(rows=2**64 - 1) + row + row[:3],
    'columns_zero': header(n_columns=0) + row,
    'columns_huge': header(n_columns=2**31) + row,
    'length_huge': header(length=2**32 - 8) + row,
    'length_odd': header(length=60) + row,
    'length_short': header(length=48) + row,
    'target_outside': header(target=2) + row,
    'names_fewer': header(n_columns=3) + row,
    'names_more': header(n_columns=1) + row,
    'names_twice': header(names=b'a\0a\0') + row,
    'names_empty': header(names=b'\0b\0\0') + row,
    'names_not_utf8': header(names=b'\xffa\0b\0') + row,
    'stages_unknown': header(stages=b'stage bogus\n') + row,
    'stages_not_utf8': header(stages=b'stage load\ninputs 2 \xff b\n') + row,
    'stages_truncated': header(stages=b'stage load\ninputs 2 a b\ntarget none\n') + row,
    'stages_columns': header(stages=b'stage load\ninputs 1 a\ntarget none\nmissing 0\nend\n') + row,
    'stages_two_loads': header(stages=2 * b'stage load\ninputs 2 a b\ntarget none\nmissing 0\nend\n') + row,
    'rows_more': header(rows=3) + row,
    'rows_fewer': header(rows=1) + row + row,
    'rows_zero_extra': header(rows=0) + row[:1],
    'wide_declared': header(n_columns=wide, names=wide_names, rows=60000),
    'wide_unknown': header(n_columns=wide, names=wide_names, rows=2**64 - 1)
                    + struct.pack('<%dd' % wide, *range(wide)),
}
for name, data in files.items():
    open(name + '.bin', 'wb').write(data)
PY

run_ok ml-load --csv good.bin
printf 'a,b\n1.5,-2\n' | cmp - out || fail "good.bin reads wrong"
run_ok ml-load --csv unknown_rows.bin
printf 'a,b\n1.5,-2\n1.5,-2\n' | cmp - out || fail "unknown_rows.bin reads wrong"

bad() { # bad FILE PATTERN: both readers refuse FILE.bin with PATTERN
	expect_fail 1 "^ml-load: $1\\.bin: $2" ml-load --csv "$1.bin"
	expect_fail 1 "^ml-info: $1\\.bin: $2" ml-info "$1.bin"
}
# The first bytes decide the format: a truncated magic, or a file that
# starts with the magic's first byte (0x89, never text) but is not ours.
printf '\211MLPI' > magic_short.bin
bad magic_short 'truncated binary header \(the input ends inside the magic\)$'
printf '\211' > magic_byte.bin
bad magic_byte 'truncated binary header \(the input ends inside the magic\)$'
printf '\211PNG\r\n\032\n\0\0\0\rIHDR' > png.bin
bad png 'not an mlpipe binary matrix \(bad magic\), nor CSV text$'
printf '\211MLPIPE\r\0\0\0\0' > magic_crlf.bin
bad magic_crlf 'not an mlpipe binary matrix \(bad magic\), nor CSV text$'
expect_fail 1 '^ml-load: stdin: truncated binary header' sh -c "printf '\\211ML' | ml-load"

bad version2 'binary format version 2; this mlpipe reads version 1 \(made by a newer mlpipe\?\)$'
bad version0 'binary format version 0; this mlpipe reads version 1$'
bad dtype 'unsupported dtype 2 \(only 1, float64\)$'
bad reserved 'corrupt header: reserved field is not zero$'
bad padding 'corrupt header: padding is not zero$'
bad header_short 'truncated header$'
bad header_body_short 'truncated header$'
bad row_short 'truncated row 1 \(12 of 16 bytes\)$'
bad unknown_row_short 'truncated row 2 \(3 of 16 bytes\)$'
bad columns_zero 'corrupt header: 0 columns \(1 to 1048576 allowed\)$'
bad columns_huge 'corrupt header: 2147483648 columns \(1 to 1048576 allowed\)$'
bad length_huge 'corrupt header: header length 4294967288 does not fit its parts$'
bad length_odd 'corrupt header: header length 60 does not fit its parts$'
bad length_short 'corrupt header: header length 48 does not fit its parts$'
bad target_outside 'corrupt header: target column 2 of 2$'
bad names_fewer 'corrupt header: 3 column names expected, found 2$'
bad names_more 'corrupt header: extra bytes after the column names$'
bad names_twice "corrupt header: column name 'a' appears twice$"
bad names_empty 'corrupt header: column 1 has an empty, overlong or non-UTF-8 name$'
bad names_not_utf8 'corrupt header: column 1 has an empty, overlong or non-UTF-8 name$'
bad stages_unknown "header stages:1: unknown stage kind 'bogus'$"
bad stages_not_utf8 'header stages:2: not UTF-8 text$'
bad stages_truncated "header stages:4: unexpected end of text, expected 'missing'$"
bad stages_columns 'corrupt header: the columns are not what the last stage makes$'
bad stages_two_loads "header stages:6: stage 'load' can only come first \\(it reads CSV text\\)$"
bad rows_more 'truncated: the header declares 3 rows, found 1$'
bad rows_fewer 'data after the 1 rows the header declares$'
bad rows_zero_extra 'data after the 0 rows the header declares$'
bad wide_declared 'truncated: the header declares 60000 rows, found 0$'

# Absurd sizes allocate nothing big: under a 200 MB address-space limit a
# header claiming 2^31 columns, a 4 GiB header or 60000 rows of 100000
# columns fails on its own terms, and one real 100000-column row (800 kB)
# reads.  (AddressSanitizer cannot run under ulimit -v: skipped then.)
# OpenBLAS alone reserves some 90 MB per thread at start-up: one thread.
OPENBLAS_NUM_THREADS=1
export OPENBLAS_NUM_THREADS
if (ulimit -v 200000 && ml-load --version) >/dev/null 2>&1; then
	small() { sh -c 'ulimit -v 200000; exec "$@"' sh "$@"; }
	expect_fail 1 '2147483648 columns' small ml-load --csv columns_huge.bin
	expect_fail 1 'header length 4294967288' small ml-load --csv length_huge.bin
	expect_fail 1 'declares 60000 rows, found 0$' small ml-load --csv wide_declared.bin
	expect_fail 1 'declares 60000 rows, found 0$' small ml-info wide_declared.bin
	run_ok small ml-load --csv wide_unknown.bin
	[ "$(sed -n '2s/.*,//p' out)" = 99999 ] || fail "the wide row reads wrong"
else
	echo "ulimit -v does not work with these programs: no memory-limit checks" >&2
fi
