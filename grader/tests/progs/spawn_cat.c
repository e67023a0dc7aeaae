/*
 * spawn_cat.c - test program for check_spawn.c: copies stdin to stdout
 * (like cat), so that bytes fed to a run can be compared with its output.
 */
#include <errno.h>
#include <unistd.h>

int main(void)
{
	char b[8192];

	for (;;) {
		ssize_t r = read(0, b, sizeof(b)), off = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0;
		while (off < r) {
			ssize_t w = write(1, b + off, (size_t)(r - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return 1;
			off += w;
		}
	}
}
