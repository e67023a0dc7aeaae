/*
 * check_spec.c - tests of spec.c: the complete example of docs/spec.md
 * parsed field by field, the defaults of a minimal spec, one invalid spec
 * per kind of mistake (data/spec/invalid/, each with its exact location and
 * the words of its message), materialising texts, and the input generator.
 *
 * Run from grader/tests/: the data paths are relative to it.
 */
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "spec.h"
#include "util.h"


#define FULL "data/spec/full"
#define INVALID "data/spec/invalid"

static struct spec *full;

static void load_full(void)
{
	struct error e;

	error_init(&e);
	if (spec_load(FULL, &full, &e) < 0) {
		char out[2048];

		error_format(&e, out, sizeof(out));
		ck_abort_msg("the full example does not load: %s", out);
	}
}

static void free_full(void)
{
	spec_free(full);
	full = NULL;
}

static struct spec *parse_text(const char *text, struct error *e)
{
	struct spec *s = NULL;

	error_init(e);
	if (spec_parse(text, strlen(text), "inline.yaml", FULL, &s, e) < 0)
		return NULL;
	return s;
}

/* ---- the complete example ---- */

START_TEST(test_full_top_level)
{
	char *dir = path_real(FULL);

	ck_assert_str_eq(full->name, "pipes");
	ck_assert_str_eq(full->title, "Pipes: a duplex parent and child");
	ck_assert_str_eq(full->version, "2.1");
	ck_assert_str_eq(full->dir, dir);
	ck_assert_ptr_nonnull(strstr(full->path, "/data/spec/full/spec.yaml"));
	ck_assert_int_eq(full->path[0], '/');
	ck_assert_uint_eq(full->variants,
			  VARIANT_BIT(VARIANT_PLAIN) | VARIANT_BIT(VARIANT_ASAN));
	ck_assert_uint_eq(full->ntests, 4);
	ck_assert_double_eq(full->max_points, 7.5);
	free(dir);
}
END_TEST

START_TEST(test_full_build)
{
	const struct spec_build *b = &full->build;

	ck_assert_uint_eq(b->nsources, 2);
	ck_assert_str_eq(b->sources[0], "duplex.c");
	ck_assert_str_eq(b->sources[1], "util.c");
	ck_assert_ptr_null(b->sources[2]);
	ck_assert_str_eq(b->program, "duplex");
	ck_assert_uint_eq(b->ncflags, 2);
	ck_assert_str_eq(b->cflags[0], "-O2");
	ck_assert_str_eq(b->cflags[1], "-DNDEBUG");
	ck_assert_uint_eq(b->nldflags, 1);
	ck_assert_str_eq(b->ldflags[0], "-lm");
	ck_assert_int_eq(b->warnings, WARNINGS_ERROR);
	ck_assert_double_eq(b->timeout_s, 90);
}
END_TEST

START_TEST(test_full_default_limits)
{
	const struct spec_limits *l = &full->limits;

	ck_assert_double_eq(l->wall_s, 5);
	ck_assert_double_eq(l->cpu_s, 5); /* = wall */
	ck_assert_int_eq(l->memory, 256LL << 20);
	ck_assert_int_eq(l->output, 16LL << 20);
	ck_assert_int_eq(l->processes, 16);
	ck_assert_int_eq(l->open_files, 64);
}
END_TEST

START_TEST(test_full_inline_test)
{
	const struct spec_test *t = &full->tests[0];
	const struct spec_check *k;

	ck_assert_str_eq(t->name, "small");
	ck_assert_double_eq(t->points, 2);
	ck_assert_int_eq(t->visibility, VIS_VISIBLE);
	ck_assert_str_eq(t->description, "Three short lines");
	ck_assert_str_eq(t->hint, "Each reply must be numbered from 1.");
	ck_assert_int_eq(t->kind, STEP_RUN);
	ck_assert_int_eq(t->line, 18);
	ck_assert_int_eq(t->col, 5);
	ck_assert_uint_eq(t->nargs, 2);
	ck_assert_str_eq(t->args[0], "a");
	ck_assert_str_eq(t->args[1], "b c");
	ck_assert_ptr_null(t->args[2]);
	ck_assert_int_eq(t->in.kind, TEXT_INLINE);
	ck_assert_uint_eq(t->in.len, 12);
	ck_assert_str_eq(t->in.text, "hello\nWorld\n");
	ck_assert_int_eq(t->in.line, 23);
	ck_assert_uint_eq(t->nenv, 2);
	ck_assert_str_eq(t->env[0], "LC_ALL=C");
	ck_assert_str_eq(t->env[1], "DEPTH=3");
	ck_assert_ptr_null(t->env[2]);
	ck_assert_int_eq(t->exit_status, 0);
	ck_assert_int_eq(t->repeat, 1);
	ck_assert_uint_eq(t->variants, full->variants);
	ck_assert_double_eq(t->limits.wall_s, 5);
	ck_assert_double_eq(t->limits.cpu_s, 5);
	ck_assert_int_eq(t->limits.memory, 256LL << 20);

	ck_assert_uint_eq(t->nchecks, 3);
	k = &t->checks[0];
	ck_assert_int_eq(k->kind, CHECK_EXACT);
	ck_assert_int_eq(k->stream, STREAM_STDOUT);
	ck_assert_int_eq(k->expected.kind, TEXT_INLINE);
	ck_assert_str_eq(k->expected.text, "1: HELLO\n2: WORLD\n");
	ck_assert_ptr_null(k->message);
	ck_assert_int_eq(k->line, 26);
	ck_assert_int_eq(k->col, 9);
	k = &t->checks[1];
	ck_assert_int_eq(k->kind, CHECK_REGEX);
	ck_assert_str_eq(k->pattern, "^parent: child exited with status 0$");
	ck_assert_str_eq(k->message, "the parent must report how the child ended");
	ck_assert_ptr_nonnull(k->re);
	/* REG_NEWLINE: ^ and $ match at every line. */
	ck_assert_int_eq(regexec(k->re, "x\nparent: child exited with status 0\ny",
				 0, NULL, 0), 0);
	ck_assert_int_ne(regexec(k->re, "parent: child exited with status 1\n",
				 0, NULL, 0), 0);
	k = &t->checks[2];
	ck_assert_int_eq(k->kind, CHECK_NOT_CONTAINS);
	ck_assert_int_eq(k->stream, STREAM_STDERR);
	ck_assert_str_eq(k->expected.text, "error");
}
END_TEST

