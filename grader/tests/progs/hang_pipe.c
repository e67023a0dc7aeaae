/*
 * hang_pipe.c - test program for check_stacks.c: reads a pipe whose write
 * end it still holds itself (the classic forgotten close), so read() never
 * sees end-of-file and no data ever comes. Prints "ready" before reading.
 * The line number of the read is asserted by the tests.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int fd[2];
	char c;

	if (pipe(fd) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	if (read(fd[0], &c, 1) != 1) /* line 19 */
		return 1;
	return 0;
}
