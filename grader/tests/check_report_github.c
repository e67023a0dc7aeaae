/*
 * check_report_github.c - tests of report_github.c: GitHub Classroom's
 * result (base64 JSON) and the Actions annotations of `--format github`.
 *
 * Results are built by hand the way grade.c fills them (a mixed run with a
 * finding and a penalty, a compile error, a broken toolchain) and rendered
 * with REPORT_MASK_TIMES; the JSON and the annotations are compared with
 * golden files in data/report_github/ (UPDATE_GOLDEN=1 rewrites them; read
 * the diff). The base64 is checked against RFC 4648's vectors and decoded
 * back with libcrypto; $GITHUB_OUTPUT is written to a real file.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "report.h"
#include "result.h"
#include "util.h"

/* ---- fixtures ---------------------------------------------------------- */

static char *s(const char *x)
{
	return x ? xstrdup(x) : NULL;
}

static struct test_outcome *add_test(struct grade_result *r, const char *name,
				    enum variant v, double score, double max,
				    enum verdict verdict)
{
	struct test_outcome *t;

	r->tests = xrealloc(r->tests, (r->ntests + 1) * sizeof(*r->tests));
	t = &r->tests[r->ntests++];
	memset(t, 0, sizeof(*t));
	t->name = s(name);
	t->variant = v;
	t->score = score;
	t->max_score = max;
	t->verdict = verdict;
	t->visibility = VIS_VISIBLE;
	t->runs = 1;
	t->failures = verdict != VERDICT_PASSED;
	t->exit_code = -1;
	return t;
}

static struct grade_result *base_result(void)
{
	struct grade_result *r = xcalloc(1, sizeof(*r));
	int v;

	r->exercise = s("pipes");
	r->title = s("Pipes");
	r->submission = s("alice");
	r->grader_version = s("1.2.3");
	r->started_at = s("2024-05-01T10:11:12Z");
	for (v = 0; v < VARIANT__COUNT; v++)
		r->builds[v].ok = -1;
	return r;
}

static char **strv1(const char *a)
{
	char **v = xcalloc(2, sizeof(char *));

	v[0] = s(a);
	return v;
}

/* passed, wrong output (visible, with a command), hidden failure with a
 * message that must not grow a command, asan finding with a penalty, a
 * warning; score 3.5 = rows 4 - penalty 0.5 */
static struct grade_result *sample_result(void)
{
	struct grade_result *r = base_result();
	struct test_outcome *t;
	struct finding *f;

	r->builds[VARIANT_PLAIN].ok = 1;
	r->builds[VARIANT_PLAIN].command = s("cc -std=gnu11 -o duplex duplex.c -lrt");
	r->builds[VARIANT_PLAIN].output = s("");
	r->builds[VARIANT_PLAIN].warnings =
		strv1("duplex.c:12:9: warning: unused variable 'n', really: yes [-Wunused-variable]");
	r->builds[VARIANT_PLAIN].nwarnings = 1;
	r->builds[VARIANT_ASAN].ok = 1;
	r->builds[VARIANT_ASAN].command = s("cc -fsanitize=address -o duplex duplex.c");
	r->builds[VARIANT_ASAN].output = s("");
	r->builds[VARIANT_ASAN].warnings = xcalloc(1, sizeof(char *));

	t = add_test(r, "echo", VARIANT_PLAIN, 2, 2, VERDICT_PASSED);
	t->wall_s = 0.0123;
	t->command = s("./duplex < /dev/null");
	t = add_test(r, "upper", VARIANT_PLAIN, 0, 3, VERDICT_WRONG_OUTPUT);
	t->message = s("stdout: line 2 differs\r\n100% wrong");
	t->hint = s("Check `toupper`.");
	t->command = s("./duplex -u < <(printf 'a\\nb\\n')");
	t->wall_s = 0.5;
	t = add_test(r, "secret", VARIANT_PLAIN, 0, 2, VERDICT_WRONG_OUTPUT);
	t->visibility = VIS_HIDDEN;
	t->message = s("the output is not what this test expects");
	t = add_test(r, "echo", VARIANT_ASAN, 2, 2, VERDICT_PASSED);
	t->command = s("./duplex < /dev/null");

	r->findings = xcalloc(1, sizeof(*r->findings));
	r->nfindings = 1;
	f = &r->findings[0];
	f->tool = s("asan");
	f->kind = s("leak");
	f->test = s("echo");
	f->variant = VARIANT_ASAN;
	f->file = s("duplex.c");
	f->line = 42;
	f->function = s("main");
	f->message = s("24 bytes in 1 block are never freed");
	f->count = 3;
	f->penalty = 0.5;

