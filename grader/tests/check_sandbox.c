/*
 * check_sandbox.c - tests of sandbox.c through spawn: what a run can see
 * (the grader's files are hidden, its cwd writable, the system read-only),
 * who it is (a uid of its own as root, no capabilities, no_new_privs), the
 * pid namespace's init (the program is not pid 1; a daemon that escaped
 * its group is still found and killed, named by host pids), the network
 * (loopback only), IPC (nothing reaches the host) and the degraded mode
 * GRADER_NO_SANDBOX=1. The whole-grader attacks are in
 * fixtures/adversarial/ (scripts/tests/adversarial.sh).
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"
#include "spawn.h"
#include "util.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

static char *tmp;

static void setup(void)
{
	spawn_setup_process();
	unsetenv("GRADER_NO_SANDBOX");
	tmp = make_temp_dir("sandbox-test");
	ck_assert_ptr_nonnull(tmp);
}

static void teardown(void)
{
	rm_rf(tmp);
	free(tmp);
	unsetenv("GRADER_NO_SANDBOX");
}

/* Under valgrind the child between clone and exec is valgrind's too:
 * the sandbox works, but these tests are about it, not about valgrind. */
static int sandbox_expected(void)
{
	return !RUNNING_ON_VALGRIND && sandbox_level_available() > SANDBOX_NONE;
}

/* Runs `sh -c script` in cwd (sandboxed); returns its stdout. */
static char *run_sh(const char *cwd, const char *script, struct spawn *sp)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct error e;

	spawn_init(sp);
	sp->argv = argv;
	sp->cwd = cwd;
	sp->wall_s = 30;
	error_init(&e);
	ck_assert_msg(spawn_run(sp, &e) == 0, "spawn_run: %s", e.msg);
	ck_assert_int_eq(sp->outcome, SPAWN_EXITED);
	return sp->out.data ? sp->out.data : "";
}

/* The grader's other files are invisible; the cwd is writable, the system
 * read-only. */
START_TEST(test_view)
{
	struct spawn sp;
	char *secret_dir = path_join(tmp, "exercise"), *cwd = path_join(tmp, "run");
	char *secret = path_join(secret_dir, "expected.txt"), *script, *out;

	if (!sandbox_expected())
		return;
	ck_assert_int_eq(mkdir_p(secret_dir), 0);
	ck_assert_int_eq(mkdir_p(cwd), 0);
	ck_assert_int_eq(write_file_atomic(secret, "hidden\n", 7), 0);
	script = xasprintf("cat %s 2>/dev/null || echo no-secret; "
			   "ls %s 2>/dev/null || echo no-dir; "
			   "echo x > mine && echo cwd-writable; "
			   "touch /usr/x 2>/dev/null || echo usr-readonly; "
			   "test -r /etc/passwd && echo etc-readable; "
			   "echo y > /tmp/t && echo tmp-writable",
			   secret, secret_dir);
	out = run_sh(cwd, script, &sp);
	ck_assert_str_eq(out, "no-secret\nno-dir\ncwd-writable\nusr-readonly\n"
			      "etc-readable\ntmp-writable\n");
	ck_assert_int_eq(sp.sandboxed > SANDBOX_NONE, 1);
	spawn_release(&sp);
	free(script);
	/* what the run wrote in its cwd is there for the grader; its /tmp
	 * was its own */
	script = path_join(cwd, "mine");
	ck_assert(is_file(script));
	free(script);
	free(secret);
	free(secret_dir);
	free(cwd);
}
END_TEST

/* The program is not the namespace's pid 1 (the init is): a signal it does
 * not handle kills it, as a keyboard's Ctrl-C must. */
START_TEST(test_not_pid1)
{
	struct spawn sp;
	char *out;

	if (!sandbox_expected())
		return;
	out = run_sh(tmp, "echo $$ $PPID", &sp);
	ck_assert_str_eq(out, "2 1\n");
	spawn_release(&sp);

	spawn_init(&sp);
	{
		const char *argv[] = { "/bin/sh", "-c", "kill -INT $$; echo survived", NULL };
		struct error e;

		sp.argv = argv;
		sp.wall_s = 30;
		error_init(&e);
		ck_assert_int_eq(spawn_run(&sp, &e), 0);
		ck_assert_int_eq(sp.outcome, SPAWN_SIGNALED);
		ck_assert_int_eq(sp.term_signal, SIGINT);
	}
	spawn_release(&sp);

	/* spawn_signal() reaches the program's group, not the init's */
	spawn_init(&sp);
	{
		const char *argv[] = { "/bin/sleep", "100", NULL };
		struct error e;

		sp.argv = argv;
		sp.wall_s = 30;
		error_init(&e);
		ck_assert_int_eq(spawn_start(&sp, &e), 0);
		ck_assert_int_eq(spawn_pump(&sp, 0.1), 0);
		ck_assert_int_eq(spawn_signal(&sp, SIGTERM), 0);
		while (spawn_pump(&sp, -1) == 0)
			;
		ck_assert_int_eq(spawn_finish(&sp), 0);
		ck_assert_int_eq(sp.outcome, SPAWN_SIGNALED);
		ck_assert_int_eq(sp.term_signal, SIGTERM);
		ck_assert_int_eq(sp.leftover, 0);
	}
	spawn_release(&sp);
}
END_TEST

