/*
 * spawn_sleep.c - test program for check_spawn.c: ignores SIGTERM and
 * sleeps forever, so only a SIGKILL ends it.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	signal(SIGTERM, SIG_IGN);
	puts("sleeping");
	fflush(stdout);
	for (;;)
		pause();
}
