/*
 * check_report.c - tests of result.c and the report writers (report*.c).
 *
 * Two results are built by hand the way grade.c fills them: a realistic
 * mixed one (a passed test, a wrong output with its diff, a timeout, a
 * hidden failed test, a crashed asan variant, a finding, warnings) and a
 * compile error. Each format is rendered with REPORT_MASK_TIMES and
 * compared with the golden files in data/report/; after a deliberate change
 * of a format, run with UPDATE_GOLDEN=1 to rewrite them, and read the diff.
 * junit.xml is validated with xmllint against data/report/junit.xsd.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "report.h"
#include "result.h"

/* ---- fixtures ---------------------------------------------------------- */

static char *s(const char *x)
{
	return x ? xstrdup(x) : NULL;
}

static char **strv(size_t n, const char *const *v)
{
	char **out = xcalloc(n + 1, sizeof(char *));
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
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
	t->failures = verdict == VERDICT_PASSED ? 0 : 1;
	t->exit_code = -1;
	return t;
}

static void base_result(struct grade_result *r)
{
	int v;

	memset(r, 0, sizeof(*r));
	r->exercise = s("duplex");
	r->title = s("Duplex pipes & <filters>");
	r->submission = s("alice");
	r->grader_version = s("1.2.3");
	r->execution_time = 12.345;
	r->started_at = s("2024-05-01T10:11:12Z");
	r->isolation = s("namespaces (pid, net, ipc, mount) + cgroup v1");
	for (v = 0; v < VARIANT__COUNT; v++)
		r->builds[v].ok = -1;
}

#define BUILD_CMD "cc -std=gnu11 -Wall -Wextra -pthread -o duplex duplex.c -lrt"

/* The mixed result: 5 rows, 1 finding, 2 warnings. */
static struct grade_result *sample_result(void)
{
	static const char *const warnings[] = {
		"duplex.c:12:9: warning: unused variable 'n' [-Wunused-variable]",
		"duplex.c:30:5: warning: implicit declaration of function `pipe2` [-Wimplicit-function-declaration]",
	};
	struct grade_result *r = xcalloc(1, sizeof(*r));
	struct test_outcome *t;
	struct finding *f;

	base_result(r);
	r->builds[VARIANT_PLAIN].ok = 1;
	r->builds[VARIANT_PLAIN].command = s(BUILD_CMD);
	r->builds[VARIANT_PLAIN].output = s("duplex.c: In function 'main':\n"
					    "duplex.c:12:9: warning: unused variable 'n' [-Wunused-variable]\n");
	r->builds[VARIANT_PLAIN].warnings = strv(2, warnings);
	r->builds[VARIANT_PLAIN].nwarnings = 2;
	r->builds[VARIANT_PLAIN].seconds = 0.4;
	r->builds[VARIANT_ASAN].ok = 1;
	r->builds[VARIANT_ASAN].command = s("cc -std=gnu11 -fsanitize=address,undefined -o duplex duplex.c");
	r->builds[VARIANT_ASAN].output = s("");
	r->builds[VARIANT_ASAN].warnings = strv(0, NULL);
	r->builds[VARIANT_ASAN].seconds = 1.1;

	t = add_test(r, "echo", VARIANT_PLAIN, 2, 2, VERDICT_PASSED);
	t->description = s("Copies standard input to standard output.");
	t->exit_code = 0;
	t->wall_s = 0.012;
	t->cpu_s = 0.004;
	t->peak_memory = 1 << 20;

	t = add_test(r, "upper", VARIANT_PLAIN, 0, 3, VERDICT_WRONG_OUTPUT);
	t->description = s("Turns every line into upper case.");
	t->message = s("stdout: line 2 differs");
	t->hint = s("Check how `toupper` is applied to *every* character.");
	t->expected = s("A\nB\nC\n");
	t->actual = s("A\nb\nC\n");
	t->diff = s("--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n A\n-B\n+b\n C\n");
	t->diff_line = 2;
	t->stderr_excerpt = s("debug: read 3 lines\n");
	t->command = s("./duplex -u < <(printf 'a\\nb\\nc\\n')");
	t->exit_code = 0;
	t->wall_s = 0.02;

	t = add_test(r, "slow", VARIANT_PLAIN, 0, 1, VERDICT_TIMEOUT);
	t->message = s("did not finish within 2 s and was killed (a deadlock, an endless loop, or waiting for input that never comes?)");
	t->limit = s("wall time 2 s");
	t->command = s("./duplex < /dev/null");
	t->term_signal = 9;
	t->wall_s = 2.001;

	/* as grade.c fills a hidden row: verdict, generic message, hint */
	t = add_test(r, "secret", VARIANT_PLAIN, 0, 2, VERDICT_WRONG_OUTPUT);
	t->visibility = VIS_HIDDEN;
	t->description = s("Large input with empty lines.");
	t->message = s("the output is not what this test expects");
	t->hint = s("Think about empty lines.");
	t->exit_code = 0;

	t = add_test(r, "echo", VARIANT_ASAN, 0, 1, VERDICT_CRASHED);
	t->description = s("Copies standard input to standard output.");
	t->message = s("crashed: killed by SIGSEGV (Segmentation fault)");
	t->stderr_excerpt = s("AddressSanitizer:DEADLYSIGNAL\n"
			      "==4242==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000\n");
	t->command = s("./duplex < /dev/null");
	t->term_signal = 11;
	t->wall_s = 0.3;

	r->findings = xcalloc(1, sizeof(*r->findings));
	r->nfindings = 1;
	f = &r->findings[0];
	f->tool = s("asan");
	f->kind = s("SEGV");
	f->test = s("echo");
	f->variant = VARIANT_ASAN;
	f->file = s("duplex.c");
	f->line = 42;
	f->function = s("copy_loop");
	f->stack = s("#0 copy_loop duplex.c:42\n#1 main duplex.c:80");
	f->message = s("SEGV on unknown address 0x000000000000 (a NULL pointer dereference)");
	f->source_line = s("\t*dst = *src;");
	f->count = 1;
	f->penalty = 0.5;

