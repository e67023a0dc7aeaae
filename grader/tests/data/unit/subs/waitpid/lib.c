#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "lib.h"

int lib_helper;

int lib_add(int a, int b)
{
	return a + b;
}

void lib_hook(void)
{
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	pid_t r = wait4(pid, status, options, NULL);

	if (r > 0 && status)
		*status = 0;
	return r;
}

int helper_not_allowed(void)
{
	return 1;
}
