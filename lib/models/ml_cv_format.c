/*
 * ml_cv's reports, from its accessors: the table for people and the JSON
 * object for programs.
 */
#include <math.h>
#include <string.h>

#include "core/ml_number.h"
#include "math/ml_metrics.h"
#include "models/ml_cv.h"

static const char *const task_names[] = { "regression", "classification", "clustering" };

/* The shortest text that reads back as the same double; null for NaN (JSON has none). */
static void put_json_number(ml_buf *out, double value)
{
	char digits[ML_DOUBLE_BUFSIZE];
	if (isfinite(value))
		ml_buf_append(out, digits, ml_format_double(value, digits));
	else
		ml_buf_puts(out, "null");
}

/* Metric names and texts of the library's own: nothing in them needs escaping but quotes. */
static void put_json_string(ml_buf *out, const char *text)
{
	ml_buf_putc(out, '"');
	for (const char *p = text; *p; p++) {
		if (*p == '"' || *p == '\\')
			ml_buf_putc(out, '\\');
		ml_buf_putc(out, *p);
	}
	ml_buf_putc(out, '"');
}

/* {"accuracy": 0.9, ...} of the means or the standard deviations. */
static void put_json_summary(const ml_cv *cv, double (*value)(const ml_cv *, size_t),
			     ml_buf *out)
{
	ml_buf_putc(out, '{');
	for (size_t m = 0; m < ml_cv_n_metrics(cv); m++) {
		ml_buf_puts(out, m ? ", " : "");
		put_json_string(out, ml_cv_metric_name(cv, m));
		ml_buf_puts(out, ": ");
		put_json_number(out, value(cv, m));
	}
	ml_buf_putc(out, '}');
}

static void format_json(const ml_cv *cv, ml_buf *out)
{
	size_t n_folds = ml_cv_n_folds(cv), n_metrics = ml_cv_n_metrics(cv);
	ml_buf_printf(out, "{\n  \"task\": \"%s\",\n  \"n_folds\": %zu,\n  \"stratified\": %s,\n"
		      "  \"metric\": ", task_names[ml_cv_task(cv)], n_folds,
		      ml_cv_stratified(cv) ? "true" : "false");
	put_json_string(out, ml_cv_metric_name(cv, 0));
	ml_buf_puts(out, ",\n  \"folds\": [");
	for (size_t k = 0; k < n_folds; k++) {
		ml_buf_printf(out, "%s\n    {\"fold\": %zu, \"n_train\": %zu, \"n_test\": %zu",
			      k ? "," : "", k + 1, ml_cv_train_rows(cv, k), ml_cv_test_rows(cv, k));
		for (size_t m = 0; m < n_metrics; m++) {
			ml_buf_puts(out, ", ");
			put_json_string(out, ml_cv_metric_name(cv, m));
			ml_buf_puts(out, ": ");
			put_json_number(out, ml_cv_score(cv, k, m));
		}
		ml_buf_putc(out, '}');
	}
	ml_buf_puts(out, "\n  ],\n  \"scores\": [");
	for (size_t k = 0; k < n_folds; k++) {
		ml_buf_puts(out, k ? ", " : "");
		put_json_number(out, ml_cv_score(cv, k, 0));
	}
	ml_buf_puts(out, "],\n  \"mean\": ");
	put_json_summary(cv, ml_cv_mean, out);
	ml_buf_puts(out, ",\n  \"std\": ");
	put_json_summary(cv, ml_cv_std, out);
	ml_buf_puts(out, ",\n  \"warnings\": [");
	unsigned warnings = ml_cv_warnings(cv), listed = 0;
	for (unsigned bit = 1; bit && bit <= warnings; bit <<= 1)
		if (warnings & bit) {
			ml_buf_puts(out, listed++ ? ", " : "");
			put_json_string(out, ml_metric_warning_text(bit));
		}
	ml_buf_puts(out, "]\n}\n");
}

/* A value for people: six significant digits, as ml-eval's table. */
static void put_cell(ml_buf *out, double value, int width)
{
	if (isnan(value))
		ml_buf_printf(out, "  %*s", width, "nan");
	else
		ml_buf_printf(out, "  %*.6g", width, value);
}

static void format_table(const ml_cv *cv, ml_buf *out)
{
	size_t n_folds = ml_cv_n_folds(cv), n_metrics = ml_cv_n_metrics(cv);
	int widths[16];
	n_metrics = n_metrics < 16 ? n_metrics : 16;
	ml_buf_printf(out, "%-5s %8s %8s", "fold", "train", "test");
	for (size_t m = 0; m < n_metrics; m++) {
		size_t length = strlen(ml_cv_metric_name(cv, m));
		widths[m] = length > 10 ? (int)length : 10;
		ml_buf_printf(out, "  %*s", widths[m], ml_cv_metric_name(cv, m));
	}
	ml_buf_putc(out, '\n');
	for (size_t k = 0; k < n_folds; k++) {
		ml_buf_printf(out, "%-5zu %8zu %8zu", k + 1, ml_cv_train_rows(cv, k),
			      ml_cv_test_rows(cv, k));
		for (size_t m = 0; m < n_metrics; m++)
			put_cell(out, ml_cv_score(cv, k, m), widths[m]);
		ml_buf_putc(out, '\n');
	}
	static const char *const rows[] = { "mean", "std" };
	for (size_t i = 0; i < 2; i++) {
		ml_buf_printf(out, "%-5s %8s %8s", rows[i], "", "");
		for (size_t m = 0; m < n_metrics; m++)
			put_cell(out, i ? ml_cv_std(cv, m) : ml_cv_mean(cv, m), widths[m]);
		ml_buf_putc(out, '\n');
	}
}

void ml_cv_format(const ml_cv *cv, bool json, ml_buf *out)
{
	if (json)
		format_json(cv, out);
	else
		format_table(cv, out);
}