	r->score = 2;
	r->max_score = 9;
	return r;
}

#define COMPILER_SAYS "duplex.c: In function 'main':\n" \
	"duplex.c:5:11: error: expected ';' before '}' token\n" \
	"    5 |   return 0\n" \
	"      |           ^\n" \
	"      |           ;\n" \
	"    6 | }\n" \
	"      | ~\n"

static struct grade_result *compile_error_result(void)
{
	struct grade_result *r = xcalloc(1, sizeof(*r));
	struct test_outcome *t;
	int v;

	base_result(r);
	for (v = VARIANT_PLAIN; v <= VARIANT_ASAN; v++) {
		r->builds[v].ok = 0;
		r->builds[v].command = s(v == VARIANT_PLAIN ? BUILD_CMD
				: "cc -std=gnu11 -fsanitize=address,undefined -o duplex duplex.c");
		r->builds[v].output = s(COMPILER_SAYS);
		r->builds[v].warnings = strv(0, NULL);
	}
	t = add_test(r, "echo", VARIANT_PLAIN, 0, 2, VERDICT_COMPILE_ERROR);
	t->message = s("the program did not compile (see the build section)");
	t->runs = 0;
	t->description = s("Copies standard input to standard output.");
	t = add_test(r, "echo", VARIANT_ASAN, 0, 1, VERDICT_COMPILE_ERROR);
	t->message = s("the program did not compile (see the build section)");
	t->runs = 0;
	r->max_score = 3;
	return r;
}

/* ---- helpers ----------------------------------------------------------- */

static char *data_path(const char *name)
{
	const char *root = getenv("GRADER_ROOT");

	if (root && *root)
		return xasprintf("%s/grader/tests/data/report/%s", root, name);
	return xasprintf("data/report/%s", name);
}

/* Compares text with the golden file; UPDATE_GOLDEN=1 rewrites it. */
static void check_golden(const char *name, const char *text)
{
	const char *update = getenv("UPDATE_GOLDEN");
	char *path = data_path(name);
	struct buf b;
	const char *p, *q;
	int line = 1;

	if (update && !strcmp(update, "1")) {
		ck_assert_msg(write_file_atomic(path, text, strlen(text)) == 0,
			      "cannot write %s: %s", path, strerror(errno));
		free(path);
		return;
	}
	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, path) == 0,
		      "%s: %s (run with UPDATE_GOLDEN=1 to create it)", path,
		      strerror(errno));
	for (p = b.data, q = text; *p && *p == *q; p++, q++)
		if (*p == '\n')
			line++;
	if (*p || *q) {
		/* show both lines whole */
		while (p > b.data && p[-1] != '\n') {
			p--;
			q--;
		}
		const char *pe = strchr(p, '\n'), *qe = strchr(q, '\n');

		ck_assert_msg(0, "%s differs from the output at line %d:\n"
			      "golden: %.*s\noutput: %.*s\n(UPDATE_GOLDEN=1 rewrites it)",
			      path, line, pe ? (int)(pe - p) : (int)strlen(p), p,
			      qe ? (int)(qe - q) : (int)strlen(q), q);
	}
	buf_release(&b);
	free(path);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	size_t l = strlen(needle);

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += l;
	}
	return n;
}

