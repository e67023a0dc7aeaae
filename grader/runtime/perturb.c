/*
 * perturb.c - schedule perturbation, preloaded into a student's program
 * (LD_PRELOAD=.../perturb.so) so that races which show only sometimes show
 * more often, reproducibly.
 *
 * It wraps pthread_mutex_lock/trylock/unlock, pthread_cond_wait/timedwait/
 * signal/broadcast, pthread_create, sem_wait/sem_post, and read/write on
 * pipes and FIFOs: before and after each call, with probability RATE, it
 * yields the CPU (sched_yield) or sleeps a random 1..SLEEP_US
 * microseconds. The real functions are found with dlsym(RTLD_NEXT).
 *
 * Environment (read once, at load):
 *   GRADER_PERTURB_SEED      unsigned integer (default 1)
 *   GRADER_PERTURB_RATE      probability per point, 0..1 (default 0.05;
 *                            0 turns it off)
 *   GRADER_PERTURB_SLEEP_US  the longest sleep, 1..1000000 (default 100)
 *   GRADER_PERTURB_STATS     a file to which each process appends, at exit,
 *                            one line "perturb pid=P seed=S rate=R calls=C
 *                            yields=Y sleeps=Z trace=T" (T: a digest of
 *                            every decision, independent of how the threads
 *                            interleaved); for the tests and for reports
 * A value that does not parse turns the perturbation off and says so on
 * stderr (the grader validates what it sets, so this is never the
 * student's doing).
 *
 * Reproducible: each thread has its own generator (splitmix64), seeded
 * from SEED and the thread's index -- 0 for the main thread, then 1, 2, ...
 * in the order of the pthread_create() calls (an atomic counter, so that
 * order is the program's own when one thread creates the others) -- and a
 * child process from fork() reseeds its calling thread from SEED and the
 * fork's number. So the decisions a thread takes depend only on the seed,
 * its index and how many wrapped calls it has made, never on timing: the
 * same seed replays the same perturbation (the interleaving it causes
 * still depends on the machine, which is why the report shows "failed
 * k/N" over repeats).
 *
 * Safe inside a hostile, multi-threaded program: no locks of its own,
 * state in thread-local storage (initial-exec: no allocation on first
 * touch), atomics for the counters; the only allocation is pthread_create's
 * small trampoline record. Nothing is printed to the program's streams
 * except the one-line warning above.
 *
 * Tools: plain programs and valgrind (memcheck, helgrind, drd: they
 * interpose the same functions below this library) are supported. With
 * gcc's ASan (libasan.so) it works when ASan's runtime is loaded first:
 * LD_PRELOAD="$(gcc -print-file-name=libasan.so) perturb.so" (else ASan
 * aborts: "runtime does not come first in initial library list"). gcc's
 * TSan the same way with libtsan.so. clang links its sanitizer runtimes
 * into the executable, whose interceptors then come before this library:
 * the perturbation is bypassed for the functions they intercept. See
 * INTEGRATION.md.
 *
 * Built as its own shared object (Makefile: $(BUILD)/runtime/perturb.so),
 * never into libgrader.a: it runs in the student's process, not the
 * grader's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TLS __thread __attribute__((tls_model("initial-exec")))
#define EXPORT __attribute__((visibility("default")))

/* ---- configuration ---- */

static uint64_t seed = 1;
static double rate = 0.05;
static uint64_t threshold;  /* rate scaled to 2^64: perturb when draw < it */
static unsigned sleep_us = 100;
static const char *stats_path;
static int enabled;

/* ---- counters (for GRADER_PERTURB_STATS) ---- */

static atomic_ulong n_calls, n_yields, n_sleeps;
static atomic_ullong trace; /* sum of one term per decision, see record() */
static atomic_uint next_index;
static atomic_uint forks;

/* ---- per-thread generator ---- */

static TLS uint64_t state;
static TLS uint64_t seq;     /* this thread's points so far */
static TLS int ready;        /* state seeded */
static TLS int quiet;        /* inside the real pthread_create */
static TLS unsigned my_index;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The generator of thread `index` of a process started by fork number
 * `fork_no` (0 = the original process). */
static void seed_thread(unsigned index, unsigned fork_no)
{
	uint64_t x = seed ^ 0x5851f42d4c957f2dULL;

	x = splitmix64(&x) ^ ((uint64_t)index << 1);
	x = splitmix64(&x) ^ ((uint64_t)fork_no << 1);
	state = splitmix64(&x);
	seq = 0;
	my_index = index;
	ready = 1;
}

/* Each decision adds a term of (thread, its sequence number, decision) to
 * the process's trace; addition commutes, so the trace does not depend on
 * how the threads interleaved, and nothing is lost when a thread ends by
 * pthread_exit or the process by _exit. */
