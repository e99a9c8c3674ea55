/*
 * ml_estimator: the kinds of estimator ml-fit trains (linear, ridge,
 * logistic, ...) and ml-cluster fits (kmeans, minibatch-kmeans), and the
 * table of hyperparameters each one takes.
 *
 * The registry is one list in ml_estimator.c, and each kind describes its
 * hyperparameters in a table (name, type, default, bounds, help).  All the
 * rest is derived from the two: ml-fit's options and --help, the messages
 * that list the known kinds, the hyperparameter lines of a model file, what
 * ml-info shows, and which inputs a kind accepts (its flags).  Adding a
 * kind is one file plus one line in the registry (lib/README.md).
 */
#ifndef ML_ESTIMATOR_H
#define ML_ESTIMATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"
#include "core/ml_util.h"

/* What a model does: clustering needs no target (one it is given is not a feature). */
typedef enum ml_task { ML_TASK_REGRESSION, ML_TASK_CLASSIFICATION, ML_TASK_CLUSTERING } ml_task;

/* What a kind does and accepts. */
enum {
	ML_ESTIMATOR_REGRESSION = 1 << 0,     /* a numeric target */
	ML_ESTIMATOR_CLASSIFICATION = 1 << 1, /* classes: text labels or distinct values */
	ML_ESTIMATOR_MISSING = 1 << 2,        /* features may be missing (NaN) */
	ML_ESTIMATOR_RANDOM = 1 << 3,         /* uses the seed */
	ML_ESTIMATOR_CLUSTERING = 1 << 4,     /* groups the rows; no target (ml-cluster) */
	ML_ESTIMATOR_VALIDATION = 1 << 5      /* takes validation rows (ml-fit --valid FILE) */
};

typedef enum ml_param_type {
	ML_PARAM_REAL,   /* a number, within [min, max] (or (min, max]) */
	ML_PARAM_COUNT,  /* a whole number within [min, max] */
	ML_PARAM_BOOL,   /* true / false; the option is a flag (see ml_param.flag) */
	ML_PARAM_CHOICE  /* one of the words */
} ml_param_type;

/* A word that stands for a value: "none" for an unlimited depth, "sqrt", ... */
typedef struct ml_param_word {
	const char *word;
	double value;
} ml_param_word;

/*
 * One hyperparameter: the option --NAME of ml-fit and the line "NAME VALUE"
 * of a model file.  A value is a double whatever the type (a count, 0 or 1,
 * the value of a word).  REAL and COUNT take the words besides numbers;
 * CHOICE takes only words.
 */
typedef struct ml_param {
	const char *name;
	ml_param_type type;
	const char *arg;             /* the argument in --help: "--alpha A" */
	const char *flag;            /* BOOL: the option that sets the opposite of the default */
	const char *default_text;    /* read like an option's argument */
	double min, max;
	bool min_exclusive;          /* REAL: > min rather than >= min */
	const ml_param_word *words;  /* ends with { NULL } */
	const char *help;
} ml_param;

/* The most hyperparameters a kind may have. */
#define ML_MAX_PARAMS 32

typedef struct ml_estimator ml_estimator;

size_t ml_estimator_count(void);
const ml_estimator *ml_estimator_at(size_t index);
/* The kind called name, or NULL. */
const ml_estimator *ml_estimator_find(const char *name);
/*
 * Appends the names of the kinds whose flags include all of `flags` (0:
 * every kind), "a, b or c".
 */
void ml_estimator_list(ml_buf *out, unsigned flags);

const char *ml_estimator_name(const ml_estimator *kind);
/* One line saying what it is, for ml-fit --help. */
const char *ml_estimator_summary(const ml_estimator *kind);
unsigned ml_estimator_flags(const ml_estimator *kind);
size_t ml_estimator_n_params(const ml_estimator *kind);
const ml_param *ml_estimator_param(const ml_estimator *kind, size_t index);
/* The index of the parameter called name, or ML_NO_PARAM. */
#define ML_NO_PARAM ((size_t)-1)
size_t ml_estimator_find_param(const ml_estimator *kind, const char *name);

/*
 * Reads text as a value of param (a word, or a number within the bounds);
 * err says what was expected, without naming the parameter.
 */
int ml_param_parse(const ml_param *param, const char *text, double *value, ml_error *err);
/* Appends value as ml_param_parse reads it back: the word, or the exact number. */
void ml_param_format(const ml_param *param, double value, ml_buf *out);
/* The value a word stands for (bool: true/false), if param has it. */
bool ml_param_word_value(const ml_param *param, const char *word, double *value);

#endif
