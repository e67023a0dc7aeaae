/*
 * prodcons.c - ./prodcons P C N CAP: P producer threads put the items
 * "p:0" .. "p:(N-1)" into a bounded FIFO buffer of CAP items, C consumer
 * threads take them and print "cJ p:i"; when all P*N items are consumed
 * every consumer exits and main prints "total T".
 *
 * Read README.md first. See pthread_cond_wait(3), pthread_cond_signal(3),
 * pthread_cond_broadcast(3).
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread prodcons.c -o prodcons -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* The start event (threading.Event): a flag, a mutex, a condition. */
struct event {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool set;
};

struct item {
	int producer;
	long index;
};

/* The bounded buffer. TODO: complete it. */
struct buffer {
	pthread_mutex_t lock;
	pthread_cond_t not_full;
	pthread_cond_t not_empty;
	struct item *ring;	/* CAP items */
	long cap, head, count;
};

static struct event start = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false
};

static void usage(void)
{
	fprintf(stderr, "usage: prodcons P C N CAP\n");
	exit(2);
}

static void event_wait(struct event *e)
{
	/* TODO: wait until e->set (in a loop) */
	(void)e;
}

static void event_set(struct event *e)
{
	/* TODO: set the flag and wake every waiter */
	(void)e;
}

static void *producer(void *arg)
{
	event_wait(&start);
	/* TODO: put p:0 .. p:(N-1) */
	(void)arg;
	return NULL;
}

static void *consumer(void *arg)
{
	event_wait(&start);
	/* TODO: take items and print "cJ p:i" until all P*N are consumed */
	(void)arg;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5)
		usage();
	(void)argv;
	(void)producer;
	(void)consumer;
	/* TODO: check the arguments, create the buffer, the P producers and
	 * the C consumers, event_set(&start), join everything, print
	 * "total T", free everything. */
	event_set(&start);
	return 0;
}
