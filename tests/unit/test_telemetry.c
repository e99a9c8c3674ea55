/* ml_telemetry: counters, latency percentiles and the exposition format. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "core/ml_file.h"
#include "serve/ml_telemetry.h"

static ml_telemetry *new_stats(void)
{
	ml_error err;
	ml_telemetry *stats = ml_telemetry_create(&err);
	ck_assert_msg(stats != NULL, "%s", err.message);
	return stats;
}

static char *prometheus_text(const ml_telemetry *stats, const ml_telemetry_metrics *metrics)
{
	ml_buf out;
	ml_buf_init(&out);
	ml_telemetry_format_prometheus(stats, metrics, 1700000000.5, &out);
	ck_assert(!out.failed);
	return out.data;
}

START_TEST(empty_stats_have_no_latency)
{
	ml_telemetry *stats = new_stats();
	ck_assert_uint_eq(ml_telemetry_rows(stats), 0);
	ck_assert(isnan(ml_telemetry_latency_quantile(stats, 0.5)));
	ml_buf out;
	ml_buf_init(&out);
	ml_telemetry_format_summary(stats, &out);
	ck_assert_msg(strncmp(out.data, "0 rows, 0 errors, ", 18) == 0, "%s", out.data);
	ck_assert_ptr_null(strstr(out.data, "latency"));
	ml_buf_free(&out);
	ml_telemetry_free(stats);
}
END_TEST

/* Within the histogram's resolution: 1/32 of the value, plus rounding. */
static void assert_near(double got, double want)
{
	ck_assert_msg(fabs(got - want) <= want / 32 + 1e-9, "got %g, want %g", got, want);
}

START_TEST(quantiles_follow_the_distribution)
{
	ml_telemetry *stats = new_stats();
	/* 1..1000 microseconds, shuffled by a fixed stride. */
	for (unsigned i = 0; i < 1000; i++)
		ml_telemetry_add_rows(stats, 1, (double)((i * 617) % 1000 + 1) * 1e-6);
	ck_assert_uint_eq(ml_telemetry_rows(stats), 1000);
	assert_near(ml_telemetry_latency_quantile(stats, 0.5), 500e-6);
	assert_near(ml_telemetry_latency_quantile(stats, 0.99), 990e-6);
	assert_near(ml_telemetry_latency_quantile(stats, 0.0), 1e-6);
	assert_near(ml_telemetry_latency_quantile(stats, 1.0), 1000e-6);
	ck_assert(fabs(ml_telemetry_latency_sum(stats) - 500500e-6) < 1e-9);
	ml_telemetry_free(stats);
}
END_TEST

START_TEST(rows_in_a_block_share_a_latency)
{
	ml_telemetry *stats = new_stats();
	ml_telemetry_add_rows(stats, 99, 2e-6);
	ml_telemetry_add_rows(stats, 1, 5e-3);
	ml_telemetry_add_rows(stats, 0, 1.0); /* nothing */
	ck_assert_uint_eq(ml_telemetry_rows(stats), 100);
	assert_near(ml_telemetry_latency_quantile(stats, 0.5), 2e-6);
	assert_near(ml_telemetry_latency_quantile(stats, 0.99), 2e-6);
	assert_near(ml_telemetry_latency_quantile(stats, 1.0), 5e-3);
	ml_telemetry_free(stats);
}
END_TEST

START_TEST(extreme_latencies_stay_in_range)
{
	ml_telemetry *stats = new_stats();
	ml_telemetry_add_rows(stats, 1, 0);
	ml_telemetry_add_rows(stats, 1, -1); /* a clock stepping back counts as 0 */
	ml_telemetry_add_rows(stats, 1, NAN);
	ml_telemetry_add_rows(stats, 1, 1e30);
	ml_telemetry_add_rows(stats, 1, 3e-9);
	ck_assert(ml_telemetry_latency_quantile(stats, 0.5) == 0);
	ck_assert(fabs(ml_telemetry_latency_quantile(stats, 0.8) - 3e-9) < 1e-12);
	ck_assert(ml_telemetry_latency_quantile(stats, 1.0) > 1e10);
	ml_telemetry_free(stats);
}
END_TEST

