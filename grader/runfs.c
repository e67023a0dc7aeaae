/*
 * runfs.c - a capped tmpfs for every run's working directory. See runfs.h.
 */
#define _GNU_SOURCE
#include "runfs.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int active;
static char why[160] = "not set up";

void runfs_init(void)
{
	if (active)
		return;
	if (getenv("GRADER_NO_SANDBOX")) {
		snprintf(why, sizeof(why), "GRADER_NO_SANDBOX is set");
		return;
	}
	if (geteuid() != 0) {
		snprintf(why, sizeof(why), "needs root");
		return;
	}
	if (unshare(CLONE_NEWNS) < 0) {
		snprintf(why, sizeof(why), "no private mount namespace: %s",
			 strerror(errno));
		return;
	}
	/* private propagation: our tmpfs mounts must not appear in the
	 * host's namespace (a shared "/" would copy them there) */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(why, sizeof(why), "cannot make mounts private: %s",
			 strerror(errno));
		return;
	}
	active = 1;
}

int runfs_active(void)
{
	return active;
}

int runfs_mount(const char *dir, long long bytes, long long inodes)
{
	char opts[128];

	if (!active)
		return 0;
	snprintf(opts, sizeof(opts), "size=%lld,nr_inodes=%lld,mode=0755",
		 bytes, inodes);
	/* nosuid, nodev: nothing the run leaves there may gain privileges */
	return mount("grader-run", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts);
}

const char *runfs_words(void)
{
	static char words[256];

	if (active)
		return "working directory: a tmpfs of its own, capped in size and files (limits.disk, limits.inodes)";
	snprintf(words, sizeof(words),
		 "working directory: a plain directory, capped per file only (%s)", why);
	return words;
}
