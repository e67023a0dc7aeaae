/*
 * shmcount.c - ./shmcount P N: P child processes each add 1 to a shared
 * counter N times, under a process-shared lock, and store their pid in
 * their slot of a shared array; the parent prints "count C" and
 * "slots K".
 *
 * Read README.md first. See mmap(2) (MAP_SHARED | MAP_ANONYMOUS) or
 * shm_open(3), pthread_mutexattr_setpshared(3) or sem_init(3).
 *
 * Build: cc -std=gnu11 -Wall -Wextra -pthread shmcount.c -o shmcount -lrt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_P 64

/* Everything the processes share. It must live in shared memory. */
struct shared {
	/* TODO: a lock that works between processes */
	long long count;
	pid_t slot[MAX_P];
};

static void usage(void)
{
	fprintf(stderr, "usage: shmcount P N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		usage();
	(void)argv;
	/* TODO:
	 *  - check P (1..64) and N (>= 0), usage() otherwise;
	 *  - map a struct shared that the children will share, and
	 *    initialise the lock for use between processes;
	 *  - fork P children: child i does N times { lock; count++;
	 *    unlock; }, stores getpid() in slot[i], and _exit(0)s;
	 *  - wait for every child, print "count C" and "slots K";
	 *  - leave nothing behind.
	 */
	return 0;
}
