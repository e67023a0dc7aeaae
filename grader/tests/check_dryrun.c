/*
 * check_dryrun.c - tests of dryrun.c (`grader grade --dry-run`).
 *
 * A small exercise is written into a temporary directory: a program that
 * prints its arguments, an environment variable and its stdin; tests with
 * awkward arguments (spaces, quotes, $), an environment, inline and
 * generated stdin, a repeat, variants plain and memcheck, and one test
 * whose expected output is the reference solution's. The script must
 * (1) compile with exactly the command grading records, (2) run, under sh,
 * each run with the same argv/env/stdin (the program's output in $W/stdout
 * is what the spec expects, which grading confirms by passing), (3) send
 * valgrind's report into $W/logs, (4) honour TEST... and SKIP_BUILD, and
 * (5) never run anything itself.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "buf.h"
#include "dryrun.h"
#include "grade.h"
#include "spec.h"
#include "util.h"

static const char prog_c[] =
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tint c, n = 0;\n"
	"\tconst char *foo = getenv(\"FOO\");\n"
	"\tfor (int i = 1; i < argc; i++)\n"
	"\t\tprintf(\"arg%d=[%s]\\n\", i, argv[i]);\n"
	"\tprintf(\"FOO=[%s]\\n\", foo ? foo : \"(unset)\");\n"
	"\twhile ((c = getchar()) != EOF)\n"
	"\t\tn++;\n"
	"\tprintf(\"stdin=%d\\n\", n);\n"
	"\treturn 0;\n"
	"}\n";

static const char spec_yaml[] =
	"name: dry\n"
	"title: \"Dry run\"\n"
	"build:\n"
	"  sources: [echoargs.c]\n"
	"  cflags: [-O1, \"-DWORD=a b\"]\n"
	"limits: {wall_time: 20s}\n"
	"variants: [plain, memcheck]\n"
	"tests:\n"
	"  - name: args\n"
	"    points: 2\n"
	"    args: [\"a b\", \"it's\", \"$HOME\", \"\"]\n"
	"    env: {FOO: \"x 'y' z\"}\n"
	"    stdin: \"line1\\nline2\\n\"\n"
	"    repeat: 2\n"
	"    stdout:\n"
	"      - exact: \"arg1=[a b]\\narg2=[it's]\\narg3=[$HOME]\\narg4=[]\\nFOO=[x 'y' z]\\nstdin=12\\n\"\n"
	"  - name: gen\n"
	"    points: 1\n"
	"    variants: [plain]\n"
	"    stdin: {generate: {size: 1000, seed: 3}}\n"
	"    stdout:\n"
	"      - exact: {reference: true}\n";

struct fixture {
	char *root, *ex, *sub, *inputs, *work;
	struct spec *s;
};

static void write_text(const char *path, const char *text)
{
	ck_assert_msg(write_file_atomic(path, text, strlen(text)) == 0, "%s: %s", path,
		      strerror(errno));
}

static void fixture_init(struct fixture *f)
{
	struct error e;
	char *p;

	memset(f, 0, sizeof(*f));
	f->root = make_temp_dir("dryrun-test");
	ck_assert_ptr_nonnull(f->root);
	f->ex = path_join(f->root, "ex");
	f->sub = path_join(f->root, "alice");
	f->inputs = path_join(f->root, "inputs");
	f->work = path_join(f->root, "W");
	p = path_join(f->ex, "solution");
	ck_assert_int_eq(mkdir_p(p), 0);
	free(p);
	ck_assert_int_eq(mkdir_p(f->sub), 0);
	p = path_join(f->ex, "spec.yaml");
	write_text(p, spec_yaml);
	free(p);
	p = path_join(f->ex, "solution/echoargs.c");
	write_text(p, prog_c);
	free(p);
	p = path_join(f->sub, "echoargs.c");
	write_text(p, prog_c);
	free(p);
	/* a header is copied, not compiled; a hidden file is neither */
	p = path_join(f->sub, "extra.h");
	write_text(p, "/* nothing */\n");
	free(p);
	p = path_join(f->sub, ".hidden.c");
	write_text(p, "this does not compile\n");
	free(p);
	error_init(&e);
	ck_assert_msg(spec_load(f->ex, &f->s, &e) == 0, "spec: %s", e.msg);
}

