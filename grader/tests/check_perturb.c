/*
 * check_perturb.c - tests of the schedule-perturbation library
 * (grader/runtime/perturb.c, built as $(BUILD)/runtime/perturb.so, found
 * here next to $GRADER_TEST_PROGS): that it reproduces (the decisions of a
 * seed, summed in GRADER_PERTURB_STATS's trace, are the same on every run,
 * whatever the interleaving), that it makes a check-then-act race fail
 * (tests/progs/racy_counter.c: 0 of 200 runs failed unperturbed when
 * measured, 500 of 500 with the seed used here), that it follows fork()
 * and pipes (racy_pipe.c), that it can be switched off and rejects bad
 * settings, and that it works under valgrind (memcheck, helgrind).
 *
 * Nothing asserts a duration or a timing-dependent count beyond "the seed
 * that failed every time in 500 runs fails": the exact assertions are on
 * the decision traces, which do not depend on timing.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"
#include "util.h"

#define SEED "7"       /* fails every run (500/500 measured) */
#define RATE "0.2"
#define SLEEP_US "1000"

static char *perturb_so(void)
{
	const char *dir = getenv("GRADER_TEST_PROGS");
	char *p, *real;

	ck_assert_msg(dir && *dir, "GRADER_TEST_PROGS is not set");
	p = xasprintf("%s/../runtime/perturb.so", dir);
	real = path_real(p);
	ck_assert_msg(real != NULL, "%s is not built", p);
	free(p);
	return real;
}

static char *prog(const char *name)
{
	const char *dir = getenv("GRADER_TEST_PROGS");
	char *p = xasprintf("%s/%s", dir ? dir : ".", name);

	ck_assert_msg(access(p, X_OK) == 0, "%s is not built", p);
	return p;
}

struct result {
	int exit_code;
	char *out, *err;
	char *stats; /* the stats file's lines, pid=... removed; sorted */
};

