#include <stdlib.h>

#include "lib.h"

__attribute__((constructor)) static void early(void)
{
	setenv("CK_FORK", "yes", 1);
}

int lib_add(int a, int b)
{
	return a + b;
}

void lib_hook(void)
{
}
