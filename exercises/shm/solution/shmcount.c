/*
 * shmcount.c - reference solution of the `shm` exercise: a counter and an
 * array shared by P processes, the C counterpart of Python's
 * multiprocessing.Value / Array protected by a multiprocessing.Lock.
 *
 *	./shmcount P N		(1 <= P <= 64, N >= 0)
 *
 * The shared data is one anonymous MAP_SHARED mapping made before fork():
 * every child inherits the *same* physical pages, so a store by one child
 * is seen by all. (Memory from malloc(), globals or the stack is copied at
 * fork(), and each child then increments its own private copy.)
 *
 * `count++` is a load, an add and a store; two processes doing it at once
 * lose updates. Each increment therefore takes a pthread mutex that lives
 * in the shared mapping and is marked PTHREAD_PROCESS_SHARED: a mutex in
 * private memory, or one without that attribute, does not exclude the
 * other processes. The mutex is also robust, so that a child killed while
 * holding it does not block the others forever: the next locker gets
 * EOWNERDEAD and repairs it.
 *
 * Anonymous memory has no name, so nothing can be left behind; with
 * shm_open() the name must be shm_unlink()ed (as soon as all processes
 * have mapped it).
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread -O2 shmcount.c -o shmcount -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_P 64

struct shared {
	pthread_mutex_t lock;	/* process-shared, robust */
	long long count;	/* guarded by lock */
	pid_t slot[MAX_P];	/* slot i is written by child i only */
};

static void usage(void)
{
	fprintf(stderr, "usage: shmcount P N   (1 <= P <= %d, N >= 0)\n", MAX_P);
	exit(2);
}

/* Parses a decimal number in [min, max]; -1 when it is not one. */
static long long parse_num(const char *s, long long min, long long max)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

static int shared_init(struct shared *sh)
{
	pthread_mutexattr_t a;
	int rc;

	rc = pthread_mutexattr_init(&a);
	if (rc == 0)
		rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutex_init(&sh->lock, &a);
	pthread_mutexattr_destroy(&a);
	if (rc != 0) {
		fprintf(stderr, "shmcount: mutex: %s\n", strerror(rc));
		return -1;
	}
	return 0;
}

static int lock(struct shared *sh)
{
	int rc = pthread_mutex_lock(&sh->lock);

	/* The previous owner died inside the critical section: its
	 * increment either happened or not, the counter is consistent. */
	if (rc == EOWNERDEAD)
		rc = pthread_mutex_consistent(&sh->lock);
	return rc;
}

static void child_main(struct shared *sh, int i, long long n)
{
	long long k;

	for (k = 0; k < n; k++) {
		if (lock(sh) != 0)
			_exit(1);
		sh->count++;
		pthread_mutex_unlock(&sh->lock);
	}
	sh->slot[i] = getpid();
	/* _exit: the child has no stdio of its own to flush. */
	_exit(0);
}

int main(int argc, char **argv)
{
	struct shared *sh;
	pid_t pid[MAX_P];
	long long n;
	int p, i, ok, status, started;
	int failed = 0;

	if (argc != 3)
		usage();
	p = (int)parse_num(argv[1], 1, MAX_P);
	/* P*N must fit the counter. */
	n = parse_num(argv[2], 0, (long long)(1LL << 56));
	if (p < 0 || n < 0)
		usage();

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("shmcount: mmap");
		return 1;
	}
	/* The mapping starts zeroed: count 0, every slot 0 (no pid is 0). */
	if (shared_init(sh) < 0)
		return 1;

	fflush(stdout);
	for (started = 0; started < p; started++) {
		pid[started] = fork();
		if (pid[started] < 0) {
			perror("shmcount: fork");
			failed = 1;
			break;
		}
		if (pid[started] == 0)
			child_main(sh, started, n);
	}

	/* Reap every child that was started, even after a failure. */
	for (i = 0; i < started; i++) {
		while (waitpid(pid[i], &status, 0) < 0) {
			if (errno != EINTR) {
				perror("shmcount: waitpid");
				return 1;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "shmcount: child %d failed (status %#x)\n",
				i, status);
			failed = 1;
		}
	}
	if (failed)
		return 1;

	/* All children are reaped: nobody else touches the memory now. */
	for (ok = 0, i = 0; i < p; i++)
		if (sh->slot[i] == pid[i])
			ok++;
	if (printf("count %lld\nslots %d\n", sh->count, ok) < 0 ||
	    fflush(stdout) == EOF) {
		perror("shmcount: stdout");
		return 1;
	}
	pthread_mutex_destroy(&sh->lock);
	munmap(sh, sizeof(*sh));
	return 0;
}