/* Runs a shell command; returns its exit status with its output in *out. */
static int run_cmd(const char *cmd, char **out)
{
	struct buf b;
	FILE *p = popen(cmd, "r");
	char chunk[4096];
	size_t n;
	int st;

	ck_assert_msg(p != NULL, "popen: %s", strerror(errno));
	buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(&b, chunk, n);
	st = pclose(p);
	*out = buf_detach(&b, NULL);
	buf_release(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Validates xml against junit.xsd with xmllint; returns xmllint's status. */
static int xsd_check(const char *xml, char **msg)
{
	char *dir = make_temp_dir("report-xsd");
	char *file, *xsd = data_path("junit.xsd"), *cmd;
	int rc;

	ck_assert_ptr_nonnull(dir);
	file = path_join(dir, "junit.xml");
	ck_assert_int_eq(write_file_atomic(file, xml, strlen(xml)), 0);
	cmd = xasprintf("xmllint --noout --schema '%s' '%s' 2>&1", xsd, file);
	rc = run_cmd(cmd, msg);
	rm_rf(dir);
	free(cmd);
	free(file);
	free(xsd);
	free(dir);
	return rc;
}

static void assert_xsd_valid(const char *xml)
{
	char *msg;
	int rc = xsd_check(xml, &msg);

	ck_assert_msg(rc == 0, "xmllint failed (%d): %s\n%s", rc, msg, xml);
	free(msg);
}

/* The test object number i (0-based) of a parsed results.json. */
static json_t *json_test(json_t *root, size_t i)
{
	json_t *tests = json_object_get(root, "tests");

	ck_assert(json_is_array(tests));
	ck_assert_uint_gt(json_array_size(tests), i);
	return json_array_get(tests, i);
}

static json_t *parse_json(const char *text)
{
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);

	ck_assert_msg(root != NULL, "results.json does not parse: %s (line %d)",
		      err.text, err.line);
	return root;
}

/* ---- result.c ---------------------------------------------------------- */

START_TEST(verdicts_have_distinct_names_that_parse_back)
{
	int v, w;
	enum verdict out;

	for (v = 0; v < VERDICT__COUNT; v++) {
		ck_assert_str_ne(verdict_name(v), "unknown");
		ck_assert_str_ne(verdict_title(v), "Unknown");
		ck_assert_int_eq(verdict_parse(verdict_name(v), &out), 0);
		ck_assert_int_eq(out, v);
		for (w = 0; w < v; w++) {
			ck_assert_str_ne(verdict_name(v), verdict_name(w));
			ck_assert_str_ne(verdict_title(v), verdict_title(w));
		}
	}
	ck_assert_str_eq(verdict_name(VERDICT_WRONG_OUTPUT), "wrong_output");
	ck_assert_str_eq(verdict_title(VERDICT_TIMEOUT), "Time limit exceeded");
	ck_assert_str_eq(verdict_name(VERDICT__COUNT), "unknown");
	ck_assert_str_eq(verdict_name((enum verdict)-1), "unknown");
	ck_assert_int_eq(verdict_parse("Passed", &out), -1);
	ck_assert_int_eq(verdict_parse("", &out), -1);
	ck_assert_int_eq(verdict_parse(NULL, &out), -1);
}
END_TEST

START_TEST(grade_result_free_releases_everything)
{
	/* valgrind (make valgrind) reports a leak if a field is forgotten */
	grade_result_free(sample_result());
	grade_result_free(compile_error_result());
	grade_result_free(NULL);
}
END_TEST

/* ---- shared helpers ---------------------------------------------------- */

START_TEST(scores_print_with_at_most_two_decimals)
{
	char o[32];

	ck_assert_str_eq(report_score(2, o, sizeof(o)), "2");
	ck_assert_str_eq(report_score(1.5, o, sizeof(o)), "1.5");
	ck_assert_str_eq(report_score(1.0 / 3, o, sizeof(o)), "0.33");
	ck_assert_str_eq(report_score(2.0 / 3, o, sizeof(o)), "0.67");
	ck_assert_str_eq(report_score(10.1, o, sizeof(o)), "10.1");
	ck_assert_str_eq(report_score(100, o, sizeof(o)), "100");
	ck_assert_str_eq(report_score(0, o, sizeof(o)), "0");
	ck_assert_str_eq(report_score(-0.001, o, sizeof(o)), "0");
	ck_assert_str_eq(report_score(2.999, o, sizeof(o)), "3");
	ck_assert_str_eq(report_score(-1.25, o, sizeof(o)), "-1.25");
}
END_TEST

START_TEST(clean_replaces_invalid_utf8)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain ascii", "plain ascii" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },
		/* overlong "/" */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
		/* a surrogate */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		/* a sequence cut short at the end */
		{ "x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd" },
		/* above U+10FFFF */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		/* the highest code point is fine */
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *c = report_clean(cases[i].in, 0);

		ck_assert_msg(!strcmp(c, cases[i].out), "case %zu", i);
		free(c);
	}
	ck_assert_ptr_null(report_clean(NULL, 0));
}
END_TEST

START_TEST(clean_shows_control_characters)
{
	char *c = report_clean("\x1b[31mred\r\n\ttab\x7f\x01 \xef\xbf\xbf", REPORT_CLEAN_CONTROLS);

	/* ESC -> U+241B, CR -> U+240D, DEL -> U+2421, SOH -> U+2401,
	 * U+FFFF -> U+FFFD; tab and newline stay */
	ck_assert_str_eq(c, "\xe2\x90\x9b[31mred\xe2\x90\x8d\n\ttab\xe2\x90\xa1\xe2\x90\x81 \xef\xbf\xbd");
	free(c);
	c = report_clean("\x1b[0m\r", 0);
	ck_assert_str_eq(c, "\x1b[0m\r");
	free(c);
}
END_TEST

START_TEST(labels_name_the_variant_unless_plain)
{
	struct test_outcome t;
	char *l;

	memset(&t, 0, sizeof(t));
	t.name = "echo";
	t.variant = VARIANT_PLAIN;
	l = report_test_label(&t);
	ck_assert_str_eq(l, "echo");
	free(l);
	t.variant = VARIANT_TSAN;
	l = report_test_label(&t);
	ck_assert_str_eq(l, "echo [tsan]");
	free(l);
}
END_TEST

START_TEST(markdown_text_is_escaped)
{
	struct buf b;

	buf_init(&b, 0);
	report_md_text(&b, "a|b <script> *x* `y` [l](u) file_name _em_ AT&T &amp; \\\n# not a heading\n- no list");
	ck_assert_str_eq(b.data, "a\\|b \\<script\\> \\*x\\* \\`y\\` \\[l\\](u) file_name \\_em\\_ AT&T \\&amp; \\\\\n\\# not a heading\n\\- no list");
	buf_release(&b);
}
END_TEST

START_TEST(markdown_code_span_outgrows_backticks)
{
	struct buf b;

	buf_init(&b, 0);
	report_md_code(&b, "int x;");
	ck_assert_str_eq(b.data, "`int x;`");
	buf_reset(&b);
	report_md_code(&b, "a``b");
	ck_assert_str_eq(b.data, "```a``b```");
	buf_reset(&b);
	report_md_code(&b, "`start\nend`");
	ck_assert_str_eq(b.data, "`` `start end` ``");
	buf_release(&b);
}
END_TEST

START_TEST(markdown_block_fence_is_longer_than_content_runs)
{
	struct buf b;

	buf_init(&b, 0);
	report_md_block(&b, "text", "no ticks");
	ck_assert_str_eq(b.data, "```text\nno ticks\n```\n");
	buf_reset(&b);
	report_md_block(&b, "diff", "```\nclose?\n`````\n");
	ck_assert_str_eq(b.data, "``````diff\n```\nclose?\n`````\n``````\n");
	buf_release(&b);
}
END_TEST

/* ---- results.json ------------------------------------------------------ */

START_TEST(json_matches_golden)
{
	struct grade_result *r = sample_result();
	char *j = report_json(r, REPORT_MASK_TIMES);

	check_golden("sample.json", j);
	free(j);
	grade_result_free(r);
}
END_TEST

