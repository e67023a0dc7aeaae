/*
 * asan_ok.c - test program for check_spawn.c, built with AddressSanitizer:
 * mallocs, uses and frees correctly and prints "ok". It must run normally
 * under a memory limit, which RLIMIT_AS would prevent (ASan reserves
 * terabytes of address space for its shadow memory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	size_t i, sum = 0;

	for (i = 0; i < 1000; i++) {
		char *p = malloc(1000 + i);

		if (!p)
			return 2;
		memset(p, 1, 1000 + i);
		sum += (size_t)p[i];
		free(p);
	}
	printf("ok %zu\n", sum);
	return 0;
}
