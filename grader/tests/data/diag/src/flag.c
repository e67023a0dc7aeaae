/*
 * flag.c - a data race between a thread that publishes a value and the
 * main thread that polls for it without synchronisation.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int data;

static void *producer(void *arg)
{
	(void)arg;
	usleep(100000);
	data = 42; /* written without a lock */
	return NULL;
}

int main(void)
{
	pthread_t t;
	int seen;

	pthread_create(&t, NULL, producer, NULL);
	usleep(200000);
	seen = data; /* read without a lock */
	pthread_join(t, NULL);
	printf("%d\n", seen);
	return 0;
}
