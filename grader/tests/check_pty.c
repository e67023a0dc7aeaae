/*
 * check_pty.c - `type: pty` tests: the spec parser's located errors
 * (spec_pty.c, spec_procs.c) and scripts played against a small terminal
 * program (tests/progs/pty_family.c) through the job-control wrapper
 * (pty_script.c): typed text and keys, signals by role and by captured
 * pid, exit statuses, line order, process order, and each way a script
 * fails.
 */
#define _GNU_SOURCE
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procwatch.h"
#include "pty_script.h"
#include "spawn.h"
#include "spec.h"
#include "spec_procs.h"
#include "spec_pty.h"

static const char *prog(const char *name)
{
	static char path[4096];
	const char *dir = getenv("GRADER_TEST_PROGS");

	ck_assert_msg(dir && *dir, "GRADER_TEST_PROGS is not set");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_msg(access(path, X_OK) == 0, "%s is not built", path);
	return path;
}

#define HEAD "name: t\ntitle: T\nbuild: {sources: [a.c]}\ntests:\n"

/* Parses HEAD + tests; returns the spec or NULL with e filled. */
static struct spec *parse(const char *tests, struct error *e)
{
	char text[8192];
	struct spec *s = NULL;

	snprintf(text, sizeof(text), HEAD "%s", tests);
	error_init(e);
	if (spec_parse(text, strlen(text), "x.yaml", ".", &s, e) < 0)
		return NULL;
	return s;
}

/* The spec must be refused with a message holding `where` and `what`. */
static void refused(const char *tests, const char *where, const char *what)
{
	struct error e;
	struct spec *s = parse(tests, &e);
	char msg[1024];

	ck_assert_msg(s == NULL, "accepted: %s", tests);
	error_format(&e, msg, sizeof(msg));
	ck_assert_msg(strstr(msg, where) && strstr(msg, what),
		      "for\n%s\ngot: %s\nwanted: %s ... %s", tests, msg, where, what);
}

START_TEST(test_parse_full)
{
	struct error e;
	struct spec *s = parse(
		"  - name: p\n"
		"    points: 1\n"
		"    type: pty\n"
		"    args: [x]\n"
		"    timeout: 2s\n"
		"    script:\n"
		"      - expect: '^child ([0-9]+) ready$'\n"
		"        capture: kid\n"
		"        timeout: 1s\n"
		"      - press: 'ctrl-\\'\n"
		"      - send: \"abc\\n\"\n"
		"      - signal: SIGUSR1\n"
		"        to: $kid\n"
		"      - signal: STOP\n"
		"      - sleep: 250ms\n"
		"      - wait_exit: any\n"
		"      - order: [a, b, c]\n"
		"      - exits_before: ['child[0]', main]\n"
		"    processes:\n"
		"      max_alive: 3\n"
		"      min_workers: 2\n"
		"      worker_cpu: 5ms\n"
		"      zombie_ms: 250\n"
		"      no_stopped: true\n"
		"      exits_before: [\"child[1].child[0]\", main]\n",
		&e);
	const struct spec_test *t;
	const struct spec_pty *p;

	ck_assert_msg(s != NULL, "%s", e.msg);
	t = &s->tests[0];
	ck_assert_int_eq(t->kind, STEP_PTY);
	p = t->pty;
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->nsteps, 9);
	ck_assert(p->timeout_s == 2);
	ck_assert_int_eq(p->steps[0].kind, PTY_EXPECT);
	ck_assert_str_eq(p->steps[0].capture, "kid");
	ck_assert(p->steps[0].timeout_s == 1);
	ck_assert_int_eq(p->steps[1].kind, PTY_PRESS);
	ck_assert_str_eq(p->steps[1].bytes, "\x1c");
	ck_assert_int_eq(p->steps[2].kind, PTY_SEND);
	ck_assert_int_eq(p->steps[2].len, 4);
	ck_assert_int_eq(p->steps[3].signal, SIGUSR1);
	ck_assert_str_eq(p->steps[3].role, "$kid");
	ck_assert_int_eq(p->steps[4].signal, SIGSTOP);
	ck_assert_str_eq(p->steps[4].role, "main");
	ck_assert(p->steps[5].sleep_s == 0.25);
	ck_assert_int_eq(p->steps[6].exit_status, -1);
	ck_assert_int_eq(p->steps[7].npatterns, 3);
	ck_assert_str_eq(p->steps[8].role_a, "child[0]");
	ck_assert_int_eq(p->steps[8].line, 22);
	ck_assert_str_eq(t->args[0], "x");
	ck_assert_int_eq(t->exit_status, 0);
	ck_assert_ptr_nonnull(t->processes);
	ck_assert_int_eq(t->processes->max_alive, 3);
	ck_assert_int_eq(t->processes->min_workers, 2);
	ck_assert(t->processes->worker_cpu_s == 0.005);
	ck_assert(t->processes->zombie_s == 0.25);
	ck_assert_int_eq(t->processes->no_stopped, 1);
	ck_assert_str_eq(t->processes->exits_first, "child[1].child[0]");
	ck_assert_str_eq(t->processes->exits_second, "main");
	spec_free(s);
}
END_TEST

