/*
 * ml-split: writes a seeded random split of its input into a training
 * part and a test part, or one fold of a K-fold cross-validation,
 * stratified when asked.  Two passes over the input (lib's
 * ml_split_source): memory holds one stratum number a row, not the rows.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/ml_util.h"
#include "stages/ml_split.h"
#include "stages/ml_split_source.h"

enum { OPT_TEST = 256, OPT_STRATIFY, OPT_STRATIFY_BY, OPT_FOLDS, OPT_FOLD };

/* Leave-one-out on a million rows is as far as K-fold goes here. */
#define MAX_FOLDS ((size_t)1000000)

static const cli_option options[] = {
	{ OPT_TEST, "test", "SIZE", "the test part: a fraction of the rows, or a row count"
				    " (default 0.25)" },
	{ 's', "seed", "SEED", "seed of the random choice (default 0): same seed, same rows" },
	{ OPT_STRATIFY, "stratify", NULL, "keep the target's class proportions in both parts" },
	{ OPT_STRATIFY_BY, "stratify-by", "NAME", "keep the proportions of column NAME's values" },
	{ 't', "target", "NAME", "the target column for --stratify (CSV cannot mark it)" },
	{ OPT_FOLDS, "folds", "K", "K-fold: the rows dealt into K folds ..." },
	{ OPT_FOLD, "fold", "I", "... and fold I (1 to K) is the test part" },
	CLI_CSV_OPTIONS("CSV input: "),
	{ 'v', "verbose", NULL, "say how many rows went where on stderr" },
	{ 0 },
};

static const cli_command command = {
	.name = "ml-split",
	.synopsis = "[OPTION]... FILE TRAIN TEST",
	.summary = "Split FILE's rows at random into TRAIN and TEST, in FILE's format.\n"
		   "CSV rows are copied byte for byte, binary ones with the input's header.",
	.options = options,
	.footer = "Examples:\n"
		  "  ml-split -s 1 --test 0.2 iris.csv train.csv test.csv\n"
		  "  ml-split --stratify -t species iris.csv train.csv test.csv\n"
		  "  for i in 1 2 3 4 5; do\n"
		  "    ml-split --folds 5 --fold $i iris.csv train$i.csv test$i.csv; done\n",
};

typedef struct settings {
	ml_split_options split;
	ml_csv_options csv;
	ml_split_by by;
	bool verbose;
	const char *input, *parts[2];
} settings;

/* A whole number is a row count; anything else a fraction. */
static void parse_test_size(const char *arg, ml_split_options *split)
{
	int64_t count;
	if (ml_parse_int64(arg, strlen(arg), 1, INT64_MAX, &count)) {
		split->test_rows = (size_t)count;
		return;
	}
	split->test_fraction = cli_double("--test", arg);
	if (!(split->test_fraction > 0 && split->test_fraction < 1))
		cli_usage_error("--test: '%s' is neither a fraction between 0 and 1 nor a row"
				" count", arg);
}

static void parse_arguments(int argc, char **argv, settings *s)
{
	ml_split_options_init(&s->split);
	ml_csv_options_init(&s->csv);
	bool test_given = false, stratify = false;
	const char *target = NULL;
	int code;
	while ((code = cli_next_option(argc, argv)) != -1) {
		switch (code) {
		case OPT_TEST: parse_test_size(cli_arg, &s->split); test_given = true; break;
		case 's': s->split.seed = cli_size("-s", cli_arg, 0, (size_t)INT64_MAX); break;
		case OPT_STRATIFY: stratify = true; break;
		case OPT_STRATIFY_BY: s->by.column = cli_arg; break;
		case 't': target = cli_arg; break;
		case OPT_FOLDS: s->split.n_folds = cli_size("--folds", cli_arg, 2, MAX_FOLDS); break;
		case OPT_FOLD: s->split.fold = cli_size("--fold", cli_arg, 1, MAX_FOLDS); break;
		case 'v': s->verbose = true; break;
		default:
			if (!cli_csv_option(code, &s->csv))
				cli_usage_error("unhandled option");
		}
	}
	if (stratify && s->by.column)
		cli_usage_error("--stratify and --stratify-by: choose one");
	if (target && !stratify)
		cli_usage_error("-t names the target for --stratify");
	if (stratify) {
		s->by.target = true;
		s->by.column = target;
	}
	if (s->split.n_folds && test_given)
		cli_usage_error("--test and --folds: in K-fold the test part is one fold");
	if (!s->split.n_folds != !s->split.fold)
		cli_usage_error("--folds K and --fold I go together");
	ml_error err;
	if (ml_split_options_check(&s->split, &err) < 0)
		cli_usage_error("%s", err.message);
	if (argc - optind != 3)
		cli_usage_error("expected FILE TRAIN TEST (got %d operand%s)", argc - optind,
				argc - optind == 1 ? "" : "s");
	s->input = argv[optind];
	s->parts[0] = argv[optind + 1];
	s->parts[1] = argv[optind + 2];
	if (strcmp(s->parts[0], s->parts[1]) == 0)
		cli_usage_error("TRAIN and TEST are the same file '%s'", s->parts[0]);
}

static void report(const settings *s, const ml_split_summary *summary)
{
	char strata[64] = "";
	if (s->by.target || s->by.column)
		snprintf(strata, sizeof strata, "; %zu strata, the smallest of %zu rows",
			 summary->n_strata, summary->smallest_stratum);
	cli_warn("%zu rows: %zu to '%s', %zu to '%s'%s", summary->n_train + summary->n_test,
		 summary->n_train, s->parts[0], summary->n_test, s->parts[1], strata);
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	ml_split_source *source = ml_split_source_open(s.input, &s.csv, &err);
	size_t n_rows, n_strata, *strata;
	if (!source || ml_split_source_scan(source, &s.by, &n_rows, &strata, &n_strata, &err) < 0)
		cli_fail(&err);
	unsigned char *is_test = ml_alloc_array(n_rows ? n_rows : 1, 1, &err);
	ml_split_summary summary;
	if (!is_test ||
	    ml_split_assign(&s.split, n_rows, strata, n_strata, is_test, &summary, &err) < 0) {
		ml_error_prefix(&err, "%s", ml_split_source_name(source));
		cli_fail(&err);
	}
	if (strata && s.split.n_folds && summary.smallest_stratum < s.split.n_folds)
		cli_warn("%s: the smallest stratum has %zu rows, fewer than the %zu folds: some"
			 " test folds lack it", ml_split_source_name(source),
			 summary.smallest_stratum, s.split.n_folds);
	FILE *parts[2];
	ml_format format = ml_split_source_is_csv(source) ? ML_FORMAT_CSV : ML_FORMAT_BINARY;
	for (size_t i = 0; i < 2; i++) {
		parts[i] = cli_output_open(s.parts[i]);
		cli_refuse_terminal(parts[i], format);
	}
	if (ml_split_source_write(source, is_test, n_rows, parts, s.parts, &err) < 0)
		cli_fail(&err);
	cli_output_close();
	if (s.verbose)
		report(&s, &summary);
	free(is_test);
	free(strata);
	ml_split_source_close(source);
	return 0;
}