static void fixture_release(struct fixture *f)
{
	spec_free(f->s);
	rm_rf(f->root);
	free(f->root);
	free(f->ex);
	free(f->sub);
	free(f->inputs);
	free(f->work);
}

static char *script_for(struct fixture *f, const struct grade_opts *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct error e;

	error_init(&e);
	ck_assert_msg(dryrun_script(f->s, o, f->inputs, out, &e) == 0, "dryrun: %s", e.msg);
	fclose(out);
	return text;
}

/* Runs the script with sh; W is the fixture's work directory. */
static int run_script(struct fixture *f, const char *script, const char *env,
		      const char *args)
{
	char *path = path_join(f->root, "dry.sh"), *cmd;
	int st;

	write_text(path, script);
	cmd = xasprintf("cd '%s' && W='%s' %s sh '%s' %s >'%s/sh.out' 2>&1", f->root,
			f->work, env, path, args, f->root);
	st = system(cmd);
	free(cmd);
	free(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	struct buf b;
	char *out;

	buf_init(&b, 0);
	if (buf_read_file(&b, p) < 0) {
		buf_release(&b);
		free(p);
		return NULL;
	}
	free(p);
	out = buf_detach(&b, NULL);
	return out;
}

START_TEST(compile_commands_are_the_ones_grading_runs)
{
	struct fixture f;
	struct grade_opts o;
	struct grade_result *r = NULL;
	struct error e;
	char *script;
	int v, builds = 0;

	fixture_init(&f);
	memset(&o, 0, sizeof(o));
	o.submission_dir = f.sub;
	script = script_for(&f, &o);
	error_init(&e);
	ck_assert_msg(grade_submission(f.s, &o, &r, &e) == 0, "grade: %s", e.msg);
	/* grading passes: so the spec's expected outputs are what the
	 * program prints with those arguments, environment and stdin */
	ck_assert_msg(r->score == r->max_score, "score %g of %g", r->score, r->max_score);
	for (v = 0; v < VARIANT__COUNT; v++) {
		char *want;

		if (r->builds[v].ok != 1)
			continue;
		builds++;
		/* the dry run quotes what needs it; this command has one
		 * such word: "-DWORD=a b" */
		ck_assert_ptr_nonnull(strstr(r->builds[v].command, "-DWORD=a b"));
		{
			struct buf q;
			const char *p = r->builds[v].command, *hit = strstr(p, "-DWORD=a b");

			buf_init(&q, 0);
			buf_add(&q, p, (size_t)(hit - p));
			buf_adds(&q, "'-DWORD=a b'");
			buf_adds(&q, hit + strlen("-DWORD=a b"));
			want = xasprintf("exec %s) ", q.data);
			buf_release(&q);
		}
		ck_assert_msg(strstr(script, want) != NULL,
			      "the script does not compile with `%s`:\n%s", want, script);
		free(want);
	}
	/* plain, and the plain-with-debug build memcheck shares */
	ck_assert_int_ge(builds, 1);
	ck_assert_ptr_nonnull(strstr(script, "cp -- \"$SUB\"/echoargs.c \"$SUB\"/extra.h \"$W/build-plain/\""));
	ck_assert_ptr_null(strstr(script, ".hidden.c"));
	grade_result_free(r);
	free(script);
	fixture_release(&f);
}
END_TEST

START_TEST(script_runs_the_same_argv_env_and_stdin)
{
	struct fixture f;
	struct grade_opts o;
	char *script, *out, *log;
	int rc;

	fixture_init(&f);
	memset(&o, 0, sizeof(o));
	o.submission_dir = f.sub;
	script = script_for(&f, &o);
	/* writing the script ran nothing and built nothing */
	ck_assert(!is_dir(f.work));
	ck_assert_ptr_null(strstr(script, f.work));
	/* two runs of args per variant, plain and memcheck; one of gen plus
	 * the reference's */
	ck_assert_int_eq(rc = run_script(&f, script, "", "args"), 0);
	out = slurp(f.work, "stdout");
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "arg1=[a b]\narg2=[it's]\narg3=[$HOME]\narg4=[]\nFOO=[x 'y' z]\nstdin=12\n");
	free(out);
	/* the last run was memcheck's: valgrind wrote its log into $W/logs */
	log = slurp(f.root, "sh.out");
	ck_assert_msg(log && !*log, "the script printed: %s", log ? log : "(none)");
	free(log);
	{
		char *cmd = xasprintf("ls '%s/logs' | grep -q '^memcheck\\.'", f.work);

		ck_assert_msg(system(cmd) == 0, "no memcheck log in %s/logs:\n%s", f.work, script);
		free(cmd);
	}
	ck_assert_ptr_nonnull(strstr(script, "--log-file=\"$W/logs\"/memcheck.%p"));
	/* tests in the spec's order, as grading runs them */
	ck_assert_ptr_nonnull(strstr(strstr(script, "# ---- test args"), "# ---- test gen"));

	/* gen alone, reusing the builds: stdin is the generated file, and
	 * the reference ran first, from its own build */
	ck_assert_int_eq(run_script(&f, script, "SKIP_BUILD=1", "gen"), 0);
	out = slurp(f.work, "stdout");
	ck_assert_ptr_nonnull(out);
	{
		/* the generated input, written once by the dry run */
		char *in = slurp(f.inputs, "stdin-1");
		char *want;

		ck_assert_ptr_nonnull(in);
		ck_assert_uint_ge(strlen(in), 1000);
		want = xasprintf("FOO=[(unset)]\nstdin=%zu\n", strlen(in));
		ck_assert_str_eq(out, want);
		free(want);
		free(in);
	}
	free(out);
	ck_assert_ptr_nonnull(strstr(script, "\"$W/ref/build-plain/echoargs\""));
	free(script);
	fixture_release(&f);
}
END_TEST