#define PTY1 "  - name: p\n    points: 1\n    type: pty\n    script:\n"

START_TEST(test_parse_errors)
{
	refused(PTY1 "      - bogus: 1\n", "x.yaml:9:9", "no action (expected one of: expect, press");
	refused(PTY1 "      - expect: a\n        press: ctrl-c\n", "x.yaml:10:9",
		"one action per item; 'expect' and 'press'");
	refused(PTY1 "      - press: ctrl-x\n", "x.yaml:9:16", "unknown key 'ctrl-x'");
	refused(PTY1 "      - expect: '('\n", "x.yaml:9:17", "invalid regular expression");
	refused(PTY1 "      - signal: SIGFOO\n", "x.yaml:9:17", "unknown signal 'SIGFOO'");
	refused(PTY1 "      - signal: USR1\n        to: $w\n", "x.yaml:10:13",
		"'$w' names no capture of an earlier expect");
	refused(PTY1 "      - signal: USR1\n        to: kid\n", "x.yaml:10:13",
		"'kid' is not a process role");
	refused(PTY1 "      - expect: 'pid [0-9]+'\n        capture: w\n", "x.yaml:10:18",
		"the regex has no group to capture");
	refused(PTY1 "      - order: [a]\n", "x.yaml:9:16", "needs at least two regexes");
	refused(PTY1 "      - exits_before: [main]\n", "x.yaml:9:23", "expected two roles");
	refused(PTY1 "      - sleep: 0\n", "x.yaml:9:16", "must be more than 0");
	refused(PTY1 "      - wait_exit: 300\n", "x.yaml:9:20", "0..255");
	refused(PTY1 "      - send: \"\"\n", "x.yaml:9:15", "empty text");
	refused(PTY1 "      - expect: a\n        to: main\n", "x.yaml:10:9", "unknown key 'to'");
	refused("  - name: p\n    points: 1\n    type: pty\n    stdin: \"x\"\n    script: [{press: enter}]\n",
		"x.yaml:8:5", "unknown key 'stdin'");
	refused("  - name: p\n    points: 1\n    type: pty\n", "x.yaml:5:5", "script");
	refused(PTY1 "      - press: enter\n    processes: {max_alive: 0}\n", "x.yaml:10:28",
		"must be in 1..100000");
	refused(PTY1 "      - press: enter\n    processes: {zombies: 3}\n", "x.yaml:10:17",
		"unknown key 'zombies'");
	refused(PTY1 "      - press: enter\n    processes: {exits_before: [main, main]}\n",
		"x.yaml:10:31", "the two roles are the same");
	refused(PTY1 "      - press: enter\n    processes: {exits_before: [main, 'x[0]']}\n",
		"x.yaml:10:38", "not a process role");
	refused(PTY1 "      - press: enter\n    processes: {compare_args: [\"1\"]}\n",
		"x.yaml:10:31", "only a test of type run");
	refused("  - name: r\n    points: 1\n    processes: [1]\n", "x.yaml:7:16",
		"processes");
}
END_TEST

