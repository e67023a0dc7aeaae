/*
 * spawn.h - the one way the grader runs a program.
 *
 * Every place that runs something -- the compiler, a student's program, a
 * reference solution, a tool -- fills a struct spawn and calls spawn_run()
 * (or spawn_start() + spawn_pump()/spawn_finish() when it must interact
 * while the program runs). No other file calls fork/exec/wait.
 *
 * What it guarantees:
 *  - the program runs in a new session and process group, with stdin from a
 *    file, a byte string or /dev/null, and stdout/stderr captured into capped
 *    buffers (beyond the cap the run is killed: SPAWN_OUTPUT_LIMIT);
 *  - a wall-clock timeout and a CPU limit over the whole tree, a memory
 *    limit and a process limit -- never RLIMIT_AS/RLIMIT_DATA, which break
 *    AddressSanitizer and ThreadSanitizer. Memory and process limits use a
 *    cgroup where one is writable, RLIMIT_NPROC otherwise (see `isolation`);
 *  - descendants that escape the process group (setsid, double fork) are
 *    found -- through the cgroup, or because the grader is their
 *    PR_SET_CHILD_SUBREAPER -- reported in `leftover` and killed. After
 *    spawn_finish() returns, no process of the run is alive;
 *  - it works as an ordinary user (no cgroup: degraded, and says so) and as
 *    root.
 *
 * Only async-signal-safe calls happen between fork and exec; an exec failure
 * reaches the parent through a close-on-exec pipe (SPAWN_EXEC_FAILED).
 *
 * The sandbox (sandbox.h; docs/security.md): unless no_sandbox is set or
 * GRADER_NO_SANDBOX=1, every run is isolated -- new pid, mount, ipc and
 * network namespaces (loopback only, or the netns_fd given), a uid of its
 * own when the grader is root, no capabilities, no_new_privs, a read-only
 * view of the system with a private /tmp and /dev/shm, the cwd writable,
 * and nothing of the grader's files but the paths its command line names.
 * A pid namespace needs an init: a tiny process of spawn's own is its pid
 * 1, forks the program and reports its end, so that the program is never
 * pid 1 (pid 1 ignores the signals it does not handle: a Ctrl-C would not
 * stop it). Everything this header says of "the main process" is said of
 * the program, not of that init: its exit status or signal, its process
 * group (the pty's foreground group), `leftover` (the init is not
 * counted), spawn_pids() and spawn_kill_pid() (host pids, never the
 * init's). Where a level of the sandbox cannot be had (no root, no user
 * namespaces), the next one is used and `isolation` says what was not
 * available.
 *
 * Ownership: the caller owns argv/envp/cwd/stdin_* and must keep them alive
 * until spawn_finish(); the struct owns `out`, `err` (released by
 * spawn_release()).
 *
 * An argv[0] without a '/' is looked up in the PATH of envp (or of the
 * default environment); not found is SPAWN_EXEC_FAILED with ENOENT, and so
 * is a cwd the child cannot enter (with chdir's errno). A stdin_path that
 * cannot be opened makes spawn_start() fail (-1).
 *
 * GRADER_NO_CGROUP=1 in the grader's environment forces the fallback
 * (process group + subreaper) even where cgroups are writable. In that
 * mode the memory limit is not enforced (peak_memory is the largest
 * ru_maxrss), the process limit is RLIMIT_NPROC (counted per user, so only
 * for a non-root grader), the CPU time is the main process's (with its
 * waited-for children) plus an RLIMIT_CPU backstop for each process, and
 * orphans of two runs going on at once in one grader process cannot be told
 * apart.
 */
#ifndef GRADER_SPAWN_H
#define GRADER_SPAWN_H

#include <sys/types.h>

#include "buf.h"
#include "error.h"
#include "ipcscan.h"

/* at most this many leftover IPC objects are reported per run */
#define SPAWN_IPC_MAX 16

enum spawn_outcome {
	SPAWN_EXITED = 0,     /* exit_code is valid */
	SPAWN_SIGNALED,       /* term_signal is valid */
	SPAWN_TIMEOUT,        /* wall clock ran out; tree killed */
	SPAWN_CPU_LIMIT,      /* CPU time ran out; tree killed */
	SPAWN_OUTPUT_LIMIT,   /* stdout or stderr beyond its cap; tree killed */
	SPAWN_MEMORY_LIMIT,   /* memory cgroup limit hit (OOM kill) */
	SPAWN_EXEC_FAILED,    /* could not be started; exec_errno is valid */
};
const char *spawn_outcome_name(enum spawn_outcome o);

