/*
 * ubsan.c - undefined behaviour for UBSan, one per argument: overflow,
 * shift, div, null, misaligned, index, bool, objsize.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int arr[4];

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "overflow";
	volatile int big = 2147483647, zero = 0, n = 33, idx = 4, three = 3;
	int *volatile np = NULL;
	char bytes[16] = { 0 };
	unsigned char raw = 5;
	int r = 0;

	if (!strcmp(what, "overflow"))
		r = big + 1;
	else if (!strcmp(what, "shift"))
		r = 1 << n;
	else if (!strcmp(what, "div"))
		r = 100 / zero;
	else if (!strcmp(what, "null"))
		r = *np;
	else if (!strcmp(what, "misaligned"))
		r = *(int *)(bytes + three - 2);
	else if (!strcmp(what, "index"))
		r = arr[idx];
	else if (!strcmp(what, "bool")) {
		_Bool b;
		memcpy(&b, &raw, 1);
		r = b ? 1 : 2;
	} else if (!strcmp(what, "objsize")) {
		char *m = malloc(2);
		int *ip = (int *)m;

		r = *ip; /* a 4-byte load from a 2-byte block */
		free(m);
	}
	printf("%d\n", r);
	return 0;
}
