/* spawn's pseudo-terminal test: says whether it runs on a terminal in the
 * foreground group, forks a child that waits, then prints "INT" for each
 * SIGINT until a SIGQUIT (default action) ends it. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_int(int sig)
{
	(void)sig;
	got = 1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_int };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	if (fork() == 0) {
		for (;;)
			pause();
	}
	printf("tty=%d fg=%d\n", isatty(0) && isatty(1) && isatty(2),
	       tcgetpgrp(0) == getpgrp());
	fflush(stdout);
	for (;;) {
		pause();
		if (got) {
			got = 0;
			printf("INT\n");
			fflush(stdout);
		}
	}
}
