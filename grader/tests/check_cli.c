/*
 * check_cli.c - end-to-end tests of the `grader` command on a tiny exercise
 * (data/cli/upper: upper-case stdin) and its fixtures: exit statuses, the
 * reports, hidden tests kept hidden, nothing left running, validate.
 *
 * They run the built binary ($GRADER_BIN) as a user would.
 */
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "buf.h"
#include "util.h"

#define EX "data/cli/upper"
#define FIX "data/cli/upper-fixtures"

/* Runs a shell command; returns its exit status, output (stdout+stderr) in out. */
static int sh(struct buf *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
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

/* Grades fixture `name` into a fresh directory; returns the exit status. */
static int grade(const char *name, const char *extra, char **outdir,
		 struct buf *out)
{
	*outdir = make_temp_dir("cli");
	ck_assert_ptr_nonnull(*outdir);
	return sh(out, "%s grade %s %s/%s -o %s %s", bin(), EX, FIX, name, *outdir,
		  extra ? extra : "");
}

static json_t *load_json(const char *dir)
{
	char *p = path_join(dir, "results.json");
	json_error_t err;
	json_t *j = json_load_file(p, 0, &err);

	ck_assert_msg(j != NULL, "%s: %s", p, err.text);
	free(p);
	return j;
}

static json_t *find_test(json_t *root, const char *name)
{
	json_t *tests = json_object_get(root, "tests"), *t;
	size_t i;

	json_array_foreach(tests, i, t) {
		const char *n = json_string_value(json_object_get(t, "test"));

		if (n && !strcmp(n, name))
			return t;
	}
	ck_abort_msg("no test %s in results.json", name);
	return NULL;
}

static char *read_report(const char *dir, const char *file)
{
	char *p = path_join(dir, file);
	struct buf b;

	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, p) == 0, "cannot read %s", p);
	free(p);
	return buf_detach(&b, NULL);
}

START_TEST(correct_submission_gets_full_marks)
{
	struct buf out;
	char *dir;
	json_t *j;

	buf_init(&out, 0);
	ck_assert_int_eq(grade("good", NULL, &dir, &out), 0);
	j = load_json(dir);
	ck_assert_double_eq_tol(json_number_value(json_object_get(j, "score")), 5, 1e-9);
	ck_assert_double_eq_tol(json_number_value(json_object_get(j, "max_score")), 5, 1e-9);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "tests")), 4);
	ck_assert_str_eq(json_string_value(json_object_get(find_test(j, "reference-big"),
							     "status")), "passed");
	{
		char *junit = path_join(dir, "junit.xml"), *md = path_join(dir, "report.md");

		ck_assert(is_file(junit));
		ck_assert(is_file(md));
		free(junit);
		free(md);
	}
	json_decref(j);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

