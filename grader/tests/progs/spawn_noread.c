/*
 * spawn_noread.c - test program for check_spawn.c: never reads its stdin;
 * sleeps argv[1] milliseconds (default 0) and exits 0, so a grader feeding
 * it megabytes must neither hang nor die of SIGPIPE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 0;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	puts("done");
	return 0;
}