struct spawn {
	/* --- input --- */
	const char *const *argv;  /* argv[0] is the path to execute */
	const char *const *envp;  /* NULL = a minimal default environment
				     (PATH=/usr/local/bin:/usr/bin:/bin, LANG=C) */
	const char *cwd;          /* NULL = inherit */
	const char *stdin_path;   /* a file to read, or */
	const char *stdin_data;   /* bytes fed through a pipe, or both NULL for /dev/null */
	size_t stdin_len;

	double wall_s;            /* 0 = no limit */
	double cpu_s;             /* 0 = no limit */
	long long memory;         /* bytes; 0 = no limit */
	int processes;            /* 0 = no limit */
	int open_files;           /* 0 = inherit */
	long long output;         /* cap per stream; 0 = BUF_DEFAULT_LIMIT */
	int merge_stderr;         /* 1: stderr goes into `out` too */
	int use_pty;              /* 1: fds 0-2 are the slave of a new pseudo-
				     terminal that is the run's controlling
				     terminal, the main process's group in
				     its foreground; what the program writes
				     goes to `out` (stdin_* are ignored).
				     The line discipline is cooked with
				     ISIG and NOFLSH, without ECHO/ECHOCTL,
				     so keys written with spawn_pty_write()
				     signal the foreground group as a
				     keyboard does and are not echoed. */
	const char *shm_dir;      /* sandboxed runs: this directory is the
				     run's /dev/shm (NULL: a private tmpfs) */
	int host_net;             /* sandboxed runs: keep the grader's network
				     namespace (no private one) -- for a
				     server the grader must reach where no
				     namespace of its own can be made */
	int netns_fd;             /* > 0: the child joins this network
				     namespace (setns) before exec */
	int no_sandbox;           /* 1: no sandbox for this run (a trusted
				     tool that must see the grader's files) */
	const char *acct_path;    /* sandboxed runs as root: an existing file
				     outside the run's view; the run's init
				     turns the kernel's process accounting
				     on into it, so that it gets one record
				     per process of the run when it ends
				     (procacct.h) */
	/* Called every tick_s seconds while the run goes on (from
	 * spawn_pump()), and once more in spawn_finish() before anything is
	 * killed -- so an observer sees the tree as the program left it. */
	void (*on_tick)(struct spawn *sp, void *arg);
	void *tick_arg;
	double tick_s;            /* 0 = default 0.02 s when on_tick is set */
	/* Called once when the wall-clock or CPU limit is reached, before the
	 * tree is killed, with every process still there (to see where its
	 * threads wait). It may take seconds and may run programs itself
	 * through spawn; no other limit fires meanwhile. */
	void (*before_kill)(struct spawn *sp, enum spawn_outcome why, void *arg);
	void *before_kill_arg;

	/* --- output --- */
	struct buf out, err;
	enum spawn_outcome outcome;
	int exit_code;            /* SPAWN_EXITED */
	int term_signal;          /* SPAWN_SIGNALED (and the signal that ended a
				     killed run, if known) */
	int exec_errno;           /* SPAWN_EXEC_FAILED */
	double wall_used;         /* seconds */
	double cpu_used;          /* user+sys of the whole tree, seconds */
	long long peak_memory;    /* bytes (cgroup peak, or max RSS of one process) */
	int leftover;             /* processes still alive after the main one
				     exited, found and killed */
	/* sandboxed runs: the System V objects and POSIX queues that existed
	 * in the run's IPC namespace when its main process exited (the init
	 * takes the inventory: ipcscan.h); they die with the namespace */
	struct ipc_object ipc_left[SPAWN_IPC_MAX];
	int nipc_left;
	const char *isolation;    /* "cgroup" or "process-group+subreaper"
				     (which mechanism tracked the tree),
				     then "; " and the sandbox's own words:
				     what isolated the run, and what was not
				     available (static storage) */
	int sandboxed;            /* the sandbox level the run had (enum
				     sandbox_level: 0 none, 1 user
				     namespace, 2 root) */
	long sandbox_uid;         /* the uid the program ran as, or -1 */
	int acct_errno;           /* acct_path was set and the init could not
				     turn accounting on: why (0 otherwise) */
	int memory_enforced;      /* 1 when `memory` was set and a memory
				     cgroup enforced it; 0 when it could not
				     be (no memory cgroup: the limit was
				     not applied) */

