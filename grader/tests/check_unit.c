/*
 * check_unit.c - tests of the `unit` step: the spec keys (spec_unit.c),
 * the completion record (unitrun.c), and, end to end through
 * grade_submission(), that a test passes only when the grader's runner
 * reports it: exit(0), _exit(0) after printing fake pass lines, CK_FORK in
 * the environment, a crash, a hang, busy waiting, and refused objects
 * (constructor, waitpid) each get their own verdict.
 *
 * Run from grader/tests/ (data/unit/ holds the tiny exercise).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grade.h"
#include "result.h"
#include "spec.h"
#include "spec_unit.h"
#include "unitrun.h"
#include "util.h"

#define LIB "data/unit/lib"
#define SUBS "data/unit/subs"

/* ---- spec keys ---- */

static struct spec *parse(const char *tests, struct error *e)
{
	char *text = xasprintf("name: u\ntitle: t\nbuild: {sources: [lib.c]}\n"
			       "tests:\n%s", tests);
	struct spec *s = NULL;

	error_init(e);
	if (spec_parse(text, strlen(text), "inline.yaml", LIB, &s, e) < 0)
		s = NULL;
	free(text);
	return s;
}

START_TEST(test_spec_defaults)
{
	struct error e;
	struct spec *s = parse("  - {name: adds, points: 1, type: unit, suite: tests/check_lib.c}\n", &e);
	const struct spec_unit *u;

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(s->tests[0].kind, STEP_UNIT);
	u = s->tests[0].unit;
	ck_assert_str_eq(u->suite_function, "make_lib_suite");
	ck_assert_str_eq(u->tcase, "adds");
	ck_assert_int_eq(u->ntests, 1);
	ck_assert_int_eq(u->sources_given, 0);
	ck_assert_int_eq(u->allow_given, 0);
	ck_assert(u->max_cpu_s < 0);
	ck_assert_int_eq(s->tests[0].exit_status, -1);
	ck_assert_ptr_nonnull(strstr(u->suite, "/data/unit/lib/tests/check_lib.c"));
	spec_free(s);
}
END_TEST

START_TEST(test_spec_all_keys)
{
	struct error e;
	struct spec *s = parse(
		"  - name: x\n    points: 1\n    type: unit\n"
		"    suite: tests/check_lib.c\n    suite_function: other_suite\n"
		"    case: hooked\n    tests: 3\n    sources: [lib.c, more.c]\n"
		"    headers: lib.h\n    cflags: [-DX]\n    program: true\n"
		"    max_cpu: 50ms\n"
		"    symbols: {allow: [\"lib_*\"], deny: [kill, \"exec*\"]}\n"
		"    suppressions: [lib.h]\n    env: {A: b}\n", &e);
	const struct spec_unit *u;

	ck_assert_msg(s != NULL, "%s", e.msg);
	u = s->tests[0].unit;
	ck_assert_str_eq(u->suite_function, "other_suite");
	ck_assert_str_eq(u->tcase, "hooked");
	ck_assert_int_eq(u->ntests, 3);
	ck_assert_int_eq(u->sources_given, 1);
	ck_assert_uint_eq(u->nsources, 2);
	ck_assert_str_eq(u->sources[1], "more.c");
	ck_assert_uint_eq(u->nheaders, 1);
	ck_assert_ptr_nonnull(strstr(u->headers[0], "/data/unit/lib/lib.h"));
	ck_assert_str_eq(u->cflags[0], "-DX");
	ck_assert_int_eq(u->program, 1);
	ck_assert_double_eq_tol(u->max_cpu_s, 0.05, 1e-9);
	ck_assert_int_eq(u->allow_given, 1);
	ck_assert_str_eq(u->allow[0], "lib_*");
	ck_assert_uint_eq(u->ndeny, 2);
	ck_assert_uint_eq(u->nsuppressions, 1);
	ck_assert_str_eq(s->tests[0].env[0], "A=b");
	spec_free(s);
}
END_TEST

/* One bad unit test per row: the location and words of the error. */
static const struct {
	const char *test;
	int line, col;
	const char *words;
} bad[] = {
	{ "  - {name: a, points: 1, type: unit}\n", 5, 5, "missing required key 'suite'" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/none.c}\n", 5, 45, "no file 'tests/none.c'" },
	{ "  - {name: a, points: 1, type: unit, suite: ../lib/lib.h}\n", 5, 45, "contains '..'" },
	{ "  - {name: a, points: 1, type: unit, suite: lib.h}\n", 5, 45, "is not a C file" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, suite_function: 9x}\n", 5, 80, "not a C function name" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, case: \"a b\"}\n", 5, 70, "invalid name 'a b'" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, tests: 0}\n", 5, 71, "tests" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, sources: [lib.h]}\n", 5, 74, "is not a .c file name" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, headers: [nope.h]}\n", 5, 74, "no file 'nope.h'" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, max_cpu: -1}\n", 5, 73, "max_cpu" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, symbols: {allowed: [x]}}\n", 5, 74, "unknown key 'allowed'" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, symbols: {deny: [\"a b\"]}}\n", 5, 81, "not a symbol name" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, program: yes please}\n", 5, 73, "program" },
	{ "  - {name: a, points: 1, type: unit, suite: tests/check_lib.c, args: [x]}\n", 5, 64, "unknown key 'args'" },
};

