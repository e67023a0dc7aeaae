/*
 * pool.c - reference solution of the pool exercise: the C counterpart of the
 * course's multiprocessing.Pool "efficiency test". W worker processes,
 * created once with fork(), count the primes <= n for every task read from
 * standard input; the parent prints the answers in input order.
 *
 * Plumbing: one request pipe per worker (parent -> worker) and one result
 * pipe shared by all workers (workers -> parent). Records are small fixed
 * structs, so each write is atomic (< PIPE_BUF) and results of different
 * workers never mix.
 *
 * Scheduling is on demand: a worker has at most one task at a time and gets
 * the next one when its answer comes back, so a slow task does not hold up
 * the others. The first W tasks go to workers 0..W-1, one each: with at
 * least W tasks every worker does work. When the input ends, each idle
 * worker's request pipe is closed; the worker reads end of file and exits.
 *
 * Reaping: the parent sleeps in ppoll() on the result pipe with SIGCHLD
 * blocked everywhere else, so a worker's exit interrupts the sleep and the
 * parent reaps at once (waitpid WNOHANG); no SIGCHLD can slip in between the
 * reap and the sleep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 16
#define MAX_N 10000000L
#define SEGMENT 32768           /* odd numbers per sieve segment (L1-sized) */

struct request {
	int32_t n;
};

struct result {
	int32_t worker;         /* index of the worker that did it */
	int32_t count;          /* primes <= n; 664579 for 10^7 */
};

struct worker {
	pid_t pid;              /* 0 once reaped */
	int req_fd;             /* write end of its request pipe; -1 once closed */
	bool busy;
	size_t task;            /* global index of its task while busy */
};

struct task {
	long n;
	long count;
	pid_t pid;
	bool done;
};

/*
 * The tasks read so far, by global index (input order). Entries before
 * `printed` are no longer needed; they are dropped when the array would
 * grow, so memory follows the tasks in flight, not the input size (unless
 * one slow task holds back many answers).
 */
struct task_log {
	struct task *v;
	size_t first;           /* global index of v[0] */
	size_t len, cap;
	size_t printed;         /* global index of the next task to print */
};

static struct worker workers[MAX_WORKERS];
static int nworkers;
static int alive;               /* workers not yet reaped */
static int result_fd = -1;
static sigset_t waitmask;       /* our mask with SIGCHLD unblocked */

/* ---- workers ------------------------------------------------------------ */

/* Reads exactly len bytes; returns len, 0 at a clean end of file, -1 on an
 * error or a truncated record. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return (ssize_t)len;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/*
 * Number of primes <= n by a segmented sieve of Eratosthenes over the odd
 * numbers: the base primes up to sqrt(n) cross out multiples in one
 * cache-sized segment at a time (10^7 takes a few milliseconds).
 */
static long count_primes(long n)
{
	static unsigned char small[3200];       /* sqrt(10^7) < 3163 */
	static long base[3200];
	static unsigned char seg[SEGMENT];
	long root = 1, nbase = 0, count = 1;    /* count: the prime 2 */

	if (n < 2)
		return 0;
	while ((root + 1) * (root + 1) <= n)
		root++;
	memset(small, 1, (size_t)root + 1);
	for (long i = 3; i <= root; i += 2) {
		if (!small[i])
			continue;
		base[nbase++] = i;
		for (long j = i * i; j <= root; j += 2 * i)
			small[j] = 0;
	}
	for (long lo = 3; lo <= n; lo += 2 * SEGMENT) {
		long hi = lo + 2 * (SEGMENT - 1);       /* odd numbers lo..hi */
		size_t len;

		if (hi > n)
			hi = (n % 2) ? n : n - 1;
		len = (size_t)((hi - lo) / 2 + 1);
		memset(seg, 1, len);
		for (long b = 0; b < nbase && base[b] * base[b] <= hi; b++) {
			long p = base[b];
			long m = p * p;

			if (m < lo) {
				m = (lo + p - 1) / p * p;
				if (m % 2 == 0)
					m += p;
			}
			for (; m <= hi; m += 2 * p)
				seg[(m - lo) / 2] = 0;
		}
		for (size_t i = 0; i < len; i++)
			count += seg[i];
	}
	return count;
}

/* A worker's whole life: answer requests until the parent closes the pipe. */
static void __attribute__((noreturn)) worker_main(int index, int req_fd, int res_fd)
{
	struct request rq;
	struct result rs;
	ssize_t r;

	while ((r = read_full(req_fd, &rq, sizeof(rq))) > 0) {
		rs.worker = index;
		rs.count = (int32_t)count_primes(rq.n);
		if (write_full(res_fd, &rs, sizeof(rs)) < 0)
			_exit(1);
	}
	_exit(r == 0 ? 0 : 1);
}

