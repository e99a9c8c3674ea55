/*
 * ml_number: exact conversion between decimal text and double.
 *
 * Every CSV cell that mlpipe reads or writes goes through these two
 * functions, so they sit on the hot path of every pipeline.  Both work in
 * the C locale whatever LC_NUMERIC says, and they round-trip: formatting a
 * double and parsing the text back gives the same bits.
 */
#ifndef ML_NUMBER_H
#define ML_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

/* Room for any output of ml_format_double, terminating NUL included. */
#define ML_DOUBLE_BUFSIZE 32

/*
 * Parses all of text[0..length) as a decimal number: optional sign, digits
 * with an optional '.', an optional exponent (e/E, optional sign, digits),
 * or "inf"/"infinity" (any case, optional sign).  Surrounding blanks are
 * not accepted, nor are hex floats, "nan" or an empty string.  The result
 * is correctly rounded (the same as strtod in the C locale); a magnitude
 * too large gives +-inf and one too small gives (signed) zero or a
 * subnormal, as strtod does.  Returns false and leaves *value alone when
 * the text is not a number.
 */
bool ml_parse_double(const char *text, size_t length, double *value);

/*
 * Parses the JSON number (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
 * that begins text[0..available), as long as the grammar lets it run, in
 * one pass: returns its length, with *value what ml_parse_double gives for
 * the same text, or 0 (*value left alone) when no JSON number begins
 * there.  What follows ("01" stops after the "0") is the caller's to check.
 */
size_t ml_parse_json_number(const char *text, size_t available, double *value);

/*
 * Writes the shortest decimal text that ml_parse_double (and strtod) reads
 * back to exactly `value`, NUL-terminated, and returns its length
 * (excluding the NUL).  Integers below 2^53 in magnitude print without
 * exponent or point ("42", "-7"); other values print like printf's %g with
 * the fewest significant digits (at most 17) that round-trip ("0.1",
 * "1e-07", "6.02214076e+23").  -0.0 prints as "-0", infinities as "inf"
 * and "-inf", NaN as "nan".  buffer must hold ML_DOUBLE_BUFSIZE bytes.
 */
size_t ml_format_double(double value, char *buffer);

/*
 * Writes value with `digits` significant digits (1 to 17), as printf's %g
 * does in the C locale, NUL-terminated; returns the length.  For output
 * that does not need to read back exactly (--precision).  digits 0 means
 * ml_format_double's shortest exact form.
 */
size_t ml_format_double_digits(double value, int digits, char *buffer);

#endif
