/*
 * result.h - the outcome of grading one submission: what the reports print.
 *
 * grade.c fills a struct grade_result; report_*.c only read it. Anything a
 * student must not see (a hidden test's input, its expected output) is never
 * put here in the first place: for hidden tests grade.c stores only the
 * verdict, the score and a generic message, so no writer can leak it.
 *
 * Ownership: the struct owns every string and array; grade_result_free()
 * releases all of it.
 */
#ifndef GRADER_RESULT_H
#define GRADER_RESULT_H

#include <stddef.h>

#include "spec.h"

enum verdict {
	VERDICT_PASSED = 0,
	VERDICT_WRONG_OUTPUT,
	VERDICT_WRONG_EXIT,
	VERDICT_CRASHED,       /* killed by a signal (signal name in message) */
	VERDICT_TIMEOUT,       /* wall clock or CPU time limit */
	VERDICT_OUTPUT_LIMIT,
	VERDICT_MEMORY_LIMIT,
	VERDICT_COMPILE_ERROR, /* the build failed: the test could not run */
	VERDICT_FINDING,       /* a finding whose kind fails the test */
	VERDICT_ERROR,         /* could not be run (missing input, tool broken):
				  not the student's fault; see message */
	VERDICT__COUNT
};
const char *verdict_name(enum verdict v);  /* "passed", "wrong_output", ... */
const char *verdict_title(enum verdict v); /* "Passed", "Wrong output", ... */
int verdict_parse(const char *name, enum verdict *out); /* 0 or -1 */

/* One (test, variant) row. */
struct test_outcome {
	char *name;            /* the test's name */
	enum variant variant;
	double score, max_score;
	int bonus;             /* extra credit: max_score is not in the total's */
	enum visibility visibility;
	enum verdict verdict;
	char *description;     /* copied from the spec; may be NULL */
	char *message;         /* one line: why it failed; NULL when passed */
	char *hint;            /* the spec's hint, set only when failed */
	char *expected;        /* excerpt of what was expected (visible tests) */
	char *actual;          /* excerpt of what came (visible tests) */
	char *diff;            /* unified diff, truncated (visible tests) */
	size_t diff_line;      /* first differing line, 0 if none */
	char *stderr_excerpt;  /* the program's stderr, truncated (visible tests) */
	char *limit;           /* the limit that was hit, e.g. "wall time 10 s" */
	char *command;         /* the command line, for the student to rerun it
				  (visible tests only) */
	char *details;         /* what the step observed, as preformatted text:
				  a terminal transcript, process figures, a
				  speed-up (visible tests only; shown whether
				  the test passed or not) */
	int runs, failures;    /* repeat: how many runs, how many failed */
	int exit_code;         /* of the (first failing, else last) run; -1 if none */
	int term_signal;       /* 0 if none */
	double wall_s, cpu_s;  /* of that run */
	long long peak_memory;
	int leftover;          /* processes killed after the main one exited */
};

enum finding_severity { SEVERITY_WARNING = 0, SEVERITY_ERROR };

/* A located problem found by a tool or a hygiene check (filled by the
 * analysis issue's parsers; the reports already print them). */
struct finding {
	char *tool;     /* "asan", "tsan", "memcheck", "helgrind", "hygiene", ... */
	char *kind;     /* "heap-buffer-overflow", "leak", "data-race", "zombie", ... */
	char *test;     /* the first test that produced it */
	enum variant variant;
	char *file;     /* first frame in the student's sources; NULL if none */
	int line;
	char *function;
	char *stack;    /* short, one frame per line */
	char *message;
	char *source_line; /* the student's line of code at file:line, if read */
	int count;      /* occurrences across tests, variants and repeats */
	double penalty; /* points taken off for it */
};

struct build_result {
	int ok;              /* 0: compile error */
	char *command;       /* the compiler command line */
	char *output;        /* the compiler's messages (truncated) */
	char **warnings;     /* one "file:line:col: warning: ..." each */
	size_t nwarnings;
	double seconds;
};

struct grade_result {
	char *exercise;        /* spec name */
	char *title;
	char *submission;      /* the submission's name (its directory's) */
	char *grader_version;
	double score, max_score;
	double execution_time; /* seconds */
	char *started_at;      /* ISO 8601 UTC */
	struct build_result builds[VARIANT__COUNT]; /* by variant; ok=-1 if not built */
	struct test_outcome *tests;
	size_t ntests;
	struct finding *findings;
	size_t nfindings;
	char *isolation;       /* what the runs were isolated with, for the report */
	int public_only;       /* `grader check`: hidden tests were not run */
};

void grade_result_free(struct grade_result *r);
/* Frees what a finding owns and zeroes it (not the struct itself). */
void finding_release(struct finding *f);

#endif
