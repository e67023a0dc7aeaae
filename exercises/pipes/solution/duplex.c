/*
 * duplex.c - reference solution of the `pipes` exercise.
 *
 * The parent forks one child and talks to it through two pipes:
 *
 *	stdin --> parent --(request pipe)--> child --(reply pipe)--> parent --> stdout
 *
 * The child numbers each line and turns a-z into A-Z; at end of file it
 * sends "child: K lines" and exits 0. The parent prints everything the
 * child sends, reaps it, and prints "parent: child exited with status S".
 *
 * The one hard part is deadlock. A pipe holds 64 KiB on Linux. A parent
 * that writes all its requests before reading any reply fills the reply
 * pipe (the child then blocks in write and stops reading), then fills the
 * request pipe (the parent blocks in write too): each waits for the other
 * forever. So the parent never blocks on one pipe while the other may need
 * service: it is a single poll(2) loop that moves bytes stdin -> request
 * pipe and reply pipe -> stdout, whichever is ready, and its request end
 * is non-blocking so that a write never waits for the child.
 *
 * Both processes stream bytes rather than whole lines: no line is ever
 * held in memory, so a line of any length costs nothing, and a final line
 * without '\n' is simply a line whose reply gets the '\n' it lacked.
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread -O2 duplex.c -o duplex -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUFSZ 65536

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* write(2) may write less than asked (a pipe, a signal): loop until done. */
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

static ssize_t read_retry(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* The child's output buffer: replies leave in big writes, not per byte. */
struct outbuf {
	int fd;
	size_t len;
	char data[BUFSZ];
};

static void out_flush(struct outbuf *o)
{
	if (write_all(o->fd, o->data, o->len) < 0)
		die("child: write reply");
	o->len = 0;
}

static void out_put(struct outbuf *o, const char *p, size_t n)
{
	if (o->len + n > sizeof(o->data))
		out_flush(o);
	memcpy(o->data + o->len, p, n);
	o->len += n;
}

static void out_prefix(struct outbuf *o, unsigned long long n)
{
	char pre[32];
	int k = snprintf(pre, sizeof(pre), "%llu: ", n);

	out_put(o, pre, (size_t)k);
}

/*
 * The child: reads requests from fd in until end of file and writes the
 * replies to fd out. End of file comes only once every write end of the
 * request pipe is closed -- which is why the child must close its own copy
 * of that write end right after fork (main does), or it waits forever.
 */
static void child(int in, int out)
{
	static char buf[BUFSZ];
	static struct outbuf o;
	unsigned long long lines = 0;
	int at_start = 1; /* the next byte begins a new line */
	char tail[64];
	int k;

	o.fd = out;
	for (;;) {
		ssize_t got = read_retry(in, buf, sizeof(buf));
		char *p, *end;

		if (got < 0)
			die("child: read request");
		if (got == 0)
			break;
		p = buf;
		end = buf + got;
		while (p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			char *stop = nl ? nl + 1 : end;
			char *q;

			if (at_start)
				out_prefix(&o, ++lines);
			/* Only the ASCII letters change: every other byte
			 * (UTF-8, tabs, digits) passes as it came. */
			for (q = p; q < stop; q++)
				if (*q >= 'a' && *q <= 'z')
					*q = (char)(*q - 'a' + 'A');
			while (p < stop) {
				size_t n = (size_t)(stop - p);

				if (n > sizeof(o.data))
					n = sizeof(o.data);
				out_put(&o, p, n);
				p += n;
			}
			at_start = nl != NULL;
		}
		/* Flush before blocking in read again, so that a user typing
		 * at a terminal sees each reply as soon as it is made. */
		out_flush(&o);
	}
	if (!at_start)
		out_put(&o, "\n", 1); /* the final line had no '\n' */
	k = snprintf(tail, sizeof(tail), "child: %llu lines\n", lines);
	out_put(&o, tail, (size_t)k);
	out_flush(&o);
	if (close(out) < 0)
		die("child: close reply pipe");
	if (close(in) < 0)
		die("child: close request pipe");
	_exit(0);
}

/*
 * The parent's loop: until the child closes the reply pipe, move stdin to
 * the request pipe and the reply pipe to stdout, each as soon as it can.
 * req is non-blocking; closes both fds before returning.
 */
static void pump(int req, int rep)
{
	static char in[BUFSZ], out[BUFSZ];
	size_t inoff = 0, inlen = 0;
	int in_eof = 0;

	while (rep >= 0) {
		struct pollfd pfd[3];
		int iin = -1, ireq = -1, irep;
		nfds_t nf = 0;

		if (req >= 0 && in_eof && inlen == 0) {
			/* End of input: closing our write end is what lets
			 * the child see end of file. */
			if (close(req) < 0)
				die("close request pipe");
			req = -1;
		}
		if (!in_eof && inlen == 0) {
			iin = (int)nf;
			pfd[nf++] = (struct pollfd){ .fd = 0, .events = POLLIN };
		}
		if (req >= 0 && inlen > 0) {
			ireq = (int)nf;
			pfd[nf++] = (struct pollfd){ .fd = req, .events = POLLOUT };
		}
		irep = (int)nf;
		pfd[nf++] = (struct pollfd){ .fd = rep, .events = POLLIN };

		if (poll(pfd, nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}

		if (iin >= 0 && pfd[iin].revents) {
			ssize_t n = read_retry(0, in, sizeof(in));

			if (n < 0) {
				perror("read standard input");
				n = 0; /* treat as end of input */
			}
			if (n == 0)
				in_eof = 1;
			inoff = 0;
			inlen = (size_t)n;
		}

		if (ireq >= 0 && pfd[ireq].revents) {
			ssize_t n = write(req, in + inoff, inlen);

			if (n >= 0) {
				inoff += (size_t)n;
				inlen -= (size_t)n;
			} else if (errno == EPIPE) {
				/* The child is gone: what is left of the input
				 * has nobody to go to. Its status says why. */
				in_eof = 1;
				inlen = 0;
			} else if (errno != EAGAIN && errno != EINTR) {
				die("write request");
			}
		}

		if (pfd[irep].revents) {
			ssize_t n = read_retry(rep, out, sizeof(out));

			if (n < 0)
				die("read reply");
			if (n == 0) {
				if (close(rep) < 0)
					die("close reply pipe");
				rep = -1;
			} else if (write_all(1, out, (size_t)n) < 0) {
				die("write standard output");
			}
		}
	}
	/* Reached with req open only if the child quit before reading all. */
	if (req >= 0 && close(req) < 0)
		die("close request pipe");
}

int main(void)
{
	int req[2], rep[2];
	int status, k;
	char line[80];
	pid_t pid;

	if (pipe(req) < 0 || pipe(rep) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* Each process closes the ends it does not use: the child
		 * only reads requests and writes replies. */
		if (close(req[1]) < 0 || close(rep[0]) < 0)
			die("child: close");
		child(req[0], rep[1]);
	}
	if (close(req[0]) < 0 || close(rep[1]) < 0)
		die("close");

	/* If the child dies early, a write to the request pipe must fail
	 * with EPIPE rather than kill us: we still reap it and report. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal");
	if (fcntl(req[1], F_SETFL, O_NONBLOCK) < 0)
		die("fcntl");
	pump(req[1], rep[0]);

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (WIFEXITED(status))
		k = snprintf(line, sizeof(line),
			     "parent: child exited with status %d\n",
			     WEXITSTATUS(status));
	else
		k = snprintf(line, sizeof(line),
			     "parent: child killed by signal %d\n",
			     WTERMSIG(status));
	if (write_all(1, line, (size_t)k) < 0)
		die("write standard output");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
