/*
 * stacks.c - the threads of a hung run: /proc samples, gdb backtraces, what
 * each thread waits in and where in the student's code, and the kind of
 * hang. See stacks.h for the rules; the order of the work is:
 *
 *   sample /proc (states, CPU ticks) -> wait sample_s -> sample again, and
 *   read each thread's system call and wchan -> run gdb on each process
 *   (it stops the threads, hence after the sample) -> name each thread's
 *   wait from its frames, else from its system call -> look at the
 *   descriptors of blocked reads and writes -> classify -> summary.
 *
 * Everything read here -- /proc of a hostile program, gdb's output about it
 * -- is untrusted text: every line and count is bounded.
 */
#define _GNU_SOURCE
#include "stacks.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"
#include "util.h"

#define MAX_THREADS 4096      /* per process */
#define MAX_FRAMES 64         /* per thread */
#define MAX_FDS 1024          /* descriptors looked at per process */
#define LINE_MAX_BYTES 2048   /* longer gdb lines are cut */
#define SUMMARY_THREADS 16    /* threads described in the summary */
#define GDB_OUTPUT_CAP (4 << 20)

#define FUTEX_CMD(op) ((op) & ~0x180UL) /* without PRIVATE, CLOCK_REALTIME */

/* ---- names ---- */

const char *stacks_verdict_name(enum stacks_verdict v)
{
	switch (v) {
	case STACKS_DEADLOCK: return "deadlock";
	case STACKS_BUSY_LOOP: return "busy-loop";
	case STACKS_WAITING_FOR_INPUT: return "waiting-for-input";
	case STACKS_SLEEPING: return "sleeping";
	case STACKS_UNKNOWN: break;
	}
	return "unknown";
}

const char *stacks_wait_name(enum stacks_wait w)
{
	static const char *const names[] = {
		[STACKS_WAIT_NONE] = "none",
		[STACKS_WAIT_MUTEX] = "mutex",
		[STACKS_WAIT_COND] = "condition variable",
		[STACKS_WAIT_SEM] = "semaphore",
		[STACKS_WAIT_JOIN] = "thread join",
		[STACKS_WAIT_FUTEX] = "futex",
		[STACKS_WAIT_READ] = "read",
		[STACKS_WAIT_WRITE] = "write",
		[STACKS_WAIT_SLEEP] = "sleep",
		[STACKS_WAIT_CHILD] = "child process",
		[STACKS_WAIT_POLL] = "poll",
		[STACKS_WAIT_SIGNAL] = "signal",
		[STACKS_WAIT_LOCK] = "file lock",
		[STACKS_WAIT_OTHER] = "system call",
	};

	if ((unsigned)w < sizeof(names) / sizeof(names[0]) && names[w])
		return names[w];
	return "unknown";
}

void stacks_options_init(struct stacks_options *o)
{
	memset(o, 0, sizeof(*o));
	o->use_gdb = 1;
	o->gdb_timeout_s = 10;
	o->max_gdb = 8;
	o->sample_s = 0.2;
	o->gdb = "gdb";
}

/* ---- the functions a thread can wait in ---- */

/* A library function, by its public name or one of glibc's internal
 * names, with the public name a student would recognise. */
struct waitfn {
	const char *name;   /* as normalised by normalise() */
	const char *call;   /* the public name */
	enum stacks_wait wait;
	int timed;
};

