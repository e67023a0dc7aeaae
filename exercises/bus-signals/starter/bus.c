/*
 * bus.c - starter for the bus-signals exercise (see ../README.md).
 *
 * The parent is the driver, the forked child the conductor. This skeleton
 * compiles and runs, but does nothing useful yet: fill in the functions in
 * the order the comments suggest. Keep the handlers tiny: only
 * async-signal-safe calls (write, kill, getppid, waitpid, _exit) or setting
 * a volatile sig_atomic_t flag that the main loop acts on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t driver_pid;      /* the parent, known to the child after fork */
static pid_t conductor_pid;   /* the child, known to the parent after fork */

/* Writes one whole line to standard output with write(2): safe inside a
 * handler, and unbuffered, so it behaves the same on a terminal and a pipe. */
static void say(const char *line)
{
	int saved = errno;
	size_t len = strlen(line);
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(STDOUT_FILENO, line + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		done += (size_t)n;
	}
	errno = saved;
}

/*
 * Installs `handler` (a function, or SIG_IGN) for `sig` with sigaction().
 * Think about sa_flags (SA_RESTART? SA_NOCLDSTOP for SIGCHLD?) and about
 * sa_mask (which signals should be blocked while the handler runs?).
 * (Not static only so that the unfinished starter compiles without an
 * "unused function" warning.)
 */
void install(int sig, void (*handler)(int))
{
	(void)sig;
	(void)handler;
	/* Your code: fill a struct sigaction and call sigaction(). */
}

/* ---- conductor (child) ---------------------------------------------------
 * Ctrl-C  -> send SIGUSR1 to the driver
 * Ctrl-\  -> send SIGUSR2 to the driver
 * SIGUSR1 -> print "conductor: we have arrived, please get off", exit 0
 * Ctrl-Z  -> ignored
 */
static void conductor(void)
{
	/* Your code: install the conductor's handlers, then: */
	say("conductor ready\n");
	/* Your code: wait for signals (pause() or, better, sigsuspend()) until
	 * the driver tells you to get off. */
	_exit(0);
}

/* ---- driver (parent) -----------------------------------------------------
 * SIGUSR1 -> print "driver: let's go"
 * SIGUSR2 -> print "driver: fasten your seat belts"
 * Ctrl-Z  -> send SIGUSR1 to the conductor
 * Ctrl-C, Ctrl-\ -> ignored
 * when the conductor has exited: reap it, print "driver: everyone off", exit 0
 */
static int driver(void)
{
	/* Your code: install the driver's handlers, then: */
	say("driver ready\n");
	/* Your code: wait until the conductor has exited, reap it with
	 * waitpid(), and only then print the last line. */
	say("driver: everyone off\n");
	return 0;
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: bus\n");
		return 2;
	}

	/* Your code: block the signals you handle before fork(), so that none
	 * arrives while a process still has the default action; each process
	 * unblocks them once its own handlers are installed. */

	driver_pid = getpid();
	conductor_pid = fork();
	if (conductor_pid < 0) {
		perror("bus: fork");
		return 1;
	}
	if (conductor_pid == 0)
		conductor();
	return driver();
}
