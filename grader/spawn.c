/*
 * spawn.c - the one place where the grader forks, execs and waits. See
 * spawn.h for what it guarantees.
 *
 * How a run goes:
 *
 *  1. spawn_start() prepares everything the child needs (resolved path,
 *     pipes, the cgroup of cgroup.c, rlimit values) while it may still
 *     allocate, blocks all signals and forks; a pidfd tells when the child
 *     ends (poll). The child joins the cgroup, calls setsid(), sets up fds
 *     0-2, closes everything else, resets signals and rlimits, and execs --
 *     async-signal-safe calls only. A failure before exec is written to a
 *     close-on-exec pipe that the parent reads until EOF. The main pids of
 *     the runs in progress are listed, so that reaping adopted orphans
 *     never takes a main process's status.
 *
 *  2. spawn_pump() polls the output pipes, the stdin pipe and the pidfd,
 *     with a timeout that is the nearest of: the caller's, the wall limit,
 *     and the earliest moment the CPU limit could be reached (the tree
 *     cannot use more than one CPU-second per core per second), so it never
 *     busy-waits and enforces the CPU limit within a few milliseconds.
 *
 *  3. spawn_finish() kills whatever is left of the tree (counting it as
 *     `leftover`), reaps the main process with wait4() for its rusage,
 *     drains the pipes, reads the cgroup's accounting, removes the cgroup and
 *     reaps orphans the grader adopted as subreaper.
 *
 * Without a writable cgroup the tree is found through the process group and
 * session (both are the main pid, which stays unreaped -- so cannot be
 * reused -- until the end), and through /proc: an escaped process is
 * reparented to the grader once its parents are killed, and is seen there
 * as a child of ours that is not the main process of a run.
 */
#define _GNU_SOURCE
#include "spawn.h"
#include "cgroup.h"
#include "ipcscan.h"
#include "sandbox.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acct.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
#define CHUNK 65536
/* A process stuck in the kernel is given this long to die. */
#define KILL_PATIENCE_S 5.0
/* At most this many killed processes are waited for one by one (each
 * takes a descriptor); the rest are reaped by a later run. */
#define MAX_WAITED 256
/* After the tree is dead, the pipes can only hold what is buffered; this
 * bounds the wait should something outside the run hold a write end. */
#define DRAIN_PATIENCE_S 1.0

static const char *const default_env[] = {
	"PATH=" DEFAULT_PATH,
	"LANG=C",
	NULL
};

enum { STAGE_EXEC = 1, STAGE_CGROUP = 2, STAGE_SANDBOX = 3 };

/* What the child writes to the report pipe when it cannot exec. */
struct child_report {
	int stage;
	int err;
};

/* The messages of a pid namespace's init (and of the program's process,
 * for MSG_PID) on the SOCK_SEQPACKET channel to the grader. */
enum {
	MSG_PID = 1,     /* from the program's process, with SCM_CREDENTIALS:
			    the kernel translates its pid into ours */
	MSG_EXEC_OK,     /* the program's exec succeeded */
	MSG_FAIL,        /* stage, value = errno: it could not be started */
	MSG_STATUS,      /* value = the program's wait status */
	MSG_IPC,         /* before MSG_STATUS: an IPC object left in the
			    run's namespace; stage = enum ipc_kind, value =
			    its System V key, name = a POSIX queue's */
	MSG_ACCT,        /* before MSG_EXEC_OK: value = errno, process
			    accounting could not be turned on */
};
struct init_msg {
	int type;
	int stage;
	int value;
	char name[IPC_NAME_MAX];
};
static int chan_read(int chan, struct init_msg *m, pid_t *pid);

/* Everything the child uses, computed before the fork. */
struct child_plan {
	const char *path;
	const char *const *argv;
	const char *const *envp;
	const char *cwd;
	int in_fd, out_fd, err_fd, report_fd;  /* all >= 3 */
	int pty_slave;            /* use_pty: the same fd as in/out/err */
	int netns_fd;             /* > 0: setns() into it */
	const char *acct_path;    /* init: process accounting into it */
	const struct sandbox *sb; /* the sandbox: the child is an init */
	int chan;                 /* init: the channel to the grader */
	int max_fd;               /* for closing without close_range() */
	const struct cgroup *cg;
	struct sigaction dfl;
	sigset_t no_signals;
	struct rlimit core, nofile, nofile_soft, cpu, nproc;
	int set_nofile, set_cpu, set_nproc;
};

const char *spawn_outcome_name(enum spawn_outcome o)
{
	switch (o) {
	case SPAWN_EXITED:
		return "exited";
	case SPAWN_SIGNALED:
		return "signaled";
	case SPAWN_TIMEOUT:
		return "timeout";
	case SPAWN_CPU_LIMIT:
		return "cpu-limit";
	case SPAWN_OUTPUT_LIMIT:
		return "output-limit";
	case SPAWN_MEMORY_LIMIT:
		return "memory-limit";
	case SPAWN_EXEC_FAILED:
		return "exec-failed";
	}
	return "unknown";
}

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static int is_subreaper;

static void setup_process_once(void)
{
	int fd;

	/* Orphans of a run come to us instead of init, to be found and
	 * killed. */
	is_subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
	signal(SIGPIPE, SIG_IGN);
	/* With 0-2 closed, a pipe could land on them and be clobbered by the
	 * child's dup2() calls. */
	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);

			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
	}
}

void spawn_setup_process(void)
{
	pthread_once(&setup_once, setup_process_once);
}

void spawn_init(struct spawn *sp)
{
	memset(sp, 0, sizeof(*sp));
	buf_init(&sp->out, 0);
	buf_init(&sp->err, 0);
	sp->pidfd = sp->fd_in = sp->fd_out = sp->fd_err = sp->pty_master = -1;
	sp->chan = -1;
	sp->sandbox_uid = -1;
	sp->limit = -1;
	sp->isolation = "none";
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void spawn_release(struct spawn *sp)
{
	if (sp->pid > 0 && !sp->reaped)
		spawn_finish(sp);
	close_fd(&sp->fd_in);
	close_fd(&sp->fd_out);
	close_fd(&sp->fd_err);
	close_fd(&sp->pty_master);
	close_fd(&sp->pidfd);
	close_fd(&sp->chan);
	cgroup_destroy(sp->cg);
	sp->cg = NULL;
	sandbox_release(sp->sb);
	sp->sb = NULL;
	buf_release(&sp->out);
	buf_release(&sp->err);
}

/* ---- small helpers ---- */

/* Moves fd above 0-2 (keeping it close-on-exec), so the child's dup2()
 * onto 0-2 can never overwrite another of its descriptors. */
static int fd_high(int fd)
{
	int n, saved;

	if (fd < 0 || fd > 2)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	saved = errno;
	close(fd);
	errno = saved;
	return n;
}

/* A close-on-exec pipe; `nonblock_end` (0, 1 or -1 for none) is the
 * parent's end, made non-blocking. */
static int make_pipe(int p[2], int nonblock_end)
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	p[0] = fd_high(p[0]);
	p[1] = fd_high(p[1]);
	if (p[0] < 0 || p[1] < 0 ||
	    (nonblock_end >= 0 &&
	     fcntl(p[nonblock_end], F_SETFL, O_NONBLOCK) < 0)) {
		int saved = errno;

		close_fd(&p[0]);
		close_fd(&p[1]);
		errno = saved;
		return -1;
	}
	return 0;
}

static int sys_pidfd_open(pid_t pid)
{
	/* Known missing (kernels before 5.3, valgrind): not asked again. */
	static int missing;
	int fd;

	if (__atomic_load_n(&missing, __ATOMIC_RELAXED)) {
		errno = ENOSYS;
		return -1;
	}
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 && errno == ENOSYS)
		__atomic_store_n(&missing, 1, __ATOMIC_RELAXED);
	return fd;
}

