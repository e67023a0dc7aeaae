/*
 * spawn_daemon.c - test program for check_spawn.c: double-forks a daemon
 * that calls setsid() (leaving the run's process group), ignores SIGTERM,
 * prints "daemon <pid>" and sleeps forever. The main process exits 0 once
 * the daemon has printed, so the daemon is a leftover the grader must find.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p) < 0)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		if (setsid() < 0)
			_exit(3);
		if (fork() != 0)
			_exit(0);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		printf("daemon %ld\n", (long)getpid());
		fflush(stdout);
		if (write(p[1], "x", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	waitpid(pid, NULL, 0);
	if (read(p[0], &c, 1) != 1)
		return 5;
	puts("main exits");
	return 0;
}
