/*
 * Straightforward, exact implementation on top of the C library, pinned to
 * the C locale.  Correct first; the fast paths come in front of it.
 */
#define _GNU_SOURCE
#include "ml_number.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale(void)
{
	static locale_t loc;
	if (!loc)
		loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return loc;
}

static bool is_number_syntax(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (n - i == 3 && strncasecmp(s + i, "inf", 3) == 0)
		return true;
	if (n - i == 8 && strncasecmp(s + i, "infinity", 8) == 0)
		return true;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, exp_digits++;
		if (exp_digits == 0)
			return false;
	}
	return i == n;
}

bool ml_parse_double(const char *text, size_t length, double *value)
{
	char small[64], *copy = small;
	if (length == 0 || !is_number_syntax(text, length))
		return false;
	if (length >= sizeof small && !(copy = malloc(length + 1)))
		return false;
	memcpy(copy, text, length);
	copy[length] = '\0';
	*value = strtod_l(copy, NULL, c_locale());
	if (copy != small)
		free(copy);
	return true;
}

size_t ml_format_double(double value, char *buffer)
{
	if (isnan(value))
		return (size_t)snprintf(buffer, ML_DOUBLE_BUFSIZE, "nan");
	if (isinf(value))
		return (size_t)snprintf(buffer, ML_DOUBLE_BUFSIZE, value < 0 ? "-inf" : "inf");
	if (value == 0)
		return (size_t)snprintf(buffer, ML_DOUBLE_BUFSIZE, signbit(value) ? "-0" : "0");
	if (fabs(value) < 9007199254740992.0 && value == (double)(int64_t)value)
		return (size_t)snprintf(buffer, ML_DOUBLE_BUFSIZE, "%lld", (long long)value);
	locale_t previous = uselocale(c_locale());
	int n = 0;
	for (int precision = 15; precision <= 17; precision++) {
		n = snprintf(buffer, ML_DOUBLE_BUFSIZE, "%.*g", precision, value);
		if (strtod(buffer, NULL) == value)
			break;
	}
	uselocale(previous);
	return (size_t)n;
}
