/*
 * The tree kinds' lines in a model file and their description for
 * ml-info (the grammar is in ml_trees_impl.h).
 */
#include "models/ml_trees_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Importances ml-info lists before it says how many more there are. */
#define DESCRIBED_IMPORTANCES 50

trees_state *ml_trees_state_new(ml_error *err)
{
	trees_state *state = calloc(1, sizeof *state);
	if (!state) {
		ml_error_nomem(err);
		return NULL;
	}
	state->score = NAN;
	return state;
}

void ml_trees_free_state(void *opaque)
{
	trees_state *state = opaque;
	if (state)
		ml_ensemble_free(state->ensemble);
	free(state);
}

static bool is_kind(const ml_model *model, const char *name)
{
	return strcmp(model->kind->name, name) == 0;
}

static double hyper(const ml_model *model, const char *name)
{
	size_t index = ml_estimator_find_param(model->kind, name);
	return index == ML_NO_PARAM ? NAN : model->hyper[index];
}

/* Per feature: total gain and split count (n_features each, in one array). */
static double *importances(const ml_model *model, ml_error *err)
{
	const trees_state *state = model->state;
	double *both = ml_alloc_array(model->n_features, 2 * sizeof(double), err);
	if (both)
		ml_ensemble_importances(state->ensemble, both, both + model->n_features);
	return both;
}

/* ---- writing ---------------------------------------------------------- */

static void write_summary(const ml_model *model, ml_buf *out)
{
	const trees_state *state = model->state;
	const ml_ensemble_summary *summary = ml_ensemble_get_summary(state->ensemble);
	if (is_kind(model, "tree")) {
		ml_text_write_double(out, "training-score", state->score);
	} else if (is_kind(model, "forest")) {
		ml_text_write_double(out, "out-of-bag-score", state->score);
	} else {
		ml_text_write_size(out, "rounds", summary->rounds);
		ml_text_write_size(out, "rounds-run", summary->rounds_run);
		ml_text_write_double(out, "training-loss", summary->train_loss);
		ml_text_write_double(out, "validation-loss", summary->valid_loss);
		ml_text_write_size(out, "validation-rows", state->valid_rows);
	}
}

void ml_trees_write(const ml_model *model, ml_buf *out)
{
	const trees_state *state = model->state;
	ml_error ignored;
	ml_ensemble_write(state->ensemble, out);
	double *gain = importances(model, &ignored);
	if (!gain) {
		out->failed = true;
		return;
	}
	const double *splits = gain + model->n_features;
	ml_text_write_size(out, "importances", model->n_features);
	for (size_t f = 0; f < model->n_features; f++) {
		ml_text_key(out, "importance");
		ml_text_string(out, ml_model_feature_name(model, f));
		ml_text_double(out, gain[f]);
		ml_text_size(out, (size_t)splits[f]);
		ml_text_newline(out);
	}
	free(gain);
	write_summary(model, out);
}

/* ---- reading ---------------------------------------------------------- */

/* The ensemble must be what the section's common lines say. */
static int check_ensemble(const ml_model *model, ml_text_reader *reader,
			  const ml_text_line *at, ml_error *err)
{
	const ml_ensemble *ensemble = ((const trees_state *)model->state)->ensemble;
	const char *kind = ml_ensemble_kind_name(ml_ensemble_kind_of(ensemble));
	size_t n_classes = model->task == ML_TASK_CLASSIFICATION ? model->n_classes : 0;
	size_t n_trees = ml_ensemble_n_trees(ensemble);
	if (strcmp(kind, model->kind->name) != 0)
		return ml_text_fail(reader, at, err, "a %s ensemble in a %s model", kind,
				    model->kind->name);
	if (ml_ensemble_n_features(ensemble) != model->n_features)
		return ml_text_fail(reader, at, err, "the trees have %zu features but the inputs"
				    " hold %zu", ml_ensemble_n_features(ensemble), model->n_features);
	if (ml_ensemble_n_classes(ensemble) != n_classes)
		return ml_text_fail(reader, at, err, "the trees have %zu classes but the model %zu",
				    ml_ensemble_n_classes(ensemble), n_classes);
	if (is_kind(model, "tree") && n_trees != 1)
		return ml_text_fail(reader, at, err, "a tree model holds one tree, not %zu", n_trees);
	if (is_kind(model, "forest") && (double)n_trees != hyper(model, "trees"))
		return ml_text_fail(reader, at, err, "%zu trees but 'trees' says %g", n_trees,
				    hyper(model, "trees"));
	return 0;
}