START_TEST(wrong_output_is_explained_with_diff_and_hint)
{
	struct buf out;
	char *dir, *md;
	json_t *j, *t;

	buf_init(&out, 0);
	ck_assert_int_eq(grade("wrong", NULL, &dir, &out), 0);
	j = load_json(dir);
	ck_assert_double_eq_tol(json_number_value(json_object_get(j, "score")), 1, 1e-9);
	t = find_test(j, "hello");
	ck_assert_str_eq(json_string_value(json_object_get(t, "status")), "failed");
	ck_assert_str_eq(json_string_value(json_object_get(t, "verdict")), "wrong_output");
	md = read_report(dir, "report.md");
	ck_assert_msg(strstr(md, "-HELLO") && strstr(md, "+hello"),
		      "report.md has no diff:\n%s", md);
	ck_assert_msg(strstr(md, "Use toupper() on every byte."), "no hint:\n%s", md);
	free(md);
	json_decref(j);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

/* A hidden test's input and expected output never reach a report. */
START_TEST(hidden_test_data_never_reaches_reports)
{
	static const char *const files[] = { "results.json", "report.md", "junit.xml" };
	struct buf out;
	char *dir;
	size_t i;

	buf_init(&out, 0);
	ck_assert_int_eq(grade("wrong", NULL, &dir, &out), 0);
	ck_assert_ptr_null(strstr(out.data, "SECRET-MARKER"));
	for (i = 0; i < 3; i++) {
		char *text = read_report(dir, files[i]);

		ck_assert_msg(!strstr(text, "SECRET-MARKER") && !strstr(text, "secret-marker"),
			      "%s leaks the hidden test", files[i]);
		free(text);
	}
	/* ... while the hidden test still counts, with its hint */
	{
		json_t *j = load_json(dir), *t = find_test(j, "secret");

		ck_assert_str_eq(json_string_value(json_object_get(t, "visibility")), "hidden");
		ck_assert_str_eq(json_string_value(json_object_get(t, "status")), "failed");
		json_decref(j);
	}
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

START_TEST(min_score_sets_exit_status)
{
	struct buf out;
	char *dir;

	buf_init(&out, 0);
	ck_assert_int_eq(grade("wrong", "--min-score 4", &dir, &out), 1);
	rm_rf(dir);
	free(dir);
	ck_assert_int_eq(grade("good", "--min-score 5", &dir, &out), 0);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

START_TEST(compile_error_is_a_verdict_with_compiler_messages)
{
	struct buf out;
	char *dir, *md;
	json_t *j, *t;
	size_t i;

	buf_init(&out, 0);
	ck_assert_int_eq(grade("broken", NULL, &dir, &out), 0);
	j = load_json(dir);
	ck_assert_double_eq_tol(json_number_value(json_object_get(j, "score")), 0, 1e-9);
	json_array_foreach(json_object_get(j, "tests"), i, t)
		ck_assert_str_eq(json_string_value(json_object_get(t, "verdict")),
				 "compile_error");
	md = read_report(dir, "report.md");
	ck_assert_msg(strstr(md, "missing_variable"), "no compiler message:\n%s", md);
	free(md);
	json_decref(j);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

START_TEST(crash_names_the_signal)
{
	struct buf out;
	char *dir;
	json_t *j, *t;

	buf_init(&out, 0);
	ck_assert_int_eq(grade("crash", NULL, &dir, &out), 0);
	j = load_json(dir);
	t = find_test(j, "empty");
	ck_assert_str_eq(json_string_value(json_object_get(t, "verdict")), "crashed");
	ck_assert_msg(strstr(json_string_value(json_object_get(t, "output")), "SIGSEGV"),
		      "output: %s", json_string_value(json_object_get(t, "output")));
	json_decref(j);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

/* A program that hangs and leaves a setsid daemon: timeouts, and nothing of
 * it is left running afterwards. */
START_TEST(hang_times_out_and_leaves_nothing_running)
{
	struct buf out, ps;
	char *dir;
	json_t *j;

	buf_init(&out, 0);
	buf_init(&ps, 0);
	ck_assert_int_eq(grade("hang", "--variant plain", &dir, &out), 0);
	j = load_json(dir);
	ck_assert_str_eq(json_string_value(json_object_get(find_test(j, "hello"), "verdict")),
			 "timeout");
	ck_assert_int_ne(sh(&ps, "pgrep -x upper"), 0);
	json_decref(j);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
	buf_release(&ps);
}
END_TEST

START_TEST(bad_spec_is_located)
{
	struct buf out;
	char *dir = make_temp_dir("cli");

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s grade data/cli/badspec %s/good -o %s", bin(), FIX, dir), 2);
	ck_assert_msg(strstr(out.data, "spec.yaml:8:") && strstr(out.data, "stdinn"),
		      "message: %s", out.data);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

START_TEST(missing_submission_is_exit_2)
{
	struct buf out;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s grade %s /nonexistent/sub", bin(), EX), 2);
	ck_assert_msg(strstr(out.data, "/nonexistent/sub"), "message: %s", out.data);
	buf_release(&out);
}
END_TEST

START_TEST(validate_passes_on_declared_verdicts)
{
	struct buf out;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s validate %s --fixtures %s", bin(), EX, FIX), 0);
	ck_assert_msg(strstr(out.data, "5 fixtures checked, 0 differences"), "%s", out.data);
	ck_assert_msg(strstr(out.data, "reference"), "%s", out.data);
	buf_release(&out);
}
END_TEST

/* A fixture whose declared verdict is wrong makes validate fail. */
START_TEST(validate_fails_on_a_difference)
{
	struct buf out;
	char *dir = make_temp_dir("fix");

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "mkdir %s/good && cp %s/good/upper.c %s/good/ && "
				  "printf 'verdicts:\\n  hello: timeout\\n' > %s/good/expect.yaml",
			    dir, FIX, dir, dir), 0);
	ck_assert_int_eq(sh(&out, "%s validate %s --fixtures %s", bin(), EX, dir), 1);
	ck_assert_msg(strstr(out.data, "hello [plain]: expected timeout, got passed"),
		      "%s", out.data);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

START_TEST(help_and_unknown_commands)
{
	static const char *const cmds[] = { "grade", "check", "validate", "list" };
	struct buf out;
	size_t i;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s --help", bin()), 0);
	for (i = 0; i < 4; i++)
		ck_assert_msg(strstr(out.data, cmds[i]), "%s missing from --help", cmds[i]);
	for (i = 0; i < 4; i++) {
		buf_reset(&out);
		ck_assert_int_eq(sh(&out, "%s %s --help", bin(), cmds[i]), 0);
		ck_assert_msg(strstr(out.data, "usage: grader"), "%s", out.data);
	}
	ck_assert_int_eq(sh(&out, "%s frobnicate", bin()), 2);
	ck_assert_int_eq(sh(&out, "%s grade", bin()), 2);
	buf_release(&out);
}
END_TEST

START_TEST(list_shows_exercises_and_invalid_specs)
{
	struct buf out;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "GRADER_EXERCISES=data/cli %s list", bin()), 2);
	ck_assert_msg(strstr(out.data, "upper") && strstr(out.data, "Upper-case the input"),
		      "%s", out.data);
	ck_assert_msg(strstr(out.data, "invalid spec"), "%s", out.data);
	buf_release(&out);
}
END_TEST

/* `grader check` in the submission directory: public tests only. */
START_TEST(check_runs_public_tests_in_the_submission)
{
	struct buf out;
	char *dir = make_temp_dir("chk"), *here = path_real(".");

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "cp %s/wrong/upper.c %s/", FIX, dir), 0);
	ck_assert_int_eq(sh(&out, "cd %s && GRADER_EXERCISES=%s/data/cli %s check upper",
			    dir, here, bin()), 1);
	ck_assert_ptr_null(strstr(out.data, "secret"));
	ck_assert_msg(strstr(out.data, "hello"), "%s", out.data);
	rm_rf(dir);
	free(dir);
	free(here);
	buf_release(&out);
}
END_TEST

/* Each planted bug (leak, use after free, overflow, race, uninitialised
 * read, signed overflow, leftover daemon) is reported by the right tool at
 * the fixture's file:line, and the correct solution passes every variant. */
START_TEST(findings_are_located_in_the_students_source)
{
	struct buf out;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s validate data/findings/echo --fixtures data/findings/fixtures",
			    bin()), 0);
	ck_assert_msg(strstr(out.data, "12 fixtures checked, 0 differences"), "%s", out.data);
	buf_release(&out);
}
END_TEST

