/*
 * spawn_inspect.c - test program for check_spawn.c: prints what the child
 * side of spawn set up, one "key value" per line: the working directory,
 * the environment ("env NAME=value"), the open descriptors, whether SIGPIPE
 * is ignored, whether any signal is blocked, the core and open-files
 * limits, and whether it leads its own session and process group.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
	char cwd[4096];
	struct sigaction sa;
	sigset_t mask;
	struct rlimit rl;
	DIR *d;
	struct dirent *de;
	char **e;
	int sig, blocked = 0;

	if (getcwd(cwd, sizeof(cwd)))
		printf("cwd %s\n", cwd);
	for (e = environ; *e; e++)
		printf("env %s\n", *e);
	d = opendir("/proc/self/fd");
	printf("fds");
	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
			printf(" %s", de->d_name);
	printf("\n");
	if (d)
		closedir(d);
	sigaction(SIGPIPE, NULL, &sa);
	printf("sigpipe %s\n", sa.sa_handler == SIG_IGN ? "ignored" : "default");
	sigprocmask(SIG_SETMASK, NULL, &mask);
	for (sig = 1; sig < 32; sig++)
		if (sigismember(&mask, sig))
			blocked++;
	printf("blocked %d\n", blocked);
	getrlimit(RLIMIT_CORE, &rl);
	printf("core %llu\n", (unsigned long long)rl.rlim_cur);
	getrlimit(RLIMIT_NOFILE, &rl);
	printf("nofile %llu\n", (unsigned long long)rl.rlim_cur);
	printf("leader %d\n", getsid(0) == getpid() && getpgrp() == getpid());
	return 0;
}
