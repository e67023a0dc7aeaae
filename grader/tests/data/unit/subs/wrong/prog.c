/* prog.c - the exercise's program (the pipeline builds one). */
#include <stdio.h>

#include "lib.h"

int main(void)
{
	printf("%d\n", lib_add(2, 3));
	return 0;
}
