/* Upper-case standard input onto standard output. */
#include <stdio.h>

int main(void)
{
	return 0;
}