START_TEST(variant_filter_is_honoured)
{
	struct fixture f;
	struct grade_opts o;
	char *script;

	fixture_init(&f);
	memset(&o, 0, sizeof(o));
	o.submission_dir = f.sub;
	o.variants = VARIANT_BIT(VARIANT_PLAIN);
	script = script_for(&f, &o);
	ck_assert_ptr_null(strstr(script, "valgrind"));
	ck_assert_ptr_nonnull(strstr(script, "# args [plain], 2 runs"));
	free(script);
	fixture_release(&f);
}
END_TEST

START_TEST(bad_submission_is_an_error_not_a_script)
{
	struct fixture f;
	struct grade_opts o;
	struct error e;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	fixture_init(&f);
	memset(&o, 0, sizeof(o));
	o.submission_dir = "/nonexistent/alice";
	out = open_memstream(&text, &len);
	error_init(&e);
	ck_assert_int_eq(dryrun_script(f.s, &o, f.inputs, out, &e), -1);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/alice"));
	ck_assert_uint_eq(len, 0);
	free(text);
	fixture_release(&f);
}
END_TEST

Suite *make_dryrun_suite(void)
{
	Suite *su = suite_create("dryrun");
	TCase *tc = tcase_create("dryrun");

	/* hang guard only: grading under memcheck takes a few seconds */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, compile_commands_are_the_ones_grading_runs);
	tcase_add_test(tc, script_runs_the_same_argv_env_and_stdin);
	tcase_add_test(tc, variant_filter_is_honoured);
	tcase_add_test(tc, bad_submission_is_an_error_not_a_script);
	suite_add_tcase(su, tc);
	return su;
}
