#include "plot.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "core/ml_number.h"
#include "core/ml_util.h"

#define GNUPLOT "gnuplot"
#define INSTALL_HINT "--plot needs gnuplot: apt-get install gnuplot-nox"

/* The full path of gnuplot on the PATH, or NULL. */
static char *find_gnuplot(void)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		return NULL;
	ml_buf candidate;
	ml_buf_init(&candidate);
	for (const char *start = path;; start++) {
		const char *end = strchr(start, ':');
		size_t length = end ? (size_t)(end - start) : strlen(start);
		ml_buf_reset(&candidate);
		ml_buf_append(&candidate, length ? start : ".", length ? length : 1);
		ml_buf_puts(&candidate, "/" GNUPLOT);
		struct stat status;
		if (!candidate.failed && stat(candidate.data, &status) == 0 &&
		    S_ISREG(status.st_mode) && access(candidate.data, X_OK) == 0)
			return candidate.data;
		if (!end)
			break;
		start = end;
	}
	ml_buf_free(&candidate);
	return NULL;
}

bool plot_available(void)
{
	char *gnuplot = find_gnuplot();
	free(gnuplot);
	return gnuplot != NULL;
}

void plot_require(void)
{
	if (!plot_available())
		cli_die(INSTALL_HINT);
}

/* A string in gnuplot's double quotes. */
static void put_string(ml_buf *script, const char *text)
{
	ml_buf_putc(script, '"');
	for (const char *p = text ? text : ""; *p; p++) {
		if (*p == '"' || *p == '\\')
			ml_buf_putc(script, '\\');
		ml_buf_putc(script, *p == '\n' ? ' ' : *p);
	}
	ml_buf_putc(script, '"');
}

static void put_number(ml_buf *script, double value)
{
	char digits[ML_DOUBLE_BUFSIZE];
	if (isfinite(value))
		ml_buf_append(script, digits, ml_format_double(value, digits));
	else
		ml_buf_puts(script, "NaN");
}

/* Terminal, output, titles and labels. */
static void begin(ml_buf *script, const plot_frame *frame, const char *output)
{
	ml_buf_printf(script, "set terminal pngcairo size %u,%u font 'sans,11' noenhanced\n",
		      frame->width ? frame->width : 800, frame->height ? frame->height : 600);
	/* Single quotes: gnuplot reads nothing special in them but '' for one quote. */
	ml_buf_puts(script, "set output '");
	for (const char *p = output; *p; p++) {
		if (*p == '\'')
			ml_buf_putc(script, '\'');
		ml_buf_putc(script, *p);
	}
	ml_buf_puts(script, "'\nset title ");
	put_string(script, frame->title);
	ml_buf_puts(script, "\nset xlabel ");
	put_string(script, frame->x_label);
	ml_buf_puts(script, "\nset ylabel ");
	put_string(script, frame->y_label);
	ml_buf_putc(script, '\n');
	if (frame->y2_label) {
		ml_buf_puts(script, "set y2label ");
		put_string(script, frame->y2_label);
		ml_buf_puts(script, "\nset ytics nomirror\nset y2tics\n");
	}
}

