/*
 * signal.c - a signal handler that calls malloc (not async-signal-safe),
 * for ThreadSanitizer's signal-unsafe-call report.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t hits;

static void on_signal(int sig)
{
	volatile char *s = malloc(32); /* not async-signal-safe */

	(void)sig;
	s[0] = 1;
	free((void *)s);
	hits++;
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	sleep(1);
	printf("%d\n", (int)hits);
	return 0;
}
