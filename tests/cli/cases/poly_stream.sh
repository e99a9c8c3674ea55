# Binary input streams through ml-poly block by block: the same result as
# the in-memory CSV path, and memory that does not grow with the input.
. "$TESTS_DIR/lib.sh"
run_ok ml-poly -t species -d 3 --csv "$DATA_DIR/iris.csv"
mv out direct.csv
ml-load -t species "$DATA_DIR/iris.csv" | ml-poly -d 3 --csv > streamed.csv ||
	fail "ml-load | ml-poly"
cmp direct.csv streamed.csv || fail "streamed rows differ from the in-memory ones"
# Binary through a pipe stays binary, with the load stage and the poly stage.
ml-load -t species "$DATA_DIR/iris.csv" | ml-poly -d 3 | ml-info > info.txt ||
	fail "ml-load | ml-poly | ml-info"
grep -q poly info.txt || { cat info.txt >&2; fail "ml-info sees no poly stage"; }

# Peak memory: a stream of unknown length (ml-load's header, then rows of
# zeros) is fed through a FIFO; ml-poly's peak resident size after 8 MB and
# after 136 MB of input must be about the same.
[ -r /proc/self/status ] || skip "no /proc to read peak memory from"
printf 'a,b,c,d\n' | ml-load > header.bin || fail "ml-load header"
# Bytes 24-31 hold the row count: make it "unknown" so any length is valid.
{ head -c 24 header.bin; printf '\377\377\377\377\377\377\377\377'; tail -c +33 header.bin; } \
	> stream.bin
mkfifo feed drain
wc -c < drain > bytes &
counter=$!
ml-poly -d 2 < feed > drain 2> poly.err &
pid=$!
exec 3> feed
cat stream.bin >&3
head -c 8000000 /dev/zero >&3
first=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
head -c 128000000 /dev/zero >&3
last=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
exec 3>&-
wait $pid || { cat poly.err >&2; fail "ml-poly failed on the stream"; }
wait $counter
# 136 MB in is 4250000 rows of 4 columns; out they have 14: 476000000 bytes.
bytes=$(cat bytes)
[ "$bytes" -gt 476000000 ] && [ "$bytes" -lt 476100000 ] || fail "$bytes bytes out"
[ -n "$first" ] && [ -n "$last" ] || fail "could not read VmHWM"
[ $((last - first)) -lt 16384 ] ||
	fail "peak memory grew from $first kB to $last kB while streaming 128 MB more"
