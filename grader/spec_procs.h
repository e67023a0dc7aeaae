/*
 * spec_procs.h - a test's `processes:` key: rules on the process tree,
 * observed by grader/procwatch.h while the test runs. Any kind of test may
 * have it (run, pty).
 *
 *   processes:
 *     max_alive: 5          # never more than 5 of the program's processes
 *                           # alive at once (main included)
 *     min_workers: 4        # at least 4 processes besides main each used
 *     worker_cpu: 20ms      #   more than this CPU time (default 20ms)
 *     zombie_ms: 300        # no child stays a zombie under its live
 *                           # parent longer than this (scaled per variant)
 *     no_stopped: true      # no process stopped (state T) at the end
 *     exits_before: ["child[0]", main] # role A exits before role B
 *     compare_args: ["1"]   # run tests: run once more with these args and
 *                           # report the speed-up (never graded)
 *
 * Parsed by spec_parse_processes() (called by spec.c for every test);
 * judged by step_procs_judge() (grade_step.h).
 *
 * Ownership: the struct owns its strings; spec_processes_free() frees it.
 */
#ifndef GRADER_SPEC_PROCS_H
#define GRADER_SPEC_PROCS_H

#include "error.h"
#include "yamltree.h"

struct spec_test;

#define PROCS_DEFAULT_WORKER_CPU_S 0.02

struct spec_processes {
	int max_alive;        /* 0 = no rule */
	int min_workers;      /* 0 = no rule */
	double worker_cpu_s;  /* CPU a process needs to count as a worker */
	double zombie_s;      /* < 0 = no rule */
	int no_stopped;       /* 1 = rule */
	char *exits_first;    /* exits_before: this role ... */
	char *exits_second;   /* ... before this one; NULL = no rule */
	char **compare_args;  /* NULL-terminated, or NULL: no comparison */
	size_t ncompare_args;
	int line, col;
};

/* The test's `processes` key, if any, into t->processes. 0 or -1 with e
 * located. */
int spec_parse_processes(const struct ynode *test_map, const char *prefix,
			 struct spec_test *t, struct error *e);
void spec_processes_free(struct spec_processes *p);

#endif
