/*
 * check_cmd_platforms.c - end-to-end tests of the command-line options for
 * CI platforms and the benchmark: `grade --format github`, `check --format
 * github`, `grade --dry-run` and `grade --test`, run through the built
 * binary ($GRADER_BIN) on the tiny exercise data/cli/upper.
 */
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "buf.h"
#include "util.h"

#define EX "data/cli/upper"
#define FIX "data/cli/upper-fixtures"

/* Runs a shell command; returns its exit status, stdout+stderr in out. */
static int sh(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(struct buf *out, const char *fmt, ...)
{
	char *cmd, *full;
	va_list ap;
	FILE *p;
	char chunk[4096];
	size_t n;
	int status;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	full = xasprintf("%s 2>&1", cmd);
	p = popen(full, "r");
	ck_assert_ptr_nonnull(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(out, chunk, n);
	status = pclose(p);
	free(cmd);
	free(full);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char *bin(void)
{
	const char *b = getenv("GRADER_BIN");

	ck_assert_msg(b != NULL, "GRADER_BIN is not set");
	return b;
}

/* The JSON object in `result=<base64>` of a $GITHUB_OUTPUT file. */
static json_t *output_result(const char *file)
{
	struct buf b;
	char *line, *nl;
	unsigned char *dec;
	int n;
	size_t len;
	json_error_t err;
	json_t *j;

	buf_init(&b, 0);
	ck_assert_int_eq(buf_read_file(&b, file), 0);
	line = strstr(b.data, "result=");
	ck_assert_msg(line != NULL, "no result= in %s: %s", file, b.data);
	line += 7;
	nl = strchr(line, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	len = strlen(line);
	dec = xcalloc(len + 1, 1);
	n = EVP_DecodeBlock(dec, (unsigned char *)line, (int)len);
	ck_assert_int_ge(n, 0);
	while (len && line[len - 1] == '=') {
		len--;
		n--;
	}
	dec[n] = '\0';
	j = json_loads((char *)dec, 0, &err);
	ck_assert_msg(j != NULL, "the result does not parse: %s: %s", err.text, dec);
	free(dec);
	buf_release(&b);
	return j;
}

START_TEST(grade_format_github_writes_the_step_output)
{
	char *dir = make_temp_dir("cli-gh"), *gho;
	struct buf out;
	json_t *j, *t;
	size_t i;
	double sum = 0;
	int rc;

	ck_assert_ptr_nonnull(dir);
	gho = path_join(dir, "github_output");
	buf_init(&out, 0);
	rc = sh(&out, "GITHUB_OUTPUT=%s %s grade %s %s/wrong -o %s/r --format github", gho,
		bin(), EX, FIX, dir);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out.data);
	/* the summary, then annotations for the failing rows */
	ck_assert_ptr_nonnull(strstr(out.data, "Score: "));
	ck_assert_ptr_nonnull(strstr(out.data, "\n::error title=hello%3A Wrong output::"));
	ck_assert_ptr_null(strstr(out.data, "result="));
	/* the hidden test's input never reaches an annotation */
	ck_assert_ptr_null(strstr(out.data, "SECRET-MARKER-4711"));
	j = output_result(gho);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "fail");
	json_array_foreach(json_object_get(j, "tests"), i, t)
		sum += json_number_value(json_object_get(t, "score"));
	{
		/* the rows add up to the score of results.json */
		char *rp = xasprintf("%s/r/results.json", dir);
		json_error_t err;
		json_t *res = json_load_file(rp, 0, &err);

		ck_assert_ptr_nonnull(res);
		ck_assert(sum > json_number_value(json_object_get(res, "score")) - 0.001 &&
			  sum < json_number_value(json_object_get(res, "score")) + 0.001);
		ck_assert(json_number_value(json_object_get(j, "max_score")) ==
			  json_number_value(json_object_get(res, "max_score")));
		json_decref(res);
		free(rp);
	}
	json_decref(j);
	buf_release(&out);
	rm_rf(dir);
	free(gho);
	free(dir);
}
END_TEST

START_TEST(check_format_github_passes_and_says_so)
{
	char *dir = make_temp_dir("cli-gh-check"), *gho, *sub, *cmd;
	struct buf out;
	json_t *j;
	int rc;

	ck_assert_ptr_nonnull(dir);
	gho = path_join(dir, "github_output");
	sub = path_join(dir, "work");
	cmd = xasprintf("mkdir -p %s && cp %s/good/upper.c %s/", sub, FIX, sub);
	ck_assert_int_eq(system(cmd), 0);
	buf_init(&out, 0);
	rc = sh(&out, "cd %s && GITHUB_OUTPUT=%s GRADER_EXERCISES=%s/data/cli %s check upper -o %s/r --format github",
		sub, gho, getenv("PWD") ? getenv("PWD") : ".", bin(), dir);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out.data);
	ck_assert_ptr_null(strstr(out.data, "::error"));
	j = output_result(gho);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "pass");
	json_decref(j);
	buf_release(&out);
	rm_rf(dir);
	free(cmd);
	free(sub);
	free(gho);
	free(dir);
}
END_TEST

