/*
 * ml_telemetry: what a long-running filter reports about itself: rows and
 * errors counted, throughput, and latency percentiles, as a one-line
 * summary for people (stderr, like dd's SIGUSR1 report) or in the
 * Prometheus text exposition format for node_exporter's textfile collector.
 *
 * Latencies go into a log-linear histogram (32 buckets per power of two,
 * from 1 ns to centuries), so memory stays constant however long a service
 * runs and a percentile is within about 2% of the true value; and, exactly,
 * into the fixed buckets of a Prometheus histogram (ML_TELEMETRY_BOUNDS).
 *
 * A server counts requests instead of rows (ml_telemetry_add_request): by
 * status code, each request one latency.  Its exposition puts several
 * telemetries (one per model) and label sets under one metric family, with
 * the helpers at the end.  Nothing here locks: a server serialises its
 * updates and reads itself.
 */
#ifndef ML_TELEMETRY_H
#define ML_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"
#include "core/ml_util.h"

typedef struct ml_telemetry ml_telemetry;

/* Starts counting; the clock for rows per second starts now. */
ml_telemetry *ml_telemetry_create(ml_error *err);
void ml_telemetry_free(ml_telemetry *stats);

/* Counts n_rows rows that each took `latency` seconds. */
void ml_telemetry_add_rows(ml_telemetry *stats, uint64_t n_rows, double latency);
void ml_telemetry_add_errors(ml_telemetry *stats, uint64_t n_errors);

/*
 * Counts a request answered with HTTP status `status` (100-599) after
 * `latency` seconds, having predicted n_rows rows; 400 and up are errors.
 */
void ml_telemetry_add_request(ml_telemetry *stats, int status, uint64_t n_rows, double latency);
/* Requests answered with status; status 0: all of them. */
uint64_t ml_telemetry_requests(const ml_telemetry *stats, int status);

uint64_t ml_telemetry_rows(const ml_telemetry *stats);
uint64_t ml_telemetry_errors(const ml_telemetry *stats);
/* Seconds since ml_telemetry_create. */
double ml_telemetry_elapsed(const ml_telemetry *stats);
/* The q-quantile (0 <= q <= 1) of the latencies in seconds; NaN before any row. */
double ml_telemetry_latency_quantile(const ml_telemetry *stats, double q);
/* Sum of all latencies in seconds. */
double ml_telemetry_latency_sum(const ml_telemetry *stats);

/*
 * The upper bounds (seconds) of the histogram's buckets, "le" in the
 * exposition format: 50 us to 10 s, and +Inf after them.
 */
#define ML_TELEMETRY_BOUNDS                                                               \
	{ 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, \
	  1, 2.5, 5, 10 }
#define ML_TELEMETRY_N_BOUNDS 17
/* Latencies (weighted as they were counted) of at most bound `index` seconds. */
uint64_t ml_telemetry_count_within(const ml_telemetry *stats, size_t index);

/*
 * Appends "1500 rows, 2 errors, 0.52 s, 2885 rows/s, latency p50 12.1 us,
 * p99 40.3 us" (no newline).
 */
void ml_telemetry_format_summary(const ml_telemetry *stats, ml_buf *out);

/* Names and labels for the exposition format. */
typedef struct ml_telemetry_metrics {
	const char *prefix;      /* "mlpipe_predict": metric names start so */
	const char *label_name;  /* one label put on every sample, or NULL */
	const char *label_value;
} ml_telemetry_metrics;

/*
 * Appends the counters in the Prometheus text exposition format (HELP and
 * TYPE lines; PREFIX_rows_total, PREFIX_errors_total, PREFIX_latency_seconds
 * as a summary with quantiles 0.5, 0.9, 0.99, PREFIX_duration_seconds,
 * PREFIX_last_run_timestamp_seconds = now, seconds since the epoch).
 */
void ml_telemetry_format_prometheus(const ml_telemetry *stats, const ml_telemetry_metrics *metrics,
				double now, ml_buf *out);
/* The same, written atomically to path (a half-written file is never seen). */
int ml_telemetry_write_prometheus(const ml_telemetry *stats, const ml_telemetry_metrics *metrics,
			      const char *path, ml_error *err);

/* The pieces of an exposition with several series per metric family. */
typedef struct ml_telemetry_label {
	const char *name;
	const char *value; /* escaped as the format wants */
} ml_telemetry_label;

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram...). */
void ml_telemetry_put_family(ml_buf *out, const char *name, const char *type, const char *help);
/* One sample: name{labels} value (no braces without labels). */
void ml_telemetry_put_sample(ml_buf *out, const char *name, const ml_telemetry_label *labels,
			     size_t n_labels, double value);
/*
 * The samples of the latency histogram (declare the family as name, type
 * histogram): name_bucket{labels,le="..."} counts (cumulative, +Inf last),
 * name_sum and name_count.
 */
void ml_telemetry_put_histogram(ml_buf *out, const ml_telemetry *stats, const char *name,
				const ml_telemetry_label *labels, size_t n_labels);
/*
 * name{labels,code="..."} per status code answered at least once, in code
 * order; with errors_only, the codes from 400 up.
 */
void ml_telemetry_put_requests(ml_buf *out, const ml_telemetry *stats, const char *name,
			       const ml_telemetry_label *labels, size_t n_labels,
			       bool errors_only);

#endif
