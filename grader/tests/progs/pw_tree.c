/*
 * pw_tree.c - process trees for check_procwatch.c.
 *
 *   pw_tree workers N CPU_MS   N children each spin CPU_MS of CPU time,
 *                              all alive together; the parent reaps them
 *   pw_tree zombie MS          one child exits at once; the parent reaps
 *                              it only MS ms later
 *   pw_tree stop               the child stops itself (SIGSTOP); the parent
 *                              exits 0.3 s later, leaving it stopped
 *   pw_tree orphan             the parent exits after 0.2 s, its child 0.4 s later
 *   pw_tree vfork              a vfork child sleeps 0.3 s before it exits
 *                              (it shares the parent's memory: a helper)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int i, n;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "workers") && argc == 4) {
		int pipefd[2];
		char c;

		n = atoi(argv[2]);
		/* everyone waits on the pipe until all exist: alive together */
		if (pipe(pipefd) < 0)
			return 1;
		for (i = 0; i < n; i++)
			if (fork() == 0) {
				double end;

				close(pipefd[1]);
				if (read(pipefd[0], &c, 1) < 0)
					_exit(1);
				end = cpu_now() + atoi(argv[3]) / 1000.0;
				while (cpu_now() < end)
					;
				_exit(0);
			}
		usleep(100000);
		close(pipefd[1]);
		while (wait(NULL) > 0)
			;
		return 0;
	}
	if (!strcmp(argv[1], "zombie") && argc == 3) {
		if (fork() == 0)
			_exit(0);
		usleep(atoi(argv[2]) * 1000);
		wait(NULL);
		usleep(100000);
		return 0;
	}
	if (!strcmp(argv[1], "stop")) {
		if (fork() == 0) {
			raise(SIGSTOP);
			_exit(0);
		}
		usleep(300000);
		return 0;
	}
	if (!strcmp(argv[1], "orphan")) {
		if (fork() == 0) {
			usleep(600000);
			_exit(0);
		}
		usleep(200000); /* long enough to be seen as its parent */
		return 0;
	}
	if (!strcmp(argv[1], "vfork")) {
		pid_t p = vfork();

		if (p == 0) {
			usleep(300000);
			_exit(0);
		}
		waitpid(p, NULL, 0);
		return 0;
	}
	return 2;
}
