/*
 * check_symcheck.c - tests of symcheck.c on small objects compiled here:
 * each rule refuses what it should (naming the symbol and the file) and
 * lets through what it should (static helpers, calls between the
 * student's own files, names the allowlist matches).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "spawn.h"
#include "symcheck.h"
#include "util.h"

static char *dir;

static void setup(void)
{
	dir = make_temp_dir("symcheck-test");
	ck_assert_ptr_nonnull(dir);
}

static void teardown(void)
{
	rm_rf(dir);
	free(dir);
	dir = NULL;
}

/* Compiles code as NAME.c into NAME.o (no sanitizer, -O0); the object's
 * path (caller frees). */
static char *object(const char *name, const char *code)
{
	char *c = xasprintf("%s/%s.c", dir, name);
	char *o = xasprintf("%s/%s.o", dir, name);
	const char *argv[] = { "/usr/bin/cc", "-std=gnu11", "-O0", "-c", c,
			       "-o", o, NULL };
	struct spawn sp;
	struct error e;

	ck_assert_int_eq(write_file_atomic(c, code, strlen(code)), 0);
	spawn_init(&sp);
	/* compiling the test's own objects into its own directory */
	sp.no_sandbox = 1;
	sp.argv = argv;
	sp.wall_s = 60;
	sp.merge_stderr = 1;
	error_init(&e);
	ck_assert_int_eq(spawn_run(&sp, &e), 0);
	ck_assert_msg(sp.outcome == SPAWN_EXITED && sp.exit_code == 0,
		      "cc failed: %s", sp.out.data);
	spawn_release(&sp);
	free(c);
	return o;
}

/* Checks the objects under rules r; the problem text ("" when clean). */
static char *check(const struct symcheck_rules *r, char **objs,
		   const char **names, size_t n)
{
	struct error e;
	char *problem = NULL;

	error_init(&e);
	ck_assert_msg(symcheck_objects((const char *const *)objs, names, n, r,
				       &problem, &e) == 0, "%s", e.msg);
	return problem ? problem : xstrdup("");
}

static const char *const allow_q[] = { "q_*", NULL };
static const char *const deny_kill[] = { "kill", "exec*", NULL };

static char *check_one(const char *code, int strict)
{
	struct symcheck_rules r = { allow_q, strict, deny_kill, "make_q_suite" };
	char *o = object("q", code);
	const char *names[] = { "q.c" };
	char *p = check(&r, &o, names, 1);

	free(o);
	return p;
}

#define REFUSED(code, strict, words)                                          \
	do {                                                                  \
		char *p_ = check_one(code, strict);                           \
		ck_assert_msg(strstr(p_, words) != NULL,                      \
			      "'%s' does not say '%s'", p_, words);           \
		free(p_);                                                     \
	} while (0)

#define CLEAN(code, strict)                                                   \
	do {                                                                  \
		char *p_ = check_one(code, strict);                           \
		ck_assert_msg(p_[0] == '\0', "refused: %s", p_);              \
		free(p_);                                                     \
	} while (0)

START_TEST(test_clean_library)
{
	CLEAN("#include <stdlib.h>\n"
	      "static int helper(int x) { return x + 1; }\n"
	      "int q_value;\n"
	      "int q_get(void) { return helper(q_value) + abs(-1); }\n", 1);
}
END_TEST

START_TEST(test_defines_process_functions)
{
	REFUSED("#include <sys/types.h>\n"
		"int waitpid(int p, int *s, int o) { (void)o; *s = 0; return p; }\n",
		0, "q.c: defines 'waitpid': a library under test may not replace");
	REFUSED("int fork(void) { return 0; }\n", 0, "q.c: defines 'fork'");
	REFUSED("void exit(int s) { for (;;) (void)s; }\n", 0, "q.c: defines 'exit'");
	REFUSED("void _exit(int s) { for (;;) (void)s; }\n", 0, "q.c: defines '_exit'");
	REFUSED("int main(void) { return 0; }\n", 0, "q.c: defines 'main': the unit tests bring their own main()");
}
END_TEST