START_TEST(json_compile_error_matches_golden)
{
	struct grade_result *r = compile_error_result();
	char *j = report_json(r, REPORT_MASK_TIMES);
	json_t *root = parse_json(j);
	const char *out = json_string_value(json_object_get(root, "output"));

	check_golden("compile_error.json", j);
	/* Gradescope has no build section: the compiler's messages must be
	 * in the top-level output */
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(out, "expected ';' before '}' token"));
	ck_assert(json_is_false(json_object_get(json_object_get(root, "build"), "ok")));
	json_decref(root);
	free(j);
	grade_result_free(r);
}
END_TEST

START_TEST(json_has_every_gradescope_key)
{
	static const char *const top[] = { "score", "max_score", "execution_time",
		"output", "output_format", "visibility", "stdout_visibility", "tests" };
	static const char *const per_test[] = { "name", "score", "max_score",
		"status", "output", "output_format", "visibility", "number", "tags",
		"test", "variant", "verdict", "runs", "failures", "exit_code",
		"signal", "wall_time", "cpu_time", "peak_memory", "leftover_processes" };
	struct grade_result *r = sample_result();
	char *j = report_json(r, 0);
	json_t *root = parse_json(j), *t;
	size_t i, k;

	for (k = 0; k < sizeof(top) / sizeof(top[0]); k++)
		ck_assert_msg(json_object_get(root, top[k]) != NULL, "no %s", top[k]);
	ck_assert(json_is_number(json_object_get(root, "score")));
	ck_assert(json_number_value(json_object_get(root, "score")) == 2);
	ck_assert(json_number_value(json_object_get(root, "max_score")) == 9);
	ck_assert(json_number_value(json_object_get(root, "execution_time")) == 12.345);
	ck_assert_str_eq(json_string_value(json_object_get(root, "visibility")), "visible");
	ck_assert_str_eq(json_string_value(json_object_get(root, "stdout_visibility")), "hidden");
	ck_assert_str_eq(json_string_value(json_object_get(root, "output_format")), "md");
	ck_assert_str_eq(json_string_value(json_object_get(root, "started_at")), "2024-05-01T10:11:12Z");
	ck_assert_uint_eq(json_array_size(json_object_get(root, "tests")), r->ntests);
	for (i = 0; i < r->ntests; i++) {
		t = json_test(root, i);
		for (k = 0; k < sizeof(per_test) / sizeof(per_test[0]); k++)
			ck_assert_msg(json_object_get(t, per_test[k]) != NULL,
				      "test %zu has no %s", i, per_test[k]);
		ck_assert_int_eq(json_integer_value(json_object_get(t, "number")), (int)i + 1);
		ck_assert_str_eq(json_string_value(json_object_get(t, "status")),
				 r->tests[i].verdict == VERDICT_PASSED ? "passed" : "failed");
		ck_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "tags"), 0)),
				 verdict_name(r->tests[i].verdict));
	}
	ck_assert_str_eq(json_string_value(json_object_get(json_test(root, 0), "name")), "echo");
	ck_assert_str_eq(json_string_value(json_object_get(json_test(root, 4), "name")), "echo [asan]");
	ck_assert_str_eq(json_string_value(json_object_get(json_test(root, 3), "visibility")), "hidden");
	ck_assert_int_eq(json_integer_value(json_object_get(json_test(root, 4), "signal")), 11);
	ck_assert(json_is_null(json_object_get(json_test(root, 2), "exit_code")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_test(root, 0), "peak_memory")), 1 << 20);
	json_decref(root);
	free(j);
	grade_result_free(r);
}
END_TEST

START_TEST(json_masks_times)
{
	struct grade_result *r = sample_result();
	char *j = report_json(r, REPORT_MASK_TIMES);
	json_t *root = parse_json(j), *t0 = json_test(root, 0);

	ck_assert(json_number_value(json_object_get(root, "execution_time")) == 0);
	ck_assert_str_eq(json_string_value(json_object_get(root, "started_at")), "1970-01-01T00:00:00Z");
	ck_assert(json_number_value(json_object_get(t0, "wall_time")) == 0);
	ck_assert(json_number_value(json_object_get(t0, "cpu_time")) == 0);
	ck_assert_int_eq(json_integer_value(json_object_get(t0, "peak_memory")), 0);
	ck_assert(json_number_value(json_object_get(json_object_get(root, "build"), "seconds")) == 0);
	json_decref(root);
	free(j);
	grade_result_free(r);
}
END_TEST

START_TEST(json_carries_builds_and_findings)
{
	struct grade_result *r = sample_result();
	char *j;
	json_t *root, *build, *f, *f2;

	/* a second finding without location: its keys are null */
	r->findings = xrealloc(r->findings, 2 * sizeof(*r->findings));
	memset(&r->findings[1], 0, sizeof(r->findings[1]));
	r->findings[1].tool = s("hygiene");
	r->findings[1].kind = s("zombie");
	r->findings[1].message = s("a child process was never waited for");
	r->findings[1].count = 3;
	r->nfindings = 2;
	j = report_json(r, 0);
	root = parse_json(j);

	build = json_object_get(root, "build");
	ck_assert_str_eq(json_string_value(json_object_get(build, "variant")), "plain");
	ck_assert(json_is_true(json_object_get(build, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(build, "command")), BUILD_CMD);
	ck_assert_uint_eq(json_array_size(json_object_get(build, "warnings")), 2);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(root, "builds"), "asan"));
	ck_assert_ptr_null(json_object_get(json_object_get(root, "builds"), "plain"));
	ck_assert_ptr_null(json_object_get(json_object_get(root, "builds"), "tsan"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(root, "output")), "2 warnings"));

	ck_assert_uint_eq(json_array_size(json_object_get(root, "findings")), 2);
	f = json_array_get(json_object_get(root, "findings"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(f, "tool")), "asan");
	ck_assert_str_eq(json_string_value(json_object_get(f, "variant")), "asan");
	ck_assert_str_eq(json_string_value(json_object_get(f, "file")), "duplex.c");
	ck_assert_int_eq(json_integer_value(json_object_get(f, "line")), 42);
	ck_assert(json_number_value(json_object_get(f, "penalty")) == 0.5);
	f2 = json_array_get(json_object_get(root, "findings"), 1);
	ck_assert(json_is_null(json_object_get(f2, "file")));
	ck_assert(json_is_null(json_object_get(f2, "line")));
	ck_assert(json_is_null(json_object_get(f2, "function")));
	ck_assert(json_is_null(json_object_get(f2, "test")));
	ck_assert_int_eq(json_integer_value(json_object_get(f2, "count")), 3);
	/* the asan row's output names the finding */
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_test(root, 4), "output")),
				     "`copy_loop`"));
	json_decref(root);
	free(j);
	grade_result_free(r);
}
END_TEST

