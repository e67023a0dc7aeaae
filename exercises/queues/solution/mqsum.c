/*
 * mqsum.c - reference solution of the `queues` exercise, part b: two
 * processes talking through a POSIX message queue (mq_overview(7)), the
 * kernel's counterpart of multiprocessing.Queue between processes.
 *
 *	./mqsum NAME N
 *
 * The parent creates the queue /NAME (at most 4 messages of one long long
 * each), forks one child and sends 1, 2, ..., N, then an empty message
 * that marks the end. The child adds up what it receives, prints
 * "sum S" and exits 0; the parent reaps it and prints "parent: done".
 *
 * A queue of 4 messages fills at once, so the parent spends most of its
 * time blocked in mq_send() until the child makes room: the queue's limit
 * is the flow control. Two things could make a process block forever: the
 * child dying (the parent then waits for room that never comes) and the
 * parent dying (the child waits for the end mark). Both sides therefore
 * wait with a 1 s timeout and then check that the other one still exists.
 *
 * A message queue outlives the processes that use it (like a file) until
 * it is mq_unlink()ed. The name is needed only until the child exists,
 * because the child inherits the open queue descriptor across fork(); so
 * the parent unlinks the name right after fork(). Both processes keep
 * using the queue through their descriptors, and nothing is left behind
 * even if the program is killed half-way. (Unlinking after reaping the
 * child, as the statement describes it, is just as correct on a normal
 * run.)
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread -O2 mqsum.c -o mqsum -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_DEPTH 4
#define MAX_N 1000000000LL	/* keeps the sum far below LLONG_MAX */

static void usage(void)
{
	fprintf(stderr, "usage: mqsum NAME N   (NAME without '/', 0 <= N <= %lld)\n",
		MAX_N);
	exit(2);
}

/* Parses a decimal number in [0, max]; -1 when it is not one. */
static long long parse_count(const char *s, long long max)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	return v;
}

static struct timespec realtime_after(int sec)
{
	struct timespec t;

	/* mq_timedsend/receive take an absolute CLOCK_REALTIME deadline. */
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += sec;
	return t;
}

/* The child: sum what arrives until the empty end mark. */
static int child_main(mqd_t mq, pid_t parent)
{
	long long sum = 0;
	long long v;
	ssize_t n;

	for (;;) {
		struct timespec t = realtime_after(1);

		n = mq_timedreceive(mq, (char *)&v, sizeof(v), NULL, &t);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ETIMEDOUT) {
				/* Reparented: nobody will ever send the end mark. */
				if (getppid() != parent) {
					fprintf(stderr, "mqsum: child: parent is gone\n");
					return 1;
				}
				continue;
			}
			perror("mqsum: child: mq_receive");
			return 1;
		}
		if (n == 0)
			break;
		if (n != (ssize_t)sizeof(v)) {
			fprintf(stderr, "mqsum: child: message of %zd bytes\n", n);
			return 1;
		}
		sum += v;
	}
	if (printf("sum %lld\n", sum) < 0 || fflush(stdout) == EOF) {
		perror("mqsum: child: stdout");
		return 1;
	}
	return 0;
}

/*
 * Sends one message, waiting for room as long as the child lives.
 * Returns -1 (with a message printed) on failure.
 */
static int send_one(mqd_t mq, const void *msg, size_t len, pid_t child)
{
	for (;;) {
		struct timespec t = realtime_after(1);

		if (mq_timedsend(mq, msg, len, 0, &t) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != ETIMEDOUT) {
			perror("mqsum: mq_send");
			return -1;
		}
		/* No room for a second: is anyone still reading? */
		if (waitpid(child, NULL, WNOHANG) != 0) {
			fprintf(stderr, "mqsum: the child died\n");
			return -1;
		}
	}
}

static int parent_main(mqd_t mq, pid_t child, long long n)
{
	int status;
	int rc = 0;
	long long i;

	for (i = 1; i <= n; i++) {
		if (send_one(mq, &i, sizeof(i), child) < 0) {
			rc = 1;
			break;
		}
	}
	/* The end mark; if sending failed the child is killed instead. */
	if (rc == 0 && send_one(mq, "", 0, child) < 0)
		rc = 1;
	if (rc != 0)
		kill(child, SIGKILL);

	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			/* Already reaped by send_one() after it died. */
			return 1;
		}
	}
	if (rc != 0)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "mqsum: the child failed (status %#x)\n", status);
		return 1;
	}
	if (printf("parent: done\n") < 0 || fflush(stdout) == EOF) {
		perror("mqsum: stdout");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mq_attr attr;
	char name[NAME_MAX + 1];
	long long n;
	pid_t parent = getpid();
	pid_t child;
	mqd_t mq;
	int rc;

	if (argc != 3 || argv[1][0] == '\0' || strchr(argv[1], '/'))
		usage();
	n = parse_count(argv[2], MAX_N);
	if (n < 0)
		usage();
	if ((size_t)snprintf(name, sizeof(name), "/%s", argv[1]) >= sizeof(name))
		usage();

	memset(&attr, 0, sizeof(attr));
	attr.mq_maxmsg = QUEUE_DEPTH;
	attr.mq_msgsize = sizeof(long long);
	/* O_EXCL: never mix our messages with those of a queue in use. */
	mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (mq == (mqd_t)-1) {
		fprintf(stderr, "mqsum: mq_open %s: %s\n", name, strerror(errno));
		return 1;
	}

	/* Nothing is buffered yet, but a forked stdio buffer prints twice. */
	fflush(stdout);
	child = fork();
	if (child == 0) {
		rc = child_main(mq, parent);
		mq_close(mq);
		_exit(rc);
	}
	/* Parent (or fork failure): the name is not needed any more. */
	if (mq_unlink(name) < 0)
		perror("mqsum: mq_unlink");
	if (child < 0) {
		perror("mqsum: fork");
		mq_close(mq);
		return 1;
	}
	rc = parent_main(mq, child, n);
	mq_close(mq);
	return rc;
}
