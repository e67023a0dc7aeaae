/*
 * prodcons.c - reference solution of the `prodcons` exercise: P producer
 * and C consumer threads around one bounded FIFO buffer, the C
 * counterpart of the course's producer_consumer.py with threading.Event
 * and threading.Condition.
 *
 *	./prodcons P C N CAP	(P, C >= 1; N >= 0; CAP >= 1)
 *
 * The buffer is a ring of CAP items guarded by one mutex, with two
 * condition variables: producers wait on `not_full`, consumers on
 * `not_empty`. Every wait is in a `while` loop: a woken thread must look
 * again, because another thread may have taken the item or the slot in
 * between (and POSIX allows spurious wakeups).
 *
 * Termination: the consumers know the total P*N, and the buffer counts
 * the items taken. A consumer stops when `taken == total`; the one that
 * takes the last item broadcasts `not_empty` so that every consumer still
 * waiting wakes up, sees it, and stops. (With N = 0 nobody ever waits.)
 *
 * The start event is Python's threading.Event in C: a flag, a mutex and a
 * condition variable; set() sets the flag and broadcasts, wait() waits in
 * a loop until the flag is set. Main sets it once every thread exists.
 *
 * A consumer prints its item while still holding the buffer lock, so the
 * output order is the order in which items left the FIFO (each producer's
 * items appear in order); printf() writes each line whole, and standard
 * output is line-buffered so that lines leave the process as they are
 * printed, also into a pipe.
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread -O2 prodcons.c -o prodcons -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_SIZE (256 * 1024)

/* threading.Event */
struct event {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool set;
};

struct item {
	int producer;
	long index;
};

struct buffer {
	pthread_mutex_t lock;
	pthread_cond_t not_full;
	pthread_cond_t not_empty;
	struct item *ring;
	long cap, head, count;
	long long taken, total;	/* items consumed so far, of P*N */
};

struct worker {
	pthread_t tid;
	int index;
};

static struct event start = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false
};
static struct buffer buf = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
};
static long n_items;		/* N, read-only once threads exist */

static void usage(void)
{
	fprintf(stderr, "usage: prodcons P C N CAP   (P, C >= 1; N >= 0; CAP >= 1)\n");
	exit(2);
}

static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

static void event_set(struct event *e)
{
	pthread_mutex_lock(&e->lock);
	e->set = true;
	pthread_cond_broadcast(&e->cv);
	pthread_mutex_unlock(&e->lock);
}

static void event_wait(struct event *e)
{
	pthread_mutex_lock(&e->lock);
	while (!e->set)
		pthread_cond_wait(&e->cv, &e->lock);
	pthread_mutex_unlock(&e->lock);
}

static void *producer(void *arg)
{
	struct worker *w = arg;
	long i;

	event_wait(&start);
	for (i = 0; i < n_items; i++) {
		pthread_mutex_lock(&buf.lock);
		while (buf.count == buf.cap)
			pthread_cond_wait(&buf.not_full, &buf.lock);
		buf.ring[(buf.head + buf.count) % buf.cap] =
			(struct item){ w->index, i };
		buf.count++;
		pthread_cond_signal(&buf.not_empty);
		pthread_mutex_unlock(&buf.lock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct worker *w = arg;
	struct item it;

	event_wait(&start);
	pthread_mutex_lock(&buf.lock);
	for (;;) {
		while (buf.count == 0 && buf.taken < buf.total)
			pthread_cond_wait(&buf.not_empty, &buf.lock);
		if (buf.count == 0)
			break;	/* all taken: nothing will ever come */
		it = buf.ring[buf.head];
		buf.head = (buf.head + 1) % buf.cap;
		buf.count--;
		buf.taken++;
		printf("c%d %d:%ld\n", w->index, it.producer, it.index);
		pthread_cond_signal(&buf.not_full);
		/* The last item: wake every consumer so that all can stop. */
		if (buf.taken == buf.total)
			pthread_cond_broadcast(&buf.not_empty);
	}
	pthread_mutex_unlock(&buf.lock);
	return NULL;
}

static int spawn(struct worker *w, int index, void *(*fn)(void *),
		 const pthread_attr_t *attr)
{
	int rc;

	w->index = index;
	rc = pthread_create(&w->tid, attr, fn, w);
	if (rc != 0)
		fprintf(stderr, "prodcons: pthread_create: %s\n", strerror(rc));
	return rc;
}

int main(int argc, char **argv)
{
	struct worker *prod, *cons;
	pthread_attr_t attr;
	long p, c, cap, i;

	if (argc != 5)
		usage();
	p = parse_num(argv[1], 1, 100000);
	c = parse_num(argv[2], 1, 100000);
	n_items = parse_num(argv[3], 0, LONG_MAX / 100000);
	cap = parse_num(argv[4], 1, 100000000);
	if (p < 0 || c < 0 || n_items < 0 || cap < 0)
		usage();

	setvbuf(stdout, NULL, _IOLBF, 0);
	buf.ring = calloc((size_t)cap, sizeof(*buf.ring));
	prod = calloc((size_t)p, sizeof(*prod));
	cons = calloc((size_t)c, sizeof(*cons));
	if (!buf.ring || !prod || !cons) {
		fprintf(stderr, "prodcons: out of memory\n");
		return 1;
	}
	buf.cap = cap;
	buf.total = (long long)p * n_items;

	if (pthread_attr_init(&attr) != 0 ||
	    pthread_attr_setstacksize(&attr, STACK_SIZE) != 0) {
		fprintf(stderr, "prodcons: pthread_attr\n");
		return 1;
	}
	/* Threads that exist wait for the start event: exit() ends them. */
	for (i = 0; i < p; i++)
		if (spawn(&prod[i], (int)i, producer, &attr) != 0)
			exit(1);
	for (i = 0; i < c; i++)
		if (spawn(&cons[i], (int)i, consumer, &attr) != 0)
			exit(1);
	pthread_attr_destroy(&attr);
	event_set(&start);

	for (i = 0; i < p; i++)
		pthread_join(prod[i].tid, NULL);
	for (i = 0; i < c; i++)
		pthread_join(cons[i].tid, NULL);
	printf("total %lld\n", buf.total);
	free(prod);
	free(cons);
	free(buf.ring);
	return 0;
}
