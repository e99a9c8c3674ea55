/*
 * ml_io: opening data inputs and writing data outputs, with the stage
 * chain they carry.
 *
 * An input is a path or "-" (stdin), CSV or binary: the first bytes decide
 * (the binary magic starts with a byte no text file starts with), so every
 * program takes either.  A binary input's header chain is parsed and
 * checked against its columns when it is opened.  An output is CSV, binary
 * or .npy as the caller says.
 * ml_dataset_read reads a whole input into memory, fitting a default load
 * stage when it is CSV: that is the implicit load every program does.
 */
#ifndef ML_IO_H
#define ML_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "io/ml_binary.h"
#include "io/ml_csv.h"
#include "stages/ml_dataset.h"
#include "stages/ml_load.h"

typedef struct ml_input ml_input;

/* path NULL or "-" reads stdin, named "stdin" in messages. */
ml_input *ml_input_open(const char *path, const ml_csv_options *csv, ml_error *err);
/* Reads fd from where it stands, named name in messages; fd stays open after close. */
ml_input *ml_input_open_fd(int fd, const char *name, const ml_csv_options *csv, ml_error *err);
void ml_input_close(ml_input *input);
const char *ml_input_name(const ml_input *input);
/* Exactly one of these is non-NULL. */
ml_csv_reader *ml_input_csv(ml_input *input);
ml_binary_reader *ml_input_binary(ml_input *input);
/* Binary input: the stages its header records (checked against its columns); CSV: NULL. */
const ml_chain *ml_input_chain(const ml_input *input);

/* Reads a whole input: binary as it is, CSV through a newly fitted load stage. */
int ml_dataset_read(const char *path, const ml_load_options *load, ml_dataset *dataset,
		    ml_error *err);
/* The same from an input already open (and then closed here). */
int ml_dataset_read_input(ml_input *input, const ml_load_options *load, ml_dataset *dataset,
			  ml_error *err);

/* NPY: numpy's .npy, numbers only (no names, target or stages; io/ml_npy.h). */
typedef enum { ML_FORMAT_CSV, ML_FORMAT_BINARY, ML_FORMAT_NPY } ml_format;

typedef struct ml_writer ml_writer;

/*
 * Starts an output of columns in format.  chain goes into a binary header;
 * for CSV it decodes the target's class indices back to names; .npy keeps
 * the numbers only.
 */
ml_writer *ml_writer_create(FILE *out, const char *name, ml_format format,
			    const ml_columns *columns, const ml_chain *chain, uint64_t n_rows,
			    ml_error *err);
/* CSV output: numbers with `digits` significant digits (0: exact, the default). */
void ml_writer_set_precision(ml_writer *writer, int digits);
int ml_writer_write(ml_writer *writer, const double *rows, size_t n_rows, ml_error *err);
int ml_writer_finish(ml_writer *writer, ml_error *err);
void ml_writer_free(ml_writer *writer);

/* Writes a whole dataset, columns, chain and rows. */
int ml_dataset_write(const ml_dataset *dataset, FILE *out, const char *name, ml_format format,
		     ml_error *err);

#endif