static const struct waitfn waitfns[] = {
	/* pthreads, public */
	{ "pthread_mutex_lock", "pthread_mutex_lock", STACKS_WAIT_MUTEX, 0 },
	{ "pthread_mutex_timedlock", "pthread_mutex_timedlock", STACKS_WAIT_MUTEX, 1 },
	{ "pthread_mutex_clocklock", "pthread_mutex_clocklock", STACKS_WAIT_MUTEX, 1 },
	{ "pthread_rwlock_rdlock", "pthread_rwlock_rdlock", STACKS_WAIT_MUTEX, 0 },
	{ "pthread_rwlock_wrlock", "pthread_rwlock_wrlock", STACKS_WAIT_MUTEX, 0 },
	{ "pthread_rwlock_timedrdlock", "pthread_rwlock_timedrdlock", STACKS_WAIT_MUTEX, 1 },
	{ "pthread_rwlock_timedwrlock", "pthread_rwlock_timedwrlock", STACKS_WAIT_MUTEX, 1 },
	{ "pthread_cond_wait", "pthread_cond_wait", STACKS_WAIT_COND, 0 },
	{ "pthread_cond_timedwait", "pthread_cond_timedwait", STACKS_WAIT_COND, 1 },
	{ "pthread_cond_clockwait", "pthread_cond_clockwait", STACKS_WAIT_COND, 1 },
	{ "pthread_barrier_wait", "pthread_barrier_wait", STACKS_WAIT_FUTEX, 0 },
	{ "pthread_join", "pthread_join", STACKS_WAIT_JOIN, 0 },
	{ "pthread_timedjoin_np", "pthread_timedjoin_np", STACKS_WAIT_JOIN, 1 },
	{ "pthread_clockjoin_np", "pthread_clockjoin_np", STACKS_WAIT_JOIN, 1 },
	{ "sem_wait", "sem_wait", STACKS_WAIT_SEM, 0 },
	{ "sem_timedwait", "sem_timedwait", STACKS_WAIT_SEM, 1 },
	{ "sem_clockwait", "sem_clockwait", STACKS_WAIT_SEM, 1 },
	/* pthreads, glibc's internal names (when the public frame is
	 * inlined away or has no symbol) */
	{ "lll_lock_wait", "pthread_mutex_lock", STACKS_WAIT_MUTEX, 0 },
	{ "lll_lock_wait_private", "pthread_mutex_lock", STACKS_WAIT_MUTEX, 0 },
	{ "lll_mutex_lock_optimized", "pthread_mutex_lock", STACKS_WAIT_MUTEX, 0 },
	{ "pthread_mutex_lock_full", "pthread_mutex_lock", STACKS_WAIT_MUTEX, 0 },
	{ "pthread_cond_wait_common", "pthread_cond_wait", STACKS_WAIT_COND, 0 },
	{ "pthread_clockjoin_ex", "pthread_join", STACKS_WAIT_JOIN, 0 },
	{ "sem_wait_slow", "sem_wait", STACKS_WAIT_SEM, 0 },
	{ "do_futex_wait", "sem_wait", STACKS_WAIT_SEM, 0 },
	/* I/O */
	{ "read", "read", STACKS_WAIT_READ, 0 },
	{ "pread", "pread", STACKS_WAIT_READ, 0 },
	{ "readv", "readv", STACKS_WAIT_READ, 0 },
	{ "recv", "recv", STACKS_WAIT_READ, 0 },
	{ "recvfrom", "recvfrom", STACKS_WAIT_READ, 0 },
	{ "recvmsg", "recvmsg", STACKS_WAIT_READ, 0 },
	{ "accept", "accept", STACKS_WAIT_READ, 0 },
	{ "accept4", "accept4", STACKS_WAIT_READ, 0 },
	{ "msgrcv", "msgrcv", STACKS_WAIT_READ, 0 },
	{ "mq_receive", "mq_receive", STACKS_WAIT_READ, 0 },
	{ "mq_timedreceive", "mq_timedreceive", STACKS_WAIT_READ, 1 },
	{ "fgets", "fgets", STACKS_WAIT_READ, 0 },
	{ "fread", "fread", STACKS_WAIT_READ, 0 },
	{ "getline", "getline", STACKS_WAIT_READ, 0 },
	{ "getdelim", "getline", STACKS_WAIT_READ, 0 },
	{ "getchar", "getchar", STACKS_WAIT_READ, 0 },
	{ "getc", "getc", STACKS_WAIT_READ, 0 },
	{ "fgetc", "fgetc", STACKS_WAIT_READ, 0 },
	{ "scanf", "scanf", STACKS_WAIT_READ, 0 },
	{ "fscanf", "fscanf", STACKS_WAIT_READ, 0 },
	{ "write", "write", STACKS_WAIT_WRITE, 0 },
	{ "pwrite", "pwrite", STACKS_WAIT_WRITE, 0 },
	{ "writev", "writev", STACKS_WAIT_WRITE, 0 },
	{ "send", "send", STACKS_WAIT_WRITE, 0 },
	{ "sendto", "sendto", STACKS_WAIT_WRITE, 0 },
	{ "sendmsg", "sendmsg", STACKS_WAIT_WRITE, 0 },
	{ "msgsnd", "msgsnd", STACKS_WAIT_WRITE, 0 },
	{ "mq_send", "mq_send", STACKS_WAIT_WRITE, 0 },
	{ "mq_timedsend", "mq_timedsend", STACKS_WAIT_WRITE, 1 },
	{ "fwrite", "fwrite", STACKS_WAIT_WRITE, 0 },
	{ "fputs", "fputs", STACKS_WAIT_WRITE, 0 },
	{ "fflush", "fflush", STACKS_WAIT_WRITE, 0 },
	{ "printf", "printf", STACKS_WAIT_WRITE, 0 },
	{ "fprintf", "fprintf", STACKS_WAIT_WRITE, 0 },
	{ "puts", "puts", STACKS_WAIT_WRITE, 0 },
	{ "connect", "connect", STACKS_WAIT_OTHER, 0 },
	{ "open", "open", STACKS_WAIT_OTHER, 0 },
	{ "open64", "open", STACKS_WAIT_OTHER, 0 },
	{ "openat", "open", STACKS_WAIT_OTHER, 0 },
	{ "openat64", "open", STACKS_WAIT_OTHER, 0 },
	/* time */
	{ "sleep", "sleep", STACKS_WAIT_SLEEP, 1 },
	{ "usleep", "usleep", STACKS_WAIT_SLEEP, 1 },
	{ "nanosleep", "nanosleep", STACKS_WAIT_SLEEP, 1 },
	{ "clock_nanosleep", "clock_nanosleep", STACKS_WAIT_SLEEP, 1 },
	{ "thrd_sleep", "thrd_sleep", STACKS_WAIT_SLEEP, 1 },
	/* processes, signals, multiplexing, locks */
	{ "wait", "wait", STACKS_WAIT_CHILD, 0 },
	{ "waitpid", "waitpid", STACKS_WAIT_CHILD, 0 },
	{ "wait3", "wait3", STACKS_WAIT_CHILD, 0 },
	{ "wait4", "wait4", STACKS_WAIT_CHILD, 0 },
	{ "waitid", "waitid", STACKS_WAIT_CHILD, 0 },
	{ "system", "system", STACKS_WAIT_CHILD, 0 },
	{ "pclose", "pclose", STACKS_WAIT_CHILD, 0 },
	{ "pause", "pause", STACKS_WAIT_SIGNAL, 0 },
	{ "sigsuspend", "sigsuspend", STACKS_WAIT_SIGNAL, 0 },
	{ "sigwait", "sigwait", STACKS_WAIT_SIGNAL, 0 },
	{ "sigwaitinfo", "sigwaitinfo", STACKS_WAIT_SIGNAL, 0 },
	{ "sigtimedwait", "sigtimedwait", STACKS_WAIT_SIGNAL, 1 },
	{ "poll", "poll", STACKS_WAIT_POLL, 0 },
	{ "ppoll", "ppoll", STACKS_WAIT_POLL, 0 },
	{ "select", "select", STACKS_WAIT_POLL, 0 },
	{ "pselect", "pselect", STACKS_WAIT_POLL, 0 },
	{ "epoll_wait", "epoll_wait", STACKS_WAIT_POLL, 0 },
	{ "epoll_pwait", "epoll_pwait", STACKS_WAIT_POLL, 0 },
	{ "semop", "semop", STACKS_WAIT_SEM, 0 },
	{ "semtimedop", "semtimedop", STACKS_WAIT_SEM, 1 },
	{ "flock", "flock", STACKS_WAIT_LOCK, 0 },
	{ "lockf", "lockf", STACKS_WAIT_LOCK, 0 },
	{ "lockf64", "lockf", STACKS_WAIT_LOCK, 0 },
	{ "fcntl", "fcntl", STACKS_WAIT_LOCK, 0 },
	{ "fcntl64", "fcntl", STACKS_WAIT_LOCK, 0 },
};

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * glibc's and the sanitizers' spellings of a function -> the plain name:
 * "___pthread_mutex_lock", "__GI___libc_read", "__interceptor_read",
 * "__new_sem_wait_slow64", "__libc_read@plt" -> "pthread_mutex_lock",
 * "read", "read", "sem_wait_slow", "read". Writes into out (size n).
 */
static void normalise(const char *fn, char *out, size_t n)
{
	static const char *const prefixes[] = {
		"___interceptor_", "__interceptor_", "__GI_", "__libc_",
		"__new_", "__old_", "__isoc99_", "__isoc23_", "_IO_new_", "_IO_",
		NULL
	};
	static const char *const suffixes[] = {
		"_nocancel", "_time64", "64", NULL
	};
	const char *const *p;
	char *at;
	int again = 1;

	while (again) {
		again = 0;
		for (p = prefixes; *p; p++)
			if (starts(fn, *p) && fn[strlen(*p)]) {
				fn += strlen(*p);
				again = 1;
			}
		while (*fn == '_' && fn[1]) {
			fn++;
			again = 1;
		}
	}
	snprintf(out, n, "%s", fn);
	if ((at = strchr(out, '@')))
		*at = '\0';
	again = 1;
	while (again) {
		again = 0;
		for (p = suffixes; *p; p++)
			if (ends(out, *p) && strlen(out) > strlen(*p) + 2) {
				out[strlen(out) - strlen(*p)] = '\0';
				again = 1;
			}
	}
}

