/*
 * stacks.h - where the threads of a hung run wait, and what kind of hang it
 * is: the grader calls it on a timeout, before the run's processes are
 * killed, so that a report can say "thread 2 waits in pthread_cond_wait at
 * prodcons.c:42; thread 3 in pthread_mutex_lock at prodcons.c:57" and tell
 * a deadlock from a busy loop.
 *
 * stacks_capture() looks at every thread of every process it is given:
 *  1. /proc, twice, `sample_s` apart: each thread's state letter, the CPU
 *     time it used in between (utime+stime of /proc/PID/task/TID/stat),
 *     the system call it is blocked in and its arguments
 *     (/proc/PID/task/TID/syscall), the kernel function it sleeps in
 *     (wchan), and for a blocked read or write, what the descriptor is
 *     (stdin, a pipe and who else holds its other end, a socket, a file);
 *  2. then gdb in batch mode (`gdb -nx -batch -p PID -ex 'thread apply all
 *     bt'`, run through spawn.h with a timeout) for the stack of every
 *     thread. gdb stops the threads while it looks, which is why the CPU
 *     sample comes first. When gdb is missing, fails, times out, or is not
 *     wanted (valgrind runs, see below), the /proc facts alone are used:
 *     the blocking call is then named from the system call ("read",
 *     "futex wait (probably pthread_mutex_lock)") and no file:line is known.
 *
 * Each thread gets: its state (running or blocked), the function it waits
 * in as the student called it (the library frame just above the first frame
 * in the student's sources: pthread_mutex_lock, pthread_cond_wait, sem_wait,
 * pthread_join, read, write, sleep, nanosleep, waitpid, poll, pause,
 * msgrcv, ...; glibc's internal names such as ___pthread_mutex_lock or
 * __GI___libc_read and the sanitizers' __interceptor_ prefixes are mapped to
 * the public name), what kind of wait that is, whether it has a time-out,
 * and the first frame in the student's sources (file:line and function; a
 * frame's file matches a source when their basenames are equal, as in
 * diag.h; with no sources given, any file that is not a system or runtime
 * path counts).
 *
 * The run as a whole is classified (the order matters):
 *   STACKS_BUSY_LOOP          some thread is running: it used CPU time
 *                             during the sample, or was runnable in both
 *                             samples;
 *   STACKS_SLEEPING           none runs, and some thread waits with a
 *                             time-out (sleep, nanosleep, a timed condition
 *                             or semaphore wait, poll/select with a
 *                             time-out): it will wake up, so this is slowness
 *                             or a polling loop, not a deadlock;
 *   STACKS_WAITING_FOR_INPUT  every thread waits without a time-out, and one
 *                             of them reads stdin or a pipe that no OTHER
 *                             process of the run can write to -- its writer
 *                             is outside the run (the grader), or is only
 *                             the reading process itself (the forgotten
 *                             close() of an unused pipe end after fork, so
 *                             read() never sees end-of-file);
 *   STACKS_DEADLOCK           every thread of every process waits without a
 *                             time-out, none can run (locks, condition
 *                             variables, semaphores, joins, pipes between
 *                             the run's processes, waitpid, pause, ...);
 *   STACKS_UNKNOWN            nothing could be read (the processes had
 *                             exited, or /proc was not readable).
 *
 * Permissions. Reading /proc/PID/task/TID/{syscall,wchan}, /proc/PID/fd and
 * attaching gdb all need ptrace access to the target (PTRACE_MODE_ATTACH):
 * as root this is always granted; a non-root grader needs the same uid as
 * the program (and the program must not be set-uid or made undumpable) or
 * CAP_SYS_PTRACE, and on kernels with the Yama LSM,
 * /proc/sys/kernel/yama/ptrace_scope must be 0 -- at 1 only a parent may
 * attach to its descendants, and gdb is not the program's parent (setting
 * CAP_SYS_PTRACE on the grader, or ptrace_scope 0, is then needed); at 3
 * nothing can attach. Without access, states and CPU times still come from
 * /proc/PID/task/TID/stat (world-readable), so BUSY_LOOP against "all
 * blocked" still works, but where they wait is unknown.
 *
 * Valgrind. Under memcheck, helgrind or drd the process is valgrind's, which
 * runs the program on a synthetic CPU: gdb would show valgrind's own
 * scheduler, never the student's code. Set use_gdb to 0 for those variants
 * (stacks_capture() also skips gdb on its own when /proc/PID/exe is under a
 * .../valgrind/ directory); the /proc facts still give the states, system
 * calls and the classification. (valgrind's gdbserver, vgdb, could give the
 * guest stacks but needs --vgdb=yes at start; not done.)
 *
 * Security. gdb runs as the grader, on a hostile program: it is started
 * with -nx (no ~/.gdbinit or ./.gdbinit), `set auto-load off` before the
 * program's files are read (no scripts from the submission, no
 * libthread_db from its directories: only the system's), through spawn.h
 * with a wall-clock limit, and its output is parsed as untrusted text.
 *
 * Ownership: a struct stacks owns everything in it; stacks_release() frees
 * it. Nothing keeps a pointer into the caller's pids, sources or text.
 */
