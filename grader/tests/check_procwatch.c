/*
 * check_procwatch.c - tests of procwatch.c on real process trees
 * (tests/progs/pw_tree.c): counts, workers, zombie lifetimes, stopped
 * processes, exit order, roles, and helpers left out.
 *
 * Durations are asserted only as generous bounds around what the program
 * does on purpose (a zombie kept 1.5 s is seen for more than 0.3 s; a
 * zombie reaped at once is never seen for 1 s): never as performance.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procwatch.h"
#include "spawn.h"

static const char *prog(const char *name)
{
	static char path[4096];
	const char *dir = getenv("GRADER_TEST_PROGS");

	ck_assert_msg(dir && *dir, "GRADER_TEST_PROGS is not set");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_msg(access(path, X_OK) == 0, "%s is not built", path);
	return path;
}

/* Runs pw_tree with args under a watch; the watch is the caller's. */
static void watch(struct procwatch *pw, const char *a1, const char *a2,
		  const char *a3)
{
	const char *argv[] = { prog("pw_tree"), a1, a2, a3, NULL };
	struct spawn sp;
	struct error e;

	error_init(&e);
	procwatch_init(pw, 0);
	spawn_init(&sp);
	sp.argv = argv;
	sp.wall_s = 30;
	sp.on_tick = procwatch_tick;
	sp.tick_arg = pw;
	ck_assert_int_eq(spawn_run(&sp, &e), 0);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(sp.exit_code, 0);
	ck_assert_int_gt(pw->ticks, 0);
	spawn_release(&sp);
}

START_TEST(test_workers)
{
	struct procwatch pw;
	const struct pw_proc *z;
	struct buf b;
	char role[64];
	pid_t c0, c2;

	watch(&pw, "workers", "3", "300");
	ck_assert_int_eq(procwatch_count(&pw), 4);
	ck_assert_int_eq(pw.max_alive, 4);
	ck_assert_int_eq(pw.nmax_pids, 4);
	/* each spun 300 ms of CPU; main almost none */
	ck_assert_int_eq(procwatch_workers(&pw, 0.05), 3);
	ck_assert_int_eq(procwatch_workers(&pw, 10), 0);
	/* reaped at once: never seen a zombie for long */
	z = procwatch_worst_zombie(&pw);
	ck_assert(!z || z->z_longest < 1.0);
	ck_assert_ptr_null(procwatch_stopped(&pw));
	ck_assert_int_eq(procwatch_role_pid(&pw, "main"), pw.main);
	c0 = procwatch_role_pid(&pw, "child[0]");
	c2 = procwatch_role_pid(&pw, "main.child[2]");
	ck_assert_int_gt(c0, 0);
	ck_assert_int_gt(c2, 0);
	ck_assert_int_ne(c0, c2);
	ck_assert_int_eq(procwatch_role_pid(&pw, "child[3]"), 0);
	ck_assert_int_eq(procwatch_role_pid(&pw, "child[0].child[0]"), 0);
	ck_assert_str_eq(procwatch_role_of(&pw, c2, role, sizeof(role)), "child[2]");
	ck_assert_str_eq(procwatch_role_of(&pw, pw.main, role, sizeof(role)), "main");
	/* the children exit before main, which the grader reaps last */
	ck_assert_int_eq(procwatch_exited_before(&pw, pw.main, c0), 0);
	buf_init(&b, 0);
	procwatch_format(&pw, 0.05, 40, &b);
	ck_assert_msg(strstr(b.data, "at most 4 alive at once"), "%s", b.data);
	ck_assert_msg(strstr(b.data, "3 besides main used more than 50 ms"), "%s", b.data);
	ck_assert_msg(strstr(b.data, "child[2]"), "%s", b.data);
	buf_release(&b);
	procwatch_release(&pw);
}
END_TEST

START_TEST(test_zombie)
{
	struct procwatch pw;
	const struct pw_proc *z;
	char role[64];

	watch(&pw, "zombie", "1500", NULL);
	z = procwatch_worst_zombie(&pw);
	ck_assert_ptr_nonnull(z);
	ck_assert_msg(z->z_longest > 0.3, "zombie seen for %g s", z->z_longest);
	ck_assert_msg(z->z_longest < 5, "zombie seen for %g s", z->z_longest);
	ck_assert_int_eq(z->z_parent, pw.main);
	ck_assert_str_eq(procwatch_role_of(&pw, z->pid, role, sizeof(role)), "child[0]");
	procwatch_release(&pw);
}
END_TEST

START_TEST(test_stopped)
{
	struct procwatch pw;
	const struct pw_proc *s;

	/* the parent exits, leaving the child stopped: the last look (before
	 * spawn kills it) sees it in state T */
	watch(&pw, "stop", NULL, NULL);
	s = procwatch_stopped(&pw);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->pid, procwatch_role_pid(&pw, "child[0]"));
	procwatch_release(&pw);
}
END_TEST

START_TEST(test_exit_order)
{
	struct procwatch pw;
	pid_t c0;

	watch(&pw, "orphan", NULL, NULL);
	c0 = procwatch_role_pid(&pw, "child[0]");
	ck_assert_int_gt(c0, 0);
	/* main exited while its child lived on */
	ck_assert_int_eq(procwatch_exited_before(&pw, pw.main, c0), 1);
	ck_assert_int_eq(procwatch_exited_before(&pw, c0, pw.main), 0);
	procwatch_release(&pw);
}
END_TEST

START_TEST(test_helper_not_counted)
{
	struct procwatch pw;

	/* a vfork child shares its parent's memory until it execs: not a
	 * process of the program's own (nor is LeakSanitizer's tracer) */
	watch(&pw, "vfork", NULL, NULL);
	ck_assert_int_eq(procwatch_count(&pw), 1);
	ck_assert_int_eq(pw.max_alive, 1);
	ck_assert_int_eq(procwatch_role_pid(&pw, "child[0]"), 0);
	procwatch_release(&pw);
}
END_TEST

START_TEST(test_role_syntax)
{
	static const char *const good[] = { "main", "child[0]", "child[12]",
					     "main.child[1]", "child[0].child[3]" };
	static const char *const bad[] = { "", "mainx", "child", "child[]",
					   "child[a]", "child[1", "child[1]x",
					   "child[1].", "main.", "parent",
					   "child[-1]" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(procwatch_role_valid(good[i]) == 0, "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(procwatch_role_valid(bad[i]) < 0, "%s", bad[i]);
}
END_TEST

Suite *make_procwatch_suite(void)
{
	Suite *s = suite_create("procwatch");
	TCase *tc = tcase_create("trees");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_workers);
	tcase_add_test(tc, test_zombie);
	tcase_add_test(tc, test_stopped);
	tcase_add_test(tc, test_exit_order);
	tcase_add_test(tc, test_helper_not_counted);
	tcase_add_test(tc, test_role_syntax);
	suite_add_tcase(s, tc);
	return s;
}
