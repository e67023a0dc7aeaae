/*
 * spec_trace.h - parsing the checks over event traces of spec.yaml:
 * exactly_once, inside, order_per_key and computed (docs/spec.md, "Checks
 * over event traces").
 *
 * Each parser gets the value of the check's kind key (a mapping), the
 * test whose check it is (its arguments are $1, $2, ... in expressions)
 * and fills k->trace, evaluating every expression at once: a division by
 * zero, an overflow or an argument that is not a number is an error of the
 * spec, located at the expression, before anything runs.
 *
 * Private to the spec loader (spec.c's check_types table).
 * Ownership: k->trace belongs to the check; spec_trace_free() releases it.
 */
#ifndef GRADER_SPEC_TRACE_H
#define GRADER_SPEC_TRACE_H

#include "spec_parse.h"

/* At most this many items in an exactly_once set (its memory is kept
 * while the output is compared: 4e6 short items take about 250 MB). */
#define SPEC_TRACE_MAX_ITEMS 4000000LL

int spec_parse_exactly_once(struct spec_ctx *c, const struct ynode *val,
			    const char *what, const struct spec_test *t,
			    struct spec_check *k, struct error *e);
int spec_parse_inside(struct spec_ctx *c, const struct ynode *val,
		      const char *what, const struct spec_test *t,
		      struct spec_check *k, struct error *e);
int spec_parse_order_per_key(struct spec_ctx *c, const struct ynode *val,
			     const char *what, const struct spec_test *t,
			     struct spec_check *k, struct error *e);
int spec_parse_computed(struct spec_ctx *c, const struct ynode *val,
			const char *what, const struct spec_test *t,
			struct spec_check *k, struct error *e);

void spec_trace_free(struct spec_trace *tr);

#endif
