/*
 * hang_pipes2.c - test program for check_stacks.c: a deadlock of two
 * processes over two pipes. Each closes the ends it does not use (so each
 * read has a live writer: the other process), then each waits to read
 * before it writes. Prints "ready" after the fork.
 * The line numbers of the reads are asserted by the tests.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int down[2], up[2];
	char c = 'x';
	pid_t pid;

	if (pipe(down) < 0 || pipe(up) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		if (read(down[0], &c, 1) != 1) /* line 26: the child */
			return 1;
		return write(up[1], &c, 1) != 1;
	}
	close(down[0]);
	close(up[1]);
	printf("ready\n");
	fflush(stdout);
	if (read(up[0], &c, 1) != 1) /* line 34: the parent */
		return 1;
	if (write(down[1], &c, 1) != 1)
		return 1;
	waitpid(pid, NULL, 0);
	return 0;
}
