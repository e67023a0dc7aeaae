/*
 * cgroup.h - one throw-away control group per run, used by spawn.c only.
 *
 * A run's whole process tree is put in a fresh cgroup (named
 * grader-<pid>-<counter>, so parallel graders never clash) in every
 * hierarchy that is writable: the v2 tree (cgroup.kill, cgroup.events,
 * cpu.stat; memory.max/pids.max when those controllers are delegated) and
 * the v1 memory, pids, cpuacct and freezer hierarchies of a hybrid layout.
 * Because membership is inherited by fork and cannot be left without
 * privileges, the cgroup finds every descendant -- also those that called
 * setsid() or double-forked -- and kills them all at the end.
 *
 * Each cgroup is created under the grader's own cgroup of that hierarchy
 * (so limits set on the grader still bound its children), or under the
 * hierarchy's root when the own one is not visible.
 *
 * Ownership: cgroup_create() returns a struct that cgroup_destroy() frees,
 * after killing what is left and removing the directories.
 */
#ifndef GRADER_CGROUP_H
#define GRADER_CGROUP_H

#include <sys/types.h>

struct cgroup;

/* Creates the cgroup of one run. memory (bytes) and processes are limits,
 * 0 for none; they are set before anything joins. Returns NULL when no
 * hierarchy is writable or the environment has GRADER_NO_CGROUP=1 (the
 * caller then falls back to process groups); never fails otherwise. */
struct cgroup *cgroup_create(long long memory, int processes);

/* Whether the limits asked of cgroup_create() are enforced. */
int cgroup_memory_limited(const struct cgroup *cg);
int cgroup_pids_limited(const struct cgroup *cg);

/* The v2 cgroup's directory, for clone3(CLONE_INTO_CGROUP), which creates
 * the child in it without the cost of moving it there; -1 when there is no
 * v2 cgroup. Owned by cg. */
int cgroup_clone_fd(const struct cgroup *cg);

/* Called in the child between fork and exec: moves the calling process into
 * every hierarchy of the cgroup (but the v2 one when in_v2: it was created
 * there). Only async-signal-safe calls (write(2) on descriptors opened by
 * cgroup_create()). Returns 0 or an errno value. */
int cgroup_enter(const struct cgroup *cg, int in_v2);

/* Called in the parent once the child has started: closes the descriptors
 * cgroup_enter() and the clone needed. */
void cgroup_started(struct cgroup *cg);

/* Number of live processes in the cgroup, not counting `except` (0 for
 * none); -1 when it cannot be read. */
int cgroup_count(const struct cgroup *cg, pid_t except);

/* The pids of the live processes in the cgroup: returns how many (*out is
 * an array the caller frees) or -1 (*out NULL). */
int cgroup_list(const struct cgroup *cg, pid_t **out);

/* SIGKILLs everything in the cgroup (cgroup.kill, else the freezer and
 * cgroup.procs) and waits until it is empty. Returns 0, or -1 when
 * processes remain after a few seconds (unkillable, in the kernel). */
int cgroup_kill(struct cgroup *cg);

/* CPU time (user+system) of everything that ran in the cgroup, seconds;
 * -1 when no hierarchy accounts for it. */
double cgroup_cpu_seconds(const struct cgroup *cg);

/* Peak memory usage in bytes, or -1 when unknown. */
long long cgroup_memory_peak(const struct cgroup *cg);

/* Number of processes the OOM killer killed in the cgroup, or -1 when
 * unknown. */
long long cgroup_oom_kills(const struct cgroup *cg);

/* Kills what is left, removes the directories (retrying while the kernel
 * still holds them) and frees cg. NULL is accepted. */
void cgroup_destroy(struct cgroup *cg);

#endif
