/*
 * pty_family.c - a terminal program for check_pty.c.
 *
 * Prints "main ready"; forks a child that prints "child PID ready" and
 * waits for SIGUSR1 ("child got usr1", exit 0). SIGINT in main prints
 * "main: int" (the handler is installed before the ready line). Lines typed
 * are echoed as "got: LINE"; at end of input (Ctrl-D) main waits for the
 * child, prints "main done" and exits with status 3. SIGQUIT and SIGTSTP
 * keep their default actions (terminate, stop).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;

/* One write per line: the two processes' lines never mix. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(1, line, (size_t)n) < 0)
		_exit(1);
}

static void on_usr1(int sig)
{
	(void)sig;
	got = 1;
}

static void on_int(int sig)
{
	(void)sig;
	if (write(1, "main: int\n", 10) < 0)
		_exit(1);
}

int main(void)
{
	struct sigaction sa;
	sigset_t block, old;
	char line[256];
	pid_t child;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	child = fork();
	if (child == 0) {
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		sa.sa_handler = SIG_IGN;
		sigaction(SIGINT, &sa, NULL);
		say("child %d ready\n", (int)getpid());
		while (!got)
			sigsuspend(&old);
		say("child got usr1\n");
		_exit(0);
	}
	sa.sa_handler = on_int;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	say("main ready\n");
	while (fgets(line, sizeof(line), stdin))
		say("got: %s", line);
	waitpid(child, NULL, 0);
	say("main done\n");
	return 3;
}