	/* --- private --- */
	pid_t pid;
	int pidfd;
	int fd_in, fd_out, fd_err;
	int pty_master;           /* use_pty: the master side, for writing */
	double next_tick;
	int before_kill_done;
	size_t in_off;
	double t_start;
	int done;
	int status;
	void *cg;                 /* cgroup state, if any */
	void *sb;                 /* sandbox plan, if any */
	pid_t init_pid;           /* > 0: the pid namespace's init (our
				     child); pid is then the program's host
				     pid, learnt from the init */
	int chan;                 /* the init's messages (its end, status) */
	int status_known;         /* the init reported the program's end */
	int limit;                /* the limit that killed the run (an
				     enum spawn_outcome), or -1 */
	int ended;                /* the main process has ended (unreaped) */
	int reaped;               /* ... and has been waited for */
	int tree_killed;          /* the tree has been killed and counted */
	double t_end;             /* when the end was seen */
	double next_cpu_check;    /* when the CPU usage is next read */
	double rusage_cpu;        /* user+sys from wait4 (fallback) */
	double cpu_seen;          /* the most CPU time read while it ran
				     (a killed pid namespace's processes
				     are not accounted to its init) */
	long long rusage_maxrss;  /* bytes, from wait4 */
	unsigned long long start_ticks; /* /proc start time of the main
					   process, to tell its descendants
					   from older processes (fallback) */
};

/* Zeroes sp and initialises the buffers. Set the inputs afterwards. */
void spawn_init(struct spawn *sp);
/* Frees the buffers. */
void spawn_release(struct spawn *sp);

/* Runs to completion. Returns 0 when the program was run (whatever its
 * outcome), -1 with e filled on a fault of the grader (fork failed, ...). */
int spawn_run(struct spawn *sp, struct error *e);

/* The same in steps: start; pump I/O for up to timeout_s seconds (returns 1
 * once the main process has ended or a limit killed it, 0 while it still
 * runs, -1 on a fault); finish: kill what is left, reap everything, fill the
 * outputs. spawn_finish() must be called after a successful spawn_start().
 * A negative timeout_s pumps until the end; 0 polls once without waiting.
 * spawn_finish() returns 0 (or -1 when a process could not be killed). */
int spawn_start(struct spawn *sp, struct error *e);
int spawn_pump(struct spawn *sp, double timeout_s);
int spawn_finish(struct spawn *sp);

/* Sends sig to the whole process group of the run. */
int spawn_signal(struct spawn *sp, int sig);

/* use_pty: writes bytes to the terminal as typed on a keyboard ("\x03" is
 * Ctrl-C: the line discipline sends SIGINT to the foreground group).
 * Returns 0, or -1 with errno (EIO once the terminal is gone). */
int spawn_pty_write(struct spawn *sp, const void *data, size_t len);

/* The live processes of a run in progress (the main one first, while it
 * is not reaped): the cgroup's members, or, without a cgroup, every
 * process in the run's process group or session, or adopted by the grader
 * since the run began. Zombies are not members of a cgroup: an observer
 * finds them as children of these (see /proc/PID/task/TID/children).
 * *out is the caller's (free()). Returns the count, or -1. */
int spawn_pids(struct spawn *sp, pid_t **out);

/* The grader is interrupted (signals.h): SIGTERM to every run in progress
 * (its process group) and to every child of this process, up to grace_s
 * seconds for them to end, then SIGKILL to whatever is left of the runs
 * and to the orphans adopted meanwhile, until none is found. Runs of other
 * threads may still be inside spawn_pump(); their later spawn_finish()
 * finds nothing to kill. */
void spawn_abort_all(double grace_s);

/* The grader's pid of the run's process whose own pid (as it printed it:
 * inside the sandbox's pid namespace) is `seen`; -1 if none is alive. */
pid_t spawn_host_pid(struct spawn *sp, pid_t seen);

/* Sends sig to one process of the run, after checking that it is one
 * (spawn_pids); -1 with ESRCH otherwise. */
int spawn_kill_pid(struct spawn *sp, pid_t pid, int sig);

/* To be called once at start-up by a process that spawns: makes it the
 * subreaper of everything it starts, so escaped descendants are found, and
 * ignores SIGPIPE. spawn_start() calls it too (once), so forgetting it
 * cannot leak processes; calling it again is harmless.
 *
 * Because the grader adopts orphans, spawn_finish() reaps every exited
 * child that is not the main process of a run in progress. Code that forks
 * by other means would lose its children's statuses: it must not exist. */
void spawn_setup_process(void);

#endif
