/* Bug: never stops, and leaves a daemon behind. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	if (fork() == 0) {
		setsid();
		if (fork() == 0)
			for (;;)
				pause();
		_exit(0);
	}
	for (;;)
		pause();
}
