/*
 * fdleak.c - opens a file and a pipe and exits without closing them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/etc/hostname", O_RDONLY);
	int p[2];

	if (fd < 0 || pipe(p) < 0)
		return 1;
	printf("%d %d %d\n", fd, p[0], p[1]);
	return 0;
}
