/*
 * bqueue.c - reference solution of the `queues` exercise, part a: a
 * thread-safe FIFO queue of `void *` items, the C counterpart of Python's
 * multiprocessing.Queue(maxsize) with put/get(block, timeout), qsize(),
 * full(), empty() and close().
 *
 * One mutex guards every field; two condition variables say why a thread
 * waits: `not_empty` (getters) and `not_full` (putters). Three rules make
 * it correct:
 *
 *   - every wait sits in a `while` loop that re-tests the condition after
 *     waking: a wakeup only means "look again" (another thread may have
 *     taken the item first, and POSIX allows spurious wakeups);
 *   - a put wakes one getter and a get wakes one putter (one item or one
 *     free slot helps exactly one waiter), but bq_close() wakes *every*
 *     waiter with a broadcast, since all of them must return BQ_CLOSED;
 *   - timed waits use an absolute deadline on CLOCK_MONOTONIC, and the
 *     condition variables are told so (pthread_condattr_setclock): the
 *     default clock of a condition variable is CLOCK_REALTIME, which jumps
 *     when the system time is set, and mixing the two clocks makes every
 *     timeout either immediate or decades long.
 *
 * Items live in a ring buffer that grows by doubling (up to maxsize when
 * the queue is bounded), so an unbounded queue has no fixed limit and a
 * queue created with a huge maxsize costs nothing until it fills. The
 * queue never owns the items: bq_destroy() frees the queue's own memory
 * only.
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread -O2 -c bqueue.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "bqueue.h"

#define BQ_INITIAL_SLOTS 16

struct bqueue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;	/* signalled when an item is added */
	pthread_cond_t not_full;	/* signalled when a slot is freed */
	void **slots;			/* ring buffer of nslots entries */
	size_t nslots;
	size_t head;			/* index of the oldest item */
	size_t count;			/* items currently queued */
	size_t maxsize;			/* 0 = unbounded */
	bool closed;
};

bqueue *bq_create(size_t maxsize)
{
	pthread_condattr_t cattr;
	bqueue *q;
	size_t n = BQ_INITIAL_SLOTS;

	if (maxsize != 0 && maxsize < n)
		n = maxsize;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->slots = calloc(n, sizeof(*q->slots));
	if (!q->slots)
		goto fail_q;
	q->nslots = n;
	q->maxsize = maxsize;

	if (pthread_mutex_init(&q->lock, NULL) != 0)
		goto fail_slots;
	if (pthread_condattr_init(&cattr) != 0)
		goto fail_lock;
	if (pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&q->not_empty, &cattr) != 0)
		goto fail_attr;
	if (pthread_cond_init(&q->not_full, &cattr) != 0)
		goto fail_not_empty;
	pthread_condattr_destroy(&cattr);
	return q;

fail_not_empty:
	pthread_cond_destroy(&q->not_empty);
fail_attr:
	pthread_condattr_destroy(&cattr);
fail_lock:
	pthread_mutex_destroy(&q->lock);
fail_slots:
	free(q->slots);
fail_q:
	free(q);
	return NULL;
}

/* The absolute CLOCK_MONOTONIC time `ms` milliseconds from now. */
static struct timespec deadline_after(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/*
 * One wait of a bounded or unbounded wait loop, with the lock held.
 * Returns 0 to look at the condition again, ETIMEDOUT when the deadline
 * has passed (timeout_ms == 0: at once, without waiting).
 */
static int wait_once(bqueue *q, pthread_cond_t *cv, int timeout_ms,
		     const struct timespec *deadline)
{
	if (timeout_ms == 0)
		return ETIMEDOUT;
	if (timeout_ms < 0) {
		pthread_cond_wait(cv, &q->lock);
		return 0;
	}
	return pthread_cond_timedwait(cv, &q->lock, deadline) == ETIMEDOUT ?
		ETIMEDOUT : 0;
}

static bool is_full(const bqueue *q)
{
	return q->maxsize != 0 && q->count >= q->maxsize;
}

/*
 * Makes room for one more item when the ring is full, by doubling it (capped
 * at maxsize). The items are unrolled so that the oldest is at index 0
 * again. Returns false when out of memory.
 */
static bool grow(bqueue *q)
{
	size_t n = q->nslots * 2;
	void **s;
	size_t i;

	if (q->count < q->nslots)
		return true;
	if (q->maxsize != 0 && n > q->maxsize)
		n = q->maxsize;
	if (n <= q->nslots || n > SIZE_MAX / sizeof(*s))
		return false;
	s = malloc(n * sizeof(*s));
	if (!s)
		return false;
	for (i = 0; i < q->count; i++)
		s[i] = q->slots[(q->head + i) % q->nslots];
	free(q->slots);
	q->slots = s;
	q->nslots = n;
	q->head = 0;
	return true;
}

int bq_put(bqueue *q, void *item, int timeout_ms)
{
	struct timespec deadline = { 0, 0 };
	int rc = BQ_OK;

	if (timeout_ms > 0)
		deadline = deadline_after(timeout_ms);
	pthread_mutex_lock(&q->lock);
	while (!q->closed && is_full(q)) {
		if (wait_once(q, &q->not_full, timeout_ms, &deadline) ==
		    ETIMEDOUT && !q->closed && is_full(q)) {
			rc = BQ_FULL;
			goto out;
		}
	}
	if (q->closed) {
		rc = BQ_CLOSED;
		goto out;
	}
	/* Out of memory cannot be waited away: report that we cannot proceed. */
	if (!grow(q)) {
		rc = BQ_FULL;
		goto out;
	}
	q->slots[(q->head + q->count) % q->nslots] = item;
	q->count++;
	pthread_cond_signal(&q->not_empty);
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int bq_get(bqueue *q, void **item, int timeout_ms)
{
	struct timespec deadline = { 0, 0 };
	int rc = BQ_OK;

	if (timeout_ms > 0)
		deadline = deadline_after(timeout_ms);
	pthread_mutex_lock(&q->lock);
	while (!q->closed && q->count == 0) {
		if (wait_once(q, &q->not_empty, timeout_ms, &deadline) ==
		    ETIMEDOUT && !q->closed && q->count == 0) {
			rc = BQ_EMPTY;
			goto out;
		}
	}
	/* A closed queue still hands out what it holds. */
	if (q->count == 0) {
		rc = BQ_CLOSED;
		goto out;
	}
	*item = q->slots[q->head];
	q->head = (q->head + 1) % q->nslots;
	q->count--;
	pthread_cond_signal(&q->not_full);
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/*
 * The three queries take the lock too: reading `count` while another thread
 * writes it is a data race (undefined behaviour, and reported by
 * ThreadSanitizer and helgrind) even when the value is only "a hint".
 */
size_t bq_size(bqueue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}

bool bq_full(bqueue *q)
{
	bool full;

	pthread_mutex_lock(&q->lock);
	full = is_full(q);
	pthread_mutex_unlock(&q->lock);
	return full;
}

bool bq_empty(bqueue *q)
{
	bool empty;

	pthread_mutex_lock(&q->lock);
	empty = q->count == 0;
	pthread_mutex_unlock(&q->lock);
	return empty;
}

void bq_close(bqueue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	/* Every waiter must see the change: a signal would wake only one. */
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

/* The caller guarantees that no thread uses the queue any more. */
void bq_destroy(bqueue *q)
{
	if (!q)
		return;
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->lock);
	free(q->slots);
	free(q);
}