/* A sanitizer hook the source scan cannot see (its name pasted together
 * by a macro) is found in the instrumented program's symbol table and
 * refused; a plain build, where it has nothing to switch off, is left
 * alone. */
START_TEST(assembled_sanitizer_hook_is_refused)
{
	static const char src[] =
		"#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
		"#define HOOK(a, b) a##b\n"
		"int HOOK(__ls, an_is_turned_off)(void) { return 1; }\n"
		"int main(void) { char l[256];\n"
		"  while (fgets(l, sizeof l, stdin)) fputs(strdup(l), stdout);\n"
		"  return 0; }\n";
	char *dir = make_temp_dir("cli"), *sub = path_join(dir, "sub"),
	     *file = path_join(sub, "echo.c"), *json;
	struct buf out;

	buf_init(&out, 0);
	ck_assert_int_eq(mkdir_p(sub), 0);
	ck_assert_int_eq(write_file_atomic(file, src, sizeof(src) - 1), 0);
	sh(&out, "%s grade data/findings/echo %s --variant asan -o %s/asan", bin(),
	   sub, dir);
	json = read_report(dir, "asan/results.json");
	ck_assert_msg(strstr(json, "defines '__lsan_is_turned_off'") &&
		      strstr(json, "\"score\": 0"), "%s", json);
	free(json);
	ck_assert_int_eq(sh(&out, "%s grade data/findings/echo %s --variant plain -o %s/plain",
			    bin(), sub, dir), 0);
	json = read_report(dir, "plain/results.json");
	ck_assert_msg(strstr(json, "\"score\": 1"), "%s", json);
	free(json);
	rm_rf(dir);
	free(file);
	free(sub);
	free(dir);
	buf_release(&out);
}
END_TEST

