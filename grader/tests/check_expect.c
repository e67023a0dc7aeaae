/*
 * check_expect.c - fixture expectations (expect.c): what expect.yaml may
 * say, and the differences `grader validate` reports against a result.
 *
 * The spec is tests/data/findings/echo (one test, `echo`); each case writes
 * its expect.yaml to a temporary file and compares it with a hand-built
 * grade_result.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "expect.h"
#include "result.h"
#include "spec.h"
#include "util.h"

static struct spec *spec;

static void setup(void)
{
	struct error e = { 0 };

	ck_assert_msg(spec_load("data/findings/echo", &spec, &e) == 0, "%s",
		      e.msg);
}

static void teardown(void)
{
	spec_free(spec);
	spec = NULL;
}

/* Loads yaml text; returns 0 or -1 with the message in msg. */
static int load(const char *yaml, struct fixture_expect **x, char *msg,
		size_t cap)
{
	char path[] = "/tmp/check-expect-XXXXXX";
	int fd = mkstemp(path), rc;
	struct error e = { 0 };

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
	close(fd);
	rc = expect_load(path, spec, x, &e);
	unlink(path);
	if (msg)
		snprintf(msg, cap, "%d:%d: %s", e.line, e.col,
			 rc < 0 ? e.msg : "");
	return rc;
}

/* One test `echo` under variant v with verdict got; plain built. */
static int compare(const struct fixture_expect *x, enum verdict got,
		   enum variant v, char *out, size_t cap)
{
	struct grade_result r;
	struct test_outcome t;
	struct buf d;
	int n, i;

	memset(&r, 0, sizeof(r));
	memset(&t, 0, sizeof(t));
	for (i = 0; i < VARIANT__COUNT; i++)
		r.builds[i].ok = -1;
	r.builds[VARIANT_PLAIN].ok = got != VERDICT_COMPILE_ERROR;
	t.name = "echo";
	t.variant = v;
	t.verdict = got;
	r.tests = &t;
	r.ntests = 1;
	buf_init(&d, 1 << 16);
	n = expect_compare(x, &r, &d);
	snprintf(out, cap, "%.*s", (int)d.len, d.data ? d.data : "");
	buf_release(&d);
	return n;
}

START_TEST(test_single_verdict)
{
	struct fixture_expect *x;
	char out[512];

	ck_assert_int_eq(load("verdicts:\n  echo: timeout\n", &x, NULL, 0), 0);
	ck_assert_int_eq(compare(x, VERDICT_TIMEOUT, VARIANT_PLAIN, out,
				 sizeof(out)), 0);
	ck_assert_int_eq(compare(x, VERDICT_WRONG_OUTPUT, VARIANT_PLAIN, out,
				 sizeof(out)), 1);
	ck_assert_str_eq(out, "echo [plain]: expected timeout, got wrong_output\n");
	expect_free(x);
}
END_TEST

/* A race between two failures: either verdict is the declared one, a
 * third is a difference that names both. */
START_TEST(test_verdict_list)
{
	struct fixture_expect *x;
	char out[512];

	ck_assert_int_eq(load("verdicts:\n  echo: [timeout, wrong_output]\n",
			      &x, NULL, 0), 0);
	ck_assert_int_eq(compare(x, VERDICT_TIMEOUT, VARIANT_PLAIN, out,
				 sizeof(out)), 0);
	ck_assert_int_eq(compare(x, VERDICT_WRONG_OUTPUT, VARIANT_PLAIN, out,
				 sizeof(out)), 0);
	ck_assert_int_eq(compare(x, VERDICT_PASSED, VARIANT_PLAIN, out,
				 sizeof(out)), 1);
	ck_assert_str_eq(out, "echo [plain]: expected wrong_output or timeout, got passed\n");
	expect_free(x);
}
END_TEST

