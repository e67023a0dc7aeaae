/*
 * locks.c - mutex misuse, one per argument: order (two mutexes taken in
 * opposite orders by two threads, one after the other), unlock (of an
 * unlocked mutex), destroy (of a locked mutex), leak (a thread never
 * joined).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t ma = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t mb = PTHREAD_MUTEX_INITIALIZER;

static void *forward(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&ma);
	pthread_mutex_lock(&mb);
	pthread_mutex_unlock(&mb);
	pthread_mutex_unlock(&ma);
	return NULL;
}

static void *backward(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mb);
	pthread_mutex_lock(&ma);
	pthread_mutex_unlock(&ma);
	pthread_mutex_unlock(&mb);
	return NULL;
}

static void *idle(void *arg)
{
	(void)arg;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "order";
	pthread_t t;
	pthread_mutex_t m;

	if (!strcmp(what, "order")) {
		pthread_create(&t, NULL, forward, NULL);
		pthread_join(t, NULL);
		pthread_create(&t, NULL, backward, NULL);
		pthread_join(t, NULL);
	} else if (!strcmp(what, "unlock")) {
		pthread_mutex_init(&m, NULL);
		pthread_mutex_unlock(&m);
		pthread_mutex_destroy(&m);
	} else if (!strcmp(what, "destroy")) {
		pthread_mutex_init(&m, NULL);
		pthread_mutex_lock(&m);
		pthread_mutex_destroy(&m);
	} else if (!strcmp(what, "leak")) {
		pthread_create(&t, NULL, idle, NULL);
		sleep(1);
	}
	return 0;
}
