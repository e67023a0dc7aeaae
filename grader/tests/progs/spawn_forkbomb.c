/*
 * spawn_forkbomb.c - test program for check_spawn.c: a fork bomb that every
 * process keeps feeding (children fork too), bounded to argv[1] forks
 * (default 300) so that it cannot hurt a machine where no process limit
 * applies. Each child prints "pid <n>" and then sleeps. After 300 ms the
 * main process prints "forks <n>" (the successful forks) and exits, leaving
 * the rest behind.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int cap = argc > 1 ? atoi(argv[1]) : 300;
	int *forks = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t me = getpid();
	struct timespec ts = { 0, 300000000L };

	if (forks == MAP_FAILED)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	for (;;) {
		pid_t pid;

		if (__atomic_add_fetch(forks, 1, __ATOMIC_SEQ_CST) > cap) {
			__atomic_sub_fetch(forks, 1, __ATOMIC_SEQ_CST);
			break;
		}
		pid = fork();
		if (pid < 0) {
			__atomic_sub_fetch(forks, 1, __ATOMIC_SEQ_CST);
			break;
		}
		if (pid == 0)
			printf("pid %ld\n", (long)getpid());
	}
	if (getpid() != me) {
		signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	nanosleep(&ts, NULL);
	printf("forks %d\n", __atomic_load_n(forks, __ATOMIC_SEQ_CST));
	return 0;
}
