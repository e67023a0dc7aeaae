/*
 * error.h - a recoverable error value, carried back to the command layer.
 *
 * Validators and loaders never print: they fill a struct error (with the
 * file, line and column of the offending input where there is one) and return
 * -1. Only the command layer (cmd_*.c) prints it, with error_print().
 */
#ifndef GRADER_ERROR_H
#define GRADER_ERROR_H

#include <stdio.h>

struct error {
	char file[512]; /* "" when the error has no file */
	int line;       /* 1-based; 0 when unknown */
	int col;        /* 1-based; 0 when unknown */
	char msg[1024];
};

/* Clears e. */
void error_init(struct error *e);

/* Fills e with a message; returns -1 so callers can `return error_set(...)`. */
int error_set(struct error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, located at file:line:col (line/col 0 = unknown). Returns -1. */
int error_at(struct error *e, const char *file, int line, int col,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Formats "file:line:col: msg" (parts that are unknown are left out). */
void error_format(const struct error *e, char *out, size_t outsz);

/* Prints "grader: file:line:col: msg\n" to f. */
void error_print(const struct error *e, FILE *f);

#endif