/* ---- running scripts ---- */

struct played {
	struct spec *s;
	struct spawn sp;
	struct procwatch pw;
	struct pty_run r;
	const char **argv;
};

/* Plays the first test of `tests` against pty_family through the wrapper;
 * the program is ended (or waited for, if the script succeeded). */
static void play(struct played *p, const char *tests)
{
	static const char *base[] = { NULL, NULL };
	struct error e;

	memset(p, 0, sizeof(*p));
	p->s = parse(tests, &e);
	ck_assert_msg(p->s != NULL, "%s", e.msg);
	base[0] = prog("pty_family");
	p->argv = pty_job_argv(base, &e);
	ck_assert_ptr_nonnull(p->argv);
	procwatch_init(&p->pw, 1);
	spawn_init(&p->sp);
	p->sp.argv = p->argv;
	p->sp.use_pty = 1;
	p->sp.wall_s = 30;
	p->sp.on_tick = procwatch_tick;
	p->sp.tick_arg = &p->pw;
	pty_run_init(&p->r, p->s->tests[0].pty, 1, &p->pw, "x.yaml");
	ck_assert_int_eq(spawn_start(&p->sp, &e), 0);
	ck_assert_int_eq(pty_script_run(&p->sp, &p->r, &e), 0);
	ck_assert_int_eq(pty_script_finish(&p->sp, &p->r, !p->r.failure), 0);
}

static void played_release(struct played *p)
{
	pty_run_release(&p->r);
	procwatch_release(&p->pw);
	spawn_release(&p->sp);
	free(p->argv);
	spec_free(p->s);
}

#define TRANSCRIPT(p) ((p)->r.transcript.data)

