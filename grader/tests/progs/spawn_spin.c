/*
 * spawn_spin.c - test program for check_spawn.c: burns CPU forever, in
 * argv[1] processes (default 1; the others are forked children), so that
 * only a limit on the whole tree stops it early.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	volatile unsigned long x = 0;

	signal(SIGTERM, SIG_IGN);
	while (--n > 0)
		if (fork() == 0)
			break;
	for (;;)
		x++;
}