	r->score = 3.5;
	r->max_score = 9;
	return r;
}

static struct grade_result *compile_error_result(void)
{
	struct grade_result *r = base_result();
	struct test_outcome *t;

	r->builds[VARIANT_PLAIN].ok = 0;
	r->builds[VARIANT_PLAIN].command = s("cc -std=gnu11 -o duplex duplex.c -lrt");
	r->builds[VARIANT_PLAIN].output = s("duplex.c: In function 'main':\n"
					    "duplex.c:5:11: error: expected ';' before '}' token\n"
					    "    5 |   return 0\n"
					    "util.c:7:1: warning: no newline\n"
					    "util.c:9:3: error: 'x' undeclared\n");
	r->builds[VARIANT_PLAIN].warnings = xcalloc(1, sizeof(char *));
	t = add_test(r, "echo", VARIANT_PLAIN, 0, 2, VERDICT_COMPILE_ERROR);
	t->message = s("the program did not compile (see the build section)");
	t->runs = 0;
	r->max_score = 2;
	return r;
}

/* every row passed or is an error: a broken tool is not the student's fault */
static struct grade_result *tool_error_result(void)
{
	struct grade_result *r = base_result();
	struct test_outcome *t;

	r->builds[VARIANT_PLAIN].ok = 1;
	r->builds[VARIANT_PLAIN].command = s("cc");
	r->builds[VARIANT_PLAIN].output = s("");
	r->builds[VARIANT_PLAIN].warnings = xcalloc(1, sizeof(char *));
	add_test(r, "echo", VARIANT_PLAIN, 1, 1, VERDICT_PASSED);
	t = add_test(r, "echo", VARIANT_TSAN, 0, 1, VERDICT_ERROR);
	t->message = s("the tsan toolchain does not work on this machine");
	r->score = 1;
	r->max_score = 2;
	return r;
}

/* ---- helpers ----------------------------------------------------------- */

static char *data_path(const char *name)
{
	const char *root = getenv("GRADER_ROOT");

	if (root && *root)
		return xasprintf("%s/grader/tests/data/report_github/%s", root, name);
	return xasprintf("data/report_github/%s", name);
}

/* Compares text with the golden file; UPDATE_GOLDEN=1 rewrites it. */
static void check_golden(const char *name, const char *text)
{
	const char *update = getenv("UPDATE_GOLDEN");
	char *path = data_path(name);
	struct buf b;

	if (update && !strcmp(update, "1")) {
		ck_assert_msg(write_file_atomic(path, text, strlen(text)) == 0,
			      "cannot write %s: %s", path, strerror(errno));
		free(path);
		return;
	}
	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, path) == 0,
		      "%s: %s (run with UPDATE_GOLDEN=1 to create it)", path, strerror(errno));
	ck_assert_msg(!strcmp(b.data, text), "%s differs from the output:\n%s\n(UPDATE_GOLDEN=1 rewrites it)",
		      path, text);
	buf_release(&b);
	free(path);
}

