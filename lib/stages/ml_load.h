/*
 * ml_load: the load stage, from CSV text to numbers.
 *
 * Fitting reads a whole CSV, decides which columns are numeric and which
 * are categorical (any non-missing value that is not a number makes a
 * column categorical), records each categorical column's vocabulary sorted
 * by bytes (so the encoding does not depend on row order) and encodes:
 * one-hot by default ("island=Dream"), integer codes with `ordinal`.  A
 * categorical target becomes class indices, its vocabulary the class names.
 * Numbers inside a categorical column are keyed by their shortest exact
 * form, so "1.0" and "1" are one category.  The CSV dialect is part of the
 * stage too (the missing-value strings, and the delimiter, header and
 * quotes when they are not the defaults), so that data read later, by
 * ml-predict or --load, is read the way the training data was.
 *
 * Applying streams: CSV records are matched to the stage's inputs by
 * column name (any order; extra columns ignored; a missing target is NaN),
 * and an unknown category becomes all-zero one-hot / NaN ordinal, counted.
 * With drop-first (scikit-learn's OneHotEncoder(drop="first")) a one-hot
 * column has no output for its first category, which an unknown category
 * then reads as.
 */
#ifndef ML_LOAD_H
#define ML_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "io/ml_csv.h"
#include "stages/ml_dataset.h"
#include "stages/ml_stage.h"

#define ML_DEFAULT_MAX_CATEGORIES 1000

typedef struct ml_load_options {
	ml_csv_options csv;
	const char *target;      /* target column name, or NULL */
	const char *keep;        /* columns to keep (ml_columns_select list), or NULL */
	const char *drop;        /* columns to drop, or NULL */
	const char *categorical; /* columns forced categorical, or NULL */
	bool ordinal;            /* integer codes instead of one-hot */
	size_t max_categories;   /* one-hot width limit per column */
	/*
	 * "COLUMN=a,b,c": the column's categories in this order, encoded as
	 * codes 0, 1, 2 (a categorical target's classes in this order); a
	 * value not in the list is an error.
	 */
	const char *const *orders;
	size_t n_orders;
	bool drop_first;         /* one-hot leaves out each column's first category */
	bool drop_missing_target; /* rows whose target is missing are left out (counted) */
	/*
	 * One-hot columns are expanded only as rows are written: the dataset
	 * keeps a code per input (dataset->encoder, ml_load_encode_rows),
	 * not the wider encoded matrix.  For callers that only write it.
	 */
	bool encode_on_write;
} ml_load_options;

void ml_load_options_init(ml_load_options *options);

/*
 * Reads all of csv, fits the load stage and encodes the data: dataset gets
 * the output columns, a chain holding the new stage, and the rows.
 */
int ml_load_fit(ml_csv_reader *csv, const ml_load_options *options, ml_dataset *dataset,
		ml_error *err);

/*
 * Encodes count rows of codes and numbers, one cell per input of a fitted
 * load stage (a dataset's values with encode_on_write), into out (the
 * stage's output width per row).
 */
void ml_load_encode_rows(const ml_stage *stage, const double *coded, size_t count, double *out);

/* Class names when stage is a load stage with a categorical target. */
char *const *ml_load_class_names(const ml_stage *stage, size_t *count);
/* True when stage is a load stage. */
bool ml_stage_is_load(const ml_stage *stage);
/*
 * The CSV dialect the load stage was fitted on (delimiter, header, missing
 * values, quotes), put into the parts of csv the user did not choose
 * (csv->*_given).  The missing-value strings stay the stage's: csv must not
 * outlive it.
 */
void ml_load_fill_dialect(const ml_stage *stage, ml_csv_options *csv);
/*
 * The output cell that a number given for input `input` is copied to as
 * is (a numeric column: ml_load_apply_values writes the number there, NaN
 * for a missing one), or ML_NO_COLUMN when the column encodes its values
 * (categories, one-hot).
 */
size_t ml_load_number_cell(const ml_stage *stage, size_t input);

typedef struct ml_load_applier ml_load_applier;

/*
 * Prepares to apply a load stage to CSV whose header is csv_columns,
 * matching columns by name.  A missing input column is an error naming it,
 * except the target, which reads as missing.
 */
ml_load_applier *ml_load_applier_create(const ml_stage *stage, const ml_columns *csv_columns,
					const char *source, ml_error *err);
void ml_load_applier_free(ml_load_applier *applier);
/* Encodes one record into row (the stage's output width). */
int ml_load_apply_record(ml_load_applier *applier, const ml_record *record, double *row,
			 ml_error *err);
/*
 * Values that come from elsewhere than CSV text (the fields of a JSON
 * request), one per input of the stage, in the stage's input order: text
 * that is read as a CSV field would be, or a number already parsed (a
 * JSON number, correctly rounded as ml_parse_double rounds its text).  A
 * number in a categorical column is the category its shortest text names,
 * as in CSV.  `missing` (JSON null, or an input not given) reads as a
 * missing value.
 */
typedef struct ml_load_value {
	enum { ML_LOAD_MISSING, ML_LOAD_NUMBER, ML_LOAD_TEXT } kind;
	double number;
	const char *text; /* NUL-terminated */
	size_t length;
} ml_load_value;

/*
 * Encodes one row of values into row (the stage's output width), like
 * ml_load_apply_record but stateless, so threads may share the stage:
 * *n_unknown counts the categories not in their vocabulary.  A failure
 * (text that is not a number in a numeric column) names the column only:
 * the caller says which row.
 */
int ml_load_apply_values(const ml_stage *stage, const ml_load_value *values, double *row,
			 size_t *n_unknown, ml_error *err);

/* Total values not in their column's vocabulary, and the column with the most. */
size_t ml_load_unknown_total(const ml_load_applier *applier, const char **worst_column);

#endif
