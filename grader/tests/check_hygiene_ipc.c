/*
 * check_hygiene_ipc.c - unit tests of hygiene_ipc.c on a directory of its
 * own standing in for /dev/shm: which entries are the run's (its pid as a
 * whole number, changed since the run began), their removal, and the name
 * shown in the finding.
 */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hygiene_ipc.h"
#include "ipcscan.h"
#include "util.h"

static void touch(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	close(fd);
	free(p);
}

static int exists(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	int r = access(p, F_OK) == 0;

	free(p);
	return r;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int has(char **names, const char *name)
{
	size_t i;

	for (i = 0; names && names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

START_TEST(scan_finds_the_runs_objects)
{
	char *dir = make_temp_dir("hygiene"), *sub;
	char **names = NULL;
	int n;

	touch(dir, "shmcount-4242");   /* shm_open("/shmcount-4242") */
	touch(dir, "sem.park.4242");   /* sem_open("/park.4242") */
	touch(dir, "other-14242");     /* another run's pid */
	touch(dir, "other-42421");
	touch(dir, "fixed-name");      /* cannot be told apart */
	sub = path_join(dir, "d-4242"); /* not an object: a directory */
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	free(sub);
	n = hygiene_ipc_scan(dir, 4242, wall_now() - 5, 0, &names);
	ck_assert_int_eq(n, 2);
	ck_assert(has(names, "shmcount-4242"));
	ck_assert(has(names, "sem.park.4242"));
	strv_free(names);
	/* made before the run started: a pid reused, not this run's */
	n = hygiene_ipc_scan(dir, 4242, wall_now() + 60, 0, &names);
	ck_assert_int_eq(n, 0);
	strv_free(names);
	/* with remove, they are gone and nothing else is */
	n = hygiene_ipc_scan(dir, 4242, wall_now() - 5, 1, &names);
	ck_assert_int_eq(n, 2);
	strv_free(names);
	ck_assert(!exists(dir, "shmcount-4242"));
	ck_assert(!exists(dir, "sem.park.4242"));
	ck_assert(exists(dir, "other-14242"));
	ck_assert(exists(dir, "fixed-name"));
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(scan_without_dir)
{
	char **names = (char **)1;

	ck_assert_int_eq(hygiene_ipc_scan("/nonexistent/shm", 4242, 0, 0, &names), -1);
	ck_assert_ptr_null(names);
	ck_assert_int_eq(hygiene_ipc_scan("/tmp", -1, 0, 0, &names), -1);
}
END_TEST

/* pid 0: a run's private /dev/shm, where every entry is the run's. */
START_TEST(scan_private_dir_takes_everything)
{
	char *d = make_temp_dir("shm"), *a = path_join(d, "fixed"), *b = path_join(d, "sem.x");
	char **names = NULL;

	ck_assert_int_eq(write_file_atomic(a, "x", 1), 0);
	ck_assert_int_eq(write_file_atomic(b, "x", 1), 0);
	ck_assert_int_eq(hygiene_ipc_scan(d, 0, 0, 1, &names), 2);
	ck_assert_int_eq(access(a, F_OK), -1);
	ck_assert_int_eq(access(b, F_OK), -1);
	strv_free(names);
	rm_rf(d);
	free(a);
	free(b);
	free(d);
}
END_TEST

START_TEST(pattern_hides_the_pid)
{
	char *p;

	p = hygiene_ipc_pattern("shmcount-4242", 4242);
	ck_assert_str_eq(p, "shmcount-<pid>");
	free(p);
	p = hygiene_ipc_pattern("42-x-4242.shm", 4242);
	ck_assert_str_eq(p, "42-x-<pid>.shm");
	free(p);
	p = hygiene_ipc_pattern("fixed", 4242);
	ck_assert_str_eq(p, "fixed");
	free(p);
}
END_TEST

/* /proc/sysvipc's format, as captured on Linux 6.1: a header, then one
 * line per object whose first two fields are the key (decimal, signed)
 * and the id. A line cut at the end of the file is not an object. */
START_TEST(ipcscan_reads_sysvipc_lines)
{
	static const char text[] =
		"       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n"
		"1701013615          0   600           0          0     0     0 60002 60002 60002 60002          0          0 1795000000\n"
		"         0      32769   600           0          0     0     0 60002 60002 60002 60002          0          0 1795000000\n"
		"-559038737      65538   666          12          1     2     0     0     0     0     0 1795000001          0 1795000000\n"
		"  1234";
	char *dir = make_temp_dir("ipcscan"), *file = path_join(dir, "msg");
	struct ipc_object o[8];
	int n = 0;

	ck_assert_int_eq(write_file_atomic(file, text, sizeof(text) - 1), 0);
	ck_assert_int_eq(ipcscan_sysv(file, IPC_KIND_MSG, o, &n, 8), 3);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(o[0].kind, IPC_KIND_MSG);
	ck_assert_int_eq(o[0].key, 0x6563686f);
	ck_assert_int_eq(o[1].key, 0);
	ck_assert_int_eq((unsigned)o[2].key, 0xdeadbeefU);
	/* the cap holds, and a missing file is nothing */
	n = 0;
	ck_assert_int_eq(ipcscan_sysv(file, IPC_KIND_SHM, o, &n, 2), 2);
	ck_assert_int_eq(ipcscan_sysv("/nonexistent/sysvipc", IPC_KIND_SHM, o, &n, 8), 0);
	ck_assert_int_eq(n, 2);
	rm_rf(dir);
	free(file);
	free(dir);
}
END_TEST

/* An mqueue directory: one object per entry, long names cut. */
START_TEST(ipcscan_lists_queues)
{
	char *dir = make_temp_dir("mq"), *a = path_join(dir, "orders"),
	     *b = path_join(dir, "a-very-long-queue-name-that-goes-on-and-on-beyond-the-cap");
	struct ipc_object o[8];
	int n = 0, i, seen = 0;

	ck_assert_int_eq(write_file_atomic(a, "", 0), 0);
	ck_assert_int_eq(write_file_atomic(b, "", 0), 0);
	ck_assert_int_eq(ipcscan_mqueue(dir, o, &n, 8), 2);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(o[i].kind, IPC_KIND_MQ);
		ck_assert_uint_lt(strlen(o[i].name), IPC_NAME_MAX);
		if (!strcmp(o[i].name, "orders"))
			seen |= 1;
		else if (!strncmp(o[i].name, "a-very-long-queue-name", 22))
			seen |= 2;
	}
	ck_assert_int_eq(seen, 3);
	ck_assert_int_eq(ipcscan_mqueue("/nonexistent/mqueue", o, &n, 8), 0);
	rm_rf(dir);
	free(a);
	free(b);
	free(dir);
}
END_TEST

Suite *make_hygiene_ipc_suite(void)
{
	Suite *s = suite_create("hygiene_ipc");
	TCase *t = tcase_create("scan");

	tcase_add_test(t, scan_finds_the_runs_objects);
	tcase_add_test(t, scan_without_dir);
	tcase_add_test(t, scan_private_dir_takes_everything);
	tcase_add_test(t, pattern_hides_the_pid);
	tcase_add_test(t, ipcscan_reads_sysvipc_lines);
	tcase_add_test(t, ipcscan_lists_queues);
	suite_add_tcase(s, t);
	return s;
}
