/*
 * spawn_segv.c - test program for check_spawn.c: dies of SIGSEGV by
 * writing through a null pointer.
 */
#include <stdio.h>

int main(void)
{
	volatile int *p = NULL;

	puts("before");
	fflush(stdout);
	*p = 1;
	return 0;
}