static int sys_pidfd_kill(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* write(2) that neither dies of SIGPIPE nor leaves one pending, even if the
 * caller never ignored it: SIGPIPE is blocked around the write and a
 * SIGPIPE the write raised is consumed. */
static ssize_t write_nosigpipe(int fd, const void *p, size_t n)
{
	sigset_t pipe_set, old, pending;
	int was_pending;
	ssize_t r;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	do
		r = write(fd, p, n);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EPIPE && !was_pending) {
		const struct timespec zero = { 0, 0 };
		int saved = errno;

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
		errno = saved;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* The fields of /proc/<pid>/stat that spawn needs. */
struct pstat {
	char state;
	pid_t ppid, pgrp, sid;
	unsigned long long cpu_ticks;   /* utime+stime+cutime+cstime */
	unsigned long long start;       /* ticks after boot */
};

static int pstat_read(pid_t pid, struct pstat *ps)
{
	char path[64], text[1024];
	unsigned long long f[23];
	ssize_t r;
	char *p;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		r = read(fd, text, sizeof(text) - 1);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r <= 0)
		return -1;
	text[r] = '\0';
	/* The command name is in parentheses and may contain anything. */
	p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	ps->state = p[2];
	p += 3;
	for (i = 4; i <= 22; i++) {
		char *end;

		f[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	ps->ppid = (pid_t)f[4];
	ps->pgrp = (pid_t)f[5];
	ps->sid = (pid_t)f[6];
	ps->cpu_ticks = f[14] + f[15] + f[16] + f[17];
	ps->start = f[22];
	return 0;
}

/* Sleeps usec microseconds (less if a signal comes: callers loop). */
static void nap(long usec)
{
	struct timespec ts = { usec / 1000000, (usec % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static long clock_ticks(void)
{
	static long hz;

	if (!hz) {
		long v = sysconf(_SC_CLK_TCK);

		hz = v > 0 ? v : 100;
	}
	return hz;
}

/*
 * The main processes of the runs going on (started, not yet reaped). Every
 * other child of the grader is an orphan it adopted as subreaper: those are
 * reaped by reap_orphans(), which must never take a main process's status.
 * The lock is held across fork() so that no child is ever seen unlisted.
 */
static pthread_mutex_t mains_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *mains;
static size_t nmains;

/* Call with mains_lock held. */
static void mains_add(pid_t pid)
{
	mains = xrealloc(mains, (nmains + 1) * sizeof(*mains));
	mains[nmains++] = pid;
}

/* Call with mains_lock held. */
static int mains_has(pid_t pid)
{
	size_t i;

	for (i = 0; i < nmains; i++)
		if (mains[i] == pid)
			return 1;
	return 0;
}

static void mains_remove(pid_t pid)
{
	size_t i;

	pthread_mutex_lock(&mains_lock);
	for (i = 0; i < nmains; i++) {
		if (mains[i] == pid) {
			mains[i] = mains[--nmains];
			break;
		}
	}
	pthread_mutex_unlock(&mains_lock);
}

static int is_main_pid(pid_t pid)
{
	int r;

	pthread_mutex_lock(&mains_lock);
	r = mains_has(pid);
	pthread_mutex_unlock(&mains_lock);
	return r;
}

/* Reaps pid if it has ended; returns 1 if it did. */
static int reap_pid_nohang(pid_t pid)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	return r == pid;
}

/* The children of every thread of ours, from /proc (a child adopted as
 * subreaper belongs to one of our threads): reaps those that ended and are
 * not main processes of runs, and returns how many such children are left
 * alive, or -1 if the kernel does not list children. Call with mains_lock
 * held. */
static int reap_listed_orphans(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int alive = 0, listed = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char path[300], text[4096], *p, *end;
		ssize_t r;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		listed = 1;
		do
			r = read(fd, text, sizeof(text) - 1);
		while (r < 0 && errno == EINTR);
		close(fd);
		if (r <= 0)
			continue;
		text[r] = '\0';
		for (p = text; *p; p = end) {
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			if (pid > 0 && !mains_has((pid_t)pid) &&
			    !reap_pid_nohang((pid_t)pid))
				alive++;
		}
	}
	closedir(d);
	return listed ? alive : -1;
}

/* Reaps ended adopted orphans; returns how many adopted children are still
 * alive (0: no process that was orphaned is left anywhere under us), or -1
 * when that cannot be known. */
static int adopted_alive(void)
{
	int n;

	pthread_mutex_lock(&mains_lock);
	n = reap_listed_orphans();
	pthread_mutex_unlock(&mains_lock);
	return n;
}

/* Reaps every exited child that is not the main process of a run: orphans
 * adopted as subreaper. Peeks first (WNOWAIT), which is one system call
 * when there is nothing to do. */
static void reap_orphans(void)
{
	pthread_mutex_lock(&mains_lock);
	for (;;) {
		siginfo_t si;
		int r;

		memset(&si, 0, sizeof(si));
		r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || si.si_pid == 0)
			break;
		if (mains_has(si.si_pid)) {
			/* Another run's main process is in the way. */
			reap_listed_orphans();
			break;
		}
		reap_pid_nohang(si.si_pid);
	}
	pthread_mutex_unlock(&mains_lock);
}

/* The executable for argv[0]: itself when it has a '/', else the first
 * match in PATH. NULL (errno ENOENT) when none. Caller frees. */
static char *resolve_path(const char *name, const char *const *envp)
{
	const char *path = DEFAULT_PATH, *p;
	size_t i;

	if (strchr(name, '/'))
		return xstrdup(name);
	for (i = 0; envp && envp[i]; i++) {
		if (strncmp(envp[i], "PATH=", 5) == 0) {
			path = envp[i] + 5;
			break;
		}
	}
	for (p = path; p; ) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		char *dir = len ? xstrndup(p, len) : xstrdup(".");
		char *cand = path_join(dir, name);

		free(dir);
		if (is_file(cand) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p = colon ? colon + 1 : NULL;
	}
	errno = ENOENT;
	return NULL;
}

/* Tasks (threads included) whose real uid is ours: RLIMIT_NPROC counts
 * them all, so a per-run limit has to be added to this. */
static long count_user_tasks(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	long n = 0;
	uid_t me = getuid();

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[300], text[4096], *u, *t;
		ssize_t r;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		do
			r = read(fd, text, sizeof(text) - 1);
		while (r < 0 && errno == EINTR);
		close(fd);
		if (r <= 0)
			continue;
		text[r] = '\0';
		u = strstr(text, "\nUid:");
		t = strstr(text, "\nThreads:");
		if (u && t && (uid_t)strtoul(u + 5, NULL, 10) == me)
			n += strtol(t + 9, NULL, 10);
	}
	closedir(d);
	return n;
}

/* ---- the child ---- */

static void report_write(int fd, int stage, int err)
{
	struct child_report rep;
	ssize_t w;

	rep.stage = stage;
	rep.err = err;
	do
		w = write(fd, &rep, sizeof(rep));
	while (w < 0 && errno == EINTR);
}

static void child_fail(const struct child_plan *pl, int stage, int err)
{
	report_write(pl->report_fd, stage, err);
	_exit(127);
}

/* Closes every descriptor from 3 up but `keep` (-1 for none). */
static void close_above_2(int keep, int max_fd)
{
	int fd, r = 0;

	if (keep > 3)
		r = (int)syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U);
	if (r == 0)
		r = (int)syscall(SYS_close_range,
				 keep >= 3 ? (unsigned)keep + 1 : 3U, ~0U, 0U);
	if (r == 0)
		return;
	for (fd = 3; fd < max_fd; fd++)
		if (fd != keep)
			close(fd);
}

/* The program's side, between fork and exec: async-signal-safe calls only,
 * no allocation, nothing that takes a lock. With a sandbox this runs in
 * the init's child (its failures go to the init's pipe), else in the
 * grader's. */
static void child_exec(const struct child_plan *pl)
{
	int sig, err;

	if (setsid() < 0)
		child_fail(pl, STAGE_EXEC, errno);
	/* A session leader without a terminal that opens one acquires it,
	 * its process group becoming the terminal's foreground group. */
	if (pl->pty_slave >= 0 && ioctl(pl->pty_slave, TIOCSCTTY, 0) < 0)
		child_fail(pl, STAGE_EXEC, errno);
	if (!pl->sb && pl->netns_fd > 0 && setns(pl->netns_fd, CLONE_NEWNET) < 0)
		child_fail(pl, STAGE_EXEC, errno);
	if (dup2(pl->in_fd, 0) < 0 || dup2(pl->out_fd, 1) < 0 ||
	    dup2(pl->err_fd, 2) < 0)
		child_fail(pl, STAGE_EXEC, errno);
	close_above_2(pl->report_fd, pl->max_fd);
	/* All signals are blocked since before the fork: reset every
	 * disposition (ignored ones would survive exec) before unblocking. */
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &pl->dfl, NULL);
	/* Lowering a hard limit is always allowed, except under valgrind,
	 * which guards its own descriptors: the soft limit alone, then. */
	if (pl->set_nofile && setrlimit(RLIMIT_NOFILE, &pl->nofile) < 0 &&
	    (errno != EPERM || setrlimit(RLIMIT_NOFILE, &pl->nofile_soft) < 0))
		child_fail(pl, STAGE_EXEC, errno);
	if (setrlimit(RLIMIT_CORE, &pl->core) < 0 ||
	    (pl->set_cpu && setrlimit(RLIMIT_CPU, &pl->cpu) < 0) ||
	    (pl->set_nproc && setrlimit(RLIMIT_NPROC, &pl->nproc) < 0))
		child_fail(pl, STAGE_EXEC, errno);
	if (pl->sb && (err = sandbox_drop(pl->sb)) != 0)
		child_fail(pl, STAGE_SANDBOX, err);
	if (pl->cwd && chdir(pl->cwd) < 0)
		child_fail(pl, STAGE_EXEC, errno);
	sigprocmask(SIG_SETMASK, &pl->no_signals, NULL);
	execve(pl->path, (char *const *)pl->argv, (char *const *)pl->envp);
	child_fail(pl, STAGE_EXEC, errno);
}