#ifndef GRADER_STACKS_H
#define GRADER_STACKS_H

#include <stddef.h>
#include <sys/types.h>

enum stacks_verdict {
	STACKS_UNKNOWN = 0,
	STACKS_DEADLOCK,
	STACKS_BUSY_LOOP,
	STACKS_WAITING_FOR_INPUT,
	STACKS_SLEEPING,
};
/* "deadlock", "busy-loop", "waiting-for-input", "sleeping", "unknown". */
const char *stacks_verdict_name(enum stacks_verdict v);

/* What a blocked thread waits for. */
enum stacks_wait {
	STACKS_WAIT_NONE = 0, /* running, or not known */
	STACKS_WAIT_MUTEX,    /* pthread_mutex_lock, rwlocks, ... */
	STACKS_WAIT_COND,     /* pthread_cond_wait / timedwait */
	STACKS_WAIT_SEM,      /* sem_wait, semop */
	STACKS_WAIT_JOIN,     /* pthread_join */
	STACKS_WAIT_FUTEX,    /* a futex, which of the above not known */
	STACKS_WAIT_READ,     /* read, recv, msgrcv, mq_receive, accept */
	STACKS_WAIT_WRITE,    /* write, send, msgsnd, mq_send */
	STACKS_WAIT_SLEEP,    /* sleep, usleep, nanosleep */
	STACKS_WAIT_CHILD,    /* wait, waitpid, waitid */
	STACKS_WAIT_POLL,     /* poll, select, epoll_wait */
	STACKS_WAIT_SIGNAL,   /* pause, sigsuspend, sigwait */
	STACKS_WAIT_LOCK,     /* flock, fcntl locks */
	STACKS_WAIT_OTHER,    /* another system call */
};
/* "mutex", "condition variable", ... for messages. */
const char *stacks_wait_name(enum stacks_wait w);

/* One frame of a gdb backtrace. */
struct stacks_frame {
	char *function; /* NULL when gdb printed "??" */
	char *file;     /* as gdb printed it; NULL when no line information */
	int line;       /* 0 when unknown */
	char *module;   /* "from /lib/.../libc.so.6", when printed; else NULL */
};

struct stacks_thread {
	pid_t tid;
	int index;        /* 1 = the main thread, then 2, 3, ... by tid */
	char state;       /* /proc state letter: R S D T t Z ...; '?' unknown */
	int running;      /* burned CPU during the sample, or was runnable */
	double cpu_s;     /* CPU time used during the sample */
	long syscall;     /* the blocking system call's number; -1 when not in
			     one (running) or unknown */
	unsigned long args[6]; /* its arguments, when syscall >= 0 */
	char *wchan;      /* kernel function it sleeps in; NULL when unknown */

	enum stacks_wait wait;
	int timed;        /* the wait has a time-out: it will end by itself */
	char *call;       /* the function it waits in, as the student called it
			     ("pthread_mutex_lock", "read"); NULL when running
			     or unknown */
	char *detail;     /* what it waits on, for a person: "stdin", "a pipe
			     that only this process can write to", "a pipe
			     written by process 1235", ...; NULL when none */
	int input_wait;   /* reads stdin, or a pipe no other process of the
			     run can write to (see STACKS_WAITING_FOR_INPUT) */
	int runtime;      /* a thread of a sanitizer's runtime (TSan's
			     background thread, which sleeps in a loop): no
			     frame of the student's, a __tsan::/__sanitizer::
			     frame. Not the program's: left out of the
			     classification and the summary. Only seen with
			     gdb's stacks. */

