/*
 * match.h - the checks a test makes on what a program printed.
 *
 * match_check() compares the actual text of one stream with what a
 * struct spec_check asks for. The expected bytes (for the kinds that have
 * them) are resolved by the caller -- from the spec, a file, a generator or
 * the reference solution -- so this file is pure: text in, verdict out.
 *
 * On failure, `message` says in one line what is wrong, in words a student
 * understands ("line 3 differs", "missing line \"child: 3 lines\"",
 * "expected 4 lines, got 3"), and `line` is the first line (1-based) of the
 * actual output where it goes wrong, or 0.
 *
 * Ownership: match_result_release() frees message.
 */
#ifndef GRADER_MATCH_H
#define GRADER_MATCH_H

#include <stddef.h>

#include "spec.h"

struct match_result {
	int ok;
	char *message; /* NULL when ok */
	size_t line;   /* first offending line of the actual text, 1-based, or 0 */
};

/* Returns 0 (r filled) or -1 on an internal error (then r->ok = 0 with a
 * message). `expected` may be NULL for kinds that take none. */
int match_check(const struct spec_check *c, const char *actual, size_t alen,
		const char *expected, size_t elen, struct match_result *r);
void match_result_release(struct match_result *r);

#endif
