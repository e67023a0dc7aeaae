/*
 * hang_spin.c - test program for check_stacks.c: a busy loop. A worker
 * thread spins on a flag nobody sets while the main thread joins it.
 * Prints "ready" before joining.
 * The line numbers are asserted by the tests.
 */
#include <pthread.h>
#include <stdio.h>

static volatile int done;
static volatile unsigned long spins;

static void *spinner(void *arg)
{
	while (!done)
		spins++; /* line 16 */
	return arg;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, spinner, NULL);
	printf("ready\n");
	fflush(stdout);
	pthread_join(t, NULL); /* line 27 */
	return 0;
}