/* "importance FEATURE GAIN SPLITS", each what the trees sum up to. */
static int parse_importances(const ml_model *model, ml_text_reader *reader, ml_error *err)
{
	ml_text_line line;
	size_t count;
	if (ml_text_read_key(reader, "importances", 1, &line, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, ML_MAX_COLUMNS, &count, err) < 0)
		return -1;
	if (count != model->n_features)
		return ml_text_fail(reader, &line, err, "'importances' says %zu but the inputs hold"
				    " %zu features", count, model->n_features);
	double *gain = importances(model, err);
	if (!gain)
		return -1;
	const double *splits = gain + model->n_features;
	int status = 0;
	for (size_t f = 0; f < model->n_features && status == 0; f++) {
		const char *feature = ml_model_feature_name(model, f);
		double value;
		size_t n_splits;
		if (ml_text_read_key(reader, "importance", 3, &line, err) < 0 ||
		    ml_text_get_double(reader, &line, 2, &value, err) < 0 ||
		    ml_text_get_size(reader, &line, 3, SIZE_MAX, &n_splits, err) < 0)
			status = -1;
		else if (strcmp(line.tokens[1], feature) != 0)
			status = ml_text_fail(reader, &line, err, "expected the importance of feature"
					      " '%s', found '%s'", feature, line.tokens[1]);
		else if (!(value == gain[f]) || (double)n_splits != splits[f])
			status = ml_text_fail(reader, &line, err, "the importance of '%s' is not"
					      " what its splits in the trees add up to", feature);
	}
	free(gain);
	return status;
}

static int parse_gbdt_summary(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	trees_state *state = model->state;
	ml_ensemble_summary summary = *ml_ensemble_get_summary(state->ensemble);
	ml_text_line line;
	size_t per_round = ml_ensemble_n_scores(state->ensemble);
	if (ml_text_read_key(reader, "rounds", 1, &line, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, ML_ENSEMBLE_MAX_TREES, &summary.rounds, err) < 0)
		return -1;
	if (summary.rounds * per_round != ml_ensemble_n_trees(state->ensemble))
		return ml_text_fail(reader, &line, err, "%zu rounds of %zu trees, but %zu trees",
				    summary.rounds, per_round, ml_ensemble_n_trees(state->ensemble));
	if (ml_text_read_key(reader, "rounds-run", 1, &line, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, ML_ENSEMBLE_MAX_TREES, &summary.rounds_run,
			     err) < 0)
		return -1;
	if (summary.rounds_run < summary.rounds || (double)summary.rounds_run > hyper(model, "trees"))
		return ml_text_fail(reader, &line, err, "%zu rounds run: not between the %zu kept"
				    " and the %g asked for", summary.rounds_run, summary.rounds,
				    hyper(model, "trees"));
	if (ml_text_read_double(reader, "training-loss", ML_TEXT_ANY, &summary.train_loss,
				err) < 0 ||
	    ml_text_read_double(reader, "validation-loss", ML_TEXT_ANY, &summary.valid_loss,
				err) < 0 ||
	    ml_text_read_size(reader, "validation-rows", SIZE_MAX, &state->valid_rows, err) < 0)
		return -1;
	ml_ensemble_set_summary(state->ensemble, &summary);
	return 0;
}

int ml_trees_parse(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	/* The ensemble's first line: where its disagreements with the model are told. */
	ml_text_line start = { .number = ml_text_last_line(reader) + 1 };
	trees_state *state = ml_trees_state_new(err);
	if (!state)
		return -1;
	model->state = state;
	if (!(state->ensemble = ml_ensemble_parse(reader, err)) ||
	    check_ensemble(model, reader, &start, err) < 0 ||
	    parse_importances(model, reader, err) < 0)
		return -1;
	int status;
	if (is_kind(model, "tree"))
		status = ml_text_read_double(reader, "training-score", ML_TEXT_ANY, &state->score,
					     err);
	else if (is_kind(model, "forest"))
		status = ml_text_read_double(reader, "out-of-bag-score", ML_TEXT_ANY, &state->score,
					     err);
	else
		status = parse_gbdt_summary(model, reader, err);
	if (status < 0)
		return -1;
	return ml_text_read_end(reader, "a tree model", err);
}

/* ---- describing ------------------------------------------------------- */

