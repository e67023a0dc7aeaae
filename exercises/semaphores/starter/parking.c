/*
 * parking.c - ./parking K N: N worker threads share a car park of K
 * spaces guarded by a counting semaphore. Worker i takes a space, prints
 * "enter i", stays about 20 ms, prints "leave i" and gives the space back;
 * main joins them all and prints "done N".
 *
 * Read README.md first. See sem_init(3), sem_wait(3), sem_post(3).
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread parking.c -o parking -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_N 1000

static sem_t spaces;	/* TODO: sem_init it to K in main */

static void usage(void)
{
	fprintf(stderr, "usage: parking K N\n");
	exit(2);
}

static void *worker(void *arg)
{
	int i = (int)(long)arg;

	/* TODO: take a space, print "enter i", stay 20 ms, print
	 * "leave i", give the space back (in which order, and why?). */
	(void)i;
	(void)&spaces;
	return NULL;
}

int main(int argc, char **argv)
{
	static pthread_t tid[MAX_N];

	if (argc != 3)
		usage();
	(void)argv;
	(void)tid;
	(void)worker;
	/* TODO: check 1 <= K <= N <= 1000, sem_init, create the N
	 * workers (worker i gets (void *)(long)i), join them, print
	 * "done N", sem_destroy. */
	return 0;
}