/* leftover_files: forbid makes files left in the working directory a
 * finding, named (a control character shown as '?'), per test. */
START_TEST(leftover_files_are_a_finding)
{
	struct buf out;
	char *dir = make_temp_dir("cli"), *json;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s grade data/leftover/ex data/leftover/sub -o %s",
			    bin(), dir), 0);
	json = read_report(dir, "results.json");
	ck_assert_msg(strstr(json, "\"leftover-file\"") &&
		      strstr(json, "files left in the working directory: core, out?.tmp"),
		      "%s", json);
	ck_assert_msg(strstr(json, "\"score\": 1"), "%s", json);
	free(json);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

/* The rows and findings of a grading, as one line each, without what
 * varies from run to run (times, memory, pids, temporary paths). */
static char *rows_and_findings(const char *json)
{
	json_error_t err;
	json_t *root = json_loads(json, 0, &err), *a, *x;
	struct buf b;
	size_t i;

	ck_assert_msg(root != NULL, "results.json: %s", err.text);
	buf_init(&b, 0);
	buf_addf(&b, "score %g\n", json_number_value(json_object_get(root, "score")));
	a = json_object_get(root, "tests");
	json_array_foreach(a, i, x)
		buf_addf(&b, "test %s %s %g\n",
			 json_string_value(json_object_get(x, "name")),
			 json_string_value(json_object_get(x, "status")),
			 json_number_value(json_object_get(x, "score")));
	a = json_object_get(root, "findings");
	json_array_foreach(a, i, x)
		buf_addf(&b, "finding %s %s %s:%lld first in %s [%s] x%lld\n",
			 json_string_value(json_object_get(x, "tool")),
			 json_string_value(json_object_get(x, "kind")),
			 json_string_value(json_object_get(x, "file")),
			 json_integer_value(json_object_get(x, "line")),
			 json_string_value(json_object_get(x, "test")),
			 json_string_value(json_object_get(x, "variant")),
			 json_integer_value(json_object_get(x, "count")));
	json_decref(root);
	return buf_detach(&b, NULL);
}

/* Variants run side by side give the same report as one after another:
 * rows in test-then-variant order, findings first seen in the same test. */
