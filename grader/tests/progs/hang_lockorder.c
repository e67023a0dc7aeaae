/*
 * hang_lockorder.c - test program for check_stacks.c: a lock-order deadlock.
 * Thread 2 takes a then b, thread 3 takes b then a; a barrier makes sure
 * each holds its first lock before asking for the second, so the deadlock
 * is certain. The main thread then waits in pthread_join forever.
 * Prints "ready" once both threads hold their first lock.
 * The line numbers of the blocking calls are asserted by the tests.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both;

static void *first(void *arg)
{
	pthread_mutex_lock(&a);
	pthread_barrier_wait(&both);
	pthread_mutex_lock(&b); /* line 20 */
	pthread_mutex_unlock(&b);
	pthread_mutex_unlock(&a);
	return arg;
}

static void *second(void *arg)
{
	pthread_mutex_lock(&b);
	pthread_barrier_wait(&both);
	pthread_mutex_lock(&a); /* line 30 */
	pthread_mutex_unlock(&a);
	pthread_mutex_unlock(&b);
	return arg;
}

int main(void)
{
	pthread_t t1, t2;

	pthread_barrier_init(&both, NULL, 3);
	pthread_create(&t1, NULL, first, NULL);
	pthread_create(&t2, NULL, second, NULL);
	pthread_barrier_wait(&both);
	printf("ready\n");
	fflush(stdout);
	pthread_join(t1, NULL); /* line 46 */
	pthread_join(t2, NULL);
	return 0;
}