START_TEST(summary_names_counts_and_percentiles)
{
	ml_telemetry *stats = new_stats();
	ml_telemetry_add_rows(stats, 3, 12e-6);
	ml_telemetry_add_errors(stats, 1);
	ml_buf out;
	ml_buf_init(&out);
	ml_telemetry_format_summary(stats, &out);
	ck_assert_msg(strncmp(out.data, "3 rows, 1 error, ", 17) == 0, "%s", out.data);
	ck_assert_msg(strstr(out.data, " rows/s, latency p50 ") != NULL, "%s", out.data);
	ck_assert_msg(strstr(out.data, " us, p99 ") != NULL, "%s", out.data);
	ml_buf_free(&out);
	ml_telemetry_free(stats);
}
END_TEST

START_TEST(prometheus_text_has_help_type_and_samples)
{
	ml_telemetry *stats = new_stats();
	ml_telemetry_add_rows(stats, 4, 1e-3);
	ml_telemetry_add_errors(stats, 2);
	ml_telemetry_metrics metrics = { "mlpipe_predict", NULL, NULL };
	char *text = prometheus_text(stats, &metrics);
	static const char *const wanted[] = {
		"# HELP mlpipe_predict_rows_total ",
		"# TYPE mlpipe_predict_rows_total counter\nmlpipe_predict_rows_total 4\n",
		"# TYPE mlpipe_predict_errors_total counter\nmlpipe_predict_errors_total 2\n",
		"# TYPE mlpipe_predict_latency_seconds summary\n",
		"mlpipe_predict_latency_seconds{quantile=\"0.5\"} 0.00",
		"mlpipe_predict_latency_seconds{quantile=\"0.99\"} 0.00",
		"mlpipe_predict_latency_seconds_sum 0.004\n",
		"mlpipe_predict_latency_seconds_count 4\n",
		"# TYPE mlpipe_predict_duration_seconds gauge\n",
		("# TYPE mlpipe_predict_last_run_timestamp_seconds gauge\n"
		 "mlpipe_predict_last_run_timestamp_seconds 1700000000.5\n"),
	};
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
		ck_assert_msg(strstr(text, wanted[i]) != NULL, "no '%s' in:\n%s", wanted[i], text);
	ck_assert_msg(text[strlen(text) - 1] == '\n', "text must end with a newline");
	free(text);
	ml_telemetry_free(stats);
}
END_TEST

START_TEST(prometheus_labels_are_escaped_and_empty_quantiles_are_nan)
{
	ml_telemetry *stats = new_stats();
	ml_telemetry_metrics metrics = { "job", "model", "a\"b\\c\nd" };
	char *text = prometheus_text(stats, &metrics);
	ck_assert_msg(strstr(text, "job_rows_total{model=\"a\\\"b\\\\c\\nd\"} 0\n") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "job_latency_seconds{model=\"a\\\"b\\\\c\\nd\",quantile=\"0.5\"}"
				   " NaN\n") != NULL, "%s", text);
	free(text);
	ml_telemetry_free(stats);
}
END_TEST

