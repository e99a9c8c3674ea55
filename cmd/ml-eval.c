/*
 * ml-eval: scores predictions against the truth (ml-predict --append's
 * output, or ml-cluster's) as scikit-learn's metrics do, and writes a
 * table, JSON or tidy CSV; --plot draws the ROC curve, the confusion
 * matrix or predicted against actual values with gnuplot.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "plot.h"
#include "serve/ml_eval.h"

enum { OPT_TASK = 256, OPT_JSON, OPT_CSV, OPT_PLOT };

static const cli_option options[] = {
	{ 't', "truth", "NAME", "the column of true values (default: the binary header's target)" },
	{ 'p', "prediction", "NAME", "the column of predictions (default 'prediction')" },
	{ OPT_TASK, "task", "TASK", "classification, regression or clustering (default: guessed)" },
	{ OPT_JSON, "json", NULL, "write one JSON object, scikit-learn's metric names as keys" },
	{ OPT_CSV, "csv", NULL, "write CSV rows metric,class,value" },
	{ 'o', "output", "FILE", "write to FILE (atomically) instead of stdout" },
	{ OPT_PLOT, "plot", "FILE.png", "draw the ROC curve (binary, with p_ columns), the"
					" confusion matrix or predicted against actual (gnuplot)" },
	CLI_CSV_OPTIONS("CSV input: "),
	{ 0 },
};

static const cli_command command = {
	.name = "ml-eval",
	.synopsis = "[OPTION]... [FILE]",
	.summary = "Score predictions against the truth: classification, regression or clustering.",
	.options = options,
	.footer = "Examples:\n"
		  "  ml-predict --append --proba iris.model test.csv | ml-eval -t species\n"
		  "  ml-eval -t progression --json scored.csv\n"
		  "  ml-eval -t species --csv --plot confusion.png scored.csv > scores.csv\n",
};

typedef struct settings {
	ml_eval_options eval;
	ml_eval_format format;
	const char *input, *output, *plot;
} settings;

static void parse_arguments(int argc, char **argv, settings *s)
{
	ml_eval_options_init(&s->eval);
	bool json = false, csv = false;
	int code;
	while ((code = cli_next_option(argc, argv)) != -1) {
		switch (code) {
		case 't': s->eval.truth = cli_arg; break;
		case 'p': s->eval.prediction = cli_arg; break;
		case OPT_TASK:
			if (!ml_eval_task_from_name(cli_arg, &s->eval.task) ||
			    s->eval.task == ML_EVAL_AUTO)
				cli_usage_error("--task: '%s' is not classification, regression or"
						" clustering", cli_arg);
			break;
		case OPT_JSON: json = true; break;
		case OPT_CSV: csv = true; break;
		case 'o': s->output = cli_arg; break;
		case OPT_PLOT: s->plot = cli_arg; break;
		default:
			if (!cli_csv_option(code, &s->eval.csv))
				cli_usage_error("unhandled option");
		}
	}
	if (json && csv)
		cli_usage_error("--json and --csv: choose one");
	s->format = json ? ML_EVAL_JSON : csv ? ML_EVAL_CSV : ML_EVAL_TABLE;
	if (argc - optind > 1)
		cli_usage_error("one input file at a time (got %d)", argc - optind);
	s->input = optind < argc ? argv[optind] : NULL;
	if (s->plot && s->output && strcmp(s->plot, s->output) == 0)
		cli_usage_error("--plot and -o name the same file '%s'", s->plot);
}

static void draw(const ml_evaluation *evaluation, const char *path)
{
	char title[128];
	const ml_roc_curve *roc = ml_evaluation_roc(evaluation);
	if (roc) {
		size_t count;
		const ml_eval_score *scores = ml_evaluation_scores(evaluation, &count);
		double auc = 0;
		for (size_t i = 0; i < count; i++)
			if (strcmp(scores[i].metric, "roc_auc") == 0)
				auc = scores[i].value;
		size_t n_classes;
		char *const *classes = ml_evaluation_classes(evaluation, &n_classes);
		snprintf(title, sizeof title, "ROC curve, '%.40s' positive (AUC %.4f)", classes[1],
			 auc);
		plot_frame frame = { .title = title, .x_label = "false positive rate",
				     .y_label = "true positive rate", .diagonal = true,
				     .unit_square = true };
		plot_series curve = { "ROC", roc->fpr, roc->tpr, roc->n_points, PLOT_LINES, false };
		plot_series_png(path, &frame, &curve, 1);
		return;
	}
	switch (ml_evaluation_task(evaluation)) {
	case ML_EVAL_CLASSIFICATION: {
		size_t n_classes;
		char *const *classes = ml_evaluation_classes(evaluation, &n_classes);
		plot_frame frame = { .title = "confusion matrix", .x_label = "predicted",
				     .y_label = "true" };
		plot_heat_map_png(path, &frame, ml_evaluation_confusion(evaluation), n_classes,
				  n_classes, classes, classes);
		break;
	}
	case ML_EVAL_REGRESSION: {
		plot_frame frame = { .title = "predicted against actual", .x_label = "actual",
				     .y_label = "predicted", .diagonal = true, .same_range = true };
		plot_series points = { NULL, ml_evaluation_truth(evaluation),
				       ml_evaluation_predicted(evaluation),
				       ml_evaluation_rows(evaluation), PLOT_POINTS, false };
		plot_series_png(path, &frame, &points, 1);
		break;
	}
	default:
		cli_die("--plot: no plot for clustering scores");
	}
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	if (s.plot)
		plot_require();
	ml_evaluation *evaluation = ml_evaluate(s.input, &s.eval, &err);
	if (!evaluation)
		cli_fail(&err);
	unsigned warnings = ml_evaluation_warnings(evaluation);
	for (unsigned bit = 1; bit && bit <= warnings; bit <<= 1)
		if (warnings & bit)
			cli_warn("warning: %s", ml_metric_warning_text(bit));
	ml_buf report;
	ml_buf_init(&report);
	ml_evaluation_format(evaluation, s.format, &report);
	if (report.failed)
		cli_die("out of memory");
	FILE *out = cli_output_open(s.output);
	if (fwrite(report.data, 1, report.length, out) != report.length)
		cli_die("%s: write error", cli_output_name());
	cli_output_close();
	ml_buf_free(&report);
	if (s.plot)
		draw(evaluation, s.plot);
	ml_evaluation_free(evaluation);
	return 0;
}
