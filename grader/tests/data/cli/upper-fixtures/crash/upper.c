/* Bug: dereferences NULL on empty input. */
#include <stdio.h>

int main(void)
{
	int c, n = 0;

	while ((c = getchar()) != EOF) {
		putchar(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
		n++;
	}
	if (n == 0)
		*(volatile int *)0 = 1;
	return 0;
}
