/*
 * grade_step.h - what a kind of test step sees of the grading pipeline.
 *
 * grade.c owns the pipeline: it builds each variant, prepares a test
 * (stdin, expected texts, the reference's output), makes one row per (test,
 * variant), and calls the step function of the test's kind through its
 * step_table. A step (step_run.c, step_pty.c, ...) runs the program as its
 * kind requires and fills the row, using the helpers below so that every
 * kind judges exit statuses, limits, tool reports and output checks the
 * same way, and hides a hidden test's details the same way.
 *
 * This header is private to the pipeline and its steps; reports and
 * commands use grade.h.
 */
#ifndef GRADER_GRADE_STEP_H
#define GRADER_GRADE_STEP_H

#include <pthread.h>

#include "buf.h"
#include "grade.h"
#include "result.h"
#include "spawn.h"
#include "spec.h"
#include "stacks.h"
#include "variant.h"

#define EXCERPT_BYTES 4096
#define STDERR_EXCERPT_BYTES 2048

/* What one run of a test produced, judged. */
struct run_eval {
	enum verdict verdict;
	char *message;
	char *diff;
	size_t diff_line;
	char *expected;
	char *actual;
	char *stderr_excerpt;
	char *limit;
	int exit_code;
	int term_signal;
	double wall_s, cpu_s;
	long long peak_memory;
	int leftover;
};

/* Expected text of one check, resolved once per test. */
struct expected_text {
	char *data;
	size_t len;
	int have;
};

/* The reference solution, built once per grading whichever worker needs
 * it first. */
struct ref_build {
	pthread_mutex_t lock;
	int state;                     /* 0 not yet, 1 built, -1 failed */
	char *program;
	char *problem;
};

/* One worker's view of a grading: the variants of a submission run side
 * by side (grade_opts.jobs), each worker in its own run, log and input
 * files, filling its own partial result that grade.c merges in the order
 * a sequential grading would have produced. */
struct grade_ctx {
	const struct spec *s;
	const struct grade_opts *o;
	struct grade_result *r;        /* this worker's rows and findings */
	char *workdir;
	char *rundir;                  /* WORK/run-<variant>: the program's
					  cwd, new for every run */
	char *logdir;                  /* WORK/logs-<variant>: tool reports */
	char *shmdir;                  /* WORK/shm-<variant>: a sandboxed
					  run's /dev/shm (hygiene_ipc.h) */
	char *acctdir;                 /* WORK/acct-<variant>: a tool run's
					  process accounting (procacct.h) */
	const char *tag;               /* the worker's name in file names */
	char *program[VARIANT__COUNT]; /* by build variant; NULL if failed */
	struct ref_build *ref;         /* shared by the workers */
	/* the current test */
	const struct spec_test *t;
	char *stdin_path;
	size_t stdin_len;
	struct expected_text *exp;     /* one per check */
	struct buf ref_out, ref_err;
	int ref_ran;                   /* 1 ok, -1 failed */
	char *ref_failure;
	/* the current run */
	int run_index;                 /* 0-based, of `repeat` (perturb seeds) */
	enum variant run_variant;
	struct stacks hang;            /* where the threads waited when a time
					  limit was hit (grade_prepare_run
					  arranges it; grade_evaluate uses it) */
	int have_hang;
};

/* A kind of step: runs the current test (c->t) under variant v and fills
 * row (verdict, message, figures). Returns 0 whatever the program did, -1
 * with e filled only on a fault of the grader. */
typedef int (*grade_step_fn)(struct grade_ctx *c, enum variant v,
			     struct test_outcome *row, struct error *e);

int step_run(struct grade_ctx *c, enum variant v, struct test_outcome *row,
	     struct error *e);
int step_server(struct grade_ctx *c, enum variant v, struct test_outcome *row,
		struct error *e);
int step_unit(struct grade_ctx *c, enum variant v, struct test_outcome *row,
	      struct error *e); /* step_unit.c */

/* type: pty (step_pty.c): a script on a terminal, run as a shell would. */
int step_pty(struct grade_ctx *c, enum variant v, struct test_outcome *row,
	     struct error *e);

/* The verdict of a broken `processes:` rule (or exits_before of a pty
 * script). There is no verdict of its own yet; the message says which
 * rule, which process and when. */
#define PROCESS_RULE_VERDICT VERDICT_WRONG_OUTPUT

struct procwatch;
/* Judges the current test's `processes:` rules (step_procs.c) on the
 * watch of a finished run: a broken rule fails ev (unless it failed
 * already) with a message naming the rule, the process and the time; a
 * zombie beyond zombie_ms is also a hygiene finding "zombie". Appends the
 * figures to details. scale: the variant's time scale (zombie_ms).
 * Returns 1 when it set ev's verdict, else 0. */
int step_procs_judge(struct grade_ctx *c, enum variant v,
		      const struct procwatch *pw, double scale,
		      struct run_eval *ev, struct buf *details);

/* Fills sp (argv with the variant's tool prefix, environment, a fresh
 * WORK/run as cwd, stdin, limits scaled by `scale`) to run `program` with
 * the current test's args once; the caller then runs it (spawn_run, or
 * spawn_start/pump/finish) and releases *vr, *envp (strv_free) and *argvp
 * (free) afterwards. Returns 0, or -1 with e filled. */
int grade_prepare_run(struct grade_ctx *c, const char *program,
		      enum variant v, double scale, struct spawn *sp,
		      struct variant_run *vr, char ***envp,
		      const char ***argvp, struct error *e);

/* Judges one finished run: tool reports into findings, limits, exit
 * status, the test's output checks. */
void grade_evaluate(struct grade_ctx *c, enum variant v,
		    const struct spawn *sp, const struct variant_run *vr,
		    double scale, struct run_eval *ev);

/* Moves the verdict of ev into row, leaving out what a student must not
 * see for a hidden test. */
/* (A step whose own judgement failed ev -- a pty script, a process rule
 * -- restores its message for a hidden test after this: it names no
 * input and no expected output.) */
void grade_fill_row(struct grade_ctx *c, struct test_outcome *row,
		    enum variant v, struct run_eval *ev);

void grade_eval_release(struct run_eval *ev);

/* A printable excerpt of output, cut after max bytes with a note. */
char *grade_excerpt(const char *data, size_t len, size_t max);

/* A new finding of the current test under v (count 1), in c->r. */
struct finding *grade_new_finding(struct grade_ctx *c, enum variant v);
/* A hygiene finding of `kind`; takes message. */
void grade_add_hygiene_finding(struct grade_ctx *c, enum variant v,
			       const char *kind, char *message);

#endif