static void feed(const char *gnuplot, const ml_buf *script)
{
	int pipe_ends[2];
	if (pipe(pipe_ends) != 0)
		cli_die("cannot start gnuplot: %s", strerror(errno));
	pid_t child = fork();
	if (child < 0)
		cli_die("cannot start gnuplot: %s", strerror(errno));
	if (child == 0) {
		dup2(pipe_ends[0], STDIN_FILENO);
		close(pipe_ends[0]);
		close(pipe_ends[1]);
		/* gnuplot's own messages go to stderr; it prints nothing else we want. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl(gnuplot, GNUPLOT, (char *)NULL);
		_exit(127);
	}
	close(pipe_ends[0]);
	/* A gnuplot that dies early must not take us with it through SIGPIPE. */
	void (*previous)(int) = signal(SIGPIPE, SIG_IGN);
	const char *bytes = script->data;
	size_t left = script->length;
	while (left > 0) {
		ssize_t wrote = write(pipe_ends[1], bytes, left);
		if (wrote < 0 && errno == EINTR)
			continue;
		if (wrote <= 0)
			break;
		bytes += wrote;
		left -= (size_t)wrote;
	}
	close(pipe_ends[1]);
	signal(SIGPIPE, previous);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			cli_die("gnuplot: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		cli_die("gnuplot failed (%s %d) drawing the plot",
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* The frame, then body, through gnuplot into path, atomically. */
static void draw(const char *path, const plot_frame *frame, const ml_buf *body)
{
	if (strcmp(path, "-") == 0)
		cli_usage_error("--plot writes a PNG file: give its name, not '-'");
	char *gnuplot = find_gnuplot();
	if (!gnuplot)
		cli_die(INSTALL_HINT);
	cli_output_open(path);
	ml_buf script;
	ml_buf_init(&script);
	begin(&script, frame, cli_output_path());
	ml_buf_append(&script, body->data, body->length);
	if (script.failed || body->failed)
		cli_die("out of memory");
	feed(gnuplot, &script);
	ml_buf_free(&script);
	free(gnuplot);
	cli_output_close();
}

static void put_block(ml_buf *body, size_t index, const plot_series *series)
{
	ml_buf_printf(body, "$series%zu << EOD\n", index);
	for (size_t i = 0; i < series->n_points; i++) {
		put_number(body, series->x[i]);
		ml_buf_putc(body, ' ');
		put_number(body, series->y[i]);
		ml_buf_putc(body, '\n');
	}
	ml_buf_puts(body, "EOD\n");
}

/* The range of every value of every series, a little wider. */
static void common_range(const plot_series *series, size_t n_series, ml_buf *body)
{
	double low = INFINITY, high = -INFINITY;
	for (size_t s = 0; s < n_series; s++)
		for (size_t i = 0; i < series[s].n_points; i++) {
			double values[2] = { series[s].x[i], series[s].y[i] };
			for (size_t v = 0; v < 2; v++)
				if (isfinite(values[v])) {
					low = fmin(low, values[v]);
					high = fmax(high, values[v]);
				}
		}
	if (!(low < high))
		return;
	double margin = (high - low) * 0.03;
	ml_buf_puts(body, "set xrange [");
	put_number(body, low - margin);
	ml_buf_putc(body, ':');
	put_number(body, high + margin);
	ml_buf_puts(body, "]\nset yrange [");
	put_number(body, low - margin);
	ml_buf_putc(body, ':');
	put_number(body, high + margin);
	ml_buf_puts(body, "]\nset size square\n");
}

void plot_series_png(const char *path, const plot_frame *frame, const plot_series *series,
		     size_t n_series)
{
	static const char *const styles[] = { "lines lw 2", "points pt 7 ps 0.6",
					      "linespoints lw 2 pt 7" };
	ml_buf body;
	ml_buf_init(&body);
	/* ROC curves leave the bottom right empty; elsewhere the key goes below, on nothing. */
	ml_buf_printf(&body, "set grid\nset key %s\n", frame->unit_square ? "bottom right" : "below");
	if (frame->unit_square)
		ml_buf_puts(&body, "set xrange [0:1]\nset yrange [0:1]\nset size square\n");
	else if (frame->same_range)
		common_range(series, n_series, &body);
	if (frame->x_step > 0) {
		/* The first and last points half a step inside the frame, not on its edge. */
		ml_buf_puts(&body, "set xtics ");
		put_number(&body, frame->x_step);
		ml_buf_puts(&body, "\nset autoscale xfix\nset offsets ");
		put_number(&body, frame->x_step / 2);
		ml_buf_puts(&body, ", ");
		put_number(&body, frame->x_step / 2);
		ml_buf_puts(&body, ", 0, 0\n");
	}
	for (size_t s = 0; s < n_series; s++)
		put_block(&body, s, &series[s]);
	ml_buf_puts(&body, "plot ");
	for (size_t s = 0; s < n_series; s++) {
		ml_buf_printf(&body, "%s$series%zu using 1:2 with %s%s ", s ? ", " : "", s,
			      styles[series[s].style], series[s].second_axis ? " axes x1y2" : "");
		if (series[s].title) {
			ml_buf_puts(&body, "title ");
			put_string(&body, series[s].title);
		} else {
			ml_buf_puts(&body, "notitle");
		}
	}
	if (frame->diagonal)
		ml_buf_puts(&body, ", x with lines dt 2 lc rgb 'gray50' title 'y = x'");
	ml_buf_putc(&body, '\n');
	draw(path, frame, &body);
	ml_buf_free(&body);
}

static void put_tics(ml_buf *body, const char *axis, char *const *labels, size_t count)
{
	ml_buf_printf(body, "set %stics (", axis);
	for (size_t i = 0; i < count; i++) {
		ml_buf_puts(body, i ? ", " : "");
		put_string(body, labels[i]);
		ml_buf_printf(body, " %zu", i);
	}
	ml_buf_puts(body, ")\n");
}

void plot_heat_map_png(const char *path, const plot_frame *frame, const double *cells,
		       size_t n_rows, size_t n_columns, char *const *row_labels,
		       char *const *column_labels)
{
	double largest = 0;
	for (size_t i = 0; i < n_rows * n_columns; i++)
		largest = fmax(largest, cells[i]);
	ml_buf body;
	ml_buf_init(&body);
	ml_buf_printf(&body, "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
		      "set palette defined (0 '#f7fbff', 1 '#08306b')\nset cbrange [0:*]\n"
		      "set xtics rotate by 30 right\nunset key\nset size ratio -1\n",
		      n_columns - 1, n_rows - 1);
	put_tics(&body, "x", column_labels, n_columns);
	put_tics(&body, "y", row_labels, n_rows);
	ml_buf_puts(&body, "$cells << EOD\n");
	for (size_t r = 0; r < n_rows; r++)
		for (size_t c = 0; c < n_columns; c++) {
			ml_buf_printf(&body, "%zu %zu ", c, r);
			put_number(&body, cells[r * n_columns + c]);
			ml_buf_putc(&body, '\n');
		}
	ml_buf_puts(&body, "EOD\n");
	/* Dark cells get white figures. */
	ml_buf_puts(&body, "plot $cells using 1:2:3 with image, $cells using 1:2:"
			   "(sprintf('%g', $3)):($3 > ");
	put_number(&body, largest / 2);
	ml_buf_puts(&body, " ? 0xffffff : 0x000000) with labels textcolor rgb variable\n");
	draw(path, frame, &body);
	ml_buf_free(&body);
}
