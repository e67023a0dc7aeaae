/*
 * match_trace.h - the checks over event traces, shared by match.c (which
 * dispatches every kind of check) and match_trace.c (which implements
 * these four). Private to the two; consumers use match.h.
 *
 * Each checker returns 1 when the check passes, 0 when it fails (m holds
 * one line for the student, *line the line of the output that broke the
 * rule, or 0 when no single line did) and -1 on a fault of the grader.
 */
#ifndef GRADER_MATCH_TRACE_H
#define GRADER_MATCH_TRACE_H

#include <stddef.h>

#include "buf.h"
#include "spec.h"

int match_exactly_once(const struct spec_trace *tr, const char *a, size_t alen,
		       struct buf *m, size_t *line);
int match_inside(const struct spec_trace *tr, const char *a, size_t alen,
		 struct buf *m, size_t *line);
int match_order_per_key(const struct spec_trace *tr, const char *a,
			size_t alen, struct buf *m, size_t *line);
int match_computed(const struct spec_trace *tr, const char *a, size_t alen,
		   struct buf *m, size_t *line);

/* Defined in match.c: s[0..len) in double quotes, every byte visible, cut
 * at 80 characters; and a pattern between slashes. */
void match_quote(struct buf *m, const char *s, size_t len);
void match_quote_pattern(struct buf *m, const char *pattern);

#endif