static char *decode64(const char *in)
{
	size_t n = strlen(in);
	unsigned char *out = xcalloc(n + 1, 1);
	int len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);

	ck_assert_int_ge(len, 0);
	/* EVP_DecodeBlock counts the padding's zero bytes: drop them */
	while (n && in[n - 1] == '=') {
		n--;
		len--;
	}
	out[len] = '\0';
	return (char *)out;
}

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	ck_assert_msg(j != NULL, "does not parse: %s: %s", err.text, text);
	return j;
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(base64_matches_rfc4648_vectors)
{
	static const char *const vec[][2] = {
		{ "", "" },	       { "f", "Zg==" },	      { "fo", "Zm8=" },
		{ "foo", "Zm9v" },     { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	size_t i;
	char *b;
	unsigned char bin[3] = { 0xff, 0x00, 0xfe };

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		b = report_base64(vec[i][0], strlen(vec[i][0]));
		ck_assert_str_eq(b, vec[i][1]);
		free(b);
	}
	b = report_base64(bin, 3);
	ck_assert_str_eq(b, "/wD+");
	free(b);
}
END_TEST

START_TEST(result_matches_golden_and_decodes_to_it)
{
	struct grade_result *r = sample_result();
	char *pretty = report_github_json(r, "", REPORT_MASK_TIMES);
	char *b64 = report_github_result(r, "", REPORT_MASK_TIMES);
	char *dec = decode64(b64);
	json_t *a = parse(pretty), *b = parse(dec);

	check_golden("sample.json", pretty);
	ck_assert_ptr_null(strchr(b64, '\n'));
	ck_assert_msg(json_equal(a, b), "the base64 result is not the JSON: %s", dec);
	json_decref(a);
	json_decref(b);
	free(dec);
	free(b64);
	free(pretty);
	grade_result_free(r);
}
END_TEST

START_TEST(result_rows_add_up_to_the_score)
{
	struct grade_result *r = sample_result();
	char *pretty = report_github_json(r, NULL, 0);
	json_t *root = parse(pretty), *tests = json_object_get(root, "tests"), *t;
	double sum = 0;
	size_t i;

	ck_assert_int_eq(json_integer_value(json_object_get(root, "version")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(root, "status")), "fail");
	ck_assert(json_number_value(json_object_get(root, "max_score")) == 9);
	/* the reporter sums tests[].score: the finding penalty is a row */
	json_array_foreach(tests, i, t)
		sum += json_number_value(json_object_get(t, "score"));
	ck_assert_msg(sum > 3.499 && sum < 3.501, "rows add up to %g", sum);
	ck_assert_uint_eq(json_array_size(tests), r->ntests + 1);
	/* a hidden row gets no command line */
	t = json_array_get(tests, 2);
	ck_assert_str_eq(json_string_value(json_object_get(t, "name")), "secret");
	ck_assert_str_eq(json_string_value(json_object_get(t, "test_code")), "");
	/* the finding's place travels with the row that produced it */
	t = json_array_get(tests, 3);
	ck_assert_str_eq(json_string_value(json_object_get(t, "name")), "echo [asan]");
	ck_assert_str_eq(json_string_value(json_object_get(t, "filename")), "duplex.c");
	ck_assert_int_eq(json_integer_value(json_object_get(t, "line_no")), 42);
	/* unmasked times */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(tests, 0),
							   "execution_time")), "0.01s");
	json_decref(root);
	free(pretty);
	grade_result_free(r);
}
END_TEST

START_TEST(annotations_match_golden)
{
	struct grade_result *r = sample_result();
	char *a = report_github_annotations(r, "", REPORT_MASK_TIMES);

	check_golden("sample.annotations", a);
	/* one line each: warning, finding, two failing rows */
	ck_assert_ptr_nonnull(strstr(a, "::warning file=duplex.c,line=12,col=9,title=compiler warning::"
					 "unused variable 'n', really: yes [-Wunused-variable]\n"));
	ck_assert_ptr_nonnull(strstr(a, "::error file=duplex.c,line=42,title=asan%3A leak::"));
	/* CR, LF and % escaped in the message; nothing breaks the line */
	ck_assert_ptr_nonnull(strstr(a, "line 2 differs\xe2\x90\x8d%0A100%25 wrong"));
	free(a);
	grade_result_free(r);
}
END_TEST

START_TEST(annotations_carry_the_repository_prefix)
{
	struct grade_result *r = sample_result();
	char *a = report_github_annotations(r, "students/alice", 0);
	char *j = report_github_json(r, "students/alice", 0);

	ck_assert_ptr_nonnull(strstr(a, "::error file=students/alice/duplex.c,line=42,"));
	ck_assert_ptr_nonnull(strstr(a, "::warning file=students/alice/duplex.c,line=12,"));
	ck_assert_ptr_nonnull(strstr(j, "\"filename\": \"students/alice/duplex.c\""));
	free(j);
	free(a);
	grade_result_free(r);
}
END_TEST

START_TEST(compile_error_is_annotated_at_the_compiler_lines)
{
	struct grade_result *r = compile_error_result();
	char *a = report_github_annotations(r, "", 0);
	char *j = report_github_json(r, "", REPORT_MASK_TIMES);

	check_golden("compile_error.annotations", a);
	check_golden("compile_error.json", j);
	ck_assert_ptr_nonnull(strstr(a, "::error file=duplex.c,line=5,col=11,title=compile error::"
					 "expected ';' before '}' token\n"));
	ck_assert_ptr_nonnull(strstr(a, "::error file=util.c,line=9,col=3,"));
	/* the compile-error rows are said once, by the compiler's lines */
	ck_assert_ptr_null(strstr(a, "title=echo"));
	ck_assert_ptr_null(strstr(a, "::warning"));
	free(j);
	free(a);
	grade_result_free(r);
}
END_TEST

START_TEST(tool_error_alone_is_error_status)
{
	struct grade_result *r = tool_error_result();
	char *j = report_github_json(r, "", 0);
	json_t *root = parse(j);

	ck_assert_str_eq(json_string_value(json_object_get(root, "status")), "error");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(root, "tests"), 1), "status")),
			 "error");
	json_decref(root);
	free(j);
	grade_result_free(r);
	/* and all passed is pass */
	r = tool_error_result();
	r->tests[1].verdict = VERDICT_PASSED;
	j = report_github_json(r, "", 0);
	root = parse(j);
	ck_assert_str_eq(json_string_value(json_object_get(root, "status")), "pass");
	json_decref(root);
	free(j);
	grade_result_free(r);
}
END_TEST

