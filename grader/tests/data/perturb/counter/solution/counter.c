/* counter.c - the reference: each update read and written under one lock. */
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
