/* Leaves two files behind, one with a control character in its name. */
#include <stdio.h>

int main(void)
{
	FILE *f = fopen("out\x01.tmp", "w");

	if (!f)
		return 1;
	fputs("x", f);
	fclose(f);
	f = fopen("core", "w");
	if (f)
		fclose(f);
	return 0;
}