START_TEST(test_spec_errors)
{
	struct error e;
	struct spec *s = parse(bad[_i].test, &e);

	ck_assert_msg(s == NULL, "row %d was accepted", _i);
	ck_assert_msg(strstr(e.msg, bad[_i].words) != NULL,
		      "row %d: '%s' does not say '%s'", _i, e.msg, bad[_i].words);
	ck_assert_str_eq(e.file, "inline.yaml");
	ck_assert_msg(e.line == bad[_i].line && e.col == bad[_i].col,
		      "row %d: at %d:%d, expected %d:%d (%s)", _i, e.line, e.col,
		      bad[_i].line, bad[_i].col, e.msg);
}
END_TEST

/* ---- the record ---- */

#define N "0123456789abcdef0123456789abcdef"

START_TEST(test_record_complete)
{
	const char *t = N " begin 2\n" N " result P 7\tf.c\ta\tPassed\n"
			N " result F 9\tf.c\ta\tAssertion 'x' failed: x == 1\n"
			N " end\n";
	struct unit_record r;

	unit_record_parse(t, strlen(t), N, &r);
	ck_assert_int_eq(r.complete, 1);
	ck_assert_int_eq(r.copies, 1);
	ck_assert_int_eq(r.ntests, 2);
	ck_assert_uint_eq(r.nresults, 2);
	ck_assert_int_eq(r.results[1].rtype, 'F');
	ck_assert_int_eq(r.results[1].line, 9);
	ck_assert_str_eq(r.results[1].file, "f.c");
	ck_assert_str_eq(r.results[1].tcase, "a");
	ck_assert_str_eq(r.results[1].message, "Assertion 'x' failed: x == 1");
	ck_assert_int_eq(r.foreign, 0);
	unit_record_release(&r);
}
END_TEST

/* Printed lines, another nonce, a record cut short or miscounted: none
 * of them is a record. */
START_TEST(test_record_forgeries)
{
	static const char *const texts[] = {
		"100%: Checks: 1, Failures: 0, Errors: 0\ncheck.c:1:P:a:a:0: Passed\n",
		"ffffffffffffffffffffffffffffffff begin 1\nffffffffffffffffffffffffffffffff result P 1\tf.c\ta\tPassed\nffffffffffffffffffffffffffffffff end\n",
		N " begin 1\n" N " result P 1\tf.c\ta\tPassed\n",
		N " begin 2\n" N " result P 1\tf.c\ta\tPassed\n" N " end\n",
		N " result P 1\tf.c\ta\tPassed\n" N " end\n",
		N " begin 1\n" N " result P x\tf.c\ta\tPassed\n" N " end\n",
		N "begin 1\n" N "result P 1\tf.c\ta\tPassed\n" N "end\n",
	};
	struct unit_record r;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		unit_record_parse(texts[i], strlen(texts[i]), N, &r);
		ck_assert_msg(!r.complete, "text %zu was taken for a record", i);
		unit_record_release(&r);
	}
	unit_record_parse(texts[0], strlen(texts[0]), N, &r);
	ck_assert_int_eq(r.foreign, 2);
	unit_record_release(&r);
}
END_TEST

START_TEST(test_record_twice)
{
	const char *one = N " begin 1\n" N " result P 1\tf.c\ta\tPassed\n" N " end\n";
	char *t = xasprintf("%s%s", one, one);
	struct unit_record r;

	unit_record_parse(t, strlen(t), N, &r);
	ck_assert_int_eq(r.complete, 1);
	ck_assert_int_eq(r.copies, 2);
	unit_record_release(&r);
	free(t);
}
END_TEST

/* ---- end to end ---- */

static struct spec *lib_spec;

static void load_lib(void)
{
	struct error e;

	error_init(&e);
	if (spec_load(LIB, &lib_spec, &e) < 0)
		ck_abort_msg("%s:%d: %s", e.file, e.line, e.msg);
}

static void free_lib(void)
{
	spec_free(lib_spec);
	lib_spec = NULL;
}

static struct grade_result *grade(const char *sub)
{
	struct grade_opts o;
	struct grade_result *r = NULL;
	struct error e;

	memset(&o, 0, sizeof(o));
	o.submission_dir = sub;
	error_init(&e);
	ck_assert_msg(grade_submission(lib_spec, &o, &r, &e) == 0, "%s", e.msg);
	return r;
}

