/*
 * expect.h - what a fixture (a sample submission in fixtures/<exercise>/)
 * declares it must get, and the comparison `grader validate` makes.
 *
 * fixtures/<exercise>/<name>/expect.yaml:
 *   description: "the child never closes the unused write end"
 *   build: ok              # ok (default) | compile_error
 *   verdicts:              # test name -> verdict, for every variant of it,
 *     big-8mib: timeout    # or "test [variant]" -> verdict for that variant only
 *     "echo [asan]": finding
 *     ready: [timeout, wrong_output]   # either one (a race between two bugs)
 *   findings:              # findings that must be reported (others may be too)
 *     - {kind: heap-use-after-free, file: echo.c, line: 12}
 *   others: passed         # every test not listed: passed (default) | any | <verdict> | [<verdict>, ...]
 *   score: {min: 0, max: 4}   # optional bounds on the total score
 *   note: "..."            # free text, for the instructor
 *   observed: "..."        # free text: what was seen when the bug was made
 *
 * Ownership: expect_free() releases everything expect_load() allocated.
 */
#ifndef GRADER_EXPECT_H
#define GRADER_EXPECT_H

#include "buf.h"
#include "error.h"
#include "result.h"
#include "spec.h"

/* A set of verdicts, one bit per enum verdict: a test whose outcome is a
 * race between two failures (a stopped process that hangs, or a signal
 * that kills it first) declares both, `[timeout, wrong_output]`; `any`
 * is every bit. */
typedef unsigned verdict_set;
#define VERDICT_SET_ANY ((verdict_set)((1u << VERDICT__COUNT) - 1))

struct expect_verdict {
	char *test;
	verdict_set set;
	int line, col;
};

struct expect_finding {
	char *kind;
	char *file; /* NULL: any */
	int line;   /* 0: any */
};

struct fixture_expect {
	char *path;
	char *description;
	int build_ok;                /* 1: must build; 0: must be a compile error */
	struct expect_verdict *verdicts;
	size_t nverdicts;
	verdict_set others;          /* what tests not listed may get */
	int has_min, has_max;
	double score_min, score_max;
	struct expect_finding *findings;
	size_t nfindings;
};

/* Loads path. Test names are checked against spec s (an unknown test is an
 * error at its line). Returns 0 or -1 with e located. */
int expect_load(const char *path, const struct spec *s,
		struct fixture_expect **out, struct error *e);
void expect_free(struct fixture_expect *x);

/* Compares a grading result with the expectation. Appends one line per
 * difference to `diffs` ("big-8mib [plain]: expected timeout, got passed").
 * Returns the number of differences. */
int expect_compare(const struct fixture_expect *x, const struct grade_result *r,
		   struct buf *diffs);

#endif