START_TEST(prometheus_file_is_replaced_whole)
{
	char dir[] = "/tmp/test_stats.XXXXXX";
	ck_assert(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/predict.prom", dir);
	ml_telemetry *stats = new_stats();
	ml_telemetry_add_rows(stats, 7, 1e-6);
	ml_telemetry_metrics metrics = { "mlpipe_predict", NULL, NULL };
	ml_error err;
	ck_assert_msg(ml_telemetry_write_prometheus(stats, &metrics, path, &err) == 0, "%s",
		      err.message);
	ml_telemetry_add_rows(stats, 1, 1e-6);
	ck_assert_msg(ml_telemetry_write_prometheus(stats, &metrics, path, &err) == 0, "%s",
		      err.message);
	char *text;
	size_t length;
	ck_assert(ml_file_read_all(path, 1 << 20, &text, &length, &err) == 0);
	ck_assert_msg(strstr(text, "\nmlpipe_predict_rows_total 8\n") != NULL, "%s", text);
	free(text);
	snprintf(path, sizeof path, "%s/missing/predict.prom", dir);
	ck_assert(ml_telemetry_write_prometheus(stats, &metrics, path, &err) < 0);
	ck_assert_msg(strstr(err.message, "missing/predict.prom") != NULL, "%s", err.message);
	snprintf(path, sizeof path, "%s/predict.prom", dir);
	unlink(path);
	rmdir(dir);
	ml_telemetry_free(stats);
}
END_TEST

START_TEST(requests_count_by_status_with_exact_buckets)
{
	ml_telemetry *stats = new_stats();
	ml_telemetry_add_request(stats, 200, 10, 0.0001);  /* exactly on the 100 us bound */
	ml_telemetry_add_request(stats, 200, 1, 0.0003);
	ml_telemetry_add_request(stats, 400, 0, 0.02);
	ml_telemetry_add_request(stats, 404, 0, 99.0);     /* beyond the last bound */
	ck_assert_uint_eq(ml_telemetry_requests(stats, 0), 4);
	ck_assert_uint_eq(ml_telemetry_requests(stats, 200), 2);
	ck_assert_uint_eq(ml_telemetry_requests(stats, 404), 1);
	ck_assert_uint_eq(ml_telemetry_requests(stats, 999), 0);
	ck_assert_uint_eq(ml_telemetry_rows(stats), 11);
	ck_assert_uint_eq(ml_telemetry_errors(stats), 2);
	ck_assert_uint_eq(ml_telemetry_count_within(stats, 0), 0); /* 50 us */
	ck_assert_uint_eq(ml_telemetry_count_within(stats, 1), 1); /* 100 us, inclusive */
	ck_assert_uint_eq(ml_telemetry_count_within(stats, 3), 2); /* 500 us */
	ck_assert_uint_eq(ml_telemetry_count_within(stats, ML_TELEMETRY_N_BOUNDS - 1), 3);

	ml_telemetry_label labels[] = { { "model", "a\"b" } };
	ml_buf out;
	ml_buf_init(&out);
	ml_telemetry_put_family(&out, "x_seconds", "histogram", "Time.");
	ml_telemetry_put_histogram(&out, stats, "x_seconds", labels, 1);
	ml_telemetry_put_requests(&out, stats, "x_total", labels, 1, true);
	ml_telemetry_put_sample(&out, "x_up", NULL, 0, 1);
	ck_assert(!out.failed);
	const char *expected[] = {
		"# HELP x_seconds Time.\n# TYPE x_seconds histogram\n",
		"x_seconds_bucket{model=\"a\\\"b\",le=\"5e-05\"} 0\n",
		"x_seconds_bucket{model=\"a\\\"b\",le=\"0.0001\"} 1\n",
		"x_seconds_bucket{model=\"a\\\"b\",le=\"0.025\"} 3\n",
		"x_seconds_bucket{model=\"a\\\"b\",le=\"10\"} 3\n",
		"x_seconds_bucket{model=\"a\\\"b\",le=\"+Inf\"} 4\n",
		"x_seconds_count{model=\"a\\\"b\"} 4\n",
		"x_total{model=\"a\\\"b\",code=\"400\"} 1\n",
		"x_total{model=\"a\\\"b\",code=\"404\"} 1\n",
		"x_up 1\n",
	};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		ck_assert_msg(strstr(out.data, expected[i]), "no %s in:\n%s", expected[i], out.data);
	ck_assert_ptr_null(strstr(out.data, "code=\"200\""));
	ml_buf_free(&out);
	ml_telemetry_free(stats);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *suite = suite_create("ml_telemetry");
	TCase *tc = tcase_create("stats");
	tcase_add_test(tc, empty_stats_have_no_latency);
	tcase_add_test(tc, quantiles_follow_the_distribution);
	tcase_add_test(tc, rows_in_a_block_share_a_latency);
	tcase_add_test(tc, extreme_latencies_stay_in_range);
	tcase_add_test(tc, summary_names_counts_and_percentiles);
	tcase_add_test(tc, prometheus_text_has_help_type_and_samples);
	tcase_add_test(tc, prometheus_labels_are_escaped_and_empty_quantiles_are_nan);
	tcase_add_test(tc, prometheus_file_is_replaced_whole);
	tcase_add_test(tc, requests_count_by_status_with_exact_buckets);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(stats_suite)
