/*
 * parking.c - reference solution of the `semaphores` exercise: a car park
 * of K spaces shared by N worker threads, the C counterpart of Python's
 * multiprocessing/threading Semaphore(K) with acquire()/release().
 *
 *	./parking K N		(1 <= K <= N <= 1000)
 *
 * A counting semaphore starts at K, the number of free spaces: sem_wait()
 * takes one (and blocks while there is none), sem_post() gives it back.
 * So at most K workers are ever between their sem_wait and sem_post.
 *
 * The output must show that too, so each worker prints `enter i` only
 * after sem_wait() returned and `leave i` *before* sem_post(): a `leave`
 * printed after the post could appear after the next worker's `enter`, and
 * the output would show K+1 cars inside although the car park never held
 * them.
 *
 * All workers wait at a start gate (a barrier) until main has created them
 * all, so that they really compete for the spaces even when creating
 * hundreds of threads is slower than one 20 ms stay.
 *
 * Each line is one printf() call: stdio locks the stream for the call, so
 * lines of different threads never mix, and they come out in the order of
 * the calls. Standard output is line-buffered so that the lines also leave
 * the process when they are printed, even into a pipe.
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread -O2 parking.c -o parking -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_N 1000
#define STAY_MS 20
#define STACK_SIZE (256 * 1024)	/* 1000 default 8 MiB stacks is a lot */

static sem_t spaces;			/* free spaces, starts at K */
static pthread_barrier_t start_gate;	/* N workers + main */

static void usage(void)
{
	fprintf(stderr, "usage: parking K N   (1 <= K <= N <= %d)\n", MAX_N);
	exit(2);
}

static long parse_num(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > MAX_N)
		return -1;
	return v;
}

static void stay(void)
{
	struct timespec t = { 0, STAY_MS * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static void *worker(void *arg)
{
	int i = (int)(long)arg;

	pthread_barrier_wait(&start_gate);
	/* sem_wait is interrupted by signal handlers (EINTR): try again. */
	while (sem_wait(&spaces) < 0)
		if (errno != EINTR) {
			perror("parking: sem_wait");
			exit(1);
		}
	printf("enter %d\n", i);
	stay();
	printf("leave %d\n", i);	/* before giving the space back */
	sem_post(&spaces);
	return NULL;
}

int main(int argc, char **argv)
{
	static pthread_t tid[MAX_N];
	pthread_attr_t attr;
	long k, n, i;
	int rc;

	if (argc != 3)
		usage();
	k = parse_num(argv[1]);
	n = parse_num(argv[2]);
	if (k < 1 || n < k)
		usage();

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sem_init(&spaces, 0, (unsigned)k) < 0) {
		perror("parking: sem_init");
		return 1;
	}
	rc = pthread_barrier_init(&start_gate, NULL, (unsigned)n + 1);
	if (rc == 0)
		rc = pthread_attr_init(&attr);
	if (rc == 0)
		rc = pthread_attr_setstacksize(&attr, STACK_SIZE);
	if (rc != 0) {
		fprintf(stderr, "parking: %s\n", strerror(rc));
		return 1;
	}
	for (i = 0; i < n; i++) {
		rc = pthread_create(&tid[i], &attr, worker, (void *)i);
		if (rc != 0) {
			/* The started workers wait at the gate: just leave. */
			fprintf(stderr, "parking: pthread_create: %s\n",
				strerror(rc));
			exit(1);
		}
	}
	pthread_attr_destroy(&attr);
	pthread_barrier_wait(&start_gate);
	for (i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	printf("done %ld\n", n);
	pthread_barrier_destroy(&start_gate);
	sem_destroy(&spaces);
	return 0;
}