/* Runs in the child created by the grader's fork, without a sandbox. */
static void child_run(const struct child_plan *pl, int in_v2)
{
	if (pl->cg) {
		int e = cgroup_enter(pl->cg, in_v2);

		if (e)
			child_fail(pl, STAGE_CGROUP, e);
	}
	child_exec(pl);
}

/* Closes every descriptor from 3 up but a and b: an init holds nothing of
 * the grader's (other runs' pipes would never see their end of file). */
/* Closes every descriptor from 3 up but the n in keep[] (those below 3
 * ignored; n <= 4). */
static void close_keeping(const int *keep, int n)
{
	int k[4], m = 0, i, j, from = 3;

	for (i = 0; i < n && m < 4; i++)
		if (keep[i] >= 3)
			k[m++] = keep[i];
	for (i = 1; i < m; i++)
		for (j = i; j > 0 && k[j - 1] > k[j]; j--) {
			int t = k[j];

			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	for (i = 0; i < m; i++) {
		if (k[i] > from)
			syscall(SYS_close_range, (unsigned)from, (unsigned)k[i] - 1, 0U);
		if (k[i] + 1 > from)
			from = k[i] + 1;
	}
	syscall(SYS_close_range, (unsigned)from, ~0U, 0U);
}

static void chan_send_msg(int chan, const struct init_msg *m)
{
	ssize_t w;

	do
		w = send(chan, m, sizeof(*m), MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
}

static void chan_send(int chan, int type, int stage, int value)
{
	struct init_msg m = { type, stage, value, "" };

	chan_send_msg(chan, &m);
}

static void init_fail(const struct child_plan *pl, int stage, int err)
{
	chan_send(pl->chan, MSG_FAIL, stage, err);
	_exit(127);
}

/* The program's process tells the grader its pid: the kernel translates
 * the pid of SCM_CREDENTIALS into the receiver's namespace. */
static void send_own_pid(int chan)
{
	struct init_msg m = { MSG_PID, 0, 0, "" };
	struct iovec iov = { &m, sizeof(m) };
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
	struct cmsghdr *c;
	struct ucred cr;

	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(cr));
	cr.pid = getpid();
	cr.uid = getuid();
	cr.gid = getgid();
	memcpy(CMSG_DATA(c), &cr, sizeof(cr));
	while (sendmsg(chan, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/*
 * The init of the run's pid namespace (its pid 1; the grader's child):
 * enters the cgroup and the sandbox, forks the program's process, tells
 * the grader whether the exec worked, then reaps everything -- orphans of
 * the namespace come to it -- and reports the program's wait status when
 * it ends. It stays until it has no child left or is killed (the grader
 * kills it, which kills the whole namespace, at the end of the run). Its
 * signals stay blocked: pid 1 of a namespace cannot be killed from inside
 * anyway, and it dies with the grader (PR_SET_PDEATHSIG). System calls
 * only: this is a copy of the grader between fork and exec.
 */
static void init_run(const struct child_plan *pl, int in_v2)
{
	struct child_plan prog;
	struct child_report rep;
	int exec_p[2], err, st, acct_fd = -1;
	pid_t pid, w;
	ssize_t got = 0, r;

	if (pl->cg && (err = cgroup_enter(pl->cg, in_v2)) != 0)
		init_fail(pl, STAGE_CGROUP, err);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (setsid() < 0)
		init_fail(pl, STAGE_SANDBOX, errno);
	if (pl->netns_fd > 0 && setns(pl->netns_fd, CLONE_NEWNET) < 0)
		init_fail(pl, STAGE_EXEC, errno);
	/* Process accounting of the run's pid namespace (procacct.h): now,
	 * while the grader's file is in view and the init still has its
	 * capabilities. Not fatal: the grader then lacks the witness. */
	if (pl->acct_path) {
		/* The kernel stops accounting when the file's mount is
		 * freed, and the pivot below detaches every mount of the
		 * grader's from this namespace: a descriptor kept open holds
		 * it for the run's life. */
		acct_fd = open(pl->acct_path, O_PATH | O_CLOEXEC);
		if (acct_fd < 0 || acct(pl->acct_path) < 0)
			chan_send(pl->chan, MSG_ACCT, 0, errno);
	}
	if ((err = sandbox_enter(pl->sb)) != 0)
		init_fail(pl, STAGE_SANDBOX, err);
	/* Not to be ptraced by the program when both run as the user; only
	 * now: a process that is not dumpable cannot write its own uid_map. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (pipe2(exec_p, O_CLOEXEC) < 0)
		init_fail(pl, STAGE_SANDBOX, errno);
	/* The raw system call: glibc's fork() runs atfork handlers that
	 * take locks another thread of the grader may have held. */
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		init_fail(pl, STAGE_EXEC, errno);
	if (pid == 0) {
		prog = *pl;
		prog.report_fd = exec_p[1];
		send_own_pid(pl->chan);
		close(pl->chan);
		close(exec_p[0]);
		child_exec(&prog);
	}
	close(exec_p[1]);
	/* Nothing of the run's pipes stays open here: their end of file is
	 * the program's business. */
	close(0);
	close(1);
	close(2);
	if (pl->in_fd >= 0)
		close(pl->in_fd);
	if (pl->out_fd >= 0)
		close(pl->out_fd);
	if (pl->err_fd >= 0)
		close(pl->err_fd);
	{
		int keep[3] = { pl->chan, exec_p[0], acct_fd };

		close_keeping(keep, 3);
	}
	while (got < (ssize_t)sizeof(rep)) {
		r = read(exec_p[0], (char *)&rep + got, sizeof(rep) - (size_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(exec_p[0]);
	if (got == (ssize_t)sizeof(rep))
		chan_send(pl->chan, MSG_FAIL, rep.stage, rep.err);
	else
		chan_send(pl->chan, MSG_EXEC_OK, 0, 0);
	for (;;) {
		w = wait4(-1, &st, __WALL, NULL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			_exit(0);
		if (w == pid) {
			/* the inventory of the IPC namespace now, while it
			 * lives: it ends with the run */
			struct ipc_object left[SPAWN_IPC_MAX];
			int n = ipcscan_all(left, SPAWN_IPC_MAX), i;

			for (i = 0; i < n; i++) {
				struct init_msg m = { MSG_IPC, left[i].kind,
						      left[i].key, "" };

				memcpy(m.name, left[i].name, sizeof(m.name));
				chan_send_msg(pl->chan, &m);
			}
			chan_send(pl->chan, MSG_STATUS, 0, st);
		}
	}
}

/* The layout of the kernel's struct clone_args, version 2 (88 bytes). */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid;
	uint64_t exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

/* Creates the child: with a cgroup, clone3(CLONE_INTO_CGROUP) puts it
 * straight into the v2 cgroup (*in_v2 = 1); otherwise, or where clone3 is
 * refused (old kernels, seccomp profiles, valgrind), fork() -- or, with
 * namespace flags, the raw clone(). *pidfd is -1 on kernels without
 * pidfds, where the pump polls instead. */
static pid_t fork_child(const struct cgroup *cg, unsigned long long nsflags,
			int *pidfd, int *in_v2)
{
	int cgfd = cg ? cgroup_clone_fd(cg) : -1;
	struct clone3_args args;
	pid_t pid;

	*pidfd = -1;
	*in_v2 = 0;
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD | nsflags;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*in_v2 = 1;
			return pid;
		}
		if (errno == EAGAIN || errno == ENOMEM)
			return -1;
		*pidfd = -1;
		args.flags &= ~CLONE_INTO_CGROUP;
		args.cgroup = 0;
	}
	if (nsflags) {
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0)
			return pid;
		*pidfd = -1;
		if (errno != ENOSYS && errno != E2BIG)
			return -1;
		pid = (pid_t)syscall(SYS_clone, (unsigned long)nsflags | SIGCHLD, 0, 0, 0, 0);
	} else {
		/* The clone3 child cannot return from syscall() into glibc's
		 * fork bookkeeping, but needs none: it only execs. fork()
		 * for the rest. */
		pid = fork();
	}
	/* Our unreaped child: its pid cannot have been reused. */
	if (pid > 0)
		*pidfd = sys_pidfd_open(pid);
	return pid;
}

/* ---- start ---- */

static void mark_ended(struct spawn *sp);

/* Reads what the init has said (non-blocking): the program's status, or
 * end of file when the init is gone -- and with it the whole namespace. */
static void chan_poll(struct spawn *sp)
{
	struct init_msg m;
	int k;

	while (sp->chan >= 0 && (k = chan_read(sp->chan, &m, NULL)) != -1) {
		if (k == 0) {
			close_fd(&sp->chan);
			mark_ended(sp);
			break;
		}
		if (m.type == MSG_IPC && sp->nipc_left < SPAWN_IPC_MAX &&
		    !sp->status_known) {
			struct ipc_object *o = &sp->ipc_left[sp->nipc_left++];

			o->kind = m.stage;
			o->key = m.value;
			memcpy(o->name, m.name, sizeof(o->name));
			o->name[sizeof(o->name) - 1] = '\0';
		}
		if (m.type == MSG_STATUS && !sp->status_known) {
			sp->status = m.value;
			sp->status_known = 1;
			mark_ended(sp);
		}
	}
}

/* Waits for the main process (with a sandbox: for the init, whose rusage
 * covers every process it reaped); fills status and the rusage fields. */
static void reap_main(struct spawn *sp)
{
	struct rusage ru;
	pid_t r, who = sp->init_pid > 0 ? sp->init_pid : sp->pid;
	int st = 0;

	if (sp->reaped || who <= 0)
		return;
	do
		r = wait4(who, &st, __WALL, &ru);
	while (r < 0 && errno == EINTR);
	sp->reaped = 1;
	mains_remove(who);
	if (sp->init_pid > 0) {
		chan_poll(sp);
		/* killed before it ended: by the grader, with the tree */
		sp->status = sp->status_known ? sp->status : SIGKILL;
	} else {
		sp->status = st;
	}
	if (r < 0)
		return;
	sp->rusage_cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	sp->rusage_maxrss = (long long)ru.ru_maxrss * 1024;
}

/* A new pseudo-terminal: *master (non-blocking) and *slave, both
 * close-on-exec and above 0-2. The slave's line discipline is cooked, with
 * ISIG (control keys signal the foreground group) and NOFLSH (a signal
 * does not throw away output the program already wrote), without echo: a
 * typed key must not appear in what the program printed. */
static int open_pty(int *master, int *slave)
{
	struct termios tio;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char name[128];
	int m, sl;

	m = fd_high(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
	if (m < 0)
		return -1;
	if (grantpt(m) < 0 || unlockpt(m) < 0 ||
	    ptsname_r(m, name, sizeof(name)) != 0) {
		close(m);
		return -1;
	}
	sl = fd_high(open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
	if (sl < 0) {
		close(m);
		return -1;
	}
	if (tcgetattr(sl, &tio) == 0) {
		tio.c_lflag |= ISIG | ICANON | NOFLSH;
		tio.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ECHOCTL);
		tio.c_oflag &= ~(tcflag_t)ONLCR; /* "\n" stays "\n" in `out` */
		tcsetattr(sl, TCSANOW, &tio);
	}
	ioctl(sl, TIOCSWINSZ, &ws);
	if (fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK) < 0) {
		close(m);
		close(sl);
		return -1;
	}
	*master = m;
	*slave = sl;
	return 0;
}

/* Outcome of one attempt at starting. */
enum { START_OK = 0, START_FAULT = -1, START_NO_CGROUP = 1, START_NO_SANDBOX = 2 };

/* Reads one message of the init; with SCM_CREDENTIALS, *pid is the
 * sender's pid in our namespace. Returns 1, 0 at end of file, -1 when
 * nothing is there (non-blocking) or on an error. */
static int chan_read(int chan, struct init_msg *m, pid_t *pid)
{
	struct iovec iov = { m, sizeof(*m) };
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do
		r = recvmsg(chan, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r == 0 ? 0 : -1;
	if (r != (ssize_t)sizeof(*m))
		return -1;
	/* With SO_PASSCRED every message carries its sender's credentials:
	 * only MSG_PID's are the program's. */
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    pid && m->type == MSG_PID) {
			struct ucred cr;

			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			*pid = cr.pid;
		}
	}
	return 1;
}

static int start_once(struct spawn *sp, int use_cgroup, struct error *e)
{
	struct child_plan pl;
	int in_fd = -1, in_child = -1, out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 };
	int rep_p[2] = { -1, -1 };
	char *path = NULL;
	struct cgroup *cg = NULL;
	struct sandbox *sb = NULL;
	enum sandbox_level level = sp->no_sandbox ? SANDBOX_NONE : sandbox_level_available();
	sigset_t all, old;
	struct child_report rep;
	ssize_t r;
	size_t got = 0;
	pid_t pid, prog_pid = 0;
	int pidfd = -1, in_v2 = 0, saved, failed = 0;
	struct rlimit nofile_now = { RLIM_INFINITY, RLIM_INFINITY };
	const char *what;

	memset(&pl, 0, sizeof(pl));
	pl.envp = sp->envp ? sp->envp : default_env;
	sp->t_start = now_seconds();

	path = resolve_path(sp->argv[0], pl.envp);
	if (!path) {
		/* Nothing to start: report it as exec would have. */
		sp->outcome = SPAWN_EXEC_FAILED;
		sp->exec_errno = ENOENT;
		sp->done = sp->ended = sp->reaped = 1;
		sp->t_end = now_seconds();
		sp->isolation = "none";
		return START_OK;
	}

	/* A user namespace cannot join a network namespace of the host's
	 * (setns needs CAP_SYS_ADMIN over it): such a run goes unsandboxed. */
	if (level == SANDBOX_USERNS && sp->netns_fd > 0)
		level = SANDBOX_NONE;
	if (level > SANDBOX_NONE) {
		struct sandbox_request rq;

		rq.path = path;
		rq.argv = sp->argv;
		rq.envp = pl.envp;
		rq.cwd = sp->cwd;
		rq.shm_dir = sp->shm_dir;
		rq.join_netns = sp->netns_fd > 0 || sp->host_net;
		sb = sandbox_prepare(level, &rq, e);
		if (!sb) {
			free(path);
			return -1;
		}
	}

	pl.pty_slave = -1;
	/* stdin: the parent keeps the write end of a pipe, or nothing. */
	what = "open stdin";
	if (sp->use_pty) {
		what = "open a pseudo-terminal";
		if (open_pty(&out_p[0], &pl.pty_slave) < 0)
			goto fault;
		in_child = pl.pty_slave;
		sp->pty_master = fd_high(fcntl(out_p[0], F_DUPFD_CLOEXEC, 3));
		if (sp->pty_master < 0)
			goto fault;
		/* the program, with its own uid, must open nothing of it but
		 * needs to own its terminal for tcsetattr() and the like */
		if (sandbox_uid(sb) >= 0 &&
		    fchown(pl.pty_slave, (uid_t)sandbox_uid(sb), (gid_t)-1) < 0)
			goto fault;
	} else if (sp->stdin_path) {
		in_child = fd_high(open(sp->stdin_path, O_RDONLY | O_CLOEXEC));
		if (in_child < 0) {
			saved = errno;
			free(path);
			sandbox_release(sb);
			return error_set(e, "cannot open stdin file %s: %s",
					 sp->stdin_path, strerror(saved));
		}
	} else if (sp->stdin_data) {
		int p[2];

		if (make_pipe(p, 1) < 0)
			goto fault;
		in_child = p[0];
		in_fd = p[1];
		if (sp->stdin_len == 0)
			close_fd(&in_fd);
	} else {
		in_child = fd_high(open("/dev/null", O_RDONLY | O_CLOEXEC));
		if (in_child < 0)
			goto fault;
	}
	what = "pipe";
	if (!sp->use_pty &&
	    (make_pipe(out_p, 0) < 0 ||
	     (!sp->merge_stderr && make_pipe(err_p, 0) < 0)))
		goto fault;
	if (sb) {
		/* the init's channel: messages, and the program's pid */
		int one = 1;

		what = "socketpair";
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rep_p) < 0)
			goto fault;
		rep_p[0] = fd_high(rep_p[0]);
		rep_p[1] = fd_high(rep_p[1]);
		if (rep_p[0] < 0 || rep_p[1] < 0 ||
		    setsockopt(rep_p[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
			goto fault;
	} else if (make_pipe(rep_p, -1) < 0) {
		goto fault;
	}

	if (use_cgroup)
		/* the init is one process more in the cgroup */
		cg = cgroup_create(sp->memory, sp->processes > 0 && sb ?
				   sp->processes + 1 : sp->processes);

	pl.path = path;
	pl.argv = sp->argv;
	pl.cwd = sp->cwd;
	pl.in_fd = in_child;
	pl.out_fd = sp->use_pty ? pl.pty_slave : out_p[1];
	pl.err_fd = sp->use_pty ? pl.pty_slave
				: sp->merge_stderr ? out_p[1] : err_p[1];
	pl.netns_fd = sp->netns_fd;
	pl.acct_path = sb ? sp->acct_path : NULL;
	pl.sb = sb;
	pl.chan = sb ? rep_p[1] : -1;
	pl.report_fd = sb ? -1 : rep_p[1];
	pl.cg = cg;
	pl.max_fd = 1024;
	if (getrlimit(RLIMIT_NOFILE, &nofile_now) == 0 &&
	    nofile_now.rlim_cur != RLIM_INFINITY)
		pl.max_fd = nofile_now.rlim_cur > 1048576 ? 1048576 : (int)nofile_now.rlim_cur;
	pl.dfl.sa_handler = SIG_DFL;
	sigemptyset(&pl.dfl.sa_mask);
	sigemptyset(&pl.no_signals);
	pl.core.rlim_cur = pl.core.rlim_max = 0;
	if (sp->open_files > 0) {
		pl.set_nofile = 1;
		pl.nofile.rlim_cur = pl.nofile.rlim_max = (rlim_t)sp->open_files;
		pl.nofile_soft = nofile_now;
		pl.nofile_soft.rlim_cur = (rlim_t)sp->open_files;
	}
	if (sp->cpu_s > 0 && (!cg || cgroup_cpu_seconds(cg) < 0)) {
		/* Per process, whole seconds: a backstop for descendants
		 * whose time is not accounted for without a cgroup. */
		pl.set_cpu = 1;
		pl.cpu.rlim_cur = (rlim_t)sp->cpu_s + 1;
		pl.cpu.rlim_max = pl.cpu.rlim_cur + 1;
	}
	if (sp->processes > 0 && sandbox_level(sb) == SANDBOX_ROOT) {
		/* the run's uid is its own: RLIMIT_NPROC counts the run */
		pl.set_nproc = 1;
		pl.nproc.rlim_cur = pl.nproc.rlim_max = (rlim_t)sp->processes;
	} else if (sp->processes > 0 && sandbox_level(sb) == SANDBOX_USERNS) {
		/* counted per user namespace (Linux >= 5.14): the run and
		 * its init */
		pl.set_nproc = 1;
		pl.nproc.rlim_cur = pl.nproc.rlim_max = (rlim_t)sp->processes + 1;
	} else if (sp->processes > 0 && !cgroup_pids_limited(cg) && getuid() != 0) {
		pl.set_nproc = 1;
		pl.nproc.rlim_cur = pl.nproc.rlim_max =
			(rlim_t)(count_user_tasks() + sp->processes);
	}

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_mutex_lock(&mains_lock);
	pid = fork_child(cg, sandbox_clone_flags(sb), &pidfd, &in_v2);
	if (pid == 0) {
		if (sb)
			init_run(&pl, in_v2);
		child_run(&pl, in_v2);
	}
	saved = errno;
	if (pid > 0)
		mains_add(pid);
	pthread_mutex_unlock(&mains_lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	close_fd(&in_child);
	close_fd(&out_p[1]);
	close_fd(&err_p[1]);
	close_fd(&rep_p[1]);
	if (cg)
		cgroup_started(cg);
	if (pid < 0 && sb && saved != EAGAIN && saved != ENOMEM) {
		/* namespaces refused here: one level less, and again */
		sandbox_failed(sandbox_level(sb), saved);
		failed = START_NO_SANDBOX;
		goto undo;
	}
	if (pid < 0) {
		errno = saved;
		what = "fork";
		goto fault;
	}
	pidfd = fd_high(pidfd);

	if (sb) {
		/* The init's word: the program's pid, then whether its exec
		 * worked; end of file means the init died first. */
		struct init_msg m;
		int k;

		rep.stage = STAGE_SANDBOX;
		rep.err = ECHILD;
		while ((k = chan_read(rep_p[0], &m, &prog_pid)) > 0) {
			if (m.type == MSG_ACCT)
				sp->acct_errno = m.value;
			if (m.type == MSG_EXEC_OK)
				break;
			if (m.type == MSG_FAIL) {
				rep.stage = m.stage;
				rep.err = m.value;
				got = sizeof(rep);
				break;
			}
		}
		if (k <= 0 || prog_pid <= 0)
			got = sizeof(rep);
		fcntl(rep_p[0], F_SETFL, O_NONBLOCK);
	} else {
		/* EOF: the exec happened. Anything else is the child's report. */
		while (got < sizeof(rep)) {
			r = read(rep_p[0], (char *)&rep + got, sizeof(rep) - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		close_fd(&rep_p[0]);
	}
	sp->pid = pid;
	sp->pidfd = pidfd;
	sp->isolation = sandbox_describe(sb, cg ? "cgroup" : "process-group+subreaper");
	if (got == sizeof(rep)) {
		if (sb) {
			/* the init exits once its child is reaped; make sure */
			if (pidfd >= 0)
				sys_pidfd_kill(pidfd, SIGKILL);
			else
				kill(pid, SIGKILL);
		}
		reap_main(sp);
		close_fd(&sp->pidfd);
		close_fd(&sp->pty_master);
		close_fd(&in_fd);
		close_fd(&out_p[0]);
		close_fd(&err_p[0]);
		close_fd(&rep_p[0]);
		cgroup_destroy(cg);
		free(path);
		sp->pid = 0;
		if (rep.stage == STAGE_CGROUP) {
			sandbox_release(sb);
			return START_NO_CGROUP;
		}
		if (rep.stage == STAGE_SANDBOX) {
			sandbox_failed(sandbox_level(sb), rep.err);
			sandbox_release(sb);
			return START_NO_SANDBOX;
		}
		sandbox_release(sb);
		sp->outcome = SPAWN_EXEC_FAILED;
		sp->exec_errno = rep.err;
		sp->done = sp->ended = 1;
		sp->t_end = now_seconds();
		return START_OK;
	}
	free(path);
	if (sb) {
		sp->init_pid = pid;
		sp->pid = prog_pid;
		sp->chan = rep_p[0];
		sp->sb = sb;
		sp->sandboxed = (int)sandbox_level(sb);
		sp->sandbox_uid = sandbox_uid(sb);
	}
	sp->fd_in = in_fd;
	sp->fd_out = out_p[0];
	sp->fd_err = err_p[0];
	sp->cg = cg;
	if (!cg && !sb) {
		struct pstat ps;

		if (pstat_read(pid, &ps) == 0)
			sp->start_ticks = ps.start;
	}
	sp->next_cpu_check = sp->t_start + (sp->cpu_s > 0 ? sp->cpu_s / cpu_count() : 0);
	sp->next_tick = sp->t_start;
	return START_OK;

fault:
	saved = errno;
	failed = START_FAULT;
undo:
	close_fd(&in_fd);
	close_fd(&in_child);
	close_fd(&out_p[0]);
	close_fd(&out_p[1]);
	close_fd(&err_p[0]);
	close_fd(&err_p[1]);
	close_fd(&rep_p[0]);
	close_fd(&rep_p[1]);
	close_fd(&sp->pty_master);
	cgroup_destroy(cg);
	sandbox_release(sb);
	free(path);
	if (failed == START_NO_SANDBOX)
		return START_NO_SANDBOX;
	return error_set(e, "cannot start %s: %s: %s", sp->argv[0], what,
			 strerror(saved));
}

/* Set by spawn_abort_all(): nothing new starts once the grader stops. */
static int aborting;

int spawn_start(struct spawn *sp, struct error *e)
{
	int r, attempt, use_cgroup = 1;

	if (__atomic_load_n(&aborting, __ATOMIC_SEQ_CST))
		return error_set(e, "the grader is stopping: %s not started",
				 sp->argv && sp->argv[0] ? sp->argv[0] : "program");
	if (!sp->argv || !sp->argv[0])
		return error_set(e, "spawn: no program to run");
	if (sp->stdin_path && sp->stdin_data)
		return error_set(e, "spawn: both stdin_path and stdin_data given");
	spawn_setup_process();

	sp->outcome = SPAWN_EXITED;
	sp->exit_code = sp->term_signal = sp->exec_errno = 0;
	sp->wall_used = sp->cpu_used = 0;
	sp->peak_memory = 0;
	sp->leftover = 0;
	sp->nipc_left = 0;
	sp->acct_errno = 0;
	sp->memory_enforced = 0;
	sp->pid = 0;
	sp->init_pid = 0;
	sp->status_known = 0;
	sp->sandboxed = 0;
	sp->sandbox_uid = -1;
	sp->in_off = 0;
	sp->done = sp->ended = sp->reaped = sp->tree_killed = 0;
	sp->status = 0;
	sp->limit = -1;
	sp->t_end = 0;
	sp->rusage_cpu = 0;
	sp->cpu_seen = 0;
	sp->rusage_maxrss = 0;
	sp->start_ticks = 0;
	sp->before_kill_done = 0;
	buf_reset(&sp->out);
	buf_reset(&sp->err);
	sp->out.limit = sp->err.limit =
		sp->output > 0 ? (size_t)sp->output : BUF_DEFAULT_LIMIT;

	/* each refusal lowers the cgroup or the sandbox level: bounded */
	for (attempt = 0; attempt < 8; attempt++) {
		r = start_once(sp, use_cgroup, e);
		if (r == START_NO_CGROUP)
			use_cgroup = 0;
		else if (r != START_NO_SANDBOX)
			break;
	}
	return r == START_OK ? 0 : -1;
}

/* ---- killing the tree ---- */

/* A process of the run being killed: to count once, and to wait for. */
struct victim {
	pid_t pid;
	unsigned long long start;  /* from /proc, tells a reused pid apart */
	int fd;                    /* pidfd, or -1: poll /proc instead */
};

/* Adds pid to *v unless it is there already; returns its index, or -1 when
 * it is not (or no longer) a live process. */
static long victim_add(struct victim **v, size_t *n, pid_t pid)
{
	struct pstat ps;
	size_t i;

	if (pstat_read(pid, &ps) < 0 || ps.state == 'Z' || ps.state == 'X')
		return -1;
	for (i = 0; i < *n; i++)
		if ((*v)[i].pid == pid && (*v)[i].start == ps.start)
			return (long)i;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].pid = pid;
	(*v)[*n].start = ps.start;
	/* Descriptors are bounded: beyond MAX_WAITED, /proc is polled. */
	(*v)[*n].fd = *n < MAX_WAITED ? sys_pidfd_open(pid) : -1;
	return (long)(*n)++;
}

/* SIGKILLs a victim through its pidfd once the pid is checked to still name
 * it (same start time); plain kill() without pidfds. */
static void victim_kill(struct victim *v)
{
	struct pstat ps;

	if (v->fd < 0) {
		kill(v->pid, SIGKILL);
		return;
	}
	if (pstat_read(v->pid, &ps) == 0 && ps.start == v->start)
		sys_pidfd_kill(v->fd, SIGKILL);
}

/* Has the victim ended (a zombie, gone, or its pid reused)? */
static int victim_ended(const struct victim *v)
{
	struct pstat ps;

	if (v->fd >= 0) {
		struct pollfd p = { .fd = v->fd, .events = POLLIN };

		return poll(&p, 1, 0) > 0;
	}
	return pstat_read(v->pid, &ps) < 0 || ps.start != v->start ||
	       ps.state == 'Z' || ps.state == 'X';
}

/* Waits (bounded) until every victim from `from` on has ended -- and so
 * has had its children reparented to us -- then closes their pidfds. */
static void victims_wait(struct victim *v, size_t from, size_t n, double until)
{
	size_t i;

	for (i = from; i < n; i++) {
		while (!victim_ended(&v[i]) && now_seconds() < until) {
			if (v[i].fd >= 0) {
				struct pollfd p = { .fd = v[i].fd, .events = POLLIN };
				double left = until - now_seconds();

				if (poll(&p, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
					break;
			} else {
				nap(500);
			}
		}
		if (v[i].fd >= 0)
			close(v[i].fd);
		v[i].fd = -1;
	}
}

/* One pass over /proc: SIGKILLs every live process of the run (same
 * process group or session as the main one, or an orphan adopted by us
 * since the run began) and adds it to *v. Returns how many were found. */
static int fallback_pass(struct spawn *sp, struct victim **v, size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();
	int found = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct pstat ps;
		pid_t pid;
		long i;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (pid == sp->pid || pstat_read(pid, &ps) < 0)
			continue;
		if (ps.state == 'Z' || ps.state == 'X' || ps.start < sp->start_ticks)
			continue;
		if (ps.pgrp != sp->pid && ps.sid != sp->pid &&
		    !(ps.ppid == self && !is_main_pid(pid)))
			continue;
		i = victim_add(v, n, pid);
		if (i < 0)
			continue;
		found++;
		victim_kill(&(*v)[i]);
	}
	closedir(d);
	return found;
}

static void mark_ended(struct spawn *sp)
{
	if (!sp->ended) {
		sp->ended = 1;
		sp->t_end = now_seconds();
	}
}

/* Has the main process ended? Waits up to `seconds`. */
static int main_ended(struct spawn *sp, double seconds)
{
	siginfo_t si;

	if (sp->ended)
		return 1;
	if (sp->init_pid > 0) {
		/* the init's word, or its death (which ends everything) */
		struct pollfd p[2] = { { .fd = sp->chan, .events = POLLIN },
				       { .fd = sp->pidfd, .events = POLLIN } };
		int r;

		chan_poll(sp);
		if (sp->ended)
			return 1;
		do
			r = poll(p, 2, (int)(seconds * 1000));
		while (r < 0 && errno == EINTR);
		chan_poll(sp);
		if (r > 0 && p[1].revents)
			mark_ended(sp);
		return sp->ended;
	}
	if (sp->pidfd >= 0) {
		struct pollfd p = { .fd = sp->pidfd, .events = POLLIN };
		int r;

		do
			r = poll(&p, 1, (int)(seconds * 1000));
		while (r < 0 && errno == EINTR);
		if (r > 0)
			mark_ended(sp);
		return sp->ended;
	}
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)sp->pid, &si,
			   WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 && si.si_pid == sp->pid) {
			mark_ended(sp);
			return 1;
		}
		if (seconds <= 0)
			return 0;
		nap(1000);
		seconds -= 0.001;
	}
}

static int fallback_kill(struct spawn *sp)
{
	struct victim *v = NULL;
	size_t n = 0, waited = 0;
	double give_up = now_seconds() + KILL_PATIENCE_S;
	int rc = -1;

	if (!sp->ended) {
		if (sp->pidfd >= 0)
			sys_pidfd_kill(sp->pidfd, SIGKILL);
		else
			kill(sp->pid, SIGKILL);
	} else if (is_subreaper && adopted_alive() == 0) {
		/* The common case, made cheap: when the main process ended,
		 * its children were reparented to us, so every live process
		 * of the run is one of our adopted children or below one.
		 * There are none: nothing to scan /proc for. */
		return 0;
	}
	while (now_seconds() < give_up) {
		int found, ended_before = main_ended(sp, 0);

		/* Found (and counted) first, then the group once more for
		 * what forked meanwhile. The main process is unreaped, so its
		 * pid (the group's id) cannot have been reused. Whatever was
		 * killed is waited for before looking again, as its children
		 * come to us only once it has ended. A pass proves the run
		 * empty only if it began after the main process had ended:
		 * a child that left the group (setsid) is reparented to us at
		 * that moment, and an earlier pass cannot have seen it. */
		found = fallback_pass(sp, &v, &n);
		killpg(sp->pid, SIGKILL);
		victims_wait(v, waited, n, give_up);
		waited = n;
		if (!main_ended(sp, found ? 0 : 0.05))
			continue;
		if (!found && ended_before) {
			rc = 0;
			break;
		}
	}
	victims_wait(v, waited, n, 0);
	sp->leftover += (int)n;
	free(v);
	return rc;
}

/* The live processes of a sandboxed run: every descendant of its init (an
 * orphan of the namespace is reparented to the init, or to a subreaper
 * below it), the init left out. Returns the count; *out is the caller's. */
static int init_descendants(pid_t init, pid_t **out)
{
	pid_t *v = NULL;
	size_t n = 0, cap = 0, next = 0;
	pid_t cur = init;

	for (;;) {
		char path[64];
		DIR *d;
		struct dirent *de;

		snprintf(path, sizeof(path), "/proc/%ld/task", (long)cur);
		d = opendir(path);
		while (d && (de = readdir(d)) != NULL) {
			char cp[300], text[4096], *p, *end;
			ssize_t r;
			int fd;

			if (de->d_name[0] == '.')
				continue;
			snprintf(cp, sizeof(cp), "/proc/%ld/task/%s/children",
				 (long)cur, de->d_name);
			fd = open(cp, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			do
				r = read(fd, text, sizeof(text) - 1);
			while (r < 0 && errno == EINTR);
			close(fd);
			if (r <= 0)
				continue;
			text[r] = '\0';
			for (p = text; *p; p = end) {
				long pid = strtol(p, &end, 10);

				if (end == p)
					break;
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					v = xrealloc(v, cap * sizeof(*v));
				}
				v[n++] = (pid_t)pid;
			}
		}
		if (d)
			closedir(d);
		/* breadth first; bounded by what a pids limit allows */
		if (next >= n || n > 65536)
			break;
		cur = v[next++];
	}
	*out = v;
	return (int)n;
}

/* Sandboxed: counts the live processes but the program as leftover, then
 * kills the init, which kills the whole pid namespace (the kernel's
 * doing: nothing escapes it). */
static int init_kill(struct spawn *sp)
{
	pid_t *pids = NULL;
	int n, i, rc = 0;

	n = sp->cg ? cgroup_list(sp->cg, &pids) : init_descendants(sp->init_pid, &pids);
	for (i = 0; i < n; i++)
		if (pids[i] != sp->init_pid && pids[i] != sp->pid)
			sp->leftover++;
	free(pids);
	if (sp->pidfd >= 0)
		sys_pidfd_kill(sp->pidfd, SIGKILL);
	else
		kill(sp->init_pid, SIGKILL);
	if (sp->cg)
		rc = cgroup_kill(sp->cg);
	if (sp->pidfd >= 0) {
		struct pollfd p = { .fd = sp->pidfd, .events = POLLIN };

		while (poll(&p, 1, (int)(KILL_PATIENCE_S * 1000)) < 0 && errno == EINTR)
			;
	}
	chan_poll(sp);
	mark_ended(sp);
	return rc;
}

/* Kills everything of the run that is still alive, counting all but the
 * main process as leftover. Once per run. */
static int tree_kill(struct spawn *sp)
{
	int rc = 0;

	if (sp->tree_killed || sp->pid <= 0 || sp->reaped)
		return 0;
	sp->tree_killed = 1;
	if (sp->init_pid > 0) {
		return init_kill(sp);
	} else if (sp->cg) {
		pid_t *pids;
		int n = cgroup_list(sp->cg, &pids), i;
		struct victim *v = NULL;
		size_t nv = 0;

		/* Noted before the kill, to wait until each has really ended
		 * (the cgroup is empty a little earlier), so that the ones we
		 * adopted can be reaped before we return. */
		for (i = 0; i < n; i++) {
			if (pids[i] == sp->pid)
				continue;
			sp->leftover++;
			victim_add(&v, &nv, pids[i]);
		}
		free(pids);
		if (n != 0 || !sp->ended)
			rc = cgroup_kill(sp->cg);
		/* Belt and braces: the group, should the cgroup have been
		 * left (by a privileged program). */
		killpg(sp->pid, SIGKILL);
		victims_wait(v, 0, nv, now_seconds() + KILL_PATIENCE_S);
		free(v);
	} else {
		rc = fallback_kill(sp);
	}
	main_ended(sp, KILL_PATIENCE_S);
	return rc;
}

static void limit_hit(struct spawn *sp, enum spawn_outcome why)
{
	if ((why == SPAWN_TIMEOUT || why == SPAWN_CPU_LIMIT) && sp->before_kill &&
	    !sp->before_kill_done && !sp->ended) {
		sp->before_kill_done = 1;
		sp->before_kill(sp, why, sp->before_kill_arg);
	}
	if (sp->limit < 0)
		sp->limit = (int)why;
	sp->done = 1;
	tree_kill(sp);
}

/* ---- pumping ---- */

static void read_stream(struct spawn *sp, int *fd, struct buf *b)
{
	char chunk[CHUNK];
	int rounds;

	/* A few chunks per wake-up, so one stream cannot starve the rest. */
	for (rounds = 0; rounds < 16 && *fd >= 0; rounds++) {
		ssize_t r = read(*fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		/* a pseudo-terminal's master reads EIO once every slave
		 * descriptor is closed: its end of file */
		if (r <= 0) {
			close_fd(fd);
			return;
		}
		if (buf_add(b, chunk, (size_t)r) < (size_t)r && sp->limit < 0 &&
		    !sp->tree_killed)
			limit_hit(sp, SPAWN_OUTPUT_LIMIT);
	}
}

static void feed_stdin(struct spawn *sp)
{
	while (sp->fd_in >= 0 && sp->in_off < sp->stdin_len) {
		size_t n = sp->stdin_len - sp->in_off;
		ssize_t r;

		if (n > CHUNK)
			n = CHUNK;
		r = write_nosigpipe(sp->fd_in, sp->stdin_data + sp->in_off, n);
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			/* EPIPE: the program closed its stdin or ended;
			 * what it did not read is its business. */
			close_fd(&sp->fd_in);
			return;
		}
		sp->in_off += (size_t)r;
	}
	close_fd(&sp->fd_in);
}

static double cpu_now(struct spawn *sp)
{
	struct pstat ps;

	if (sp->cg) {
		double v = cgroup_cpu_seconds(sp->cg);

		if (v >= 0)
			return v;
	}
	if (pstat_read(sp->pid, &ps) == 0) {
		double v = (double)ps.cpu_ticks / (double)clock_ticks();

		if (v > sp->cpu_seen)
			sp->cpu_seen = v;
		return v;
	}
	return 0;
}

static void check_limits(struct spawn *sp, double now)
{
	if (sp->done)
		return;
	if (sp->wall_s > 0 && now - sp->t_start >= sp->wall_s) {
		limit_hit(sp, SPAWN_TIMEOUT);
		return;
	}
	if (sp->cpu_s > 0 && now >= sp->next_cpu_check) {
		double used = cpu_now(sp), wait;

		if (used >= sp->cpu_s) {
			limit_hit(sp, SPAWN_CPU_LIMIT);
			return;
		}
		/* The soonest the tree could reach the limit. */
		wait = (sp->cpu_s - used) / cpu_count();
		sp->next_cpu_check = now + (wait < 0.002 ? 0.002 : wait);
	}
}

int spawn_pump(struct spawn *sp, double timeout_s)
{
	double deadline = timeout_s < 0 ? -1 : now_seconds() + timeout_s;

	for (;;) {
		struct pollfd pfd[4];
		int n = 0, i_pid = -1, i_out = -1, i_err = -1, i_in = -1, r;
		double now = now_seconds(), wait = 3600;
		struct timespec ts;

		check_limits(sp, now);
		if (sp->done)
			return 1;
		if (sp->on_tick && now >= sp->next_tick) {
			sp->on_tick(sp, sp->tick_arg);
			sp->next_tick = now + (sp->tick_s > 0 ? sp->tick_s : 0.02);
		}
		if (deadline >= 0)
			wait = deadline - now;
		if (sp->on_tick && sp->next_tick - now < wait)
			wait = sp->next_tick - now;
		if (sp->wall_s > 0 && sp->t_start + sp->wall_s - now < wait)
			wait = sp->t_start + sp->wall_s - now;
		if (sp->cpu_s > 0 && sp->next_cpu_check - now < wait)
			wait = sp->next_cpu_check - now;
		if (sp->pidfd < 0 && sp->init_pid <= 0 && wait > 0.005)
			wait = 0.005;   /* no pidfd (old kernel): look now and then */
		if (wait < 0)
			wait = 0;

		if (sp->init_pid > 0 && sp->chan >= 0) {
			/* the init says when the program ends */
			i_pid = n;
			pfd[n++] = (struct pollfd){ .fd = sp->chan, .events = POLLIN };
		} else if (sp->pidfd >= 0 && sp->init_pid <= 0) {
			i_pid = n;
			pfd[n++] = (struct pollfd){ .fd = sp->pidfd, .events = POLLIN };
		}
		if (sp->fd_out >= 0) {
			i_out = n;
			pfd[n++] = (struct pollfd){ .fd = sp->fd_out, .events = POLLIN };
		}
		if (sp->fd_err >= 0) {
			i_err = n;
			pfd[n++] = (struct pollfd){ .fd = sp->fd_err, .events = POLLIN };
		}
		if (sp->fd_in >= 0) {
			i_in = n;
			pfd[n++] = (struct pollfd){ .fd = sp->fd_in, .events = POLLOUT };
		}
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		r = ppoll(pfd, (nfds_t)n, &ts, NULL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (i_out >= 0 && pfd[i_out].revents)
			read_stream(sp, &sp->fd_out, &sp->out);
		if (i_err >= 0 && pfd[i_err].revents && !sp->done)
			read_stream(sp, &sp->fd_err, &sp->err);
		if (i_in >= 0 && pfd[i_in].revents && !sp->done)
			feed_stdin(sp);
		if (sp->init_pid > 0) {
			if ((i_pid >= 0 && pfd[i_pid].revents) || sp->chan < 0)
				main_ended(sp, 0);
			if (sp->ended)
				sp->done = 1;
		} else if ((i_pid >= 0 && pfd[i_pid].revents) ||
			   (sp->pidfd < 0 && main_ended(sp, 0))) {
			mark_ended(sp);
			sp->done = 1;
		}
		if (sp->done)
			return 1;
		if (deadline >= 0 && now_seconds() >= deadline)
			return 0;
	}
}

/* ---- finishing ---- */

/* Reads the pipes to EOF once nothing of the run can write any more. */
static void drain(struct spawn *sp)
{
	double give_up = now_seconds() + DRAIN_PATIENCE_S;

	close_fd(&sp->fd_in);
	while (sp->fd_out >= 0 || sp->fd_err >= 0) {
		struct pollfd pfd[2];
		int n = 0, r;
		double left = give_up - now_seconds();

		if (left <= 0)
			break;
		if (sp->fd_out >= 0)
			pfd[n++] = (struct pollfd){ .fd = sp->fd_out, .events = POLLIN };
		if (sp->fd_err >= 0)
			pfd[n++] = (struct pollfd){ .fd = sp->fd_err, .events = POLLIN };
		r = poll(pfd, (nfds_t)n, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (sp->fd_out >= 0)
			read_stream(sp, &sp->fd_out, &sp->out);
		if (sp->fd_err >= 0)
			read_stream(sp, &sp->fd_err, &sp->err);
	}
	close_fd(&sp->fd_out);
	close_fd(&sp->fd_err);
}

static void set_outcome(struct spawn *sp, long long oom_kills)
{
	int st = sp->status;

	sp->exit_code = -1;
	sp->term_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	if (sp->limit >= 0) {
		sp->outcome = (enum spawn_outcome)sp->limit;
	} else if (oom_kills > 0) {
		sp->outcome = SPAWN_MEMORY_LIMIT;
	} else if (WIFSIGNALED(st)) {
		sp->outcome = WTERMSIG(st) == SIGXCPU && sp->cpu_s > 0 ?
			SPAWN_CPU_LIMIT : SPAWN_SIGNALED;
	} else {
		sp->outcome = SPAWN_EXITED;
		sp->exit_code = WEXITSTATUS(st);
	}
	if ((sp->outcome == SPAWN_EXITED || sp->outcome == SPAWN_SIGNALED) &&
	    (sp->out.truncated || sp->err.truncated))
		sp->outcome = SPAWN_OUTPUT_LIMIT;
}

int spawn_finish(struct spawn *sp)
{
	long long oom = -1, peak = -1;
	double cpu = -1;
	int rc, mem_enforced = 0;

	if (sp->pid <= 0) {
		/* Never started, or the exec failed (outcome already set). */
		sp->wall_used = sp->t_end > sp->t_start ? sp->t_end - sp->t_start : 0;
		return 0;
	}
	if (sp->reaped)
		return 0;
	/* the observer's last look, before anything is killed */
	if (sp->on_tick)
		sp->on_tick(sp, sp->tick_arg);
	if (!sp->cg && sp->init_pid > 0 && !sp->ended)
		cpu_now(sp); /* the last look at the program's CPU time */
	rc = tree_kill(sp);
	mark_ended(sp);
	reap_main(sp);
	drain(sp);
	if (sp->cg) {
		cpu = cgroup_cpu_seconds(sp->cg);
		peak = cgroup_memory_peak(sp->cg);
		oom = cgroup_oom_kills(sp->cg);
		mem_enforced = cgroup_memory_limited(sp->cg);
		cgroup_destroy(sp->cg);
		sp->cg = NULL;
	}
	reap_orphans();
	close_fd(&sp->pidfd);
	close_fd(&sp->chan);
	close_fd(&sp->pty_master);
	/* the uid slot and the lent directories, now that nothing runs */
	sandbox_release(sp->sb);
	sp->sb = NULL;
	sp->done = 1;
	sp->wall_used = sp->t_end - sp->t_start;
	sp->cpu_used = cpu >= 0 ? cpu : sp->rusage_cpu > sp->cpu_seen ? sp->rusage_cpu
									 : sp->cpu_seen;
	sp->memory_enforced = sp->memory > 0 && mem_enforced;
	sp->peak_memory = peak >= 0 ? peak : sp->rusage_maxrss;
	set_outcome(sp, oom);
	return rc;
}

int spawn_run(struct spawn *sp, struct error *e)
{
	int r;

	if (spawn_start(sp, e) < 0)
		return -1;
	do
		r = spawn_pump(sp, -1);
	while (r == 0);
	if (r < 0) {
		int saved = errno;

		spawn_finish(sp);
		return error_set(e, "spawn: waiting for %s: %s", sp->argv[0],
				 strerror(saved));
	}
	spawn_finish(sp);
	return 0;
}

int spawn_signal(struct spawn *sp, int sig)
{
	if (sp->pid <= 0 || sp->reaped) {
		errno = ESRCH;
		return -1;
	}
	return killpg(sp->pid, sig);
}

int spawn_pty_write(struct spawn *sp, const void *data, size_t len)
{
	const char *p = data;

	if (sp->pty_master < 0) {
		errno = EIO;
		return -1;
	}
	while (len > 0) {
		ssize_t w = write(sp->pty_master, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = sp->pty_master, .events = POLLOUT };

			poll(&pfd, 1, 100);
			continue;
		}
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int spawn_pids(struct spawn *sp, pid_t **out)
{
	DIR *d;
	struct dirent *de;
	pid_t self = getpid(), *v = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (sp->pid <= 0 || sp->reaped)
		return 0;
	if (sp->init_pid > 0) {
		/* host pids, the init left out */
		int k = sp->cg ? cgroup_list(sp->cg, out)
			       : init_descendants(sp->init_pid, out), i, m = 0;

		for (i = 0; i < k; i++)
			if ((*out)[i] != sp->init_pid)
				(*out)[m++] = (*out)[i];
		return k < 0 ? k : m;
	}
	if (sp->cg) {
		int k = cgroup_list(sp->cg, out), i;

		/* cgroup.procs is not ordered: the main process first */
		for (i = 1; i < k; i++)
			if ((*out)[i] == sp->pid) {
				(*out)[i] = (*out)[0];
				(*out)[0] = sp->pid;
			}
		if (k >= 0)
			return k;
	}
	if (!(d = opendir("/proc")))
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct pstat ps;
		pid_t pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (pstat_read(pid, &ps) < 0 || ps.state == 'Z' || ps.state == 'X')
			continue;
		if (pid == sp->pid)
			continue; /* put first below */
		if ((ps.start < sp->start_ticks ||
		     (ps.pgrp != sp->pid && ps.sid != sp->pid &&
		      !(ps.ppid == self && !is_main_pid(pid)))))
			continue;
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		if (!n)
			v[n++] = sp->pid;
		v[n++] = pid;
	}
	closedir(d);
	if (!n) {
		v = xrealloc(v, sizeof(*v));
		v[n++] = sp->pid;
	}
	*out = v;
	return (int)n;
}

int spawn_kill_pid(struct spawn *sp, pid_t pid, int sig)
{
	pid_t *pids;
	int n = spawn_pids(sp, &pids), i, found = 0;

	for (i = 0; i < n; i++)
		found |= pids[i] == pid;
	free(pids);
	if (!found) {
		errno = ESRCH;
		return -1;
	}
	return kill(pid, sig);
}

/* Children of this process, and processes of the runs in progress (their
 * process group or session), into *out; returns the count. */
static size_t abort_targets(pid_t **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid(), *v = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct pstat ps;
		pid_t pid;
		int mine;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (pid == self || pstat_read(pid, &ps) < 0 || ps.state == 'Z' ||
		    ps.state == 'X')
			continue;
		mine = ps.ppid == self;
		if (!mine) {
			pthread_mutex_lock(&mains_lock);
			mine = mains_has(ps.pgrp) || mains_has(ps.sid);
			pthread_mutex_unlock(&mains_lock);
		}
		if (!mine)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = pid;
	}
	closedir(d);
	*out = v;
	return n;
}

void spawn_abort_all(double grace_s)
{
	double until = now_seconds() + grace_s;
	pid_t *v;
	size_t n, i;
	int rounds;

	__atomic_store_n(&aborting, 1, __ATOMIC_SEQ_CST);
	n = abort_targets(&v);
	for (i = 0; i < n; i++)
		kill(v[i], SIGTERM);
	free(v);
	while (now_seconds() < until) {
		reap_orphans();
		n = abort_targets(&v);
		free(v);
		if (!n)
			return;
		nap(20000);
	}
	/* a pass that finds nothing, begun after everything found before
	 * was killed and waited for, proves the tree empty (see
	 * fallback_kill) */
	for (rounds = 0; rounds < 50; rounds++) {
		n = abort_targets(&v);
		for (i = 0; i < n; i++)
			kill(v[i], SIGKILL);
		free(v);
		nap(20000);
		reap_orphans();
		if (!n)
			break;
	}
}

/* The innermost pid of NSpid in /proc/PID/status (the pid the process
 * sees as its own), or -1. */
static pid_t inner_pid(pid_t pid)
{
	char path[64], text[4096], *l;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		r = read(fd, text, sizeof(text) - 1);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r <= 0)
		return -1;
	text[r] = '\0';
	if (!(l = strstr(text, "\nNSpid:")))
		return pid;
	l += 7;
	for (;;) {
		char *end;
		long v = strtol(l, &end, 10);

		if (end == l)
			return -1;
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end == '\n' || !*end)
			return (pid_t)v;
		l = end;
	}
}

pid_t spawn_host_pid(struct spawn *sp, pid_t seen)
{
	pid_t *pids, found = -1;
	int n = spawn_pids(sp, &pids), i;

	for (i = 0; i < n && found < 0; i++)
		if (inner_pid(pids[i]) == seen)
			found = pids[i];
	free(pids);
	return found;
}