static const struct waitfn *waitfn_find(const char *function)
{
	char name[256];
	size_t i;

	if (!function)
		return NULL;
	normalise(function, name, sizeof(name));
	for (i = 0; i < sizeof(waitfns) / sizeof(waitfns[0]); i++)
		if (!strcmp(waitfns[i].name, name))
			return &waitfns[i];
	return NULL;
}

/* ---- the student's frames (the rule of diag.h) ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A path of the system, of glibc's sources or of a tool's runtime. glibc
 * records its sources as "./nptl/x.c" or "../sysdeps/y.h": a relative path
 * is the system's when its first real component is one of glibc's
 * directories (a student's "../src/x.c" is not). */
static int system_path(const char *file)
{
	static const char *const parts[] = {
		"libsanitizer", "sanitizer_common", "compiler-rt", "sysdeps/",
		"vg_replace", "valgrind", NULL
	};
	static const char *const glibc[] = {
		"nptl/", "sysdeps/", "csu/", "libio/", "stdio-common/", "posix/",
		"misc/", "io/", "string/", "stdlib/", "signal/", "elf/", "malloc/",
		"time/", "rt/", "socket/", "sysvipc/", "include/", "debug/",
		"resolv/", "inet/", "dirent/", "termios/", "setjmp/", "assert/",
		"wcsmbs/", "iconv/", "login/", NULL
	};
	const char *const *p;
	const char *rel = file;

	if (starts(file, "/usr/") || starts(file, "/lib"))
		return 1;
	while (starts(rel, "./") || starts(rel, "../"))
		rel += rel[1] == '/' ? 2 : 3;
	if (rel != file)
		for (p = glibc; *p; p++)
			if (starts(rel, *p))
				return 1;
	for (p = parts; *p; p++)
		if (strstr(file, *p))
			return 1;
	return ends(file, ".S");
}

static const char *student_name(const char *const *sources, const char *file)
{
	const char *const *s;
	const char *base;

	if (!file || !*file)
		return NULL;
	base = base_name(file);
	if (!*base)
		return NULL;
	if (!sources || !sources[0])
		return system_path(file) ? NULL : base;
	for (s = sources; *s; s++)
		if (**s && !strcmp(base_name(*s), base))
			return *s;
	return NULL;
}

/* ---- /proc ---- */

/* Reads a small /proc file into out (NUL-terminated); returns its length or
 * -1. */
static ssize_t read_small(const char *path, char *out, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r, got = 0;

	if (fd < 0)
		return -1;
	while ((size_t)got < n - 1) {
		r = read(fd, out + got, n - 1 - (size_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	out[got] = '\0';
	return got;
}

struct tstat {
	char state;
	pid_t ppid;
	unsigned long long ticks; /* utime + stime */
};

/* /proc/PID/task/TID/stat (or /proc/PID/stat with tid 0). */
static int read_stat(pid_t pid, pid_t tid, struct tstat *ts)
{
	char path[96], text[1024], *p;
	unsigned long long ut, st;
	int ppid;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, text, sizeof(text)) <= 0)
		return -1;
	/* the name in parentheses may contain anything: skip to the last ')' */
	p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	/* fields 3 (state) .. 15 (stime) */
	if (sscanf(p + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ts->state, &ppid, &ut, &st) != 4)
		return -1;
	ts->ppid = (pid_t)ppid;
	ts->ticks = ut + st;
	return 0;
}

/* /proc/PID/task/TID/syscall: "NR a0 .. a5 sp pc", "running", "-1 sp pc". */
static void read_syscall(pid_t pid, struct stacks_thread *t)
{
	char path[96], text[512];
	char *p, *end;
	long nr;
	int i;

	t->syscall = -1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)t->tid);
	if (read_small(path, text, sizeof(text)) <= 0 || !isdigit((unsigned char)text[0]))
		return;
	errno = 0;
	nr = strtol(text, &end, 10);
	if (errno || end == text || nr < 0)
		return;
	p = end;
	for (i = 0; i < 6; i++) {
		errno = 0;
		t->args[i] = strtoul(p, &end, 16);
		if (errno || end == p)
			return;
		p = end;
	}
	t->syscall = nr;
}

static char *read_wchan(pid_t pid, pid_t tid)
{
	char path[96], text[128];
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", (int)pid, (int)tid);
	if (read_small(path, text, sizeof(text)) <= 0)
		return NULL;
	n = strcspn(text, "\n");
	text[n] = '\0';
	if (!strcmp(text, "0") || !*text)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)text[i]) && text[i] != '_' && text[i] != '.')
			return NULL;
	return xstrdup(text);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The thread ids of pid, main thread first, then ascending. */
static size_t list_tasks(pid_t pid, pid_t **out)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	pid_t *v = NULL;
	size_t n = 0, cap = 0, i;

	*out = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < MAX_THREADS) {
		long tid = strtol(de->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = (pid_t)tid;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_pid);
	for (i = 0; i < n; i++)
		if (v[i] == pid && i) {
			memmove(v + 1, v, i * sizeof(*v));
			v[0] = pid;
			break;
		}
	*out = v;
	return n;
}

static int is_valgrind(pid_t pid)
{
	char path[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return strstr(exe, "/valgrind/") != NULL;
}

int stacks_session_pids(pid_t sid, pid_t **pids)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t *v = NULL;
	size_t n = 0, cap = 0, i;

	*pids = NULL;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[64], text[1024], *p;
		long pid = strtol(de->d_name, NULL, 10);
		int session;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (read_small(path, text, sizeof(text)) <= 0)
			continue;
		p = strrchr(text, ')');
		/* state ppid pgrp session */
		if (!p || sscanf(p + 1, " %*c %*d %*d %d", &session) != 1 ||
		    session != (int)sid)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = (pid_t)pid;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_pid);
	for (i = 0; i < n; i++)
		if (v[i] == sid && i) {
			memmove(v + 1, v, i * sizeof(*v));
			v[0] = sid;
			break;
		}
	*pids = v;
	return (int)n;
}

/* ---- parsing gdb ---- */

