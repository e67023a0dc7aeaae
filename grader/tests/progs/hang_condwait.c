/*
 * hang_condwait.c - test program for check_stacks.c: a thread waits on a
 * condition variable that nobody ever signals (a lost wake-up), the main
 * thread joins it. Prints "ready" before joining.
 * The line numbers of the blocking calls are asserted by the tests.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nonempty = PTHREAD_COND_INITIALIZER;
static int items;

static void *consumer(void *arg)
{
	pthread_mutex_lock(&lock);
	while (items == 0)
		pthread_cond_wait(&nonempty, &lock); /* line 18 */
	items--;
	pthread_mutex_unlock(&lock);
	return arg;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, consumer, NULL);
	printf("ready\n");
	fflush(stdout);
	pthread_join(t, NULL); /* line 31 */
	return 0;
}
