/*
 * procwatch.h - watching a run's process tree while it runs.
 *
 * A struct procwatch is a spawn observer: set sp->on_tick = procwatch_tick
 * and sp->tick_arg = the watch, and every tick (and once more before
 * spawn_finish() kills anything) it samples the run's processes --
 * spawn_pids() for the live ones, /proc/PID/task/TID/children of each for
 * their zombie children, which are no longer members of the cgroup -- and
 * keeps one record per process: pid, parent, state, when it was first seen,
 * when it exited, the CPU it used, how long it stayed a zombie under a live
 * parent. From these it derives the figures the `processes:` rules of a
 * spec test assert on (grader/spec_procs.h): the most processes alive at
 * once, the distinct processes that did work, zombie lifetimes, processes
 * stopped at the end, exit order.
 *
 * What is counted. The program's processes only: not the grader's
 * job-control wrapper of pty runs (`wrapped`: the program is then the
 * wrapper's first child), and not helpers that share their parent's memory
 * (kcmp KCMP_VM): LeakSanitizer's tracer, which ASan programs clone at
 * exit, and a vfork child before its exec. A zombie counts only while its
 * parent is a live process of the program: a zombie handed to the grader
 * (its parent exited) is not the program's fault, and neither is the main
 * process waiting for the grader to reap it.
 *
 * Sampling sees what exists at each tick (every 20 ms by default): a
 * process that starts and ends between two ticks is never seen, and times
 * are known to a tick. Every judgement therefore errs on the student's side:
 * a zombie's lifetime is the time between the first and the last tick that
 * saw it (a lower bound), and "A exits before B" fails only when a tick saw
 * B gone while A was still there.
 *
 * Roles name processes in specs and messages: `main` is the program's main
 * process, `child[N]` the N-th child of main by start time (from 0),
 * `child[0].child[1]` the second child of that, and so on -- counting the
 * processes the watch saw, helpers left out.
 *
 * Ownership: the watch owns its records; procwatch_release() frees them.
 */
#ifndef GRADER_PROCWATCH_H
#define GRADER_PROCWATCH_H

#include <sys/types.h>

#include "buf.h"
#include "spawn.h"

struct pw_proc {
	pid_t pid;
	pid_t ppid0;         /* the parent when first seen (roles use it) */
	pid_t ppid;          /* the parent when last seen */
	char state;          /* last state seen: R, S, D, T, t, Z, ...;
				'-' once gone */
	char alive_state;    /* last state seen while not a zombie */
	char comm[17];
	unsigned long long start_ticks; /* tells a reused pid from this one */
	double t_seen;       /* first seen, seconds since the run started */
	double t_last;       /* last seen alive (not a zombie) */
	double t_exit;       /* first seen dead (zombie or gone); < 0: alive */
	double cpu_s;        /* user + system CPU time, last read */
	int helper;          /* shares its parent's memory: not counted */
	int wrapper;         /* the grader's job-control wrapper */
	/* zombie under a live parent of the program */
	double z_start;      /* tick that first saw the current episode; < 0 */
	double z_longest;    /* longest episode, seconds (a lower bound) */
	double z_at;         /* when that episode began */
	pid_t z_parent;      /* the parent it waited for */
};

struct procwatch {
	struct pw_proc *v;
	size_t n, cap;
	pid_t root;          /* the spawned process */
	int wrapped;         /* root is the job-control wrapper */
	pid_t main;          /* the program's main process; 0 until seen */
	double t0;           /* the run's start (spawn's t_start) */
	double t_now;        /* the latest tick */
	int ticks;
	int max_alive;       /* the most program processes alive at one tick */
	double t_max_alive;
	pid_t *max_pids;     /* who they were */
	int nmax_pids;
	long hz;             /* clock ticks per second */
};

void procwatch_init(struct procwatch *pw, int wrapped);
void procwatch_release(struct procwatch *pw);

/* The spawn observer (sp->on_tick); arg is the struct procwatch. */
void procwatch_tick(struct spawn *sp, void *arg);
/* One sample now (what procwatch_tick does). */
void procwatch_sample(struct procwatch *pw, struct spawn *sp);

/* The record of pid, or NULL. */
const struct pw_proc *procwatch_find(const struct procwatch *pw, pid_t pid);

/* A role ("main", "child[2]", "child[0].child[1]") -> the pid the watch
 * saw in it: > 0, 0 when no process has (yet) been seen in that role, -1
 * when the role is not well formed. */
pid_t procwatch_role_pid(const struct procwatch *pw, const char *role);
/* Checks a role's syntax: 0 or -1. */
int procwatch_role_valid(const char *role);
/* The role of pid, written into out ("main", "child[1]", or "pid 1234" for
 * a process outside the tree of main). Returns out. */
const char *procwatch_role_of(const struct procwatch *pw, pid_t pid,
			      char *out, size_t outsz);

/* Processes of the program seen (wrapper and helpers left out). */
int procwatch_count(const struct procwatch *pw);
/* Processes other than main that used more than cpu_s of CPU. */
int procwatch_workers(const struct procwatch *pw, double cpu_s);
/* The program's process that stayed a zombie the longest under a live
 * parent, or NULL when none was ever seen a zombie there. */
const struct pw_proc *procwatch_worst_zombie(const struct procwatch *pw);
/* The first program process (by start) alive and stopped (T or t) at the
 * latest tick -- the one before spawn_finish() kills anything -- or NULL. */
const struct pw_proc *procwatch_stopped(const struct procwatch *pw);
/* 1 when a tick proved that b exited before a (b seen dead while a was
 * still alive, or a never seen to exit while b did), else 0. */
int procwatch_exited_before(const struct procwatch *pw, pid_t b, pid_t a);

/* The figures, as the details of a report: counts, the longest zombie,
 * stopped processes, and a table of processes (role, pid, parent, start,
 * exit, CPU, state), at most max_rows rows. worker_cpu_s is the CPU a
 * process needs to count as a worker. */
void procwatch_format(const struct procwatch *pw, double worker_cpu_s,
		      int max_rows, struct buf *out);

#endif