START_TEST(bad_format_is_a_usage_error)
{
	struct buf out;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s grade %s %s/good --format xml", bin(), EX, FIX), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "--format is text or github, not 'xml'"));
	buf_reset(&out);
	ck_assert_int_eq(sh(&out, "%s check upper --format=junit", bin()), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "--format is text or github"));
	buf_release(&out);
}
END_TEST

START_TEST(dry_run_prints_a_script_and_runs_nothing)
{
	char *dir = make_temp_dir("cli-dry");
	struct buf out, run;
	int rc;

	ck_assert_ptr_nonnull(dir);
	buf_init(&out, 0);
	/* the hang fixture would take the whole wall limit if it ran */
	rc = sh(&out, "%s grade %s %s/hang -o %s --dry-run > %s/dry.sh && cat %s/dry.sh", bin(),
		EX, FIX, dir, dir, dir);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out.data);
	ck_assert(!strncmp(out.data, "#!/bin/sh\n", 10));
	ck_assert_ptr_nonnull(strstr(out.data, "exec cc -std=gnu11"));
	ck_assert_ptr_nonnull(strstr(out.data, "# ---- test hello"));
	ck_assert_ptr_nonnull(strstr(out.data, "# ---- test reference-big"));
	/* no report was written: nothing was graded */
	{
		char *rj = path_join(dir, "results.json");

		ck_assert(!is_file(rj));
		free(rj);
	}
	/* the script is valid sh; the good fixture's run gives the expected output */
	buf_init(&run, 0);
	rc = sh(&run, "%s grade %s %s/good -o %s --dry-run --test hello > %s/good.sh && "
		      "W=%s/W sh %s/good.sh && cat %s/W/stdout", bin(), EX, FIX, dir, dir, dir, dir, dir);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, run.data);
	ck_assert_str_eq(run.data, "HELLO\nWORLD\n");
	buf_release(&run);
	buf_release(&out);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_option_grades_only_those_tests)
{
	char *dir = make_temp_dir("cli-test");
	struct buf out;
	int rc;

	ck_assert_ptr_nonnull(dir);
	buf_init(&out, 0);
	rc = sh(&out, "%s grade %s %s/good -o %s --test empty,hello", bin(), EX, FIX, dir);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out.data);
	/* in the spec's order, and no other */
	ck_assert_ptr_nonnull(strstr(out.data, "hello"));
	ck_assert_ptr_nonnull(strstr(strstr(out.data, "hello"), "empty"));
	ck_assert_ptr_null(strstr(out.data, "reference-big"));
	ck_assert_ptr_nonnull(strstr(out.data, "Score: 3 / 3"));
	buf_reset(&out);
	rc = sh(&out, "%s grade %s %s/good -o %s --test hello,nope", bin(), EX, FIX, dir);
	ck_assert_int_eq(rc, 2);
	ck_assert_ptr_nonnull(strstr(out.data, "no test named 'nope' (the tests are: hello empty"));
	buf_release(&out);
	rm_rf(dir);
	free(dir);
}
END_TEST

Suite *make_cmd_platforms_suite(void)
{
	Suite *su = suite_create("cmd_platforms");
	TCase *tc = tcase_create("cmd_platforms");

	tcase_set_timeout(tc, 120); /* hang guard only */
	tcase_add_test(tc, grade_format_github_writes_the_step_output);
	tcase_add_test(tc, check_format_github_passes_and_says_so);
	tcase_add_test(tc, bad_format_is_a_usage_error);
	tcase_add_test(tc, dry_run_prints_a_script_and_runs_nothing);
	tcase_add_test(tc, test_option_grades_only_those_tests);
	suite_add_tcase(su, tc);
	return su;
}
