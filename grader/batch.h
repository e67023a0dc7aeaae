/*
 * batch.h - grading many students: the job list, the cache, the scheduler.
 *
 * One job is one (student, exercise). Each job runs as child processes of
 * the grader binary itself, through spawn.h:
 *
 *   grader unpack ARCHIVE WORKDIR/src            (only for an archive)
 *   grader grade EXERCISE SRC -o WORKDIR/out --name ID
 *
 * so a crash, a hang or a memory blow-up while grading one student costs
 * that student a report saying so ("error"), never the batch; and the
 * batch process itself only holds the job list and a few spawns: its size
 * does not grow with the size of the submissions.
 *
 * Output of an exercise's OUTDIR (others depend on it):
 *   students/<id>/results.json, report.md, junit.xml   grade's reports
 *   students/<id>/batch.json   written last: the cache key, status
 *                              ("graded", "broken", "error"), score, times
 *   batch.json                 the run: exercise, students, shard, counts
 *   gradebook.csv, summary.html  (gradebook.h, summary_html.h)
 *   .work/<pid>/<id>/          per-job scratch, removed as jobs end
 *
 * A student is done exactly when students/<id>/batch.json exists with
 * status graded or broken and the key of the current inputs: reports are
 * moved in before it is written (atomically), and it is removed before a
 * regrade starts, so an interrupted run (Ctrl-C, kill -9) resumes where it
 * stopped, and an unchanged student is never graded twice.
 *
 * The cache key is SHA-256 over: a format tag, the grader's version and the
 * digest of its executable, the exercise directory's files (spec, data,
 * reference solution), the variant selection, the student's id, and the
 * student's files (the directory tree without .git/__MACOSX, or the archive
 * file's bytes).
 *
 * Scheduling: at most `jobs` at once; the jobs expected to be longest
 * (estimated from the spec: each test's wall limit times the variant's time
 * scale -- memcheck 20, helgrind/drd 30 -- and its repeats, or the time the
 * same job took in a previous run) start first, so a slow valgrind grading
 * does not start last and leave the other cores idle at the end.
 *
 * Ownership: the caller owns what it passes; batch_run() owns its jobs.
 */
#ifndef GRADER_BATCH_H
#define GRADER_BATCH_H

#include <stddef.h>

#include "digest.h"
#include "error.h"
#include "roster.h"
#include "spec.h"

struct batch_exercise {
	const struct spec *spec;
	const char *outdir;        /* this exercise's OUTDIR */
	char key[DIGEST_HEX_LEN + 1]; /* digest of the exercise directory */
	double estimate;           /* expected seconds of one grading */
	double timeout;            /* hang guard for one grading, seconds */
	unsigned variants;         /* VARIANT_BIT()s of every row graded */
};

enum batch_progress { BATCH_QUIET = 0, BATCH_LINES, BATCH_BAR };

struct batch_opts {
	int jobs;                  /* >= 1 */
	unsigned variants;         /* 0 = the spec's; else passed to grade */
	const char *variant_arg;   /* the --variant text, for the children */
	const char *grader_bin;    /* the executable the children run */
	int by_exercise_subdir;    /* --all: a student's submission of exercise
				      X is <student>/X, X.zip, or X/ in their archive */
	enum batch_progress progress;
	int shard_index, shard_count; /* recorded in batch.json; 0 count = none */
};

struct batch_counts {
	size_t total, cached, graded, broken, errors;
	int interrupted;
	double seconds;
	long peak_rss_kib;
};

/* Fills ex->key, ex->estimate and ex->timeout for spec s. grader_digest is
 * the digest of the grader (batch_grader_digest()). Returns 0 or -1 + e. */
int batch_exercise_init(struct batch_exercise *ex, const struct spec *s,
			const char *outdir, const char *grader_digest,
			unsigned variants, struct error *e);

/* Digest of the grader: its version and its executable's bytes. */
int batch_grader_digest(const char *exe, char out[DIGEST_HEX_LEN + 1],
			struct error *e);

/* Grades every student of r for every exercise of ex[0..nex): resumes,
 * uses the cache, writes each exercise's per-student output and its
 * batch.json manifest. Returns 0 (see counts for what happened), or -1 with
 * e on a fault of the grader (an OUTDIR that cannot be written, another
 * batch already running in it). SIGINT/SIGTERM/SIGHUP stop it cleanly:
 * the running gradings are killed, finished students are kept, and
 * counts->interrupted is set. */
int batch_run(struct batch_exercise *ex, size_t nex, const struct roster *r,
	      const struct batch_opts *o, struct batch_counts *counts,
	      struct error *e);

/* The ids listed in OUTDIR/batch.json (sorted), and the manifest fields
 * merge checks. Returns 0 or -1 + e. Caller frees with strv_free. */
int batch_manifest_ids(const char *outdir, char ***ids, size_t *n,
		       char **exercise, char **spec_key, struct error *e);

/* Writes a student's reports saying why they could not be graded: every
 * row of the spec gets `verdict` with `message`; for a compile error the
 * message is also the build's output. Used for broken submissions and
 * for gradings that failed. Returns 0 or -1 + e. */
int batch_write_failure_reports(const struct spec *s, const char *id,
				int verdict, const char *message,
				const char *dir, struct error *e);

/* The commands of this concern (cmd_batch.c, cmd_merge.c, cmd_unpack.c);
 * same contract as the others in cli.h. */
int cmd_batch(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_unpack(int argc, char **argv);

#endif
