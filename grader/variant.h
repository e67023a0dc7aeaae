/*
 * variant.h - how a test is run under each variant: the tool's command
 * prefix, its environment, where it writes its report, and how much slower
 * it is allowed to be.
 *
 * The tools' options come only from here: the tool writes its report into a
 * log directory of the grader's (never to the student's stdout/stderr), and
 * the grader reads it from there. Time limits are multiplied by the
 * variant's scale so that a correct solution passes under every variant:
 *
 *   plain 1, asan 3, tsan 5, memcheck 20, helgrind 30, drd 30
 *
 * Ownership: variant_run_release() frees what variant_prepare() built.
 */
#ifndef GRADER_VARIANT_H
#define GRADER_VARIANT_H

#include <stddef.h>

#include "buf.h"
#include "spec.h"

/* The exit status a tool uses when it found something; chosen apart from
 * the statuses exercises use (0, 1, 2). */
#define VARIANT_TOOL_EXIT 66

struct variant_run {
	char **prefix;   /* argv before the program (valgrind ...), NULL-terminated */
	size_t nprefix;
	char **env;      /* KEY=VALUE entries to add, NULL-terminated */
	size_t nenv;
	char *logdir;    /* where the tool writes its report(s) */
	char *acct_path; /* the run's process accounting file (procacct.h),
			    or NULL: set by the caller, freed here */
};

double variant_time_scale(enum variant v);

/* Prepares the run of variant v with its logs in logdir (created, emptied).
 * Returns 0 or -1 (errno set). */
int variant_prepare(enum variant v, const char *logdir, struct variant_run *vr);
void variant_run_release(struct variant_run *vr);

/* Reads every report the tool wrote into logdir, concatenated into out
 * (capped). Returns the number of non-empty reports. */
int variant_collect_logs(const struct variant_run *vr, struct buf *out);

/* Calls fn once per non-empty report file in logdir (in name order), with
 * its text and the pid its name ends with (asan.1234, memcheck.1234: the
 * process that wrote it, as the run's pid namespace numbers it), or -1;
 * tools write one file per process. Returns the number of calls. */
int variant_each_log(const struct variant_run *vr,
		     void (*fn)(const char *text, size_t len, long pid, void *arg),
		     void *arg);

#endif
