/*
 * signals.c - cleaning up when the grader is interrupted. See signals.h.
 */
#define _GNU_SOURCE
#include "signals.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

static void block_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

/* Set once a signal is being handled: from then on, the process ends
 * only by that signal, once everything is cleaned up. */
static volatile int stopping;

/* exit() from another thread meanwhile (the main thread seeing its
 * children die) would end the process in the middle of the clean-up:
 * wait for the waiter's raise() instead. */
static void hold_exit(void)
{
	while (stopping)
		pause();
}

static void *waiter(void *arg)
{
	sigset_t set;
	int sig = 0;

	(void)arg;
	block_set(&set);
	while (sigwait(&set, &sig) != 0)
		;
	__atomic_store_n(&stopping, 1, __ATOMIC_SEQ_CST);
	/* one line, so that a person knows why it took a moment */
	fprintf(stderr, "\ngrader: %s: stopping the runs in progress and cleaning up\n",
		strsignal(sig));
	spawn_abort_all(SIGNALS_GRACE_S);
	temp_dirs_remove_all();
	/* a thread between two runs may still have been writing there */
	usleep(100000);
	temp_dirs_remove_all();
	signal(sig, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig); /* not reached: the default action ends us */
}

int signals_stopping(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_SEQ_CST);
}

void signals_setup(void)
{
	static int registered;

	sigset_t set;
	pthread_t th;
	pthread_attr_t attr;

	block_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (!registered) {
		registered = 1;
		atexit(hold_exit); /* inherited across fork */
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, waiter, NULL) != 0) {
		/* without the thread, the default actions are better than
		 * signals that stay pending forever */
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	pthread_attr_destroy(&attr);
}
