/*
 * plot: PNG pictures drawn by gnuplot, a separate program (Debian's
 * gnuplot-nox), fed a script and its data on its standard input.  For
 * the --plot options: ml-eval's ROC curve, confusion matrix and
 * predicted-against-actual scatter, ml-cluster's elbow curve (inertia
 * against k, the silhouette on a second axis).  The file is written
 * atomically, like every output; when gnuplot is missing the program
 * says how to install it and exits 1.
 */
#ifndef ML_PLOT_H
#define ML_PLOT_H

#include <stdbool.h>
#include <stddef.h>

/* What surrounds the data: titles, labels, the size and the axes. */
typedef struct plot_frame {
	const char *title;
	const char *x_label, *y_label;
	const char *y2_label;    /* a second y axis on the right (plot_series.second_axis) */
	unsigned width, height;  /* pixels; 0 for 800 x 600 */
	bool diagonal;           /* a dashed y = x line: chance for ROC, perfection for a scatter */
	bool unit_square;        /* both axes from 0 to 1 (ROC) */
	bool same_range;         /* both axes over the same range (a scatter with its diagonal) */
	double x_step;           /* a tic every x_step on the x axis (k: 1); 0 for gnuplot's */
} plot_frame;

typedef enum { PLOT_LINES, PLOT_POINTS, PLOT_LINES_POINTS } plot_style;

typedef struct plot_series {
	const char *title; /* the key's text; NULL for none */
	const double *x, *y;
	size_t n_points;
	plot_style style;
	bool second_axis; /* against the right-hand y axis */
} plot_series;

/* True when gnuplot is on the PATH. */
bool plot_available(void);
/* Exits 1 saying how to install gnuplot when it is not there: before any work. */
void plot_require(void);

/* Line or point series in one frame, to the PNG file path. */
void plot_series_png(const char *path, const plot_frame *frame, const plot_series *series,
		     size_t n_series);

/*
 * A heat map of n_rows x n_columns cells (row-major), each cell's value
 * written in it, rows labelled from the top, columns from the left.
 */
void plot_heat_map_png(const char *path, const plot_frame *frame, const double *cells,
		       size_t n_rows, size_t n_columns, char *const *row_labels,
		       char *const *column_labels);

#endif
