/*
 * hygiene_ipc.c - shared memory objects and named semaphores a run left
 * in /dev/shm, found after the run and removed (see hygiene_ipc.h for how
 * a run's objects are told apart).
 */
#define _GNU_SOURCE
#include "hygiene_ipc.h"
#include "buf.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SHM_DIR "/dev/shm"
/* Change times are kept by the second on some file systems. */
#define TIME_SLACK_S 1.0

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Where the decimal `digits` occur in name as a whole number, or NULL. */
static const char *find_number(const char *name, const char *digits)
{
	const char *p = name;
	size_t n = strlen(digits);

	while ((p = strstr(p, digits))) {
		if ((p == name || !is_digit(p[-1])) && !is_digit(p[n]))
			return p;
		p++;
	}
	return NULL;
}

char *hygiene_ipc_pattern(const char *name, pid_t pid)
{
	char digits[32];
	const char *at;
	struct buf b;

	snprintf(digits, sizeof(digits), "%d", (int)pid);
	at = find_number(name, digits);
	if (!at)
		return xstrdup(name);
	buf_init(&b, 0);
	buf_add(&b, name, (size_t)(at - name));
	buf_adds(&b, "<pid>");
	buf_adds(&b, at + strlen(digits));
	return buf_detach(&b, NULL);
}

int hygiene_ipc_scan(const char *dir, pid_t pid, double since, int remove,
		     char ***out)
{
	char digits[32];
	struct dirent *de;
	struct stat st;
	size_t n = 0, cap = 8;
	char **names;
	DIR *d;
	int fd;

	*out = NULL;
	if (pid < 0 || !(d = opendir(dir)))
		return -1;
	fd = dirfd(d);
	snprintf(digits, sizeof(digits), "%d", (int)pid);
	names = xcalloc(cap, sizeof(*names));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (pid > 0 && !find_number(de->d_name, digits)))
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		/* an older object whose name holds a pid that was reused */
		if (pid > 0 &&
		    (double)st.st_ctim.tv_sec + st.st_ctim.tv_nsec / 1e9 <
		    since - TIME_SLACK_S)
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
		names[n] = NULL;
		if (remove)
			unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	*out = names;
	return (int)n;
}

static double realtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the init found in the run's IPC namespace at the main process's
 * exit: one finding per object. Keys are shown in hex as ipcs shows them;
 * the message does not hold the id (new every run), so the same forgotten
 * removal in every run is one finding. */
static void sysv_and_mq_findings(struct grade_ctx *c, enum variant v,
				 const struct spawn *sp)
{
	static const struct {
		const char *kind, *what, *fix;
	} k[] = {
		[IPC_KIND_SHM] = { "sysv-shm-leftover", "System V shared memory segment",
				   "shmget without shmctl(IPC_RMID)" },
		[IPC_KIND_MSG] = { "sysv-msg-leftover", "System V message queue",
				   "msgget without msgctl(IPC_RMID)" },
		[IPC_KIND_SEM] = { "sysv-sem-leftover", "System V semaphore set",
				   "semget without semctl(IPC_RMID)" },
	};
	int i;

	for (i = 0; i < sp->nipc_left; i++) {
		const struct ipc_object *o = &sp->ipc_left[i];
		char key[32];

		if (o->kind == IPC_KIND_MQ) {
			grade_add_hygiene_finding(
			    c, v, "mq-leftover",
			    xasprintf("the message queue /%s still existed when the program exited (mq_open without mq_unlink); it went with the run's IPC namespace",
				      o->name));
			continue;
		}
		if (o->kind < IPC_KIND_SHM || o->kind > IPC_KIND_SEM)
			continue;
		if (o->key == 0)
			snprintf(key, sizeof(key), "IPC_PRIVATE");
		else
			snprintf(key, sizeof(key), "0x%08x", (unsigned)o->key);
		grade_add_hygiene_finding(
		    c, v, k[o->kind].kind,
		    xasprintf("a %s (key %s) still existed when the program exited (%s); it went with the run's IPC namespace",
			      k[o->kind].what, key, k[o->kind].fix));
	}
}

void hygiene_ipc_check(struct grade_ctx *c, enum variant v,
		       const struct spawn *sp)
{
	/* spawn's clock is the monotonic one: the start on the wall clock */
	double since = realtime_now() - (now_seconds() - sp->t_start);
	char **names = NULL, *shown;
	int n, i, sem, private;

	/* a sandboxed run had a /dev/shm of its own: all in it is the run's */
	private = c->shmdir != NULL;
	n = private ? hygiene_ipc_scan(c->shmdir, 0, since, 1, &names) : 0;
	if (n <= 0) {
		strv_free(names);
		names = NULL;
		private = 0;
		n = hygiene_ipc_scan(SHM_DIR, sp->pid, since, 1, &names);
	}
	sysv_and_mq_findings(c, v, sp);
	for (i = 0; i < n; i++) {
		sem = !strncmp(names[i], "sem.", 4);
		shown = private ? xstrdup(sem ? names[i] + 4 : names[i])
				: hygiene_ipc_pattern(sem ? names[i] + 4 : names[i], sp->pid);
		if (sem)
			grade_add_hygiene_finding(
			    c, v, "sem-leftover",
			    xasprintf("the named semaphore /%s was left in " SHM_DIR " (sem_open without sem_unlink); the grader removed it",
				      shown));
		else
			grade_add_hygiene_finding(
			    c, v, "shm-leftover",
			    xasprintf("the shared memory object /%s was left in " SHM_DIR " (shm_open without shm_unlink); the grader removed it",
				      shown));
		free(shown);
	}
	strv_free(names);
}