START_TEST(test_run_keys_and_signals)
{
	struct played p;

	play(&p, PTY1
	     "      - expect: '^child ([0-9]+) ready$'\n"
	     "        capture: kid\n"
	     "      - send: \"hello\\n\"\n"
	     "      - expect: '^got: hello$'\n"
	     "      - press: ctrl-c\n"
	     "      - expect: '^main: int$'\n"
	     "      - signal: SIGUSR1\n"
	     "        to: $kid\n"
	     "      - expect: '^child got usr1$'\n"
	     "      - press: ctrl-d\n"
	     "      - wait_exit: 3\n"
	     "      - order: ['^child got usr1$', '^main done$']\n"
	     "      - exits_before: ['child[0]', main]\n");
	ck_assert_msg(p.r.failure == PTY_OK, "%s\n%s", p.r.message, TRANSCRIPT(&p));
	ck_assert_int_eq(p.sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(p.sp.exit_code, 3);
	/* the transcript: what was typed, what came, how it ended; the
	 * terminal echoed nothing (no "^C" line, no echo of "hello") */
	ck_assert_msg(strstr(TRANSCRIPT(&p), "> ctrl-c\n"), "%s", TRANSCRIPT(&p));
	ck_assert_msg(strstr(TRANSCRIPT(&p), "> \"hello\\n\"\n"), "%s", TRANSCRIPT(&p));
	ck_assert_msg(strstr(TRANSCRIPT(&p), "< got: hello\n"), "%s", TRANSCRIPT(&p));
	ck_assert_msg(strstr(TRANSCRIPT(&p), "> SIGUSR1 to $kid (pid "), "%s", TRANSCRIPT(&p));
	ck_assert_msg(strstr(TRANSCRIPT(&p), "= exited with status 3"), "%s", TRANSCRIPT(&p));
	ck_assert_msg(!strstr(TRANSCRIPT(&p), "< hello"), "%s", TRANSCRIPT(&p));
	ck_assert_msg(!strstr(TRANSCRIPT(&p), "^C"), "%s", TRANSCRIPT(&p));
	/* the wrapper is not the program: main is pty_family */
	ck_assert_int_eq(procwatch_count(&p.pw), 2);
	played_release(&p);
}
END_TEST

START_TEST(test_signal_by_role)
{
	struct played p;

	play(&p, PTY1
	     "      - expect: '^main ready$'\n"
	     "      - signal: SIGUSR1\n"
	     "        to: child[0]\n"
	     "      - expect: '^child got usr1$'\n"
	     "      - press: ctrl-d\n"
	     "      - wait_exit: 3\n");
	ck_assert_msg(p.r.failure == PTY_OK, "%s\n%s", p.r.message, TRANSCRIPT(&p));
	played_release(&p);
}
END_TEST

START_TEST(test_expect_waits_in_vain)
{
	struct played p;

	play(&p, PTY1
	     "      - expect: '^main ready$'\n"
	     "      - expect: '^never$'\n"
	     "        timeout: 300ms\n"
	     "      - press: ctrl-d\n");
	ck_assert_msg(p.r.failure == PTY_FAIL_WAITED, "failure %d: %s\n%s", p.r.failure, p.r.message, TRANSCRIPT(&p));
	ck_assert_int_eq(p.r.fail_line, 10);
	ck_assert_msg(strstr(p.r.message, "'^never$'"), "%s", p.r.message);
	ck_assert_msg(strstr(TRANSCRIPT(&p), "! x.yaml:10: waited 0.3 s"), "%s", TRANSCRIPT(&p));
	/* the grader ended the program: the last step never ran */
	ck_assert_msg(strstr(TRANSCRIPT(&p), "(the grader ends the program)"), "%s", TRANSCRIPT(&p));
	ck_assert(!strstr(TRANSCRIPT(&p), "> ctrl-d"));
	played_release(&p);
}
END_TEST

START_TEST(test_ended_without_line)
{
	struct played p;

	play(&p, PTY1
	     "      - expect: '^main ready$'\n"
	     "      - signal: USR1\n"
	     "        to: child[0]\n"
	     "      - press: ctrl-d\n"
	     "      - expect: '^not printed$'\n");
	ck_assert_msg(p.r.failure == PTY_FAIL_NO_LINE, "failure %d: %s\n%s", p.r.failure, p.r.message, TRANSCRIPT(&p));
	ck_assert(p.r.ended);
	ck_assert_int_eq(p.sp.exit_code, 3);
	played_release(&p);
}
END_TEST

START_TEST(test_exit_status_and_signal)
{
	struct played p;

	play(&p, PTY1
	     "      - expect: '^main ready$'\n"
	     "      - signal: USR1\n"
	     "        to: child[0]\n"
	     "      - press: ctrl-d\n"
	     "      - wait_exit: 0\n");
	ck_assert_msg(p.r.failure == PTY_FAIL_EXIT, "failure %d: %s\n%s", p.r.failure, p.r.message, TRANSCRIPT(&p));
	ck_assert_msg(strstr(p.r.message, "exited with status 3, expected 0"), "%s", p.r.message);
	played_release(&p);

	/* Ctrl-\ kills main (default SIGQUIT): the wrapper dies of it too */
	play(&p, PTY1
	     "      - expect: '^main ready$'\n"
	     "      - press: 'ctrl-\\'\n"
	     "      - wait_exit: any\n");
	ck_assert_msg(p.r.failure == PTY_FAIL_EXIT, "failure %d: %s\n%s", p.r.failure, p.r.message, TRANSCRIPT(&p));
	ck_assert_int_eq(p.sp.outcome, SPAWN_SIGNALED);
	ck_assert_int_eq(p.sp.term_signal, SIGQUIT);
	ck_assert_msg(strstr(p.r.message, "killed by SIGQUIT"), "%s", p.r.message);
	played_release(&p);
}
END_TEST

START_TEST(test_order_and_exits_before_fail)
{
	struct played p;

	play(&p, PTY1
	     "      - expect: '^main ready$'\n"
	     "      - signal: USR1\n"
	     "        to: child[0]\n"
	     "      - press: ctrl-d\n"
	     "      - wait_exit: 3\n"
	     "      - order: ['^main done$', '^child got usr1$']\n");
	ck_assert_msg(p.r.failure == PTY_FAIL_ORDER, "failure %d: %s\n%s", p.r.failure, p.r.message, TRANSCRIPT(&p));
	ck_assert_msg(strstr(p.r.message, "came before"), "%s", p.r.message);
	played_release(&p);

	/* main exits while its child (never signalled) lives: Ctrl-C does
	 * not kill the child (it ignores SIGINT) -- SIGTERM to main does */
	play(&p, PTY1
	     "      - expect: '^(main|child [0-9]+) ready$'\n"
	     "      - expect: '^(main|child [0-9]+) ready$'\n"
	     "      - signal: TERM\n"
	     "      - sleep: 300ms\n"
	     "      - exits_before: ['child[0]', main]\n");
	ck_assert_msg(p.r.failure == PTY_FAIL_PROCESS, "failure %d: %s\n%s", p.r.failure, p.r.message, TRANSCRIPT(&p));
	ck_assert_msg(strstr(p.r.message, "main (pid"), "%s", p.r.message);
	played_release(&p);
}
END_TEST

START_TEST(test_ctrl_z_stops_the_job)
{
	struct played p;
	const struct pw_proc *st;

	/* The wrapper keeps the job's process group non-orphaned, so a
	 * keyboard SIGTSTP with the default action really stops it (in an
	 * orphaned group the kernel would discard it). */
	play(&p, PTY1
	     "      - expect: '^(main|child [0-9]+) ready$'\n"
	     "      - expect: '^(main|child [0-9]+) ready$'\n"
	     "      - press: ctrl-z\n"
	     "      - sleep: 300ms\n"
	     "      - send: \"after\\n\"\n"
	     "      - expect: '^got: after$'\n"
	     "        timeout: 500ms\n");
	ck_assert_msg(p.r.failure == PTY_FAIL_WAITED, "failure %d: %s\n%s", p.r.failure, p.r.message, TRANSCRIPT(&p));
	st = procwatch_stopped(&p.pw);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(st->pid, p.pw.main);
	played_release(&p);
}
END_TEST

START_TEST(test_signal_to_nobody)
{
	struct played p;

	play(&p, PTY1
	     "      - expect: '^main ready$'\n"
	     "      - signal: USR1\n"
	     "        to: child[5]\n");
	ck_assert_msg(p.r.failure == PTY_FAIL_PROCESS, "failure %d: %s\n%s", p.r.failure, p.r.message, TRANSCRIPT(&p));
	ck_assert_msg(strstr(p.r.message, "no such process was seen"), "%s", p.r.message);
	played_release(&p);
}
END_TEST

Suite *make_pty_suite(void)
{
	Suite *s = suite_create("pty");
	TCase *parse_tc = tcase_create("parse");
	TCase *run = tcase_create("run");

	tcase_add_test(parse_tc, test_parse_full);
	tcase_add_test(parse_tc, test_parse_errors);
	suite_add_tcase(s, parse_tc);
	tcase_set_timeout(run, 60);
	tcase_add_test(run, test_run_keys_and_signals);
	tcase_add_test(run, test_signal_by_role);
	tcase_add_test(run, test_expect_waits_in_vain);
	tcase_add_test(run, test_ended_without_line);
	tcase_add_test(run, test_exit_status_and_signal);
	tcase_add_test(run, test_order_and_exits_before_fail);
	tcase_add_test(run, test_ctrl_z_stops_the_job);
	tcase_add_test(run, test_signal_to_nobody);
	suite_add_tcase(s, run);
	return s;
}
