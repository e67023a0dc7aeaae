/*
 * spec_unit.h - the keys of a `type: unit` test: one test case of an
 * instructor's Check suite, compiled with the student's library and run by
 * the grader's own runner (grader/runtime/unit_main.c, grader/step_unit.c).
 *
 *   - name: fifo_order_bounded        # the Check test case (see `case`)
 *     type: unit
 *     points: 1
 *     suite: tests/check_bqueue.c      # required, in the exercise directory
 *     suite_function: make_bqueue_suite   # default make_<stem>_suite
 *     case: fifo_order_bounded         # default: the test's name
 *     tests: 1                         # Check tests the case holds
 *     sources: [bqueue.c]              # the student's files linked in
 *     headers: [starter/bqueue.h]      # exercise files that replace the student's
 *     cflags: [-DBQUEUE_CHECK_NO_MAIN]
 *     program: false                   # true: $UNIT_PROGRAM = the student's program
 *     max_cpu: 50ms                    # CPU time the test may use
 *     symbols: {allow: ["bq_*"], deny: [fork, kill]}
 *     suppressions: [tests/helgrind.supp]   # valgrind variants
 *     env: {BQUEUE_STRESS_ITEMS: "10000"}
 *
 * docs/spec.md ("Unit tests") documents every key. Everything that decides
 * how the test binary is built is compared by unit_build (unitbuild.c): tests
 * that agree on it share one build per variant.
 *
 * Ownership: struct spec_unit is owned by its struct spec_test (t->unit) and
 * freed with the spec (spec_unit_release).
 */
#ifndef GRADER_SPEC_UNIT_H
#define GRADER_SPEC_UNIT_H

#include <stddef.h>

#include "error.h"
#include "spec.h"
#include "yamltree.h"

struct spec_ctx;

struct spec_unit {
	char *suite;          /* absolute path of the suite's .c file */
	char *suite_rel;      /* as written in the spec (for messages) */
	char *suite_function; /* Suite *NAME(void) */
	char *tcase;          /* the Check test case this test runs */
	int ntests;           /* how many Check tests the case must report */
	int sources_given;    /* 0: every .c of the submission without main() */
	char **sources;       /* NULL-terminated; required files of the student */
	size_t nsources;
	char **headers;       /* absolute paths; NULL-terminated */
	size_t nheaders;
	char **cflags;        /* for the suite and the student's files */
	size_t ncflags;
	int program;          /* 1: UNIT_PROGRAM=<program of the variant> */
	double max_cpu_s;     /* < 0: no limit of its own */
	char **allow;         /* glob patterns; none given = no allowlist */
	size_t nallow;
	int allow_given;
	char **deny;          /* glob patterns: neither defined nor called */
	size_t ndeny;
	char **suppressions;  /* absolute paths, for the valgrind variants */
	size_t nsuppressions;
};

/* The keys `type: unit` adds to a test (NULL-terminated). */
extern const char *const spec_unit_keys[];

/* The step-type table's parser and release (spec_parse.h). */
int spec_unit_parse(struct spec_ctx *c, const struct ynode *map,
		    const char *prefix, struct spec_test *t, struct error *e);
void spec_unit_release(struct spec_test *t);

#endif