static void frame_release(struct stacks_frame *f)
{
	free(f->function);
	free(f->file);
	free(f->module);
}

static void thread_release(struct stacks_thread *t)
{
	size_t i;

	free(t->wchan);
	free(t->call);
	free(t->detail);
	free(t->file);
	free(t->function);
	for (i = 0; i < t->nframes; i++)
		frame_release(&t->frames[i]);
	free(t->frames);
}

/* "FILE:LINE" at the end of s (n bytes): fills file and line. */
static int tail_location(const char *s, size_t n, char **file, int *line)
{
	size_t i = n, colon;
	long v = 0;

	while (i > 0 && isdigit((unsigned char)s[i - 1]))
		i--;
	if (i == n || i < 2 || s[i - 1] != ':' || n - i > 9)
		return -1;
	colon = i - 1;
	v = strtol(s + i, NULL, 10);
	if (v <= 0 || v > INT_MAX)
		return -1;
	*file = xstrndup(s, colon);
	*line = (int)v;
	return 0;
}

/*
 * One frame line, from after "#N": "  0x00007f.. in func (args) at f.c:12",
 * "  func (...) at ./nptl/x.c:93", "  0x.. in ?? () from /lib/libc.so.6",
 * "  0x.. in ?? ()". The arguments may contain anything (strings with
 * " at " in them): the location is taken from the END of the line.
 */
static void parse_frame(const char *s, struct stacks_frame *f)
{
	size_t n, len;
	const char *at, *from, *p;

	memset(f, 0, sizeof(*f));
	s += strspn(s, " \t");
	if (starts(s, "0x")) {
		p = s + 2;
		while (isxdigit((unsigned char)*p))
			p++;
		if (starts(p, " in "))
			s = p + 4;
	}
	len = strcspn(s, " (");
	if (len && !(len == 2 && !strncmp(s, "??", 2)))
		f->function = xstrndup(s, len);
	/* the location: the last " at " whose remainder is FILE:LINE, or
	 * the last " from " (a library without line information) */
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	for (at = s + n; at > s;) {
		const char *q = NULL, *c;

		for (c = s; c < at; c++)
			if (c + 4 <= at && !strncmp(c, " at ", 4))
				q = c;
		if (!q)
			break;
		if (!tail_location(q + 4, (size_t)(s + n - (q + 4)), &f->file, &f->line) &&
		    !strchr(f->file, ' '))
			return;
		free(f->file);
		f->file = NULL;
		f->line = 0;
		at = q;
	}
	from = NULL;
	for (p = s; (p = strstr(p, " from ")); p++)
		from = p;
	if (from && from + 6 < s + n && !memchr(from + 6, ' ', (size_t)(s + n - from - 6)))
		f->module = xstrndup(from + 6, (size_t)(s + n - from - 6));
}

/* "Thread 3 (Thread 0x7f.. (LWP 123) "name"):", "Thread 1 (LWP 12 ..."
 * or "Thread 1 (process 123):": gdb's number and the tid (0 if none). */
static int parse_thread_header(const char *s, int *number, pid_t *tid)
{
	const char *p;
	char *end;
	long v;

	if (!starts(s, "Thread "))
		return -1;
	v = strtol(s + 7, &end, 10);
	if (end == s + 7 || v <= 0 || v > INT_MAX || !starts(end, " ("))
		return -1;
	*number = (int)v;
	*tid = 0;
	if ((p = strstr(end, "(LWP ")))
		v = strtol(p + 5, NULL, 10);
	else if ((p = strstr(end, "(process ")))
		v = strtol(p + 9, NULL, 10);
	else
		v = 0;
	if (v > 0 && v <= INT_MAX)
		*tid = (pid_t)v;
	return 0;
}

static struct stacks_thread *find_thread(struct stacks_process *p, pid_t tid)
{
	size_t i;

	for (i = 0; tid && i < p->nthreads; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	return NULL;
}

static struct stacks_thread *add_thread(struct stacks_process *p, pid_t tid)
{
	struct stacks_thread *t;

