/*
 * duplex.c - the `pipes` exercise: a parent and a child talking through
 * two pipes. Read README.md first: it gives the exact output format.
 *
 *	stdin --> parent --(request pipe)--> child --(reply pipe)--> parent --> stdout
 *
 * Build and run by hand:
 *	cc -std=gnu11 -Wall -Wextra -pthread -O2 duplex.c -o duplex -lrt
 *	printf 'hello\nWorld\n' | ./duplex
 * Run the tests (in this directory):
 *	grader check pipes
 *
 * This skeleton compiles and runs, but does nothing useful yet: the
 * comments marked "Your code" say what each part has to do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Writes the len bytes at buf to fd. write(2) may write fewer bytes than
 * asked (on a pipe, or when a signal arrives) and may fail with EINTR:
 * both just mean "go on". Returns 0, or -1 with errno set.
 */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The child: reads requests from `in` and writes replies to `out`.
 * It never touches standard output: only the parent prints.
 */
static void run_child(int in, int out)
{
	unsigned long lines = 0; /* lines received so far */
	char msg[64];
	int len;

	/*
	 * Your code: read the requests from `in` until read() returns 0
	 * (end of file). For the n-th line (n from 1) send the reply
	 * "n: LINE\n" to `out`, LINE being the line with 'a'..'z' turned into
	 * 'A'..'Z' and every other byte unchanged.
	 *  - A line may be longer than any buffer you pick (64 KiB and more).
	 *  - The last line may lack its '\n': its reply still ends with one.
	 *  - fdopen(in, "r") and getline() do most of this for you; if you
	 *    use stdio for `out`, fclose() it before _exit() or the replies
	 *    still in its buffer are lost.
	 */
	(void)in;

	/* At end of file: the count line, sent like any other reply. */
	len = snprintf(msg, sizeof(msg), "child: %lu lines\n", lines);
	if (write_all(out, msg, (size_t)len) < 0) {
		perror("child: write");
		_exit(1);
	}

	/* Your code: close `in` and `out`. */
	_exit(0);
}

/*
 * The parent's side: sends standard input to the child through `req` and
 * prints the replies read from `rep`, until the child closes `rep`.
 */
static void run_parent(int req, int rep)
{
	/*
	 * Your code. The trap: you cannot first write all the requests and
	 * then read the replies. Once more than a pipe's worth (64 KiB) of
	 * replies waits unread, the child blocks writing them and stops
	 * reading requests; then the request pipe fills up and you block
	 * too: a deadlock. Keep reading replies while you send requests:
	 *  - either poll(2) on standard input, `req` (POLLOUT) and `rep`
	 *    (POLLIN), with `req` made non-blocking (fcntl O_NONBLOCK);
	 *  - or a thread (pthread_create) that copies standard input to
	 *    `req` while this thread copies `rep` to standard output.
	 * At end of input close `req`: that is the child's end of file.
	 * Print the replies as they come, until read() on `rep` returns 0.
	 */
	(void)req;
	(void)rep;
}

int main(void)
{
	int req[2]; /* requests, parent -> child: req[0] read end, req[1] write end */
	int rep[2]; /* replies, child -> parent: rep[0] read end, rep[1] write end */
	pid_t pid;

	/* Both pipes exist before fork(): the child inherits all four ends. */
	if (pipe(req) < 0 || pipe(rep) < 0) {
		perror("pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		/*
		 * Your code: close the two ends the child does not use. Forget
		 * req[1] and the child never sees end of file: it holds a
		 * write end of its own request pipe.
		 */
		run_child(req[0], rep[1]);
	}

	/* Your code: close the two ends the parent does not use. */
	run_parent(req[1], rep[0]);

	/*
	 * Your code: reap the child with waitpid() (retry on EINTR), then
	 * print "parent: child exited with status S" (S = WEXITSTATUS) as
	 * the very last line, and return 0.
	 */
	return 0;
}