START_TEST(test_full_file_test)
{
	const struct spec_test *t = spec_find_test(full, "from-file");
	const struct spec_check *k;
	char *in = path_join(full->dir, "data/in.txt");
	char *exp = path_join(full->dir, "data/expected.txt");

	ck_assert_ptr_eq(t, &full->tests[1]);
	ck_assert_double_eq(t->points, 1.5);
	ck_assert_int_eq(t->visibility, VIS_HIDDEN);
	ck_assert_ptr_null(t->description);
	ck_assert_ptr_null(t->hint);
	ck_assert_uint_eq(t->nargs, 0);
	ck_assert_ptr_null(t->args[0]);
	ck_assert_uint_eq(t->nenv, 0);
	ck_assert_int_eq(t->in.kind, TEXT_FILE);
	ck_assert_str_eq(t->in.path, in);
	ck_assert_int_eq(t->exit_status, 3);
	/* Own keys override, the others come from the top-level limits. */
	ck_assert_double_eq(t->limits.wall_s, 20);
	ck_assert_double_eq(t->limits.cpu_s, 20);
	ck_assert_int_eq(t->limits.processes, 4);
	ck_assert_int_eq(t->limits.memory, 256LL << 20);
	ck_assert_int_eq(t->limits.open_files, 64);

	ck_assert_uint_eq(t->nchecks, 8);
	k = t->checks;
	ck_assert_int_eq(k[0].kind, CHECK_TRAILING_WS);
	ck_assert_int_eq(k[0].expected.kind, TEXT_FILE);
	ck_assert_str_eq(k[0].expected.path, exp);
	ck_assert_int_eq(k[1].kind, CHECK_CONTAINS);
	ck_assert_int_eq(k[2].kind, CHECK_ANY_ORDER);
	ck_assert_int_eq(k[3].kind, CHECK_MULTISET);
	ck_assert_str_eq(k[3].expected.text, "b\na\na\n");
	ck_assert_int_eq(k[4].kind, CHECK_NUMBERS);
	ck_assert_double_eq(k[4].abs_tol, 0.001);
	ck_assert_double_eq(k[4].rel_tol, 0.01);
	ck_assert_int_eq(k[5].kind, CHECK_NUMBERS);
	ck_assert_double_eq(k[5].abs_tol, 1e-9);
	ck_assert_double_eq(k[5].rel_tol, 0);
	ck_assert_int_eq(k[6].kind, CHECK_LINE_COUNT);
	ck_assert_int_eq(k[6].count, 3);
	ck_assert_int_eq(k[7].kind, CHECK_LAST_LINE);
	ck_assert_str_eq(k[7].expected.text, "parent: child exited with status 0");
	free(in);
	free(exp);
}
END_TEST

START_TEST(test_full_generated_test)
{
	const struct spec_test *t = &full->tests[2];

	ck_assert_str_eq(t->name, "big.input_1");
	ck_assert_double_eq(t->points, 0);
	ck_assert_int_eq(t->visibility, VIS_AFTER_DUE_DATE);
	ck_assert_int_eq(t->in.kind, TEXT_GENERATE);
	ck_assert_int_eq(t->in.gen.size, 8LL << 20);
	ck_assert_int_eq(t->in.gen.lines, 0);
	ck_assert_int_eq(t->in.gen.seed, 7);
	ck_assert_int_eq(t->in.gen.min_len, 0);
	ck_assert_int_eq(t->in.gen.max_len, 200);
	ck_assert_int_eq(t->in.gen.final_newline, 1);
	ck_assert_int_eq(t->exit_status, -1);
	ck_assert_int_eq(t->repeat, 3);
	ck_assert_uint_eq(t->variants,
			  VARIANT_BIT(VARIANT_MEMCHECK) | VARIANT_BIT(VARIANT_HELGRIND) |
				  VARIANT_BIT(VARIANT_DRD) | VARIANT_BIT(VARIANT_TSAN));
	ck_assert_uint_eq(t->nchecks, 2);
	ck_assert_int_eq(t->checks[0].expected.kind, TEXT_REFERENCE);
	ck_assert_int_eq(t->checks[1].kind, CHECK_LINE_COUNT);
	ck_assert_int_eq(t->checks[1].stream, STREAM_STDERR);
	ck_assert_int_eq(t->checks[1].count, 0);
	/* cpu_time set alone: the wall time stays the spec's. */
	ck_assert_double_eq(t->limits.cpu_s, 60);
	ck_assert_double_eq(t->limits.wall_s, 5);
	ck_assert_int_eq(t->limits.memory, 1LL << 30);
	ck_assert_int_eq(t->limits.output, 64 << 10);
	ck_assert_int_eq(t->limits.open_files, 32);
	ck_assert_int_eq(t->limits.processes, 16);
}
END_TEST

START_TEST(test_full_lines_test)
{
	const struct spec_test *t = &full->tests[3];

	ck_assert_str_eq(t->name, "lines");
	ck_assert_int_eq(t->in.kind, TEXT_GENERATE);
	ck_assert_int_eq(t->in.gen.lines, 100);
	ck_assert_int_eq(t->in.gen.size, 0);
	ck_assert_int_eq(t->in.gen.min_len, 5);
	ck_assert_int_eq(t->in.gen.max_len, 10);
	ck_assert_int_eq(t->in.gen.seed, 1);
	ck_assert_int_eq(t->in.gen.final_newline, 0);
	ck_assert_uint_eq(t->nchecks, 0);
	ck_assert_uint_eq(t->variants, full->variants);
}
END_TEST