START_TEST(test_check_functions)
{
	REFUSED("void srunner_run_all(void *sr, int m) { (void)sr; (void)m; }\n",
		0, "q.c: defines 'srunner_run_all': a library under test may not replace Check's functions");
	REFUSED("void _ck_assert_failed(void) { }\n", 0, "defines '_ck_assert_failed'");
	REFUSED("void srunner_set_fork_status(void *, int);\n"
		"void q_go(void *sr) { srunner_set_fork_status(sr, 1); }\n",
		0, "q.c: calls 'srunner_set_fork_status': a library under test may not call Check's functions");
	REFUSED("void *make_q_suite(void) { return 0; }\n", 0,
		"defines 'make_q_suite', the name of the instructor's test suite");
	REFUSED("const char *__asan_default_options(void) { return \"\"; }\n",
		0, "defines '__asan_default_options': submissions may not configure");
}
END_TEST

START_TEST(test_constructors)
{
	REFUSED("#include <stdlib.h>\n"
		"__attribute__((constructor)) static void f(void) { setenv(\"CK_FORK\", \"yes\", 1); }\n",
		0, "q.c: has a constructor or destructor (section .init_array)");
	REFUSED("__attribute__((constructor(101))) static void f(void) { }\n",
		0, "(section .init_array.");
	REFUSED("__attribute__((destructor)) static void f(void) { }\n",
		0, "(section .fini_array)");
	REFUSED("static void f(void) { }\n"
		"__attribute__((section(\".preinit_array\"), used)) static void (*p)(void) = f;\n",
		0, "(section .preinit_array)");
	REFUSED("static int real(void) { return 1; }\n"
		"static int (*resolve(void))(void) { return real; }\n"
		"int q_pick(void) __attribute__((ifunc(\"resolve\")));\n",
		0, "'q_pick' is an indirect function");
}
END_TEST

START_TEST(test_spec_rules)
{
	REFUSED("#include <signal.h>\n#include <unistd.h>\n"
		"void q_go(void) { kill(getppid(), 9); }\n",
		0, "q.c: calls 'kill', which this exercise does not allow (rule 'kill')");
	REFUSED("#include <unistd.h>\nvoid q_go(void) { execlp(\"sh\", \"sh\", (char *)0); }\n",
		0, "calls 'execlp', which this exercise does not allow (rule 'exec*')");
	REFUSED("int helper(void) { return 1; }\n", 1,
		"q.c: defines the global name 'helper': only names matching q_* may be global here");
	/* without an allowlist, any name not denied */
	CLEAN("int helper(void) { return 1; }\n", 0);
}
END_TEST

/* A call from one of the student's files to another is not a call out. */
START_TEST(test_calls_between_files)
{
	static const char *const deny_helper[] = { "q_helper", NULL };
	struct symcheck_rules r = { allow_q, 1, deny_kill, NULL };
	char *objs[2];
	const char *names[] = { "a.c", "b.c" };
	char *p;

	objs[0] = object("a", "int q_helper(void);\nint q_main(void) { return q_helper(); }\n");
	objs[1] = object("b", "int q_helper(void) { return 2; }\n");
	p = check(&r, objs, names, 2);
	ck_assert_msg(p[0] == '\0', "refused: %s", p);
	free(p);
	/* but defining a denied name is refused, with the file that does */
	r.deny = deny_helper;
	p = check(&r, objs, names, 2);
	ck_assert_ptr_nonnull(strstr(p, "b.c: defines 'q_helper'"));
	ck_assert_ptr_null(strstr(p, "a.c: calls 'q_helper'"));
	free(p);
	free(objs[0]);
	free(objs[1]);
}
END_TEST

START_TEST(test_builtin_reasons)
{
	ck_assert_ptr_nonnull(symcheck_builtin_reason("waitpid", 0));
	ck_assert_ptr_null(symcheck_builtin_reason("waitpid", 1));
	ck_assert_ptr_nonnull(symcheck_builtin_reason("tcase_create", 1));
	ck_assert_ptr_null(symcheck_builtin_reason("q_put", 0));
	ck_assert_ptr_null(symcheck_builtin_reason("exit", 1));
}
END_TEST

Suite *make_symcheck_suite(void)
{
	Suite *s = suite_create("symcheck");
	TCase *tc = tcase_create("objects");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_clean_library);
	tcase_add_test(tc, test_defines_process_functions);
	tcase_add_test(tc, test_check_functions);
	tcase_add_test(tc, test_constructors);
	tcase_add_test(tc, test_spec_rules);
	tcase_add_test(tc, test_calls_between_files);
	tcase_add_test(tc, test_builtin_reasons);
	suite_add_tcase(s, tc);
	return s;
}
