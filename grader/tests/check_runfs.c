/*
 * check_runfs.c - the run directory's capped tmpfs (runfs.c) and removing
 * directories that are mount points (util.c rm_rf).
 *
 * runfs_init() moves the calling process into a mount namespace of its
 * own, so each case does its work in a child process (single-threaded,
 * as the grader's main() is when it calls it) and reports by exit status.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "child_case.h"
#include "runfs.h"
#include "util.h"

/* 1 if /proc/<pid>/mountinfo has a mount on path */
static int mounted_in(const char *pid, const char *path)
{
	char file[64], pat[600];
	struct buf b;
	int found;

	snprintf(file, sizeof(file), "/proc/%s/mountinfo", pid);
	snprintf(pat, sizeof(pat), " %s ", path);
	buf_init(&b, 1 << 22);
	if (buf_read_file(&b, file) < 0) {
		buf_release(&b);
		return -1;
	}
	found = strstr(b.data, pat) != NULL;
	buf_release(&b);
	return found;
}

static const char *const why[] = {
	[10] = "runfs_init() did not enter a private mount namespace",
	[11] = "runfs_mount() failed",
	[12] = "a 2 MiB write into a 1 MiB tmpfs was not cut at 1 MiB with ENOSPC",
	[13] = "creating files did not stop at the inode cap with ENOSPC",
	[14] = "the tmpfs is not in the grader's own mount table",
	[15] = "the tmpfs leaked into the host's mount table (pid 1's)",
	[16] = "rm_rf() of the mount point failed or left it",
	[17] = "rm_rf() of a tree holding a mount point failed or left it",
};

static int child_body(const char *dir)
{
	char path[700], sub[600];
	static char block[2 << 20];
	ssize_t n;
	int fd, files = 0, i;

	runfs_init();
	if (!runfs_active())
		return 10;
	if (runfs_mount(dir, 1 << 20, 32) < 0)
		return 11;
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 12;
	n = write(fd, block, sizeof(block));
	/* the first write may stop short; the next says why */
	if (n >= 0 && n < (ssize_t)sizeof(block) && write(fd, block, 4096) < 0 &&
	    errno == ENOSPC && n <= (1 << 20))
		n = 0;
	else
		return 12;
	close(fd);
	unlink(path);
	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			break;
		close(fd);
		files++;
	}
	if (i == 1000 || errno != ENOSPC || files >= 32)
		return 13;
	if (mounted_in("self", dir) != 1)
		return 14;
	/* only where "/" is a shared mount (systemd makes it so) can a
	 * missing MS_PRIVATE show here */
	if (mounted_in("1", dir) != 0)
		return 15;
	if (rm_rf(dir) < 0 || access(dir, F_OK) == 0)
		return 16;
	/* a grader interrupted before it unmounted: the mount point lies
	 * inside the temporary tree being removed */
	snprintf(sub, sizeof(sub), "%s/run-plain", dir);
	if (mkdir(dir, 0700) < 0 || mkdir(sub, 0755) < 0 ||
	    runfs_mount(sub, 1 << 20, 32) < 0)
		return 11;
	snprintf(path, sizeof(path), "%s/left", sub);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) >= 0)
		close(fd);
	if (rm_rf(dir) < 0 || access(dir, F_OK) == 0 || mounted_in("self", sub))
		return 17;
	return 0;
}

START_TEST(test_capped_private_tmpfs)
{
	char dir[] = "/tmp/check-runfs-XXXXXX";

	if (geteuid() != 0) {
		runfs_init();
		ck_assert_int_eq(runfs_active(), 0);
		ck_assert_ptr_nonnull(strstr(runfs_words(), "needs root"));
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	child_case(child_body, dir, why, sizeof(why) / sizeof(why[0]));
	/* the mounts were the child's: on the host the tree is gone */
	ck_assert_int_ne(access(dir, F_OK), 0);
	ck_assert_int_eq(mounted_in("self", dir), 0);
}
END_TEST

/* What the report says: a capped tmpfs, or why not. */
START_TEST(test_words_say_why_not)
{
	pid_t pid;
	int st;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("GRADER_NO_SANDBOX", "1", 1);
		runfs_init();
		_exit(!runfs_active() &&
				      strstr(runfs_words(), "a plain directory") &&
				      strstr(runfs_words(), "GRADER_NO_SANDBOX is set")
			      ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(runfs_mount("/nonexistent-runfs", 1 << 20, 32), 0);
}
END_TEST

Suite *make_runfs_suite(void)
{
	Suite *s = suite_create("runfs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_capped_private_tmpfs);
	tcase_add_test(tc, test_words_say_why_not);
	suite_add_tcase(s, tc);
	return s;
}