static void describe_shape(const ml_ensemble *ensemble, ml_buf *out)
{
	size_t n_trees = ml_ensemble_n_trees(ensemble), nodes = 0;
	size_t depth_min = SIZE_MAX, depth_max = 0, leaves_min = SIZE_MAX, leaves_max = 0;
	double depth_sum = 0, leaves_sum = 0;
	for (size_t t = 0; t < n_trees; t++) {
		const ml_tree *tree = ml_ensemble_tree(ensemble, t);
		size_t depth = ml_tree_depth(tree), leaves = ml_tree_n_leaves(tree);
		nodes += tree->n_nodes;
		depth_sum += (double)depth;
		leaves_sum += (double)leaves;
		depth_min = depth < depth_min ? depth : depth_min;
		depth_max = depth > depth_max ? depth : depth_max;
		leaves_min = leaves < leaves_min ? leaves : leaves_min;
		leaves_max = leaves > leaves_max ? leaves : leaves_max;
	}
	if (n_trees == 0)
		return;
	double n = (double)n_trees;
	ml_buf_printf(out, "depth: %zu to %zu, mean %.4g\nleaves: %zu to %zu, mean %.6g\n"
		      "nodes: %zu in all\n", depth_min, depth_max, depth_sum / n, leaves_min,
		      leaves_max, leaves_sum / n, nodes);
}

static void describe_summary(const ml_model *model, ml_buf *out)
{
	const trees_state *state = model->state;
	const ml_ensemble_summary *summary = ml_ensemble_get_summary(state->ensemble);
	const char *what = model->task == ML_TASK_CLASSIFICATION ? "accuracy" : "R^2";
	if (is_kind(model, "tree")) {
		ml_buf_printf(out, "training %s: %.6g\n", what, state->score);
	} else if (is_kind(model, "forest")) {
		if (isnan(state->score))
			ml_buf_printf(out, "out-of-bag %s: not computed (ml-fit --oob-score)\n", what);
		else
			ml_buf_printf(out, "out-of-bag %s: %.6g\n", what, state->score);
	} else {
		ml_buf_printf(out, "rounds: %zu kept of %zu run\ntraining loss: %.9g\n",
			      summary->rounds, summary->rounds_run, summary->train_loss);
		if (state->valid_rows)
			ml_buf_printf(out, "validation loss: %.9g on %zu rows\n", summary->valid_loss,
				      state->valid_rows);
	}
}

typedef struct ranked {
	size_t feature;
	double gain, splits;
} ranked;

static int by_gain(const void *a, const void *b)
{
	const ranked *x = a, *y = b;
	if (x->gain != y->gain)
		return x->gain < y->gain ? 1 : -1;
	if (x->splits != y->splits)
		return x->splits < y->splits ? 1 : -1;
	return (x->feature > y->feature) - (x->feature < y->feature);
}

static void describe_importances(const ml_model *model, ml_buf *out)
{
	ml_error ignored;
	size_t d = model->n_features;
	double *gain = importances(model, &ignored);
	ranked *order = ml_alloc_array(d, sizeof *order, &ignored);
	if (!gain || !order) {
		free(gain);
		free(order);
		out->failed = true;
		return;
	}
	double total = 0;
	size_t used = 0;
	for (size_t f = 0; f < d; f++) {
		order[f] = (ranked){ f, gain[f], gain[d + f] };
		total += gain[f];
		used += gain[d + f] > 0;
	}
	qsort(order, d, sizeof *order, by_gain);
	ml_buf_printf(out, "importances: %zu of %zu features split on, by total gain:\n"
		      "  %-28s %14s %7s %8s\n", used, d, "feature", "gain", "share", "splits");
	for (size_t i = 0; i < d && i < DESCRIBED_IMPORTANCES; i++) {
		const ranked *r = &order[i];
		ml_buf_printf(out, "  %-28s %14.6g %6.2f%% %8.0f\n",
			      ml_model_feature_name(model, r->feature), r->gain,
			      total > 0 ? 100 * r->gain / total : 0.0, r->splits);
	}
	if (d > DESCRIBED_IMPORTANCES)
		ml_buf_printf(out, "  ... and %zu more (all in the model file's importance lines)\n",
			      d - DESCRIBED_IMPORTANCES);
	free(gain);
	free(order);
}

void ml_trees_describe(const ml_model *model, ml_buf *out)
{
	const trees_state *state = model->state;
	const ml_ensemble *ensemble = state->ensemble;
	size_t n_trees = ml_ensemble_n_trees(ensemble), n_scores = ml_ensemble_n_scores(ensemble);
	ml_buf_printf(out, "objective: %s\nensemble: %zu tree%s",
		      ml_objective_name(ml_ensemble_objective(ensemble)), n_trees,
		      n_trees == 1 ? "" : "s");
	if (is_kind(model, "gbdt") && n_scores > 1)
		ml_buf_printf(out, " (%zu rounds of one per class)", n_trees / n_scores);
	ml_buf_puts(out, "\n");
	if (is_kind(model, "gbdt")) {
		ml_buf_puts(out, "base score:");
		for (size_t k = 0; k < n_scores; k++)
			ml_buf_printf(out, " %.9g", ml_ensemble_base_score(ensemble)[k]);
		ml_buf_puts(out, "\n");
	}
	describe_shape(ensemble, out);
	describe_summary(model, out);
	describe_importances(model, out);
}