START_TEST(json_test_output_is_markdown_with_diff)
{
	struct grade_result *r = sample_result();
	char *j = report_json(r, REPORT_MASK_TIMES);
	json_t *root = parse_json(j);
	const char *out = json_string_value(json_object_get(json_test(root, 1), "output"));

	ck_assert_ptr_nonnull(strstr(out, "```diff\n--- expected\n"));
	ck_assert_ptr_nonnull(strstr(out, "first difference at line 2"));
	ck_assert_ptr_nonnull(strstr(out, "Hint: Check how `toupper`"));
	ck_assert_ptr_nonnull(strstr(out, "debug: read 3 lines"));
	ck_assert_ptr_nonnull(strstr(out, "**Wrong output**: stdout: line 2 differs"));
	out = json_string_value(json_object_get(json_test(root, 2), "output"));
	ck_assert_ptr_nonnull(strstr(out, "Limit hit: wall time 2 s"));
	json_decref(root);
	free(j);
	grade_result_free(r);
}
END_TEST

START_TEST(hidden_rows_show_no_details)
{
	struct grade_result *r = sample_result();
	char *j = report_json(r, 0), *md = report_markdown(r, 0);
	json_t *root = parse_json(j);
	const char *out = json_string_value(json_object_get(json_test(root, 3), "output"));
	const char *sec;

	/* as grade.c fills it: no diff, no command, no stderr */
	ck_assert_ptr_null(strstr(out, "```"));
	ck_assert_ptr_null(strstr(out, "To run it yourself"));
	ck_assert_ptr_null(strstr(out, "Large input"));
	ck_assert_ptr_nonnull(strstr(out, "the output is not what this test expects"));
	/* report.md: name, verdict and points only */
	sec = strstr(md, "### secret: Wrong output (0 / 2 points)\n\n");
	ck_assert_ptr_nonnull(sec);
	ck_assert_ptr_nonnull(strstr(sec, "(hidden test: details are not shown)"));
	ck_assert_ptr_null(strstr(md, "Think about empty lines"));
	ck_assert_ptr_null(strstr(md, "Large input"));
	ck_assert_ptr_nonnull(strstr(md, "| secret (hidden) | plain | **Wrong output** | 0 / 2 |"));
	json_decref(root);
	free(j);
	free(md);
	grade_result_free(r);
}
END_TEST

/* A step's details (a terminal transcript, process figures) are shown for
 * a visible test whether it passed or not, in every format. */
START_TEST(details_are_shown_passed_or_not)
{
	struct grade_result *r = sample_result();
	char *outs[3];
	size_t i;

	r->tests[0].details = s("pressed Ctrl-C at 0.20 s\nDETAIL-PASSED");
	r->tests[0].bonus = 1;
	ck_assert_int_eq(r->tests[0].verdict, VERDICT_PASSED);
	outs[0] = report_json(r, 0);
	outs[1] = report_markdown(r, 0);
	outs[2] = report_junit(r, 0);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(strstr(outs[i], "DETAIL-PASSED") != NULL,
			      "format %zu does not show the details", i);
		if (i == 1)
			ck_assert_msg(strstr(outs[i], "| echo (bonus) | plain |") != NULL,
				      "report.md does not mark the bonus test:\n%s", outs[i]);
		free(outs[i]);
	}
	grade_result_free(r);
}
END_TEST

/* A row that did not compile for a reason of its own (a unit test's
 * refused symbol) is listed with it; one that did not run because the
 * program did not compile is left to the build section. */
START_TEST(markdown_lists_compile_errors_with_their_own_reason)
{
	struct grade_result *r = sample_result();
	char *md;

	free(r->tests[0].message);
	free(r->tests[1].message);
	r->tests[0].verdict = VERDICT_COMPILE_ERROR;
	r->tests[0].message = s("bqueue.c: defines 'waitpid': the grader's runner owns it");
	r->tests[1].verdict = VERDICT_COMPILE_ERROR;
	r->tests[1].message = s(REPORT_NOT_COMPILED);
	md = report_markdown(r, 0);
	ck_assert_msg(strstr(md, "defines 'waitpid'") != NULL, "%s", md);
	ck_assert_msg(strstr(md, REPORT_NOT_COMPILED) == NULL, "%s", md);
	free(md);
	grade_result_free(r);
}
END_TEST