	p->threads = xrealloc(p->threads, (p->nthreads + 1) * sizeof(*p->threads));
	t = &p->threads[p->nthreads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->state = '?';
	t->syscall = -1;
	return t;
}

static int cmp_index(const void *a, const void *b)
{
	const struct stacks_thread *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

int stacks_parse_gdb(struct stacks_process *p, const char *text, size_t len,
		     const char *const *sources)
{
	const char *s = text, *end = text + len;
	struct stacks_thread *cur = NULL;
	int got = 0;
	size_t i;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char line[LINE_MAX_BYTES];
		int number;
		pid_t tid;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, s, n);
		line[n] = '\0';
		/* NUL bytes and control characters are not gdb's */
		for (i = 0; i < n; i++)
			if ((unsigned char)line[i] < 32 && line[i] != '\t')
				line[i] = ' ';
		s = nl ? nl + 1 : end;

		if (!parse_thread_header(line, &number, &tid)) {
			cur = find_thread(p, tid);
			if (!cur && p->nthreads < MAX_THREADS) {
				cur = add_thread(p, tid);
				cur->index = number;
			}
			if (cur && cur->nframes) /* the same thread twice: keep the first */
				cur = NULL;
			if (cur)
				got++;
			continue;
		}
		if (cur && line[0] == '#' && isdigit((unsigned char)line[1])) {
			const char *q = line + 1;

			while (isdigit((unsigned char)*q))
				q++;
			if (*q != ' ' || cur->nframes >= MAX_FRAMES)
				continue;
			cur->frames = xrealloc(cur->frames,
					       (cur->nframes + 1) * sizeof(*cur->frames));
			parse_frame(q, &cur->frames[cur->nframes++]);
			continue;
		}
		if (!n)
			cur = NULL; /* a thread's backtrace ends at a blank line */
	}
	/* gdb lists the newest thread first: main thread first, as /proc */
	if (p->nthreads > 1)
		qsort(p->threads, p->nthreads, sizeof(*p->threads), cmp_index);
	for (i = 0; i < p->nthreads; i++)
		if (p->threads[i].nframes)
			stacks_thread_locate(&p->threads[i], sources);
	if (got && !p->from_gdb) {
		p->from_gdb = 1;
		free(p->note);
		p->note = NULL;
	}
	return got;
}

/* ---- naming a wait ---- */

/* From the system call alone (no frames, or frames that name nothing):
 * the wait, a name for it, whether it has a time-out. `tids` are the
 * process's threads (a pthread_join waits on a futex whose value is the
 * joined thread's tid). */
static void syscall_wait(const struct stacks_thread *t, enum stacks_wait *w,
			 const char **call, int *timed)
{
	long nr = t->syscall;
	const unsigned long *a = t->args;

	*w = STACKS_WAIT_OTHER;
	*call = NULL;
	*timed = 0;
	if (nr < 0) {
		*w = STACKS_WAIT_NONE;
		return;
	}
#ifdef SYS_futex
	if (nr == SYS_futex) {
		unsigned long cmd = FUTEX_CMD(a[1]);

		*timed = (cmd == 0 || cmd == 9) && a[3] != 0;
		if (cmd == 0 || cmd == 6) { /* FUTEX_WAIT, FUTEX_LOCK_PI */
			*w = STACKS_WAIT_MUTEX;
			*call = "futex_wait (probably pthread_mutex_lock)";
		} else if (cmd == 11) { /* FUTEX_WAIT_REQUEUE_PI */
			*w = STACKS_WAIT_COND;
			*call = "futex_wait (probably pthread_cond_wait)";
		} else {
			*w = STACKS_WAIT_FUTEX;
			*call = "futex_wait (a condition variable, semaphore or barrier)";
		}
		return;
	}
#endif
	static const struct {
		long nr;
		const char *call;
		enum stacks_wait w;
		int timed_arg; /* -1 never timed, 9 always, else the timeout
				  argument (non-zero = timed) */
	} calls[] = {
#ifdef SYS_read
		{ SYS_read, "read", STACKS_WAIT_READ, -1 },
#endif
#ifdef SYS_readv
		{ SYS_readv, "readv", STACKS_WAIT_READ, -1 },
#endif
#ifdef SYS_pread64
		{ SYS_pread64, "pread", STACKS_WAIT_READ, -1 },
#endif
#ifdef SYS_recvfrom
		{ SYS_recvfrom, "recv", STACKS_WAIT_READ, -1 },
#endif
#ifdef SYS_recvmsg
		{ SYS_recvmsg, "recvmsg", STACKS_WAIT_READ, -1 },
#endif
#ifdef SYS_accept
		{ SYS_accept, "accept", STACKS_WAIT_READ, -1 },
#endif
#ifdef SYS_accept4
		{ SYS_accept4, "accept", STACKS_WAIT_READ, -1 },
#endif
#ifdef SYS_msgrcv
		{ SYS_msgrcv, "msgrcv", STACKS_WAIT_READ, -1 },
#endif
#ifdef SYS_mq_timedreceive
		{ SYS_mq_timedreceive, "mq_receive", STACKS_WAIT_READ, 4 },
#endif
#ifdef SYS_write
		{ SYS_write, "write", STACKS_WAIT_WRITE, -1 },
#endif
#ifdef SYS_writev
		{ SYS_writev, "writev", STACKS_WAIT_WRITE, -1 },
#endif
#ifdef SYS_sendto
		{ SYS_sendto, "send", STACKS_WAIT_WRITE, -1 },
#endif
#ifdef SYS_sendmsg
		{ SYS_sendmsg, "sendmsg", STACKS_WAIT_WRITE, -1 },
#endif
#ifdef SYS_msgsnd
		{ SYS_msgsnd, "msgsnd", STACKS_WAIT_WRITE, -1 },
#endif
#ifdef SYS_mq_timedsend
		{ SYS_mq_timedsend, "mq_send", STACKS_WAIT_WRITE, 4 },
#endif
#ifdef SYS_connect
		{ SYS_connect, "connect", STACKS_WAIT_OTHER, -1 },
#endif
#ifdef SYS_nanosleep
		{ SYS_nanosleep, "nanosleep", STACKS_WAIT_SLEEP, 9 },
#endif
#ifdef SYS_clock_nanosleep
		{ SYS_clock_nanosleep, "clock_nanosleep", STACKS_WAIT_SLEEP, 9 },
#endif
#ifdef SYS_restart_syscall
		/* a timed wait (sleep, timed futex, poll) interrupted by a
		 * stop and resumed */
		{ SYS_restart_syscall, "an interrupted timed wait", STACKS_WAIT_SLEEP, 9 },
#endif
#ifdef SYS_wait4
		{ SYS_wait4, "waitpid", STACKS_WAIT_CHILD, -1 },
#endif
#ifdef SYS_waitid
		{ SYS_waitid, "waitid", STACKS_WAIT_CHILD, -1 },
#endif
#ifdef SYS_pause
		{ SYS_pause, "pause", STACKS_WAIT_SIGNAL, -1 },
#endif
#ifdef SYS_rt_sigsuspend
		{ SYS_rt_sigsuspend, "sigsuspend", STACKS_WAIT_SIGNAL, -1 },
#endif
#ifdef SYS_rt_sigtimedwait
		{ SYS_rt_sigtimedwait, "sigwait", STACKS_WAIT_SIGNAL, 2 },
#endif
#ifdef SYS_poll
		{ SYS_poll, "poll", STACKS_WAIT_POLL, -2 },
#endif
#ifdef SYS_ppoll
		{ SYS_ppoll, "ppoll", STACKS_WAIT_POLL, 2 },
#endif
#ifdef SYS_select
		{ SYS_select, "select", STACKS_WAIT_POLL, 4 },
#endif
#ifdef SYS_pselect6
		{ SYS_pselect6, "pselect", STACKS_WAIT_POLL, 4 },
#endif
#ifdef SYS_epoll_wait
		{ SYS_epoll_wait, "epoll_wait", STACKS_WAIT_POLL, -3 },
#endif
#ifdef SYS_epoll_pwait
		{ SYS_epoll_pwait, "epoll_wait", STACKS_WAIT_POLL, -3 },
#endif
#ifdef SYS_semop
		{ SYS_semop, "semop", STACKS_WAIT_SEM, -1 },
#endif
#ifdef SYS_semtimedop
		{ SYS_semtimedop, "semtimedop", STACKS_WAIT_SEM, 3 },
#endif
#ifdef SYS_flock
		{ SYS_flock, "flock", STACKS_WAIT_LOCK, -1 },
#endif
#ifdef SYS_fcntl
		{ SYS_fcntl, "fcntl", STACKS_WAIT_LOCK, -1 },
#endif
	};
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (calls[i].nr != nr)
			continue;
		*w = calls[i].w;
		*call = calls[i].call;
		if (calls[i].timed_arg == 9)
			*timed = 1;
		else if (calls[i].timed_arg == -2) /* poll: int ms, -1 = none */
			*timed = (int)a[2] >= 0;
		else if (calls[i].timed_arg == -3) /* epoll_wait: int ms */
			*timed = (int)a[3] >= 0;
		else if (calls[i].timed_arg >= 0)
			*timed = a[calls[i].timed_arg] != 0;
		return;
	}
}

