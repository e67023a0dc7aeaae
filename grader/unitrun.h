/*
 * unitrun.h - running one case of a unit-test binary and reading its
 * completion record (the grader's side of grader/runtime/unit_main.c).
 *
 * Each run gets a private directory WORK/unit/runs/<n>/ holding the run's
 * working directory (run/), the tools' logs (logs/) and a FIFO (rec) that
 * the grader holds open for reading and writing (so the runner's open never
 * blocks and the record waits there after the process ended). The FIFO's
 * path and a fresh random nonce are written to the runner's standard input
 * -- never to argv or the environment -- and the runner answers with a
 * record whose every line starts with the nonce. What the student's code
 * prints, or writes into the FIFO without the nonce, is never a record.
 *
 * What this does not stop: code that deliberately searches the runner's
 * memory for the nonce. The symbol check (symcheck.h) keeps a library from
 * running before main(), replacing exit/fork/waitpid or calling Check; a
 * student who still goes after the grader leaves code that says so.
 *
 * Several runs may go on at once (unit_run_batch), each a struct spawn of
 * its own: tests that mostly sleep then overlap.
 *
 * Ownership: struct unit_run owns everything in it; unit_run_release()
 * frees it and removes its directory. Records own their strings
 * (unit_record_release).
 */
#ifndef GRADER_UNITRUN_H
#define GRADER_UNITRUN_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "spawn.h"
#include "variant.h"

/* One Check test's result, from the record. */
struct unit_result {
	char rtype;      /* 'P' passed, 'F' failed, 'E' error */
	int line;        /* where Check last saw the test (the failing assert) */
	char *file;
	char *tcase;
	char *message;
};

struct unit_record {
	int complete;    /* a whole record with this run's nonce was found */
	int copies;      /* how many (more than 1: the process forked) */
	int ntests;      /* the count the runner reported */
	struct unit_result *results;
	size_t nresults;
	int foreign;     /* lines in the channel without the nonce */
};

/* Parses the channel's bytes for records with `nonce`. Never fails: what
 * is not a well-formed record is counted as foreign or ignored. */
void unit_record_parse(const char *data, size_t len, const char *nonce,
		       struct unit_record *out);
void unit_record_release(struct unit_record *r);

/* What to run: filled by the caller (step_unit.c), then unit_run_start(). */
struct unit_run {
	/* input */
	const char *const *tool_prefix;  /* toolchain_prefix(v) or NULL */
	char **extra_tool_args;          /* after the variant's prefix
					    (valgrind --suppressions=...);
					    owned, NULL-terminated or NULL */
	const char *runner;              /* the test binary */
	const char *tcase;
	char **env;                      /* owned; complete environment */
	double wall_s, cpu_s;
	long long memory, output;
	int processes, open_files;
	long long disk, inodes;   /* the run directory's tmpfs (runfs.h); 0: none */
	enum variant v;
	/* state and output */
	char *dir;                       /* WORK/unit/runs/<n> */
	char *rundir, *fifo;
	char nonce[33];
	char *channel;                   /* the line written to stdin */
	int rec_fd;
	const char **argv;
	struct variant_run vr;
	struct spawn sp;
	int started, finished;
	struct buf rec;                  /* what came through the FIFO */
};

void unit_run_init(struct unit_run *r);
void unit_run_release(struct unit_run *r);

/* Creates the run's directory under workdir, the FIFO and the nonce, and
 * starts the runner. Returns 0, or -1 with e filled on a fault. */
int unit_run_start(struct unit_run *r, const char *workdir, struct error *e);
/* Finishes a started run: spawn_finish, then reads the FIFO. */
int unit_run_finish(struct unit_run *r);

/* Runs the n runs, at most `jobs` at once, each to its end. Returns 0, or
 * -1 with e filled on a fault (runs already started are finished). */
int unit_run_batch(struct unit_run **runs, size_t n, int jobs,
		   const char *workdir, struct error *e);

#endif
