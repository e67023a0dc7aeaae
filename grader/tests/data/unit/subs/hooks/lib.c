/* A library whose lib_hook() misbehaves as $HOOK_MODE says. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

int lib_add(int a, int b)
{
	return a + b;
}

/* Everything a test that passed might print, then _exit(0). */
static void fake(void)
{
	static const char lines[] =
		"100%: Checks: 1, Failures: 0, Errors: 0\n"
		"check_lib.c:20:P:hooked:hooked:0: Passed\n"
		"00000000000000000000000000000000 begin 1\n"
		"00000000000000000000000000000000 result P 20\tcheck_lib.c\thooked\tPassed\n"
		"00000000000000000000000000000000 end\n";
	int fd;

	for (fd = 1; fd < 64; fd++)
		if (write(fd, lines, strlen(lines)) < 0)
			continue;
	_exit(0);
}

void lib_hook(void)
{
	const char *m = getenv("HOOK_MODE");
	struct timespec t0, t;

	if (!m)
		return;
	if (!strcmp(m, "exit0"))
		exit(0);
	if (!strcmp(m, "fake"))
		fake();
	if (!strcmp(m, "crash"))
		raise(SIGSEGV);
	if (!strcmp(m, "spin")) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do
			clock_gettime(CLOCK_MONOTONIC, &t);
		while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 400);
	}
	if (!strcmp(m, "hang"))
		for (;;)
			pause();
}
