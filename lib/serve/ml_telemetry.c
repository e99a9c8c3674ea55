#include "serve/ml_telemetry.h"

#include <math.h>
#include <stdbool.h>
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

struct ml_telemetry {
	double started;
	uint64_t rows, errors;
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

void ml_telemetry_add_rows(ml_telemetry *stats, uint64_t n_rows, double latency)
{
	if (n_rows == 0)
		return;
	if (!(latency >= 0)) /* NaN or negative: a clock that went wrong */
		latency = 0;
	double ns_value = latency * 1e9;
	uint64_t ns = ns_value >= 1.8e19 ? UINT64_MAX : (uint64_t)ns_value;
	stats->rows += n_rows;
	stats->latency_count += n_rows;
	stats->latency_sum += latency * (double)n_rows;
	stats->buckets[bucket_of(ns)] += n_rows;
	if (ns < stats->smallest)
		stats->smallest = ns;
	if (ns > stats->largest)
		stats->largest = ns;
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

static void put_header(ml_buf *out, const ml_telemetry_metrics *metrics, const char *name,
		       const char *type, const char *help)
{
	ml_buf_printf(out, "# HELP %s_%s %s\n# TYPE %s_%s %s\n", metrics->prefix, name, help,
		      metrics->prefix, name, type);
}

/* One sample line; quantile is NULL unless it is a summary's quantile. */
static void put_sample(ml_buf *out, const ml_telemetry_metrics *metrics, const char *name,
		       const char *quantile, double value)
{
	ml_buf_printf(out, "%s_%s", metrics->prefix, name);
	bool labelled = metrics->label_name && metrics->label_value;
	if (labelled || quantile) {
		ml_buf_putc(out, '{');
		if (labelled) {
			ml_buf_printf(out, "%s=\"", metrics->label_name);
			put_label_value(out, metrics->label_value);
			ml_buf_putc(out, '"');
		}
		if (quantile)
			ml_buf_printf(out, "%squantile=\"%s\"", labelled ? "," : "", quantile);
		ml_buf_putc(out, '}');
	}
	ml_buf_putc(out, ' ');
	put_value(out, value);
	ml_buf_putc(out, '\n');
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