static void result_release(struct result *r)
{
	free(r->out);
	free(r->err);
	free(r->stats);
	memset(r, 0, sizeof(*r));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of a stats file without their pid=N field, sorted (processes
 * end in any order). */
static char *read_stats(const char *path)
{
	struct buf b, o;
	char *lines[16], *p, *save = NULL;
	size_t n = 0, i;

	buf_init(&b, 0);
	buf_init(&o, 0);
	if (buf_read_file(&b, path) == 0)
		for (p = strtok_r(b.data, "\n", &save); p && n < 16;
		     p = strtok_r(NULL, "\n", &save)) {
			char *pid = strstr(p, " pid="), *end;

			if (pid && (end = strchr(pid + 1, ' ')))
				memmove(pid, end, strlen(end) + 1);
			lines[n++] = p;
		}
	qsort(lines, n, sizeof(*lines), cmp_str);
	for (i = 0; i < n; i++)
		buf_addf(&o, "%s\n", lines[i]);
	buf_release(&b);
	return buf_detach(&o, NULL);
}

/*
 * Runs progs/<name> with the library preloaded when seed is not NULL
 * (rate, sleep; "valgrind"/"helgrind" in tool to run under valgrind).
 */
static struct result run(const char *name, const char *tool, const char *seed,
			 const char *rate, const char *sleep_us)
{
	struct result r;
	struct spawn sp;
	struct error e;
	char *so = perturb_so(), *exe = prog(name);
	char *dir = make_temp_dir("perturb");
	char *stats = path_join(dir, "stats");
	char *env[8];
	const char *argv[6];
	int ne = 0, na = 0;

	memset(&r, 0, sizeof(r));
	env[ne++] = xstrdup("PATH=/usr/bin:/bin");
	if (seed) {
		env[ne++] = xasprintf("LD_PRELOAD=%s", so);
		env[ne++] = xasprintf("GRADER_PERTURB_SEED=%s", seed);
		env[ne++] = xasprintf("GRADER_PERTURB_RATE=%s", rate);
		env[ne++] = xasprintf("GRADER_PERTURB_SLEEP_US=%s", sleep_us);
		env[ne++] = xasprintf("GRADER_PERTURB_STATS=%s", stats);
	}
	env[ne] = NULL;
	if (tool) {
		argv[na++] = "valgrind";
		argv[na++] = !strcmp(tool, "helgrind") ? "--tool=helgrind" : "--tool=memcheck";
		argv[na++] = "-q";
		argv[na++] = "--error-exitcode=99";
	}
	argv[na++] = exe;
	argv[na] = NULL;
	spawn_init(&sp);
	/* the perturbation library, not the sandbox, is under test: its stats file is in the test's own directory */
	sp.no_sandbox = 1;
	sp.argv = argv;
	sp.envp = (const char *const *)env;
	sp.wall_s = 120; /* hang guard only */
	error_init(&e);
	ck_assert_msg(spawn_run(&sp, &e) == 0, "%s", e.msg);
	ck_assert_msg(sp.outcome == SPAWN_EXITED, "%s: %s", name,
		      spawn_outcome_name(sp.outcome));
	r.exit_code = sp.exit_code;
	r.out = buf_detach(&sp.out, NULL);
	r.err = buf_detach(&sp.err, NULL);
	r.stats = read_stats(stats);
	spawn_release(&sp);
	for (ne = 0; env[ne]; ne++)
		free(env[ne]);
	rm_rf(dir);
	free(dir);
	free(stats);
	free(so);
	free(exe);
	return r;
}

/* The same seed replays the same decisions, whatever the interleaving; a
 * different seed makes different ones. 2 threads x 100 rounds x 4 calls x
 * 2 points, and 2 points for each of 2 pthread_create: 1604 points. */
START_TEST(same_seed_same_decisions)
{
	struct result a = run("racy_counter", NULL, SEED, RATE, SLEEP_US);
	struct result b = run("racy_counter", NULL, SEED, RATE, SLEEP_US);
	struct result c = run("racy_counter", NULL, "8", RATE, SLEEP_US);

	ck_assert_msg(strstr(a.stats, "seed=7 rate=0.2 calls=1604 "), "%s", a.stats);
	ck_assert_str_eq(a.stats, b.stats);
	ck_assert_ptr_nonnull(strstr(c.stats, "calls=1604 "));
	ck_assert_str_ne(strstr(a.stats, "trace="), strstr(c.stats, "trace="));
	/* and some of them were perturbations of both kinds */
	ck_assert_ptr_null(strstr(a.stats, "yields=0 "));
	ck_assert_ptr_null(strstr(a.stats, "sleeps=0 "));
	result_release(&a);
	result_release(&b);
	result_release(&c);
}
END_TEST

/* The race shows with the perturbation; the same seed fails again. */
START_TEST(race_shows)
{
	int plain = 0, perturbed = 0, i;
	struct result r;

	for (i = 0; i < 20; i++) {
		r = run("racy_counter", NULL, NULL, NULL, NULL);
		ck_assert_int_le(r.exit_code, 1);
		plain += r.exit_code == 1;
		ck_assert_str_eq(r.stats, ""); /* not preloaded */
		result_release(&r);
		r = run("racy_counter", NULL, SEED, RATE, SLEEP_US);
		ck_assert_int_le(r.exit_code, 1);
		perturbed += r.exit_code == 1;
		if (r.exit_code == 1)
			ck_assert_str_ne(r.out, "400\n");
		result_release(&r);
	}
	/* 0/200 and 500/500 when measured: bounds that cannot flake */
	ck_assert_msg(perturbed > 0, "the perturbation never showed the race");
	ck_assert_msg(perturbed > plain, "failed %d/20 perturbed, %d/20 plain", perturbed,
		      plain);
	/* "same seed, same outcome": the seed that failed fails again */
	r = run("racy_counter", NULL, SEED, RATE, SLEEP_US);
	ck_assert_int_eq(r.exit_code, 1);
	result_release(&r);
	r = run("racy_counter", NULL, SEED, RATE, SLEEP_US);
	ck_assert_int_eq(r.exit_code, 1);
	result_release(&r);
}
END_TEST

/* Pipes, fork, condition variables and semaphores are perturbed; a child
 * process has its own generator and its own stats line; a correct program
 * stays correct. */
START_TEST(fork_and_pipes)
{
	struct result a = run("racy_pipe", NULL, SEED, RATE, "100");
	struct result b = run("racy_pipe", NULL, SEED, RATE, "100");
	char *second;

	ck_assert_msg(a.exit_code == 0, "%s", a.err);
	ck_assert_msg(b.exit_code == 0, "%s", b.err);
	second = strchr(a.stats, '\n');
	ck_assert_ptr_nonnull(second);
	ck_assert_msg(second[1] && strchr(second + 1, '\n'), "two lines: %s", a.stats);
	ck_assert_ptr_null(strstr(a.stats, "calls=0 "));
	/* parent and child decide differently */
	ck_assert_str_ne(strstr(a.stats, "trace="), strstr(second + 1, "trace="));
	ck_assert_str_eq(a.stats, b.stats);
	result_release(&a);
	result_release(&b);
}
END_TEST

/* Rate 0 is off; a setting that does not parse turns it off, says so on
 * stderr, and the program runs unharmed. */
START_TEST(off_and_bad_settings)
{
	static const char *const bad[][3] = {
		{ "x", RATE, "100" },      /* seed */
		{ SEED, "1.5", "100" },    /* rate > 1 */
		{ SEED, "0.1x", "100" },   /* rate */
		{ SEED, RATE, "0" },       /* sleep */
		{ "-3", RATE, "100" },     /* negative seed */
	};
	struct result r = run("racy_pipe", NULL, SEED, "0", "100");
	size_t i;

	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.stats, "calls=0 yields=0 sleeps=0"));
	ck_assert_str_eq(r.err, "");
	result_release(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run("racy_pipe", NULL, bad[i][0], bad[i][1], bad[i][2]);
		ck_assert_int_eq(r.exit_code, 0);
		ck_assert_msg(strstr(r.err, "perturb.so: GRADER_PERTURB_") &&
				      strstr(r.err, "is not valid: perturbation off"),
			      "case %zu: %s", i, r.err);
		ck_assert_ptr_nonnull(strstr(r.stats, "calls=0 "));
		result_release(&r);
	}
}
END_TEST