START_TEST(variants_in_parallel_report_as_sequential)
{
	struct buf out;
	char *dir1 = make_temp_dir("cli"), *dir4 = make_temp_dir("cli");
	char *j1, *j4, *r1, *r4;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s grade data/findings/echo data/findings/fixtures/leak -j 1 -o %s",
			    bin(), dir1), 0);
	ck_assert_int_eq(sh(&out, "%s grade data/findings/echo data/findings/fixtures/leak -j 4 -o %s",
			    bin(), dir4), 0);
	j1 = read_report(dir1, "results.json");
	j4 = read_report(dir4, "results.json");
	r1 = rows_and_findings(j1);
	r4 = rows_and_findings(j4);
	ck_assert_msg(strstr(r1, "test echo [memcheck] failed") &&
		      strstr(r1, "finding lsan memory-leak echo.c:14 first in echo [asan] x2"),
		      "%s", r1);
	ck_assert_str_eq(r4, r1);
	ck_assert_int_ne(sh(&out, "%s grade data/findings/echo data/findings/fixtures/leak -j 0",
			    bin()), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "--jobs needs a number from 1 to 64, got '0'"));
	free(j1);
	free(j4);
	free(r1);
	free(r4);
	rm_rf(dir1);
	rm_rf(dir4);
	free(dir1);
	free(dir4);
	buf_release(&out);
}
END_TEST

/* perturb: a check-then-act bug that plain runs rarely show fails every
 * perturbed run, and the report names the seeds to replay; the correct
 * counter passes under the same perturbation. */
START_TEST(perturbation_shows_a_rare_race_with_its_seeds)
{
	struct buf out;
	char *dir = make_temp_dir("cli"), *md;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s grade data/perturb/counter data/perturb/racy -o %s",
			    bin(), dir), 0);
	md = read_report(dir, "report.md");
	ck_assert_msg(strstr(md, "failed 3 of 3 runs with schedule perturbation, rate 0.2; "
				 "failing seeds 7, 8, 9"), "%s", md);
	free(md);
	ck_assert_int_eq(sh(&out, "%s grade data/perturb/counter data/perturb/counter/solution "
				  "-o %s --min-score 1", bin(), dir), 0);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

/* A time limit hit: the report says what kind of hang it was and where
 * the student's threads wait (the pipes fixture that never closes its
 * unused write end waits for input that never comes). */
START_TEST(a_hang_is_located_in_the_students_source)
{
	struct buf out;
	char *dir = make_temp_dir("cli"), *json;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s grade %s/exercises/pipes %s/fixtures/pipes/no-close-write-end "
				  "--variant plain --test small -o %s",
			    bin(), getenv("GRADER_ROOT"), getenv("GRADER_ROOT"), dir), 0);
	json = read_report(dir, "results.json");
	ck_assert_msg(strstr(json, "\"waiting-for-input\"") &&
		      strstr(json, "\"file\": \"duplex.c\"") &&
		      strstr(json, "its own write end is still open"), "%.2000s", json);
	free(json);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

/* How many processes have their working directory under dir. */
static int processes_in(const char *dir)
{
	struct buf out;
	int n;

	buf_init(&out, 0);
	sh(&out, "ls -l /proc/[0-9]*/cwd 2>/dev/null | grep -c '%s' || true", dir);
	n = atoi(out.data);
	buf_release(&out);
	return n;
}

/* An interrupted grader (SIGTERM, as a CI runner sends) stops the runs in
 * progress, removes its temporary directories and dies of the signal:
 * the hanging fixture's programs do not outlive it. */
START_TEST(an_interrupted_grader_leaves_nothing_behind)
{
	struct buf out;
	char *tmp = make_temp_dir("cli"), *left;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "TMPDIR=%s %s grade %s/exercises/pipes %s/fixtures/pipes/no-close-write-end "
				  "--variant plain -o %s/out >/dev/null 2>&1 & pid=$!; "
				  "sleep 2; kill -TERM $pid; wait $pid; echo \"status $?\"",
			    tmp, bin(), getenv("GRADER_ROOT"), getenv("GRADER_ROOT"), tmp), 0);
	ck_assert_msg(strstr(out.data, "status 143"), "%s", out.data);
	ck_assert_int_eq(processes_in(tmp), 0);
	buf_reset(&out);
	sh(&out, "ls %s | grep grader- || true", tmp);
	left = out.data;
	ck_assert_msg(!*left, "left behind in TMPDIR: %s", left);
	rm_rf(tmp);
	free(tmp);
	buf_release(&out);
}
END_TEST

