/*
 * slurm.h - `grader batch --slurm`: the batch as a Slurm job array plus a
 * merge job.
 *
 * slurm_submit() writes two job scripts into OUTDIR/slurm/ and submits
 * them with sbatch (through spawn.h):
 *
 *   array.sh   --array=0-(N-1); task i runs
 *              grader batch EX SUBS -o OUTDIR/shards/i --shard i/N
 *                           -j ${SLURM_CPUS_PER_TASK:-1}
 *   merge.sh   --dependency=afterok:<array job>; runs
 *              grader merge OUTDIR/shards/0 ... OUTDIR/shards/N-1 -o OUTDIR
 *
 * Every path in them is absolute, so they run from any directory of a
 * cluster that shares the filesystem. The user's sbatch options (partition,
 * time, account, cpus-per-task, ...) are given to both submissions. Each
 * task's log is OUTDIR/slurm/shard-<i>.log, the merge's merge.log.
 *
 * Ownership: the caller owns the plan.
 */
#ifndef GRADER_SLURM_H
#define GRADER_SLURM_H

#include "error.h"

struct slurm_plan {
	const char *grader_bin;   /* absolute */
	const char *exercise;     /* absolute exercise directory */
	const char *submissions;  /* absolute */
	const char *outdir;       /* absolute */
	int shards;               /* N >= 1 */
	const char *variant_arg;  /* --variant, or NULL */
	char **sbatch_opts;       /* NULL-terminated; may be empty */
};

/* Writes the scripts and submits them. On success prints the two job ids
 * (array, merge) into array_id/merge_id (NUL-terminated, at most 63
 * bytes). Returns 0, or -1 + e (sbatch missing or refusing: its message). */
int slurm_submit(const struct slurm_plan *p, char array_id[64], char merge_id[64],
		 struct error *e);

/* A word for a POSIX shell: single-quoted when it holds anything but
 * [A-Za-z0-9_./:=@%+,-]. Caller frees. */
char *slurm_shell_quote(const char *s);

#endif