START_TEST(test_others_list_and_any)
{
	struct fixture_expect *x;
	char out[512];

	ck_assert_int_eq(load("others: [crashed, wrong_exit]\n", &x, NULL, 0), 0);
	ck_assert_int_eq(compare(x, VERDICT_CRASHED, VARIANT_ASAN, out,
				 sizeof(out)), 0);
	ck_assert_int_eq(compare(x, VERDICT_WRONG_EXIT, VARIANT_ASAN, out,
				 sizeof(out)), 0);
	ck_assert_int_eq(compare(x, VERDICT_PASSED, VARIANT_ASAN, out,
				 sizeof(out)), 1);
	expect_free(x);

	ck_assert_int_eq(load("verdicts:\n  echo: any\n", &x, NULL, 0), 0);
	ck_assert_int_eq(compare(x, VERDICT_ERROR, VARIANT_PLAIN, out,
				 sizeof(out)), 0);
	ck_assert_int_eq(compare(x, VERDICT_PASSED, VARIANT_PLAIN, out,
				 sizeof(out)), 0);
	expect_free(x);

	/* nothing said: every test must pass */
	ck_assert_int_eq(load("description: correct\n", &x, NULL, 0), 0);
	ck_assert_int_eq(compare(x, VERDICT_TIMEOUT, VARIANT_PLAIN, out,
				 sizeof(out)), 1);
	ck_assert_str_eq(out, "echo [plain]: expected passed, got timeout\n");
	expect_free(x);
}
END_TEST

/* "test [variant]" beats "test" for that variant only. */
START_TEST(test_variant_key)
{
	struct fixture_expect *x;
	char out[512];

	ck_assert_int_eq(load("verdicts:\n  \"echo [asan]\": finding\n  echo: passed\n",
			      &x, NULL, 0), 0);
	ck_assert_int_eq(compare(x, VERDICT_FINDING, VARIANT_ASAN, out,
				 sizeof(out)), 0);
	ck_assert_int_eq(compare(x, VERDICT_FINDING, VARIANT_PLAIN, out,
				 sizeof(out)), 1);
	expect_free(x);
}
END_TEST

START_TEST(test_compile_error_fixture)
{
	struct fixture_expect *x;
	char out[512];

	ck_assert_int_eq(load("build: compile_error\n", &x, NULL, 0), 0);
	ck_assert_int_eq(compare(x, VERDICT_COMPILE_ERROR, VARIANT_PLAIN, out,
				 sizeof(out)), 0);
	ck_assert_int_eq(compare(x, VERDICT_PASSED, VARIANT_PLAIN, out,
				 sizeof(out)), 2);
	ck_assert_ptr_nonnull(strstr(out, "build: expected compile_error, got ok\n"));
	expect_free(x);
}
END_TEST

START_TEST(test_bad_expectations_located)
{
	struct fixture_expect *x;
	char msg[1200];

	ck_assert_int_eq(load("verdicts:\n  echo: [timeout, slow]\n", &x, msg,
			      sizeof(msg)), -1);
	ck_assert_msg(!strncmp(msg, "2:", 2), "%s", msg);
	ck_assert_ptr_nonnull(strstr(msg, "unknown verdict 'slow'"));
	ck_assert_int_eq(load("verdicts:\n  echo: []\n", &x, msg, sizeof(msg)),
			 -1);
	ck_assert_ptr_nonnull(strstr(msg, "an empty list of verdicts"));
	ck_assert_int_eq(load("verdicts:\n  nosuch: timeout\n", &x, msg,
			      sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "no test named 'nosuch'"));
	ck_assert_int_eq(load("verdicts:\n  \"echo [fast]\": timeout\n", &x, msg,
			      sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "with a known variant"));
	ck_assert_int_eq(load("verdict: {}\n", &x, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "verdict"));
}
END_TEST

Suite *make_expect_suite(void)
{
	Suite *su = suite_create("expect");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_single_verdict);
	tcase_add_test(tc, test_verdict_list);
	tcase_add_test(tc, test_others_list_and_any);
	tcase_add_test(tc, test_variant_key);
	tcase_add_test(tc, test_compile_error_fixture);
	tcase_add_test(tc, test_bad_expectations_located);
	suite_add_tcase(su, tc);
	return su;
}