START_TEST(hidden_rows_never_leak_even_if_filled)
{
	/* a mistake upstream must not reach a student: the writers check the
	 * visibility themselves */
	static const char *const secrets[] = { "SECRET-EXPECTED", "SECRET-ACTUAL",
		"SECRET-DIFF", "SECRET-STDERR", "SECRET-COMMAND", "SECRET-DETAILS" };
	struct grade_result *r = sample_result();
	struct test_outcome *t = &r->tests[3];
	char *outs[3];
	size_t i, k;

	t->visibility = VIS_AFTER_DUE_DATE;
	t->expected = s(secrets[0]);
	t->actual = s(secrets[1]);
	t->diff = s(secrets[2]);
	t->diff_line = 7;
	t->stderr_excerpt = s(secrets[3]);
	t->command = s(secrets[4]);
	t->details = s(secrets[5]);
	outs[0] = report_json(r, 0);
	outs[1] = report_markdown(r, 0);
	outs[2] = report_junit(r, 0);
	for (i = 0; i < 3; i++) {
		for (k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++)
			ck_assert_msg(!strstr(outs[i], secrets[k]), "format %zu shows %s",
				      i, secrets[k]);
		ck_assert_ptr_null(strstr(outs[i], "line 7"));
		free(outs[i]);
	}
	grade_result_free(r);
}
END_TEST

START_TEST(json_survives_invalid_utf8_and_controls)
{
	struct grade_result *r = sample_result();
	struct test_outcome *t = &r->tests[1];
	char *j;
	json_t *root;
	const char *msg, *out;

	free(t->message);
	t->message = s("stdout: got \"\xff\xfe\x80\" then \x1b[31mred\x1b[0m");
	free(t->diff);
	t->diff = s("--- expected\n+++ actual\n-ok\r\n+\xc3\x28\x01\n");
	free(r->submission);
	r->submission = s("bob\xe9");
	free(r->findings[0].message);
	r->findings[0].message = s("bad \xf8\x88\x80\x80\x80 byte");
	j = report_json(r, 0);
	ck_assert_ptr_nonnull(j);
	root = parse_json(j);
	msg = json_string_value(json_object_get(json_test(root, 1), "message"));
	ck_assert_str_eq(msg, "stdout: got \"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\" then \x1b[31mred\x1b[0m");
	ck_assert_str_eq(json_string_value(json_object_get(root, "submission")), "bob\xef\xbf\xbd");
	out = json_string_value(json_object_get(json_test(root, 1), "output"));
	/* in Markdown output the CR and the escape show as symbols */
	ck_assert_ptr_nonnull(strstr(out, "-ok\xe2\x90\x8d\n+\xef\xbf\xbd(\xe2\x90\x81\n"));
	ck_assert_ptr_null(strchr(out, '\x1b'));
	json_decref(root);
	free(j);
	grade_result_free(r);
}
END_TEST

/* ---- report.md --------------------------------------------------------- */

START_TEST(public_only_runs_say_so)
{
	struct grade_result *r = sample_result();
	char *md, *j;
	json_t *root;

	r->public_only = 1;
	md = report_markdown(r, 0);
	j = report_json(r, 0);
	root = parse_json(j);
	ck_assert_ptr_nonnull(strstr(md, "Only the public tests were run"));
	ck_assert(json_is_true(json_object_get(root, "public_only")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(root, "output")),
				     "Only the public tests were run"));
	json_decref(root);
	free(j);
	free(md);
	grade_result_free(r);
}
END_TEST

START_TEST(markdown_matches_golden)
{
	struct grade_result *r = sample_result();
	char *md = report_markdown(r, REPORT_MASK_TIMES);

	check_golden("sample.md", md);
	free(md);
	grade_result_free(r);
}
END_TEST

START_TEST(markdown_compile_error_matches_golden)
{
	struct grade_result *r = compile_error_result();
	char *md = report_markdown(r, REPORT_MASK_TIMES);

	check_golden("compile_error.md", md);
	ck_assert_ptr_nonnull(strstr(md, "**The program did not compile**"));
	ck_assert_ptr_nonnull(strstr(md, "```text\n" COMPILER_SAYS "```\n"));
	/* the same messages from the asan build are not repeated */
	ck_assert_int_eq(count_of(md, "expected ';' before"), 1);
	ck_assert_ptr_null(strstr(md, "## Failed tests"));
	free(md);
	grade_result_free(r);
}
END_TEST

START_TEST(markdown_survives_hostile_output)
{
	struct grade_result *r = sample_result();
	struct test_outcome *t = &r->tests[1];
	char *md;
	const char *open, *close;

	free(t->diff);
	t->diff = s("--- expected\n+++ actual\n-```\n+`````\n+# heading?\n");
	free(t->stderr_excerpt);
	t->stderr_excerpt = s("```\n</details><script>alert(1)</script>\n");
	free(t->name);
	t->name = s("up|per");
	md = report_markdown(r, 0);
	/* the diff's fence is 6 backticks and closes only after the diff */
	open = strstr(md, "``````diff\n");
	ck_assert_ptr_nonnull(open);
	close = strstr(open + 11, "\n``````\n");
	ck_assert_ptr_nonnull(close);
	ck_assert_ptr_nonnull(strstr(open, "+# heading?\n``````\n"));
	ck_assert(strstr(open, "+`````\n") < close);
	/* stderr gets a 4-backtick fence */
	ck_assert_ptr_nonnull(strstr(md, "````text\n```\n</details>"));
	/* the table cell is not split */
	ck_assert_ptr_nonnull(strstr(md, "| up\\|per | plain |"));
	free(md);
	grade_result_free(r);
}
END_TEST

START_TEST(markdown_lists_findings_with_source)
{
	struct grade_result *r = sample_result();
	char *md = report_markdown(r, 0);
	const char *sec = strstr(md, "## Findings\n");

	ck_assert_ptr_nonnull(sec);
	ck_assert_ptr_nonnull(strstr(sec, "### asan: SEGV at `duplex.c:42` in `copy_loop`"));
	ck_assert_ptr_nonnull(strstr(sec, "```c\n\t*dst = *src;\n```"));
	ck_assert_ptr_nonnull(strstr(sec, "- Occurrences: 1\n- Penalty: 0.5 points\n"));
	ck_assert_ptr_nonnull(strstr(md, "**Score: 2 / 9**"));
	ck_assert_ptr_nonnull(strstr(md, "- ``duplex.c:30:5: warning: implicit declaration of function `pipe2` [-Wimplicit-function-declaration]``\n"));
	free(md);
	grade_result_free(r);
}
END_TEST

