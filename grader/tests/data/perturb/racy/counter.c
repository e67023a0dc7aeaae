/*
 * counter.c - a check-then-act
 * race. Each of T threads (argv[1], default 2) adds 1 to a shared counter
 * N times (argv[2], default 100), reading it under the lock and writing
 * it back under the lock taken again: between the two, another thread's
 * update can be lost. Every single access is locked, so no race detector
 * sees it; only the count shows it. The work of one thread is so short
 * that, unperturbed, a thread usually finishes before the next one starts,
 * and the count comes out right. Prints the count; exits 1 when updates
 * were lost.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long n = 100;

static void *add(void *arg)
{
	long i, v;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&lock);
		v = counter;
		pthread_mutex_unlock(&lock);
		/* the bug: the value read may be stale by now */
		pthread_mutex_lock(&lock);
		counter = v + 1;
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

int main(int argc, char **argv)
{
	int t = argc > 1 ? atoi(argv[1]) : 2, i;
	pthread_t tid[64];

	if (argc > 2)
		n = atol(argv[2]);
	if (t < 1 || t > 64 || n < 1)
		return 2;
	for (i = 0; i < t; i++)
		if (pthread_create(&tid[i], NULL, add, NULL))
			return 2;
	for (i = 0; i < t; i++)
		pthread_join(tid[i], NULL);
	printf("%ld\n", counter);
	return counter == (long)t * n ? 0 : 1;
}