/* Root: a uid of its own, no capabilities, no_new_privs. */
START_TEST(test_identity)
{
	struct spawn sp;
	char *out;
	long uid;

	if (!sandbox_expected())
		return;
	out = run_sh(tmp, "id -u; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status", &sp);
	uid = strtol(out, NULL, 10);
	if (geteuid() == 0) {
		ck_assert_int_ge(uid, SANDBOX_UID_BASE);
		ck_assert_int_lt(uid, SANDBOX_UID_BASE + SANDBOX_SLOTS);
		ck_assert_int_eq(sp.sandbox_uid, uid);
	} else {
		ck_assert_int_eq(uid, (long)geteuid());
	}
	ck_assert_ptr_nonnull(strstr(out, "CapEff:\t0000000000000000\n"));
	ck_assert_ptr_nonnull(strstr(out, "CapBnd:\t0000000000000000\n"));
	ck_assert_ptr_nonnull(strstr(out, "NoNewPrivs:\t1\n"));
	spawn_release(&sp);
}
END_TEST

/* Loopback only, and up. */
START_TEST(test_network)
{
	struct spawn sp;
	char *out;

	if (!sandbox_expected())
		return;
	out = run_sh(tmp, "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; "
			  "grep -c . /proc/net/route", &sp);
	ck_assert_str_eq(out, "lo\n1\n");
	spawn_release(&sp);
}
END_TEST

/* POSIX shared memory of a run never reaches the host's /dev/shm. */
START_TEST(test_private_shm)
{
	struct spawn sp;
	char *name = xasprintf("grader-sandbox-test-%ld", (long)getpid());
	char *script = xasprintf("echo x > /dev/shm/%s && ls /dev/shm", name);
	char *host = xasprintf("/dev/shm/%s", name);
	char *out;

	if (!sandbox_expected()) {
		free(name);
		free(script);
		free(host);
		return;
	}
	out = run_sh(tmp, script, &sp);
	ck_assert_ptr_nonnull(strstr(out, name));
	ck_assert_int_eq(access(host, F_OK), -1);
	spawn_release(&sp);
	free(name);
	free(script);
	free(host);
}
END_TEST

struct seen {
	pid_t pids[64];
	int n;
};

static void record_pids(struct spawn *sp, void *arg)
{
	struct seen *s = arg;
	pid_t *p;
	int n = spawn_pids(sp, &p), i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < s->n && s->pids[k] != p[i]; k++)
			;
		if (k == s->n && s->n < 64)
			s->pids[s->n++] = p[i];
	}
	free(p);
}

/* A setsid() daemon in the pid namespace: counted as a leftover, killed;
 * spawn_pids names host pids, never the init. */
START_TEST(test_daemon)
{
	struct spawn sp;
	struct seen s = { { 0 }, 0 };
	const char *argv[] = { "/bin/sh", "-c",
			       "setsid sh -c 'trap \"\" TERM; sleep 1000' </dev/null >/dev/null 2>&1 & "
			       "sleep 0.3; echo main", NULL };
	struct error e;
	int i;

	if (!sandbox_expected())
		return;
	spawn_init(&sp);
	sp.argv = argv;
	sp.wall_s = 30;
	sp.on_tick = record_pids;
	sp.tick_arg = &s;
	sp.tick_s = 0.05;
	error_init(&e);
	ck_assert_int_eq(spawn_run(&sp, &e), 0);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(sp.exit_code, 0);
	ck_assert_int_ge(sp.leftover, 1);
	ck_assert_int_ge(s.n, 2);
	for (i = 0; i < s.n; i++) {
		char path[64];

		ck_assert_int_gt(s.pids[i], 2);
		snprintf(path, sizeof(path), "/proc/%ld", (long)s.pids[i]);
		ck_assert_msg(access(path, F_OK) < 0, "pid %ld survived", (long)s.pids[i]);
	}
	spawn_release(&sp);
}
END_TEST

/* GRADER_NO_SANDBOX=1: the run is not isolated, and the report says so. */
START_TEST(test_disabled)
{
	struct spawn sp;
	char *out;

	setenv("GRADER_NO_SANDBOX", "1", 1);
	out = run_sh(tmp, "echo $$", &sp);
	ck_assert_int_ne(strtol(out, NULL, 10), 2);
	ck_assert_int_eq(sp.sandboxed, SANDBOX_NONE);
	ck_assert_ptr_nonnull(strstr(sp.isolation, "no sandbox (GRADER_NO_SANDBOX is set)"));
	spawn_release(&sp);
}
END_TEST

/* The words of the report name what was missing in each mode. */
START_TEST(test_describe)
{
	ck_assert_ptr_nonnull(strstr(sandbox_describe(NULL, "cgroup"), "cgroup; no sandbox"));
	ck_assert_ptr_nonnull(strstr(sandbox_describe(NULL, "process-group+subreaper"),
				     "no memory limit"));
}
END_TEST

Suite *make_sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_view);
	tcase_add_test(tc, test_not_pid1);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_network);
	tcase_add_test(tc, test_private_shm);
	tcase_add_test(tc, test_daemon);
	tcase_add_test(tc, test_disabled);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	return s;
}
