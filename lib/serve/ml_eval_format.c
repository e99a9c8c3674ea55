/*
 * ml_eval's reports: the accessors of an evaluation and its three formats.
 */
#include <math.h>
#include <string.h>

#include "core/ml_escape.h"
#include "core/ml_number.h"
#include "serve/ml_eval_impl.h"

ml_eval_task ml_evaluation_task(const ml_evaluation *evaluation)
{
	return evaluation->task;
}

size_t ml_evaluation_rows(const ml_evaluation *evaluation)
{
	return evaluation->n_rows;
}

unsigned ml_evaluation_warnings(const ml_evaluation *evaluation)
{
	return evaluation->warnings;
}

const ml_eval_score *ml_evaluation_scores(const ml_evaluation *evaluation, size_t *count)
{
	*count = evaluation->n_scores;
	return evaluation->scores;
}

char *const *ml_evaluation_classes(const ml_evaluation *evaluation, size_t *n_classes)
{
	*n_classes = evaluation->classes.count;
	return evaluation->classes.keys;
}

const double *ml_evaluation_confusion(const ml_evaluation *evaluation)
{
	return evaluation->confusion;
}

const ml_roc_curve *ml_evaluation_roc(const ml_evaluation *evaluation)
{
	return evaluation->roc;
}

const double *ml_evaluation_truth(const ml_evaluation *evaluation)
{
	return evaluation->truth;
}

const double *ml_evaluation_predicted(const ml_evaluation *evaluation)
{
	return evaluation->predicted;
}

/* The shortest text that reads back as the same double; "nan" for NaN. */
static void put_number(ml_buf *out, double value)
{
	char digits[ML_DOUBLE_BUFSIZE];
	ml_buf_append(out, digits, ml_format_double(value, digits));
}

static void put_json_number(ml_buf *out, double value)
{
	if (isfinite(value))
		put_number(out, value);
	else
		ml_buf_puts(out, "null"); /* JSON has no NaN or infinity */
}

static void put_json_string(ml_buf *out, const char *text)
{
	ml_buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			ml_buf_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			ml_buf_printf(out, "\\u%04x", *p);
		else
			ml_buf_putc(out, (char)*p);
	}
	ml_buf_putc(out, '"');
}

/* The warnings, one text per bit set, in bit order. */
static size_t warning_texts(unsigned warnings, const char **texts)
{
	size_t count = 0;
	for (unsigned bit = 1; bit && bit <= warnings; bit <<= 1)
		if (warnings & bit)
			texts[count++] = ml_metric_warning_text(bit);
	return count;
}

static void format_json(const ml_evaluation *evaluation, ml_buf *out)
{
	ml_buf_puts(out, "{\n  \"task\": ");
	put_json_string(out, ml_eval_task_name(evaluation->task));
	ml_buf_printf(out, ",\n  \"n_rows\": %zu", evaluation->n_rows);
	size_t n_classes = evaluation->classes.count, first_class_score = evaluation->n_scores;
	for (size_t i = 0; i < evaluation->n_scores; i++) {
		const ml_eval_score *score = &evaluation->scores[i];
		if (score->class_name) {
			first_class_score = i;
			break;
		}
		ml_buf_puts(out, ",\n  ");
		put_json_string(out, score->metric);
		ml_buf_puts(out, ": ");
		put_json_number(out, score->value);
	}
	if (evaluation->task == ML_EVAL_CLASSIFICATION) {
		ml_buf_puts(out, ",\n  \"classes\": [");
		for (size_t k = 0; k < n_classes; k++) {
			ml_buf_puts(out, k ? ", " : "");
			put_json_string(out, evaluation->classes.keys[k]);
		}
		ml_buf_puts(out, "],\n  \"per_class\": {");
		for (size_t i = first_class_score; i < evaluation->n_scores; i++) {
			const ml_eval_score *score = &evaluation->scores[i];
			bool opens = i == first_class_score ||
				     score->class_name != evaluation->scores[i - 1].class_name;
			if (opens) {
				ml_buf_puts(out, i == first_class_score ? "\n    " : "},\n    ");
				put_json_string(out, score->class_name);
				ml_buf_puts(out, ": {");
			} else {
				ml_buf_puts(out, ", ");
			}
			put_json_string(out, score->metric);
			ml_buf_puts(out, ": ");
			put_json_number(out, score->value);
		}
		/* A classification has a class at least, and four scores per class. */
		ml_buf_puts(out, "}\n  },\n  \"confusion_matrix\": [");
		for (size_t t = 0; t < n_classes; t++) {
			ml_buf_puts(out, t ? ",\n    [" : "\n    [");
			for (size_t p = 0; p < n_classes; p++) {
				ml_buf_puts(out, p ? ", " : "");
				put_json_number(out, evaluation->confusion[t * n_classes + p]);
			}
			ml_buf_putc(out, ']');
		}
		ml_buf_puts(out, "\n  ]");
	}
	const char *texts[32];
	size_t n_warnings = warning_texts(evaluation->warnings, texts);
	ml_buf_puts(out, ",\n  \"warnings\": [");
	for (size_t i = 0; i < n_warnings; i++) {
		ml_buf_puts(out, i ? ", " : "");
		put_json_string(out, texts[i]);
	}
	ml_buf_puts(out, "]\n}\n");
}

