/*
 * check_procacct.c - the exit-status witness (procacct.c): the parser on
 * records laid out as the kernel writes them, and, as root, a sandboxed run
 * whose processes the kernel's accounting records while the program cannot
 * see the file.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acct.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_case.h"
#include "procacct.h"
#include "runfs.h"
#include "sandbox.h"
#include "spawn.h"
#include "util.h"

static void record(struct acct_v3 *r, unsigned pid, unsigned ppid,
		   const char *comm, unsigned exitcode)
{
	memset(r, 0, sizeof(*r));
	r->ac_version = 3;
	r->ac_pid = pid;
	r->ac_ppid = ppid;
	r->ac_exitcode = exitcode;
	/* the kernel fills all 16 bytes; a null only when the name is shorter */
	memcpy(r->ac_comm, comm, strnlen(comm, sizeof(r->ac_comm)));
}

START_TEST(test_parse_records)
{
	unsigned char data[6 * sizeof(struct acct_v3) + 10];
	struct acct_v3 r[6];
	struct procacct_exit ex[4];
	size_t records;
	long n;

	record(&r[0], 3, 2, "prog", 66 << 8);         /* exit(66) */
	record(&r[1], 4, 2, "prog", SIGKILL);         /* killed */
	record(&r[2], 5, 2, "prog", 0);               /* exit(0) */
	record(&r[3], 6, 2, "x", 66 << 8);
	r[3].ac_version = 2;                          /* not a v3 record */
	record(&r[4], 7, 3, "sixteen-bytes-ab", 66 << 8);
	record(&r[5], 2, 1, "prog", 1 << 8);          /* exit(1) */
	memcpy(data, r, sizeof(r));
	memset(data + sizeof(r), 3, 10);              /* a partial record */

	n = procacct_parse(data, sizeof(data), 66, ex, 4, &records);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(records, 5);
	ck_assert_int_eq(ex[0].pid, 3);
	ck_assert_int_eq(ex[0].ppid, 2);
	ck_assert_str_eq(ex[0].comm, "prog");
	ck_assert(WIFEXITED(ex[0].status) && WEXITSTATUS(ex[0].status) == 66);
	/* a full 16-byte name, not null-terminated in the record */
	ck_assert_int_eq(ex[1].pid, 7);
	ck_assert_str_eq(ex[1].comm, "sixteen-bytes-ab");

	/* more than max: all counted, max stored */
	n = procacct_parse(data, sizeof(data), 66, ex, 1, &records);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(ex[0].pid, 3);

	/* a signal number is not an exit code */
	n = procacct_parse(data, sizeof(data), SIGKILL, ex, 4, &records);
	ck_assert_int_eq(n, 0);

	n = procacct_parse(data, 0, 66, ex, 4, &records);
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(records, 0);
	ck_assert_int_eq(procacct_read("/nonexistent/pacct", 66, ex, 4, &records), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static const char *const why[] = {
	[10] = "runfs is not active as root",
	[11] = "procacct_prepare() failed",
	[12] = "spawn_run() failed",
	[13] = "the program did not exit 0: it saw the accounting file (3) or failed",
	[14] = "the accounting file could not be read",
	[15] = "not every process of the run was recorded",
	[16] = "the two processes that exited 66 were not both found",
	[17] = "the init reported that acct() failed",
};

/* In a child process of its own (runfs_init() moves it into a mount
 * namespace): a sandboxed run with accounting, its cwd beside the
 * accounting directory as the grader lays them out. Its processes: the main
 * shell, a subshell that exits 66, an exec'd shell that exits 66, and
 * one killed. */
static int child_body(const char *dir)
{
	struct procacct_exit ex[8];
	struct spawn sp;
	struct error e;
	size_t records;
	char *script, *path, *acct_dir, *run_dir;
	long n;
	int i, found = 0;

	runfs_init();
	if (!runfs_active())
		return 10;
	acct_dir = path_join(dir, "acct");
	run_dir = path_join(dir, "run");
	if (mkdir(run_dir, 0755) < 0 || !(path = procacct_prepare(acct_dir)))
		return 11;
	script = xasprintf("test -e %s && exit 3; (exit 66); sh -c 'exit 66'; "
			   "sleep 5 & kill -9 $!; wait; exit 0", path);
	{
		const char *argv[] = { "/bin/sh", "-c", script, NULL };

		spawn_init(&sp);
		sp.argv = argv;
		sp.cwd = run_dir;
		sp.wall_s = 30;
		sp.acct_path = path;
		error_init(&e);
		if (spawn_run(&sp, &e) < 0)
			return 12;
	}
	if (sp.acct_errno)
		return 17;
	if (sp.outcome != SPAWN_EXITED || sp.exit_code != 0)
		return 13;
	n = procacct_read(path, 66, ex, 8, &records);
	if (n < 0)
		return 14;
	/* main, subshell, sh, sleep, and the init (at least) */
	if (records < 5)
		return 15;
	for (i = 0; i < n && i < 8; i++)
		if (ex[i].ppid > 0 && ex[i].pid > 1)
			found++;
	if (n != 2 || found != 2)
		return 16;
	spawn_release(&sp);
	free(script);
	free(path);
	free(acct_dir);
	free(run_dir);
	rm_rf(dir);
	return 0;
}

START_TEST(test_sandboxed_run_is_witnessed)
{
	char *dir;

	if (geteuid() != 0 || sandbox_level_available() != SANDBOX_ROOT) {
		/* an ordinary user: no accounting, and the report says so */
		ck_assert_ptr_null(procacct_prepare("/nonexistent/acct"));
		ck_assert_ptr_nonnull(strstr(procacct_words(), "main process only"));
		return;
	}
	spawn_setup_process();
	dir = make_temp_dir("procacct-test");
	ck_assert_ptr_nonnull(dir);
	child_case(child_body, dir, why, sizeof(why) / sizeof(why[0]));
	rm_rf(dir);
	free(dir);
}
END_TEST

Suite *make_procacct_suite(void)
{
	Suite *s = suite_create("procacct");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_records);
	tcase_add_test(tc, test_sandboxed_run_is_witnessed);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