static const struct test_outcome *row(const struct grade_result *r,
				      const char *name)
{
	size_t i;

	for (i = 0; i < r->ntests; i++)
		if (!strcmp(r->tests[i].name, name))
			return &r->tests[i];
	ck_abort_msg("no row %s", name);
	return NULL;
}

static void expect(const struct grade_result *r, const char *name,
		   enum verdict v, const char *words)
{
	const struct test_outcome *t = row(r, name);

	ck_assert_msg(t->verdict == v, "%s: %s (%s), expected %s", name,
		      verdict_name(t->verdict), t->message ? t->message : "",
		      verdict_name(v));
	if (words)
		ck_assert_msg(t->message && strstr(t->message, words),
			      "%s: '%s' does not say '%s'", name,
			      t->message ? t->message : "(none)", words);
}

START_TEST(test_reference_passes)
{
	struct grade_result *r = grade(LIB "/solution");

	expect(r, "adds", VERDICT_PASSED, NULL);
	expect(r, "hook_ok", VERDICT_PASSED, NULL);
	expect(r, "hook_exit0", VERDICT_PASSED, NULL);
	expect(r, "pair", VERDICT_PASSED, NULL);
	/* mistakes of the spec are errors, not the student's fault */
	expect(r, "pair_miscounted", VERDICT_ERROR, "ran 2 tests, the spec declares 1");
	expect(r, "no_such_case", VERDICT_ERROR, "no test case named 'nope'");
	grade_result_free(r);
}
END_TEST

/* The runner, not the process's exit status or output, decides. */
START_TEST(test_forgeries_fail)
{
	struct grade_result *r = grade(SUBS "/hooks");

	expect(r, "adds", VERDICT_PASSED, NULL);
	expect(r, "hook_ok", VERDICT_PASSED, NULL);
	expect(r, "hook_exit0", VERDICT_WRONG_EXIT, "exit() or _exit() called in the tested code");
	expect(r, "hook_exit0_ck_fork", VERDICT_WRONG_EXIT, "ended before it completed");
	expect(r, "hook_fake", VERDICT_WRONG_EXIT, "something else wrote to the runner's private channel");
	expect(r, "hook_crash", VERDICT_CRASHED, "SIGSEGV");
	expect(r, "hook_spin", VERDICT_TIMEOUT, "of CPU time, more than the 100 ms");
	expect(r, "hook_hang", VERDICT_TIMEOUT, NULL);
	ck_assert_ptr_nonnull(strstr(row(r, "hook_spin")->limit, "CPU time 100 ms"));
	grade_result_free(r);
}
END_TEST

START_TEST(test_failure_message)
{
	struct grade_result *r = grade(SUBS "/wrong");

	expect(r, "adds", VERDICT_WRONG_OUTPUT, "check_lib.c:12: Assertion 'lib_add(2, 3) == 5' failed");
	grade_result_free(r);
}
END_TEST

START_TEST(test_refused_objects)
{
	struct grade_result *r = grade(SUBS "/ctor");

	expect(r, "adds", VERDICT_COMPILE_ERROR, "lib.c: has a constructor or destructor (section .init_array)");
	expect(r, "hook_ok", VERDICT_COMPILE_ERROR, NULL);
	grade_result_free(r);
	r = grade(SUBS "/waitpid");
	expect(r, "adds", VERDICT_COMPILE_ERROR, "lib.c: defines 'waitpid'");
	ck_assert_ptr_nonnull(strstr(row(r, "adds")->message,
				     "defines the global name 'helper_not_allowed'"));
	ck_assert_ptr_nonnull(strstr(row(r, "adds")->message,
				     "lib.c: defines 'fork': a library under test may not replace how processes start"));
	ck_assert_ptr_nonnull(strstr(row(r, "adds")->message,
				     "lib.c: defines 'write': a library under test may not replace the C library's input and output"));
	/* lib_helper matches the allowlist lib_* */
	ck_assert_ptr_null(strstr(row(r, "adds")->message, "'lib_helper'"));
	grade_result_free(r);
}
END_TEST

Suite *make_unit_suite(void)
{
	Suite *s = suite_create("unit");
	TCase *tc;

	tc = tcase_create("spec");
	tcase_add_test(tc, test_spec_defaults);
	tcase_add_test(tc, test_spec_all_keys);
	tcase_add_loop_test(tc, test_spec_errors, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("record");
	tcase_add_test(tc, test_record_complete);
	tcase_add_test(tc, test_record_forgeries);
	tcase_add_test(tc, test_record_twice);
	suite_add_tcase(s, tc);

	tc = tcase_create("grading");
	tcase_set_timeout(tc, 240);
	tcase_add_checked_fixture(tc, load_lib, free_lib);
	tcase_add_test(tc, test_reference_passes);
	tcase_add_test(tc, test_forgeries_fail);
	tcase_add_test(tc, test_failure_message);
	tcase_add_test(tc, test_refused_objects);
	suite_add_tcase(s, tc);
	return s;
}