	char *file;       /* first frame in the student's sources (the
			     matching entry of `sources`); NULL when none */
	int line;
	char *function;   /* that frame's function, or NULL */

	struct stacks_frame *frames; /* from gdb, top (#0) first */
	size_t nframes;
};

struct stacks_process {
	pid_t pid;
	pid_t ppid;
	char *comm;       /* /proc/PID/comm, or NULL */
	int from_gdb;     /* the stacks come from gdb (else /proc only) */
	char *note;       /* why there are no stacks ("gdb: ptrace: Operation
			     not permitted", "valgrind: /proc only"), or NULL */
	struct stacks_thread *threads; /* main thread first, then by tid */
	size_t nthreads;
};

struct stacks {
	struct stacks_process *procs; /* in the order of the pids given */
	size_t nprocs;
	enum stacks_verdict verdict;
	char *summary; /* one paragraph for the report; never NULL after
			  stacks_capture() or stacks_classify() */
};

struct stacks_options {
	const char *const *sources; /* NULL-terminated student file names, or
				       NULL: any non-system file counts */
	int use_gdb;          /* 1 (default): try gdb; 0: /proc only */
	double gdb_timeout_s; /* per process; default 10 */
	int max_gdb;          /* gdb on at most this many processes (a fork
				 bomb that hangs is not worth 50 gdbs); the
				 others get /proc only; default 8 */
	double sample_s;      /* CPU sampling interval; default 0.2 */
	const char *gdb;      /* gdb's path; default "gdb" (found in PATH) */
};

/* Fills o with the defaults above. */
void stacks_options_init(struct stacks_options *o);

/*
 * Captures and classifies the threads of the processes pids[0..n-1], which
 * must still be alive (a pid that has gone is left out; zombies are kept,
 * with no threads). Put the run's main process first: it is "the main
 * process" of the summary. Fills *st (zeroed first) and returns 0; -1 only
 * when nothing could be read at all (st->verdict STACKS_UNKNOWN, and the
 * summary says why). Takes about sample_s plus gdb's time (~0.5 s a
 * process) and leaves the processes as they were (gdb detaches).
 */
int stacks_capture(struct stacks *st, const pid_t *pids, size_t n,
		   const struct stacks_options *o);

/*
 * Parses the output of `gdb -batch -p PID -ex 'thread apply all bt'`
 * (with or without `set print frame-arguments none`; any compiler and
 * optimisation level; frames without debug information, "??" frames,
 * inlined frames, gdb's own noise and garbage tolerated) into p's threads:
 * for a thread already in p (same tid, "LWP N" in gdb's header) the frames
 * are attached to it; other threads are appended (index set from gdb's
 * "Thread N"). Then fills each thread's call, wait, file, line and function
 * from its frames (see stacks_thread_locate()). Returns the number of
 * threads that got frames. `text` need not be NUL-terminated.
 */
int stacks_parse_gdb(struct stacks_process *p, const char *text, size_t len,
		     const char *const *sources);

/*
 * From t's frames (if any) and system call (if known): call, wait, timed,
 * file, line, function. Called by stacks_capture() and stacks_parse_gdb();
 * public for tests.
 */
void stacks_thread_locate(struct stacks_thread *t, const char *const *sources);

/* Classifies st's processes and writes st->summary (replacing any). */
void stacks_classify(struct stacks *st);

/* Frees everything st holds and zeroes it. */
void stacks_release(struct stacks *st);

/*
 * The live processes whose session id is sid, by a scan of /proc: the
 * run's processes when spawn.h cannot list them (spawn starts each run in a
 * new session whose id is the main pid). Misses descendants that called
 * setsid(). Returns how many (*pids is malloc'd, main pid first when it is
 * alive) or -1 when /proc cannot be read.
 */
int stacks_session_pids(pid_t sid, pid_t **pids);

#endif
