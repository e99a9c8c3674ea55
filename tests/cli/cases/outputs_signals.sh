# A signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) in the middle of a run removes
# every temporary file (-o, --save, ml-fit -o), leaves the old outputs as
# they were, and ends the run by that signal; ml-predict writes its
# --stats-file first.
. "$TESTS_DIR/lib.sh"
iris=$DATA_DIR/iris.csv
ulimit -c 0 # SIGQUIT dumps no core here
awk 'BEGIN { print "x,y"; for (i = 0; i < 20000; i++) print i "," i % 7 }' > big.csv
run_ok ml-load --save s.load big.csv -o big.bin
run_ok ml-fit linear -t y big.csv -o old.model
cp old.model model.before

number() { case $1 in INT) echo 2;; TERM) echo 15;; HUP) echo 1;; QUIT) echo 3;; esac; }

# slow_feed FIFO: a header, then a row every 0.1 s for 10 s, in the background.
slow_feed() {
	rm -f "$1"
	mkfifo "$1"
	{ printf 'x,y\n'; i=0; while [ $i -lt 100 ]; do printf '%d,%d\n' $i $((i % 7)); sleep 0.1; i=$((i + 1)); done; } > "$1" 2>/dev/null &
	feeder=$!
}

# stop SIGNAL PID WAIT_FOR: once a file matching WAIT_FOR exists (or after
# 2 s when it is empty), sends SIGNAL; checks the status says so.
stop() {
	signal=$1 pid=$2 pattern=$3
	n=0
	if [ -n "$pattern" ]; then
		while [ $n -lt 50 ] && ! ls $pattern >/dev/null 2>&1; do sleep 0.1; n=$((n + 1)); done
		[ $n -lt 50 ] || fail "$signal: no $pattern while the run went on"
	else
		sleep 1
	fi
	kill -"$signal" "$pid"
	wait "$pid" 2>/dev/null
	status=$?
	[ $status -eq $((128 + $(number "$signal"))) ] || fail "$signal: exit $status"
}

no_temporary() { ! ls -a | grep -q '\.tmp' || fail "$1: a temporary file was left: $(ls -a)"; }

# Under nohup SIGHUP is ignored from the start, and stays so (for the shell and
# for the programs, by design): the HUP rounds are skipped then.
signals="INT TERM HUP QUIT"
if [ "$(sh -c 'kill -HUP $$; echo ignored' 2>/dev/null)" = ignored ]; then
	echo "SIGHUP is ignored here (nohup?): its rounds were skipped" >&2
	signals="INT TERM QUIT"
fi
for signal in $signals; do
	# -o FILE while --load streams into it: the temporary file exists when the signal comes.
	echo old > result.bin
	slow_feed slow
	ml-load --load s.load slow -o result.bin 2>/dev/null &
	stop $signal $! 'result.bin.tmp*'
	wait $feeder
	[ "$(cat result.bin)" = old ] || fail "$signal: -o FILE changed"
	no_temporary "$signal, -o"

	# --save finished, the main output blocked on a pipe nobody reads: the
	# stage file waits in its temporary file, and the signal removes it.
	echo old > result.load
	rm -f blocked
	mkfifo blocked
	ml-load --csv --save result.load big.csv > blocked 2>/dev/null &
	pid=$!
	exec 4< blocked
	stop $signal $pid 'result.load.tmp*'
	exec 4<&-
	[ "$(cat result.load)" = old ] || fail "$signal: --save FILE changed"
	no_temporary "$signal, --save"

	# ml-fit -o while reading.
	slow_feed slow
	ml-fit linear -t y slow -o old.model 2>/dev/null &
	stop $signal $! ''
	wait $feeder
	cmp -s old.model model.before || fail "$signal: ml-fit -o changed the model"
	no_temporary "$signal, ml-fit -o"
done

# ml-predict --stats-file: written on SIGTERM and SIGINT with the rows so far.
for signal in TERM INT; do
	rm -f stats.prom
	slow_feed slow
	ml-predict --stats-file stats.prom old.model slow -o predicted.csv 2>/dev/null &
	stop $signal $! ''
	wait $feeder
	[ -s stats.prom ] || fail "$signal: no --stats-file"
	rows=$(sed -n 's/^mlpipe_predict_rows_total{model="old.model"} //p' stats.prom)
	[ -n "$rows" ] && [ "$rows" -gt 0 ] && [ "$rows" -lt 100 ] ||
		{ cat stats.prom >&2; fail "$signal: --stats-file counts $rows rows"; }
	[ ! -e predicted.csv ] || fail "$signal: -o FILE written by a stopped run"
	no_temporary "$signal, ml-predict"
done

# Before the rows are read (here: opening a model FIFO nobody writes), no
# loop would act on a deferred signal: one SIGTERM ends ml-predict at once.
mkfifo model.fifo
ml-predict model.fifo "$iris" > /dev/null 2>&1 &
waiting=$!
sleep 0.3
kill -TERM $waiting
sleep 0.5
if kill -0 $waiting 2>/dev/null; then
	kill -KILL $waiting
	fail "SIGTERM before the rows: ml-predict still running"
fi
status=0
wait $waiting || status=$?
[ $status -eq 143 ] || fail "SIGTERM before the rows: status $status, not 143"