void stacks_thread_locate(struct stacks_thread *t, const char *const *sources)
{
	enum stacks_wait sw;
	const char *scall;
	int stimed;
	size_t k, i;
	const struct waitfn *fn = NULL;

	free(t->call);
	free(t->file);
	free(t->function);
	t->call = t->file = t->function = NULL;
	t->line = 0;

	/* the first frame in the student's sources */
	for (k = 0; k < t->nframes; k++) {
		const char *nm = student_name(sources, t->frames[k].file);

		if (nm) {
			t->file = xstrdup(nm);
			t->line = t->frames[k].line;
			if (t->frames[k].function)
				t->function = xstrdup(t->frames[k].function);
			break;
		}
	}
	t->runtime = 0;
	if (k == t->nframes)
		for (i = 0; i < t->nframes && !t->runtime; i++) {
			const char *f = t->frames[i].function;

			t->runtime = f && (starts(f, "__tsan::") || starts(f, "__sanitizer::") ||
					   starts(f, "__asan::") || starts(f, "__lsan::"));
		}
	/* the known function nearest to the student's frame (what they
	 * called: fgets rather than the read under it) */
	for (i = k; i > 0 && !fn; i--)
		fn = waitfn_find(t->frames[i - 1].function);

	syscall_wait(t, &sw, &scall, &stimed);
	if (t->running) {
		t->wait = STACKS_WAIT_NONE;
		t->timed = 0;
		return;
	}
	if (fn) {
		t->call = xstrdup(fn->call);
		t->wait = fn->wait;
		t->timed = fn->timed || stimed;
		/* stdio names the reading or writing, the system call says
		 * whether it is one */
		if ((fn->wait == STACKS_WAIT_OTHER || fn->wait == STACKS_WAIT_FUTEX) &&
		    sw != STACKS_WAIT_NONE && sw != STACKS_WAIT_OTHER)
			t->wait = sw;
		return;
	}
	t->wait = sw;
	t->timed = stimed;
	if (scall)
		t->call = xstrdup(scall);
	else if (k > 0 && k <= t->nframes && t->frames[k - 1].function) {
		char name[256];

		normalise(t->frames[k - 1].function, name, sizeof(name));
		t->call = xstrdup(name);
	}
}

/* ---- descriptors of blocked reads and writes ---- */

struct fdref {
	pid_t pid;
	int fd;
	int mode; /* O_RDONLY, O_WRONLY, O_RDWR */
};

static int fd_identity(pid_t pid, int fd, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	return stat(path, st);
}

static int fd_mode(pid_t pid, int fd)
{
	char path[64], text[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	if (read_small(path, text, sizeof(text)) <= 0 || !(p = strstr(text, "flags:")))
		return -1;
	return (int)(strtoul(p + 6, NULL, 8) & O_ACCMODE);
}

/* Every descriptor of the run's processes that is the same pipe (device
 * and inode) as st. */
static size_t pipe_holders(const struct stacks *s, const struct stat *st,
			   struct fdref *out, size_t max)
{
	size_t n = 0, i;

	for (i = 0; i < s->nprocs && n < max; i++) {
		char path[64];
		DIR *d;
		struct dirent *de;
		int seen = 0;

		snprintf(path, sizeof(path), "/proc/%d/fd", (int)s->procs[i].pid);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d)) && n < max && seen++ < MAX_FDS) {
			struct stat o;
			long fd = strtol(de->d_name, NULL, 10);

			if (de->d_name[0] == '.' ||
			    fd_identity(s->procs[i].pid, (int)fd, &o) < 0 ||
			    o.st_dev != st->st_dev || o.st_ino != st->st_ino)
				continue;
			out[n].pid = s->procs[i].pid;
			out[n].fd = (int)fd;
			out[n].mode = fd_mode(s->procs[i].pid, (int)fd);
			n++;
		}
		closedir(d);
	}
	return n;
}

/* read, write, readv, writev: the system calls whose first argument is
 * the descriptor waited on. */
static int rw_syscall(long nr)
{
	static const long calls[] = {
#ifdef SYS_read
		SYS_read,
#endif
#ifdef SYS_write
		SYS_write,
#endif
#ifdef SYS_readv
		SYS_readv,
#endif
#ifdef SYS_writev
		SYS_writev,
#endif
		-1
	};
	size_t i;

	for (i = 0; calls[i] >= 0; i++)
		if (calls[i] == nr)
			return 1;
	return 0;
}

/* Fills t->detail and t->input_wait for a read or write on a descriptor. */
static void describe_fd(const struct stacks *s, const struct stacks_process *p,
			struct stacks_thread *t)
{
	struct fdref h[64];
	struct stat st;
	size_t n, i;
	int fd, reading, self = 0, want;
	pid_t other = 0;
	const char *what;

	if (t->syscall < 0 || t->running)
		return;
	reading = t->wait == STACKS_WAIT_READ;
	if (!reading && t->wait != STACKS_WAIT_WRITE)
		return;
	if (!rw_syscall(t->syscall))
		return;
	fd = (int)t->args[0];
	if (fd < 0 || fd_identity(p->pid, fd, &st) < 0)
		return;
	what = fd == 0 ? "stdin" : fd == 1 ? "stdout" : fd == 2 ? "stderr" : NULL;
	if (S_ISSOCK(st.st_mode)) {
		t->detail = what ? xasprintf("%s, a socket", what) : xstrdup("a socket");
		return;
	}
	if (S_ISCHR(st.st_mode)) {
		t->detail = what ? xasprintf("%s, a terminal or device", what)
				 : xstrdup("a terminal or device");
		t->input_wait = reading;
		return;
	}
	if (!S_ISFIFO(st.st_mode))
		return;
	want = reading ? O_WRONLY : O_RDONLY;
	n = pipe_holders(s, &st, h, sizeof(h) / sizeof(h[0]));
	for (i = 0; i < n; i++) {
		if (h[i].mode != want && h[i].mode != O_RDWR)
			continue;
		if (h[i].pid == p->pid)
			self = 1;
		else if (!other)
			other = h[i].pid;
	}
	if (other) {
		t->detail = xasprintf("%s%sa pipe %s by process %d", what ? what : "",
				      what ? ", " : "", reading ? "written" : "read",
				      (int)other);
		return;
	}
	if (self) {
		t->detail = xasprintf(
			"%s%sa pipe that only this process can %s: its own %s end is "
			"still open, so %s",
			what ? what : "", what ? ", " : "", reading ? "write to" : "read",
			reading ? "write" : "read",
			reading ? "read() never sees end-of-file"
				: "the pipe fills up and nobody reads it");
		t->input_wait = reading;
		return;
	}
	if (reading) {
		t->detail = fd == 0 ? xstrdup("stdin: input that never comes")
				    : xstrdup("a pipe written by no process of the run");
		t->input_wait = 1;
	} else {
		t->detail = xasprintf("%s%sa full pipe that no process of the run reads",
				      what ? what : "", what ? ", " : "");
	}
}

