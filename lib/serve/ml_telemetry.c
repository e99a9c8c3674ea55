#include "serve/ml_telemetry.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/ml_clock.h"
#include "core/ml_file.h"
#include "core/ml_number.h"

/*
 * Latencies are kept in nanoseconds.  Values below 2^SUB_BITS have a bucket
 * each; above, every power of two [2^e, 2^(e+1)) is cut into 2^SUB_BITS
 * equal buckets, so a bucket is at most 1/32 of its value wide.
 */
#define SUB_BITS 5
#define SUB_BUCKETS (1u << SUB_BITS)
#define N_BUCKETS ((64 - SUB_BITS + 1) * SUB_BUCKETS)

/* HTTP status codes counted: 100 to 599. */
#define FIRST_STATUS 100
#define N_STATUSES 500

static const double bounds[ML_TELEMETRY_N_BOUNDS] = ML_TELEMETRY_BOUNDS;

struct ml_telemetry {
	double started;
	uint64_t rows, errors;
	uint64_t within[ML_TELEMETRY_N_BOUNDS]; /* latencies in (bound i-1, bound i] */
	uint64_t statuses[N_STATUSES];          /* requests by status code */
	uint64_t latency_count;
	double latency_sum;
	uint64_t smallest, largest; /* ns, to clamp bucket estimates */
	uint64_t buckets[N_BUCKETS];
};

ml_telemetry *ml_telemetry_create(ml_error *err)
{
	ml_telemetry *stats = calloc(1, sizeof *stats);
	if (!stats) {
		ml_error_nomem(err);
		return NULL;
	}
	stats->started = ml_clock_now();
	stats->smallest = UINT64_MAX;
	return stats;
}

void ml_telemetry_free(ml_telemetry *stats)
{
	free(stats);
}

