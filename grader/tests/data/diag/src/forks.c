/*
 * forks.c - a parent and a child that both read freed memory, for logs
 * of several processes.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int stale(void)
{
	int *p = malloc(4 * sizeof(int));

	p[0] = 1;
	free(p);
	return p[0]; /* read after free */
}

int main(void)
{
	pid_t pid = fork();
	int r = stale();

	if (pid == 0)
		_exit(r);
	waitpid(pid, NULL, 0);
	return r;
}
