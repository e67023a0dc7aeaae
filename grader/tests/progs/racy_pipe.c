/*
 * racy_pipe.c - test program for check_perturb.c: a parent and a forked
 * child talk over pipes (the child echoes N bytes back one at a time, N =
 * argv[1], default 50), and a condition variable and a semaphore pass a
 * token between two threads of the parent: every kind of call perturb.so
 * wraps is made, in two processes. Exits 0 when everything arrived.
 *
 * The number of wrapped calls each thread makes must not depend on timing
 * (the test compares the decision traces of two runs): the main thread
 * holds the mutex from before it creates the other thread until it waits,
 * so it waits exactly once, and the other thread can only take the mutex
 * once it does.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static sem_t sem;
static int token;

static void *other(void *arg)
{
	pthread_mutex_lock(&lock);
	token = 1;
	pthread_cond_signal(&changed);
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	sem_post(&sem);
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50, i, down[2], up[2], status;
	pthread_t t;
	pid_t pid;
	char c;

	if (pipe(down) < 0 || pipe(up) < 0 || sem_init(&sem, 0, 0) < 0)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		while (read(down[0], &c, 1) == 1)
			if (write(up[1], &c, 1) != 1)
				_exit(1);
		exit(0); /* exit, not _exit: the stats line is written at exit */
	}
	close(down[0]);
	close(up[1]);
	for (i = 0; i < n; i++) {
		c = (char)('a' + i % 26);
		if (write(down[1], &c, 1) != 1 || read(up[0], &c, 1) != 1 ||
		    c != (char)('a' + i % 26))
			return 1;
	}
	close(down[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	pthread_mutex_lock(&lock);
	if (pthread_create(&t, NULL, other, NULL))
		return 2;
	while (token == 0)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
	sem_wait(&sem);
	pthread_join(t, NULL);
	return 0;
}
