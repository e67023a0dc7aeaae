/*
 * spawn_flood.c - test program for check_spawn.c: writes 'x' forever to
 * stdout, or to stderr with argv[1] "err".
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char b[4096];
	int fd = argc > 1 && strcmp(argv[1], "err") == 0 ? 2 : 1;

	memset(b, 'x', sizeof(b));
	for (;;)
		if (write(fd, b, sizeof(b)) < 0 && errno != EINTR)
			return 1;
}
