/*
 * error.c - formatting of struct error. See error.h.
 */
#include "error.h"

#include <stdarg.h>
#include <string.h>

void error_init(struct error *e)
{
	memset(e, 0, sizeof(*e));
}

int error_set(struct error *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->file[0] = '\0';
	e->line = e->col = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int error_at(struct error *e, const char *file, int line, int col,
	     const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->line = line;
	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void error_format(const struct error *e, char *out, size_t outsz)
{
	if (e->file[0] && e->line > 0 && e->col > 0)
		snprintf(out, outsz, "%s:%d:%d: %s", e->file, e->line, e->col,
			 e->msg);
	else if (e->file[0] && e->line > 0)
		snprintf(out, outsz, "%s:%d: %s", e->file, e->line, e->msg);
	else if (e->file[0])
		snprintf(out, outsz, "%s: %s", e->file, e->msg);
	else
		snprintf(out, outsz, "%s", e->msg);
}

void error_print(const struct error *e, FILE *f)
{
	char line[2048];

	error_format(e, line, sizeof(line));
	fprintf(f, "grader: %s\n", line);
}
