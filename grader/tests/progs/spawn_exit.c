/*
 * spawn_exit.c - test program for check_spawn.c: writes "out" to stdout and
 * "err" to stderr, then exits with the code given as argv[1] (default 0).
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	fputs("out\n", stdout);
	fflush(stdout);
	fputs("err\n", stderr);
	fflush(stderr);
	fputs("out2\n", stdout);
	return argc > 1 ? atoi(argv[1]) : 0;
}