/* The report quotes the student's line of code for a finding. */
START_TEST(report_quotes_the_source_line_of_a_finding)
{
	struct buf out;
	char *dir = make_temp_dir("cli"), *md, *json;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "%s grade data/findings/echo data/findings/fixtures/use-after-free "
				  "--variant asan -o %s", bin(), dir), 0);
	md = read_report(dir, "report.md");
	ck_assert_msg(strstr(md, "echo.c:15") && strstr(md, "fputs(dup, stdout);"),
		      "report.md:\n%s", md);
	json = read_report(dir, "results.json");
	ck_assert_msg(strstr(json, "\"heap-use-after-free\""), "%s", json);
	free(md);
	free(json);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

/* A variant whose tool does not work on this machine is an error of the
 * machine, never a failure of the student (GRADER_CC breaks the probe). */
START_TEST(broken_toolchain_is_not_blamed_on_the_student)
{
	struct buf out;
	char *dir = make_temp_dir("cli");
	json_t *j, *t;
	size_t i;
	int seen = 0;

	buf_init(&out, 0);
	ck_assert_int_eq(sh(&out, "GRADER_CC=/bin/false %s grade data/findings/echo "
				  "data/findings/fixtures/correct --variant plain,asan -o %s",
			    bin(), dir), 0);
	j = load_json(dir);
	json_array_foreach(json_object_get(j, "tests"), i, t) {
		const char *variant = json_string_value(json_object_get(t, "variant"));
		const char *verdict = json_string_value(json_object_get(t, "verdict"));

		if (!strcmp(variant, "asan")) {
			ck_assert_str_eq(verdict, "error");
			ck_assert_msg(strstr(json_string_value(json_object_get(t, "output")),
					     "toolchain"), "no cause given");
			seen++;
		} else {
			ck_assert_str_eq(verdict, "passed");
		}
	}
	ck_assert_int_eq(seen, 1);
	json_decref(j);
	rm_rf(dir);
	free(dir);
	buf_release(&out);
}
END_TEST

Suite *make_cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("end-to-end");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, correct_submission_gets_full_marks);
	tcase_add_test(tc, wrong_output_is_explained_with_diff_and_hint);
	tcase_add_test(tc, hidden_test_data_never_reaches_reports);
	tcase_add_test(tc, min_score_sets_exit_status);
	tcase_add_test(tc, compile_error_is_a_verdict_with_compiler_messages);
	tcase_add_test(tc, crash_names_the_signal);
	tcase_add_test(tc, hang_times_out_and_leaves_nothing_running);
	tcase_add_test(tc, bad_spec_is_located);
	tcase_add_test(tc, missing_submission_is_exit_2);
	tcase_add_test(tc, validate_passes_on_declared_verdicts);
	tcase_add_test(tc, validate_fails_on_a_difference);
	tcase_add_test(tc, help_and_unknown_commands);
	tcase_add_test(tc, list_shows_exercises_and_invalid_specs);
	tcase_add_test(tc, check_runs_public_tests_in_the_submission);
	tcase_add_test(tc, findings_are_located_in_the_students_source);
	tcase_add_test(tc, report_quotes_the_source_line_of_a_finding);
	tcase_add_test(tc, leftover_files_are_a_finding);
	tcase_add_test(tc, assembled_sanitizer_hook_is_refused);
	tcase_add_test(tc, variants_in_parallel_report_as_sequential);
	tcase_add_test(tc, perturbation_shows_a_rare_race_with_its_seeds);
	tcase_add_test(tc, a_hang_is_located_in_the_students_source);
	tcase_add_test(tc, an_interrupted_grader_leaves_nothing_behind);
	tcase_add_test(tc, broken_toolchain_is_not_blamed_on_the_student);
	suite_add_tcase(s, tc);
	return s;
}
