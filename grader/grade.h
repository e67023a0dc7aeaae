/*
 * grade.h - the grading pipeline: build -> run every test under every
 * variant in a private working directory -> check -> verdict -> score.
 *
 * grade_submission() never lets student code run in the grader's process
 * (everything goes through spawn.h) and never takes a verdict from anything
 * the student's program printed about itself: verdicts come from the exit
 * status the kernel reports, the limits the runner enforced, the checks the
 * spec declares, and the tools' own log files.
 *
 * For hidden tests only the verdict, the score, the limit hit and the hint
 * are stored in the result: their inputs and expected outputs never reach a
 * report.
 *
 * Ownership: *out is the caller's (grade_result_free()).
 */
#ifndef GRADER_GRADE_H
#define GRADER_GRADE_H

#include "error.h"
#include "result.h"
#include "spec.h"

struct grade_opts {
	const char *submission_dir;  /* required */
	const char *submission_name; /* NULL = the directory's name */
	unsigned variants;           /* 0 = every variant the spec names;
					otherwise only these */
	int public_only;             /* run only visible tests (`grader check`) */
	const char *reference_dir;   /* NULL = <exercise>/solution */
	int keep_workdir;            /* debugging: leave the temp dir */
	int jobs;                    /* variants run side by side: 0 = the
					number of CPUs, 1 = one after another
					(for callers that run several
					gradings at once themselves) */
	int verbose;                 /* progress lines on stderr */
};

/* Returns 0 with *out filled (whatever the submission did), or -1 with e
 * filled on bad input or a fault of the grader. */
int grade_submission(const struct spec *s, const struct grade_opts *o,
		     struct grade_result **out, struct error *e);

#endif