static void record(unsigned decision)
{
	uint64_t x = ((uint64_t)my_index << 40) ^ (seq++ << 2) ^ decision;

	atomic_fetch_add_explicit(&trace, splitmix64(&x), memory_order_relaxed);
}

static void nap(unsigned us)
{
	struct timespec ts = { 0, (long)us * 1000L };

	if (us >= 1000000) {
		ts.tv_sec = us / 1000000;
		ts.tv_nsec = (long)(us % 1000000) * 1000L;
	}
	/* the raw system call: nanosleep may be wrapped by a tool */
	while (syscall(SYS_nanosleep, &ts, &ts) < 0 && errno == EINTR)
		;
}

/* One perturbation point: maybe yield, maybe sleep. */
static void point(void)
{
	uint64_t r;
	int saved;

	/* Not in a tool's code: the real pthread_create of drd or a
	 * sanitizer runs its own handshake with the new thread through these
	 * very wrappers (perturbing it crashed drd), and a new thread calls
	 * them before our trampoline has seeded it. A thread we did not
	 * create (a tool's) is never perturbed either. */
	if (!enabled || quiet || !ready)
		return;
	atomic_fetch_add_explicit(&n_calls, 1, memory_order_relaxed);
	r = splitmix64(&state);
	record(r < threshold ? 1 + (unsigned)(r & 1) : 0);
	if (r >= threshold)
		return;
	saved = errno;
	if (r & 1) {
		atomic_fetch_add_explicit(&n_yields, 1, memory_order_relaxed);
		sched_yield();
	} else {
		atomic_fetch_add_explicit(&n_sleeps, 1, memory_order_relaxed);
		nap(1 + (unsigned)(splitmix64(&state) % sleep_us));
	}
	errno = saved;
}

/* ---- the real functions ---- */

#define REAL(name) static __typeof__(name) *real_##name
REAL(pthread_mutex_lock);
REAL(pthread_mutex_trylock);
REAL(pthread_mutex_unlock);
REAL(pthread_cond_wait);
REAL(pthread_cond_timedwait);
REAL(pthread_cond_signal);
REAL(pthread_cond_broadcast);
REAL(pthread_create);
REAL(sem_wait);
REAL(sem_post);
REAL(read);
REAL(write);

/* A missing symbol is a broken installation: say it
 * and stop, rather than crash in a NULL call. */
static void *resolve(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		static const char msg[] = "perturb.so: a real function is missing\n";

		syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		_exit(127);
	}
	return p;
}

/* The constructor resolves them all; this resolves on first use only for
 * calls made before it ran (another library's constructor), while the
 * process still has one thread. */
static void *get_real(void **slot, const char *name)
{
	if (!*slot)
		*slot = resolve(name);
	return *slot;
}

#define GET(name) ((__typeof__(real_##name))get_real((void **)&real_##name, #name))

/* ---- configuration from the environment ---- */

static void warn(const char *what, const char *value)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "perturb.so: %s=\"%.64s\" is not valid: "
			 "perturbation off\n", what, value);

	if (n > 0)
		syscall(SYS_write, 2, line, (size_t)n < sizeof(line) ? (size_t)n
								      : sizeof(line) - 1);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static void after_fork_child(void)
{
	unsigned n = atomic_load(&forks);

	/* the child's counters start afresh: its stats line is its own */
	atomic_store(&n_calls, 0);
	atomic_store(&n_yields, 0);
	atomic_store(&n_sleeps, 0);
	atomic_store(&trace, 0);
	seed_thread(my_index, n);
}

static void before_fork(void)
{
	atomic_fetch_add(&forks, 1);
}

