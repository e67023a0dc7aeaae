/* Reference: a thread copies stdin to stdout; main joins it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *copy(void *arg)
{
	char line[256];

	(void)arg;
	while (fgets(line, sizeof(line), stdin))
		fputs(line, stdout);
	return NULL;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, copy, NULL);
	pthread_join(t, NULL);
	return 0;
}