static void format_csv(const ml_evaluation *evaluation, ml_buf *out)
{
	ml_buf_puts(out, "metric,class,value\n");
	for (size_t i = 0; i < evaluation->n_scores; i++) {
		const ml_eval_score *score = &evaluation->scores[i];
		ml_buf_puts(out, score->metric);
		ml_buf_putc(out, ',');
		if (score->class_name)
			ml_csv_quote(out, score->class_name, ',');
		ml_buf_putc(out, ',');
		put_number(out, score->value);
		ml_buf_putc(out, '\n');
	}
}

/* A value for people: six significant digits, whole numbers without a point. */
static void put_cell(ml_buf *out, double value, int width)
{
	if (isnan(value))
		ml_buf_printf(out, " %*s", width, "nan");
	else
		ml_buf_printf(out, " %*.6g", width, value);
}

/* A class name as people see it: escaped (ml_escape), never raw control bytes. */
static const char *shown_name(const char *name, ml_buf *scratch)
{
	scratch->length = 0;
	ml_escape_append(scratch, name, strlen(name), 0);
	ml_buf_putc(scratch, '\0');
	return scratch->failed ? "?" : scratch->data;
}

static int name_width(const ml_string_map *classes, size_t minimum, ml_buf *scratch)
{
	size_t width = minimum;
	for (size_t k = 0; k < classes->count; k++)
		if (strlen(shown_name(classes->keys[k], scratch)) > width)
			width = strlen(scratch->data);
	return (int)(width < 40 ? width : 40);
}

static void format_per_class(const ml_evaluation *evaluation, size_t first, ml_buf *out)
{
	ml_buf scratch;
	ml_buf_init(&scratch);
	int width = name_width(&evaluation->classes, 5, &scratch);
	ml_buf_printf(out, "\n%-*s %10s %10s %10s %10s\n", width, "class", "precision", "recall",
		      "f1", "support");
	for (size_t i = first; i < evaluation->n_scores; i += 4) {
		ml_buf_printf(out, "%-*.*s", width, width,
			      shown_name(evaluation->scores[i].class_name, &scratch));
		for (size_t j = 0; j < 4; j++)
			put_cell(out, evaluation->scores[i + j].value, 10);
		ml_buf_putc(out, '\n');
	}
	size_t n_classes = evaluation->classes.count;
	int cell = name_width(&evaluation->classes, 6, &scratch);
	ml_buf_printf(out, "\nconfusion matrix (rows: truth, columns: predicted)\n%-*s", width, "");
	for (size_t p = 0; p < n_classes; p++)
		ml_buf_printf(out, " %*.*s", cell, cell,
			      shown_name(evaluation->classes.keys[p], &scratch));
	ml_buf_putc(out, '\n');
	for (size_t t = 0; t < n_classes; t++) {
		ml_buf_printf(out, "%-*.*s", width, width,
			      shown_name(evaluation->classes.keys[t], &scratch));
		for (size_t p = 0; p < n_classes; p++)
			put_cell(out, evaluation->confusion[t * n_classes + p], cell);
		ml_buf_putc(out, '\n');
	}
	ml_buf_free(&scratch);
}

static void format_table(const ml_evaluation *evaluation, ml_buf *out)
{
	ml_buf_printf(out, "%-32s %12s\n", "metric", "value");
	size_t i = 0;
	for (; i < evaluation->n_scores && !evaluation->scores[i].class_name; i++) {
		ml_buf_printf(out, "%-32s", evaluation->scores[i].metric);
		put_cell(out, evaluation->scores[i].value, 12);
		ml_buf_putc(out, '\n');
	}
	if (evaluation->task == ML_EVAL_CLASSIFICATION)
		format_per_class(evaluation, i, out);
}

void ml_evaluation_format(const ml_evaluation *evaluation, ml_eval_format format, ml_buf *out)
{
	switch (format) {
	case ML_EVAL_JSON: format_json(evaluation, out); break;
	case ML_EVAL_CSV: format_csv(evaluation, out); break;
	default: format_table(evaluation, out); break;
	}
}
