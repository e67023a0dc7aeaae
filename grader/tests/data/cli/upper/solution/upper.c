/* Reference for the grader's end-to-end tests: copies stdin upper-cased. */
#include <ctype.h>
#include <stdio.h>

int main(void)
{
	int c;

	while ((c = getchar()) != EOF)
		putchar(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	return 0;
}
