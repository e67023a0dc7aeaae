/*
 * mqsum.c - ./mqsum NAME N: send 1..N from a parent to its child through
 * the POSIX message queue /NAME (at most 4 messages), then an end mark;
 * the child prints "sum S", the parent reaps it, removes the queue and
 * prints "parent: done".
 *
 * Read README.md first. See mq_overview(7), mq_open(3), mq_send(3),
 * mq_receive(3), mq_unlink(3).
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread mqsum.c -o mqsum -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: mqsum NAME N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		usage();
	(void)argv;
	/* TODO: check N, build the name "/NAME", mq_open it with
	 * O_CREAT | O_EXCL and mq_maxmsg = 4, fork; the child receives
	 * and sums, the parent sends 1..N and the end mark, waits for the
	 * child, mq_close + mq_unlink, prints "parent: done". */
	return 0;
}
