/*
 * uninit.c - uninitialised values for memcheck: a conditional jump, and a
 * write(2) of an uninitialised buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int check(int *v)
{
	if (*v > 10) /* *v was never set */
		return 1;
	return 0;
}

int main(void)
{
	int *x = malloc(sizeof(int));
	char buf[16];
	int r;

	r = check(x);
	printf("r = %d\n", r);
	if (write(STDOUT_FILENO, buf, sizeof(buf)) < 0)
		return 1;
	free(x);
	return 0;
}
