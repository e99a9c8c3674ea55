/*
 * ml-scale: standardise, min-max, max-abs or robust scaling and filling of
 * missing values, fitted on the whole input (or re-applied from a saved
 * stage file, streaming).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/ml_number.h"
#include "stages/ml_io.h"
#include "stages/ml_scale.h"

enum { OPT_RANGE = 256, OPT_IMPUTE };

static const cli_option options[] = {
	{ 'm', "method", "METHOD", "standard (default), minmax, maxabs, robust or none" },
	{ OPT_RANGE, "range", "A,B", "minmax: map each column onto [A,B] (default 0,1)" },
	{ OPT_IMPUTE, "impute", "HOW",
	  "fill missing values: mean, median, most-frequent or a number" },
	{ 'c', "columns", "COLS", "touch only these columns (names or 1-based ranges: a,3,5-7)" },
	{ 'x', "exclude", "COLS", "leave these columns alone" },
	{ 't', "target", "NAME", "the target column (never scaled)" },
	CLI_CSV_OPTIONS("CSV input: "),
	CLI_STAGE_OPTIONS("write CSV (default: the input's format)",
			  "write binary (default: the input's format)",
			  "save the stages, the new scale stage last, to FILE",
			  "apply the stages saved in FILE instead of fitting",
			  "say what was fitted on stderr"),
	{ 0 },
};

static const cli_command command = {
	.name = "ml-scale",
	.synopsis = "[OPTION]... [FILE]",
	.summary = "Scale columns and fill missing values, fitted on the input or loaded.",
	.options = options,
	.footer = "Examples:\n"
		  "  ml-load -t species iris.csv | ml-scale > iris.bin\n"
		  "  ml-scale -t species -m robust --save iris.scale train.csv > train-scaled.csv\n"
		  "  ml-scale --load iris.scale test.csv\n"
		  "  ml-scale -m none --impute median -t species penguins.csv\n",
};

typedef struct settings {
	ml_scale_options scale;
	ml_load_options load;
	cli_stage_io io;
	bool fitting_options_given;
	ml_scale_summary summary;
} settings;

/* "A,B" with A < B, both finite. */
static void parse_range(const char *arg, ml_scale_options *scale)
{
	const char *comma = strchr(arg, ',');
	char low[64];
	if (!comma || (size_t)(comma - arg) >= sizeof low)
		cli_usage_error("--range: expected A,B (two numbers), not '%s'", arg);
	memcpy(low, arg, (size_t)(comma - arg));
	low[comma - arg] = '\0';
	scale->range_low = cli_double("--range", low);
	scale->range_high = cli_double("--range", comma + 1);
	if (!(scale->range_low < scale->range_high) || !isfinite(scale->range_low) ||
	    !isfinite(scale->range_high))
		cli_usage_error("--range: '%s' is not two finite numbers, the first smaller", arg);
}

static void parse_impute(const char *arg, ml_scale_options *scale)
{
	if (ml_impute_from_name(arg, &scale->impute))
		return;
	double value;
	if (!ml_parse_double(arg, strlen(arg), &value) || !isfinite(value))
		cli_usage_error("--impute: '%s' is not mean, median, most-frequent or a finite"
				" number", arg);
	scale->impute = ML_IMPUTE_CONSTANT;
	scale->fill_value = value;
}

static void parse_arguments(int argc, char **argv, settings *s)
{
	ml_scale_options_init(&s->scale);
	ml_load_options_init(&s->load);
	bool range_given = false;
	int code;
	while ((code = cli_next_option(argc, argv)) != -1) {
		s->fitting_options_given |= code == 'm' || code == OPT_RANGE ||
					    code == OPT_IMPUTE || code == 'c' || code == 'x' ||
					    code == 't';
		switch (code) {
		case 'm':
			if (!ml_scale_method_from_name(cli_arg, &s->scale.method))
				cli_usage_error("-m: unknown method '%s' (standard, minmax, maxabs,"
						" robust or none)", cli_arg);
			break;
		case OPT_RANGE: parse_range(cli_arg, &s->scale); range_given = true; break;
		case OPT_IMPUTE: parse_impute(cli_arg, &s->scale); break;
		case 'c': s->scale.columns = cli_arg; break;
		case 'x': s->scale.exclude = cli_arg; break;
		case 't': s->load.target = cli_arg; break;
		default:
			if (!cli_csv_option(code, &s->load.csv) && !cli_stage_option(code, &s->io))
				cli_usage_error("unhandled option");
		}
	}
	if (range_given && s->scale.method != ML_SCALE_MINMAX)
		cli_usage_error("--range goes with -m minmax");
	cli_stage_finish_arguments(argc, argv, &s->io,
				   s->fitting_options_given ? "-m, --range, --impute, -c, -x and -t"
							    : NULL);
}

static void report(const ml_dataset *data, const ml_scale_options *scale,
		   const ml_scale_summary *summary)
{
	char filled[128] = "";
	if (scale->impute != ML_IMPUTE_NONE)
		snprintf(filled, sizeof filled, "; %zu missing values filled (%s)",
			 summary->n_missing, ml_impute_name(scale->impute));
	cli_warn("%zu rows; %s: %zu of %zu columns, %zu constant%s", data->n_rows,
		 ml_scale_method_name(scale->method), summary->n_touched, data->columns.count,
		 summary->n_constant, filled);
}

static ml_stage *fit_scale(const ml_dataset *data, void *context, ml_error *err)
{
	settings *s = context;
	return ml_scale_fit(data, &s->scale, &s->summary, err);
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	if (s.io.load_file) {
		cli_apply_saved(s.io.load_file, "scale", &s.load.csv, &s.io, true);
		if (s.io.verbose)
			cli_warn("applied the stages saved in '%s'", s.io.load_file);
		return 0;
	}
	ml_input *input = ml_input_open(s.io.input, &s.load.csv, &err);
	if (!input)
		cli_fail(&err);
	ml_dataset data;
	cli_stage_fit(&s.io, input, &s.load, true, fit_scale, &s, &data);
	if (s.io.verbose)
		report(&data, &s.scale, &s.summary);
	ml_dataset_free(&data);
	return 0;
}