/* ---- classification and summary ---- */

static int dead_state(char c)
{
	return c == 'Z' || c == 'X' || c == 'x';
}

static void describe_thread(struct buf *b, const struct stacks *st,
			    const struct stacks_process *p,
			    const struct stacks_thread *t)
{
	if (st->nprocs > 1)
		buf_addf(b, "process %d%s", (int)p->pid, p == st->procs ? " (main)" : "");
	if (p->nthreads > 1)
		buf_addf(b, "%sthread %d", st->nprocs > 1 ? " " : "", t->index);
	else if (st->nprocs == 1)
		buf_adds(b, "the program");
	if (t->running) {
		buf_adds(b, " runs");
		if (t->cpu_s > 0)
			buf_addf(b, " (%.2f s of CPU during the sample)", t->cpu_s);
	} else if (t->call) {
		buf_addf(b, " %s %s", t->timed ? "sleeps in" : "waits in", t->call);
	} else if (t->state == 'T' || t->state == 't') {
		buf_adds(b, " is stopped");
	} else {
		buf_adds(b, " is blocked");
		if (t->wchan)
			buf_addf(b, " (in the kernel's %s)", t->wchan);
	}
	if (t->file)
		buf_addf(b, " at %s:%d", t->file, t->line);
	if (t->function)
		buf_addf(b, " in %s()", t->function);
	if (t->detail)
		buf_addf(b, " [%s]", t->detail);
}

void stacks_classify(struct stacks *st)
{
	size_t i, j, live = 0, running = 0, timed = 0, input = 0, blocked = 0;
	size_t described = 0, nthreads = 0;
	int known = 0, gdb = 0;
	struct buf b;

	for (i = 0; i < st->nprocs; i++) {
		const struct stacks_process *p = &st->procs[i];

		gdb |= p->from_gdb;
		for (j = 0; j < p->nthreads; j++) {
			const struct stacks_thread *t = &p->threads[j];

			if (dead_state(t->state) || t->runtime)
				continue;
			live++;
			if (t->running)
				running++;
			else if (t->state == '?' && (!t->call || t->wait == STACKS_WAIT_NONE))
				continue; /* nothing known about it */
			else if (t->timed)
				timed++;
			else if (t->input_wait)
				input++;
			else
				blocked++;
			if (t->call || t->syscall >= 0)
				known++;
		}
	}
	if (!live)
		st->verdict = STACKS_UNKNOWN;
	else if (running)
		st->verdict = STACKS_BUSY_LOOP;
	else if (timed)
		st->verdict = STACKS_SLEEPING;
	else if (input)
		st->verdict = STACKS_WAITING_FOR_INPUT;
	else if (blocked == live)
		st->verdict = STACKS_DEADLOCK;
	else
		st->verdict = STACKS_UNKNOWN;

	buf_init(&b, 16384);
	switch (st->verdict) {
	case STACKS_DEADLOCK:
		buf_adds(&b, "Deadlock: every thread is blocked, none can run. ");
		break;
	case STACKS_BUSY_LOOP:
		buf_adds(&b, "Busy loop: a thread keeps running without making progress. ");
		break;
	case STACKS_WAITING_FOR_INPUT:
		buf_adds(&b, "Waiting for input that never comes. ");
		break;
	case STACKS_SLEEPING:
		buf_adds(&b, "No thread runs, but some sleep with a time-out "
			     "(too slow, or polling for something that never happens). ");
		break;
	case STACKS_UNKNOWN:
		buf_adds(&b, live ? "Hang of an unknown kind. "
				  : "Nothing to inspect: the processes had already ended. ");
		break;
	}
	for (i = 0; i < st->nprocs; i++) {
		const struct stacks_process *p = &st->procs[i];

		for (j = 0; j < p->nthreads; j++) {
			const struct stacks_thread *t = &p->threads[j];

			if (dead_state(t->state) || t->runtime)
				continue;
			nthreads++;
			if (described >= SUMMARY_THREADS)
				continue;
			if (described++) {
				buf_adds(&b, "; ");
				describe_thread(&b, st, p, t);
			} else {
				size_t at = b.len;

				describe_thread(&b, st, p, t);
				b.data[at] = (char)toupper((unsigned char)b.data[at]);
			}
		}
	}
	if (nthreads > described)
		buf_addf(&b, "; and %zu more threads", nthreads - described);
	if (described)
		buf_adds(&b, ".");
	if (live && !gdb) {
		for (i = 0; i < st->nprocs && !st->procs[i].note; i++)
			;
		buf_addf(&b, " (No stacks, /proc only: %s.)",
			 i < st->nprocs ? st->procs[i].note : "gdb was not used");
	}
	if (live && !known)
		buf_adds(&b, " (Where the threads wait is unknown: no ptrace access "
			     "to the processes.)");
	free(st->summary);
	st->summary = buf_detach(&b, NULL);
	/* trailing blank from the verdict sentence when nothing follows */
	for (i = strlen(st->summary); i > 0 && st->summary[i - 1] == ' '; i--)
		st->summary[i - 1] = '\0';
}

void stacks_release(struct stacks *st)
{
	size_t i, j;

	for (i = 0; i < st->nprocs; i++) {
		for (j = 0; j < st->procs[i].nthreads; j++)
			thread_release(&st->procs[i].threads[j]);
		free(st->procs[i].threads);
		free(st->procs[i].comm);
		free(st->procs[i].note);
	}
	free(st->procs);
	free(st->summary);
	memset(st, 0, sizeof(*st));
}

/* ---- capturing ---- */