/* ---- parent ------------------------------------------------------------- */

static void on_sigchld(int sig)
{
	(void)sig;      /* only there to interrupt ppoll() */
}

/* Marks a reaped worker; returns -1 (and reports, unless we killed it
 * ourselves) when its death is a failure. */
static int worker_reaped(pid_t pid, int status, bool killed)
{
	for (int k = 0; k < nworkers; k++) {
		if (workers[k].pid != pid)
			continue;
		workers[k].pid = 0;
		alive--;
		if (killed)
			return 0;
		if (workers[k].busy) {
			fprintf(stderr, "pool: worker %ld died during a task\n",
				(long)pid);
			return -1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "pool: worker %ld failed (status 0x%x)\n",
				(long)pid, status);
			return -1;
		}
		return 0;
	}
	return 0;
}

/* Reaps every worker that has already exited, without waiting. */
static int reap_exited(void)
{
	int status, rc = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (worker_reaped(pid, status, false) < 0)
			rc = -1;
	if (pid < 0 && errno != ECHILD && errno != EINTR) {
		perror("pool: waitpid");
		rc = -1;
	}
	return rc;
}

/* Closes every request pipe, kills what is still running if asked, and
 * waits for all workers: nobody is left behind, even on failure. Returns -1
 * if a worker failed. */
static int shut_down(bool kill_them)
{
	int status, rc = 0;
	pid_t pid;

	for (int k = 0; k < nworkers; k++) {
		if (workers[k].req_fd >= 0) {
			close(workers[k].req_fd);
			workers[k].req_fd = -1;
		}
		if (kill_them && workers[k].pid > 0)
			kill(workers[k].pid, SIGKILL);
		workers[k].busy = false;
	}
	while (alive > 0) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			perror("pool: waitpid");
			return -1;
		}
		if (worker_reaped(pid, status, kill_them) < 0)
			rc = -1;
	}
	return rc;
}

static int start_workers(int w)
{
	int res[2];
	struct sigaction sa;

	if (pipe(res) < 0) {
		perror("pool: pipe");
		return -1;
	}
	result_fd = res[0];
	for (int k = 0; k < w; k++) {
		int req[2];
		pid_t pid;

		if (pipe(req) < 0) {
			perror("pool: pipe");
			close(res[1]);
			return -1;
		}
		pid = fork();
		if (pid < 0) {
			perror("pool: fork");
			close(req[0]);
			close(req[1]);
			close(res[1]);
			return -1;
		}
		if (pid == 0) {
			/* Keep only our own request read end and the result
			 * write end: a worker holding another worker's request
			 * write end would keep that worker from seeing EOF. */
			for (int j = 0; j < k; j++)
				close(workers[j].req_fd);
			close(req[1]);
			close(res[0]);
			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = SIG_DFL;
			sigaction(SIGCHLD, &sa, NULL);
			sigaction(SIGPIPE, &sa, NULL);
			sigprocmask(SIG_SETMASK, &waitmask, NULL);
			worker_main(k, req[0], res[1]);
		}
		close(req[0]);
		workers[k].pid = pid;
		workers[k].req_fd = req[1];
		workers[k].busy = false;
		nworkers++;
		alive++;
	}
	/* Only the workers write results now: if they all die, we read EOF. */
	close(res[1]);
	return 0;
}

/*
 * Reads the next task. Returns 1 with *n set, 0 at the end of input, -1 on
 * a malformed line (reported). Blank lines are skipped.
 */