START_TEST(test_docs_example_is_the_full_spec)
{
	/* docs/spec.md promises that its complete example is this file. */
	struct buf doc, data;
	const char *start, *end;

	buf_init(&doc, 0);
	buf_init(&data, 0);
	ck_assert_int_eq(buf_read_file(&doc, "../../docs/spec.md"), 0);
	ck_assert_int_eq(buf_read_file(&data, FULL "/spec.yaml"), 0);
	start = strstr(doc.data, "## A complete example");
	ck_assert_ptr_nonnull(start);
	start = strstr(start, "```yaml\n");
	ck_assert_ptr_nonnull(start);
	start += 8;
	end = strstr(start, "```\n");
	ck_assert_ptr_nonnull(end);
	ck_assert_uint_eq((size_t)(end - start), data.len);
	ck_assert_int_eq(memcmp(start, data.data, data.len), 0);
	buf_release(&doc);
	buf_release(&data);
}
END_TEST

/* ---- defaults ---- */

START_TEST(test_minimal_defaults)
{
	struct spec *s = NULL;
	struct error e;
	const struct spec_test *t;

	error_init(&e);
	ck_assert_int_eq(spec_load("data/spec/minimal", &s, &e), 0);
	ck_assert_str_eq(s->version, "1");
	ck_assert_uint_eq(s->variants, VARIANT_BIT(VARIANT_PLAIN));
	ck_assert_uint_eq(s->build.nsources, 1);
	ck_assert_str_eq(s->build.program, "hello");
	ck_assert_uint_eq(s->build.ncflags, 0);
	ck_assert_ptr_null(s->build.cflags[0]);
	ck_assert_ptr_null(s->build.ldflags[0]);
	ck_assert_int_eq(s->build.warnings, WARNINGS_LIST);
	ck_assert_double_eq(s->build.timeout_s, 60);
	ck_assert_double_eq(s->limits.wall_s, 10);
	ck_assert_double_eq(s->limits.cpu_s, 10);
	ck_assert_int_eq(s->limits.memory, 512LL << 20);
	ck_assert_int_eq(s->limits.output, 8LL << 20);
	ck_assert_int_eq(s->limits.processes, 64);
	ck_assert_int_eq(s->limits.open_files, 256);
	ck_assert_int_eq(s->limits.disk, 256LL << 20);
	ck_assert_int_eq(s->limits.inodes, 16384);
	t = &s->tests[0];
	ck_assert_int_eq(t->visibility, VIS_VISIBLE);
	ck_assert_int_eq(t->in.kind, TEXT_NONE);
	ck_assert_int_eq(t->exit_status, 0);
	ck_assert_int_eq(t->repeat, 1);
	ck_assert_uint_eq(t->variants, VARIANT_BIT(VARIANT_PLAIN));
	ck_assert_ptr_null(t->args[0]);
	ck_assert_ptr_null(t->env[0]);
	ck_assert_uint_eq(t->nchecks, 0);
	ck_assert_double_eq(t->limits.wall_s, 10);
	ck_assert_double_eq(t->limits.cpu_s, 10);
	ck_assert_int_eq(t->limits.open_files, 256);
	ck_assert_double_eq(s->max_points, 1);
	spec_free(s);
}
END_TEST

/* limits.disk and limits.inodes (the working directory's tmpfs): the top
 * level sets them, a test overrides one, bad values are located. */
START_TEST(test_disk_limits)
{
	struct error e;
	struct spec *s = parse_text("name: x\ntitle: X\nbuild: {sources: [x.c]}\n"
				    "limits: {disk: 16M, inodes: 4096}\n"
				    "tests:\n"
				    "  - {name: a, points: 1}\n"
				    "  - {name: b, points: 1, limits: {disk: 1G}}\n",
				    &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(s->tests[0].limits.disk, 16LL << 20);
	ck_assert_int_eq(s->tests[0].limits.inodes, 4096);
	ck_assert_int_eq(s->tests[1].limits.disk, 1LL << 30);
	ck_assert_int_eq(s->tests[1].limits.inodes, 4096);
	spec_free(s);

	s = parse_text("name: x\ntitle: X\nbuild: {sources: [x.c]}\n"
		       "limits: {disk: 4K}\ntests:\n  - {name: a, points: 1}\n", &e);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(e.line, 4);
	ck_assert_ptr_nonnull(strstr(e.msg, "limits.disk: must be at least 64K"));
	s = parse_text("name: x\ntitle: X\nbuild: {sources: [x.c]}\n"
		       "limits: {inodes: 3}\ntests:\n  - {name: a, points: 1}\n", &e);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(e.msg, "limits.inodes"));
	ck_assert_ptr_nonnull(strstr(e.msg, "got 3"));
}
END_TEST

