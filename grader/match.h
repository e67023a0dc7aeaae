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
 * When the output ends early (exact, trailing_ws), `line` is the first
 * missing line, one past the last line of the actual text; checks that have
 * no line to point at (contains, regex, too few lines or tokens) give 0.
 * Lines quoted in a message are cut at 80 characters ("...") and escaped so
 * that every byte is visible (\t, \r, \0, \xNN; valid UTF-8 is kept); a long
 * line that differs far to the right is quoted from just before the
 * difference. With c->message set, the message is "<c->message> (<detail>)".
 *
 * Everything works on lengths, not strlen(): NUL bytes are ordinary bytes.
 * Nothing is quadratic: exact is a memcmp(), any_order and multiset sort
 * the lines by hash (radix sort): 1e5 lines take milliseconds, 8 MiB of
 * two-byte lines well under a second.
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