__attribute__((constructor)) static void perturb_init(void)
{
	const char *s;
	uint64_t v;
	char *end;
	double d;

	enabled = 1;
	if ((s = getenv("GRADER_PERTURB_SEED"))) {
		if (parse_u64(s, &v) < 0) {
			warn("GRADER_PERTURB_SEED", s);
			enabled = 0;
		} else {
			seed = v;
		}
	}
	if ((s = getenv("GRADER_PERTURB_RATE"))) {
		errno = 0;
		d = strtod(s, &end);
		if (errno || end == s || *end || !(d >= 0 && d <= 1)) {
			warn("GRADER_PERTURB_RATE", s);
			enabled = 0;
		} else {
			rate = d;
		}
	}
	if ((s = getenv("GRADER_PERTURB_SLEEP_US"))) {
		if (parse_u64(s, &v) < 0 || v < 1 || v > 1000000) {
			warn("GRADER_PERTURB_SLEEP_US", s);
			enabled = 0;
		} else {
			sleep_us = (unsigned)v;
		}
	}
	/* every real function now, while the process has one thread: the
	 * wrappers then only read the pointers (helgrind and drd would
	 * report a lazy resolution in two threads at once as a race, and
	 * drd's own pthread_create calls these wrappers) */
	(void)GET(pthread_mutex_lock);
	(void)GET(pthread_mutex_trylock);
	(void)GET(pthread_mutex_unlock);
	(void)GET(pthread_cond_wait);
	(void)GET(pthread_cond_timedwait);
	(void)GET(pthread_cond_signal);
	(void)GET(pthread_cond_broadcast);
	(void)GET(pthread_create);
	(void)GET(sem_wait);
	(void)GET(sem_post);
	(void)GET(read);
	(void)GET(write);
	stats_path = getenv("GRADER_PERTURB_STATS");
	if (rate <= 0)
		enabled = 0;
	threshold = rate >= 1 ? UINT64_MAX : (uint64_t)(rate * 18446744073709551616.0);
	pthread_atfork(before_fork, NULL, after_fork_child);
	if (!ready)
		seed_thread(0, 0);
}

__attribute__((destructor)) static void perturb_fini(void)
{
	char line[256];
	int fd, n;

	if (!stats_path || !*stats_path)
		return;
	n = snprintf(line, sizeof(line),
		     "perturb pid=%d seed=%llu rate=%g calls=%lu yields=%lu sleeps=%lu "
		     "trace=%016llx\n",
		     (int)getpid(), (unsigned long long)seed, enabled ? rate : 0.0,
		     atomic_load(&n_calls), atomic_load(&n_yields), atomic_load(&n_sleeps),
		     (unsigned long long)atomic_load(&trace));
	fd = (int)syscall(SYS_open, stats_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			  0644);
	if (fd < 0 || n <= 0)
		return;
	syscall(SYS_write, fd, line, (size_t)n);
	close(fd);
}

/* ---- the wrappers ---- */

EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	int r;

	point();
	r = GET(pthread_mutex_lock)(m);
	point();
	return r;
}

EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
	int r;

	point();
	r = GET(pthread_mutex_trylock)(m);
	point();
	return r;
}

EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int r;

	point();
	r = GET(pthread_mutex_unlock)(m);
	point();
	return r;
}

EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	int r;

	point();
	r = GET(pthread_cond_wait)(c, m);
	point();
	return r;
}

EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
				  const struct timespec *t)
{
	int r;

	point();
	r = GET(pthread_cond_timedwait)(c, m, t);
	point();
	return r;
}

EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
	int r;

	point();
	r = GET(pthread_cond_signal)(c);
	point();
	return r;
}

EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
	int r;

	point();
	r = GET(pthread_cond_broadcast)(c);
	point();
	return r;
}

EXPORT int sem_wait(sem_t *s)
{
	int r;

	point();
	r = GET(sem_wait)(s);
	point();
	return r;
}

EXPORT int sem_post(sem_t *s)
{
	int r;

	point();
	r = GET(sem_post)(s);
	point();
	return r;
}

/* Pipes and FIFOs only: a perturbation on every file read would slow down
 * I/O-heavy programs for no race to find. (Which descriptors are pipes is
 * the program's own doing, so the trace stays reproducible.) */
static int is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t r;
	int pipe = enabled && is_pipe(fd);

	if (pipe)
		point();
	r = GET(read)(fd, buf, n);
	if (pipe)
		point();
	return r;
}

EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t r;
	int pipe = enabled && is_pipe(fd);

	if (pipe)
		point();
	r = GET(write)(fd, buf, n);
	if (pipe)
		point();
	return r;
}

/* pthread_create: the new thread's index is taken here, in the creating
 * thread, so it follows the program's order of creation. */
struct start {
	void *(*fn)(void *);
	void *arg;
	unsigned index;
	unsigned fork_no;
};

static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	seed_thread(s.index, s.fork_no);
	return s.fn(s.arg);
}

EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *a,
			  void *(*fn)(void *), void *arg)
{
	struct start *s;
	int r;

	if (!enabled)
		return GET(pthread_create)(t, a, fn, arg);
	point();
	s = malloc(sizeof(*s));
	if (!s)
		return GET(pthread_create)(t, a, fn, arg);
	s->fn = fn;
	s->arg = arg;
	s->index = atomic_fetch_add(&next_index, 1) + 1;
	s->fork_no = atomic_load(&forks);
	quiet = 1;
	r = GET(pthread_create)(t, a, trampoline, s);
	quiet = 0;
	if (r)
		free(s);
	point();
	return r;
}