/* ---- junit.xml --------------------------------------------------------- */

START_TEST(junit_matches_golden_and_schema)
{
	struct grade_result *r = sample_result();
	char *x = report_junit(r, REPORT_MASK_TIMES);

	check_golden("sample.junit.xml", x);
	assert_xsd_valid(x);
	ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"duplex\" tests=\"5\" failures=\"4\" errors=\"0\" skipped=\"0\""));
	ck_assert_int_eq(count_of(x, "<testcase "), 5);
	ck_assert_ptr_nonnull(strstr(x, "classname=\"duplex.asan\" name=\"echo\""));
	ck_assert_ptr_nonnull(strstr(x, "type=\"timeout\""));
	free(x);
	grade_result_free(r);
}
END_TEST

START_TEST(junit_compile_error_is_an_error_in_every_testcase)
{
	struct grade_result *r = compile_error_result();
	char *x = report_junit(r, REPORT_MASK_TIMES);

	check_golden("compile_error.junit.xml", x);
	assert_xsd_valid(x);
	ck_assert_int_eq(count_of(x, "<testcase "), 2);
	ck_assert_int_eq(count_of(x, "<error message=\"the program did not compile (see the build section)\" type=\"compile_error\">"), 2);
	ck_assert_int_eq(count_of(x, "<failure"), 0);
	ck_assert_ptr_nonnull(strstr(x, "errors=\"2\" skipped=\"0\""));
	ck_assert_ptr_nonnull(strstr(x, "expected ';' before '}' token"));
	free(x);
	grade_result_free(r);
}
END_TEST

START_TEST(junit_failure_text_has_findings_and_diff)
{
	struct grade_result *r = sample_result();
	char *x = report_junit(r, 0);
	const char *asan = strstr(x, "classname=\"duplex.asan\"");
	const char *end;

	ck_assert_ptr_nonnull(asan);
	end = strstr(asan, "</testcase>");
	ck_assert_ptr_nonnull(end);
	ck_assert_ptr_nonnull(strstr(asan, "- asan: SEGV at duplex.c:42 in copy_loop"));
	ck_assert(strstr(asan, "copy_loop") < end);
	ck_assert_ptr_nonnull(strstr(asan, "<system-err>AddressSanitizer:DEADLYSIGNAL"));
	ck_assert_ptr_nonnull(strstr(x, "Expected vs actual, first difference at line 2:\n--- expected"));
	free(x);
	grade_result_free(r);
}
END_TEST

START_TEST(junit_escapes_and_strips_what_xml_cannot_carry)
{
	struct grade_result *r = sample_result();
	struct test_outcome *t = &r->tests[1];
	char *x;
	const char *p;

	free(t->message);
	t->message = s("<&>\"' \x01\x02\x1b[1m \xff\xc3 \xef\xbf\xbe end");
	free(t->stderr_excerpt);
	t->stderr_excerpt = s("]]> <!-- \x0b\x0c\r\n");
	free(t->name);
	t->name = s("a\"b<c");
	x = report_junit(r, 0);
	assert_xsd_valid(x);
	ck_assert_ptr_nonnull(strstr(x, "message=\"&lt;&amp;&gt;&quot;&apos; "));
	ck_assert_ptr_nonnull(strstr(x, "name=\"a&quot;b&lt;c\""));
	ck_assert_ptr_nonnull(strstr(x, "]]&gt; &lt;!-- "));
	for (p = x; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t',
			      "control byte 0x%02x at offset %td", *p, p - x);
	ck_assert_ptr_null(strstr(x, "\xef\xbf\xbe"));
	free(x);
	grade_result_free(r);
}
END_TEST

START_TEST(xsd_check_rejects_invalid_junit)
{
	/* the validation is real: a testcase without a name fails */
	char *msg;
	int rc = xsd_check("<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"x\" tests=\"1\">"
			   "<testcase classname=\"x.plain\"/></testsuite></testsuites>\n", &msg);

	ck_assert_int_ne(rc, 0);
	free(msg);
}
END_TEST

/* ---- report_write_all -------------------------------------------------- */

START_TEST(write_all_writes_three_files_and_no_temporaries)
{
	struct grade_result *r = sample_result();
	char *dir = make_temp_dir("report-out");
	char *out = path_join(dir, "reports/duplex/alice");
	static const char *const names[] = { "results.json", "report.md", "junit.xml" };
	char *(*render[])(const struct grade_result *, int) = { report_json,
		report_markdown, report_junit };
	struct error e;
	struct dirent *de;
	DIR *d;
	size_t i;
	int n = 0;

	error_init(&e);
	ck_assert_int_eq(report_write_all(r, out, &e), 0);
	for (i = 0; i < 3; i++) {
		char *p = path_join(out, names[i]);
		char *want = render[i](r, 0);
		struct buf b;

		buf_init(&b, 0);
		ck_assert_int_eq(buf_read_file(&b, p), 0);
		ck_assert_str_eq(b.data, want);
		buf_release(&b);
		free(want);
		free(p);
	}
	d = opendir(out);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			n++;
			ck_assert_msg(!strstr(de->d_name, "tmp"), "left %s", de->d_name);
		}
	closedir(d);
	ck_assert_int_eq(n, 3);
	/* a second run replaces the files */
	ck_assert_int_eq(report_write_all(r, out, &e), 0);
	rm_rf(dir);
	free(out);
	free(dir);
	grade_result_free(r);
}
END_TEST

