/*
 * ml_clock: the two clocks mlpipe reads: a monotonic one for durations
 * and latencies, the wall clock for timestamps.
 */
#ifndef ML_CLOCK_H
#define ML_CLOCK_H

/* Seconds on a monotonic clock: only differences mean anything. */
double ml_clock_now(void);
/* Seconds since the Unix epoch. */
double ml_clock_wall(void);

#endif
