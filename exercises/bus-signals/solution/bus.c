/*
 * bus.c - reference solution of the bus-signals exercise (the course's
 * "driver and conductor" homework): two processes that talk only with
 * signals while the keyboard sends signals to both of them.
 *
 * The parent is the driver, the forked child the conductor:
 *   Ctrl-C  -> conductor sends SIGUSR1 -> driver prints "driver: let's go"
 *   Ctrl-\  -> conductor sends SIGUSR2 -> driver prints "driver: fasten ..."
 *   Ctrl-Z  -> driver sends SIGUSR1 -> conductor gets off (prints, exits 0)
 *   conductor exited -> driver reaps it, prints "driver: everyone off", exits 0
 *
 * Every signal the program cares about is blocked from the first line of
 * main() on, so none can arrive while a process still has the default
 * action (which would kill or stop it): a signal sent too early just stays
 * pending. Each process installs its handlers, prints its ready line, and
 * only then unblocks the signals, atomically, inside sigsuspend(). The
 * handlers only call async-signal-safe functions (write, kill, getppid) or
 * set a flag the main loop acts on.
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

static pid_t driver_pid;        /* set before fork, read by the conductor */
static pid_t conductor_pid;     /* set in the driver after fork */
static volatile sig_atomic_t arrived;         /* conductor: SIGUSR1 seen */
static volatile sig_atomic_t conductor_gone;  /* driver: SIGCHLD seen */

/*
 * Writes one whole line with write(2): async-signal-safe, unbuffered (so it
 * behaves the same on a terminal and on a pipe), and one write() per line so
 * the two processes' lines never interleave. Saves errno because handlers
 * call it.
 */
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
			break;  /* stdout is gone: nothing sensible left to do */
		}
		done += (size_t)n;
	}
	errno = saved;
}

/* Installs handler (or SIG_IGN) for sig; the handler runs with every
 * signal of the program blocked, so handlers never nest. */
static void install(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGQUIT);
	sigaddset(&sa.sa_mask, SIGTSTP);
	sigaddset(&sa.sa_mask, SIGUSR1);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGCHLD);
	if (sigaction(sig, &sa, NULL) < 0) {
		perror("bus: sigaction");
		exit(1);
	}
}

/* ---- conductor ---------------------------------------------------------- */

/*
 * The conductor relays to the driver. If the driver is gone (getppid()
 * changed: we were reparented), the saved pid may already belong to another
 * process, so we send nothing.
 */
static void relay(int sig)
{
	if (getppid() == driver_pid)
		kill(driver_pid, sig);
}

static void conductor_on_int(int sig)
{
	(void)sig;
	relay(SIGUSR1);
}

static void conductor_on_quit(int sig)
{
	(void)sig;
	relay(SIGUSR2);
}

static void conductor_on_usr1(int sig)
{
	(void)sig;
	arrived = 1;
}

static void __attribute__((noreturn)) conductor(const sigset_t *waitmask)
{
	install(SIGTSTP, SIG_IGN, 0);
	install(SIGINT, conductor_on_int, SA_RESTART);
	install(SIGQUIT, conductor_on_quit, SA_RESTART);
	install(SIGUSR1, conductor_on_usr1, SA_RESTART);
	say("conductor ready\n");

	/* The flag is only changed while we sit in sigsuspend (everything is
	 * blocked elsewhere), so no signal slips between test and wait. */
	while (!arrived)
		sigsuspend(waitmask);
	say("conductor: we have arrived, please get off\n");
	_exit(0);
}

/* ---- driver ------------------------------------------------------------- */

static void driver_on_tstp(int sig)
{
	(void)sig;
	kill(conductor_pid, SIGUSR1);
}

static void driver_on_usr1(int sig)
{
	(void)sig;
	say("driver: let's go\n");
}

static void driver_on_usr2(int sig)
{
	(void)sig;
	say("driver: fasten your seat belts\n");
}

static void driver_on_chld(int sig)
{
	(void)sig;
	conductor_gone = 1;
}

/*
 * Waits for the conductor to get off. The conductor is reaped with signals
 * still blocked, so the SIGTSTP handler can never send SIGUSR1 to a pid
 * that was reaped and perhaps reused.
 */
static int driver(const sigset_t *waitmask)
{
	int status;
	pid_t r;

	install(SIGINT, SIG_IGN, 0);
	install(SIGQUIT, SIG_IGN, 0);
	install(SIGTSTP, driver_on_tstp, SA_RESTART);
	install(SIGUSR1, driver_on_usr1, SA_RESTART);
	install(SIGUSR2, driver_on_usr2, SA_RESTART);
	/* SA_NOCLDSTOP: only the conductor's death matters, not a stop. */
	install(SIGCHLD, driver_on_chld, SA_RESTART | SA_NOCLDSTOP);
	say("driver ready\n");

	for (;;) {
		while (!conductor_gone)
			sigsuspend(waitmask);
		conductor_gone = 0;
		r = waitpid(conductor_pid, &status, WNOHANG);
		if (r == conductor_pid)
			break;
		if (r < 0 && errno != EINTR) {
			perror("bus: waitpid");
			return 1;
		}
	}
	say("driver: everyone off\n");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			fprintf(stderr, "bus: conductor killed by signal %d\n",
				WTERMSIG(status));
		else
			fprintf(stderr, "bus: conductor exited with status %d\n",
				WEXITSTATUS(status));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sigset_t block, waitmask;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: bus\n");
		return 2;
	}

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGCHLD);
	/* waitmask: the mask we had, i.e. these signals unblocked. */
	if (sigprocmask(SIG_BLOCK, &block, &waitmask) < 0) {
		perror("bus: sigprocmask");
		return 1;
	}
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGQUIT);
	sigdelset(&waitmask, SIGTSTP);
	sigdelset(&waitmask, SIGUSR1);
	sigdelset(&waitmask, SIGUSR2);
	sigdelset(&waitmask, SIGCHLD);

	driver_pid = getpid();
	/* The child inherits the blocked mask: a Ctrl-C or the driver's
	 * SIGUSR1 arriving before its handlers exist stays pending. */
	conductor_pid = fork();
	if (conductor_pid < 0) {
		perror("bus: fork");
		return 1;
	}
	if (conductor_pid == 0)
		conductor(&waitmask);
	return driver(&waitmask);
}