static unsigned bucket_of(uint64_t ns)
{
	if (ns < SUB_BUCKETS)
		return (unsigned)ns;
	unsigned exponent = 63u - (unsigned)__builtin_clzll(ns);
	unsigned sub = (unsigned)(ns >> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
	return (exponent - SUB_BITS + 1) * SUB_BUCKETS + sub;
}

/* The middle of a bucket, in ns. */
static double bucket_middle(unsigned bucket)
{
	if (bucket < SUB_BUCKETS)
		return bucket;
	unsigned exponent = bucket / SUB_BUCKETS - 1 + SUB_BITS;
	uint64_t width = (uint64_t)1 << (exponent - SUB_BITS);
	uint64_t lower = (uint64_t)(SUB_BUCKETS + bucket % SUB_BUCKETS) << (exponent - SUB_BITS);
	return (double)lower + (double)(width - 1) / 2;
}

/* Counts `weight` latencies of `latency` seconds. */
static void add_latency(ml_telemetry *stats, uint64_t weight, double latency)
{
	if (!(latency >= 0)) /* NaN or negative: a clock that went wrong */
		latency = 0;
	double ns_value = latency * 1e9;
	uint64_t ns = ns_value >= 1.8e19 ? UINT64_MAX : (uint64_t)ns_value;
	stats->latency_count += weight;
	stats->latency_sum += latency * (double)weight;
	stats->buckets[bucket_of(ns)] += weight;
	if (ns < stats->smallest)
		stats->smallest = ns;
	if (ns > stats->largest)
		stats->largest = ns;
	size_t bound = 0;
	while (bound < ML_TELEMETRY_N_BOUNDS && latency > bounds[bound])
		bound++;
	if (bound < ML_TELEMETRY_N_BOUNDS)
		stats->within[bound] += weight;
}

void ml_telemetry_add_rows(ml_telemetry *stats, uint64_t n_rows, double latency)
{
	if (n_rows == 0)
		return;
	stats->rows += n_rows;
	add_latency(stats, n_rows, latency);
}

void ml_telemetry_add_request(ml_telemetry *stats, int status, uint64_t n_rows, double latency)
{
	if (status >= FIRST_STATUS && status < FIRST_STATUS + N_STATUSES)
		stats->statuses[status - FIRST_STATUS]++;
	if (status >= 400)
		stats->errors++;
	stats->rows += n_rows;
	add_latency(stats, 1, latency);
}

uint64_t ml_telemetry_requests(const ml_telemetry *stats, int status)
{
	if (status == 0)
		return stats->latency_count;
	if (status < FIRST_STATUS || status >= FIRST_STATUS + N_STATUSES)
		return 0;
	return stats->statuses[status - FIRST_STATUS];
}

uint64_t ml_telemetry_count_within(const ml_telemetry *stats, size_t index)
{
	uint64_t count = 0;
	for (size_t i = 0; i <= index && i < ML_TELEMETRY_N_BOUNDS; i++)
		count += stats->within[i];
	return count;
}

void ml_telemetry_add_errors(ml_telemetry *stats, uint64_t n_errors)
{
	stats->errors += n_errors;
}

uint64_t ml_telemetry_rows(const ml_telemetry *stats)
{
	return stats->rows;
}

uint64_t ml_telemetry_errors(const ml_telemetry *stats)
{
	return stats->errors;
}

double ml_telemetry_elapsed(const ml_telemetry *stats)
{
	return ml_clock_now() - stats->started;
}

double ml_telemetry_latency_sum(const ml_telemetry *stats)
{
	return stats->latency_sum;
}

double ml_telemetry_latency_quantile(const ml_telemetry *stats, double q)
{
	if (stats->latency_count == 0)
		return NAN;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	/* The rank-th smallest latency, 1-based (nearest-rank definition). */
	uint64_t rank = (uint64_t)ceil(q * (double)stats->latency_count);
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	unsigned bucket = 0;
	for (; bucket < N_BUCKETS; bucket++) {
		seen += stats->buckets[bucket];
		if (seen >= rank)
			break;
	}
	double ns = bucket_middle(bucket);
	if (ns < (double)stats->smallest)
		ns = (double)stats->smallest;
	if (ns > (double)stats->largest)
		ns = (double)stats->largest;
	return ns * 1e-9;
}

/* "12.1 us": three significant digits and a unit a person reads at once. */
static void put_duration(ml_buf *out, double seconds)
{
	static const struct { double scale; const char *unit; } units[] = {
		{ 1, "s" }, { 1e-3, "ms" }, { 1e-6, "us" }, { 1e-9, "ns" },
	};
	size_t i = 0;
	while (i + 1 < sizeof units / sizeof units[0] && seconds < units[i].scale)
		i++;
	double value = seconds / units[i].scale;
	int decimals = value < 10 ? 2 : value < 100 ? 1 : 0;
	ml_buf_printf(out, "%.*f %s", decimals, value, units[i].unit);
}

void ml_telemetry_format_summary(const ml_telemetry *stats, ml_buf *out)
{
	double elapsed = ml_telemetry_elapsed(stats);
	ml_buf_printf(out, "%llu row%s, %llu error%s, ", (unsigned long long)stats->rows,
		      stats->rows == 1 ? "" : "s", (unsigned long long)stats->errors,
		      stats->errors == 1 ? "" : "s");
	put_duration(out, elapsed);
	ml_buf_printf(out, ", %.0f rows/s", elapsed > 0 ? (double)stats->rows / elapsed : 0.0);
	if (stats->latency_count == 0)
		return;
	ml_buf_puts(out, ", latency p50 ");
	put_duration(out, ml_telemetry_latency_quantile(stats, 0.5));
	ml_buf_puts(out, ", p99 ");
	put_duration(out, ml_telemetry_latency_quantile(stats, 0.99));
}

/* A sample value as the exposition format spells it (Go's ParseFloat). */
static void put_value(ml_buf *out, double value)
{
	if (isnan(value)) {
		ml_buf_puts(out, "NaN");
	} else if (isinf(value)) {
		ml_buf_puts(out, value > 0 ? "+Inf" : "-Inf");
	} else {
		char digits[ML_DOUBLE_BUFSIZE];
		ml_buf_append(out, digits, ml_format_double(value, digits));
	}
}

/* Label values escape backslash, double quote and newline. */
static void put_label_value(ml_buf *out, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			ml_buf_putc(out, '\\');
		if (*p == '\n')
			ml_buf_puts(out, "\\n");
		else
			ml_buf_putc(out, *p);
	}
}

