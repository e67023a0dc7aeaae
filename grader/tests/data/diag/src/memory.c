/*
 * memory.c - memory errors for AddressSanitizer and memcheck, one per
 * argument: heap, stack, global, uaf, double, badfree, wild. The accesses go
 * through a pointer so that UBSan's static bounds checks do not catch them
 * before ASan does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int table[8];
volatile size_t count = 10;

__attribute__((noinline)) static int get(const int *p, size_t i)
{
	return p[i];
}

__attribute__((noinline)) static void set(int *p, size_t i, int v)
{
	p[i] = v;
}

static int heap_overflow(void)
{
	int *a = malloc(count * sizeof(int));
	size_t i;

	for (i = 0; i <= count; i++)
		set(a, i, 42); /* writes a[10], one past the end */
	i = (size_t)a[3];
	free(a);
	return (int)i;
}

static int stack_overflow(size_t n)
{
	int local[4] = { 1, 2, 3, 4 };

	return get(local, n); /* n == 4 */
}

static int global_overflow(size_t n)
{
	return get(table, n); /* n == 8 */
}

static int use_after_free(void)
{
	char *s = malloc(count);

	strcpy(s, "hello");
	free(s);
	return s[1]; /* read after free */
}

static void double_free(void)
{
	char *p = malloc(count);

	printf("%p\n", (void *)p);
	free(p);
	free(p);
}

static void bad_free(void)
{
	char *p = malloc(count);

	printf("%p\n", (void *)p);
	free(p + 8);
}

static int wild(void)
{
	int *volatile p = (int *)8; /* neither NULL nor valid */

	return *p;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "heap";

	if (!strcmp(what, "heap"))
		return heap_overflow();
	if (!strcmp(what, "stack"))
		return stack_overflow(count - 6);
	if (!strcmp(what, "global"))
		return global_overflow(count - 2);
	if (!strcmp(what, "uaf"))
		return use_after_free();
	if (!strcmp(what, "double"))
		double_free();
	if (!strcmp(what, "badfree"))
		bad_free();
	if (!strcmp(what, "wild"))
		return wild();
	return 0;
}
