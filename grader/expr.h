/*
 * expr.h - integer expressions of spec.yaml ("P*N*(N-1)/2", "$1 + 1").
 *
 * The checks over event traces compute what a program must print from the
 * test's arguments: the number of items, the most threads allowed inside,
 * the total a line must show. expr_eval() evaluates one expression over
 * 64-bit signed integers:
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('-' | '+') unary | primary
 *   primary := NUMBER | NAME | '$' DIGITS | '(' expr ')'
 *
 * NUMBER is decimal; NAME is [A-Za-z_][A-Za-z0-9_]*; `$k` is a name too
 * (the caller binds it, to the test's k-th argument). `/` and `%` are C's:
 * the quotient is truncated toward zero. Overflow, division by zero and
 * nesting deeper than EXPR_MAX_DEPTH are errors, never undefined
 * behaviour: every operation is checked (__builtin_*_overflow).
 *
 * Errors carry the byte offset in the source where they were found, so the
 * caller can point at the column in spec.yaml.
 */
#ifndef GRADER_EXPR_H
#define GRADER_EXPR_H

#include <stddef.h>

#define EXPR_MAX_DEPTH 64

/* Binds a name (not NUL-terminated: name[0..len)) to a value: returns 0
 * with *out set, or -1 when the name is unknown (then msg, of msgsz bytes,
 * may say why; left empty, the error is "unknown name"). */
typedef int expr_lookup_fn(const char *name, size_t len, long long *out,
			   char *msg, size_t msgsz, void *arg);

struct expr_error {
	size_t pos;    /* byte offset in the source */
	char msg[200]; /* "division by zero", "unknown name 'Q'", ... */
};

/* Evaluates src (the whole string must be one expression; spaces allowed).
 * Returns 0 with *out, or -1 with err filled. */
int expr_eval(const char *src, expr_lookup_fn *lookup, void *arg,
	      long long *out, struct expr_error *err);

#endif