void ml_telemetry_put_family(ml_buf *out, const char *name, const char *type, const char *help)
{
	ml_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void ml_telemetry_put_sample(ml_buf *out, const char *name, const ml_telemetry_label *labels,
			     size_t n_labels, double value)
{
	ml_buf_puts(out, name);
	for (size_t i = 0; i < n_labels; i++) {
		ml_buf_printf(out, "%c%s=\"", i ? ',' : '{', labels[i].name);
		put_label_value(out, labels[i].value);
		ml_buf_putc(out, '"');
	}
	if (n_labels)
		ml_buf_putc(out, '}');
	ml_buf_putc(out, ' ');
	put_value(out, value);
	ml_buf_putc(out, '\n');
}

#define MAX_LABELS 8

/* labels plus one more, for le, quantile or code; false when there are too many. */
static bool with_label(ml_telemetry_label *all, const ml_telemetry_label *labels,
		       size_t n_labels, const char *name, const char *value)
{
	if (n_labels >= MAX_LABELS)
		return false;
	for (size_t i = 0; i < n_labels; i++)
		all[i] = labels[i];
	all[n_labels] = (ml_telemetry_label){ name, value };
	return true;
}

static void put_suffixed(ml_buf *out, const char *name, const char *suffix,
			 const ml_telemetry_label *labels, size_t n_labels, double value)
{
	ml_buf full;
	ml_buf_init(&full);
	ml_buf_printf(&full, "%s%s", name, suffix);
	if (full.failed)
		out->failed = true;
	else
		ml_telemetry_put_sample(out, full.data, labels, n_labels, value);
	ml_buf_free(&full);
}

void ml_telemetry_put_histogram(ml_buf *out, const ml_telemetry *stats, const char *name,
				const ml_telemetry_label *labels, size_t n_labels)
{
	ml_telemetry_label all[MAX_LABELS];
	for (size_t i = 0; i <= ML_TELEMETRY_N_BOUNDS; i++) {
		char le[ML_DOUBLE_BUFSIZE];
		bool last = i == ML_TELEMETRY_N_BOUNDS;
		if (last)
			snprintf(le, sizeof le, "+Inf");
		else
			ml_format_double(bounds[i], le);
		if (!with_label(all, labels, n_labels, "le", le))
			return;
		put_suffixed(out, name, "_bucket", all, n_labels + 1,
			     (double)(last ? stats->latency_count : ml_telemetry_count_within(stats, i)));
	}
	put_suffixed(out, name, "_sum", labels, n_labels, stats->latency_sum);
	put_suffixed(out, name, "_count", labels, n_labels, (double)stats->latency_count);
}

void ml_telemetry_put_requests(ml_buf *out, const ml_telemetry *stats, const char *name,
			       const ml_telemetry_label *labels, size_t n_labels,
			       bool errors_only)
{
	ml_telemetry_label all[MAX_LABELS];
	for (int i = errors_only ? 400 - FIRST_STATUS : 0; i < N_STATUSES; i++) {
		if (!stats->statuses[i])
			continue;
		char code[8];
		snprintf(code, sizeof code, "%d", FIRST_STATUS + i);
		if (!with_label(all, labels, n_labels, "code", code))
			return;
		ml_telemetry_put_sample(out, name, all, n_labels + 1, (double)stats->statuses[i]);
	}
}

static void put_header(ml_buf *out, const ml_telemetry_metrics *metrics, const char *name,
		       const char *type, const char *help)
{
	ml_buf full;
	ml_buf_init(&full);
	ml_buf_printf(&full, "%s_%s", metrics->prefix, name);
	if (full.failed)
		out->failed = true;
	else
		ml_telemetry_put_family(out, full.data, type, help);
	ml_buf_free(&full);
}

/* One sample line; quantile is NULL unless it is a summary's quantile. */
static void put_sample(ml_buf *out, const ml_telemetry_metrics *metrics, const char *name,
		       const char *quantile, double value)
{
	ml_telemetry_label labels[2];
	size_t n_labels = 0;
	if (metrics->label_name && metrics->label_value)
		labels[n_labels++] = (ml_telemetry_label){ metrics->label_name, metrics->label_value };
	if (quantile)
		labels[n_labels++] = (ml_telemetry_label){ "quantile", quantile };
	ml_buf full;
	ml_buf_init(&full);
	ml_buf_printf(&full, "%s_%s", metrics->prefix, name);
	if (full.failed)
		out->failed = true;
	else
		ml_telemetry_put_sample(out, full.data, labels, n_labels, value);
	ml_buf_free(&full);
}

void ml_telemetry_format_prometheus(const ml_telemetry *stats, const ml_telemetry_metrics *metrics,
				double now, ml_buf *out)
{
	static const struct { const char *label; double q; } quantiles[] = {
		{ "0.5", 0.5 }, { "0.9", 0.9 }, { "0.99", 0.99 },
	};
	put_header(out, metrics, "rows_total", "counter", "Rows answered.");
	put_sample(out, metrics, "rows_total", NULL, (double)stats->rows);
	put_header(out, metrics, "errors_total", "counter",
		   "Rows or requests that failed, plus one if the run itself failed.");
	put_sample(out, metrics, "errors_total", NULL, (double)stats->errors);
	put_header(out, metrics, "latency_seconds", "summary",
		   "Time to answer a row: arrival to flushed answer in service mode,"
		   " a block's time shared by its rows in batch mode.");
	for (size_t i = 0; i < sizeof quantiles / sizeof quantiles[0]; i++)
		put_sample(out, metrics, "latency_seconds", quantiles[i].label,
			   ml_telemetry_latency_quantile(stats, quantiles[i].q));
	put_sample(out, metrics, "latency_seconds_sum", NULL, stats->latency_sum);
	put_sample(out, metrics, "latency_seconds_count", NULL, (double)stats->latency_count);
	put_header(out, metrics, "duration_seconds", "gauge", "Seconds the run has lasted.");
	put_sample(out, metrics, "duration_seconds", NULL, ml_telemetry_elapsed(stats));
	put_header(out, metrics, "last_run_timestamp_seconds", "gauge",
		   "When these numbers were written, in seconds since the epoch.");
	put_sample(out, metrics, "last_run_timestamp_seconds", NULL, now);
}

int ml_telemetry_write_prometheus(const ml_telemetry *stats, const ml_telemetry_metrics *metrics,
			      const char *path, ml_error *err)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_telemetry_format_prometheus(stats, metrics, ml_clock_wall(), &text);
	if (text.failed) {
		ml_buf_free(&text);
		return ml_error_nomem(err);
	}
	bool unchanged;
	int status = ml_file_replace(path, text.data, text.length, &unchanged, err);
	ml_buf_free(&text);
	return status;
}
