/*
 * pool.c - starter for the pool exercise (see ../README.md).
 *
 * A pool of W worker processes, created once with fork() and fed through
 * pipes, counts the primes <= n for every line of standard input; the
 * parent prints "n count pid" in input order, then "workers W".
 *
 * This skeleton compiles and checks its argument; the rest is yours. The
 * comments suggest one way to build it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 16
#define MAX_N 10000000L

/*
 * Number of primes <= n. Must be fast: n = 10^7 well under a second
 * (a sieve of Eratosthenes; trial division of every number is too slow).
 */
long count_primes(long n)
{
	(void)n;
	/* Your code. */
	return 0;
}

/*
 * A worker's whole life: read a request (e.g. the n, as a fixed-size binary
 * record) from req_fd, answer on res_fd (which worker, and the count),
 * until read() returns 0 (the parent closed the pipe: no more tasks); then
 * _exit(0). Close every pipe end you do not use right after fork(),
 * including the request pipes of the workers created before you.
 */
void worker_main(int index, int req_fd, int res_fd)
{
	(void)index;
	(void)req_fd;
	(void)res_fd;
	/* Your code. */
	_exit(0);
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
	int w;

	if (argc != 2 || (w = parse_workers(argv[1])) < 0) {
		fprintf(stderr, "usage: pool W   (1 <= W <= %d)\n", MAX_WORKERS);
		return 2;
	}

	/* Your code:
	 * 1. Create the result pipe and W workers (pipe + fork each).
	 * 2. Give each worker one task to begin with, then a new task each
	 *    time it answers (or deal them out round-robin).
	 * 3. Keep the answers until they can be printed in input order.
	 * 4. At the end of input, close the request pipes: the workers exit.
	 *    Reap each one as soon as it exits (SIGCHLD, waitpid WNOHANG).
	 * 5. Print "workers W" last. */
	printf("workers %d\n", w);
	return 0;
}