/* Under valgrind: the same decisions as without it, and no error of
 * valgrind's (exit 99) -- helgrind included, which would see a race in the
 * library's own state. */
START_TEST(under_valgrind)
{
	struct result plain, vg;
	const char *tool = _i == 0 ? "memcheck" : "helgrind";

	if (access("/usr/bin/valgrind", X_OK) != 0)
		return;
	plain = run("racy_counter", NULL, SEED, RATE, "100");
	vg = run("racy_counter", tool, SEED, RATE, "100");
	ck_assert_msg(vg.exit_code == 0 || vg.exit_code == 1, "%s: exit %d: %s", tool,
		      vg.exit_code, vg.err);
	ck_assert_msg(!strstr(vg.err, "perturb.c"), "%s", vg.err);
	ck_assert_str_eq(plain.stats, vg.stats);
	result_release(&plain);
	result_release(&vg);
	vg = run("racy_pipe", tool, SEED, RATE, "100");
	ck_assert_msg(vg.exit_code == 0, "%s: exit %d: %s", tool, vg.exit_code, vg.err);
	ck_assert_ptr_null(strstr(vg.stats, "calls=0 "));
	result_release(&vg);
}
END_TEST

Suite *make_perturb_suite(void)
{
	Suite *s = suite_create("perturb");
	TCase *tc = tcase_create("perturb");

	/* 40 runs of a few tens of ms each; valgrind starts in ~1-2 s */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, same_seed_same_decisions);
	tcase_add_test(tc, race_shows);
	tcase_add_test(tc, fork_and_pipes);
	tcase_add_test(tc, off_and_bad_settings);
	tcase_add_loop_test(tc, under_valgrind, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