START_TEST(write_appends_to_github_output)
{
	struct grade_result *r = sample_result();
	char *dir = make_temp_dir("gh-output"), *file, *expect, *b64;
	struct buf b, out;
	struct error e;
	FILE *f;
	char *printed = NULL;
	size_t plen = 0;

	ck_assert_ptr_nonnull(dir);
	file = path_join(dir, "output");
	ck_assert_int_eq(write_file_atomic(file, "earlier=1\n", 10), 0);
	setenv("GITHUB_OUTPUT", file, 1);
	error_init(&e);
	f = open_memstream(&printed, &plen);
	ck_assert_int_eq(report_github_write(r, "", f, &e), 0);
	fclose(f);
	b64 = report_github_result(r, "", 0);
	expect = xasprintf("earlier=1\nresult=%s\n", b64);
	buf_init(&b, 0);
	ck_assert_int_eq(buf_read_file(&b, file), 0);
	ck_assert_str_eq(b.data, expect);
	/* stdout has the annotations, not the result */
	ck_assert_ptr_null(strstr(printed, "result="));
	ck_assert_ptr_nonnull(strstr(printed, "::error file=duplex.c,line=42,"));
	free(printed);

	/* without the variable the result goes to stdout */
	unsetenv("GITHUB_OUTPUT");
	f = open_memstream(&printed, &plen);
	ck_assert_int_eq(report_github_write(r, "", f, &e), 0);
	fclose(f);
	buf_init(&out, 0);
	buf_addf(&out, "result=%s\n", b64);
	ck_assert_msg(!strncmp(printed, out.data, out.len), "printed: %s", printed);
	free(printed);

	/* an unwritable $GITHUB_OUTPUT is an error with the path */
	setenv("GITHUB_OUTPUT", "/nonexistent-dir/output", 1);
	f = open_memstream(&printed, &plen);
	ck_assert_int_eq(report_github_write(r, "", f, &e), -1);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent-dir/output"));
	unsetenv("GITHUB_OUTPUT");
	free(printed);

	buf_release(&out);
	buf_release(&b);
	free(expect);
	free(b64);
	rm_rf(dir);
	free(file);
	free(dir);
	grade_result_free(r);
}
END_TEST

START_TEST(prefix_is_the_path_inside_the_workspace)
{
	char *dir = make_temp_dir("gh-ws"), *sub, *p;

	ck_assert_ptr_nonnull(dir);
	sub = path_join(dir, "a/b");
	ck_assert_int_eq(mkdir_p(sub), 0);
	setenv("GITHUB_WORKSPACE", dir, 1);
	p = report_github_prefix(sub);
	ck_assert_str_eq(p, "a/b");
	free(p);
	p = report_github_prefix(dir);
	ck_assert_str_eq(p, "");
	free(p);
	p = report_github_prefix("/");
	ck_assert_str_eq(p, "");
	free(p);
	unsetenv("GITHUB_WORKSPACE");
	p = report_github_prefix(sub);
	ck_assert_str_eq(p, "");
	free(p);
	rm_rf(dir);
	free(sub);
	free(dir);
}
END_TEST

START_TEST(format_names_parse)
{
	int g = 5;

	ck_assert_int_eq(report_format_parse("github", &g), 0);
	ck_assert_int_eq(g, 1);
	ck_assert_int_eq(report_format_parse("text", &g), 0);
	ck_assert_int_eq(g, 0);
	ck_assert_int_eq(report_format_parse("GitHub", &g), -1);
	ck_assert_int_eq(report_format_parse("", &g), -1);
}
END_TEST

Suite *make_report_github_suite(void)
{
	Suite *su = suite_create("report_github");
	TCase *tc = tcase_create("github");

	tcase_add_test(tc, base64_matches_rfc4648_vectors);
	tcase_add_test(tc, result_matches_golden_and_decodes_to_it);
	tcase_add_test(tc, result_rows_add_up_to_the_score);
	tcase_add_test(tc, annotations_match_golden);
	tcase_add_test(tc, annotations_carry_the_repository_prefix);
	tcase_add_test(tc, compile_error_is_annotated_at_the_compiler_lines);
	tcase_add_test(tc, tool_error_alone_is_error_status);
	tcase_add_test(tc, write_appends_to_github_output);
	tcase_add_test(tc, prefix_is_the_path_inside_the_workspace);
	tcase_add_test(tc, format_names_parse);
	suite_add_tcase(su, tc);
	return su;
}
