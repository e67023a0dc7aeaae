/*
 * bqueue.c - your implementation of bqueue.h: a thread-safe FIFO queue of
 * `void *` items, the C counterpart of multiprocessing.Queue(maxsize).
 *
 * Read README.md first. Do not change bqueue.h: the grader compiles this
 * file with its own copy of it.
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread -c bqueue.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bqueue.h"

struct bqueue {
	pthread_mutex_t lock;	/* guards every field below */
	/* TODO: condition variables, storage for the items, counters,
	 * maxsize, a `closed` flag... */
	size_t maxsize;		/* 0 = unbounded */
};

bqueue *bq_create(size_t maxsize)
{
	bqueue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->maxsize = maxsize;
	/* TODO: initialise the mutex and the condition variables (think
	 * about which clock the timed waits use). */
	return q;
}

int bq_put(bqueue *q, void *item, int timeout_ms)
{
	/* TODO: wait (in a loop!) while the queue is full and not closed;
	 * timeout_ms < 0 waits forever, 0 never waits, > 0 waits at most
	 * that long and then returns BQ_FULL. */
	(void)q;
	(void)item;
	(void)timeout_ms;
	return BQ_FULL;
}

int bq_get(bqueue *q, void **item, int timeout_ms)
{
	/* TODO: like bq_put, waiting while the queue is empty; a closed
	 * queue still hands out its remaining items, then BQ_CLOSED. */
	(void)q;
	(void)item;
	(void)timeout_ms;
	return BQ_EMPTY;
}

size_t bq_size(bqueue *q)
{
	(void)q;
	return 0;	/* TODO */
}

bool bq_full(bqueue *q)
{
	(void)q;
	return false;	/* TODO */
}

bool bq_empty(bqueue *q)
{
	(void)q;
	return true;	/* TODO */
}

void bq_close(bqueue *q)
{
	/* TODO: mark the queue closed and wake *every* waiter. */
	(void)q;
}

void bq_destroy(bqueue *q)
{
	/* TODO: free everything bq_create and bq_put allocated. */
	free(q);
}