START_TEST(write_all_reports_the_path_on_error)
{
	struct grade_result *r = sample_result();
	char *dir = make_temp_dir("report-out");
	char *file = path_join(dir, "plain-file");
	char *out = path_join(file, "sub");
	struct error e;

	ck_assert_int_eq(write_file_atomic(file, "x", 1), 0);
	error_init(&e);
	ck_assert_int_eq(report_write_all(r, out, &e), -1);
	ck_assert_msg(strstr(e.msg, out) != NULL, "message: %s", e.msg);
	rm_rf(dir);
	free(out);
	free(file);
	free(dir);
	grade_result_free(r);
}
END_TEST

/* ---- report_summary ---------------------------------------------------- */

static char *summary_of(const struct grade_result *r, int color, const char *outdir)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	report_summary(r, f, color, outdir);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

START_TEST(summary_lists_every_row_without_colour)
{
	struct grade_result *r = sample_result();
	char *text = summary_of(r, 0, "reports/duplex/alice");
	const char *p, *nl;

	ck_assert_ptr_null(strchr(text, '\033'));
	/* no line wider than 100 columns */
	for (p = text; (nl = strchr(p, '\n')); p = nl + 1)
		ck_assert_int_le(nl - p, 100);
	ck_assert_str_eq(text,
		"Build: compiled with 2 warnings\n"
		"PASS  echo             2 / 2  Passed\n"
		"FAIL  upper            0 / 3  Wrong output: stdout: line 2 differs\n"
		"FAIL  slow             0 / 1  Time limit exceeded: did not finish within 2 s and was killed (a de...\n"
		"FAIL  secret (hidden)  0 / 2  Wrong output: the output is not what this test expects\n"
		"FAIL  echo [asan]      0 / 1  Crashed: crashed: killed by SIGSEGV (Segmentation fault)\n"
		"Score: 2 / 9\n"
		"Reports: reports/duplex/alice/report.md\n");
	free(text);
	grade_result_free(r);
}
END_TEST

START_TEST(summary_colours_marks_only_when_asked)
{
	struct grade_result *r = sample_result();
	char *text = summary_of(r, 1, NULL);

	ck_assert_ptr_nonnull(strstr(text, "\033[32mPASS\033[0m  echo "));
	ck_assert_int_eq(count_of(text, "\033[31mFAIL\033[0m"), 4);
	ck_assert_ptr_null(strstr(text, "Reports:"));
	free(text);
	grade_result_free(r);
}
END_TEST

START_TEST(summary_neutralises_escape_sequences)
{
	struct grade_result *r = compile_error_result();
	char *text;

	free(r->tests[0].message);
	r->tests[0].message = s("\033]0;pwned\007 multi\nline");
	text = summary_of(r, 0, "out");
	ck_assert_ptr_null(strchr(text, '\033'));
	ck_assert_ptr_null(strchr(text, '\007'));
	ck_assert_ptr_nonnull(strstr(text, "Build: compile error"));
	ck_assert_ptr_nonnull(strstr(text, "pwned\xe2\x90\x87 multi ...\n"));
	ck_assert_ptr_nonnull(strstr(text, "Score: 0 / 3\n"));
	free(text);
	grade_result_free(r);
}
END_TEST

Suite *make_report_suite(void)
{
	Suite *su = suite_create("report");
	TCase *tc = tcase_create("result");

	tcase_add_test(tc, verdicts_have_distinct_names_that_parse_back);
	tcase_add_test(tc, grade_result_free_releases_everything);
	suite_add_tcase(su, tc);

	tc = tcase_create("helpers");
	tcase_add_test(tc, scores_print_with_at_most_two_decimals);
	tcase_add_test(tc, clean_replaces_invalid_utf8);
	tcase_add_test(tc, clean_shows_control_characters);
	tcase_add_test(tc, labels_name_the_variant_unless_plain);
	tcase_add_test(tc, markdown_text_is_escaped);
	tcase_add_test(tc, markdown_code_span_outgrows_backticks);
	tcase_add_test(tc, markdown_block_fence_is_longer_than_content_runs);
	suite_add_tcase(su, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, json_matches_golden);
	tcase_add_test(tc, json_compile_error_matches_golden);
	tcase_add_test(tc, json_has_every_gradescope_key);
	tcase_add_test(tc, json_masks_times);
	tcase_add_test(tc, json_carries_builds_and_findings);
	tcase_add_test(tc, json_test_output_is_markdown_with_diff);
	tcase_add_test(tc, hidden_rows_show_no_details);
	tcase_add_test(tc, hidden_rows_never_leak_even_if_filled);
	tcase_add_test(tc, details_are_shown_passed_or_not);
	tcase_add_test(tc, markdown_lists_compile_errors_with_their_own_reason);
	tcase_add_test(tc, json_survives_invalid_utf8_and_controls);
	suite_add_tcase(su, tc);

	tc = tcase_create("markdown");
	tcase_add_test(tc, markdown_matches_golden);
	tcase_add_test(tc, markdown_compile_error_matches_golden);
	tcase_add_test(tc, markdown_survives_hostile_output);
	tcase_add_test(tc, markdown_lists_findings_with_source);
	tcase_add_test(tc, public_only_runs_say_so);
	suite_add_tcase(su, tc);

	tc = tcase_create("junit");
	/* xmllint runs a few times: allow for a loaded machine */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, junit_matches_golden_and_schema);
	tcase_add_test(tc, junit_compile_error_is_an_error_in_every_testcase);
	tcase_add_test(tc, junit_failure_text_has_findings_and_diff);
	tcase_add_test(tc, junit_escapes_and_strips_what_xml_cannot_carry);
	tcase_add_test(tc, xsd_check_rejects_invalid_junit);
	suite_add_tcase(su, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, write_all_writes_three_files_and_no_temporaries);
	tcase_add_test(tc, write_all_reports_the_path_on_error);
	tcase_add_test(tc, summary_lists_every_row_without_colour);
	tcase_add_test(tc, summary_colours_marks_only_when_asked);
	tcase_add_test(tc, summary_neutralises_escape_sequences);
	suite_add_tcase(su, tc);
	return su;
}