static int next_task(char **line, size_t *cap, size_t *lineno, long *n)
{
	ssize_t len;

	while ((len = getline(line, cap, stdin)) >= 0) {
		char *s = *line, *end;

		(*lineno)++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\n' || *s == '\r' || *s == '\0')
			continue;
		errno = 0;
		*n = strtol(s, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (errno || end == s || *end != '\0' || *s == '-' || *s == '+' ||
		    *n < 0 || *n > MAX_N) {
			fprintf(stderr, "pool: line %zu: expected an integer in "
				"0..%ld\n", *lineno, MAX_N);
			return -1;
		}
		return 1;
	}
	if (ferror(stdin)) {
		perror("pool: stdin");
		return -1;
	}
	return 0;
}

static struct task *task_at(struct task_log *log, size_t i)
{
	return &log->v[i - log->first];
}

static void task_append(struct task_log *log, long n)
{
	if (log->len == log->cap) {
		size_t drop = log->printed - log->first;

		if (drop > 0) {
			memmove(log->v, log->v + drop,
				(log->len - drop) * sizeof(*log->v));
			log->len -= drop;
			log->first = log->printed;
		}
	}
	if (log->len == log->cap) {
		size_t cap = log->cap ? 2 * log->cap : 64;
		struct task *v = realloc(log->v, cap * sizeof(*v));

		if (!v) {
			fprintf(stderr, "pool: out of memory\n");
			shut_down(true);
			exit(1);
		}
		log->v = v;
		log->cap = cap;
	}
	log->v[log->len++] = (struct task){ .n = n };
}

/* Prints the answers that are ready, in input order. */
static int print_ready(struct task_log *log)
{
	bool any = false;

	while (log->printed < log->first + log->len) {
		struct task *t = task_at(log, log->printed);

		if (!t->done)
			break;
		printf("%ld %ld %ld\n", t->n, t->count, (long)t->pid);
		log->printed++;
		any = true;
	}
	if (any && fflush(stdout) == EOF) {
		perror("pool: stdout");
		return -1;
	}
	return 0;
}

/*
 * Gives a task to every idle worker; closes idle workers' pipes at EOF. A
 * malformed line ends the input (*bad is set): the tasks before it are
 * still done and printed.
 */
static int dispatch(struct task_log *log, bool *eof, bool *bad,
		    int *outstanding, char **line, size_t *cap, size_t *lineno)
{
	for (int k = 0; k < nworkers; k++) {
		struct worker *wk = &workers[k];
		struct request rq;
		long n;

		if (wk->busy || wk->req_fd < 0)
			continue;
		if (!*eof) {
			int r = next_task(line, cap, lineno, &n);

			if (r < 0)
				*bad = true;
			if (r <= 0)
				*eof = true;
		}
		if (*eof) {
			close(wk->req_fd);      /* the worker sees EOF, exits */
			wk->req_fd = -1;
			continue;
		}
		task_append(log, n);
		rq.n = (int32_t)n;
		if (write_full(wk->req_fd, &rq, sizeof(rq)) < 0) {
			perror("pool: write to worker");
			return -1;
		}
		wk->busy = true;
		wk->task = log->first + log->len - 1;
		(*outstanding)++;
	}
	return 0;
}

static int collect(struct task_log *log, int *outstanding)
{
	struct result rs;
	struct worker *wk;
	struct task *t;
	ssize_t r = read_full(result_fd, &rs, sizeof(rs));

	if (r <= 0) {
		fprintf(stderr, "pool: %s\n", r == 0 ?
			"all workers gone with tasks pending" :
			"cannot read a result");
		return -1;
	}
	if (rs.worker < 0 || rs.worker >= nworkers || !workers[rs.worker].busy) {
		fprintf(stderr, "pool: bad result record\n");
		return -1;
	}
	wk = &workers[rs.worker];
	t = task_at(log, wk->task);
	t->count = rs.count;
	t->pid = wk->pid;
	t->done = true;
	wk->busy = false;
	(*outstanding)--;
	return 0;
}

static int run(void)
{
	struct task_log log = { 0 };
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	bool eof = false, bad = false;
	int outstanding = 0, rc = 0;

	for (;;) {
		struct pollfd pfd = { .fd = result_fd, .events = POLLIN };

		if (reap_exited() < 0 ||
		    dispatch(&log, &eof, &bad, &outstanding, &line, &cap,
			     &lineno) < 0 ||
		    print_ready(&log) < 0) {
			rc = -1;
			break;
		}
		if (eof && outstanding == 0)
			break;
		if (ppoll(&pfd, 1, NULL, &waitmask) < 0) {
			if (errno == EINTR)
				continue;       /* SIGCHLD: reap at the top */
			perror("pool: ppoll");
			rc = -1;
			break;
		}
		if (collect(&log, &outstanding) < 0) {
			rc = -1;
			break;
		}
	}
	free(line);
	free(log.v);
	return bad ? -1 : rc;
}

static int parse_workers(const char *s)
{
	char *end;
	long w;

	errno = 0;
	w = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || w < 1 || w > MAX_WORKERS)
		return -1;
	return (int)w;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t chld;
	int w, rc;

	if (argc != 2 || (w = parse_workers(argv[1])) < 0) {
		fprintf(stderr, "usage: pool W   (1 <= W <= %d)\n", MAX_WORKERS);
		return 2;
	}

	/* A worker that died must show up as an error, not kill us. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, NULL) < 0) {
		perror("pool: sigaction");
		return 1;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, &waitmask) < 0) {
		perror("pool: sigprocmask");
		return 1;
	}
	sigdelset(&waitmask, SIGCHLD);

	if (start_workers(w) < 0) {
		shut_down(true);
		return 1;
	}
	rc = run();
	if (shut_down(rc < 0) < 0)
		rc = -1;
	close(result_fd);
	if (rc < 0)
		return 1;
	printf("workers %d\n", w);
	return fflush(stdout) == EOF ? 1 : 0;
}
