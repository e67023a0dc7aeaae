/*
 * spawn_hog.c - test program for check_spawn.c: allocates and touches
 * argv[1] MiB (default 50) in 1 MiB steps, prints "touched <n>" and exits 0.
 * With a smaller memory limit it is killed on the way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 50, i;

	for (i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);

		if (!p)
			return 2;
		memset(p, (int)i + 1, 1 << 20);
	}
	printf("touched %ld\n", mib);
	return 0;
}
