/*
 * procacct.c - every process's exit status from the kernel's process
 * accounting. See procacct.h.
 */
#define _GNU_SOURCE
#include "procacct.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acct.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "runfs.h"
#include "sandbox.h"
#include "spawn.h"
#include "util.h"

/* 16 MiB: 262144 records; the run's own limits end it long before. */
#define ACCT_BYTES (16LL << 20)
#define ACCT_INODES 8

/* Set once, by whichever grading thread learns it first. */
static pthread_mutex_t why_lock = PTHREAD_MUTEX_INITIALIZER;
static char why_off[160];

char *procacct_prepare(const char *dir)
{
	char *path;
	int fd;

	if (!runfs_active()) {
		errno = EPERM;
		return NULL;
	}
	if (rm_rf(dir) < 0 || mkdir(dir, 0700) < 0 ||
	    runfs_mount(dir, ACCT_BYTES, ACCT_INODES) < 0)
		return NULL;
	path = path_join(dir, "pacct");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int saved = errno;

		free(path);
		errno = saved;
		return NULL;
	}
	close(fd);
	return path;
}

long procacct_parse(const void *data, size_t len, int code,
		    struct procacct_exit *out, size_t max, size_t *records)
{
	const unsigned char *p = data;
	size_t off;
	long hits = 0;

	*records = 0;
	for (off = 0; off + sizeof(struct acct_v3) <= len;
	     off += sizeof(struct acct_v3)) {
		struct acct_v3 r;
		int st;

		memcpy(&r, p + off, sizeof(r));
		/* the version byte (with the byte-order flag, 0x80 on a
		 * big-endian kernel): anything else is not a v3 record */
		if ((r.ac_version & 0x7f) != 3)
			continue;
		(*records)++;
		/* ac_exitcode is the task's exit code: a wait status */
		st = (int)r.ac_exitcode;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != code)
			continue;
		if ((size_t)hits < max) {
			struct procacct_exit *x = &out[hits];

			x->pid = (pid_t)r.ac_pid;
			x->ppid = (pid_t)r.ac_ppid;
			_Static_assert(sizeof(r.ac_comm) < sizeof(x->comm),
				       "room for the terminating null");
			memcpy(x->comm, r.ac_comm, sizeof(r.ac_comm));
			x->comm[sizeof(r.ac_comm)] = '\0';
			x->status = st;
		}
		hits++;
	}
	return hits;
}

long procacct_read(const char *path, int code, struct procacct_exit *out,
		   size_t max, size_t *records)
{
	struct buf b;
	long n;

	*records = 0;
	buf_init(&b, (size_t)ACCT_BYTES);
	if (buf_read_file(&b, path) < 0) {
		int saved = errno;

		buf_release(&b);
		errno = saved;
		return -1;
	}
	n = procacct_parse(b.data, b.len, code, out, max, records);
	buf_release(&b);
	return n;
}

int procacct_probe(char *why, size_t size)
{
	const char *argv[] = { "/bin/sh", "-c", "sh -c 'exit 66'; exit 0", NULL };
	struct procacct_exit ex[2];
	struct spawn sp;
	struct error e;
	char *tmp, *acct_dir = NULL, *run_dir = NULL, *path = NULL;
	size_t records = 0;
	long n = -1;
	int ok = 0;

	if (!runfs_active()) {
		snprintf(why, size, "needs root (and a mount namespace of the grader's own): only the main process's exit status backs the tools' reports");
		return 0;
	}
	if (sandbox_level_available() != SANDBOX_ROOT) {
		snprintf(why, size, "the sandbox is not available as root here");
		return 0;
	}
	if (!(tmp = make_temp_dir("grader-acct"))) {
		snprintf(why, size, "no temporary directory: %s", strerror(errno));
		return 0;
	}
	acct_dir = path_join(tmp, "acct");
	run_dir = path_join(tmp, "run");
	error_init(&e);
	spawn_init(&sp);
	if (mkdir(run_dir, 0755) < 0 || !(path = procacct_prepare(acct_dir))) {
		snprintf(why, size, "cannot prepare the accounting file: %s", strerror(errno));
		goto out;
	}
	sp.argv = argv;
	sp.cwd = run_dir;
	sp.wall_s = 10;
	sp.acct_path = path;
	if (spawn_run(&sp, &e) < 0) {
		snprintf(why, size, "the probe could not run: %s", e.msg);
		goto out;
	}
	if (sp.acct_errno) {
		snprintf(why, size, "acct(): %s: only the main process's exit status backs the tools' reports",
			 strerror(sp.acct_errno));
		goto out;
	}
	n = procacct_read(path, 66, ex, 2, &records);
	ok = n == 1 && ex[0].pid > 1;
	if (ok)
		snprintf(why, size, "process accounting per run: the exit status of every process (%zu records in the probe)",
			 records);
	else
		snprintf(why, size, "the probe's accounting recorded %zu processes, %ld with status 66 (1 expected)",
			 records, n);
out:
	spawn_release(&sp);
	free(path);
	free(acct_dir);
	free(run_dir);
	rm_rf(tmp);
	free(tmp);
	return ok;
}

void procacct_failed(int err)
{
	pthread_mutex_lock(&why_lock);
	if (!why_off[0])
		snprintf(why_off, sizeof(why_off), "acct(): %s", strerror(err));
	pthread_mutex_unlock(&why_lock);
}

const char *procacct_words(void)
{
	static char words[256];

	pthread_mutex_lock(&why_lock);
	if (runfs_active() && !why_off[0]) {
		pthread_mutex_unlock(&why_lock);
		return "tool exit witness: the kernel's process accounting of the run (every process's exit status)";
	}
	snprintf(words, sizeof(words),
		 "tool exit witness: the main process only (no process accounting: %s)",
		 why_off[0] ? why_off : "needs root, in a mount namespace of the grader's own");
	pthread_mutex_unlock(&why_lock);
	return words;
}