static void sleep_seconds(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The first line of text (at most 200 bytes), for a note. */
static char *first_line(const char *text)
{
	size_t n;

	text += strspn(text, " \n");
	n = strcspn(text, "\n");
	return xstrndup(text, n > 200 ? 200 : n);
}

/* gdb's noise on stderr that says nothing about why it failed. */
static const char *gdb_error(const char *err)
{
	const char *p;

	if ((p = strstr(err, "ptrace:")))
		return p;
	if ((p = strstr(err, "Could not attach")))
		return p;
	return err;
}

static void run_gdb(struct stacks_process *p, const struct stacks_options *o)
{
	struct spawn sp;
	struct error e;
	char pid[32];
	const char *argv[] = {
		o->gdb ? o->gdb : "gdb", "-nx", "-batch",
		/* before the program's files are read: nothing of the
		 * submission is ever loaded into gdb */
		"-iex", "set auto-load off",
		"-iex", "set debuginfod enabled off",
		"-ex", "set width 0",
		"-ex", "set pagination off",
		"-ex", "set print frame-arguments none",
		"-ex", "set print entry-values no",
		"-p", pid,
		"-ex", "thread apply all bt 64",
		NULL
	};
	int threads;

	snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	spawn_init(&sp);
	/* gdb is the grader's tool and must see the program's pids and
	 * ptrace it: it runs outside the sandbox (a new pid namespace would
	 * hide every process of the run from it) */
	sp.no_sandbox = 1;
	sp.argv = argv;
	sp.wall_s = o->gdb_timeout_s > 0 ? o->gdb_timeout_s : 10;
	sp.output = GDB_OUTPUT_CAP;
	sp.memory = (long long)1 << 30;
	error_init(&e);
	if (spawn_run(&sp, &e) < 0) {
		p->note = xasprintf("gdb could not be run: %s", e.msg);
	} else if (sp.outcome == SPAWN_EXEC_FAILED) {
		p->note = xasprintf("gdb could not be run: %s", strerror(sp.exec_errno));
	} else if (sp.outcome == SPAWN_TIMEOUT) {
		p->note = xasprintf("gdb did not finish in %g s", sp.wall_s);
	} else {
		threads = stacks_parse_gdb(p, sp.out.data, sp.out.len, NULL);
		if (!threads) {
			char *l = first_line(gdb_error(sp.err.data));

			p->note = *l ? xasprintf("gdb: %s", l)
				     : xstrdup("gdb printed no backtrace");
			free(l);
		}
	}
	spawn_release(&sp);
}

/* Without a stack, a futex wait whose expected value is the tid of a
 * thread of the same process is pthread_join waiting for that thread. */
static void guess_join(const struct stacks_process *p, struct stacks_thread *t)
{
	size_t i;

	if (t->nframes || t->wait != STACKS_WAIT_FUTEX)
		return;
	for (i = 0; i < p->nthreads; i++)
		if (p->threads[i].tid != t->tid &&
		    (unsigned long)p->threads[i].tid == (t->args[2] & 0xffffffffUL)) {
			t->wait = STACKS_WAIT_JOIN;
			free(t->call);
			t->call = xasprintf("futex_wait (probably pthread_join of thread %d)",
					    p->threads[i].index);
			return;
		}
}

int stacks_capture(struct stacks *st, const pid_t *pids, size_t n,
		   const struct stacks_options *opts)
{
	struct stacks_options def;
	const struct stacks_options *o = opts;
	unsigned long long *t0 = NULL;
	size_t i, j, k, nt = 0;
	long hz = sysconf(_SC_CLK_TCK);
	int gdbs = 0;

	if (!o) {
		stacks_options_init(&def);
		o = &def;
	}
	if (hz <= 0)
		hz = 100;
	memset(st, 0, sizeof(*st));
	st->procs = xcalloc(n ? n : 1, sizeof(*st->procs));

	/* first sample */
	for (i = 0; i < n; i++) {
		struct stacks_process *p = &st->procs[st->nprocs];
		struct tstat ts;
		pid_t *tids;
		size_t ntids;
		char path[64], comm[64];

		if (pids[i] <= 0 || read_stat(pids[i], 0, &ts) < 0)
			continue;
		for (j = 0; j < st->nprocs; j++)
			if (st->procs[j].pid == pids[i])
				break;
		if (j < st->nprocs)
			continue;
		st->nprocs++;
		p->pid = pids[i];
		p->ppid = ts.ppid;
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)p->pid);
		if (read_small(path, comm, sizeof(comm)) > 0) {
			comm[strcspn(comm, "\n")] = '\0';
			p->comm = xstrdup(comm);
		}
		if (dead_state(ts.state))
			continue;
		ntids = list_tasks(p->pid, &tids);
		for (j = 0; j < ntids; j++) {
			struct stacks_thread *t = add_thread(p, tids[j]);

			t->index = (int)j + 1;
		}
		free(tids);
	}
	for (i = 0; i < st->nprocs; i++)
		nt += st->procs[i].nthreads;
	t0 = xcalloc(nt ? nt : 1, sizeof(*t0));
	for (i = 0, k = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nthreads; j++, k++) {
			struct stacks_thread *t = &st->procs[i].threads[j];
			struct tstat ts;

			if (read_stat(st->procs[i].pid, t->tid, &ts) == 0) {
				t->state = ts.state;
				t0[k] = ts.ticks;
			} else {
				t->state = 'X';
			}
		}

	sleep_seconds(o->sample_s);

	/* second sample, system calls, wchan */
	for (i = 0, k = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nthreads; j++, k++) {
			struct stacks_thread *t = &st->procs[i].threads[j];
			struct tstat ts;
			char first = t->state;
			unsigned long long d;

			if (first == 'X')
				continue;
			if (read_stat(st->procs[i].pid, t->tid, &ts) < 0) {
				t->state = 'X';
				continue;
			}
			t->state = ts.state;
			d = ts.ticks >= t0[k] ? ts.ticks - t0[k] : 0;
			t->cpu_s = (double)d / (double)hz;
			t->running = d >= 2 || (d >= 1 && ts.state == 'R') ||
				     (first == 'R' && ts.state == 'R');
			if (dead_state(ts.state))
				continue;
			if (!t->running)
				read_syscall(st->procs[i].pid, t);
			t->wchan = t->running ? NULL : read_wchan(st->procs[i].pid, t->tid);
		}
	free(t0);

	/* stacks */
	for (i = 0; i < st->nprocs; i++) {
		struct stacks_process *p = &st->procs[i];
		size_t live = 0;

		for (j = 0; j < p->nthreads; j++)
			live += !dead_state(p->threads[j].state);
		if (!live)
			continue;
		if (!o->use_gdb)
			p->note = xstrdup("gdb was not asked for");
		else if (is_valgrind(p->pid))
			p->note = xstrdup("a valgrind run, where gdb would show "
					  "valgrind instead of the program");
		else if (gdbs >= o->max_gdb)
			p->note = xasprintf("gdb is run on %d processes at most", o->max_gdb);
		else {
			gdbs++;
			run_gdb(p, o);
		}
		for (j = 0; j < p->nthreads; j++) {
			stacks_thread_locate(&p->threads[j], o->sources);
			guess_join(p, &p->threads[j]);
		}
	}
	for (i = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nthreads; j++)
			describe_fd(st, &st->procs[i], &st->procs[i].threads[j]);
	stacks_classify(st);
	return st->nprocs ? 0 : -1;
}
