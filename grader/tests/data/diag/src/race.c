/*
 * race.c - a data race: two threads increment a counter without a lock.
 */
#include <pthread.h>
#include <stdio.h>

static int counter;

static void *worker(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 1000; i++)
		counter++; /* unprotected read-modify-write */
	return NULL;
}

int main(void)
{
	pthread_t a, b;

	pthread_create(&a, NULL, worker, NULL);
	pthread_create(&b, NULL, worker, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("%d\n", counter);
	return 0;
}