/* leftover_files: the top level sets the default, a test overrides it. */
START_TEST(test_leftover_files_default_and_override)
{
	static const char text[] =
		"name: x\ntitle: X\nbuild: {sources: [x.c]}\n"
		"leftover_files: forbid\n"
		"tests:\n"
		"  - {name: a, points: 1}\n"
		"  - {name: b, points: 1, leftover_files: allow}\n";
	struct error e;
	struct spec *s = parse_text(text, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(s->tests[0].forbid_leftover_files, 1);
	ck_assert_int_eq(s->tests[1].forbid_leftover_files, 0);
	spec_free(s);
	s = parse_text("name: x\ntitle: X\nbuild: {sources: [x.c]}\n"
		       "tests: [{name: a, points: 1}]\n", &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(s->tests[0].forbid_leftover_files, 0);
	spec_free(s);
}
END_TEST

/* bonus: a test's points add to the score, not to the maximum. */
START_TEST(test_bonus_not_in_max_points)
{
	struct error e;
	struct spec *s = parse_text("name: x\ntitle: X\nbuild: {sources: [x.c]}\n"
				    "tests:\n"
				    "  - {name: a, points: 3}\n"
				    "  - {name: b, points: 2, bonus: true}\n", &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(s->tests[0].bonus, 0);
	ck_assert_int_eq(s->tests[1].bonus, 1);
	ck_assert_double_eq(s->max_points, 3);
	spec_free(s);
}
END_TEST

/* perturb: true takes the defaults; a mapping sets them. */
START_TEST(test_perturb_defaults)
{
	static const char text[] =
		"name: x\ntitle: X\nbuild: {sources: [x.c]}\n"
		"tests:\n"
		"  - {name: a, points: 1, perturb: true}\n"
		"  - {name: b, points: 1, perturb: {seed: 9, sleep_us: 5}}\n"
		"  - {name: c, points: 1}\n";
	struct error e;
	struct spec *s = parse_text(text, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(s->tests[0].perturb, 1);
	ck_assert_double_eq(s->tests[0].perturb_rate, 0.05);
	ck_assert_int_eq(s->tests[0].perturb_seed, 1);
	ck_assert_int_eq(s->tests[0].perturb_sleep_us, 100);
	ck_assert_int_eq(s->tests[1].perturb, 1);
	ck_assert_int_eq(s->tests[1].perturb_seed, 9);
	ck_assert_int_eq(s->tests[1].perturb_sleep_us, 5);
	ck_assert_int_eq(s->tests[2].perturb, 0);
	spec_free(s);
}
END_TEST

START_TEST(test_cpu_follows_test_wall)
{
	static const char text[] =
		"name: x\ntitle: X\nbuild: {sources: [x.c]}\n"
		"limits: {wall_time: 2}\n"
		"tests:\n"
		"  - {name: a, points: 1, limits: {wall_time: 7}}\n"
		"  - {name: b, points: 1}\n";
	struct error e;
	struct spec *s = parse_text(text, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_double_eq(s->tests[0].limits.wall_s, 7);
	ck_assert_double_eq(s->tests[0].limits.cpu_s, 7);
	ck_assert_double_eq(s->tests[1].limits.cpu_s, 2);
	ck_assert_double_eq(s->limits.cpu_s, 2);
	spec_free(s);
}
END_TEST

START_TEST(test_inline_text_edge_cases)
{
	static const char text[] =
		"name: x\ntitle: X\nversion: 3\nbuild: {sources: x.c}\n"
		"tests:\n"
		"  - name: a\n    points: 1\n    stdin: \"\"\n"
		"  - name: b\n    points: 1\n    stdin: \"a\\0b\"\n"
		"  - name: c\n    points: 1\n    stdin: 42\n    variants: tsan\n";
	struct error e;
	struct spec *s = parse_text(text, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_str_eq(s->version, "3");
	ck_assert_str_eq(s->build.program, "x");
	ck_assert_int_eq(s->tests[0].in.kind, TEXT_INLINE);
	ck_assert_uint_eq(s->tests[0].in.len, 0);
	ck_assert_uint_eq(s->tests[1].in.len, 3);
	ck_assert_int_eq(memcmp(s->tests[1].in.text, "a\0b", 3), 0);
	ck_assert_str_eq(s->tests[2].in.text, "42");
	ck_assert_uint_eq(s->tests[2].variants, VARIANT_BIT(VARIANT_TSAN));
	spec_free(s);
}
END_TEST

START_TEST(test_load_missing_spec_names_path)
{
	struct spec *s = (struct spec *)1;
	struct error e;
	char out[2048];

	error_init(&e);
	ck_assert_int_eq(spec_load("data/spec/nowhere", &s, &e), -1);
	ck_assert_ptr_null(s);
	error_format(&e, out, sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, "data/spec/nowhere/spec.yaml"));
	ck_assert_ptr_nonnull(strstr(out, "No such file"));
}
END_TEST

START_TEST(test_parse_bad_dir)
{
	struct spec *s = NULL;
	struct error e;
	static const char text[] = "name: x\n";

	error_init(&e);
	ck_assert_int_eq(spec_parse(text, strlen(text), "x.yaml", "no/such/dir", &s, &e), -1);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(e.msg, "no/such/dir"));
}
END_TEST

START_TEST(test_find_test)
{
	ck_assert_ptr_eq(spec_find_test(full, "small"), &full->tests[0]);
	ck_assert_ptr_eq(spec_find_test(full, "lines"), &full->tests[3]);
	ck_assert_ptr_null(spec_find_test(full, "smal"));
}
END_TEST

START_TEST(test_enum_names)
{
	enum variant v;
	int i;

	ck_assert_str_eq(visibility_name(VIS_VISIBLE), "visible");
	ck_assert_str_eq(visibility_name(VIS_HIDDEN), "hidden");
	ck_assert_str_eq(visibility_name(VIS_AFTER_DUE_DATE), "after_due_date");
	for (i = 0; i < VARIANT__COUNT; i++) {
		ck_assert_int_eq(variant_parse(variant_name((enum variant)i), &v), 0);
		ck_assert_int_eq(v, i);
	}
	ck_assert_str_eq(variant_name(VARIANT_MEMCHECK), "memcheck");
	ck_assert_int_eq(variant_parse("valgrind", &v), -1);
	ck_assert_int_eq(variant_parse("", &v), -1);
	ck_assert_str_eq(check_kind_name(CHECK_EXACT), "exact");
	ck_assert_str_eq(check_kind_name(CHECK_TRAILING_WS), "trailing_ws");
	ck_assert_str_eq(check_kind_name(CHECK_NOT_CONTAINS), "not_contains");
	ck_assert_str_eq(check_kind_name(CHECK_LAST_LINE), "last_line");
	for (i = 0; i < CHECK__COUNT; i++)
		ck_assert_ptr_nonnull(check_kind_name((enum check_kind)i));
}
END_TEST

START_TEST(test_every_check_kind_parses)
{
	/* Each kind written as the key check_kind_name() gives comes back as
	 * that kind: the table and the enum agree. */
	struct buf b;
	struct error e;
	struct spec *s;
	int i;

	buf_init(&b, 0);
	buf_adds(&b, "name: x\ntitle: X\nbuild: {sources: [x.c]}\ntests:\n"
		     "  - name: t\n    points: 1\n    stdout:\n");
	for (i = 0; i < CHECK__COUNT; i++) {
		static const char *const trace_value[] = {
			[CHECK_EXACTLY_ONCE] = "{item: x}",
			[CHECK_INSIDE] = "{enter: a, leave: b, max: 1}",
			[CHECK_ORDER_PER_KEY] = "{events: ['(a)', '(b)']}",
			[CHECK_COMPUTED] = "{match: '(a)', value: 1}",
		};
		const char *v = i == CHECK_LINE_COUNT ? "2" : "'a'";

		if (i < (int)(sizeof(trace_value) / sizeof(trace_value[0])) &&
		    trace_value[i])
			v = trace_value[i];
		buf_addf(&b, "      - %s: %s\n", check_kind_name((enum check_kind)i), v);
	}
	error_init(&e);
	ck_assert_msg(spec_parse(b.data, b.len, "k.yaml", FULL, &s, &e) == 0,
		      "%s", e.msg);
	ck_assert_uint_eq(s->tests[0].nchecks, CHECK__COUNT);
	for (i = 0; i < CHECK__COUNT; i++)
		ck_assert_int_eq(s->tests[0].checks[i].kind, i);
	spec_free(s);
	buf_release(&b);
}
END_TEST


/* ---- checks over event traces ---- */

START_TEST(test_trace_checks_evaluated)
{
	/* every expression is a number once loaded: $k are the test's
	 * arguments, vars bind in order, ranges are inclusive */
	static const char text[] =
	    "name: x\ntitle: X\nbuild: {sources: [x.c]}\ntests:\n"
	    "  - name: t\n    points: 1\n    args: [4, '3', 200000, -2]\n"
	    "    stdout:\n"
	    "      - exactly_once:\n"
	    "          item: '{w} {p}:{i}'\n"
	    "          for: {w: [enter, leave], p: '0..P-1', i: '$4..N'}\n"
	    "          vars: {P: $1, N: P - $2}\n"
	    "          match: '^c[0-9]+ (.*)$'\n"
	    "      - inside: {enter: '^in (.*)', leave: '^out (.*)', max: '$2 * 2', reach: true}\n"
	    "      - order_per_key: {events: ['^a(.)', '^b(.)', '^c(.)'], cycle: yes, complete: no}\n"
	    "      - computed: {match: '^t (.*) (.*)$', values: ['$1*$3*($3-1)/2', '-7 % 4']}\n";
	const struct spec_trace *tr;
	struct error e;
	struct spec *s = parse_text(text, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_uint_eq(s->tests[0].nchecks, 4);
	tr = s->tests[0].checks[0].trace;
	ck_assert_int_eq(s->tests[0].checks[0].kind, CHECK_EXACTLY_ONCE);
	ck_assert_str_eq(tr->item, "{w} {p}:{i}");
	ck_assert_uint_eq(tr->ntvars, 3);
	ck_assert_str_eq(tr->tvars[0].name, "w");
	ck_assert_uint_eq(tr->tvars[0].nwords, 2);
	ck_assert_str_eq(tr->tvars[0].words[1], "leave");
	ck_assert_int_eq(tr->tvars[1].lo, 0);
	ck_assert_int_eq(tr->tvars[1].hi, 3);
	ck_assert_int_eq(tr->tvars[2].lo, -2);
	ck_assert_int_eq(tr->tvars[2].hi, 1);
	ck_assert_int_eq(tr->nitems, 2 * 4 * 4);
	ck_assert_uint_eq(tr->npats, 1);
	ck_assert_str_eq(tr->pats[0].src, "^c[0-9]+ (.*)$");
	tr = s->tests[0].checks[1].trace;
	ck_assert_int_eq(tr->max, 6);
	ck_assert_int_eq(tr->reach, 1);
	ck_assert_uint_eq(tr->npats, 2);
	tr = s->tests[0].checks[2].trace;
	ck_assert_uint_eq(tr->npats, 3);
	ck_assert_int_eq(tr->cycle, 1);
	ck_assert_int_eq(tr->complete, 0);
	tr = s->tests[0].checks[3].trace;
	ck_assert_uint_eq(tr->nvalues, 2);
	ck_assert_int_eq(tr->values[0], 4LL * 200000 * 199999 / 2);
	ck_assert_int_eq(tr->values[1], -3);
	ck_assert_str_eq(tr->exprs[0], "$1*$3*($3-1)/2");
	spec_free(s);
}
END_TEST

START_TEST(test_trace_defaults)
{
	static const char text[] =
	    "name: x\ntitle: X\nbuild: {sources: [x.c]}\ntests:\n"
	    "  - name: t\n    points: 1\n    stdout:\n"
	    "      - exactly_once: {item: only}\n"
	    "      - inside: {enter: a, leave: b, max: 0}\n"
	    "      - order_per_key: {events: ['(a)', '(b)']}\n";
	const struct spec_trace *tr;
	struct error e;
	struct spec *s = parse_text(text, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	tr = s->tests[0].checks[0].trace;
	ck_assert_int_eq(tr->nitems, 1);   /* no `for`: the item itself */
	ck_assert_uint_eq(tr->npats, 0);   /* no `match`: every line */
	tr = s->tests[0].checks[1].trace;
	ck_assert_int_eq(tr->reach, 0);
	tr = s->tests[0].checks[2].trace;
	ck_assert_int_eq(tr->cycle, 0);
	ck_assert_int_eq(tr->complete, 1);
	spec_free(s);
}
END_TEST

/* ---- invalid specs: one file per kind of mistake ---- */

struct invalid {
	const char *file;
	int line, col;
	const char *words[3];
};

static const struct invalid invalid[] = {
	{ "syntax.yaml", 7, 14, { "mapping values are not allowed" } },
	{ "leftover_files_value.yaml", 8, 21, { "tests[0].leftover_files", "'never'", "allow, forbid" } },
	{ "perturb_rate.yaml", 8, 21, { "tests[0].perturb.rate", "(0, 1]", "1.5" } },
	{ "perturb_drd.yaml", 9, 14, { "tests[0].perturb", "not supported under drd" } },
	{ "unclosed_quote.yaml", 8, 1, { "unexpected end of stream", "line 6, column 11" } },
	{ "duplicate_key.yaml", 8, 5, { "duplicate key 'name'", "line 6, column 5" } },
	{ "anchor.yaml", 6, 5, { "anchors (&first)", "not allowed" } },
	{ "alias.yaml", 8, 5, { "aliases (*t)", "not allowed" } },
	{ "tag.yaml", 7, 13, { "tags (!!int)", "not allowed" } },
	{ "two_documents.yaml", 8, 1, { "second YAML document" } },
	{ "empty.yaml", 1, 1, { "missing required key 'name'" } },
	{ "unknown_top_key.yaml", 5, 1, { "unknown key 'tset' in spec", "did you mean 'tests'", "expected one of: name, title, version, build, limits, variants, tests" } },
	{ "missing_tests.yaml", 1, 1, { "missing required key 'tests'" } },
	{ "bad_spec_name.yaml", 1, 7, { "name:", "invalid name 'Pipes'", "a-z, 0-9" } },
	{ "tests_not_list.yaml", 6, 3, { "tests:", "expected a list", "got a mapping" } },
	{ "tests_empty.yaml", 5, 8, { "tests:", "at least one test" } },
	{ "top_variants_empty.yaml", 5, 11, { "variants:", "at least one variant" } },
	{ "build_missing_sources.yaml", 4, 3, { "build:", "missing required key 'sources'" } },
	{ "build_source_path.yaml", 4, 19, { "build.sources[1]", "'src/x.c' is not a source file name", "top directory" } },
	{ "build_no_program.yaml", 4, 12, { "'types.h'", "does not end in .c", "build.program" } },
	{ "build_warnings.yaml", 5, 13, { "build.warnings", "'fatal'", "list, error, ignore" } },
	{ "build_timeout.yaml", 5, 12, { "build.timeout", "expected a duration", "got 'soon'" } },
	{ "limits_unknown_key.yaml", 6, 3, { "unknown key 'wall' in limits", "wall_time, cpu_time, memory, output, processes, open_files, disk, inodes" } },
	{ "limits_bad_duration.yaml", 6, 14, { "limits.wall_time", "expected a duration", "got 'fast'" } },
	{ "limits_bad_size.yaml", 8, 22, { "tests[0].limits.memory", "expected a size", "got 'lots'" } },
	{ "limits_processes_zero.yaml", 9, 18, { "tests[0].limits.processes", "1..65536", "got 0" } },
	{ "unknown_test_key.yaml", 8, 5, { "unknown key 'stdot' in tests[0]", "did you mean 'stdout'", "args, stdin, env, exit" } },
	{ "missing_points.yaml", 8, 5, { "tests[1]", "missing required key 'points'" } },
	{ "points_not_number.yaml", 11, 13, { "tests[2].points: expected a number, got 'many'" } },
	{ "negative_points.yaml", 7, 13, { "tests[0].points", ">= 0", "got -1" } },
	{ "duplicate_test.yaml", 8, 11, { "duplicate test name 't'", "line 6" } },
	{ "bad_test_name.yaml", 6, 11, { "tests[0].name", "invalid name 'two words'" } },
	{ "unknown_type.yaml", 8, 11, { "unknown test type 'telnet'", "(expected: run, server" } },
	{ "unknown_visibility.yaml", 8, 17, { "unknown visibility 'secret'", "visible, hidden, after_due_date" } },
	{ "unknown_variant.yaml", 8, 23, { "tests[0].variants[1]", "unknown variant 'valgrind'", "plain, asan, tsan, memcheck, helgrind, drd" } },
	{ "duplicate_variant.yaml", 8, 22, { "variant 'asan'", "listed twice" } },
	{ "exit_range.yaml", 8, 11, { "tests[0].exit", "0..255", "got 256" } },
	{ "exit_word.yaml", 8, 11, { "tests[0].exit", "0..255 or 'any'", "got 'zero'" } },
	{ "repeat_zero.yaml", 8, 13, { "tests[0].repeat", "got 0" } },
	{ "env_bad_name.yaml", 8, 22, { "tests[0].env", "'1X'", "digit" } },
	{ "args_not_list.yaml", 8, 11, { "tests[0].args", "expected a list", "got a mapping" } },
	{ "stdin_reference.yaml", 8, 13, { "tests[0].stdin", "{reference: true}", "not allowed for stdin" } },
	{ "stdin_absolute.yaml", 8, 19, { "tests[0].stdin.file", "'/etc/passwd'", "absolute" } },
	{ "stdin_dotdot.yaml", 9, 13, { "tests[0].stdin.file", "'data/../../spec.yaml'", "'..'" } },
	{ "stdin_missing_file.yaml", 9, 7, { "tests[0].stdin.file", "'data/nothere.txt' not found", "/data/spec/full/data/nothere.txt" } },
	{ "stdin_two_sources.yaml", 8, 32, { "tests[0].stdin", "only one of 'file' and 'generate'" } },
	{ "generate_size_and_lines.yaml", 8, 41, { "tests[0].stdin.generate", "either size or lines" } },
	{ "generate_min_gt_max.yaml", 11, 18, { "tests[0].stdin.generate", "min_len (50) is greater than max_len (10)" } },
	{ "generate_quoted_bool.yaml", 8, 49, { "final_newline", "true or false", "without quotes" } },
	{ "reference_false.yaml", 9, 28, { "tests[0].stdout[0].exact.reference", "only `true`" } },
	{ "check_no_kind.yaml", 9, 9, { "tests[0].stdout[0]", "a check needs one of: exact, trailing_ws, regex" } },
	{ "check_two_kinds.yaml", 10, 9, { "tests[0].stdout[0]", "two ('exact' and 'regex')" } },
	{ "check_abs_tol.yaml", 10, 9, { "'abs_tol' only applies to a numbers check", "not to exact" } },
	{ "check_bad_regex.yaml", 10, 16, { "tests[0].stderr[1].regex", "invalid regular expression", "Unmatched (" } },
	{ "check_unknown_kind.yaml", 9, 9, { "unknown key 'equals' in tests[0].stdout[0]", "exact, trailing_ws" } },
	{ "check_line_count.yaml", 9, 21, { "tests[0].stdout[0].line_count", "expected an integer", "got 'three'" } },
	{ "check_generate.yaml", 9, 17, { "unknown key 'generate'", "expected one of: file, reference" } },
	{ "check_not_map.yaml", 9, 9, { "tests[0].stdout[0]", "expected a mapping", "got 'exact'" } },
	{ "trace_arg_not_number.yaml", 10, 51, { "computed.value", "$1 is the argument 'many', not an integer" } },
	{ "trace_missing_arg.yaml", 10, 67, { "inside.vars.K", "$3: the test has 2 arguments" } },
	{ "trace_div_zero.yaml", 10, 53, { "computed.value", "division by zero", "'P / (P - 4)'" } },
	{ "trace_overflow.yaml", 12, 19, { "computed.value", "overflow: the product does not fit in 64 bits" } },
	{ "trace_unknown_name.yaml", 10, 53, { "inside.max", "unknown name 'Q'" } },
	{ "trace_expr_syntax.yaml", 10, 55, { "computed.value", "missing ')'" } },
	{ "trace_template_var.yaml", 10, 30, { "exactly_once.item", "'{x}' is not a variable of `for`" } },
	{ "trace_unused_var.yaml", 10, 30, { "exactly_once.item", "the variable 'i' of `for` is not used" } },
	{ "trace_bad_range.yaml", 12, 20, { "exactly_once.for.p", "expected a range \"FIRST..LAST\"" } },
	{ "trace_too_many_items.yaml", 10, 46, { "exactly_once.for", "more than 4000000 items" } },
	{ "trace_computed_groups.yaml", 10, 51, { "tests[0].stdout[0].computed", "2 values for 1 capture group" } },
	{ "trace_computed_ten_groups.yaml", 10, 18, { "computed.match", "at most 9 capture groups" } },
	{ "trace_order_no_group.yaml", 10, 40, { "order_per_key.events[1]", "needs 1 capture group" } },
	{ "trace_not_map.yaml", 9, 17, { "tests[0].stdout[0].inside", "expected a mapping", "got '3'" } },
	{ "trace_missing_key.yaml", 9, 17, { "tests[0].stdout[0].inside", "missing required key 'max'" } },
};

#define NINVALID ((int)(sizeof(invalid) / sizeof(invalid[0])))

START_TEST(test_invalid_spec)
{
	const struct invalid *c = &invalid[_i];
	char path[256], prefix[300], out[2048];
	struct spec *s = (struct spec *)1;
	struct error e;
	struct buf b;
	size_t w;

	snprintf(path, sizeof(path), "%s/%s", INVALID, c->file);
	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, path) == 0, "cannot read %s", path);
	error_init(&e);
	ck_assert_msg(spec_parse(b.data, b.len, path, FULL, &s, &e) == -1,
		      "%s was accepted", c->file);
	ck_assert_ptr_null(s);
	error_format(&e, out, sizeof(out));
	snprintf(prefix, sizeof(prefix), "%s:%d:%d: ", path, c->line, c->col);
	ck_assert_msg(!strncmp(out, prefix, strlen(prefix)),
		      "%s: got '%s', expected it to start with '%s'", c->file,
		      out, prefix);
	for (w = 0; w < 3 && c->words[w]; w++)
		ck_assert_msg(strstr(e.msg, c->words[w]), "%s: '%s' not in '%s'",
			      c->file, c->words[w], e.msg);
	buf_release(&b);
}
END_TEST

START_TEST(test_every_invalid_file_is_tested)
{
	/* A new file in data/spec/invalid/ must get a row in the table. */
	DIR *d = opendir(INVALID);
	struct dirent *de;
	int n = 0, i, found;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		for (i = 0, found = 0; i < NINVALID; i++)
			found |= !strcmp(invalid[i].file, de->d_name);
		ck_assert_msg(found, "%s has no row in invalid[]", de->d_name);
	}
	closedir(d);
	ck_assert_int_eq(n, NINVALID);
}
END_TEST

/* ---- materialising texts ---- */

START_TEST(test_materialize_inline_and_none)
{
	struct spec_text t;
	struct error e;
	char *data;
	size_t len;

	memset(&t, 0, sizeof(t));
	error_init(&e);
	ck_assert_int_eq(spec_text_materialize(&t, &data, &len, &e), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(data, "");
	free(data);
	t.kind = TEXT_INLINE;
	t.text = "a\0b";
	t.len = 3;
	ck_assert_int_eq(spec_text_materialize(&t, &data, &len, &e), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(data, "a\0b", 4), 0);
	ck_assert_ptr_ne(data, t.text);
	free(data);
}
END_TEST

START_TEST(test_materialize_file)
{
	const struct spec_text *t = &full->tests[1].in;
	struct error e;
	char *data;
	size_t len;

	error_init(&e);
	ck_assert_int_eq(spec_text_materialize(t, &data, &len, &e), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_str_eq(data, "one\ntwo\n");
	free(data);
}
END_TEST

START_TEST(test_materialize_missing_file)
{
	struct spec_text t;
	struct error e;
	char *data = (char *)1;
	size_t len;

	memset(&t, 0, sizeof(t));
	t.kind = TEXT_FILE;
	t.path = "/nonexistent/grader/in.txt";
	error_init(&e);
	ck_assert_int_eq(spec_text_materialize(&t, &data, &len, &e), -1);
	ck_assert_ptr_null(data);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/grader/in.txt"));
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
}
END_TEST

START_TEST(test_materialize_reference_is_callers_job)
{
	struct spec_text t;
	struct error e;
	char *data;
	size_t len;

	memset(&t, 0, sizeof(t));
	t.kind = TEXT_REFERENCE;
	error_init(&e);
	ck_assert_int_eq(spec_text_materialize(&t, &data, &len, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "reference"));
}
END_TEST

/* ---- the generator ---- */

static struct spec_text gen_text(long long size, long long lines, int min,
				 int max, unsigned long long seed, int final_nl)
{
	struct spec_text t;

	memset(&t, 0, sizeof(t));
	t.kind = TEXT_GENERATE;
	t.gen.size = size;
	t.gen.lines = lines;
	t.gen.min_len = min;
	t.gen.max_len = max;
	t.gen.seed = seed;
	t.gen.final_newline = final_nl;
	return t;
}

static char *gen(const struct spec_text *t, size_t *len)
{
	struct error e;
	char *data;

	error_init(&e);
	ck_assert_int_eq(spec_text_materialize(t, &data, len, &e), 0);
	return data;
}

START_TEST(test_generate_deterministic)
{
	struct spec_text t = gen_text(100000, 0, 0, 80, 7, 1);
	size_t la, lb;
	char *a = gen(&t, &la), *b = gen(&t, &lb);

	ck_assert_uint_eq(la, lb);
	ck_assert_int_eq(memcmp(a, b, la), 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_generate_seed_matters)
{
	struct spec_text t1 = gen_text(10000, 0, 0, 80, 1, 1);
	struct spec_text t2 = gen_text(10000, 0, 0, 80, 2, 1);
	size_t la, lb;
	char *a = gen(&t1, &la), *b = gen(&t2, &lb);

	ck_assert(la != lb || memcmp(a, b, la) != 0);
	ck_assert(memcmp(a, b, 64) != 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_generate_known_bytes)
{
	/* The algorithm is part of the format (docs/spec.md): these bytes
	 * must never change, or every exercise's generated input does. */
	struct spec_text t = gen_text(0, 2, 8, 8, 1, 1);
	size_t len;
	char *a = gen(&t, &len);

	ck_assert_uint_eq(len, 18);
	ck_assert_str_eq(a, "Ea?\"fp`\\\nxG[SJ4@M\n");
	free(a);
	t = gen_text(0, 3, 0, 20, 1, 1);
	a = gen(&t, &len);
	ck_assert_str_eq(a, "Ea?\"fp`\\}4^\nmU<`J3NJU\n&f!4Qa`d3po{;+d K1\n");
	free(a);
}
END_TEST

START_TEST(test_generate_size_within_one_line)
{
	static const long long sizes[] = { 1, 1000, 65536, 1 << 20 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct spec_text t = gen_text(sizes[i], 0, 0, 200, 42 + i, 1);
		size_t len;
		char *a = gen(&t, &len);

		ck_assert_int_ge((long long)len, sizes[i]);
		ck_assert_int_le((long long)len, sizes[i] + 200);
		ck_assert_int_eq(a[len - 1], '\n');
		free(a);
	}
}
END_TEST

START_TEST(test_generate_line_lengths_and_charset)
{
	struct spec_text t = gen_text(200000, 0, 5, 12, 3, 1);
	size_t len, i, start = 0, shortest = SIZE_MAX, longest = 0;
	char *a = gen(&t, &len);

	for (i = 0; i < len; i++) {
		if (a[i] == '\n') {
			size_t l = i - start;

			shortest = l < shortest ? l : shortest;
			longest = l > longest ? l : longest;
			start = i + 1;
			continue;
		}
		ck_assert_msg(a[i] >= 0x20 && a[i] <= 0x7e, "byte %zu is %d", i, a[i]);
	}
	ck_assert_uint_eq(start, len);
	/* With ~20000 lines every length of the range shows up. */
	ck_assert_uint_eq(shortest, 5);
	ck_assert_uint_eq(longest, 12);
	free(a);
}
END_TEST

START_TEST(test_generate_lines_and_final_newline)
{
	struct spec_text t = gen_text(0, 100, 0, 10, 9, 1);
	size_t len, i, nl = 0;
	char *a = gen(&t, &len), *b;

	for (i = 0; i < len; i++)
		nl += a[i] == '\n';
	ck_assert_uint_eq(nl, 100);
	ck_assert_int_eq(a[len - 1], '\n');
	t.gen.final_newline = 0;
	b = gen(&t, &i);
	/* The same lines, without the last newline. */
	ck_assert_uint_eq(i, len - 1);
	ck_assert_int_eq(memcmp(a, b, i), 0);
	free(a);
	free(b);
}
END_TEST

/* 8 MiB of generated input has the size asked and only whole lines; how
 * fast it is generated is measured by `make bench`, not asserted here. */
START_TEST(test_generate_8m_whole_lines)
{
	struct spec_text t = gen_text(8LL << 20, 0, 0, 200, 7, 1);
	size_t len;
	char *a = gen(&t, &len);

	ck_assert_int_ge((long long)len, 8LL << 20);
	ck_assert_int_le((long long)len, (8LL << 20) + 201);
	ck_assert_int_eq(a[len - 1], '\n');
	free(a);
}
END_TEST

Suite *make_spec_suite(void)
{
	Suite *s = suite_create("spec");
	TCase *tc = tcase_create("full example");

	tcase_add_checked_fixture(tc, load_full, free_full);
	tcase_add_test(tc, test_full_top_level);
	tcase_add_test(tc, test_full_build);
	tcase_add_test(tc, test_full_default_limits);
	tcase_add_test(tc, test_full_inline_test);
	tcase_add_test(tc, test_full_file_test);
	tcase_add_test(tc, test_full_generated_test);
	tcase_add_test(tc, test_full_lines_test);
	tcase_add_test(tc, test_find_test);
	tcase_add_test(tc, test_materialize_file);
	tcase_add_test(tc, test_docs_example_is_the_full_spec);
	suite_add_tcase(s, tc);

	tc = tcase_create("defaults");
	tcase_add_test(tc, test_minimal_defaults);
	tcase_add_test(tc, test_cpu_follows_test_wall);
	tcase_add_test(tc, test_leftover_files_default_and_override);
	tcase_add_test(tc, test_disk_limits);
	tcase_add_test(tc, test_perturb_defaults);
	tcase_add_test(tc, test_bonus_not_in_max_points);
	tcase_add_test(tc, test_inline_text_edge_cases);
	tcase_add_test(tc, test_load_missing_spec_names_path);
	tcase_add_test(tc, test_parse_bad_dir);
	tcase_add_test(tc, test_enum_names);
	tcase_add_test(tc, test_every_check_kind_parses);
	tcase_add_test(tc, test_trace_checks_evaluated);
	tcase_add_test(tc, test_trace_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_loop_test(tc, test_invalid_spec, 0, NINVALID);
	tcase_add_test(tc, test_every_invalid_file_is_tested);
	suite_add_tcase(s, tc);

	tc = tcase_create("texts");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_materialize_inline_and_none);
	tcase_add_test(tc, test_materialize_missing_file);
	tcase_add_test(tc, test_materialize_reference_is_callers_job);
	tcase_add_test(tc, test_generate_deterministic);
	tcase_add_test(tc, test_generate_seed_matters);
	tcase_add_test(tc, test_generate_known_bytes);
	tcase_add_test(tc, test_generate_size_within_one_line);
	tcase_add_test(tc, test_generate_line_lengths_and_charset);
	tcase_add_test(tc, test_generate_lines_and_final_newline);
	tcase_add_test(tc, test_generate_8m_whole_lines);
	suite_add_tcase(s, tc);
	return s;
}
